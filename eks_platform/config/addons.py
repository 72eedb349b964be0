"""cdk.json: the ``platform.addons`` section (add-on name -> settings), validated into :class:`AddonSettings`."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from eks_platform._internal import addons as cat
from eks_platform.config._base import HERE, ConfigModel, check
from eks_platform.constructs.addons import AddonName

#: What the reference stack installs when the ``addons`` section is absent.
DEFAULT_ADDONS: tuple[str, ...] = (
    AddonName.METRICS_SERVER.value,
    AddonName.KUBE_STATE_METRICS.value,
    AddonName.PROMETHEUS_NODE_EXPORTER.value,
    AddonName.CERT_MANAGER.value,
)


class AddonSettings(ConfigModel):
    """One ``addons`` entry of the platform config (the add-on's name is the key).

    Args:
        version: explicit ``vX.Y.Z-eksbuild.N``. Default: - the catalog pin for the cluster's minor.
        configuration: ``ConfigurationValues`` as an object. Default: - none.
        hosted_zone_ids: Route 53 zones (external-dns: required; cert-manager: DNS-01 rights). Default: - none.
        cloudwatch_log_group_prefix: fluent-bit CloudWatch Logs rights. Default: - none.
        preserve_on_delete: keep the add-on's resources when it is removed. Default: - false.
    """

    version: str | None = Field(
        default=None, description="Explicit add-on version vX.Y.Z-eksbuild.N. Default: the catalog pin."
    )
    configuration: dict[str, Any] | None = Field(
        default=None, description="The add-on's ConfigurationValues as an object. Default: none."
    )
    hosted_zone_ids: tuple[str, ...] = Field(
        default=(), description="Route 53 hosted zone IDs (external-dns: required; cert-manager: DNS-01 rights)."
    )
    cloudwatch_log_group_prefix: str | None = Field(
        default=None, alias="cloudWatchLogGroupPrefix", description="fluent-bit: CloudWatch Logs group name prefix."
    )
    preserve_on_delete: bool = Field(default=False, description="Keep the add-on's resources when it is removed.")

    @model_validator(mode="after")
    def _shape(self) -> AddonSettings:
        check(
            cat.settings_shape_problems(
                {
                    "version": f"{HERE}.version",
                    "configuration": f"{HERE}.configuration",
                    "hosted_zone_ids": f"{HERE}.hostedZoneIds",
                    "cloudwatch_log_group_prefix": f"{HERE}.cloudWatchLogGroupPrefix",
                },
                version=self.version,
                configuration=self.configuration,
                zones=self.hosted_zone_ids,
                prefix=self.cloudwatch_log_group_prefix,
            )
        )
        return self

    def options(self) -> dict[str, Any]:
        """Keyword arguments for ``AutoModeCluster.add_addon``."""
        return {
            "version": self.version,
            "configuration": self.configuration,
            "hosted_zone_ids": self.hosted_zone_ids or None,
            "cloudwatch_log_group_prefix": self.cloudwatch_log_group_prefix,
            "preserve_on_delete": self.preserve_on_delete or None,
        }


def default_addon_settings() -> dict[str, AddonSettings]:
    return {name: AddonSettings() for name in DEFAULT_ADDONS}


def addons_problems(addons: dict[str, AddonSettings]) -> list[str]:
    """The catalog's rules for the ``addons`` mapping: known names, and which add-on takes zones or a prefix."""
    problems: list[str] = []
    for name, settings in addons.items():
        unknown = cat.unknown_name_problem(name, version=settings.version)
        if unknown:
            problems.append(f"{HERE}: {unknown}")
            continue
        problems += cat.iam_settings_problems(
            cat.catalog().get(name) or cat.uncatalogued_entry(name),
            zones_setting=f"{HERE}.{name}.hostedZoneIds",
            zones=settings.hosted_zone_ids,
            prefix_setting=f"{HERE}.{name}.cloudWatchLogGroupPrefix",
            prefix=settings.cloudwatch_log_group_prefix,
        )
    return problems

