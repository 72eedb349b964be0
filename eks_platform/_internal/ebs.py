"""Amazon EBS limits (checked-in table ``data/ebs_limits.json``) and the pure validators built on them.

Every validator returns a list of problems (never raises); each problem names the setting, the value, what is
allowed and how to fix it. Unresolved CDK tokens are skipped.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any

from eks_platform._internal.validation import is_unresolved, partition_of_region

_KMS_ARN = re.compile(
    r"arn:aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?:kms:([a-z0-9-]+):\d{12}:(key|alias)/[A-Za-z0-9/_+=,.@-]+",
    re.ASCII,
)


class VolumeType(str, Enum):
    """EBS volume types the EBS CSI drivers accept in ``type``.

    See: https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html
    """

    GP3 = "gp3"
    GP2 = "gp2"
    IO1 = "io1"
    IO2 = "io2"
    ST1 = "st1"
    SC1 = "sc1"
    STANDARD = "standard"


@dataclass(frozen=True, kw_only=True, slots=True)
class Range:
    min: int
    max: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and self.min <= value <= self.max

    def __str__(self) -> str:
        return f"{self.min:,} to {self.max:,}"


@dataclass(frozen=True, kw_only=True, slots=True)
class VolumeTypeLimits:
    """What EBS allows for one volume type."""

    volume_type: VolumeType
    iops: Range | None
    """Provisioned IOPS range; None when the type takes no ``iops``."""
    throughput: Range | None
    """Provisioned throughput in MiB/s; None when the type takes no ``throughput`` (only gp3 does)."""
    size_gib: Range
    max_iops_per_gib: int | None
    max_throughput_per_iops: float | None


@cache
def _table() -> dict[str, Any]:
    text = resources.files("eks_platform._internal.data").joinpath("ebs_limits.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def _range(raw: dict[str, int] | None) -> Range | None:
    return None if raw is None else Range(min=int(raw["min"]), max=int(raw["max"]))


@cache
def limits(volume_type: VolumeType) -> VolumeTypeLimits:
    """The limits of ``volume_type`` from the checked-in table."""
    row = _table()["volumeTypes"][volume_type.value]
    size = _range(row["sizeGiB"])
    assert size is not None
    return VolumeTypeLimits(
        volume_type=volume_type,
        iops=_range(row.get("iops")),
        throughput=_range(row.get("throughputMiBps")),
        size_gib=size,
        max_iops_per_gib=row.get("maxIopsPerGiB"),
        max_throughput_per_iops=row.get("maxThroughputMiBpsPerIops"),
    )


def modification_rule() -> str:
    """How often EBS lets one volume be modified (documented in the README and docstrings)."""
    rule: str = _table()["modification"]["rule"]
    return rule


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def volume_type_problems(setting: str, value: object) -> list[str]:
    if is_unresolved(value):
        return []
    allowed = [t.value for t in VolumeType]
    raw = value.value if isinstance(value, VolumeType) else value
    if raw not in allowed:
        return [f"{setting} {value!r} is not an EBS volume type; use one of {', '.join(allowed)}"]
    return []


def performance_problems(
    setting: str, volume_type: VolumeType, *, iops: object = None, throughput: object = None
) -> list[str]:
    """Range and ratio rules for ``iops`` and ``throughput`` (MiB/s) of one volume type.

    ``None`` means "not set" (EBS then applies the type's default). Size-dependent rules (IOPS per GiB) are in
    :func:`size_problems`, because a StorageClass or VolumeAttributesClass does not know the volume size.
    """
    lim = limits(volume_type)
    problems: list[str] = []
    if iops is not None and not is_unresolved(iops):
        if lim.iops is None:
            problems.append(
                f"{setting}.iops {iops!r} is not allowed for {volume_type.value} volumes (EBS provisions IOPS only "
                f"for gp3, io1 and io2); remove iops or pick one of those types"
            )
        elif not _is_int(iops):
            problems.append(f"{setting}.iops must be a whole number of IOPS, got {type(iops).__name__} {iops!r}")
        elif iops not in lim.iops:
            problems.append(
                f"{setting}.iops {iops:,} is outside what EBS allows for {volume_type.value} ({lim.iops} IOPS); "
                f"choose a value in that range"
            )
    if throughput is not None and not is_unresolved(throughput):
        if lim.throughput is None:
            problems.append(
                f"{setting}.throughput {throughput!r} is not allowed for {volume_type.value} volumes (EBS provisions "
                f"throughput only for gp3); remove throughput or use gp3"
            )
        elif not _is_int(throughput):
            problems.append(
                f"{setting}.throughput must be a whole number of MiB/s, got {type(throughput).__name__} {throughput!r}"
            )
        elif throughput not in lim.throughput:
            problems.append(
                f"{setting}.throughput {throughput:,} MiB/s is outside what EBS allows for {volume_type.value} "
                f"({lim.throughput} MiB/s); choose a value in that range"
            )
    ratio = lim.max_throughput_per_iops
    if (
        ratio is not None
        and lim.iops is not None
        and lim.throughput is not None
        and throughput is not None
        and _is_int(throughput)
        and throughput in lim.throughput
        and (iops is None or (_is_int(iops) and iops in lim.iops))
    ):
        effective_iops = lim.iops.min if iops is None else iops
        assert isinstance(effective_iops, int) and isinstance(throughput, int)
        if throughput > effective_iops * ratio:
            needed = max(math.ceil(throughput / ratio), lim.iops.min)
            where = "the default 3,000 IOPS" if iops is None else f"{effective_iops:,} IOPS"
            problems.append(
                f"{setting}.throughput {throughput:,} MiB/s is more than {ratio} MiB/s per IOPS allows with {where} "
                f"(at most {int(effective_iops * ratio):,} MiB/s); raise iops to at least {needed:,} or lower "
                "throughput"
            )
    return problems


def size_problems(setting: str, volume_type: VolumeType, size_gib: object, *, iops: object = None) -> list[str]:
    """Volume size range of the type, and the IOPS-per-GiB ceiling for a given provisioned IOPS."""
    if is_unresolved(size_gib):
        return []
    lim = limits(volume_type)
    if not _is_int(size_gib):
        return [f"{setting} must be a whole number of GiB, got {type(size_gib).__name__} {size_gib!r}"]
    assert isinstance(size_gib, int)
    problems: list[str] = []
    if size_gib not in lim.size_gib:
        problems.append(
            f"{setting} {size_gib:,} GiB is outside what EBS allows for {volume_type.value} ({lim.size_gib} GiB)"
        )
    if (
        isinstance(iops, int)
        and _is_int(iops)
        and lim.max_iops_per_gib is not None
        and size_gib > 0
        and iops > size_gib * lim.max_iops_per_gib
    ):
        minimum = -(-iops // lim.max_iops_per_gib)
        problems.append(
            f"{setting} {size_gib:,} GiB is too small for {iops:,} IOPS on {volume_type.value} (EBS allows at most "
            f"{lim.max_iops_per_gib} IOPS per GiB); request at least {minimum:,} GiB or a tier with fewer IOPS"
        )
    return problems


def vac_api_version(minor: int) -> str | None:
    """The VolumeAttributesClass apiVersion EKS serves for Kubernetes ``1.<minor>``; None before 1.31."""
    for row in _table()["volumeAttributesClass"]["apiVersions"]:
        if row["fromMinor"] <= minor and (row["toMinor"] is None or minor <= row["toMinor"]):
            api_version: str = row["apiVersion"]
            return api_version
    return None


def vac_driver_support(driver: str) -> tuple[bool, str]:
    """Whether VolumeAttributesClass support is confirmed for a CSI driver name, and the note explaining why."""
    row = _table()["volumeAttributesClass"]["drivers"].get(driver)
    if row is None:
        return False, f"no record of VolumeAttributesClass support for driver {driver!r}"
    return bool(row["confirmed"]), str(row["note"])


def kms_key_arn_problems(setting: str, value: object, *, region: str | None = None) -> list[str]:
    """The KMS key a StorageClass encrypts with, as the full key ARN the EBS CSI driver needs (None: ``aws/ebs``).

    A key ARN, not an alias ARN (``kms:CreateGrant`` on an alias does not grant the key; the driver's ``kmsKeyId``
    parameter takes the key), in the stack's region and its partition when ``region`` is known (a volume's key is
    regional; ARN partitions: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
    See: https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN
    """
    if isinstance(value, str) and is_unresolved(value) and ":alias/" in value:
        # an aws_kms.Alias: its ARN holds a token (the partition) but is an alias ARN all the same
        return [
            f"{setting} is an alias ({value.split(':alias/', 1)[1]!r}); give the key itself (kms.Key.from_key_arn with "
            "the key ARN from aws kms describe-key --key-id alias/<name>): a grant on an alias does not grant the key"
        ]
    if value is None or is_unresolved(value):
        return []
    match = _KMS_ARN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return [
            f"{setting} {value!r} is not a KMS key ARN; the EBS CSI driver needs the full ARN, "
            "arn:<partition>:kms:<region>:<account>:key/<key-id>"
        ]
    problems = []
    if match.group(3) == "alias":
        problems.append(
            f"{setting} {value!r} is an alias ARN; give the key ARN (arn:<partition>:kms:<region>:<account>:key/"
            "<key-id>, from aws kms describe-key --key-id <alias>)"
        )
    if region is not None and not is_unresolved(region) and match.group(2) != region:
        problems.append(
            f"{setting} {value!r} is a key in {match.group(2)}, but the stack is in {region}; KMS keys are "
            "regional: use a key of the stack's region"
        )
    partition = partition_of_region(region)
    written = "aws" + (match.group(1) or "")
    if partition is not None and written != partition:
        problems.append(
            f"{setting} {value!r} is in partition {written}, but the stack's region {region} is in partition "
            f"{partition}; use a key ARN that starts with arn:{partition}:kms:{region}:"
        )
    return problems


def kms_key_user_problems(key_setting: str, users_setting: str, *, has_users: bool) -> list[str]:
    """A customer KMS key needs the role the EBS CSI driver runs with, unless the caller knows it already."""
    if has_users:
        return []
    return [
        f"{key_setting} needs {users_setting}: the role the EBS CSI driver runs with (the aws-ebs-csi-driver "
        "add-on's Pod Identity role, or the cluster role of an imported Auto Mode cluster)"
    ]


def duplicate_tier_problems(setting: str, names: Sequence[str]) -> list[str]:
    """Each VolumeAttributesClass tier has a name of its own."""
    return [
        f"{setting} lists {name!r} twice; each VolumeAttributesClass needs a unique name"
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
