"""The EKS Auto Mode ``NodeClass`` (``eks.amazonaws.com/v1``): its settings and the cdk8s construct that renders them.

A NodeClass tells Auto Mode how to launch nodes: the node IAM role, subnets, security groups, SNAT and network policy
defaults, the node volume and EC2 tags. :class:`AutoModeNodePools` creates the role and fills in subnet and security
group defaults.

See: https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import cdk8s
from constructs import Construct

from eks_platform._internal import k8s_api
from eks_platform._internal import validation as v
from eks_platform._internal.node_pools import BUILT_IN_NODE_CLASS, role_name_problems
from eks_platform._internal.tags import aws_tag_problems
from eks_platform._internal.tree import created, path_of
from eks_platform.constructs.keywords import check_fields, checked_keywords, checked_value
from eks_platform.errors import ConfigError, raise_if_problems

__all__ = [
    "BUILT_IN_NODE_CLASS",
    "NODE_CLASS_API_VERSION",
    "EphemeralStorage",
    "NetworkPolicyDefault",
    "NetworkPolicyEventLogs",
    "NodeClass",
    "NodeClassSpec",
    "SelectorTerm",
    "SnatPolicy",
    "node_class_names",
]

NODE_CLASS_API_VERSION = "eks.amazonaws.com/v1"
_NODE_CLASS_RESTRICTED_TAGS = (
    "karpenter.sh/provisioner-name",
    "karpenter.sh/nodepool",
    "karpenter.sh/nodeclaim",
    "karpenter.sh/managed-by",
    "eks.amazonaws.com/nodeclass",
)
_SUBNET_ID = re.compile(r"subnet-[0-9a-z]+", re.ASCII)
_SG_ID = re.compile(r"sg-[0-9a-z]+", re.ASCII)
_EPHEMERAL_SIZE = re.compile(r"([0-9]+)(Gi|G|Ti|T)", re.ASCII)
_EPHEMERAL_MAX = {"Gi": 59000, "G": 64000, "Ti": 58, "T": 64}


class SnatPolicy(str, Enum):
    RANDOM = "Random"
    DISABLED = "Disabled"


class NetworkPolicyDefault(str, Enum):
    DEFAULT_ALLOW = "DefaultAllow"
    DEFAULT_DENY = "DefaultDeny"


class NetworkPolicyEventLogs(str, Enum):
    DISABLED = "Disabled"
    ENABLED = "Enabled"


@checked_value("InvalidSelectorTerm")
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
        check_fields(self, "InvalidSelectorTerm")
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


@checked_value("InvalidNodeClass")
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
        check_fields(self, "InvalidNodeClass")
        problems = []
        if self.size is not None:
            match = _EPHEMERAL_SIZE.fullmatch(self.size) if isinstance(self.size, str) else None
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


@checked_value("InvalidNodeClass")
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
        check_fields(self, "InvalidNodeClass")
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
            terms = v.store_tuple(self, attr)
            if not terms:
                problems.append(f"{setting} {attr} is empty; give at least one selector term or leave it unset")
            for term in terms:
                if not isinstance(term, SelectorTerm):
                    problems.append(f"{setting} {attr} must hold SelectorTerm values, got {term!r}")
                    continue
                if term.resource_id is not None:
                    pattern = _SUBNET_ID if attr == "subnets" else _SG_ID
                    rid = term.resource_id
                    if not isinstance(rid, str) or (not v.is_unresolved(rid) and not pattern.fullmatch(rid)):
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
                problems += v.enum_problems(f"{setting} {attr}", value, enum_cls)
                object.__setattr__(self, attr, v.coerce_enum(value, enum_cls))
        if self.ephemeral_storage is not None and not isinstance(self.ephemeral_storage, EphemeralStorage):
            problems.append(f"{setting} ephemeral_storage must be an EphemeralStorage")
        if not isinstance(self.tags, Mapping):
            problems.append(f"{setting} tags must be a mapping of strings, got {type(self.tags).__name__}")
        else:
            problems += aws_tag_problems(f"{setting} tags", self.tags)
            for key in self.tags:
                if isinstance(key, str) and (
                    key in _NODE_CLASS_RESTRICTED_TAGS or key.startswith("kubernetes.io/cluster/")
                ):
                    problems.append(f"{setting} tag {key!r} is reserved by EKS Auto Mode; use another tag key")
        raise_if_problems("InvalidNodeClass", problems)
        object.__setattr__(self, "tags", dict(sorted(self.tags.items())))


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

    @checked_keywords("InvalidNodeClass")
    def __init__(self, scope: Construct, construct_id: str, *, spec: NodeClassSpec, role_name: str) -> None:
        super().__init__(scope, construct_id)
        created(self, scope, construct_id)
        problems = []
        if not isinstance(spec, NodeClassSpec):
            raise ConfigError("InvalidNodeClass", f"spec must be a NodeClassSpec, got {type(spec).__name__}")
        problems += role_name_problems("role_name", role_name, allow_unresolved=True)
        if not spec.subnets:
            problems.append(f"node class {spec.name!r} needs subnet selector terms (spec.subnets)")
        if not spec.security_groups:
            problems.append(f"node class {spec.name!r} needs security group selector terms (spec.security_groups)")
        raise_if_problems("InvalidNodeClass", problems, path=lambda: path_of(self))
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
        self.api_object = k8s_api.new_api_object(
            self,
            "Resource",
            {"apiVersion": NODE_CLASS_API_VERSION, "kind": "NodeClass", "metadata": {"name": spec.name}, "spec": body},
        )
        # node.default_child is left unset: the child with id "Resource" is the default child by convention
        # (constructs' Node.defaultChild, https://github.com/aws/constructs/blob/10.x/src/construct.ts).


def node_class_names(chart: cdk8s.Chart, *, rescan: bool = False) -> list[str]:
    """The names of the Auto Mode NodeClasses already in ``chart`` (from its object index, see
    ``k8s_api.known_objects``; ``rescan`` reads the chart's tree again)."""
    return k8s_api.object_names(chart, group="eks.amazonaws.com", kind="NodeClass", rescan=rescan)
