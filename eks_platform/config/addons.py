"""cdk.json: the ``platform.addons`` section (add-on name -> settings), parsed into :class:`AddonSettings`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eks_platform._internal import addons as cat
from eks_platform._internal import validation as v
from eks_platform.constructs.addons import AddonName
from eks_platform.errors import ConfigError

#: What the reference stack installs when the ``addons`` section is absent.
DEFAULT_ADDONS: tuple[str, ...] = (
    AddonName.METRICS_SERVER.value,
    AddonName.KUBE_STATE_METRICS.value,
    AddonName.PROMETHEUS_NODE_EXPORTER.value,
    AddonName.CERT_MANAGER.value,
)
_SETTING_KEYS = ("version", "configuration", "hostedZoneIds", "cloudWatchLogGroupPrefix", "preserveOnDelete")
_PYTHON_NAMES = {
    "version": "version",
    "configuration": "configuration",
    "hosted_zone_ids": "hosted_zone_ids",
    "cloudwatch_log_group_prefix": "cloudwatch_log_group_prefix",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class AddonSettings:
    """One ``addons`` entry of the platform config (the add-on's name is the key).

    Args:
        version: explicit ``vX.Y.Z-eksbuild.N``. Default: - the catalog pin for the cluster's minor.
        configuration: ``ConfigurationValues`` as an object. Default: - none.
        hosted_zone_ids: Route 53 zones (external-dns: required; cert-manager: DNS-01 rights). Default: - none.
        cloudwatch_log_group_prefix: fluent-bit CloudWatch Logs rights. Default: - none.
        preserve_on_delete: keep the add-on's resources when it is removed. Default: - false.
    """

    version: str | None = None
    configuration: Mapping[str, Any] | None = None
    hosted_zone_ids: tuple[str, ...] = ()
    cloudwatch_log_group_prefix: str | None = None
    preserve_on_delete: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "hosted_zone_ids", v.as_tuple(self.hosted_zone_ids))
        problems = cat.settings_shape_problems(
            _PYTHON_NAMES,
            version=self.version,
            configuration=self.configuration,
            zones=self.hosted_zone_ids,
            prefix=self.cloudwatch_log_group_prefix,
        )
        if problems:
            raise ConfigError("InvalidAddonSettings", problems)

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


def parse_addons_config(setting: str, raw: Any, problems: list[str]) -> dict[str, AddonSettings]:
    """Parse ``platform.addons`` (add-on name -> settings object); append problems, never raise."""
    if not isinstance(raw, dict):
        problems.append(
            f"{setting} must be an object mapping add-on names to settings, e.g. {{\"metrics-server\": {{}}}}; got "
            f"{type(raw).__name__} {raw!r}"
        )
        return {}
    result: dict[str, AddonSettings] = {}
    for name, item in raw.items():
        where = f"{setting}.{name}"
        given_version = item.get("version") if isinstance(item, dict) else None
        unknown = cat.unknown_name_problem(name, version=given_version)
        if unknown:
            problems.append(f"{setting}: {unknown}")
            continue
        entry = cat.catalog().get(name) or cat.uncatalogued_entry(name)
        if item is None:
            item = {}
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object of settings ({', '.join(_SETTING_KEYS)}), got {item!r}")
            continue
        found: list[str] = v.unknown_keys(where, item.keys(), list(_SETTING_KEYS))
        version = item.get("version")
        configuration = item.get("configuration")
        found += cat.settings_shape_problems(
            {"version": f"{where}.version", "configuration": f"{where}.configuration"},
            version=version,
            configuration=configuration,
            zones=(),
            prefix=None,
        )
        zones = item.get("hostedZoneIds", [])
        if not isinstance(zones, list):
            found.append(f"{where}.hostedZoneIds must be a list of Route 53 hosted zone IDs, got {zones!r}")
            zones = []
        prefix = item.get("cloudWatchLogGroupPrefix")
        found += cat.iam_settings_problems(
            entry,
            zones_setting=f"{where}.hostedZoneIds",
            zones=zones,
            prefix_setting=f"{where}.cloudWatchLogGroupPrefix",
            prefix=prefix,
        )
        if "preserveOnDelete" in item:
            found += v.expect_type(f"{where}.preserveOnDelete", item["preserveOnDelete"], bool, "true or false")
        if found:
            problems += found
            continue
        result[name] = AddonSettings(
            version=version,
            configuration=configuration,
            hosted_zone_ids=tuple(zones),
            cloudwatch_log_group_prefix=prefix,
            preserve_on_delete=item.get("preserveOnDelete", False),
        )
    return result
