"""The ``nodePools`` section of the ``platform`` context object: custom Auto Mode NodeClasses and NodePools.

Each cdk.json object is validated by its model and becomes the value object the constructs take
(:class:`NodeClassSpec`, :class:`NodePoolSpec`, ...); their own checks run, and every problem comes back with its
cdk.json path and the keys as cdk.json writes them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, PrivateAttr, WithJsonSchema, field_validator, model_validator

from eks_platform._internal.node_pools import node_class_reference_problems, role_name_problems
from eks_platform.config._base import HERE, ConfigModel, attempt, build, check, section_problems, under
from eks_platform.constructs.node_pools import (
    Architecture,
    CapacityType,
    ConsolidationPolicy,
    DisruptionBudget,
    DisruptionReason,
    EphemeralStorage,
    NetworkPolicyDefault,
    NetworkPolicyEventLogs,
    NodeClassSpec,
    NodePoolSpec,
    Requirement,
    RequirementOperator,
    SelectorTerm,
    SnatPolicy,
    Taint,
    TaintEffect,
)
from eks_platform.errors import ConfigError

__all__ = ["NodeClassSettings", "NodePoolSettings", "NodePoolsConfig", "parse_node_pools_config"]

#: A Kubernetes quantity: a number (``256``) or a string with a unit (``"1000Gi"``, ``"500m"``).
Quantity = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]})]


class EphemeralStorageSettings(ConfigModel):
    """``nodeClasses.<name>.ephemeralStorage``: the node's root volume."""

    size: str | None = Field(default=None, description="Volume size as a quantity, e.g. 80Gi.")
    iops: int | None = Field(default=None, description="Provisioned IOPS (gp3).")
    throughput: int | None = Field(default=None, description="Throughput in MiB/s (gp3).")
    kms_key_id: str | None = Field(default=None, description="KMS key ARN that encrypts the volume.")

    _value: EphemeralStorage | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _build(self) -> Any:
        self._value = build(
            EphemeralStorageSettings,
            EphemeralStorage,
            size=self.size,
            iops=self.iops,
            throughput=self.throughput,
            kms_key_id=self.kms_key_id,
        )
        return self


class NodeClassSettings(ConfigModel):
    """``nodeClasses.<name>``: one Auto Mode ``NodeClass``."""

    subnet_ids: tuple[str, ...] | None = Field(default=None, description="Subnets by ID (subnet-...).")
    subnet_tags: dict[str, str] | None = Field(default=None, description="Subnets by tags.")
    security_group_ids: tuple[str, ...] | None = Field(default=None, description="Security groups by ID (sg-...).")
    security_group_tags: dict[str, str] | None = Field(default=None, description="Security groups by tags.")
    security_group_names: tuple[str, ...] | None = Field(default=None, description="Security groups by name.")
    snat_policy: SnatPolicy | None = Field(default=None, description="Random or Disabled source NAT for pods.")
    network_policy: NetworkPolicyDefault | None = Field(default=None, description="Default network policy.")
    network_policy_event_logs: NetworkPolicyEventLogs | None = Field(
        default=None, description="Network policy event logs: Enabled or Disabled."
    )
    ephemeral_storage: EphemeralStorageSettings | None = Field(default=None, description="The node's root volume.")
    tags: dict[str, str] = Field(default_factory=dict, description="Tags on the EC2 instances.")

    def _terms(self, ids: str, tags: str, names: str | None = None) -> list[SelectorTerm]:
        """The selector terms of the fields ``ids``, ``tags`` and ``names``; a bad term is reported at its key."""
        given: list[tuple[str, Any]] = [
            (f"{self.model_fields[ids].alias}[{i}]", lambda v=value: SelectorTerm.by_id(v))
            for i, value in enumerate(getattr(self, ids) or ())
        ]
        given += [
            (f"{self.model_fields[names].alias}[{i}]", lambda v=value: SelectorTerm.by_name(v))
            for i, value in enumerate(getattr(self, names) or ())
        ] if names else []
        if getattr(self, tags) is not None:
            given.append((str(self.model_fields[tags].alias), lambda: SelectorTerm.by_tags(getattr(self, tags))))
        terms: list[SelectorTerm] = []
        problems: list[str] = []
        for key, make in given:
            try:
                terms.append(make())
            except ConfigError as error:
                problems += [f"{HERE}.{key}: {problem}" for problem in error.problems]
        check(problems)
        return terms

    def spec(self, name: str) -> NodeClassSpec:
        subnets = self._terms("subnet_ids", "subnet_tags")
        groups = self._terms("security_group_ids", "security_group_tags", "security_group_names")
        ephemeral = self.ephemeral_storage._value if self.ephemeral_storage is not None else None
        return build(
            NodeClassSettings,
            NodeClassSpec,
            fields={"subnets": "subnetIds", "security_groups": "securityGroupIds"},
            name=name,
            subnets=subnets or None,
            security_groups=groups or None,
            snat_policy=self.snat_policy,
            network_policy=self.network_policy,
            network_policy_event_logs=self.network_policy_event_logs,
            ephemeral_storage=ephemeral,
            tags=self.tags,
        )


class TaintSettings(ConfigModel):
    key: str = Field(description="Taint key (a qualified name such as example.com/team).")
    value: str | None = Field(default=None, description="Taint value.")
    effect: TaintEffect = Field(
        default=TaintEffect.NO_SCHEDULE, description="NoSchedule, PreferNoSchedule or NoExecute."
    )

    _value: Taint | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _build(self) -> Any:
        self._value = build(TaintSettings, Taint, key=self.key, value=self.value, effect=self.effect)
        return self

    def taint(self) -> Taint:
        assert self._value is not None  # set by the validator
        return self._value


class BudgetSettings(ConfigModel):
    nodes: str = Field(default="10%", description="Nodes that may be disrupted at once: a count or a percentage.")
    schedule: str | None = Field(default=None, description="Cron schedule of the window (with duration).")
    duration: str | None = Field(default=None, description="Window length such as 8h or 1h30m (with schedule).")
    reasons: tuple[DisruptionReason, ...] = Field(default=(), description="Disruptions the budget limits.")

    _value: DisruptionBudget | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _build(self) -> Any:
        self._value = build(
                BudgetSettings,
                DisruptionBudget,
                nodes=self.nodes,
                schedule=self.schedule,
                duration=self.duration,
                reasons=self.reasons,
            )
        return self

    def budget(self) -> DisruptionBudget:
        assert self._value is not None  # set by the validator
        return self._value


class RequirementSettings(ConfigModel):
    key: str = Field(description="Node label key.")
    operator: RequirementOperator = Field(description="In, NotIn, Exists, DoesNotExist, Gt or Lt.")
    values: tuple[str, ...] = Field(default=(), description="Label values.")
    min_values: int | None = Field(default=None, description="Minimum distinct values the scheduler must keep.")

    _value: Requirement | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _build(self) -> Any:
        self._value = build(
                RequirementSettings,
                Requirement,
                phrases={"needs at least one value": "values"},
                key=self.key,
                operator=self.operator,
                values=self.values,
                min_values=self.min_values,
            )
        return self

    def requirement(self) -> Requirement:
        assert self._value is not None  # set by the validator
        return self._value


class NodePoolSettings(ConfigModel):
    """``pools.<name>``: one Karpenter ``NodePool`` on Auto Mode."""

    node_class: str = Field(description="A node class under nodeClasses, or 'default' (Auto Mode's built-in class).")
    instance_categories: tuple[str, ...] = Field(default=(), description="Instance categories (c, m, r, ...).")
    instance_families: tuple[str, ...] = Field(default=(), description="Instance families (m7g, ...).")
    min_generation: int | None = Field(default=None, description="Lowest instance generation.")
    architectures: tuple[Architecture, ...] = Field(default=(), description="amd64 and/or arm64.")
    capacity_types: tuple[CapacityType, ...] = Field(default=(), description="spot and/or on-demand.")
    zones: tuple[str, ...] = Field(default=(), description="Availability zones.")
    requirements: tuple[RequirementSettings, ...] = Field(default=(), description="Further requirements.")
    labels: dict[str, str] = Field(default_factory=dict, description="Labels on the nodes.")
    taints: tuple[TaintSettings, ...] = Field(default=(), description="Taints on the nodes.")
    startup_taints: tuple[TaintSettings, ...] = Field(default=(), description="Taints removed once nodes are ready.")
    cpu_limit: Quantity = Field(default=None, description="Total CPU the pool may provision (256 or \"256\").")
    memory_limit: str | None = Field(default=None, description="Total memory the pool may provision (1024Gi).")
    consolidation_policy: ConsolidationPolicy | None = Field(
        default=None, description="WhenEmpty or WhenEmptyOrUnderutilized."
    )
    consolidate_after: str | None = Field(default=None, description="Wait before consolidating (30s, Never).")
    budgets: tuple[BudgetSettings, ...] = Field(default=(), description="Disruption budgets.")
    expire_after: str | None = Field(default=None, description="Node lifetime, at most 504h (EKS's cap).")
    termination_grace_period: str | None = Field(default=None, description="How long a draining node waits.")
    weight: int | None = Field(default=None, description="Priority among pools (1-100).")

    def spec(self, name: str) -> NodePoolSpec:
        return build(
            NodePoolSettings,
            NodePoolSpec,
            name=name,
            node_class=self.node_class,
            instance_categories=self.instance_categories,
            instance_families=self.instance_families,
            min_generation=self.min_generation,
            architectures=self.architectures,
            capacity_types=self.capacity_types,
            zones=self.zones,
            requirements=[r.requirement() for r in self.requirements],
            labels=self.labels,
            taints=[t.taint() for t in self.taints],
            startup_taints=[t.taint() for t in self.startup_taints],
            cpu_limit=self.cpu_limit,
            memory_limit=self.memory_limit,
            consolidation_policy=self.consolidation_policy,
            consolidate_after=self.consolidate_after,
            budgets=[b.budget() for b in self.budgets],
            expire_after=self.expire_after,
            termination_grace_period=self.termination_grace_period,
            weight=self.weight,
        )


class NodePoolsConfig(ConfigModel):
    """The ``nodePools`` context section (see README "Kubernetes objects"): the arguments of ``AutoModeNodePools``."""

    node_class_settings: dict[str, NodeClassSettings] = Field(
        default_factory=dict, alias="nodeClasses", description="Custom Auto Mode NodeClasses by name."
    )
    pool_settings: dict[str, NodePoolSettings] = Field(
        default_factory=dict, alias="pools", description="Custom NodePools by name."
    )
    node_role_name: str | None = Field(
        default=None, description="IAM role name of the custom classes' nodes. Default: a generated name."
    )

    _classes: tuple[NodeClassSpec, ...] = PrivateAttr(default=())
    _pools: tuple[NodePoolSpec, ...] = PrivateAttr(default=())

    @field_validator("node_role_name")
    @classmethod
    def _role(cls, value: str | None) -> str | None:
        if value is not None:
            check(role_name_problems(HERE, value))
        return value

    @model_validator(mode="after")
    def _build(self) -> NodePoolsConfig:
        problems: list[str] = []
        classes: list[NodeClassSpec] = []
        for name, class_settings in self.node_class_settings.items():
            node_class, found = attempt(class_settings.spec, name)
            problems += under(f"nodeClasses.{name}", found)
            classes += [node_class] if node_class is not None else []
        pools: list[NodePoolSpec] = []
        for name, pool_settings in self.pool_settings.items():
            node_pool, found = attempt(pool_settings.spec, name)
            problems += under(f"pools.{name}", found)
            pools += [node_pool] if node_pool is not None else []
            problems += node_class_reference_problems(
                f"{HERE}.pools.{name}.nodeClass", pool_settings.node_class, self.node_class_settings
            )
        check(problems)
        self._classes = tuple(classes)
        self._pools = tuple(pools)
        return self

    @property
    def node_classes(self) -> tuple[NodeClassSpec, ...]:
        return self._classes

    @property
    def node_pools(self) -> tuple[NodePoolSpec, ...]:
        return self._pools


def parse_node_pools_config(setting: str, raw: Any, problems: list[str]) -> NodePoolsConfig | None:
    """Validate a ``nodePools`` object on its own; problems (each naming ``<setting>.<key>``) are appended.

    Shape: ``{"nodeClasses": {<name>: {...}}, "pools": {<name>: {"nodeClass": ..., ...}}, "nodeRoleName": ...}``.
    """
    config, found = section_problems(NodePoolsConfig, raw, root=setting)
    problems += found
    return config
