"""cfn-lint over every template the suite synthesized: zero errors, warnings only from the reasoned allowlist."""

from __future__ import annotations

from typing import Any

import pytest

from eks_platform.testing import cfn_lint_findings
from tests import support


def test_reference_templates_pass_cfn_lint(reference_templates: dict[str, Any]) -> None:
    for name, template in reference_templates.items():
        findings = cfn_lint_findings(template, allow=support.CFN_LINT_ALLOW)
        assert findings == [], f"{name}:\n" + "\n".join(map(str, findings))


@pytest.mark.runs_last
def test_every_synthesized_template_passes_cfn_lint(reference_templates: dict[str, Any]) -> None:
    assert support.SYNTHESIZED, "no template was recorded: tests must synthesize through tests.support.synth"
    failures = []
    for label, template in support.SYNTHESIZED.values():
        findings = cfn_lint_findings(template, allow=support.CFN_LINT_ALLOW)
        failures += [f"{label}: {finding}" for finding in findings]
    assert failures == [], "\n".join(failures)


def test_allowlist_entries_have_reasons() -> None:
    for rule, reason in support.CFN_LINT_ALLOW.items():
        assert not rule.startswith("E"), "cfn-lint errors are never allowlisted"
        assert len(reason) > 30, f"{rule} needs a reason a reviewer can check"
