"""Hypothesis over EBS performance and size ranges, against an oracle written from the EBS documentation.

The oracle below is transcribed from the Amazon EBS volume types page
(https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html) and the EC2 API reference, not from
eks_platform: gp3 3,000-80,000 IOPS, 125-2,000 MiB/s, at most 0.25 MiB/s per IOPS (3,000 IOPS assumed when unset) and
500 IOPS per GiB; io2 100-256,000 IOPS, 1,000 IOPS per GiB, no throughput; io1 100-64,000 IOPS, 50 IOPS per GiB, no
throughput; other types take neither.
Invariant: a valid tier builds; an invalid one raises ConfigError and nothing else.
"""

from __future__ import annotations

import cdk8s
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eks_platform.constructs.manifests import PlatformChart
from eks_platform.constructs.storage import EbsVolumeClaim, VolumeTier, VolumeType
from eks_platform.errors import ConfigError

IOPS = {"gp3": (3000, 80000), "io2": (100, 256000), "io1": (100, 64000)}
THROUGHPUT = {"gp3": (125, 2000)}
IOPS_PER_GIB = {"gp3": 500, "io2": 1000, "io1": 50}
SIZE_GIB = {
    "gp3": (1, 65536),
    "io2": (4, 65536),
    "io1": (4, 16384),
    "gp2": (1, 16384),
    "st1": (125, 16384),
    "sc1": (125, 16384),
    "standard": (1, 1024),
}
TYPES = sorted(SIZE_GIB)


def oracle_tier_ok(volume_type: str, iops: int | None, throughput: int | None) -> bool:
    if iops is not None and (volume_type not in IOPS or not IOPS[volume_type][0] <= iops <= IOPS[volume_type][1]):
        return False
    if throughput is not None:
        if volume_type not in THROUGHPUT or not THROUGHPUT[volume_type][0] <= throughput <= THROUGHPUT[volume_type][1]:
            return False
        if throughput > 0.25 * (3000 if iops is None else iops):
            return False
    return True


def oracle_claim_ok(volume_type: str, iops: int | None, size: int) -> bool:
    low, high = SIZE_GIB[volume_type]
    if not low <= size <= high:
        return False
    return not (iops is not None and volume_type in IOPS_PER_GIB and iops > size * IOPS_PER_GIB[volume_type])


optional_int = st.one_of(st.none(), st.integers(min_value=-10, max_value=300_000))


@settings(max_examples=300, deadline=None)
@given(volume_type=st.sampled_from(TYPES), iops=optional_int, throughput=st.one_of(st.none(), st.integers(-10, 5000)))
def test_tier_accepts_exactly_what_ebs_allows(volume_type: str, iops: int | None, throughput: int | None) -> None:
    try:
        tier = VolumeTier(name="t", volume_type=volume_type, iops=iops, throughput=throughput)
    except ConfigError:
        assert not oracle_tier_ok(volume_type, iops, throughput)
    else:
        assert oracle_tier_ok(volume_type, iops, throughput)
        params = tier.parameters()
        assert params["type"] == volume_type
        assert params.get("iops") == (None if iops is None else str(iops))
        assert params.get("throughput") == (None if throughput is None else str(throughput))


@settings(max_examples=200, deadline=None)
@given(iops=st.integers(3000, 80000), throughput=st.integers(125, 2000))
def test_gp3_boundary_ratio(iops: int, throughput: int) -> None:
    ok = throughput <= iops / 4
    try:
        VolumeTier(name="t", iops=iops, throughput=throughput)
    except ConfigError:
        assert not ok
    else:
        assert ok


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    volume_type=st.sampled_from(["gp3", "io2", "io1"]),
    iops=st.integers(100, 256000),
    size=st.integers(-5, 70000),
)
def test_claim_size_must_carry_the_tier_iops(volume_type: str, iops: int, size: int) -> None:
    try:
        tier = VolumeTier(name="t", volume_type=VolumeType(volume_type), iops=iops)
    except ConfigError:
        return  # IOPS outside the type's range: covered above
    chart = PlatformChart(cdk8s.App(), "C", kubernetes_version="1.32")
    try:
        EbsVolumeClaim(chart, "Claim", name="claim", storage_class="gp3", size_gib=size, tier=tier)
    except ConfigError:
        assert not oracle_claim_ok(volume_type, iops, size)
    else:
        assert oracle_claim_ok(volume_type, iops, size)
        assert tier.minimum_size_gib() <= size


@settings(max_examples=200, deadline=None)
@given(
    value=st.one_of(st.floats(allow_nan=True), st.text(max_size=8), st.booleans(), st.lists(st.integers(), max_size=2))
)
def test_non_integer_settings_raise_config_error_and_nothing_else(value: object) -> None:
    for field in ("iops", "throughput"):
        with pytest.raises(ConfigError):
            VolumeTier(name="t", **{field: value})  # type: ignore[arg-type]
