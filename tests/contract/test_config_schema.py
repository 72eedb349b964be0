"""The JSON Schema of the ``platform`` object and the README's table of keys are generated from the models.

``python scripts/generate_config_docs.py`` regenerates them; these tests fail when a committed copy is stale, when
the schema would accept what the models refuse by type, or when the example cdk.json does not validate.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from typing import Any

import jsonschema
import pytest

from eks_platform.config import CONTEXT_KEY, context_keys
from eks_platform.config.schema import cdk_json_schema, platform_schema, readme_table, schema_text
from tests.support import REPO_ROOT, cdk_json_context

SCHEMA_DIR = REPO_ROOT / "schemas"


@functools.cache
def platform_validator() -> jsonschema.Draft202012Validator:
    """A validator of the schema the models generate, built once per process (generating the schema from the models
    takes ~0.1 s, and the tests below validate against it many times; none of them changes it)."""
    return jsonschema.Draft202012Validator(platform_schema())


@pytest.mark.parametrize(
    ("name", "build"), [("platform.schema.json", platform_schema), ("cdk.json.schema.json", cdk_json_schema)]
)
def test_committed_schema_is_current(name: str, build: Any) -> None:
    committed = (SCHEMA_DIR / name).read_text()
    assert committed == schema_text(build()), f"schemas/{name} is stale: run python scripts/generate_config_docs.py"


def test_readme_table_is_generated_from_the_models() -> None:
    assert readme_table() in (REPO_ROOT / "README.md").read_text(), (
        "README's table of platform keys is stale: run python scripts/generate_config_docs.py"
    )


def test_the_table_lists_every_key_of_the_schema() -> None:
    keys = [line.split("`")[1] for line in readme_table().splitlines() if line.startswith("| `")]
    assert keys == list(context_keys()) == list(platform_schema()["properties"])


def test_the_generator_reports_nothing_stale() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/generate_config_docs.py", "--check"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(platform_schema())


def test_the_reference_cdk_json_validates_against_the_schema() -> None:
    platform_validator().validate(cdk_json_context()[CONTEXT_KEY])


def test_the_example_fleet_validates_against_the_schema() -> None:
    """An environment's overrides are partial objects (merged on the base), so nested keys are not required there."""
    fleet = json.loads((REPO_ROOT / "examples" / "fleet" / "cdk.json").read_text())["context"][CONTEXT_KEY]
    platform_validator().validate(fleet)


def test_an_environment_still_names_its_account_and_region() -> None:
    schema = platform_schema()
    environment = {"$defs": schema["$defs"], "$ref": "#/$defs/EnvironmentSettings"}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors({"environments": {"dev": {}}}))
    errors = list(jsonschema.Draft202012Validator(environment).iter_errors({}))
    assert sorted(e.message for e in errors) == ["'account' is a required property", "'region' is a required property"]


@pytest.mark.parametrize(
    "raw",
    [
        {"clustrName": "x"},
        {"deletionProtection": "true"},
        {"kubernetesVersion": 1.32},
        {"endpointAccess": "open"},
        {"nodePools": {"pools": {"a": {}}}},
        {"storage": {"tiers": [7]}},
        {"natGateways": 1.5},
        {"capabilities": {"a": {"type": "FLUX"}}},
        {"capabilities": {"a": {"type": "KRO", "policyStatements": []}}},
        {"capabilities": {"a": {"type": "ARGOCD", "roleMappings": {"ADMIN": {"groups": []}}}}},
        {"capabilities": {"a": {"type": "ACK", "policyStatements": [{"Effect": "Maybe"}]}}},
        {"ingress": {"scheme": "public"}},
        {"ingress": {"allowInternetFacing": "true"}},
        {"gitops": {"application": {"path": "x"}}},
        {"teams": {"a": {"editor": []}}},
        {"teams": {"a": {"limitRange": {"maximum": {}}}}},
        {"environments": {}},
        {"environments": {"dev": {"retired": "yes"}}},
        {"environments": {"dev": {"kubernetesVersoin": "1.32"}}},
        {"pipeline": {"account": "1", "region": "x", "connectionArn": "x", "repository": "x", "waves": [{}]}},
    ],
)
def test_the_schema_refuses_what_the_models_refuse_by_type(raw: dict[str, Any]) -> None:
    """An editor flags these while typing; synth refuses them with a ConfigError (tests/unit/test_config.py)."""
    assert list(platform_validator().iter_errors(raw))


def _untyped(schema: Any, where: str = "") -> list[str]:
    """Every property of the schema that accepts any JSON value (no type, $ref, anyOf/oneOf, enum or const)."""
    found: list[str] = []
    if isinstance(schema, dict):
        for name, entry in schema.get("properties", {}).items():
            if not any(key in entry for key in ("type", "$ref", "anyOf", "oneOf", "enum", "const")):
                found.append(f"{where}.{name}")
        for key, value in schema.items():
            found += _untyped(value, f"{where}.{key}" if key not in ("properties", "$defs") else where)
    elif isinstance(schema, list):
        for item in schema:
            found += _untyped(item, where)
    return found


def test_the_schema_types_every_key() -> None:
    """No section is an untyped object: an editor completes and checks every key of every section."""
    assert _untyped(platform_schema()) == []


@pytest.mark.parametrize("section", ["capabilities", "ingress", "gitops", "teams", "environments", "pipeline"])
def test_every_section_is_described_key_by_key(section: str) -> None:
    schema = platform_schema()
    text = json.dumps(schema["properties"][section])
    assert schema["properties"][section].get("description") and ("$ref" in text or "properties" in text)
    described = [
        name
        for definition in schema["$defs"].values()
        for name, entry in definition.get("properties", {}).items()
        if not entry.get("description")
    ]
    assert described == []


def test_vscode_points_cdk_json_at_the_schema() -> None:
    settings = json.loads((REPO_ROOT / ".vscode" / "settings.json").read_text())
    (entry,) = [s for s in settings["json.schemas"] if "cdk.json" in s["fileMatch"]]
    assert (REPO_ROOT / entry["url"].removeprefix("./")).read_text() == schema_text(cdk_json_schema())
