"""Custom EKS Auto Mode capacity: ``NodeClass`` (``eks.amazonaws.com/v1``) and ``NodePool`` (``karpenter.sh/v1``).

Two layers:

- value objects (:class:`NodeClassSpec`, :class:`NodePoolSpec`, :class:`Taint`, ...) that validate themselves, and
  cdk8s constructs (:class:`NodeClass`, :class:`NodePool`) that render them into any chart;
- :class:`AutoModeNodePools`, a CDK construct that owns the node IAM role (with the ``EC2`` access entry and
  ``AmazonEKSAutoNodePolicy``), builds one chart with the classes and pools, and delivers it so that CloudFormation
  deletes the NodeClasses *before* the role: deleting a NodeClass makes Auto Mode drain its nodes and delete the
  instance profile it created for the role, and only then can IAM delete the role. Without that order,
  ``cdk destroy`` fails with "Cannot delete entity, must remove roles from instance profile first"
  (aws/aws-cdk#37189).

See: https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html
See: https://docs.aws.amazon.com/eks/latest/userguide/create-node-pool.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import aws_cdk as cdk
import cdk8s
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from eks_platform._internal import k8s_api
from eks_platform._internal import validation as v
from eks_platform.constructs.manifests import DeliveryMode, ManifestDelivery, PlatformChart
from eks_platform.errors import ConfigError, raise_if_problems

NODE_CLASS_API_VERSION = "eks.amazonaws.com/v1"
NODE_POOL_API_VERSION = "karpenter.sh/v1"
#: The built-in NodeClass of Auto Mode (present while the built-in node pools are enabled).
BUILT_IN_NODE_CLASS = "default"
#: EKS caps a node's lifetime at 21 days; a longer ``expireAfter`` never takes effect.
MAX_EXPIRE_AFTER_SECONDS = 21 * 24 * 3600
#: Tag this library puts on subnets it selects for node classes that name none.
SUBNET_DISCOVERY_TAG = "eks-platform.io/auto-mode-nodes"
#: Tag EKS puts on the cluster security group it creates (the built-in NodeClass uses that group).
CLUSTER_SECURITY_GROUP_TAG = "aws:eks:cluster-name"

# EKS Auto Mode supported instance reference (automode-learn-instances.adoc): the category is the part of the
# instance family before the generation number.
INSTANCE_CATEGORIES: tuple[str, ...] = (
    "c",
    "m",
    "r",
    "t",
    "x",
    "z",
    "i",
    "d",
    "im",
    "is",
    "p",
    "g",
    "gr",
    "inf",
    "trn",
    "hpc",
)
_RESTRICTED_LABEL_DOMAINS = ("kubernetes.io", "k8s.io", "karpenter.sh")
_LABEL_DOMAIN_EXCEPTIONS = (
    "kops.k8s.io",
    "node.kubernetes.io",
    "node-restriction.kubernetes.io",
    "node-role.kubernetes.io",
)
_RESTRICTED_LABELS = ("kubernetes.io/hostname", "karpenter.sh/nodepool")
_UNSUPPORTED_ON_AUTO_MODE = ("kubernetes.io/os", "node.kubernetes.io/windows-build")
_NODE_CLASS_RESTRICTED_TAGS = (
    "karpenter.sh/provisioner-name",
    "karpenter.sh/nodepool",
    "karpenter.sh/nodeclaim",
    "karpenter.sh/managed-by",
    "eks.amazonaws.com/nodeclass",
)
_SUBNET_ID = re.compile(r"^subnet-[0-9a-z]+$")
_SG_ID = re.compile(r"^sg-[0-9a-z]+$")
_IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_BUDGET_NODES = re.compile(r"^((100|[0-9]{1,2})%|[0-9]+)$")
_BUDGET_DURATION = re.compile(r"^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$")
_BUDGET_SCHEDULE = re.compile(
    r"^(@(annually|yearly|monthly|weekly|daily|midnight|hourly))|((.+)\s(.+)\s(.+)\s(.+)\s(.+))$"
)
_EPHEMERAL_SIZE = re.compile(r"^([0-9]+)(Gi|G|Ti|T)$")
_EPHEMERAL_MAX = {"Gi": 59000, "G": 64000, "Ti": 58, "T": 64}


class Architecture(str, Enum):
    """``kubernetes.io/arch`` values Auto Mode launches."""

    AMD64 = "amd64"
    ARM64 = "arm64"


class CapacityType(str, Enum):
    """``karpenter.sh/capacity-type``."""

    SPOT = "spot"
    ON_DEMAND = "on-demand"


class TaintEffect(str, Enum):
    NO_SCHEDULE = "NoSchedule"
    PREFER_NO_SCHEDULE = "PreferNoSchedule"
    NO_EXECUTE = "NoExecute"


class ConsolidationPolicy(str, Enum):
    WHEN_EMPTY = "WhenEmpty"
    WHEN_EMPTY_OR_UNDERUTILIZED = "WhenEmptyOrUnderutilized"


class DisruptionReason(str, Enum):
    UNDERUTILIZED = "Underutilized"
    EMPTY = "Empty"
    DRIFTED = "Drifted"


class RequirementOperator(str, Enum):
    """NodePool requirement operators."""

    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"
    GT = "Gt"
    LT = "Lt"


class SnatPolicy(str, Enum):
    RANDOM = "Random"
    DISABLED = "Disabled"


class NetworkPolicyDefault(str, Enum):
    DEFAULT_ALLOW = "DefaultAllow"
    DEFAULT_DENY = "DefaultDeny"


class NetworkPolicyEventLogs(str, Enum):
    DISABLED = "Disabled"
    ENABLED = "Enabled"


def _enum_problems(setting: str, value: object, enum_cls: type[Enum]) -> list[str]:
    if isinstance(value, enum_cls):
        return []
    allowed = [m.value for m in enum_cls]
    if value in allowed:
        return []
    return [f"{setting} {value!r} is not one of {', '.join(map(repr, allowed))}"]


def _coerce(value: Any, enum_cls: type[Enum]) -> Any:
    try:
        return enum_cls(value)
    except (ValueError, TypeError):
        return value


def _tuple(owner: Any, name: str) -> tuple[Any, ...]:
    """Store a sequence field as a tuple (a lone value becomes a one-item tuple, None an empty one)."""
    value = getattr(owner, name)
    if value is None:
        result: tuple[Any, ...] = ()
    elif isinstance(value, str | bytes) or not isinstance(value, Sequence):
        result = (value,)
    else:
        result = tuple(value)
    object.__setattr__(owner, name, result)
    return result


def _label_key_problems(setting: str, key: object) -> list[str]:
    problems = v.k8s_qualified_name(setting, key)
    if problems or not isinstance(key, str):
        return problems
    domain = key.rpartition("/")[0]
    if key in _RESTRICTED_LABELS:
        return [f"{setting} {key!r} is set by Auto Mode itself and cannot be a NodePool label; pick another key"]
    restricted = any(domain == d or domain.endswith("." + d) for d in _RESTRICTED_LABEL_DOMAINS)
    excepted = any(domain == d or domain.endswith("." + d) for d in _LABEL_DOMAIN_EXCEPTIONS)
    if restricted and not excepted:
        return [
            f"{setting} {key!r} is in a domain reserved for Kubernetes and Karpenter (kubernetes.io, k8s.io, "
            "karpenter.sh); use your own prefix such as example.com/team, or node-role.kubernetes.io/<role>"
        ]
    return []


# -- value objects -----------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, slots=True)
class Taint:
    """A node taint (workload isolation: only pods tolerating it land on the pool's nodes).

    Args:
        key: qualified name (``dedicated``, ``example.com/team``).
        effect: Default: - ``NO_SCHEDULE``.
        value: Default: - none.
    """

    key: str
    effect: TaintEffect = TaintEffect.NO_SCHEDULE
    value: str | None = None

    def __post_init__(self) -> None:
        problems = v.k8s_qualified_name("taint key", self.key)
        problems += _enum_problems(f"taint {self.key!r} effect", self.effect, TaintEffect)
        if self.value is not None:
            problems += v.k8s_label_value(f"taint {self.key!r} value", self.value)
        raise_if_problems("InvalidTaint", problems)
        object.__setattr__(self, "effect", TaintEffect(self.effect))

    def to_manifest(self) -> dict[str, str]:
        out = {"key": self.key, "effect": self.effect.value}
        if self.value is not None:
            out["value"] = self.value
        return out


@dataclass(frozen=True, kw_only=True, slots=True)
class Requirement:
    """A raw NodePool scheduling requirement (for labels the typed settings do not cover).

    See: https://docs.aws.amazon.com/eks/latest/userguide/create-node-pool.html#auto-supported-labels
    """

    key: str
    operator: RequirementOperator
    values: Sequence[str] = ()
    min_values: int | None = None

    def __post_init__(self) -> None:
        values = _tuple(self, "values")
        setting = f"requirement {self.key!r}"
        problems = v.k8s_qualified_name("requirement key", self.key)
        problems += _enum_problems(f"{setting} operator", self.operator, RequirementOperator)
        operator = _coerce(self.operator, RequirementOperator)
        if isinstance(self.key, str):
            if self.key in _UNSUPPORTED_ON_AUTO_MODE:
                problems.append(f"{setting}: EKS Auto Mode is Linux only and does not support {self.key!r}; remove it")
            if self.key in ("kubernetes.io/hostname", "karpenter.sh/nodepool") or (
                self.key.rpartition("/")[0].endswith("karpenter.sh") and self.key != "karpenter.sh/capacity-type"
            ):
                problems.append(f"{setting}: {self.key!r} is restricted by Karpenter; use another label")
        for i, value in enumerate(values):
            problems += v.k8s_label_value(f"{setting} values[{i}]", value)
        if operator is RequirementOperator.IN and not values:
            problems.append(f"{setting} with operator In needs at least one value")
        if operator in (RequirementOperator.EXISTS, RequirementOperator.DOES_NOT_EXIST) and values:
            problems.append(f"{setting} with operator {operator.value} takes no values; remove them")
        if operator in (RequirementOperator.GT, RequirementOperator.LT) and (
            len(values) != 1 or not isinstance(values[0], str) or not values[0].isdigit()
        ):
            problems.append(f"{setting} with operator {operator.value} needs exactly one non-negative integer value")
        if self.min_values is not None:
            if (
                isinstance(self.min_values, bool)
                or not isinstance(self.min_values, int)
                or not 1 <= self.min_values <= 50
            ):
                problems.append(f"{setting} min_values {self.min_values!r} must be a whole number from 1 to 50")
            elif operator is RequirementOperator.IN and self.min_values > len(values):
                problems.append(
                    f"{setting} min_values {self.min_values} is more than its {len(values)} values; lower it"
                )
        raise_if_problems("InvalidRequirement", problems)
        object.__setattr__(self, "operator", RequirementOperator(self.operator))

    def to_manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "operator": self.operator.value}
        if self.values:
            out["values"] = list(self.values)
        if self.min_values is not None:
            out["minValues"] = self.min_values
        return out


@dataclass(frozen=True, kw_only=True, slots=True)
class SelectorTerm:
    """One subnet or security-group selector term: by tags (all must match), by ID, or (security groups) by name.

    Use the class methods: ``SelectorTerm.by_tags({...})``, ``SelectorTerm.by_id("subnet-...")``,
    ``SelectorTerm.by_name("my-sg")``.
    """

    tags: Mapping[str, str] | None = None
    resource_id: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        given = [x for x in (self.tags, self.resource_id, self.name) if x is not None]
        problems = []
        if len(given) != 1:
            problems.append("a selector term needs exactly one of tags, resource_id or name")
        if self.tags is not None:
            if not isinstance(self.tags, Mapping) or not self.tags:
                problems.append(f"selector term tags must be a non-empty mapping, got {self.tags!r}")
            else:
                for key, value in self.tags.items():
                    if not isinstance(key, str) or not isinstance(value, str) or not key:
                        problems.append(
                            f"selector term tag {key!r}: {value!r} must be a non-empty string key and a string value"
                        )
                if not problems:
                    object.__setattr__(self, "tags", dict(sorted(self.tags.items())))
        raise_if_problems("InvalidSelectorTerm", problems)

    @classmethod
    def by_tags(cls, tags: Mapping[str, str]) -> SelectorTerm:
        return cls(tags=tags)

    @classmethod
    def by_id(cls, resource_id: str) -> SelectorTerm:
        return cls(resource_id=resource_id)

    @classmethod
    def by_name(cls, name: str) -> SelectorTerm:
        return cls(name=name)

    def to_manifest(self) -> dict[str, Any]:
        if self.tags is not None:
            return {"tags": dict(self.tags)}
        if self.resource_id is not None:
            return {"id": self.resource_id}
        return {"name": self.name}


@dataclass(frozen=True, kw_only=True, slots=True)
class EphemeralStorage:
    """A NodeClass's node volume (ephemeral storage).

    Args:
        size: ``80Gi`` style: 1-59000Gi, 1-64000G, 1-58Ti or 1-64T. Default: - 80Gi.
        iops: 3,000 to 16,000. Default: - 3,000.
        throughput: 125 to 1,000 MiB/s. Default: - 125.
        kms_key_id: KMS key (ID, ARN, alias name or alias ARN) for the node volume. Default: - ``aws/ebs``.
    """

    size: str | None = None
    iops: int | None = None
    throughput: int | None = None
    kms_key_id: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.size is not None:
            match = _EPHEMERAL_SIZE.match(self.size) if isinstance(self.size, str) else None
            if match is None or not 1 <= int(match.group(1)) <= _EPHEMERAL_MAX[match.group(2)]:
                problems.append(f"ephemeral_storage.size {self.size!r} must be 1-59000Gi, 1-64000G, 1-58Ti or 1-64T")
        for attr, low, high, unit in (("iops", 3000, 16000, "IOPS"), ("throughput", 125, 1000, "MiB/s")):
            value = getattr(self, attr)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
            ):
                problems.append(
                    f"ephemeral_storage.{attr} {value!r} must be a whole number from {low:,} to {high:,} {unit}"
                )
        if self.kms_key_id is not None and (not isinstance(self.kms_key_id, str) or not self.kms_key_id):
            problems.append(
                f"ephemeral_storage.kms_key_id {self.kms_key_id!r} must be a KMS key ID, key ARN, alias name or "
                "alias ARN"
            )
        raise_if_problems("InvalidNodeClass", problems)

    def to_manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.size is not None:
            out["size"] = self.size
        if self.iops is not None:
            out["iops"] = self.iops
        if self.throughput is not None:
            out["throughput"] = self.throughput
        if self.kms_key_id is not None:
            out["kmsKeyID"] = self.kms_key_id
        return out


@dataclass(frozen=True, kw_only=True, slots=True)
class DisruptionBudget:
    """How many nodes Auto Mode may disrupt at once (optionally only in a cron window).

    Args:
        nodes: a count (``"2"``) or a percentage (``"10%"``).
        schedule: cron or ``@daily``-style start of the window; needs ``duration``. Default: - always.
        duration: window length (``"1h30m"``); needs ``schedule``. Default: - always.
        reasons: which disruptions the budget limits. Default: - all.
    """

    nodes: str = "10%"
    schedule: str | None = None
    duration: str | None = None
    reasons: Sequence[DisruptionReason] = ()

    def __post_init__(self) -> None:
        reasons = _tuple(self, "reasons")
        problems = []
        if not isinstance(self.nodes, str) or not _BUDGET_NODES.match(self.nodes):
            problems.append(f"budget nodes {self.nodes!r} must be a whole number ('2') or a percentage ('10%')")
        if (self.schedule is None) != (self.duration is None):
            problems.append("a budget's schedule and duration must be set together")
        if self.schedule is not None and (
            not isinstance(self.schedule, str) or not _BUDGET_SCHEDULE.match(self.schedule)
        ):
            problems.append(f"budget schedule {self.schedule!r} is not a cron expression or @daily-style macro")
        if self.duration is not None and (
            not isinstance(self.duration, str) or not _BUDGET_DURATION.match(self.duration)
        ):
            problems.append(f"budget duration {self.duration!r} must be hours and/or minutes, such as 8h or 1h30m")
        for reason in reasons:
            problems += _enum_problems("budget reason", reason, DisruptionReason)
        raise_if_problems("InvalidNodePool", problems)
        object.__setattr__(self, "reasons", tuple(DisruptionReason(r) for r in reasons))

    def to_manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {"nodes": self.nodes}
        if self.schedule is not None:
            out["schedule"] = self.schedule
            out["duration"] = self.duration
        if self.reasons:
            out["reasons"] = [r.value for r in self.reasons]
        return out


@dataclass(frozen=True, kw_only=True, slots=True)
class NodeClassSpec:
    """Settings of one custom Auto Mode ``NodeClass``. The IAM role comes from :class:`AutoModeNodePools`.

    Args:
        name: NodeClass name (not ``default``, which is Auto Mode's built-in class).
        subnets: subnet selector terms. Default: - in :class:`AutoModeNodePools`, the cluster VPC's private subnets
            (tagged ``eks-platform.io/auto-mode-nodes=<cluster>`` and selected by that tag).
        security_groups: security group selector terms. Default: - in :class:`AutoModeNodePools`, the cluster
            security group EKS created (tag ``aws:eks:cluster-name=<cluster>``), as the built-in class uses.
        snat_policy: Default: - ``Random``.
        network_policy: Default: - ``DefaultAllow``.
        network_policy_event_logs: Default: - ``Disabled``.
        ephemeral_storage: node volume. Default: - 80Gi gp3, 3,000 IOPS, 125 MiB/s.
        tags: extra EC2 tags on the nodes (Auto Mode needs tagging permissions on the cluster role to propagate
            them). Default: - none.
    """

    name: str
    subnets: Sequence[SelectorTerm] | None = None
    security_groups: Sequence[SelectorTerm] | None = None
    snat_policy: SnatPolicy | None = None
    network_policy: NetworkPolicyDefault | None = None
    network_policy_event_logs: NetworkPolicyEventLogs | None = None
    ephemeral_storage: EphemeralStorage | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        setting = f"node class {self.name!r}"
        problems = k8s_api.name_problems(f"{setting} name", self.name)
        if self.name == BUILT_IN_NODE_CLASS:
            problems.append(
                f"{setting}: 'default' is Auto Mode's built-in NodeClass; give the custom class another name"
            )
        for attr, kind in (("subnets", "subnet"), ("security_groups", "security group")):
            terms = getattr(self, attr)
            if terms is None:
                continue
            terms = _tuple(self, attr)
            if not terms:
                problems.append(f"{setting} {attr} is empty; give at least one selector term or leave it unset")
            for term in terms:
                if not isinstance(term, SelectorTerm):
                    problems.append(f"{setting} {attr} must hold SelectorTerm values, got {term!r}")
                    continue
                if term.resource_id is not None:
                    pattern = _SUBNET_ID if attr == "subnets" else _SG_ID
                    rid = term.resource_id
                    if not isinstance(rid, str) or (not v.is_unresolved(rid) and not pattern.match(rid)):
                        problems.append(f"{setting} {attr}: {rid!r} is not a {kind} ID")
                if term.name is not None and attr == "subnets":
                    problems.append(f"{setting} subnets: select subnets by tags or ID (by name is for security groups)")
        for attr, enum_cls in (
            ("snat_policy", SnatPolicy),
            ("network_policy", NetworkPolicyDefault),
            ("network_policy_event_logs", NetworkPolicyEventLogs),
        ):
            value = getattr(self, attr)
            if value is not None:
                problems += _enum_problems(f"{setting} {attr}", value, enum_cls)
                object.__setattr__(self, attr, _coerce(value, enum_cls))
        if self.ephemeral_storage is not None and not isinstance(self.ephemeral_storage, EphemeralStorage):
            problems.append(f"{setting} ephemeral_storage must be an EphemeralStorage")
        if not isinstance(self.tags, Mapping):
            problems.append(f"{setting} tags must be a mapping of strings, got {type(self.tags).__name__}")
        else:
            for key, value in self.tags.items():
                if not isinstance(key, str) or not isinstance(value, str) or not key:
                    problems.append(
                        f"{setting} tag {key!r}: {value!r} must be a non-empty string key and a string value"
                    )
                elif key in _NODE_CLASS_RESTRICTED_TAGS or key.startswith("kubernetes.io/cluster/"):
                    problems.append(f"{setting} tag {key!r} is reserved by EKS Auto Mode; use another tag key")
        raise_if_problems("InvalidNodeClass", problems)
        object.__setattr__(self, "tags", dict(sorted(self.tags.items())))


@dataclass(frozen=True, kw_only=True, slots=True)
class NodePoolSpec:
    """Settings of one custom Auto Mode ``NodePool``.

    The typed settings become requirements on Auto Mode's well-known labels; ``requirements`` adds any other.

    Args:
        name: NodePool name.
        node_class: name of the NodeClass the nodes use: one defined in the same chart, or ``default`` (Auto Mode's
            built-in class, present while the built-in node pools are enabled).
        instance_categories: ``eks.amazonaws.com/instance-category`` values (``c``, ``m``, ``r``, ...).
            Default: - any.
        instance_families: ``eks.amazonaws.com/instance-family`` values (``m7g``). Default: - any.
        min_generation: lowest ``eks.amazonaws.com/instance-generation``. Default: - any.
        architectures: Default: - any (amd64 and arm64).
        capacity_types: Default: - on-demand only (Auto Mode's default).
        zones: ``topology.kubernetes.io/zone`` values. Default: - every zone of the node class's subnets.
        requirements: further requirements. Default: - none.
        labels: labels on the nodes (for node selectors). Default: - none.
        taints: taints on the nodes (for isolation). Default: - none.
        startup_taints: taints removed by a daemon once the node is ready. Default: - none.
        cpu_limit: total CPU the pool may provision (``1000`` or ``"1000"``). Default: - unlimited.
        memory_limit: total memory the pool may provision (``"1000Gi"``). Default: - unlimited.
        consolidation_policy: Default: - ``WhenEmptyOrUnderutilized``.
        consolidate_after: Default: - ``0s``.
        budgets: disruption budgets. Default: - one budget of 10% of the nodes.
        expire_after: node lifetime, at most 21 days (``504h``), EKS's cap. Default: - 336h (14 days).
        termination_grace_period: how long a draining node may wait for pods. Default: - 24h on Auto Mode.
        weight: priority among pools (1-100). Default: - none.
    """

    name: str
    node_class: str
    instance_categories: Sequence[str] = ()
    instance_families: Sequence[str] = ()
    min_generation: int | None = None
    architectures: Sequence[Architecture] = ()
    capacity_types: Sequence[CapacityType] = ()
    zones: Sequence[str] = ()
    requirements: Sequence[Requirement] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: Sequence[Taint] = ()
    startup_taints: Sequence[Taint] = ()
    cpu_limit: int | str | None = None
    memory_limit: str | None = None
    consolidation_policy: ConsolidationPolicy | None = None
    consolidate_after: str | None = None
    budgets: Sequence[DisruptionBudget] = ()
    expire_after: str | None = None
    termination_grace_period: str | None = None
    weight: int | None = None

    def __post_init__(self) -> None:
        setting = f"node pool {self.name!r}"
        problems = k8s_api.name_problems(f"{setting} name", self.name)
        problems += k8s_api.name_problems(f"{setting} node_class", self.node_class)
        for attr in (
            "instance_categories",
            "instance_families",
            "architectures",
            "capacity_types",
            "zones",
            "requirements",
            "taints",
            "startup_taints",
            "budgets",
        ):
            _tuple(self, attr)
        for category in self.instance_categories:
            if category not in INSTANCE_CATEGORIES:
                problems.append(
                    f"{setting} instance_categories has {category!r}, which is not an instance category EKS Auto Mode "
                    f"launches; use some of {', '.join(INSTANCE_CATEGORIES)}"
                )
        for family in self.instance_families:
            if not isinstance(family, str) or not re.match(r"^[a-z]+[0-9][a-z0-9-]*$", family):
                problems.append(f"{setting} instance_families has {family!r}, which is not an instance family like m7g")
        if self.min_generation is not None and (
            isinstance(self.min_generation, bool) or not isinstance(self.min_generation, int) or self.min_generation < 1
        ):
            problems.append(f"{setting} min_generation {self.min_generation!r} must be a whole number of at least 1")
        for arch in self.architectures:
            problems += _enum_problems(f"{setting} architectures", arch, Architecture)
        for capacity in self.capacity_types:
            problems += _enum_problems(f"{setting} capacity_types", capacity, CapacityType)
        for i, zone in enumerate(self.zones):
            problems += v.k8s_label_value(f"{setting} zones[{i}]", zone)
        for item, kind in (
            (self.requirements, Requirement),
            (self.taints, Taint),
            (self.startup_taints, Taint),
            (self.budgets, DisruptionBudget),
        ):
            for entry in item:
                if not isinstance(entry, kind):
                    problems.append(f"{setting}: {entry!r} is not a {kind.__name__}")
        if not isinstance(self.labels, Mapping):
            problems.append(f"{setting} labels must be a mapping")
        else:
            if len(self.labels) > 100:
                problems.append(f"{setting} has {len(self.labels)} labels; a NodePool allows at most 100")
            for key, value in self.labels.items():
                problems += _label_key_problems(f"{setting} label key", key)
                problems += v.k8s_label_value(f"{setting} label {key!r} value", value)
        if self.cpu_limit is not None:
            problems += k8s_api.quantity_problems(f"{setting} cpu_limit", self.cpu_limit)
        if self.memory_limit is not None:
            problems += k8s_api.quantity_problems(f"{setting} memory_limit", self.memory_limit)
        if self.consolidation_policy is not None:
            problems += _enum_problems(
                f"{setting} consolidation_policy", self.consolidation_policy, ConsolidationPolicy
            )
            object.__setattr__(self, "consolidation_policy", _coerce(self.consolidation_policy, ConsolidationPolicy))
        if self.consolidate_after is not None:
            problems += k8s_api.duration_problems(
                f"{setting} consolidate_after", self.consolidate_after, allow_never=True
            )
        if len(self.budgets) > 50:
            problems.append(f"{setting} has {len(self.budgets)} disruption budgets; at most 50 are allowed")
        if self.expire_after is not None:
            problems += self._expire_after_problems(setting)
        if self.termination_grace_period is not None:
            problems += k8s_api.duration_problems(
                f"{setting} termination_grace_period", self.termination_grace_period, allow_never=False
            )
        if self.weight is not None and (
            isinstance(self.weight, bool) or not isinstance(self.weight, int) or not 1 <= self.weight <= 100
        ):
            problems.append(f"{setting} weight {self.weight!r} must be a whole number from 1 to 100")
        if len(self._requirements()) > 100:
            problems.append(f"{setting} has more than 100 requirements; Karpenter allows at most 100")
        raise_if_problems("InvalidNodePool", problems)
        object.__setattr__(self, "labels", dict(sorted(self.labels.items())))
        object.__setattr__(self, "architectures", tuple(Architecture(a) for a in self.architectures))
        object.__setattr__(self, "capacity_types", tuple(CapacityType(c) for c in self.capacity_types))

    def _expire_after_problems(self, setting: str) -> list[str]:
        value = self.expire_after
        if value == "Never":
            return [
                f"{setting} expire_after 'Never' has no effect: EKS Auto Mode replaces nodes after 21 days at the "
                "latest. Use at most 504h (21 days)"
            ]
        problems = k8s_api.duration_problems(f"{setting} expire_after", value, allow_never=False)
        seconds = k8s_api.duration_seconds(value) if isinstance(value, str) else None
        if not problems and seconds is not None and seconds > MAX_EXPIRE_AFTER_SECONDS:
            problems.append(
                f"{setting} expire_after {value!r} is {seconds / 86400:.1f} days; EKS Auto Mode caps a node's lifetime "
                "at 21 days, so use at most 504h"
            )
        return problems

    def _requirements(self) -> list[dict[str, Any]]:
        reqs: list[dict[str, Any]] = []

        def add(key: str, values: Sequence[Any]) -> None:
            if values:
                reqs.append({"key": key, "operator": "In", "values": [getattr(x, "value", x) for x in values]})

        add("eks.amazonaws.com/instance-category", self.instance_categories)
        add("eks.amazonaws.com/instance-family", self.instance_families)
        if (
            isinstance(self.min_generation, int)
            and not isinstance(self.min_generation, bool)
            and self.min_generation > 1
        ):
            reqs.append(
                {
                    "key": "eks.amazonaws.com/instance-generation",
                    "operator": "Gt",
                    "values": [str(self.min_generation - 1)],
                }
            )
        add("kubernetes.io/arch", self.architectures)
        add("karpenter.sh/capacity-type", self.capacity_types)
        add("topology.kubernetes.io/zone", self.zones)
        reqs += [r.to_manifest() for r in self.requirements if isinstance(r, Requirement)]
        return reqs

    def to_spec(self) -> dict[str, Any]:
        """The NodePool ``spec``."""
        template_spec: dict[str, Any] = {
            "nodeClassRef": {"group": "eks.amazonaws.com", "kind": "NodeClass", "name": self.node_class},
            "requirements": self._requirements(),
        }
        if self.taints:
            template_spec["taints"] = [t.to_manifest() for t in self.taints]
        if self.startup_taints:
            template_spec["startupTaints"] = [t.to_manifest() for t in self.startup_taints]
        if self.expire_after is not None:
            template_spec["expireAfter"] = self.expire_after
        if self.termination_grace_period is not None:
            template_spec["terminationGracePeriod"] = self.termination_grace_period
        template: dict[str, Any] = {"spec": template_spec}
        if self.labels:
            template = {"metadata": {"labels": dict(self.labels)}, "spec": template_spec}
        spec: dict[str, Any] = {"template": template}
        limits: dict[str, Any] = {}
        if self.cpu_limit is not None:
            limits["cpu"] = str(self.cpu_limit)
        if self.memory_limit is not None:
            limits["memory"] = self.memory_limit
        if limits:
            spec["limits"] = limits
        disruption: dict[str, Any] = {}
        if self.consolidation_policy is not None:
            disruption["consolidationPolicy"] = self.consolidation_policy.value
        if self.consolidate_after is not None:
            disruption["consolidateAfter"] = self.consolidate_after
        if self.budgets:
            disruption["budgets"] = [b.to_manifest() for b in self.budgets]
        if disruption:
            spec["disruption"] = disruption
        if self.weight is not None:
            spec["weight"] = self.weight
        return spec


# -- cdk8s constructs --------------------------------------------------------------------------------------------
class NodeClass(Construct):
    """An Auto Mode ``NodeClass`` (a cdk8s construct; put it in a chart before the pools that use it).

    The node role must have an ``EC2`` access entry with ``AmazonEKSAutoNodePolicy``; :class:`AutoModeNodePools`
    creates both. Subnet and security group selector terms are required here (``AutoModeNodePools`` fills in
    defaults).

    Args:
        scope: a cdk8s chart.
        construct_id: construct id.
        spec: the settings.
        role_name: the node IAM role's name (not ARN).
    """

    def __init__(self, scope: Construct, construct_id: str, *, spec: NodeClassSpec, role_name: str) -> None:
        super().__init__(scope, construct_id)
        problems = []
        if not isinstance(spec, NodeClassSpec):
            raise ConfigError("InvalidNodeClass", f"spec must be a NodeClassSpec, got {type(spec).__name__}")
        if not isinstance(role_name, str) or (not v.is_unresolved(role_name) and not _IAM_ROLE_NAME.match(role_name)):
            problems.append(f"role_name {role_name!r} is not an IAM role name (1-64 of letters, digits, +=,.@_-)")
        if not spec.subnets:
            problems.append(f"node class {spec.name!r} needs subnet selector terms (spec.subnets)")
        if not spec.security_groups:
            problems.append(f"node class {spec.name!r} needs security group selector terms (spec.security_groups)")
        raise_if_problems("InvalidNodeClass", problems, path=self.node.path)
        assert spec.subnets is not None and spec.security_groups is not None

        body: dict[str, Any] = {
            "role": role_name,
            "subnetSelectorTerms": [t.to_manifest() for t in spec.subnets],
            "securityGroupSelectorTerms": [t.to_manifest() for t in spec.security_groups],
        }
        if spec.snat_policy is not None:
            body["snatPolicy"] = spec.snat_policy.value
        if spec.network_policy is not None:
            body["networkPolicy"] = spec.network_policy.value
        if spec.network_policy_event_logs is not None:
            body["networkPolicyEventLogs"] = spec.network_policy_event_logs.value
        if spec.ephemeral_storage is not None and spec.ephemeral_storage.to_manifest():
            body["ephemeralStorage"] = spec.ephemeral_storage.to_manifest()
        if spec.tags:
            body["tags"] = dict(spec.tags)
        self.spec = spec
        self.name = spec.name
        self.api_object = new_object = k8s_api.new_api_object(
            self,
            "Resource",
            {"apiVersion": NODE_CLASS_API_VERSION, "kind": "NodeClass", "metadata": {"name": spec.name}, "spec": body},
        )
        self.node.default_child = new_object


def _node_class_names(chart: cdk8s.Chart) -> list[str]:
    return [
        o.name
        for o in k8s_api.chart_api_objects(chart)
        if o.kind == "NodeClass" and o.api_version.startswith("eks.amazonaws.com/")
    ]


class NodePool(Construct):
    """An Auto Mode ``NodePool`` (a cdk8s construct).

    Raises:
        ConfigError: ``InvalidNodePool`` when ``spec.node_class`` is neither a NodeClass already in the chart nor
            ``default``.
    """

    def __init__(self, scope: Construct, construct_id: str, *, spec: NodePoolSpec) -> None:
        super().__init__(scope, construct_id)
        if not isinstance(spec, NodePoolSpec):
            raise ConfigError("InvalidNodePool", f"spec must be a NodePoolSpec, got {type(spec).__name__}")
        known = _node_class_names(cdk8s.Chart.of(self))
        if spec.node_class != BUILT_IN_NODE_CLASS and spec.node_class not in known:
            listed = ", ".join(repr(n) for n in known) or "none"
            raise ConfigError(
                "InvalidNodePool",
                f"node pool {spec.name!r} references node class {spec.node_class!r}, which does not exist in chart "
                f"{cdk8s.Chart.of(self).node.id!r} (node classes there: {listed}); define it before the pool or use "
                f"{BUILT_IN_NODE_CLASS!r}, Auto Mode's built-in class",
                path=self.node.path,
            )
        self.spec = spec
        self.name = spec.name
        self.api_object = k8s_api.new_api_object(
            self,
            "Resource",
            {
                "apiVersion": NODE_POOL_API_VERSION,
                "kind": "NodePool",
                "metadata": {"name": spec.name},
                "spec": spec.to_spec(),
            },
        )
        self.node.default_child = self.api_object


# -- CDK construct -----------------------------------------------------------------------------------------------
class AutoModeNodePools(Construct):
    """Custom Auto Mode capacity for one cluster: the node role, its access entry, and one chart of classes and pools.

    Example::

        AutoModeNodePools(stack, "NodePools", delivery=cluster.manifests,
            node_classes=[NodeClassSpec(name="batch")],
            node_pools=[NodePoolSpec(name="batch", node_class="batch", architectures=[Architecture.ARM64],
                                     capacity_types=[CapacityType.SPOT],
                                     taints=[Taint(key="workload", value="batch")])])

    What you get:

    - an IAM role for the nodes (trusted by ``ec2.amazonaws.com``; ``AmazonEKSWorkerNodeMinimalPolicy`` and
      ``AmazonEC2ContainerRegistryPullOnly``) with an ``EC2`` access entry carrying ``AmazonEKSAutoNodePolicy``;
    - one chart (``NodePools``) with the NodeClasses (each naming that role) and NodePools;
    - deletion order: the chart's custom resource depends on the role and the access entry, so CloudFormation
      deletes the NodeClasses first (kubectl waits for Auto Mode to drain the nodes and remove the instance
      profile), then the access entry, then the role. In render-only mode nothing can order this: delete the
      NodeClasses with your GitOps tool before ``cdk destroy`` (a warning says so).

    The role gets a fixed physical name (``node_role_name`` or one derived from the construct path and region),
    because NodeClasses name their role and the rendered YAML must hold a literal. Changing it replaces the role.

    Args:
        scope: parent construct.
        construct_id: construct id.
        delivery: the cluster's manifest delivery.
        node_classes: custom NodeClasses (names unique). Default: - none.
        node_pools: NodePools (names unique; each names a class above or ``default``). Default: - none.
        node_role: use this role instead of creating one. Default: - a new role owned by this construct.
        node_role_name: physical name of the new role. Default: - derived from the construct path and region.
        create_access_entry: create the ``EC2`` access entry for the role. Default: - true (set false for a role
            that already has one, such as the cluster's built-in node role).
        subnets: subnets for node classes without ``subnets``; they get the ``eks-platform.io/auto-mode-nodes``
            tag. Default: - the cluster VPC's private subnets.
        chart_id: Default: - ``NodePools``.

    Attributes:
        node_role: the role the NodeClasses name.
        access_entry: its access entry (None when not created).
        chart: the chart with the classes and pools.
        manifest: the chart's custom resource (None in render-only mode).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        delivery: ManifestDelivery,
        node_classes: Sequence[NodeClassSpec] = (),
        node_pools: Sequence[NodePoolSpec] = (),
        node_role: iam.IRole | None = None,
        node_role_name: str | None = None,
        create_access_entry: bool = True,
        subnets: Sequence[ec2.ISubnet] | None = None,
        chart_id: str = "NodePools",
    ) -> None:
        super().__init__(scope, construct_id)
        problems = []
        for kind, items, spec_cls in (
            ("node class", node_classes, NodeClassSpec),
            ("node pool", node_pools, NodePoolSpec),
        ):
            if (
                isinstance(items, str)
                or not isinstance(items, Sequence)
                or not all(isinstance(i, spec_cls) for i in items)
            ):
                raise ConfigError(
                    "InvalidNodePools", f"{kind}s must be a list of {spec_cls.__name__} values", path=self.node.path
                )
            names = [str(getattr(i, "name", "")) for i in items]
            for name in sorted({n for n in names if names.count(n) > 1}):
                problems.append(f"{kind} {name!r} is defined twice; each {kind} needs a unique name")
        if node_role is not None and node_role_name is not None:
            problems.append("node_role and node_role_name were both given; pass an existing role or a name, not both")
        if node_role_name is not None and not _IAM_ROLE_NAME.match(node_role_name):
            problems.append(
                f"node_role_name {node_role_name!r} is not an IAM role name (1-64 of letters, digits, +=,.@_-)"
            )
        raise_if_problems("InvalidNodePools", problems, path=self.node.path)

        cluster = delivery.cluster
        # NodeClasses name their role; keep the literal name (role.role_name is a Ref token even with a fixed name).
        role_name: str
        if node_role is None:
            role_name = node_role_name or self._default_role_name()
            node_role = iam.Role(
                self,
                "NodeRole",
                role_name=role_name,
                assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
                description="EKS Auto Mode node role for custom NodeClasses",
                managed_policies=[
                    iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKSWorkerNodeMinimalPolicy"),
                    iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEC2ContainerRegistryPullOnly"),
                ],
            )
            from eks_platform.checks.acknowledgments import acknowledge_aws_managed_policies

            acknowledge_aws_managed_policies(
                node_role,
                ("AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"),
                "an EKS Auto Mode node role needs exactly these AWS managed policies, as the cluster's own node role "
                "(https://docs.aws.amazon.com/eks/latest/userguide/auto-create-node-role.html)",
            )
        else:
            role_name = node_role.role_name
        self.node_role: iam.IRole = node_role
        self.node_role_name: str = role_name
        """The role's name as the NodeClasses carry it (a literal for the role this construct creates)."""
        self.access_entry: eks.AccessEntry | None = None
        if create_access_entry:
            self.access_entry = eks.AccessEntry(
                self,
                "NodeAccessEntry",
                cluster=cluster,
                principal=node_role.role_arn,
                access_entry_type=eks.AccessEntryType.EC2,
                access_policies=[
                    eks.AccessPolicy.from_access_policy_name(
                        "AmazonEKSAutoNodePolicy", access_scope_type=eks.AccessScopeType.CLUSTER
                    )
                ],
            )

        default_subnets: list[SelectorTerm] | None = None
        if any(spec.subnets is None for spec in node_classes):
            default_subnets = [SelectorTerm.by_tags({SUBNET_DISCOVERY_TAG: delivery.output_name})]
            self._tag_subnets(list(subnets) if subnets is not None else list(cluster.vpc.private_subnets), delivery)
        default_groups = [SelectorTerm.by_tags({CLUSTER_SECURITY_GROUP_TAG: delivery.cluster_name})]

        self.chart: PlatformChart = delivery.new_chart(chart_id)
        self.node_classes: dict[str, NodeClass] = {}
        for spec in node_classes:
            filled = NodeClassSpec(
                name=spec.name,
                subnets=spec.subnets if spec.subnets is not None else default_subnets,
                security_groups=spec.security_groups if spec.security_groups is not None else default_groups,
                snat_policy=spec.snat_policy,
                network_policy=spec.network_policy,
                network_policy_event_logs=spec.network_policy_event_logs,
                ephemeral_storage=spec.ephemeral_storage,
                tags=spec.tags,
            )
            self.node_classes[spec.name] = NodeClass(
                self.chart, f"NodeClass-{spec.name}", spec=filled, role_name=role_name
            )
        self.node_pools: dict[str, NodePool] = {}
        for pool in node_pools:
            self.node_pools[pool.name] = NodePool(self.chart, f"NodePool-{pool.name}", spec=pool)

        depends_on: list[Any] = [node_role] + ([self.access_entry] if self.access_entry is not None else [])
        self.manifest = delivery.add_chart(self.chart, depends_on=depends_on)
        if delivery.mode is DeliveryMode.RENDER_ONLY and node_classes:
            cdk.Annotations.of(self).add_warning_v2(
                "eks-platform:node-class-deletion-order",
                "Render-only mode: CloudFormation cannot delete the NodeClasses before their node role. Delete the "
                f"NodeClasses {sorted(self.node_classes)} with your GitOps tool (and wait for their nodes to go) "
                "before `cdk destroy`, or the role's deletion fails with 'Cannot delete entity, must remove roles "
                "from instance profile first'.",
            )

    def _default_role_name(self) -> str:
        base = cdk.Names.unique_resource_name(self, max_length=48, separator="-")
        region = cdk.Stack.of(self).region
        suffix = "" if v.is_unresolved(region) else f"-{region}"
        return f"{base}{suffix}"[:64]

    def _tag_subnets(self, subnets: list[ec2.ISubnet], delivery: ManifestDelivery) -> None:
        untaggable = [s.node.path for s in subnets if not isinstance(s, ec2.Subnet)]
        if untaggable or not subnets:
            raise ConfigError(
                "InvalidNodePools",
                "node classes without subnets select the subnets this construct tags, but "
                + (
                    f"these subnets are imported and cannot be tagged: {untaggable}"
                    if untaggable
                    else "no subnets were found"
                )
                + "; give NodeClassSpec.subnets explicitly, e.g. [SelectorTerm.by_id('subnet-...')]",
                path=self.node.path,
            )
        for subnet in subnets:
            cdk.Tags.of(subnet).add(
                SUBNET_DISCOVERY_TAG, delivery.output_name, include_resource_types=["AWS::EC2::Subnet"]
            )


# -- config (cdk.json context) -----------------------------------------------------------------------------------
_SECTION_KEYS = ("nodeClasses", "pools", "nodeRoleName")
_CLASS_KEYS = (
    "subnetIds",
    "subnetTags",
    "securityGroupIds",
    "securityGroupTags",
    "securityGroupNames",
    "snatPolicy",
    "networkPolicy",
    "networkPolicyEventLogs",
    "ephemeralStorage",
    "tags",
)
_EPHEMERAL_KEYS = ("size", "iops", "throughput", "kmsKeyId")
_POOL_KEYS = (
    "nodeClass",
    "instanceCategories",
    "instanceFamilies",
    "minGeneration",
    "architectures",
    "capacityTypes",
    "zones",
    "requirements",
    "labels",
    "taints",
    "startupTaints",
    "cpuLimit",
    "memoryLimit",
    "consolidationPolicy",
    "consolidateAfter",
    "budgets",
    "expireAfter",
    "terminationGracePeriod",
    "weight",
)
_TAINT_KEYS = ("key", "value", "effect")
_BUDGET_KEYS = ("nodes", "schedule", "duration", "reasons")
_REQUIREMENT_KEYS = ("key", "operator", "values", "minValues")


@dataclass(frozen=True, kw_only=True, slots=True)
class NodePoolsConfig:
    """The ``nodePools`` context section (see README "Kubernetes objects"); builds an :class:`AutoModeNodePools`."""

    node_classes: tuple[NodeClassSpec, ...] = ()
    node_pools: tuple[NodePoolSpec, ...] = ()
    node_role_name: str | None = None


# Keys a config object must have, per value object (their other fields have defaults).
_REQUIRED: dict[Any, tuple[str, ...]] = {}


def _or_empty(value: Any) -> Any:
    return () if value is None else value


def _build(setting: str, problems: list[str], factory: Any, **kwargs: Any) -> Any:
    try:
        return factory(**kwargs)
    except ConfigError as error:
        problems += [f"{setting}: {p}" for p in error.problems]
        return None


def _terms(setting: str, raw: dict[str, Any], problems: list[str], keys: dict[str, str]) -> list[SelectorTerm] | None:
    terms: list[SelectorTerm] = []
    for key, kind in keys.items():
        if key not in raw:
            continue
        value = raw[key]
        if kind == "tags":
            if not isinstance(value, dict):
                problems.append(f"{setting}.{key} must be an object of tag values")
                continue
            term = _build(f"{setting}.{key}", problems, SelectorTerm, tags=value)
            terms += [term] if term is not None else []
        else:
            if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                problems.append(f"{setting}.{key} must be a list of strings")
                continue
            for item in value:
                term = _build(f"{setting}.{key}", problems, SelectorTerm, **{kind: item})
                terms += [term] if term is not None else []
    return terms or None


def _node_class_from_config(setting: str, name: str, raw: Any, problems: list[str]) -> NodeClassSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be an object, got {type(raw).__name__} {raw!r}")
        return None
    problems += v.unknown_keys(setting, raw.keys(), list(_CLASS_KEYS))
    ephemeral = None
    if "ephemeralStorage" in raw:
        eph = raw["ephemeralStorage"]
        if not isinstance(eph, dict):
            problems.append(f"{setting}.ephemeralStorage must be an object")
        else:
            problems += v.unknown_keys(f"{setting}.ephemeralStorage", eph.keys(), list(_EPHEMERAL_KEYS))
            ephemeral = _build(
                f"{setting}.ephemeralStorage",
                problems,
                EphemeralStorage,
                size=eph.get("size"),
                iops=eph.get("iops"),
                throughput=eph.get("throughput"),
                kms_key_id=eph.get("kmsKeyId"),
            )
    return _build(  # type: ignore[no-any-return]
        setting,
        problems,
        NodeClassSpec,
        name=name,
        subnets=_terms(setting, raw, problems, {"subnetIds": "resource_id", "subnetTags": "tags"}),
        security_groups=_terms(
            setting,
            raw,
            problems,
            {"securityGroupIds": "resource_id", "securityGroupTags": "tags", "securityGroupNames": "name"},
        ),
        snat_policy=raw.get("snatPolicy"),
        network_policy=raw.get("networkPolicy"),
        network_policy_event_logs=raw.get("networkPolicyEventLogs"),
        ephemeral_storage=ephemeral,
        tags={} if raw.get("tags") is None else raw["tags"],
    )


def _objects(
    setting: str, raw: Any, keys: tuple[str, ...], problems: list[str], factory: Any, mapping: dict[str, str]
) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(f"{setting} must be a list of objects")
        return []
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            problems.append(f"{setting}[{i}] must be an object, got {item!r}")
            continue
        problems += v.unknown_keys(f"{setting}[{i}]", item.keys(), list(keys))
        required = _REQUIRED.get(factory, ())
        missing = [k for k in required if item.get(k) is None]
        if missing:
            problems.append(f"{setting}[{i}] needs {', '.join(missing)}")
            continue
        built = _build(
            f"{setting}[{i}]", problems, factory, **{mapping[k]: val for k, val in item.items() if k in mapping}
        )
        if built is not None:
            out.append(built)
    return out


def _node_pool_from_config(setting: str, name: str, raw: Any, problems: list[str]) -> NodePoolSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be an object, got {type(raw).__name__} {raw!r}")
        return None
    problems += v.unknown_keys(setting, raw.keys(), list(_POOL_KEYS))
    if "nodeClass" not in raw:
        problems.append(f"{setting}.nodeClass is required: a node class under nodeClasses, or 'default'")
        return None
    taint_map = {"key": "key", "value": "value", "effect": "effect"}
    before = len(problems)
    taints = _objects(f"{setting}.taints", raw.get("taints"), _TAINT_KEYS, problems, Taint, taint_map)
    startup = _objects(f"{setting}.startupTaints", raw.get("startupTaints"), _TAINT_KEYS, problems, Taint, taint_map)
    budgets = _objects(
        f"{setting}.budgets",
        raw.get("budgets"),
        _BUDGET_KEYS,
        problems,
        DisruptionBudget,
        {"nodes": "nodes", "schedule": "schedule", "duration": "duration", "reasons": "reasons"},
    )
    requirements = _objects(
        f"{setting}.requirements",
        raw.get("requirements"),
        _REQUIREMENT_KEYS,
        problems,
        Requirement,
        {"key": "key", "operator": "operator", "values": "values", "minValues": "min_values"},
    )
    if len(problems) > before:
        return None
    return _build(  # type: ignore[no-any-return]
        setting,
        problems,
        NodePoolSpec,
        name=name,
        node_class=raw["nodeClass"],
        instance_categories=_or_empty(raw.get("instanceCategories")),
        instance_families=_or_empty(raw.get("instanceFamilies")),
        min_generation=raw.get("minGeneration"),
        architectures=_or_empty(raw.get("architectures")),
        capacity_types=_or_empty(raw.get("capacityTypes")),
        zones=_or_empty(raw.get("zones")),
        requirements=requirements,
        labels={} if raw.get("labels") is None else raw["labels"],
        taints=taints,
        startup_taints=startup,
        cpu_limit=raw.get("cpuLimit"),
        memory_limit=raw.get("memoryLimit"),
        consolidation_policy=raw.get("consolidationPolicy"),
        consolidate_after=raw.get("consolidateAfter"),
        budgets=budgets,
        expire_after=raw.get("expireAfter"),
        termination_grace_period=raw.get("terminationGracePeriod"),
        weight=raw.get("weight"),
    )


def parse_node_pools_config(setting: str, raw: Any, problems: list[str]) -> NodePoolsConfig | None:
    """Parse the ``nodePools`` context object; problems are appended (each naming ``<setting>.<key>``), never raised.

    Shape: ``{"nodeClasses": {<name>: {...}}, "pools": {<name>: {"nodeClass": ..., ...}}, "nodeRoleName": ...}``.
    """
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be an object, got {type(raw).__name__} {raw!r}")
        return None
    found: list[str] = v.unknown_keys(setting, raw.keys(), list(_SECTION_KEYS))
    classes: list[NodeClassSpec] = []
    pools: list[NodePoolSpec] = []
    for key in ("nodeClasses", "pools"):
        section = raw.get(key, {})
        if not isinstance(section, dict):
            found.append(f"{setting}.{key} must be an object keyed by name, got {section!r}")
            continue
        for name, item in section.items():
            if key == "nodeClasses":
                node_class = _node_class_from_config(f"{setting}.{key}.{name}", name, item, found)
                classes += [node_class] if node_class is not None else []
            else:
                node_pool = _node_pool_from_config(f"{setting}.{key}.{name}", name, item, found)
                pools += [node_pool] if node_pool is not None else []
    class_names = {c.name for c in classes}
    for pool in pools:
        if pool.node_class != BUILT_IN_NODE_CLASS and pool.node_class not in class_names:
            found.append(
                f"{setting}.pools.{pool.name}.nodeClass {pool.node_class!r} does not exist; define it under "
                f"{setting}.nodeClasses or use {BUILT_IN_NODE_CLASS!r} (Auto Mode's built-in class)"
            )
    role_name = raw.get("nodeRoleName")
    if role_name is not None and (not isinstance(role_name, str) or not _IAM_ROLE_NAME.match(role_name)):
        found.append(f"{setting}.nodeRoleName {role_name!r} is not an IAM role name (1-64 of letters, digits, +=,.@_-)")
    problems += found
    if found:
        return None
    return NodePoolsConfig(node_classes=tuple(classes), node_pools=tuple(pools), node_role_name=role_name)


_REQUIRED.update({Taint: ("key",), Requirement: ("key", "operator")})
