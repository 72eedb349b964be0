"""Pure rules the lifecycle fixes rest on: add-on pins never decrease, the EKS AZ trap, the Pod Identity guard."""

from __future__ import annotations

import dataclasses

import pytest

from eks_platform._internal import addons as cat
from eks_platform._internal.pod_identity import source_account_conditions
from eks_platform._internal.zones import subnet_zones, zone_problems


def test_no_add_on_pin_decreases_from_one_minor_to_the_next() -> None:
    assert cat.pin_regressions(cat.catalog()) == []


def test_a_decreasing_pin_is_found() -> None:
    entry = cat.catalog()["cert-manager"]
    lowered = dict(entry.pins)
    lowered["1.34"] = dataclasses.replace(entry.pins["1.34"], version="v1.0.0-eksbuild.1")
    problems = cat.pin_regressions({"cert-manager": dataclasses.replace(entry, pins=lowered)})
    assert len(problems) == 1 and "1.34 (v1.0.0-eksbuild.1) is lower than the pin for 1.33" in problems[0]


def test_a_minor_without_pin_omits_the_version_instead_of_failing() -> None:
    entry = cat.catalog()["kube-state-metrics"]
    assert "1.35" not in entry.pins
    assert cat.resolve_version(entry, "1.35", None) == (None, None, [])
    assert "EKS installs its default version" in cat.unpinned_notice(entry, "1.35")


@pytest.mark.parametrize("region,refused", [("us-east-1", "use1-az3"), ("us-west-1", "usw1-az2"),
                                            ("ca-central-1", "cac1-az3")])
def test_regions_with_a_refused_az_need_explicit_zones(region: str, refused: str) -> None:
    [problem] = zone_problems("platform.availabilityZones", region, None)
    assert refused in problem and "AZ IDs" in problem
    assert zone_problems("platform.availabilityZones", region, [refused, "x"])


def test_other_regions_and_good_zones_pass() -> None:
    assert zone_problems("availability_zones", "eu-west-1", None) == []
    assert zone_problems("availability_zones", "us-east-1", ["use1-az1", "use1-az2", "use1-az4"]) == []
    assert zone_problems("availability_zones", "us-east-1", ["us-east-1a", "us-east-1b"]) == []
    assert zone_problems("availability_zones", "us-east-1", ["use1-az1", "us-east-1b"])  # mixed


def test_the_source_account_guard() -> None:
    assert source_account_conditions("111111111111") == {"StringEquals": {"aws:SourceAccount": "111111111111"}}


def test_subnet_zones_follow_ec2_vpc_creation_order() -> None:
    zones = ["use1-az1", "use1-az2", "use1-az4"]
    assert subnet_zones(6, zones, subnet_configurations=2) == [*zones, *zones]
    # any other layout is not the known one: the caller then reads each subnet's zone
    assert subnet_zones(5, zones, subnet_configurations=2) is None
    assert subnet_zones(0, [], subnet_configurations=2) is None
