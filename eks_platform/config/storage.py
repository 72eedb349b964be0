"""The ``storage`` section of the ``platform`` context object: the gp3 StorageClass, its tiers and KMS key.

The tiers become :class:`VolumeTier` values (their own checks run); every problem names its cdk.json path.
:meth:`StorageConfig.options` turns the section into the keyword arguments of ``EbsStorage``.
"""

from __future__ import annotations

import hashlib
from enum import Enum
from typing import Annotated, Any

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct
from pydantic import Discriminator, Field, PrivateAttr, Tag, ValidationInfo, field_validator, model_validator

from eks_platform._internal import ebs, k8s_api
from eks_platform._internal import validation as v
from eks_platform._internal.ebs import VolumeType
from eks_platform.config._base import HERE, UNION_TAG, ConfigModel, build, check, ruled, section_problems
from eks_platform.constructs.storage import EbsDriver, ReclaimPolicy, VolumeTier

__all__ = ["StorageConfig", "StorageDriver", "TierSettings", "parse_storage_config"]

_PRESETS = {
    VolumeTier.STANDARD_NAME: VolumeTier.standard,
    VolumeTier.FAST_NAME: VolumeTier.fast,
    VolumeTier.MAX_NAME: VolumeTier.max,
}


class StorageDriver(str, Enum):
    """``storage.driver`` as cdk.json writes it."""

    AUTO_MODE = "auto-mode"
    """EKS Auto Mode's built-in block storage (``ebs.csi.eks.amazonaws.com``)."""
    ADDON = "addon"
    """The Amazon EBS CSI driver add-on (``ebs.csi.aws.com``)."""

    @property
    def ebs_driver(self) -> EbsDriver:
        return EbsDriver.AUTO_MODE if self is StorageDriver.AUTO_MODE else EbsDriver.ADDON


class TierSettings(ConfigModel):
    """A custom tier: one VolumeAttributesClass."""

    name: str = Field(description="VolumeAttributesClass name that claims refer to (DNS-1123 subdomain).")
    volume_type: VolumeType = Field(default=VolumeType.GP3, alias="type", description="EBS volume type.")
    iops: int | None = Field(default=None, description="Provisioned IOPS. Default: not set.")
    throughput: int | None = Field(default=None, description="Provisioned throughput in MiB/s (gp3 only).")
    tags: dict[str, str] = Field(default_factory=dict, description="EBS tags the driver adds to the volume.")

    _tier: VolumeTier | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _build(self) -> TierSettings:
        self._tier = build(
            TierSettings,
            VolumeTier,
            name=self.name,
            volume_type=self.volume_type,
            iops=self.iops,
            throughput=self.throughput,
            tags=self.tags,
        )
        return self

    @property
    def tier(self) -> VolumeTier:
        assert self._tier is not None  # set by the validator
        return self._tier


def _tier_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return UNION_TAG + "preset"
    if isinstance(value, dict | TierSettings):
        return UNION_TAG + "custom"
    return None


TierEntry = Annotated[
    Annotated[str, Tag(UNION_TAG + "preset"), Field(json_schema_extra={"enum": list(_PRESETS)})]
    | Annotated[TierSettings, Tag(UNION_TAG + "custom")],
    Discriminator(
        _tier_kind,
        custom_error_type="eks_platform_shape",
        custom_error_message="a ready-made tier name (standard, fast, max) or a tier object",
    ),
]


class StorageConfig(ConfigModel):
    """The ``storage`` context section (see README "Kubernetes objects"); :meth:`options` gives ``EbsStorage``'s."""

    driver: StorageDriver = Field(
        default=StorageDriver.AUTO_MODE, description="auto-mode (EKS Auto Mode block storage) or addon (EBS CSI)."
    )
    storage_class_name: Annotated[str, ruled(k8s_api.name_problems)] = Field(
        default="gp3", description="StorageClass name."
    )
    default_class: bool = Field(default=True, description="Make the class the cluster's default StorageClass.")
    reclaim_policy: ReclaimPolicy = Field(default=ReclaimPolicy.RETAIN, description="Retain or Delete volumes.")
    kms_key_arn: str | None = Field(default=None, description="KMS key ARN for the volumes. Default: a new key.")
    kms_key_user_role_arns: tuple[str, ...] = Field(
        default=(), description="IAM roles that may use the key (driver addon: the EBS CSI driver's role)."
    )
    tier_entries: tuple[TierEntry, ...] = Field(
        default=(VolumeTier.STANDARD_NAME, VolumeTier.FAST_NAME),
        alias="tiers",
        description="VolumeAttributesClass tiers: ready-made names (standard, fast, max) or tier objects.",
    )

    _tiers: tuple[VolumeTier, ...] = PrivateAttr(default=())

    @field_validator("kms_key_arn")
    @classmethod
    def _key(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:  # a key ARN, in the stack's region when the platform object is validated
            check(ebs.kms_key_arn_problems(HERE, value, region=(info.context or {}).get("region")))
        return value

    @field_validator("kms_key_user_role_arns")
    @classmethod
    def _users(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check([p for i, arn in enumerate(value) for p in v.iam_role_arn(f"{HERE}[{i}]", arn)])
        return value

    @field_validator("tier_entries")
    @classmethod
    def _presets(cls, value: tuple[str | TierSettings, ...]) -> tuple[str | TierSettings, ...]:
        problems = [
            f"{HERE}[{i}] {entry!r} is not a ready-made tier ({', '.join(map(repr, _PRESETS))}); give an object "
            '{"name": ..., "type": "gp3", "iops": ..., "throughput": ...} for a custom tier'
            for i, entry in enumerate(value)
            if isinstance(entry, str) and entry not in _PRESETS
        ]
        names = [entry if isinstance(entry, str) else entry.name for entry in value]
        check(problems or ebs.duplicate_tier_problems(HERE, names))
        return value

    @model_validator(mode="after")
    def _rules(self) -> StorageConfig:
        self._tiers = tuple(
            _PRESETS[entry]() if isinstance(entry, str) else entry.tier for entry in self.tier_entries
        )
        if self.kms_key_arn and self.driver is StorageDriver.ADDON:
            check(
                ebs.kms_key_user_problems(
                    f"{HERE}.kmsKeyArn with driver 'addon'", "kmsKeyUserRoleArns", has_users=bool(
                        self.kms_key_user_role_arns
                    )
                )
            )
        return self

    @property
    def tiers(self) -> tuple[VolumeTier, ...]:
        """The tiers as the ``VolumeTier`` values ``EbsStorage`` takes."""
        return self._tiers

    def options(self, scope: Construct) -> dict[str, Any]:
        """Keyword arguments for :class:`EbsStorage` (imports the key and roles into ``scope``, keyed by ARN)."""
        key = kms.Key.from_key_arn(scope, "StorageKmsKey", self.kms_key_arn) if self.kms_key_arn else None
        users = [
            iam.Role.from_role_arn(scope, f"StorageKmsKeyUser{hashlib.sha256(arn.encode()).hexdigest()[:8]}", arn)
            for arn in self.kms_key_user_role_arns
        ]
        return {
            "driver": self.driver.ebs_driver,
            "storage_class_name": self.storage_class_name,
            "default_class": self.default_class,
            "reclaim_policy": self.reclaim_policy,
            "tiers": list(self.tiers),
            "kms_key": key,
            "kms_key_users": users or None,
        }


def parse_storage_config(setting: str, raw: Any, problems: list[str]) -> StorageConfig | None:
    """Validate a ``storage`` object on its own; problems (each naming ``<setting>.<key>``) are appended."""
    config, found = section_problems(StorageConfig, raw, root=setting)
    problems += found
    return config
