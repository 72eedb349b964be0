"""The ``storage`` section of the ``platform`` context object: the gp3 StorageClass, its tiers and KMS key.

The tiers become :class:`VolumeTier` values (their own checks run); every problem comes back prefixed with its
cdk.json path. :meth:`StorageConfig.options` turns the section into the keyword arguments of ``EbsStorage``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from eks_platform._internal import ebs, k8s_api
from eks_platform._internal import validation as v
from eks_platform._internal.ebs import VolumeType
from eks_platform.constructs.storage import EbsDriver, ReclaimPolicy, VolumeTier
from eks_platform.errors import ConfigError

__all__ = ["StorageConfig", "parse_storage_config"]

_PRESETS = {
    VolumeTier.STANDARD_NAME: VolumeTier.standard,
    VolumeTier.FAST_NAME: VolumeTier.fast,
    VolumeTier.MAX_NAME: VolumeTier.max,
}
_STORAGE_KEYS = (
    "driver",
    "storageClassName",
    "defaultClass",
    "reclaimPolicy",
    "kmsKeyArn",
    "kmsKeyUserRoleArns",
    "tiers",
)
_TIER_KEYS = ("name", "type", "iops", "throughput", "tags")
_DRIVER_NAMES = {"auto-mode": EbsDriver.AUTO_MODE, "addon": EbsDriver.ADDON}


@dataclass(frozen=True, kw_only=True, slots=True)
class StorageConfig:
    """The ``storage`` context section (see README "Kubernetes objects"); :meth:`options` gives ``EbsStorage``'s."""

    driver: EbsDriver = EbsDriver.AUTO_MODE
    storage_class_name: str = "gp3"
    default_class: bool = True
    """Default: - true in the reference platform (the class becomes the cluster default)."""
    reclaim_policy: ReclaimPolicy = ReclaimPolicy.RETAIN
    kms_key_arn: str | None = None
    kms_key_user_role_arns: tuple[str, ...] = ()
    tiers: tuple[VolumeTier, ...] = field(default_factory=lambda: (VolumeTier.standard(), VolumeTier.fast()))

    def options(self, scope: Construct) -> dict[str, Any]:
        """Keyword arguments for :class:`EbsStorage` (imports the key and roles into ``scope``, keyed by ARN)."""
        key = kms.Key.from_key_arn(scope, "StorageKmsKey", self.kms_key_arn) if self.kms_key_arn else None
        users = [
            iam.Role.from_role_arn(scope, f"StorageKmsKeyUser{hashlib.sha256(arn.encode()).hexdigest()[:8]}", arn)
            for arn in self.kms_key_user_role_arns
        ]
        return {
            "driver": self.driver,
            "storage_class_name": self.storage_class_name,
            "default_class": self.default_class,
            "reclaim_policy": self.reclaim_policy,
            "tiers": list(self.tiers),
            "kms_key": key,
            "kms_key_users": users or None,
        }


def _tier_from_config(setting: str, raw: Any, problems: list[str]) -> VolumeTier | None:
    if isinstance(raw, str):
        if raw not in _PRESETS:  # a str key lookup
            problems.append(
                f"{setting} {raw!r} is not a ready-made tier ({', '.join(map(repr, _PRESETS))}); give an object "
                '{"name": ..., "type": "gp3", "iops": ..., "throughput": ...} for a custom tier'
            )
            return None
        return _PRESETS[raw]()
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be a ready-made tier name or an object, got {type(raw).__name__} {raw!r}")
        return None
    problems += v.unknown_keys(setting, raw.keys(), list(_TIER_KEYS))
    if "name" not in raw:
        problems.append(f"{setting} needs a name (the VolumeAttributesClass name claims refer to)")
        return None
    try:
        return VolumeTier(
            name=raw["name"],
            volume_type=raw.get("type", VolumeType.GP3.value),
            iops=raw.get("iops"),
            throughput=raw.get("throughput"),
            tags={} if raw.get("tags") is None else raw["tags"],
        )
    except ConfigError as error:
        problems += [f"{setting}: {p}" for p in error.problems]
        return None


def parse_storage_config(setting: str, raw: Any, problems: list[str]) -> StorageConfig | None:
    """Parse the ``storage`` context object; problems are appended (each naming ``<setting>.<key>``), never raised.

    Keys: ``driver`` (``auto-mode`` | ``addon``), ``storageClassName``, ``defaultClass``, ``reclaimPolicy``
    (``Retain`` | ``Delete``), ``kmsKeyArn``, ``kmsKeyUserRoleArns``, ``tiers`` (ready-made names ``standard``,
    ``fast``, ``max``, or ``{"name", "type", "iops", "throughput", "tags"}`` objects).
    """
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be an object, got {type(raw).__name__} {raw!r}")
        return None
    found: list[str] = v.unknown_keys(setting, raw.keys(), list(_STORAGE_KEYS))
    values: dict[str, Any] = {}
    if "driver" in raw:
        if not isinstance(raw["driver"], str) or raw["driver"] not in _DRIVER_NAMES:
            found.append(f"{setting}.driver {raw['driver']!r} is not one of {', '.join(map(repr, _DRIVER_NAMES))}")
        else:
            values["driver"] = _DRIVER_NAMES[raw["driver"]]
    if "storageClassName" in raw:
        found += k8s_api.name_problems(f"{setting}.storageClassName", raw["storageClassName"])
        values["storage_class_name"] = raw["storageClassName"]
    if "defaultClass" in raw:
        found += v.expect_type(f"{setting}.defaultClass", raw["defaultClass"], bool, "true or false")
        values["default_class"] = raw["defaultClass"]
    if "reclaimPolicy" in raw:
        policy_problems = v.enum_problems(f"{setting}.reclaimPolicy", raw["reclaimPolicy"], ReclaimPolicy)
        found += policy_problems
        if not policy_problems:
            values["reclaim_policy"] = ReclaimPolicy(raw["reclaimPolicy"])
    if "kmsKeyArn" in raw:
        found += ebs.kms_key_arn_problems(f"{setting}.kmsKeyArn", raw["kmsKeyArn"])
        values["kms_key_arn"] = raw["kmsKeyArn"]
    if "kmsKeyUserRoleArns" in raw:
        arns = raw["kmsKeyUserRoleArns"]
        if not isinstance(arns, list):
            found.append(f"{setting}.kmsKeyUserRoleArns must be a list of IAM role ARNs")
        else:
            for i, arn in enumerate(arns):
                if not isinstance(arn, str):
                    found.append(f"{setting}.kmsKeyUserRoleArns[{i}] must be an IAM role ARN string, got {arn!r}")
                else:
                    found += v.iam_role_arn(f"{setting}.kmsKeyUserRoleArns[{i}]", arn)
            values["kms_key_user_role_arns"] = tuple(arns)
    if "tiers" in raw:
        tiers_raw = raw["tiers"]
        if not isinstance(tiers_raw, list):
            found.append(f"{setting}.tiers must be a list of tier names or objects, got {tiers_raw!r}")
        else:
            tiers = [_tier_from_config(f"{setting}.tiers[{i}]", t, found) for i, t in enumerate(tiers_raw)]
            found += ebs.duplicate_tier_problems(f"{setting}.tiers", [t.name for t in tiers if t is not None])
            values["tiers"] = tuple(t for t in tiers if t is not None)
    driver = values.get("driver", EbsDriver.AUTO_MODE)
    if values.get("kms_key_arn") and driver is EbsDriver.ADDON:
        found += ebs.kms_key_user_problems(
            f"{setting}.kmsKeyArn with driver 'addon'",
            "kmsKeyUserRoleArns",
            has_users=bool(values.get("kms_key_user_role_arns")),
        )
    problems += found
    return None if found else StorageConfig(**values)
