"""The ``platform`` object of ``cdk.json``: the top-level keys, validated once into :class:`PlatformConfig`.

Every key has a documented default (see README "Configuration"). Validation collects every problem and raises one
``ConfigError`` (code ``InvalidPlatformConfig``) listing them all, each naming its cdk.json path; unknown keys are
rejected with a did-you-mean suggestion, so typos never pass silently. The sections (``podIdentities``, ``addons``,
``hybrid``, ``storage``, ``nodePools``) have their models in the sibling modules.

``cdk synth -c platform='{...}'`` passes the object as a string: a string is parsed as JSON first.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator

from eks_platform._internal import cluster as cluster_rules
from eks_platform._internal import fleet as fleet_rules
from eks_platform._internal import validation as v
from eks_platform._internal import zones as az
from eks_platform._internal.node_pools import built_in_node_pool_problems, default_node_class_problems
from eks_platform._internal.pod_identity import ADDON_TAG_KEY_MAX, ADDON_TAG_VALUE_MAX
from eks_platform._internal.tags import aws_tag_problems
from eks_platform._internal.versions import SupportType, minor_version_shape_problems, version_problems
from eks_platform.config._base import HERE, PARENT, ConfigModel, check, ruled, validate
from eks_platform.config.addons import AddonSettings, addons_problems, default_addon_settings
from eks_platform.config.capabilities import SECTION_SHAPE as CAPABILITIES_SHAPE
from eks_platform.config.capabilities import (
    CapabilityEntry,
    CapabilitySettings,
    capability_name_problems,
    capability_settings,
)
from eks_platform.config.gitops import GitOpsSettings
from eks_platform.config.hybrid import HybridConfig
from eks_platform.config.ingress import IngressSettings
from eks_platform.config.node_pools import NodePoolsConfig
from eks_platform.config.pod_identity import PodIdentityBinding, duplicate_binding_problems
from eks_platform.config.storage import StorageConfig
from eks_platform.config.teams import SECTION_SHAPE as TEAMS_SHAPE
from eks_platform.config.teams import TeamConfig, TeamSettings, team_configs, team_problems
from eks_platform.constructs.capabilities import CapabilityType
from eks_platform.constructs.cluster import EndpointAccess
from eks_platform.constructs.manifests import DeliveryMode
from eks_platform.context import PLATFORM_CONTEXT_KEY
from eks_platform.errors import ConfigError

CONTEXT_KEY = PLATFORM_CONTEXT_KEY
PLACEHOLDER_ACCOUNT = "111111111111"
PLACEHOLDER_REGION = "us-east-1"


def _setting(
    default: Any, meaning: str, *, shown: str | None = None, validate_default: bool = False, alias: str | None = None
) -> Any:
    """A top-level key: its default, the README's meaning (the JSON Schema's description) and the default as shown.

    ``shown`` is the README's Default column when the default is a behaviour rather than a value.
    """
    text = shown if shown is not None else f"`{json.dumps(default)}`"
    factory = default if callable(default) else None
    kwargs: dict[str, Any] = {"default_factory": factory} if factory else {"default": default}
    if isinstance(default, dict | list):
        kwargs = {"default_factory": lambda: type(default)(default)}
    return Field(
        **kwargs,
        alias=alias,
        description=meaning,
        validate_default=validate_default,
        json_schema_extra={"defaultText": text},
    )


def _each(rule: Any, values: tuple[str, ...]) -> list[str]:
    return [p for i, item in enumerate(values) for p in rule(f"{HERE}[{i}]", item)]


class PlatformConfig(ConfigModel):
    """The reference platform's settings: the ``platform`` object of ``cdk.json``.

    Build it with :func:`parse_platform_config`; each field's description is the README's.
    """

    shape_hints: ClassVar[dict[str, str]] = {
        "capabilities": CAPABILITIES_SHAPE,
        "teams": TEAMS_SHAPE,
        "ingress": "an object (use {} for an internal 'alb' class)",
    }

    cluster_name: Annotated[str, ruled(v.eks_cluster_name)] = _setting(
        "eks-platform",
        "EKS cluster name (1-100 chars, `^[0-9A-Za-z][A-Za-z0-9_-]*$`). Changing it replaces the cluster.",
    )
    kubernetes_version: str = _setting(
        "1.32",
        'Kubernetes minor, `"1.29"` to `"1.36"` in the table; versions past end of extended support are rejected.',
        validate_default=True,
    )
    account: Annotated[str, ruled(v.aws_account)] = _setting(
        PLACEHOLDER_ACCOUNT,
        "Account of the stacks (the placeholder lets synth run without credentials).",
        shown="`CDK_DEFAULT_ACCOUNT`, else `111111111111`",
    )
    region: Annotated[str, ruled(v.aws_region)] = _setting(
        PLACEHOLDER_REGION, "Region of the stacks.", shown="`CDK_DEFAULT_REGION`, else `us-east-1`"
    )
    admin_principal_arns: tuple[str, ...] = _setting(
        (), "IAM role/user ARNs given cluster admin through access entries. Nobody else is admin."
    )
    secrets_key_admin_arns: tuple[str, ...] = _setting(
        (),
        "IAM role/user ARNs allowed to disable the secrets key or schedule its deletion (nobody else may).",
    )
    endpoint_access: EndpointAccess | None = _setting(
        None,
        "`private`, `public-and-private` or `public`.",
        shown='`"private"`, or `"public-and-private"` when CIDRs are given',
    )
    endpoint_public_cidrs: tuple[str, ...] = _setting((), "IPv4 CIDRs allowed to reach a public endpoint.")
    allow_public_endpoint_from_anywhere: bool = _setting(
        False, "Explicit opt-in needed for `0.0.0.0/0`; also raises a warning.", validate_default=True
    )
    built_in_node_pools: Annotated[tuple[str, ...], ruled(built_in_node_pool_problems)] = _setting(
        ("system", "general-purpose"), "Auto Mode built-in pools (a subset, or `[]`)."
    )
    vpc_cidr: Annotated[str, ruled(v.ipv4_cidr)] = _setting("10.0.0.0/16", "CIDR of the new VPC.")
    availability_zones: tuple[str, ...] | None = _setting(
        None,
        "AZs of the new VPC (at least two), as names of the stack's region or as AZ IDs (the same physical zones in "
        "every account; the subnets set `AvailabilityZoneId`); synth never looks them up. EKS refuses cluster "
        "subnets in `use1-az3` (us-east-1), `usw1-az2` (us-west-1) and `cac1-az3` (ca-central-1), and which AZ "
        "*name* maps to them differs per account: in those regions set AZ IDs (synth warns when unset, and refuses "
        "the three). Changing it replaces the subnets.",
        shown="first three AZs of the region, resolved at deploy time (reference `cdk.json`: "
        '`["use1-az1", "use1-az2", "use1-az4"]`)',
        validate_default=True,
    )
    nat_gateways: int = _setting(3, "NAT gateways of the new VPC (0 to 3).")
    upgrade_support_type: SupportType | None = _setting(
        None, '`STANDARD` or `EXTENDED`; see "Version lifecycle".', shown="chosen from the version table"
    )
    deletion_protection: bool = _setting(True, "EKS deletion protection.")
    zonal_shift: bool = _setting(False, "ARC zonal shift for the cluster.")
    tags: dict[str, str] = _setting({}, "Tags on every resource of the stack.")
    hybrid: HybridConfig | None = _setting(
        None,
        'EKS Hybrid Nodes: when present the app also builds `EksPlatformHybrid`; see "Hybrid nodes".',
        shown="absent",
    )
    manifest_delivery: DeliveryMode = _setting(
        DeliveryMode.APPLY,
        "`apply`: cdk8s charts go through the kubectl provider, one custom resource per object; `hand-over`: apply, "
        "every custom resource retained (the one-deployment step between the other two); `render-only`: only the "
        "YAML in `cdk.out/manifests/<cluster>/`, no Lambda. All write the YAML; see \"Kubernetes objects (storage, "
        'node pools)".',
    )
    storage: StorageConfig | None = _setting(
        None,
        "gp3 StorageClass, VolumeAttributesClass tiers (`standard`, `fast`, `max` or objects) and KMS key; see "
        '"Kubernetes objects (storage, node pools)".',
        shown="absent (reference: default gp3 class, `standard` and `fast` tiers)",
    )
    node_pools: NodePoolsConfig | None = _setting(
        None,
        'Custom Auto Mode NodeClasses and NodePools by name, and their node role; see "Kubernetes objects (storage, '
        'node pools)".',
        shown="absent (reference: one spot arm64 pool tainted for batch)",
    )
    pod_identities: tuple[PodIdentityBinding, ...] = _setting(
        (), 'Pod Identity bindings (service account -> scoped role); see "Pod Identity".'
    )
    addons: dict[str, AddonSettings] = _setting(
        default_addon_settings,
        'EKS add-ons by name, each with optional settings; see "Add-on catalog".',
        shown="metrics-server, kube-state-metrics, prometheus-node-exporter, cert-manager",
    )
    capability_entries: dict[str, CapabilityEntry] = _setting(
        {},
        'EKS Capabilities by name: `{"<name>": {"type": "ARGOCD"|"ACK"|"KRO", ...}}`; Argo CD needs `identityCenter` '
        "and `roleMappings`. See \"GitOps and app-ready clusters\".",
        shown="absent",
        alias="capabilities",
    )
    ingress: IngressSettings | None = _setting(
        None, "The Auto Mode ALB IngressClass (`{}` is an internal class `alb`).", shown="absent"
    )
    team_settings: dict[str, TeamSettings | None] = _setting(
        {},
        "Application teams by name: a namespace each, namespace-scoped access entries, Pod Identity, ResourceQuota "
        'and LimitRange; see "Application teams on a shared cluster".',
        shown="absent",
        alias="teams",
    )
    gitops: GitOpsSettings | None = _setting(
        None,
        "The folder the YAML goes to (one sub-folder per cluster and stage) and the Argo CD Application that syncs "
        "it (needs an `ARGOCD` capability).",
        shown="absent (YAML in `cdk.out/manifests`)",
    )

    @field_validator("kubernetes_version", mode="before")
    @classmethod
    def _version(cls, value: Any, info: ValidationInfo) -> Any:
        check(minor_version_shape_problems(HERE, value))
        today = (info.context or {}).get("today")
        if today is not None:  # lifecycle: past the end of EKS extended support on the synth date
            check(version_problems(HERE, value, today=today))
        return value

    @field_validator("admin_principal_arns")
    @classmethod
    def _admins(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        region = (info.context or {}).get("region")
        check(
            _each(v.iam_principal_arn, value)
            + _each(lambda setting, arn: v.arn_partition_problems(setting, arn, region), value)
        )
        return value

    @field_validator("secrets_key_admin_arns")
    @classmethod
    def _key_admins(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        region = (info.context or {}).get("region")
        check(
            _each(v.iam_principal_arn, value)
            + _each(lambda setting, arn: v.arn_partition_problems(setting, arn, region), value)
        )
        return value

    @field_validator("endpoint_public_cidrs")
    @classmethod
    def _public_cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check(_each(v.ipv4_cidr, value))
        return value

    @field_validator("availability_zones")
    @classmethod
    def _zones(cls, value: tuple[str, ...] | None, info: ValidationInfo) -> tuple[str, ...] | None:
        # the zones, and the VPC CIDR against the subnets carved in them (vpcCidr is validated before this)
        context = info.context or {}
        region = context.get("region", info.data.get("region"))
        problems = cluster_rules.availability_zone_problems(HERE, value, region)  # names of the region
        if value is not None and isinstance(region, str) and not v.aws_region("region", region):
            # AZ IDs of another region (any region)
            ids = [zone for zone in value if az.is_az_id(zone)]
            foreign = fleet_rules.zones_of_region_problems(
                HERE, region, ids, inherited_from=context.get("zones_inherited_from")
            )
            # then the zones EKS refuses in some regions (which also names a foreign ID: reported once, above)
            problems += foreign or az.zone_problems(HERE, region, list(value))
        zone_count = len(set(value)) if value else cluster_rules.DEFAULT_ZONE_COUNT
        if "vpc_cidr" in info.data:
            problems += cluster_rules.vpc_size_problems(f"{PARENT}.vpcCidr", info.data["vpc_cidr"], zone_count)
        check(problems)
        return value

    @field_validator("nat_gateways", mode="before")
    @classmethod
    def _nat(cls, value: Any) -> Any:
        check(cluster_rules.nat_gateway_problems(HERE, value))
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        # The stack's tags go on every resource, the EKS add-ons included, whose tags are stricter than the AWS
        # rules: keys of 1-127 and values of 1-255 characters (CloudFormation schema of AWS::EKS::Addon, Tag).
        # See: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-eks-addon-tag.html
        general = aws_tag_problems(HERE, value)
        strict = aws_tag_problems(
            HERE, value, key_max=ADDON_TAG_KEY_MAX, value_max=ADDON_TAG_VALUE_MAX, value_min=1
        )
        check(general + [
            f"{problem}: these tags also go on every EKS add-on, whose tags (AWS::EKS::Addon) allow keys of 1 to "
            f"{ADDON_TAG_KEY_MAX} and values of 1 to {ADDON_TAG_VALUE_MAX} characters"
            for problem in strict
            if problem not in general
        ])
        return value

    @field_validator("node_pools")
    @classmethod
    def _default_node_class(cls, value: NodePoolsConfig | None, info: ValidationInfo) -> NodePoolsConfig | None:
        built_in = info.data.get("built_in_node_pools", ("system",))  # absent when that key failed its own rules
        if value is not None:
            check([
                problem
                for name, pool in value.pool_settings.items()
                for problem in default_node_class_problems(f"{HERE}.pools.{name}.nodeClass", pool.node_class, built_in)
            ])
        return value

    @field_validator("gitops")
    @classmethod
    def _application_needs_argocd(cls, value: GitOpsSettings | None, info: ValidationInfo) -> GitOpsSettings | None:
        """The Argo CD Application needs exactly one Argo CD capability to register with."""
        if value is None or value.application is None or "capability_entries" not in info.data:
            return value
        entries = info.data["capability_entries"]
        argocd = [name for name, entry in entries.items() if entry.type == CapabilityType.ARGOCD.value]
        if len(argocd) != 1:
            found = f"found {', '.join(argocd)}" if argocd else "found none"
            check([
                f"{HERE}.application needs exactly one capability of type ARGOCD in {PARENT}.capabilities "
                f"({found}); the Application is created in that Argo CD"
            ])
        return value

    @field_validator("team_settings")
    @classmethod
    def _teams(cls, value: dict[str, TeamSettings | None]) -> dict[str, TeamSettings | None]:
        check(team_problems(value))
        return value

    @property
    def teams(self) -> tuple[TeamConfig, ...]:
        """The application teams (``teams``), in declaration order, as the reference stack builds them."""
        return team_configs(self.team_settings)

    @field_validator("capability_entries")
    @classmethod
    def _capability_names(cls, value: dict[str, CapabilityEntry]) -> dict[str, CapabilityEntry]:
        check(capability_name_problems(value))
        return value

    @property
    def capabilities(self) -> tuple[CapabilitySettings, ...]:
        """The EKS Capabilities (``capabilities``), in declaration order, as the reference stack builds them."""
        return capability_settings(self.capability_entries)

    @field_validator("pod_identities")
    @classmethod
    def _bindings(cls, value: tuple[PodIdentityBinding, ...]) -> tuple[PodIdentityBinding, ...]:
        check(duplicate_binding_problems(value))
        return value

    @field_validator("addons")
    @classmethod
    def _addons(cls, value: dict[str, AddonSettings]) -> dict[str, AddonSettings]:
        check(addons_problems(value))
        return value

    @field_validator("allow_public_endpoint_from_anywhere")
    @classmethod
    def _public_anywhere(cls, value: bool, info: ValidationInfo) -> bool:
        # judged here (not after the whole model) so it is reported together with every other problem
        check(
            cluster_rules.public_anywhere_problems(
                f"{PARENT}.endpointPublicCidrs",
                info.data.get("endpoint_public_cidrs", ()),
                allowed=value,
                opt_in=f"{HERE} to true",
            )
        )
        return value


def parse_platform_config(
    raw: Any,
    *,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    setting: str = CONTEXT_KEY,
    zones_inherited_from: str | None = None,
) -> PlatformConfig:
    """Validate the ``platform`` context value into a :class:`PlatformConfig`.

    Args:
        raw: the ``platform`` context value: an object from ``cdk.json``, or a JSON string from
            ``cdk synth -c platform='{...}'``.
        environ: where ``CDK_DEFAULT_ACCOUNT``/``CDK_DEFAULT_REGION`` are read. Default: - ``os.environ``.
        today: the synth date; when given, a version past the end of EKS extended support is reported here too.
        setting: the path the object is written at, which every problem names. Default: - ``platform``; an
            environment of a fleet is parsed at ``platform.environments.<name>``.
        zones_inherited_from: where ``availabilityZones`` came from when the object inherited it (an environment
            of a fleet), named by a problem about zones of another region. Default: - the object sets them.

    Raises:
        ConfigError: ``InvalidPlatformConfig`` listing every problem, each naming its cdk.json path.
    """
    env = os.environ if environ is None else environ
    raw = context_object(raw, setting)
    defaults = {
        "account": env.get("CDK_DEFAULT_ACCOUNT") or PLACEHOLDER_ACCOUNT,
        "region": env.get("CDK_DEFAULT_REGION") or PLACEHOLDER_REGION,
    }
    region = raw.get("region", defaults["region"])  # the stacks' region: ARNs must be of its partition
    region = region if isinstance(region, str) else None  # a wrong type is reported by the region rule
    context = {"today": today, "region": region, "zones_inherited_from": zones_inherited_from}
    config = validate(PlatformConfig, raw, root=setting, context=context)
    missing = {name: value for name, value in defaults.items() if name not in raw}
    return config.model_copy(update=missing) if missing else config


def context_object(raw: Any, setting: str = CONTEXT_KEY) -> dict[str, Any]:
    """The ``platform`` context value as an object: ``None`` is ``{}``, a string is parsed as JSON (``-c``)."""
    if raw is None:
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as error:
            raise ConfigError(
                "InvalidPlatformConfig",
                f"context '{CONTEXT_KEY}' is a string that is not JSON ({error}); pass an object, e.g. "
                f"cdk synth -c {CONTEXT_KEY}='{{\"clusterName\": \"dev\"}}', got {raw[:200]!r}",
                path=CONTEXT_KEY,
            ) from None
    if not isinstance(raw, dict):
        raise ConfigError(
            "InvalidPlatformConfig",
            f"context '{setting}' must be a JSON object, got {type(raw).__name__} {raw!r}"[:400],
            path=setting,
        )
    return raw
