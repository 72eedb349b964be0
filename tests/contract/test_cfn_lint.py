"""cfn-lint over every template the suite synthesized: zero errors, warnings only from the reasoned allowlist."""

from __future__ import annotations

from typing import Any

import pytest

from eks_platform.testing import cfn_lint_findings
from tests import cfn_lint_sweep, support


@pytest.mark.runs_last
def test_every_synthesized_template_passes_cfn_lint(
    reference_templates: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    """Includes the reference app's stacks (recorded by the session fixture) and every test stack. Under
    pytest-xdist it covers this worker's recordings so far; ``tests/cfn_lint_sweep.py`` says how the rest is linted."""
    assert support.SYNTHESIZED, "no template was recorded: tests must synthesize through tests.support.synth"
    labels = [label for label, _ in support.SYNTHESIZED.values()]
    assert any(label.startswith("reference:") for label in labels)
    _, failures = cfn_lint_sweep.lint_unlinted(cfn_lint_sweep.claims_directory(request.config))
    assert failures == [], "\n".join(failures)


def test_cfn_lint_catches_a_schema_error(reference_templates: dict[str, Any]) -> None:
    """The sweep can fail: a cluster with a numeric Version is a schema error cfn-lint reports."""
    import copy

    template = copy.deepcopy(next(iter(reference_templates.values())))
    cluster = next(r for r in template["Resources"].values() if r["Type"] == "AWS::EKS::Cluster")
    cluster["Properties"]["Version"] = 132
    assert any(f.rule.startswith("E") for f in cfn_lint_findings(template, allow=support.CFN_LINT_ALLOW))


def test_allowlist_entries_have_reasons() -> None:
    for rule, reason in support.CFN_LINT_ALLOW.items():
        assert not rule.startswith("E"), "cfn-lint errors are never allowlisted"
        assert len(reason) > 30, f"{rule} needs a reason a reviewer can check"
