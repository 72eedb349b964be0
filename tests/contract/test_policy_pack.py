"""Every stack of the reference app passes AwsSolutionsChecks and the EKSP pack with zero unacknowledged findings,
and every acknowledgment is narrow and reasoned. Generic: new stacks and features are covered as they land."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from eks_platform.checks import EksPlatformChecks, Finding, Level, Rule, RuleContext, acknowledgments
from eks_platform.checks.audit import AuditReport, format_table, run_packs


@pytest.fixture(scope="module")
def open_findings(reference_app: Any) -> list[Any]:
    return run_packs(reference_app["app"])


def test_reference_app_has_stacks_to_audit(reference_app: Any) -> None:
    assert reference_app["stacks"], "build_app returned no stacks"


def test_every_reference_stack_passes_both_packs(reference_app: Any, open_findings: list[Any]) -> None:
    report = AuditReport(stacks=tuple(reference_app["stacks"]), rows=tuple(open_findings))
    assert open_findings == [], "\n" + format_table(report)


def test_the_eksp_pack_reads_every_cluster_of_every_stack(reference_app: Any) -> None:
    # a stack without findings because the pack never saw its cluster would pass vacuously
    seen: list[tuple[str, str]] = []

    def probe(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
        seen.append((str(properties.get("Name")), str(properties.get("Version"))))
        return []

    rule = Rule(number=0, title="probe", resource_types=frozenset({"AWS::EKS::Cluster"}), level=Level.WARN,
                info="probe", explanation="probe", check=probe)
    EksPlatformChecks(rules=[rule]).validate_scope(reference_app["app"])
    expected = [
        (str(r["Properties"].get("Name")), str(r["Properties"].get("Version")))
        for template in reference_app["templates"].values()
        for r in template["Resources"].values()
        if r["Type"] == "AWS::EKS::Cluster"
    ]
    assert expected and sorted(seen) == sorted(expected)


def test_acknowledgments_are_narrow_and_reasoned(reference_app: Any) -> None:
    acks = acknowledgments(reference_app["app"])
    assert acks, "the reference app acknowledges the AWS managed policies Auto Mode requires"
    stack_paths = {stack.node.path for stack in reference_app["stacks"].values()}
    for ack in acks:
        assert ack.path not in stack_paths and "/" in ack.path, f"{ack.rule_id} is acknowledged on a whole stack"
        assert len(ack.reason) >= 40, f"{ack.rule_id} at {ack.path} needs a reason a reviewer can check"
        assert ack.rule_id.startswith(("AwsSolutions-", "EKSP-")), ack.rule_id
