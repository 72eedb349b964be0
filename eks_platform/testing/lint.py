"""cfn-lint (CloudFormation's resource schemas) over synthesized templates, with reasoned allowlists."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@functools.cache
def _runner(regions: tuple[str, ...]) -> Any:
    """One cfn-lint runner (its rule collection loads in ~0.3 s) per region set, reused for every template."""
    # lazy: cfn-lint's rule collection loads in ~0.3 s; only linting needs it
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn(regions=list(regions)))


@dataclass(frozen=True, kw_only=True, slots=True)
class CfnLintFinding:
    rule: str
    severity: str
    message: str
    path: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.severity}) at {self.path}: {self.message}"


def cfn_lint_findings(
    template: Mapping[str, Any],
    *,
    regions: Sequence[str] = ("us-east-1",),
    allow: Mapping[str, str] | None = None,
) -> list[CfnLintFinding]:
    """Run cfn-lint on ``template`` and return findings not in ``allow`` (rule id -> reason it is accepted).

    Errors are never allowlisted: an ``E`` rule in ``allow`` is ignored.
    """
    # lazy: cfn-lint is imported only when a template is linted
    from cfnlint.decode.decode import decode_str

    allowed = {rule for rule in (allow or {}) if not rule.startswith("E")}
    decoded, errors = decode_str(json.dumps(template))
    matches = errors or list(_runner(tuple(regions)).validate_template(decoded))
    findings = []
    for match in matches:
        rule_id = match.rule.id
        if rule_id in allowed:
            continue
        findings.append(
            CfnLintFinding(
                rule=rule_id,
                severity=str(getattr(match.rule, "severity", rule_id[0])),
                message=match.message,
                path="/".join(str(part) for part in getattr(match, "path", []) or []),
            )
        )
    return findings
