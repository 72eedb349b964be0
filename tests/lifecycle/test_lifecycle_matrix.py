"""The lifecycle contract: every row of the matrix (``tests/lifecycle_matrix.py``) deploys as an update that
CloudFormation and Kubernetes accept, removal removes, nothing is orphaned.

Each distinct configuration is synthesized once per run; each pair is judged by :func:`eks_platform.lifecycle.judge`
(the replacement guard plus the Kubernetes verdicts). A row passes when the judge has no finding and the outcome
(in place / replaces ... / refused: ...) is the one the row states.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from eks_platform.config import parse_platform_config
from eks_platform.errors import ConfigError
from eks_platform.lifecycle import LifecycleReport, delivered_objects, judge
from eks_platform.replacement import Action
from eks_platform.stacks.reference import EksReferenceStack
from eks_platform.testing import FIXED_SYNTH_DATE, synth_templates
from tests import support
from tests.lifecycle_matrix import (
    DESTROY,
    MATRIX,
    TABLE_BEGIN,
    TABLE_END,
    Platform,
    Transition,
    effects,
    key_of,
    table,
)

STACK = "EksPlatform"
EMPTY: dict[str, Any] = {"Resources": {}}


class Synthesized:
    """Templates (or the ConfigError) of each distinct configuration, synthesized on first use."""

    def __init__(self) -> None:
        self._results: dict[str, dict[str, Any] | ConfigError] = {}
        self.seconds = 0.0

    def __call__(self, raw: Platform | None) -> dict[str, Any] | ConfigError:
        key = key_of(raw)
        if key not in self._results:
            started = time.perf_counter()
            self._results[key] = EMPTY if raw is None else _synth(raw)
            self.seconds += time.perf_counter() - started
        return self._results[key]

    def __len__(self) -> int:
        return len(self._results)


def _synth(raw: Platform) -> dict[str, Any] | ConfigError:
    try:
        config = parse_platform_config(raw, environ={}, today=dt.date.fromisoformat(FIXED_SYNTH_DATE))
        app = support.new_app(support.cdk_json_context())
        EksReferenceStack(app, STACK, config=config)
        return synth_templates(app)[STACK]
    except ConfigError as error:
        return error


_SYNTHESIZED = Synthesized()


@pytest.fixture(scope="module")
def synthesized() -> Synthesized:
    return _SYNTHESIZED


def _short(rtype: str) -> str:
    return rtype.removeprefix("AWS::").removeprefix("Custom::AWSCDK-EKS-")


def outcome(report: LifecycleReport) -> str:
    """``in place``, or ``replaces <types>`` (harmless layer versions apart)."""
    replaced = sorted({_short(c.resource_type) for c in report.replacement.by_action(Action.REPLACE)})
    return f"replaces {', '.join(replaced)}" if replaced else "in place"


def judged(row: Transition, synthesized: Synthesized) -> tuple[str, LifecycleReport | None]:
    before = synthesized(row.before_config())
    assert not isinstance(before, ConfigError), f"{row.change}: the configuration before fails: {before}"
    after = synthesized(row.after_config())
    if isinstance(after, ConfigError):
        return f"refused: {after.code}", None
    handed = ()
    if row.handed_over:
        handed = tuple(set(delivered_objects(before)) - set(delivered_objects(after)))
    report = judge(before, after, handed_over=handed)
    if report.refused_at_deploy:
        types = sorted({_short(str(after["Resources"][lid]["Type"])) for lid in report.refused_at_deploy})
        return f"refused at deploy: {', '.join(types)} name taken", report
    if row.after == DESTROY:
        return "stack deleted", report
    return outcome(report), report


@pytest.mark.parametrize("row", MATRIX, ids=[row.change for row in MATRIX])
def test_transition(row: Transition, synthesized: Synthesized) -> None:
    got, report = judged(row, synthesized)
    details = "" if report is None else "\n" + report.format() + "\n" + report.replacement.format()
    assert report is None or report.ok, f"{row.change}: lifecycle findings{details}"
    assert got == row.expect, f"{row.change}: expected {row.expect!r}, got {got!r}{details}"


def test_matrix_covers_the_contract() -> None:
    groups = {row.group for row in MATRIX}
    assert {"version", "feature", "entry", "endpoint", "delivery", "destroy"} <= groups
    assert sum(1 for row in MATRIX if row.after == DESTROY) == 1


def results(synthesized: Synthesized) -> list[tuple[Transition, str, str]]:
    """Every row with its judged outcome and effects (the README table's content)."""
    rows = []
    for row in MATRIX:
        got, report = judged(row, synthesized)
        before = synthesized(row.before_config())
        after = synthesized(row.after_config())
        what = (
            str(after)
            if isinstance(after, ConfigError)
            else effects(before, after, report)  # type: ignore[arg-type]
        )
        rows.append((row, got, what))
    return rows


def test_readme_table_is_the_matrix(synthesized: Synthesized) -> None:
    readme = (support.REPO_ROOT / "README.md").read_text()
    begin, end = readme.find(TABLE_BEGIN), readme.find(TABLE_END)
    assert begin >= 0 and end > begin, "README.md has no lifecycle table; run scripts/lifecycle_table.py --write"
    current = readme[begin : end + len(TABLE_END)]
    stale = "README lifecycle table is stale: run scripts/lifecycle_table.py --write"
    assert current == table(results(synthesized)), stale


def test_matrix_size_and_time(synthesized: Synthesized) -> None:
    """Report the figures (matrix rows, distinct configurations, synth seconds) with `-s`."""
    print(f"\nlifecycle matrix: {len(MATRIX)} transitions, {len(synthesized)} distinct configurations, "
          f"{synthesized.seconds:.1f} s synthesizing")
    assert len(MATRIX) >= 30


def test_destroy_leaves_exactly_what_the_readme_says(synthesized: Synthesized) -> None:
    """`cdk destroy`: data and what it stands on stay (RetainExceptOnCreate), identity and Kubernetes objects go."""
    (row,) = [row for row in MATRIX if row.after == DESTROY]
    before = synthesized(row.before_config())
    assert not isinstance(before, ConfigError)
    report = judge(before, EMPTY)
    kept = {c.logical_id: c.resource_type for c in report.replacement.changes if c.retained}
    deleted = {c.logical_id: c.resource_type for c in report.replacement.changes if not c.retained}
    assert sorted(set(kept.values())) == [
        "AWS::EC2::EIP", "AWS::EC2::InternetGateway", "AWS::EC2::NatGateway", "AWS::EC2::Route", "AWS::EC2::RouteTable",
        "AWS::EC2::SecurityGroup", "AWS::EC2::Subnet", "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::VPC",
        "AWS::EC2::VPCGatewayAttachment", "AWS::EKS::Cluster", "AWS::IAM::Role", "AWS::KMS::Key",
    ]
    assert sorted(lid for lid, t in kept.items() if t == "AWS::IAM::Role") == ["ClusterNodeRole687A61BB",
                                                                               "ClusterRoleFA261979"]
    assert {"AWS::EKS::AccessEntry", "AWS::EKS::Addon", "AWS::EKS::PodIdentityAssociation", "AWS::Lambda::Function",
            "AWS::Lambda::LayerVersion", "AWS::SSM::Parameter", "Custom::AWSCDK-EKS-KubernetesResource"} <= set(
        deleted.values())
    assert all(before["Resources"][lid].get("DeletionPolicy") == "RetainExceptOnCreate" for lid in kept)
    readme = (support.REPO_ROOT / "README.md").read_text()
    assert "**What `cdk destroy` leaves**" in readme and "Auto Mode node role" in readme
