"""The Karpenter ``NodePool`` (``karpenter.sh/v1``) on EKS Auto Mode: its value objects and the cdk8s construct.

:class:`NodePoolSpec` gathers what a pool asks for (instance categories and families, architectures, capacity types,
zones, raw :class:`Requirement` values), what it puts on its nodes (labels, :class:`Taint` values), its limits and
how Auto Mode may disrupt its nodes (consolidation, :class:`DisruptionBudget` values, expiry). :class:`NodePool`
renders it into a chart next to the NodeClass it names.

See: https://docs.aws.amazon.com/eks/latest/userguide/create-node-pool.html
See: https://karpenter.sh/docs/concepts/nodepools/
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from constructs import Construct

from eks_platform._internal import k8s_api
from eks_platform._internal import validation as v
from eks_platform._internal.node_pools import (
    INSTANCE_CATEGORIES,
    custom_pool_name_problems,
    label_key_problems,
    node_class_reference_problems,
)
from eks_platform._internal.tree import created, path_of
from eks_platform.constructs.keywords import check_fields, checked_keywords, checked_value
from eks_platform.constructs.node_pools.node_class import node_class_names
from eks_platform.errors import ConfigError, raise_if_problems

__all__ = [
    "MAX_EXPIRE_AFTER_SECONDS",
    "NODE_POOL_API_VERSION",
    "Architecture",
    "CapacityType",
    "ConsolidationPolicy",
    "DisruptionBudget",
    "DisruptionReason",
    "NodePool",
    "NodePoolSpec",
    "Requirement",
    "RequirementOperator",
    "Taint",
    "TaintEffect",
]

NODE_POOL_API_VERSION = "karpenter.sh/v1"
#: EKS caps a node's lifetime at 21 days; a longer ``expireAfter`` never takes effect.
MAX_EXPIRE_AFTER_SECONDS = 21 * 24 * 3600
_UNSUPPORTED_ON_AUTO_MODE = ("kubernetes.io/os", "node.kubernetes.io/windows-build")
_BUDGET_NODES = re.compile(r"((100|[0-9]{1,2})%|[0-9]+)", re.ASCII)
_BUDGET_DURATION = re.compile(r"((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)", re.ASCII)
_BUDGET_SCHEDULE = re.compile(
    r"(?:(@(annually|yearly|monthly|weekly|daily|midnight|hourly))|((.+)\s(.+)\s(.+)\s(.+)\s(.+)))", re.ASCII
)


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


@checked_value("InvalidTaint")
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
        check_fields(self, "InvalidTaint")
        problems = v.k8s_qualified_name("taint key", self.key)
        problems += v.enum_problems(f"taint {self.key!r} effect", self.effect, TaintEffect)
        if self.value is not None:
            problems += v.k8s_label_value(f"taint {self.key!r} value", self.value)
        raise_if_problems("InvalidTaint", problems)
        object.__setattr__(self, "effect", TaintEffect(self.effect))

    def to_manifest(self) -> dict[str, str]:
        out = {"key": self.key, "effect": self.effect.value}
        if self.value is not None:
            out["value"] = self.value
        return out


@checked_value("InvalidRequirement")
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
        check_fields(self, "InvalidRequirement")
        values = v.store_tuple(self, "values")
        setting = f"requirement {self.key!r}"
        problems = v.k8s_qualified_name("requirement key", self.key)
        problems += v.enum_problems(f"{setting} operator", self.operator, RequirementOperator)
        operator = v.coerce_enum(self.operator, RequirementOperator)
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


@checked_value("InvalidNodePool")
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
        check_fields(self, "InvalidNodePool")
        reasons = v.store_tuple(self, "reasons")
        problems = []
        if not isinstance(self.nodes, str) or not _BUDGET_NODES.fullmatch(self.nodes):
            problems.append(f"budget nodes {self.nodes!r} must be a whole number ('2') or a percentage ('10%')")
        if (self.schedule is None) != (self.duration is None):
            problems.append("a budget's schedule and duration must be set together")
        if self.schedule is not None and (
            not isinstance(self.schedule, str) or not _BUDGET_SCHEDULE.fullmatch(self.schedule)
        ):
            problems.append(f"budget schedule {self.schedule!r} is not a cron expression or @daily-style macro")
        if self.duration is not None and (
            not isinstance(self.duration, str) or not _BUDGET_DURATION.fullmatch(self.duration)
        ):
            problems.append(f"budget duration {self.duration!r} must be hours and/or minutes, such as 8h or 1h30m")
        for reason in reasons:
            problems += v.enum_problems("budget reason", reason, DisruptionReason)
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


@checked_value("InvalidNodePool")
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
        check_fields(self, "InvalidNodePool")
        setting = f"node pool {self.name!r}"
        problems = k8s_api.name_problems(f"{setting} name", self.name)
        problems += custom_pool_name_problems(f"{setting} name", self.name)
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
            v.store_tuple(self, attr)
        for category in self.instance_categories:
            if category not in INSTANCE_CATEGORIES:
                problems.append(
                    f"{setting} instance_categories has {category!r}, which is not an instance category EKS Auto Mode "
                    f"launches; use some of {', '.join(INSTANCE_CATEGORIES)}"
                )
        for family in self.instance_families:
            if not isinstance(family, str) or not re.fullmatch(r"[a-z]+[0-9][a-z0-9-]*", family, re.ASCII):
                problems.append(f"{setting} instance_families has {family!r}, which is not an instance family like m7g")
        if self.min_generation is not None and (
            isinstance(self.min_generation, bool) or not isinstance(self.min_generation, int) or self.min_generation < 1
        ):
            problems.append(f"{setting} min_generation {self.min_generation!r} must be a whole number of at least 1")
        for arch in self.architectures:
            problems += v.enum_problems(f"{setting} architectures", arch, Architecture)
        for capacity in self.capacity_types:
            problems += v.enum_problems(f"{setting} capacity_types", capacity, CapacityType)
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
                problems += label_key_problems(f"{setting} label key", key)
                problems += v.k8s_label_value(f"{setting} label {key!r} value", value)
        if self.cpu_limit is not None:
            problems += k8s_api.quantity_problems(f"{setting} cpu_limit", self.cpu_limit)
        if self.memory_limit is not None:
            problems += k8s_api.quantity_problems(f"{setting} memory_limit", self.memory_limit, memory=True)
        if self.consolidation_policy is not None:
            problems += v.enum_problems(
                f"{setting} consolidation_policy", self.consolidation_policy, ConsolidationPolicy
            )
            policy = v.coerce_enum(self.consolidation_policy, ConsolidationPolicy)
            object.__setattr__(self, "consolidation_policy", policy)
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



class NodePool(Construct):
    """An Auto Mode ``NodePool`` (a cdk8s construct).

    Raises:
        ConfigError: ``InvalidNodePool`` when ``spec.node_class`` is neither a NodeClass already in the chart nor
            ``default``.
    """

    @checked_keywords("InvalidNodePool")
    def __init__(self, scope: Construct, construct_id: str, *, spec: NodePoolSpec) -> None:
        super().__init__(scope, construct_id)
        created(self, scope, construct_id)
        if not isinstance(spec, NodePoolSpec):
            raise ConfigError("InvalidNodePool", f"spec must be a NodePoolSpec, got {type(spec).__name__}")
        chart = k8s_api.chart_of(self)
        known = node_class_names(chart)
        if node_class_reference_problems("node_class", spec.node_class, known):
            known = node_class_names(chart, rescan=True)  # also a class made with cdk8s.ApiObject directly
            problems = node_class_reference_problems(
                f"node pool {spec.name!r} in chart {chart.node.id!r}: node_class", spec.node_class, known
            )
            raise_if_problems("InvalidNodePool", problems, path=lambda: path_of(self))
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
        # node.default_child is left unset: the child with id "Resource" is the default child by convention
        # (constructs' Node.defaultChild, https://github.com/aws/constructs/blob/10.x/src/construct.ts).

