"""The ``platform`` object of ``cdk.json``: the top-level keys, parsed once into :class:`PlatformConfig`.

Every key has a documented default (see README "Configuration"). Parsing collects every problem and raises one
``ConfigError`` (code ``InvalidPlatformConfig``) listing them all with their setting names; unknown keys are
rejected with a did-you-mean suggestion, so typos never pass silently.

Sections (``podIdentities``, ``addons``, ``hybrid``, ``storage``, ``nodePools``, ``manifestDelivery``,
``capabilities``, ``ingress``, ``gitops``, ``teams``) are registered in ``_KEYS`` with their parsers from the sibling
modules; each parser takes ``(setting, raw, problems)`` and returns the typed value (appending to ``problems``
instead of raising).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from eks_platform._internal import cluster as cluster_rules
from eks_platform._internal import validation as v
from eks_platform._internal import zones as az
from eks_platform._internal.node_pools import built_in_node_pool_problems
from eks_platform._internal.versions import (
    SupportType,
    is_minor_version,
    minor_version_shape_problems,
    version_problems,
)
from eks_platform.config.addons import AddonSettings, default_addon_settings, parse_addons_config
from eks_platform.config.capabilities import CapabilitySettings, parse_capabilities_config
from eks_platform.config.delivery import parse_delivery_mode
from eks_platform.config.gitops import GitOpsSettings, parse_gitops_config
from eks_platform.config.hybrid import HybridConfig, parse_hybrid_config
from eks_platform.config.ingress import IngressSettings, parse_ingress_config
from eks_platform.config.node_pools import NodePoolsConfig, parse_node_pools_config
from eks_platform.config.pod_identity import PodIdentityBinding, parse_pod_identities_config
from eks_platform.config.storage import StorageConfig, parse_storage_config
from eks_platform.config.teams import TeamConfig, parse_teams_config
from eks_platform.constructs.capabilities import CapabilityType
from eks_platform.constructs.cluster import EndpointAccess
from eks_platform.constructs.manifests import DeliveryMode
from eks_platform.context import PLATFORM_CONTEXT_KEY
from eks_platform.errors import ConfigError

CONTEXT_KEY = PLATFORM_CONTEXT_KEY
PLACEHOLDER_ACCOUNT = "111111111111"
PLACEHOLDER_REGION = "us-east-1"

Parser = Callable[[str, Any, list[str]], Any]


# -- small parsers --------------------------------------------------------------------------------------------
def _str(setting: str, raw: Any, problems: list[str]) -> Any:
    problems += v.expect_type(setting, raw, str, "a string")
    return raw


def _bool(setting: str, raw: Any, problems: list[str]) -> Any:
    problems += v.expect_type(setting, raw, bool, "true or false")
    return raw


def _str_list(setting: str, raw: Any, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, list):
        problems.append(f"{setting} must be a list of strings, got {type(raw).__name__} {raw!r}")
        return ()
    for i, item in enumerate(raw):
        problems += v.expect_type(f"{setting}[{i}]", item, str, "a string")
    return tuple(item for item in raw if isinstance(item, str))


def _str_map(setting: str, raw: Any, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be an object of string values, got {type(raw).__name__} {raw!r}")
        return {}
    for key, value in raw.items():
        problems += v.expect_type(f"{setting}.{key}", value, str, "a string")
    return {k: val for k, val in raw.items() if isinstance(val, str)}


def _cluster_name(setting: str, raw: Any, problems: list[str]) -> Any:
    problems += v.eks_cluster_name(setting, raw)
    return raw


def _version(setting: str, raw: Any, problems: list[str]) -> Any:
    # Shape only; lifecycle (past end of extended support) is judged against the synth date by the cluster.
    problems += minor_version_shape_problems(setting, raw)
    return raw


def _cidr(setting: str, raw: Any, problems: list[str]) -> Any:
    problems += v.ipv4_cidr(setting, raw)
    return raw


def _cidr_list(setting: str, raw: Any, problems: list[str]) -> tuple[str, ...]:
    items = _str_list(setting, raw, problems)
    for i, item in enumerate(items):
        problems += v.ipv4_cidr(f"{setting}[{i}]", item)
    return items


def _principal_list(setting: str, raw: Any, problems: list[str]) -> tuple[str, ...]:
    items = _str_list(setting, raw, problems)
    for i, item in enumerate(items):
        problems += v.iam_principal_arn(f"{setting}[{i}]", item)
    return items


def _enum(enum_cls: type[Any]) -> Parser:
    def parse(setting: str, raw: Any, problems: list[str]) -> Any:
        found = v.one_of_problems(setting, raw, [m.value for m in enum_cls])
        if found:
            problems += found
            return None
        return enum_cls(raw)

    return parse


def _node_pools(setting: str, raw: Any, problems: list[str]) -> tuple[str, ...]:
    items = _str_list(setting, raw, problems)
    problems += built_in_node_pool_problems(setting, items)
    return items


def _account(setting: str, raw: Any, problems: list[str]) -> Any:
    problems += v.aws_account(setting, raw)
    return raw


def _region(setting: str, raw: Any, problems: list[str]) -> Any:
    problems += v.aws_region(setting, raw)
    return raw


def _nat(setting: str, raw: Any, problems: list[str]) -> Any:
    problems += cluster_rules.nat_gateway_problems(setting, raw)
    return raw


@dataclass(frozen=True, kw_only=True, slots=True)
class _Key:
    attr: str
    parse: Parser
    doc: str


# Context key -> (attribute, parser). Order is the README's order.
_KEYS: dict[str, _Key] = {
    "clusterName": _Key(attr="cluster_name", parse=_cluster_name, doc="EKS cluster name"),
    "kubernetesVersion": _Key(attr="kubernetes_version", parse=_version, doc="Kubernetes minor version"),
    "account": _Key(attr="account", parse=_account, doc="AWS account of the stacks"),
    "region": _Key(attr="region", parse=_region, doc="AWS region of the stacks"),
    "adminPrincipalArns": _Key(attr="admin_principal_arns", parse=_principal_list, doc="cluster admins"),
    "secretsKeyAdminArns": _Key(
        attr="secrets_key_admin_arns", parse=_principal_list, doc="who may disable or delete the secrets key"
    ),
    "endpointAccess": _Key(attr="endpoint_access", parse=_enum(EndpointAccess), doc="endpoint mode"),
    "endpointPublicCidrs": _Key(attr="endpoint_public_cidrs", parse=_cidr_list, doc="public endpoint CIDRs"),
    "allowPublicEndpointFromAnywhere": _Key(
        attr="allow_public_endpoint_from_anywhere", parse=_bool, doc="opt-in for 0.0.0.0/0"
    ),
    "builtInNodePools": _Key(attr="built_in_node_pools", parse=_node_pools, doc="Auto Mode built-in pools"),
    "vpcCidr": _Key(attr="vpc_cidr", parse=_cidr, doc="new VPC CIDR"),
    "availabilityZones": _Key(attr="availability_zones", parse=_str_list, doc="AZs of the new VPC"),
    "natGateways": _Key(attr="nat_gateways", parse=_nat, doc="NAT gateways"),
    "upgradeSupportType": _Key(attr="upgrade_support_type", parse=_enum(SupportType), doc="upgrade policy"),
    "deletionProtection": _Key(attr="deletion_protection", parse=_bool, doc="EKS deletion protection"),
    "zonalShift": _Key(attr="zonal_shift", parse=_bool, doc="ARC zonal shift"),
    "tags": _Key(attr="tags", parse=_str_map, doc="tags on every resource"),
    # EKS Hybrid Nodes; present -> the app adds the EksPlatformHybrid stack (see README "Hybrid nodes")
    "hybrid": _Key(attr="hybrid", parse=parse_hybrid_config, doc="EKS Hybrid Nodes (second reference stack)"),
    # Kubernetes objects through cdk8s (see README "Kubernetes objects (storage, node pools)")
    "manifestDelivery": _Key(
        attr="manifest_delivery",
        parse=parse_delivery_mode,
        doc="apply charts (kubectl provider), hand-over (the step between), or render-only",
    ),
    "storage": _Key(attr="storage", parse=parse_storage_config, doc="gp3 StorageClass and VolumeAttributesClass tiers"),
    "nodePools": _Key(
        attr="node_pools", parse=parse_node_pools_config, doc="custom Auto Mode NodeClasses and NodePools"
    ),
    # EKS Pod Identity bindings (see README "Pod Identity")
    "podIdentities": _Key(
        attr="pod_identities", parse=parse_pod_identities_config, doc="Pod Identity bindings (service account -> role)"
    ),
    # EKS add-on catalog (see README "Add-on catalog")
    "addons": _Key(attr="addons", parse=parse_addons_config, doc="EKS add-ons to install (name -> settings)"),
    # Application teams (see README "Application teams on a shared cluster")
    "teams": _Key(attr="teams", parse=parse_teams_config, doc="teams: namespace, scoped access, quotas"),
    # GitOps and app-ready clusters (see README "GitOps and app-ready clusters")
    "capabilities": _Key(
        attr="capabilities", parse=parse_capabilities_config, doc="EKS Capabilities: managed Argo CD, ACK, kro"
    ),
    "ingress": _Key(attr="ingress", parse=parse_ingress_config, doc="Auto Mode ALB IngressClass (internal by default)"),
    "gitops": _Key(
        attr="gitops", parse=parse_gitops_config, doc="manifests folder and the Argo CD Application that syncs it"
    ),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class PlatformConfig:
    """The reference platform's settings. Build with :func:`parse_platform_config`; defaults documented per field."""

    cluster_name: str = "eks-platform"
    """EKS cluster name. Changing it replaces the cluster."""
    kubernetes_version: str = "1.32"
    account: str = PLACEHOLDER_ACCOUNT
    """Default: ``CDK_DEFAULT_ACCOUNT`` or the placeholder 111111111111 (synth needs no credentials)."""
    region: str = PLACEHOLDER_REGION
    """Default: ``CDK_DEFAULT_REGION`` or us-east-1."""
    admin_principal_arns: tuple[str, ...] = ()
    secrets_key_admin_arns: tuple[str, ...] = ()
    """Principals allowed to disable the secrets key or schedule its deletion. Default: - none (see README)."""
    endpoint_access: EndpointAccess | None = None
    endpoint_public_cidrs: tuple[str, ...] = ()
    allow_public_endpoint_from_anywhere: bool = False
    built_in_node_pools: tuple[str, ...] = ("system", "general-purpose")
    vpc_cidr: str = "10.0.0.0/16"
    availability_zones: tuple[str, ...] | None = None
    nat_gateways: int = 3
    upgrade_support_type: SupportType | None = None
    deletion_protection: bool = True
    zonal_shift: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    # -- sections with their own parser modules ----------------------------------------------------------------
    hybrid: HybridConfig | None = None
    """EKS Hybrid Nodes settings; when present the reference app adds a second stack with hybrid nodes."""
    manifest_delivery: DeliveryMode = DeliveryMode.APPLY
    """How charts reach the cluster: ``apply`` (kubectl provider, one custom resource per object), ``hand-over``
    (apply, every custom resource retained: the one-deployment step between the other two) or ``render-only`` (YAML
    under cdk.out/manifests/ only, no Lambda). All write the YAML."""
    storage: StorageConfig | None = None
    """gp3 StorageClass, VolumeAttributesClass tiers and KMS key; absent -> no storage objects."""
    node_pools: NodePoolsConfig | None = None
    """Custom Auto Mode NodeClasses and NodePools; absent -> only the built-in pools."""
    pod_identities: tuple[PodIdentityBinding, ...] = ()
    """Pod Identity bindings; each becomes an ``AWS::EKS::PodIdentityAssociation`` with a scoped role."""
    addons: Mapping[str, AddonSettings] = field(default_factory=default_addon_settings)
    """EKS add-ons by name. Default: - metrics-server, kube-state-metrics, prometheus-node-exporter, cert-manager."""
    teams: tuple[TeamConfig, ...] = ()
    """Application teams: a namespace each, namespace-scoped access entries, Pod Identity, ResourceQuota/LimitRange."""
    capabilities: tuple[CapabilitySettings, ...] = ()
    """EKS Capabilities by name; each is an ``AWS::EKS::Capability`` with its own scoped role. Default: - none."""
    ingress: IngressSettings | None = None
    """The Auto Mode ALB IngressClass; absent -> none."""
    gitops: GitOpsSettings | None = None
    """Where the manifests are written and the Argo CD Application; absent -> ``cdk.out/manifests``, no Application."""


def parse_platform_config(
    raw: Any, *, environ: Mapping[str, str] | None = None, today: dt.date | None = None
) -> PlatformConfig:
    """Parse the ``platform`` context object (a dict from ``cdk.json``) into a :class:`PlatformConfig`.

    Args:
        raw: the ``platform`` context value.
        environ: where ``CDK_DEFAULT_ACCOUNT``/``CDK_DEFAULT_REGION`` are read. Default: - ``os.environ``.
        today: the synth date; when given, a version past the end of EKS extended support is reported here too.

    Raises:
        ConfigError: ``InvalidPlatformConfig`` listing every problem, each naming its setting.
    """
    env = os.environ if environ is None else environ
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(
            "InvalidPlatformConfig",
            f"context '{CONTEXT_KEY}' must be a JSON object, got {type(raw).__name__}",
            path=CONTEXT_KEY,
        )
    problems: list[str] = v.unknown_keys(CONTEXT_KEY, raw.keys(), list(_KEYS))
    values: dict[str, Any] = {}
    for key, spec in _KEYS.items():
        if key in raw and raw[key] is not None:
            values[spec.attr] = spec.parse(f"{CONTEXT_KEY}.{key}", raw[key], problems)
    problems += cluster_rules.public_anywhere_problems(
        f"{CONTEXT_KEY}.endpointPublicCidrs",
        values.get("endpoint_public_cidrs", ()),
        allowed=values.get("allow_public_endpoint_from_anywhere") is True,
        opt_in=f"{CONTEXT_KEY}.allowPublicEndpointFromAnywhere to true",
    )
    problems += _gitops_problems(values)
    version = values.get("kubernetes_version", _field_default("kubernetes_version"))
    if today is not None and is_minor_version(version):
        problems += version_problems(f"{CONTEXT_KEY}.kubernetesVersion", version, today=today)
    values.setdefault("account", env.get("CDK_DEFAULT_ACCOUNT") or PLACEHOLDER_ACCOUNT)
    values.setdefault("region", env.get("CDK_DEFAULT_REGION") or PLACEHOLDER_REGION)
    if values.get("availability_zones") is not None:
        problems += az.zone_problems(
            f"{CONTEXT_KEY}.availabilityZones", values["region"], list(values["availability_zones"])
        )
    if problems:
        raise ConfigError("InvalidPlatformConfig", problems, path=CONTEXT_KEY)
    return PlatformConfig(**values)


def _gitops_problems(values: Mapping[str, Any]) -> list[str]:
    """The Argo CD Application needs exactly one Argo CD capability to register with."""
    gitops = values.get("gitops")
    if gitops is None or gitops.application is None:
        return []
    argocd = [c.name for c in values.get("capabilities", ()) if c.capability_type is CapabilityType.ARGOCD]
    if len(argocd) == 1:
        return []
    found = f"found {', '.join(argocd)}" if argocd else "found none"
    return [
        f"{CONTEXT_KEY}.gitops.application needs exactly one capability of type ARGOCD in "
        f"{CONTEXT_KEY}.capabilities ({found}); the Application is created in that Argo CD"
    ]


def _field_default(name: str) -> Any:
    """A ``PlatformConfig`` field's default (a slots dataclass has no class attribute holding it)."""
    return next(f.default for f in fields(PlatformConfig) if f.name == name)


def context_keys() -> dict[str, str]:
    """Every recognised key of the ``platform`` object with its one-line description (used by docs and tests)."""
    return {key: spec.doc for key, spec in _KEYS.items()}
