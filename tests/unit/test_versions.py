"""The checked-in version lifecycle table and the support-policy decision."""

from __future__ import annotations

import datetime as dt

import pytest

from eks_platform._internal.versions import (
    SupportType,
    decide_support,
    lifecycle_table,
    prices,
    supported_versions,
)


def test_table_covers_1_29_to_1_36_in_order() -> None:
    assert supported_versions() == tuple(f"1.{m}" for m in range(29, 37))


@pytest.mark.parametrize("version", [f"1.{m}" for m in range(29, 37)])
def test_rows_are_consistent(version: str) -> None:
    row = lifecycle_table()[version]
    assert row.released < row.end_of_standard < row.end_of_extended
    # EKS: 14 months of standard support, then 12 of extended (allow a few days of calendar slack).
    assert 420 <= (row.end_of_standard - row.released).days <= 440
    assert 360 <= (row.end_of_extended - row.end_of_standard).days <= 370


def test_documented_1_32_dates() -> None:
    row = lifecycle_table()["1.32"]
    assert (row.end_of_standard, row.end_of_extended) == (dt.date(2026, 3, 23), dt.date(2027, 3, 23))


def test_prices() -> None:
    assert prices() == {"standard": 0.10, "extended": 0.60}


def test_standard_on_the_last_day_of_standard_support() -> None:
    decision, problems = decide_support("1.32", today=dt.date(2026, 3, 22), requested=None)
    assert problems == [] and decision is not None
    assert decision.support_type is SupportType.STANDARD and decision.warning is None


def test_extended_from_the_end_of_standard_support() -> None:
    decision, _ = decide_support("1.32", today=dt.date(2026, 3, 23), requested=None)
    assert decision is not None and decision.support_type is SupportType.EXTENDED
    assert decision.warning is not None and "2027-03-23" in decision.warning


def test_explicit_extended_in_standard_support_warns_about_cost() -> None:
    decision, _ = decide_support("1.35", today=dt.date(2026, 11, 27), requested=SupportType.EXTENDED)
    assert decision is not None and decision.support_type is SupportType.EXTENDED
    assert decision.warning is not None and "$0.60" in decision.warning


def test_fails_for_standard_in_extended_support() -> None:
    decision, problems = decide_support("1.33", today=dt.date(2026, 11, 27), requested=SupportType.STANDARD)
    assert decision is None and "STANDARD was asked for Kubernetes 1.33" in problems[0]


def test_fails_on_the_end_of_extended_support() -> None:
    decision, problems = decide_support("1.32", today=dt.date(2027, 3, 23), requested=None)
    assert decision is None and "left EKS extended support on 2027-03-23" in problems[0]
