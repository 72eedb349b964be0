"""Fuzzing the ``platform`` object from its committed JSON Schema: a ConfigError naming a path, or a valid synth.

Objects are drawn from ``schemas/platform.schema.json`` (``tests.schema_strategies``), fleets (``environments``,
``pipeline``) included, half of them whole and half the reference object with one typed section drawn, and parsed
as the app parses them (``parse_fleet_config``): every key the schema knows,
values of the schema's types (words that exercise the rules, arbitrary text), now and then a value of another JSON
type or an unknown key. Each must either be refused with one ``ConfigError`` whose every problem names its
``platform...`` path, or build the reference app; a bounded sample of the valid ones is synthesized and linted with
cfn-lint. Anything else (TypeError, KeyError, a jsii error, a ConfigError naming no path) fails.

* ``make test``: ``EKS_PLATFORM_SCHEMA_FUZZ_EXAMPLES`` (default 100), derandomized, 2 synthesized.
* ``make fuzz``: 10,000 examples, random, 100 synthesized, every distinct failure collected; prints the counts and
  writes them to ``.bench-tmp/schema-fuzz.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eks_platform.config import CONTEXT_KEY
from eks_platform.config.environments import parse_fleet_config
from eks_platform.errors import ConfigError
from eks_platform.testing import FIXED_SYNTH_DATE
from tests import support
from tests.fuzz_harness import FuzzRun
from tests.schema_strategies import SchemaStrategies

EXAMPLES = int(os.environ.get("EKS_PLATFORM_SCHEMA_FUZZ_EXAMPLES", "100"))
SYNTH_BUDGET = int(os.environ.get("EKS_PLATFORM_SCHEMA_FUZZ_SYNTH", "2"))
KEEP_GOING = os.environ.get("EKS_PLATFORM_FUZZ_KEEP_GOING") == "1"
TODAY = dt.date.fromisoformat(FIXED_SYNTH_DATE)
SCHEMA = json.loads((support.REPO_ROOT / "schemas" / "platform.schema.json").read_text())

TYPED_SECTIONS = ("capabilities", "ingress", "gitops", "teams", "environments", "pipeline")


def _names_a_path(error: ConfigError, raw: Any = None) -> bool:
    return bool(error.code) and all(CONTEXT_KEY in problem for problem in error.problems)


RUN = FuzzRun(
    "schema fuzz",
    examples=EXAMPLES,
    synth_budget=SYNTH_BUDGET,
    keep_going=KEEP_GOING,
    parse=lambda raw: parse_fleet_config(raw, environ={}, today=TODAY),
    names_a_setting=_names_a_path,
    # a rule judged on the built tree names the construct it is about
    build_error_names_a_setting=lambda error, raw: _names_a_path(error) or bool(error.path),
    counted_sections=TYPED_SECTIONS,
)


def _sections_on_the_reference() -> st.SearchStrategy[dict[str, Any]]:
    """The reference ``platform`` object with one typed section (or a fleet: environments and a pipeline) drawn
    from the schema: whole random objects are nearly always refused somewhere, so these reach the sections' own
    rules and their synth far more often."""
    strategies = SchemaStrategies(SCHEMA)
    base = support.cdk_json_context()[CONTEXT_KEY]

    def section(name: str) -> st.SearchStrategy[dict[str, Any]]:
        drawn = strategies.strategy(SCHEMA["properties"][name])
        if name == "pipeline":  # a pipeline deploys environments
            fleet = st.tuples(strategies.strategy(SCHEMA["properties"]["environments"]), drawn)
            return fleet.map(lambda pair: {**base, "environments": pair[0], "pipeline": pair[1]})
        return drawn.map(lambda value: {**base, name: value})

    return st.sampled_from(TYPED_SECTIONS).flatmap(section)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not KEEP_GOING,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(raw=st.one_of(SchemaStrategies(SCHEMA).strategy(), _sections_on_the_reference()), synthesize=st.booleans())
def fuzz(raw: Any, synthesize: bool) -> None:
    RUN.check(raw, synthesize)


def test_generated_objects_cover_every_top_level_key() -> None:
    """The strategy reaches every key of the schema (a schema the fuzzer cannot read would test nothing)."""
    seen: set[str] = set()

    @settings(max_examples=60, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(raw=SchemaStrategies(SCHEMA, off_schema=0).strategy())
    def collect(raw: Any) -> None:
        seen.update(raw)

    collect()
    assert set(SCHEMA["properties"]) <= seen


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


#: Keys deep inside the sections typed last: the strategy must reach them (each is only in the schema's $defs).
NESTED_KEYS = {
    "identityCenter", "roleMappings", "policyStatements", "Effect", "disabledServices", "allowInternetFacing",
    "namespaceLabels", "application", "repositoryUrl", "targetRevision", "serviceAccounts", "limitRange",
    "resourceQuota", "defaultRequest", "retired", "connectionArn", "waves", "cliVersion",
}


def test_generated_objects_reach_the_keys_of_every_typed_section() -> None:
    seen: set[str] = set()

    @settings(max_examples=300, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(raw=SchemaStrategies(SCHEMA, off_schema=0).strategy())
    def collect(raw: Any) -> None:
        seen.update(_keys(raw))

    collect()
    assert seen >= NESTED_KEYS, sorted(NESTED_KEYS - seen)


@pytest.mark.slow
def test_every_object_from_the_schema_is_refused_naming_a_path_or_synthesizes() -> None:
    RUN.reset()
    fuzz()
    RUN.finish("schema-fuzz.json")
