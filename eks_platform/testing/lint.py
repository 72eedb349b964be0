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

    Errors are never allowlisted: an ``E`` rule in ``allow`` is ignored. A process lints the same template (the same
    JSON text) for the same regions once: a test suite that asserts on one template in several tests, or lints what
    it already linted, reuses the findings (the allowlist is applied to them on each call).
    """
    allowed = {rule for rule in (allow or {}) if not rule.startswith("E")}
    return [finding for finding in _findings(json.dumps(template), tuple(regions)) if finding.rule not in allowed]


@functools.lru_cache(maxsize=256)
def _findings(text: str, regions: tuple[str, ...]) -> tuple[CfnLintFinding, ...]:
    """Every cfn-lint finding on the template ``text`` (no allowlist): cfn-lint's verdict depends only on the text,
    the regions and the installed cfn-lint, so one process keeps the last 256 verdicts."""
    # lazy: cfn-lint is imported only when a template is linted
    from cfnlint.decode.decode import decode_str

    decoded, errors = decode_str(text)
    matches = errors or list(_runner(regions).validate_template(decoded))
    return tuple(
        CfnLintFinding(
            rule=match.rule.id,
            severity=str(getattr(match.rule, "severity", match.rule.id[0])),
            message=match.message,
            path="/".join(str(part) for part in getattr(match, "path", []) or []),
        )
        for match in matches
    )
