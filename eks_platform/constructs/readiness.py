"""What an add-on needs at synth: the cluster's compute and the add-ons it requires (one hook per cluster).

Split from ``addons.py``, which creates and registers add-ons with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks
from constructs import IConstruct, IDependable

from eks_platform._internal.synth_hooks import on_prepare
from eks_platform._internal.tree import node_of, remember
from eks_platform.constructs.registry import ClusterRegistry

if TYPE_CHECKING:  # type-only: addons.py imports this module
    from eks_platform.constructs.addons import ManagedAddon

#: CloudFormation types that make up a cluster's compute: add-ons that need nodes wait for them. Access entries count
#: only when they let nodes join (any type but ``STANDARD``, e.g. ``EC2``, ``EC2_LINUX``, ``HYBRID_LINUX``).
COMPUTE_RESOURCE_TYPES = frozenset({"AWS::EKS::Nodegroup", "AWS::EKS::FargateProfile", "AWS::EKS::AccessEntry"})


_COMPUTE_CLASSES = (eks.CfnNodegroup, eks.CfnFargateProfile, eks.CfnAccessEntry)


def _is_compute(resource: Any) -> bool:
    # isinstance on the jsii proxies first: a Python-side check, no round trip to the jsii kernel per construct
    if isinstance(resource, _COMPUTE_CLASSES):
        if isinstance(resource, eks.CfnAccessEntry):
            entry_type = resource.type
            return isinstance(entry_type, str) and entry_type != "STANDARD"
        return True
    # typed L1s of other services are subclasses of CfnResource; only a generic CfnResource can still be compute
    if type(resource) is not cdk.CfnResource:
        return False
    return remember(resource, "cfn_resource_type", lambda: resource.cfn_resource_type) in COMPUTE_RESOURCE_TYPES


def _compute_below(scope: IConstruct) -> list[IConstruct]:
    """The compute resources under ``scope``, from one ``find_all``.

    A ``cdk.CustomResource`` creates its generic ``CfnResource`` (id ``Default``, type ``Custom::...`` or
    ``AWS::CloudFormation::CustomResource``, never compute) as its first child, so in the pre-order list that
    resource comes right after it: its type is not read (aws-cdk-lib ``core/lib/custom-resource.ts``).
    """
    found: list[IConstruct] = []
    previous: Any = None
    for construct in node_of(scope).find_all():
        custom_default = type(construct) is cdk.CfnResource and isinstance(previous, cdk.CustomResource)
        if not custom_default and _is_compute(construct):
            found.append(construct)
        previous = construct
    return found


class _ComputeReadiness:
    """Adds, at synth, the dependencies every add-on of one cluster needs: the cluster's compute and the add-ons it
    requires.

    An aspect-phase hook (``synth_hooks.on_prepare``: the dependencies must exist before ``prepare`` turns them into
    ``DependsOn``) because compute (node groups, Fargate profiles, access entries) may be added after the add-on.
    There is one per cluster, registered with the first add-on's stack (:meth:`of`); later add-ons register with it
    as they are made, and at synth each compute scope is searched once for all of them, so n add-ons cost n, not n
    times the tree.
    """

    def __init__(self) -> None:
        self._addons: list[tuple[ManagedAddon, tuple[IConstruct, ...], tuple[IDependable, ...]]] = []

    @classmethod
    def of(cls, registry: ClusterRegistry, addon: ManagedAddon) -> _ComputeReadiness:
        """The cluster's hook, registered with ``addon``'s stack when it is the cluster's first add-on."""

        def first() -> _ComputeReadiness:
            # anchored on the add-on's L1, a leaf: called back for that one node, not for each construct below the
            # add-on (its Pod Identity role and policies)
            readiness = cls()
            on_prepare(addon, addon.addon, readiness.run)
            return readiness

        return remember(registry, "compute_readiness", first)

    def register(self, addon: ManagedAddon, scopes: Sequence[IConstruct], explicit: Sequence[IDependable]) -> None:
        self._addons.append((addon, tuple(scopes), tuple(explicit)))

    def run(self) -> None:
        compute: dict[int, list[IConstruct]] = {}  # per scope, found once for every add-on that searches it
        for addon, scopes, explicit in self._addons:
            self._wire(addon, scopes, explicit, compute)

    @staticmethod
    def _wire(
        addon: ManagedAddon,
        scopes: tuple[IConstruct, ...],
        explicit: tuple[IDependable, ...],
        compute: dict[int, list[IConstruct]],
    ) -> None:
        depends_on: list[IDependable] = []
        if addon.entry.needs_nodes:
            seen: set[int] = set()
            for scope in scopes:
                if id(scope) not in compute:
                    compute[id(scope)] = _compute_below(scope)
                for child in compute[id(scope)]:
                    if id(child) not in seen:  # jsii gives one Python object per construct
                        seen.add(id(child))
                        depends_on.append(child)
            depends_on += explicit
        registry = ClusterRegistry.of(addon.cluster)
        for required in addon.entry.requires:
            other = registry.addon_objects.get(required)
            if other is not None:
                depends_on.append(other.addon)
            else:
                cdk.Annotations.of(addon).add_warning_v2(
                    "eks-platform:addon-requires",
                    f"add-on {addon.addon_name} needs {required} in the cluster, and this app does not install it "
                    f"as an add-on. Install {required} first (add_addon('{required}')) or make sure it is already "
                    f"there: {addon.entry.docs}",
                )
        if depends_on:  # one call for all of them (and none when there are none)
            node_of(addon.addon).add_dependency(*depends_on)
