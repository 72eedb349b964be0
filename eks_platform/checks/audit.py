"""Run AwsSolutionsChecks and the EKSP pack over an app and print one table of findings (``make audit``).

``run_packs(app)`` is the authoritative check (cdk-nag's own acknowledgment handling decides what is open).
``audit(app, app_without_acknowledgments)`` adds what the acknowledgments hide: it needs a second build of the same
app made with the context ``eks-platform:auditIgnoreAcknowledgments=true`` (acknowledgments recorded, not applied),
matches every finding of that build to the acknowledgment that covers it, and lists stale acknowledgments.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field

from aws_cdk import App, Stage
from cdk_nag import AwsSolutionsChecks

from eks_platform.checks.acknowledgments import Acknowledged, acknowledgments
from eks_platform.checks.pack import PLUGIN_NAME, EksPlatformChecks

AWS_SOLUTIONS = "AwsSolutions"


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditRow:
    """One finding on one resource."""

    pack: str
    rule_id: str
    level: str
    path: str
    message: str
    acknowledged_by: Acknowledged | None = None

    @property
    def stack(self) -> str:
        return self.path.split("/", 1)[0]

    @property
    def is_open(self) -> bool:
        return self.acknowledged_by is None


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditReport:
    """Findings of both packs. ``open`` rows fail the audit; so do stale acknowledgments."""

    stacks: tuple[str, ...]
    rows: tuple[AuditRow, ...]
    acknowledgments: tuple[Acknowledged, ...] = ()
    stale: tuple[Acknowledged, ...] = ()
    hidden_view: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def open_rows(self) -> tuple[AuditRow, ...]:
        return tuple(row for row in self.rows if row.is_open)

    @property
    def ok(self) -> bool:
        return not self.open_rows and not self.stale


def _stacks(app: Stage) -> tuple[str, ...]:
    assembly = app.synth()
    return tuple(stack.hierarchical_id for stack in assembly.stacks_recursively)


def run_packs(app: Stage, *, today: dt.date | None = None) -> list[AuditRow]:
    """The open (unacknowledged) findings of AwsSolutionsChecks and EksPlatformChecks on every stack of ``app``."""
    app.synth()
    rows: list[AuditRow] = []
    aws_report = AwsSolutionsChecks().validate_scope(app)
    for violation in aws_report.violations:
        for resource in violation.violating_resources:
            rows.append(
                AuditRow(
                    pack=AWS_SOLUTIONS,
                    rule_id=violation.rule_name,
                    level=(violation.severity or "error").upper(),
                    path=resource.construct_path or "?",
                    message=violation.description,
                )
            )
    ours = EksPlatformChecks(today=today)
    report = ours.validate_scope(app)
    open_keys = {
        (violation.rule_name, resource.construct_path)
        for violation in report.violations
        for resource in violation.violating_resources
    }
    for finding in ours.findings:
        if (finding.rule_id, finding.construct_path) in open_keys:
            rows.append(
                AuditRow(
                    pack=PLUGIN_NAME,
                    rule_id=finding.rule_id,
                    level=finding.level.value,
                    path=finding.construct_path,
                    message=finding.message,
                )
            )
    return sorted(rows, key=lambda r: (r.path, r.rule_id))


def audit(app: App, app_without_acknowledgments: App | None = None, *, today: dt.date | None = None) -> AuditReport:
    """Audit ``app``; with ``app_without_acknowledgments`` (the same app built with acknowledgments recorded but
    not applied) also list every acknowledged finding and the stale acknowledgments."""
    stacks = _stacks(app)
    open_rows = run_packs(app, today=today)
    acks = acknowledgments(app)
    if app_without_acknowledgments is None:
        return AuditReport(stacks=stacks, rows=tuple(open_rows), acknowledgments=acks)

    everything = run_packs(app_without_acknowledgments, today=today)
    hidden_acks = acknowledgments(app_without_acknowledgments)
    open_keys = {(row.rule_id, row.path) for row in open_rows}
    rows: list[AuditRow] = list(open_rows)
    used: set[Acknowledged] = set()
    for row in everything:
        if (row.rule_id, row.path) in open_keys:
            continue
        covering = _closest(hidden_acks, row.rule_id, row.path)
        if covering is not None:
            used.add(covering)
        rows.append(
            AuditRow(
                pack=row.pack,
                rule_id=row.rule_id,
                level=row.level,
                path=row.path,
                message=row.message,
                acknowledged_by=covering
                or Acknowledged(rule_id=row.rule_id, path="?", reason="(acknowledged outside eks_platform.checks)"),
            )
        )
    stale = tuple(ack for ack in hidden_acks if ack not in used)
    return AuditReport(
        stacks=stacks,
        rows=tuple(sorted(rows, key=lambda r: (not r.is_open, r.path, r.rule_id))),
        acknowledgments=acks,
        stale=stale,
        hidden_view=True,
    )


def _closest(acks: Iterable[Acknowledged], rule_id: str, path: str) -> Acknowledged | None:
    matches = [ack for ack in acks if ack.covers(rule_id, path)]
    return max(matches, key=lambda ack: len(ack.path)) if matches else None


def format_table(report: AuditReport, *, width: int = 118) -> str:
    """A plain-text table: per-stack counts, then one block per finding (open first), then stale acknowledgments."""
    lines = [f"Policy audit: AwsSolutionsChecks (cdk-nag) + {PLUGIN_NAME} (EKSP-1..EKSP-11)", ""]
    header = f"{'STACK':<32} {'OPEN':>5} {'ACKNOWLEDGED':>13}"
    lines += [header, "-" * len(header)]
    for stack in report.stacks:
        mine = [row for row in report.rows if row.stack == stack]
        acked = sum(1 for row in mine if not row.is_open) if report.hidden_view else "-"
        lines.append(f"{stack:<32} {sum(1 for row in mine if row.is_open):>5} {acked!s:>13}")
    lines.append("")
    if report.rows:
        rule_width = min(48, max(len(row.rule_id) for row in report.rows))
        lines.append(f"{'STATUS':<6} {'LEVEL':<5} {'RULE':<{rule_width}} RESOURCE")
        previous: Acknowledged | None = None
        for row in report.rows:
            status = "OPEN" if row.is_open else "ack"
            lines.append(f"{status:<6} {row.level[:5]:<5} {row.rule_id:<{rule_width}} {row.path}")
            if row.is_open:
                text = row.message
            elif previous is not None and row.acknowledged_by is not None and (
                (row.acknowledged_by.path, row.acknowledged_by.reason) == (previous.path, previous.reason)
            ):
                text = "acknowledged: same place and reason as above"
            else:
                assert row.acknowledged_by is not None
                text = f"acknowledged at {row.acknowledged_by.path}: {row.acknowledged_by.reason}"
            previous = row.acknowledged_by
            lines += textwrap.wrap(text, width=width, initial_indent="       -> ", subsequent_indent="          ")
        lines.append("")
    if report.stale:
        lines.append("Stale acknowledgments (they match no finding; remove them):")
        for ack in report.stale:
            lines.append(f"  {ack.rule_id} at {ack.path}: {ack.reason}")
        lines.append("")
    if not report.hidden_view and report.acknowledgments:
        lines.append(f"Acknowledgments ({len(report.acknowledgments)}):")
        for ack in report.acknowledgments:
            lines.append(f"  {ack.rule_id} at {ack.path}: {ack.reason}")
        lines.append("")
    n_open = len(report.open_rows)
    n_ack = sum(1 for row in report.rows if not row.is_open)
    summary = f"Summary: {n_open} open finding(s)"
    if report.hidden_view:
        summary += f", {n_ack} acknowledged, {len(report.stale)} stale acknowledgment(s)"
    lines.append(summary + (" - OK" if report.ok else " - FAILED"))
    return "\n".join(lines)
