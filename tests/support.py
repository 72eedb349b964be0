"""Helpers shared by the test suite (import as ``from tests.support import ...``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from eks_platform.stacks.base import HermeticStack
from eks_platform.testing import FIXED_ACCOUNT, FIXED_REGION, fixed_context, synth_templates

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Third-party and hand-written schemas the manifest tests validate against (provenance in its README.md).
SCHEMAS_DIR = REPO_ROOT / "tests" / "schemas"
ENV = cdk.Environment(account=FIXED_ACCOUNT, region=FIXED_REGION)

#: cfn-lint warnings accepted in every template, each with its reason. Errors are never accepted.
CFN_LINT_ALLOW: dict[str, str] = {
    "W3005": "aws_eks_v2.Cluster adds DependsOn on the VPC's subnets and routes so the cluster is deleted before "
    "them; the Ref to the same subnets makes part of it redundant, which is harmless",
}

#: Every template synthesized through :func:`synth` in this session, keyed by a content hash (deduplicated).
SYNTHESIZED: dict[str, tuple[str, dict[str, Any]]] = {}


def cdk_json_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    return context


def new_app(extra_context: dict[str, Any] | None = None) -> cdk.App:
    """An app with the fixed synth date (and ``extra_context``), writing to a temp outdir."""
    return cdk.App(context=fixed_context(extra_context))


def new_stack(app: cdk.App | None = None, name: str = "TestStack", **kwargs: Any) -> cdk.Stack:
    """A stack with the fixed environment that never looks up AZs (see ``HermeticStack``)."""
    return HermeticStack(app or new_app(), name, env=ENV, **kwargs)


def synth(app: cdk.App, *, label: str = "") -> dict[str, dict[str, Any]]:
    """Synthesize ``app`` once; record every template for the suite-wide cfn-lint contract test."""
    templates = synth_templates(app)
    for name, template in templates.items():
        digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
        SYNTHESIZED.setdefault(digest, (f"{label or 'app'}:{name}", template))
    return templates


def synth_stack(stack: cdk.Stack, *, label: str = "") -> dict[str, Any]:
    """The template of ``stack`` (synthesizes its whole app once)."""
    app = stack.node.root
    assert isinstance(app, cdk.App)
    return synth(app, label=label or stack.stack_name)[stack.stack_name]


def resources_of(template: dict[str, Any], rtype: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template.get("Resources", {}).items() if r["Type"] == rtype}


def only_resource(template: dict[str, Any], rtype: str) -> dict[str, Any]:
    found = resources_of(template, rtype)
    assert len(found) == 1, f"expected exactly one {rtype}, found {sorted(found)}"
    return next(iter(found.values()))
