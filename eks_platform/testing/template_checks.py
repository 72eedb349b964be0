"""cfn-lint plus the EKSP policy pack over one synthesized template, reported as one readable table.

The pack's rules are pure functions over a resource's properties (see ``eks_platform.checks``), so they run here on
the template itself. Findings are accepted either by the app's own acknowledgments (``eks_platform.checks.acknowledge``
in the construct tree, passed in as ``SynthResult.acknowledgments`` and matched through ``aws:cdk:path`` metadata) or
by ``allow`` entries in the test, each with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from eks_platform.errors import ConfigError
from eks_platform.testing.lint import cfn_lint_findings
from eks_platform.testing.templates import FIXED_SYNTH_DATE

CFN_LINT = "cfn-lint"
POLICY_PACK = "EKSP"
#: The shortest reason ``allow`` accepts (the pack's acknowledgments use the same floor).
MIN_REASON_LENGTH = 10


class Acknowledgment(Protocol):
    """What :func:`check_template` needs of an acknowledgment (``eks_platform.checks.acknowledgments.Acknowledged``)."""

    def covers(self, rule_id: str, construct_path: str) -> bool: ...


@dataclass(frozen=True, kw_only=True, slots=True)
class TemplateFinding:
    """One finding of cfn-lint or the EKSP pack on one template.

    Attributes:
        source: ``"cfn-lint"`` or ``"EKSP"``.
        rule: the rule ID as ``allow`` names it (``W3005``, ``EKSP-4``, ``EKSP-11[Action::s3:*]``).
        level: ``ERROR``, ``WARN`` or ``INFO``.
        logical_id: the resource's logical ID ("" for template-level findings).
        construct_path: the resource's ``aws:cdk:path`` metadata when the template has it, else "".
        message: what is wrong and how to fix it.
    """

    source: str
    rule: str
    level: str
    logical_id: str
    construct_path: str
    message: str

    @property
    def where(self) -> str:
        return self.construct_path or self.logical_id or "(template)"


def _cdk_path(template: Mapping[str, Any], logical_id: str) -> str:
    resource = template.get("Resources", {}).get(logical_id)
    if not isinstance(resource, Mapping):
        return ""
    metadata = resource.get("Metadata")
    path = metadata.get("aws:cdk:path") if isinstance(metadata, Mapping) else None
    return path if isinstance(path, str) else ""


def _lint_level(rule_id: str) -> str:
    return {"E": "ERROR", "W": "WARN"}.get(rule_id[:1], "INFO")


def _pack_findings(template: Mapping[str, Any], today: dt.date) -> list[TemplateFinding]:
    # lazy: the policy pack's rules import aws_cdk (jsii)
    from eks_platform.checks._rule import RuleContext
    from eks_platform.checks.rules import RULES

    context = RuleContext(today=today)
    findings: list[TemplateFinding] = []
    resources = template.get("Resources", {})
    for logical_id in sorted(resources):
        resource = resources[logical_id]
        if not isinstance(resource, Mapping):
            continue
        resource_type = str(resource.get("Type", ""))
        properties = resource.get("Properties")
        for rule in RULES:
            for finding in rule.evaluate(resource_type, properties if isinstance(properties, Mapping) else {}, context):
                findings.append(
                    TemplateFinding(
                        source=POLICY_PACK,
                        rule=rule.full_id(finding),
                        level=rule.level.value,
                        logical_id=logical_id,
                        construct_path=_cdk_path(template, logical_id),
                        message=finding.message,
                    )
                )
    return findings


def _lint(template: Mapping[str, Any], regions: Sequence[str]) -> list[TemplateFinding]:
    findings = []
    for finding in cfn_lint_findings(template, regions=regions):
        parts = finding.path.split("/")
        logical_id = parts[1] if len(parts) > 1 and parts[0] == "Resources" else ""
        findings.append(
            TemplateFinding(
                source=CFN_LINT,
                rule=finding.rule,
                level=_lint_level(finding.rule),
                logical_id=logical_id,
                construct_path=_cdk_path(template, logical_id) if logical_id else "",
                message=f"{finding.message} (at {finding.path})" if finding.path else finding.message,
            )
        )
    return findings


def _parse_allow(allow: Mapping[str, str]) -> list[tuple[str, str]]:
    problems = []
    entries = []
    for key, reason in allow.items():
        rule, _, target = str(key).partition("@")
        if not rule:
            problems.append(f"allow key {key!r} names no rule; write 'RULE' or 'RULE@<logical id or construct path>'")
        elif rule[:1] == "E" and rule[1:].isdigit():
            problems.append(f"allow key {key!r}: cfn-lint errors are never allowed; fix the template instead")
        if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON_LENGTH:
            problems.append(
                f"allow[{key!r}] has reason {reason!r}; give the reason the finding is accepted "
                f"(at least {MIN_REASON_LENGTH} characters) so a reviewer can check it"
            )
        entries.append((rule, target))
    if problems:
        raise ConfigError("InvalidAllowList", problems)
    return entries


def _allowed(finding: TemplateFinding, entries: list[tuple[str, str]]) -> bool:
    for rule, target in entries:
        if rule != finding.rule:
            continue
        if not target or target == finding.logical_id:
            return True
        path = finding.construct_path
        if path and (path == target or path.startswith(target + "/")):
            return True
    return False


def check_template(
    template: Mapping[str, Any],
    *,
    allow: Mapping[str, str] | None = None,
    acknowledgments: Iterable[Acknowledgment] = (),
    today: dt.date | None = None,
    regions: Sequence[str] = ("us-east-1",),
) -> list[TemplateFinding]:
    """Run cfn-lint and every EKSP rule over ``template``; return the findings ``allow`` does not accept.

    Args:
        template: a synthesized CloudFormation template (normalised or not).
        allow: accepted findings, ``{"RULE": reason}`` for every resource or ``{"RULE@TARGET": reason}`` for one
            resource, where TARGET is a logical ID or a construct path (the resource or anything below it). RULE is
            the rule ID as the table prints it (``W3005``, ``EKSP-4``, ``EKSP-11[Action::s3:*]``). cfn-lint errors
            (``E...``) are never accepted. Default: - nothing accepted.
        acknowledgments: the app's policy-pack acknowledgments (``SynthResult.acknowledgments``); they hide the
            EKSP findings they cover, matched by the resources' ``aws:cdk:path`` metadata (which the synth fixture
            and ``cdk synth`` add). Default: - none.
        today: the date the version-lifecycle rule (EKSP-4) judges on. Default: - the fixed synth date the test
            fixtures use (2026-11-27), so results match the synthesized upgrade policy.
        regions: regions cfn-lint checks resource availability in. Default: - ``us-east-1``.

    Raises:
        ConfigError: an ``allow`` entry has no rule, allows a cfn-lint error, or has no real reason.
    """
    entries = _parse_allow(allow or {})
    day = today or dt.date.fromisoformat(FIXED_SYNTH_DATE)
    acknowledged = tuple(acknowledgments)
    findings = _lint(template, regions) + _pack_findings(template, day)
    return [
        finding
        for finding in findings
        if not _allowed(finding, entries)
        and not (
            finding.source == POLICY_PACK
            and finding.construct_path
            and any(ack.covers(finding.rule, finding.construct_path) for ack in acknowledged)
        )
    ]


def format_findings(findings: Sequence[TemplateFinding], *, title: str = "template") -> str:
    """The findings as an aligned text table (source, rule, level, resource), each message on the line below."""
    if not findings:
        return f"{title}: no findings"
    header = ("SOURCE", "RULE", "LEVEL", "RESOURCE")
    rows = [(f.source, f.rule, f.level, f.where) for f in findings]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    out = [f"{title}: {len(findings)} finding(s)", line(header), line(["-" * width for width in widths])]
    for finding, row in zip(findings, rows, strict=True):
        out.append(line(row))
        out.append(f"    {finding.message}")
    out.append(
        "Fix the template, or accept a finding with allow={'RULE@<logical id or construct path>': '<reason>'} "
        "(cfn-lint errors cannot be accepted)."
    )
    return "\n".join(out)


def assert_template_passes(
    template: Mapping[str, Any],
    *,
    name: str = "template",
    allow: Mapping[str, str] | None = None,
    acknowledgments: Iterable[Acknowledgment] = (),
    today: dt.date | None = None,
    regions: Sequence[str] = ("us-east-1",),
) -> None:
    """Fail (``AssertionError`` with the table of :func:`format_findings`) if cfn-lint or the EKSP pack report
    anything ``allow`` does not accept. Arguments as for :func:`check_template`; ``name`` titles the table."""
    findings = check_template(template, allow=allow, acknowledgments=acknowledgments, today=today, regions=regions)
    if findings:
        raise AssertionError(format_findings(findings, title=name))
