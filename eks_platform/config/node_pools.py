"""The ``nodePools`` section of the ``platform`` context object: custom Auto Mode NodeClasses and NodePools.

Each cdk.json object becomes the value object the constructs take (:class:`NodeClassSpec`, :class:`NodePoolSpec`, ...);
their own checks run, and every problem comes back prefixed with its cdk.json path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eks_platform._internal import validation as v
from eks_platform._internal.node_pools import node_class_reference_problems, role_name_problems
from eks_platform.constructs.node_pools import (
    DisruptionBudget,
    EphemeralStorage,
    NodeClassSpec,
    NodePoolSpec,
    Requirement,
    SelectorTerm,
    Taint,
)
from eks_platform.errors import ConfigError

__all__ = ["NodePoolsConfig", "parse_node_pools_config"]

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
    """The ``nodePools`` context section (see README "Kubernetes objects"): the arguments of ``AutoModeNodePools``."""

    node_classes: tuple[NodeClassSpec, ...] = ()
    node_pools: tuple[NodePoolSpec, ...] = ()
    node_role_name: str | None = None


# Keys a config object must have, per value object (their other fields have defaults).
_REQUIRED: dict[Any, tuple[str, ...]] = {Taint: ("key",), Requirement: ("key", "operator")}


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
    class_names = [c.name for c in classes]
    for pool in pools:
        found += node_class_reference_problems(f"{setting}.pools.{pool.name}.nodeClass", pool.node_class, class_names)
    role_name = raw.get("nodeRoleName")
    if role_name is not None:
        found += role_name_problems(f"{setting}.nodeRoleName", role_name)
    problems += found
    if found:
        return None
    return NodePoolsConfig(node_classes=tuple(classes), node_pools=tuple(pools), node_role_name=role_name)
