"""Every public construct's keyword arguments: a wrong type is a ConfigError naming the keyword, never a crash.

The table gives each construct (and value object) valid keyword arguments; for each of its keywords the test puts in
one value of a wrong type, chosen from the annotation by the rules below (written out here, independent of the
library's checker), and expects a ``ConfigError`` whose message names the keyword. The property test puts random
junk of random types into any keyword and accepts a ``ConfigError`` or success, nothing else.
"""

from __future__ import annotations

import collections.abc
import contextlib
import inspect
import itertools
import os
import re
import types
import typing
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any

import aws_cdk as cdk
import cdk8s
import pytest
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eks_platform import (
    AckCapability,
    AddonPodIdentity,
    AlbIngressChart,
    AlbIngressClass,
    ArgoCdBootstrap,
    ArgoCdBootstrapChart,
    ArgoCdCapability,
    ArgoCdRole,
    AutoModeCluster,
    AutoModeNodePools,
    ClusterContract,
    ConfigError,
    DisruptionBudget,
    EbsDriver,
    EbsStorage,
    EbsVolumeClaim,
    EphemeralStorage,
    Gp3StorageClass,
    HybridCredentials,
    HybridKubeletConfig,
    HybridNetworks,
    HybridNodes,
    IamRolesAnywhereOptions,
    IdentityCenter,
    KroCapability,
    ManifestDelivery,
    NodeClass,
    NodeClassSpec,
    NodePool,
    NodePoolSpec,
    PipelineWave,
    PlatformChart,
    PlatformClusterReference,
    PlatformPipeline,
    PodIdentity,
    RbacRoleMapping,
    Requirement,
    RequirementOperator,
    RetiredStack,
    SelectorTerm,
    SharedPodIdentityRole,
    SsmActivationOptions,
    SsoIdentity,
    StorageChart,
    Taint,
    TaintEffect,
    Team,
    TeamLimitRange,
    VolumeAttributesClass,
    VolumeTier,
    add_addon_pod_identity,
    add_pod_identity_agent,
    grant_with_session_tags,
)
from tests.support import new_app, new_stack

NODE, POD = "192.168.100.0/24", "192.168.128.0/20"
IDC = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
GROUP = "906739b3-1234-5678-9abc-def012345678"
ARGOCD_ROLE = "arn:aws:iam::111111111111:role/argocd-capability"
CONNECTION = "arn:aws:codeconnections:eu-west-1:444444444444:connection/0a1b2c3d-1111-2222-3333-444455556666"
ANCHOR = "arn:aws:rolesanywhere:us-east-1:111111111111:trust-anchor/0c8b2a3e-1d2f-4a5b-9c8d-7e6f5a4b3c2d"
_ids = itertools.count()


def _id() -> str:
    return f"K{next(_ids)}"


class _Env:
    """One stack with one cluster (kubectl, hybrid networks) and one manifest delivery, shared by every case: each
    case adds its constructs under fresh ids."""

    def __init__(self) -> None:
        self.app = new_app()
        self.stack = new_stack(self.app, "KeywordTypes")
        self.cluster = AutoModeCluster(
            self.stack, "Cluster", cluster_name="kw", kubectl=True,
            hybrid_networks=HybridNetworks(node_cidrs=[NODE], pod_cidrs=[POD]),
        )
        self.delivery = ManifestDelivery(self.stack, "Manifests", cluster=self.cluster, kubernetes_version="1.32")
        self.role = iam.Role.from_role_arn(self.stack, "Existing", "arn:aws:iam::111111111111:role/existing")
        self.addon = eks.CfnAddon(self.stack, "Addon", addon_name="aws-efs-csi-driver", cluster_name="kw")
        self.argocd = ArgoCdCapability(
            self.stack, "ArgoCd", cluster=self.cluster, identity_center=IdentityCenter(instance_arn=IDC),
            role_mappings=[RbacRoleMapping(role=ArgoCdRole.ADMIN, identities=(SsoIdentity.group(GROUP),))],
        )
        self.stage = cdk.Stage(self.app, "Dev", env=cdk.Environment(account="222222222222", region="eu-west-1"))
        cdk.Stack(self.stage, "Workload").add_metadata("purpose", "a stage with one stack")

    def scope(self) -> cdk.Stack:
        return self.stack

    def chart(self) -> PlatformChart:
        return PlatformChart(cdk8s.App(), "Chart", kubernetes_version="1.32")


@pytest.fixture(scope="module", autouse=True)
def _scratch_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Run this module in a scratch directory: junk given as a manifests directory (a relative path) is written
    below the working directory, which must not be the checkout."""
    before = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("keyword-junk"))
    try:
        yield
    finally:
        os.chdir(before)


@pytest.fixture(scope="module")
def env(_scratch_directory: None) -> _Env:
    return _Env()


def _construct(cls: Callable[..., Any], scope: Callable[[_Env], Any], base: Callable[[_Env], dict[str, Any]]) -> Any:
    return lambda e, **kw: cls(scope(e), _id(), **{**base(e), **kw})


def _call(fn: Callable[..., Any], base: Callable[[_Env], dict[str, Any]]) -> Any:
    return lambda e, **kw: fn(**{**base(e), **kw})


#: name -> (the callable whose signature is checked, a maker (env, **overrides) -> result)
TABLE: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "PodIdentity": (PodIdentity, _construct(PodIdentity, _Env.scope, lambda e: {
        "cluster": e.cluster, "namespace": "apps", "service_account": f"sa-{next(_ids)}"})),
    "SharedPodIdentityRole": (SharedPodIdentityRole, _construct(SharedPodIdentityRole, _Env.scope, lambda e: {
        "cluster": e.cluster, "bindings": [("apps", "shared-a"), ("apps", "shared-b")]})),
    "add_pod_identity": (AutoModeCluster.add_pod_identity, lambda e, **kw: e.cluster.add_pod_identity(
        **{"namespace": "apps", "service_account": f"sa-{next(_ids)}", **kw})),
    "add_addon_pod_identity": (add_addon_pod_identity, _call(add_addon_pod_identity, lambda e: {
        "addon": e.addon, "cluster": e.cluster.cluster, "namespace": "kube-system",
        "service_account": f"efs-{next(_ids)}"})),
    "grant_with_session_tags": (grant_with_session_tags, _call(grant_with_session_tags, lambda e: {
        "grantee": iam.Role(e.stack, _id(), assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com")),
        "actions": ["s3:GetObject"], "resources": ["*"]})),
    "AddonPodIdentity": (AddonPodIdentity, _call(AddonPodIdentity, lambda e: {"service_account": "sa"})),
    "Gp3StorageClass": (Gp3StorageClass, _construct(Gp3StorageClass, _Env.chart, lambda e: {
        "name": "gp3", "driver": EbsDriver.AUTO_MODE})),
    "VolumeAttributesClass": (VolumeAttributesClass, _construct(VolumeAttributesClass, _Env.chart, lambda e: {
        "tier": VolumeTier.standard(), "driver": EbsDriver.AUTO_MODE})),
    "EbsVolumeClaim": (EbsVolumeClaim, _construct(EbsVolumeClaim, _Env.chart, lambda e: {
        "name": "data", "storage_class": "gp3", "size_gib": 100})),
    "StorageChart": (StorageChart, _construct(StorageChart, lambda e: cdk8s.App(), lambda e: {
        "kubernetes_version": "1.32", "driver": EbsDriver.AUTO_MODE})),
    "EbsStorage": (EbsStorage, lambda e, **kw: EbsStorage(e.stack, _id(), **{
        "delivery": e.delivery, "chart_id": f"Storage{next(_ids)}", **kw})),
    "VolumeTier": (VolumeTier, _call(VolumeTier, lambda e: {"name": "tier", "iops": 4000})),
    "HybridNodes": (HybridNodes, lambda e, **kw: _hybrid_nodes(**kw)),
    "HybridNetworks": (HybridNetworks, _call(HybridNetworks, lambda e: {"node_cidrs": [NODE], "pod_cidrs": [POD]})),
    "HybridKubeletConfig": (HybridKubeletConfig, _call(HybridKubeletConfig, lambda e: {
        "single_process_oom_kill": True})),
    "SsmActivationOptions": (SsmActivationOptions, _call(SsmActivationOptions, lambda e: {})),
    "IamRolesAnywhereOptions": (IamRolesAnywhereOptions, _call(IamRolesAnywhereOptions, lambda e: {
        "trust_anchor_arn": ANCHOR})),
    "HybridCredentials": (HybridCredentials, _call(HybridCredentials, lambda e: {"ssm": SsmActivationOptions()})),
    "AutoModeNodePools": (AutoModeNodePools, lambda e, **kw: AutoModeNodePools(e.stack, _id(), **{
        "delivery": e.delivery, "chart_id": f"Pools{next(_ids)}", "node_role_name": f"nodes-{next(_ids)}", **kw})),
    "NodeClassSpec": (NodeClassSpec, _call(NodeClassSpec, lambda e: {"name": "batch"})),
    "NodePoolSpec": (NodePoolSpec, _call(NodePoolSpec, lambda e: {"name": "batch", "node_class": "batch"})),
    "SelectorTerm": (SelectorTerm, _call(SelectorTerm, lambda e: {"tags": {"team": "batch"}})),
    "EphemeralStorage": (EphemeralStorage, _call(EphemeralStorage, lambda e: {"size": "100Gi"})),
    "Requirement": (Requirement, _call(Requirement, lambda e: {
        "key": "example.com/tier", "operator": RequirementOperator.IN, "values": ["a"]})),
    "Taint": (Taint, _call(Taint, lambda e: {"key": "example.com/gpu", "effect": TaintEffect.NO_SCHEDULE})),
    "DisruptionBudget": (DisruptionBudget, _call(DisruptionBudget, lambda e: {"nodes": "10%"})),
    "Team": (Team, lambda e, **kw: Team(e.stack, _id(), **{"cluster": e.cluster, "name": f"team-{next(_ids)}",
                                                           **kw})),
    "TeamLimitRange": (TeamLimitRange, _call(TeamLimitRange, lambda e: {"default": {"cpu": "500m"}})),
    "ArgoCdCapability": (ArgoCdCapability, lambda e, **kw: ArgoCdCapability(e.stack, _id(), **{
        "cluster": e.cluster, "identity_center": IdentityCenter(instance_arn=IDC),
        "role_mappings": [RbacRoleMapping(role=ArgoCdRole.ADMIN, identities=(SsoIdentity.group(GROUP),))], **kw})),
    "AckCapability": (AckCapability, _construct(AckCapability, _Env.scope, lambda e: {"cluster": e.cluster})),
    "KroCapability": (KroCapability, _construct(KroCapability, _Env.scope, lambda e: {"cluster": e.cluster})),
    "IdentityCenter": (IdentityCenter, _call(IdentityCenter, lambda e: {"instance_arn": IDC})),
    "PlatformClusterReference": (PlatformClusterReference, _construct(
        PlatformClusterReference, _Env.scope, lambda e: {"cluster_name": "shared", "kubernetes_version": "1.32"})),
    "ManifestDelivery": (ManifestDelivery, lambda e, **kw: ManifestDelivery(e.stack, _id(), **{
        "cluster": e.cluster, "kubernetes_version": "1.32", "output_name": f"out{next(_ids)}", **kw})),
    "PlatformChart": (PlatformChart, _construct(PlatformChart, lambda e: cdk8s.App(), lambda e: {
        "kubernetes_version": "1.32"})),
    "NodeClass": (NodeClass, _construct(NodeClass, _Env.chart, lambda e: {
        "spec": NodeClassSpec(name="batch"), "role_name": "nodes"})),
    "NodePool": (NodePool, _construct(NodePool, _Env.chart, lambda e: {
        "spec": NodePoolSpec(name="batch", node_class="batch")})),
    "AlbIngressChart": (AlbIngressChart, _construct(AlbIngressChart, lambda e: cdk8s.App(), lambda e: {
        "kubernetes_version": "1.32"})),
    "AlbIngressClass": (AlbIngressClass, lambda e, **kw: AlbIngressClass(e.stack, _id(), **{
        "delivery": e.delivery, "chart_id": f"Ingress{next(_ids)}", **kw})),
    "ArgoCdBootstrapChart": (ArgoCdBootstrapChart, _construct(ArgoCdBootstrapChart, lambda e: cdk8s.App(), lambda e: {
        "kubernetes_version": "1.32", "argocd_namespace": "argocd", "principal_arn": ARGOCD_ROLE,
        "cluster_arn": "arn:aws:eks:us-east-1:111111111111:cluster/kw", "name": "platform",
        "repository_url": "https://github.com/example-org/apps", "path": "apps", "synced_objects": []})),
    "ArgoCdBootstrap": (ArgoCdBootstrap, lambda e, **kw: _bootstrap(e, **kw)),
    "PlatformPipeline": (PlatformPipeline, _construct(PlatformPipeline, _Env.scope, lambda e: {
        "repository": "example-org/eks-platform", "connection_arn": CONNECTION,
        "waves": [PipelineWave(name="dev", stages=[e.stage])]})),
    "PipelineWave": (PipelineWave, _call(PipelineWave, lambda e: {"name": "dev", "stages": [e.stage]})),
    "RetiredStack": (RetiredStack, _call(RetiredStack, lambda e: {
        "stack_name": "qa-Workload", "account": "555555555555", "region": "eu-west-1"})),
    "ClusterContract": (ClusterContract, _construct(ClusterContract, _Env.scope, lambda e: {"cluster": e.cluster})),
    "RbacRoleMapping": (RbacRoleMapping, _call(RbacRoleMapping, lambda e: {
        "role": ArgoCdRole.ADMIN, "identities": (SsoIdentity.group(GROUP),)})),
    "SsoIdentity": (SsoIdentity, _call(SsoIdentity, lambda e: {"id": GROUP})),
    "add_pod_identity_agent": (add_pod_identity_agent, _call(add_pod_identity_agent, lambda e: {
        "cluster": e.cluster})),
}


def _bootstrap(e: _Env, **overrides: Any) -> ArgoCdBootstrap:
    """ArgoCdBootstrap adds a chart with a fixed id to its delivery: a delivery of its own each."""
    delivery = ManifestDelivery(e.stack, _id(), cluster=e.cluster, kubernetes_version="1.32",
                                output_name=f"argo{next(_ids)}")
    return ArgoCdBootstrap(e.stack, _id(), **{
        "delivery": delivery, "capability": e.argocd, "repository_url": "https://github.com/example-org/apps",
        "path": "apps", **overrides})


def _hybrid_nodes(**overrides: Any) -> HybridNodes:
    """HybridNodes attach add-ons and a CNI to their cluster: each gets a cluster of its own."""
    stack = new_stack(new_app(), "Hybrid")
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="edge", kubectl=True,
                              hybrid_networks=HybridNetworks(node_cidrs=[NODE], pod_cidrs=[POD]))
    return HybridNodes(stack, "Hybrid", **{"cluster": cluster, **overrides})


# -- the wrong value for an annotation, by independent rules ----------------------------------------------------------
_SEQUENCES = (list, tuple, collections.abc.Sequence)
_MAPPINGS = (dict, collections.abc.Mapping)


def _members(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for m in typing.get_args(annotation) if m is not type(None)]
    return [annotation]


def _wrong_value(annotation: Any) -> object:
    """Bool: the string "false". A list: a lone string (iterated it would be letters). A string or an enum: a float.
    A number: a numeric string. A mapping: a list. Anything else (a class, a jsii interface): a string."""
    members = _members(annotation)
    origins = [typing.get_origin(m) or m for m in members]
    takes_text = any(m is str or (isinstance(m, type) and issubclass(m, Enum)) for m in members)
    if all(m is bool for m in members):
        return "false"
    if any(o in _SEQUENCES for o in origins) and not takes_text:
        return "abc"
    if takes_text:
        return 2.5
    if any(m in (int, float) for m in members):
        return "7"
    if any(o in _MAPPINGS for o in origins):
        return ["key=value"]
    return "not-an-object"


def _keywords(fn: Callable[..., Any]) -> dict[str, Any]:
    if inspect.isclass(fn) and hasattr(fn, "__dataclass_fields__"):
        hints = typing.get_type_hints(fn)
        return {name: hints[name] for name in fn.__dataclass_fields__ if typing.get_origin(hints[name]) is not
                typing.ClassVar}
    target = fn.__init__ if inspect.isclass(fn) else fn
    hints = typing.get_type_hints(getattr(target, "__wrapped__", target))
    skip = {"self", "scope", "construct_id", "return"}
    return {name: hint for name, hint in hints.items() if name not in skip and hint is not Any}


CASES = [(label, keyword) for label, (fn, _) in TABLE.items() for keyword in _keywords(fn)]


def test_the_table_covers_every_public_keyword_checked_construct() -> None:
    import eks_platform

    checked = set()
    for name in eks_platform.__all__:
        value = getattr(eks_platform, name)
        init = getattr(value, "__init__", None) if inspect.isclass(value) else value
        post = getattr(value, "__post_init__", None)
        if hasattr(init, "__wrapped__") or (post is not None and "check_fields(self" in inspect.getsource(post)):
            checked.add(name)
    assert checked <= set(TABLE), sorted(checked - set(TABLE))
    assert len(CASES) > 250


@pytest.mark.parametrize(("label", "keyword"), CASES, ids=[f"{label}.{keyword}" for label, keyword in CASES])
def test_fails_when_a_keyword_has_the_wrong_type(env: _Env, label: str, keyword: str) -> None:
    fn, make = TABLE[label]
    annotation = _keywords(fn)[keyword]
    wrong = _wrong_value(annotation)
    with pytest.raises(ConfigError) as error:
        make(env, **{keyword: wrong})
    named = re.compile(rf"(^|[\s.(\[-]){re.escape(keyword)}(\b|\[)")
    assert any(named.search(p) for p in error.value.problems), (keyword, wrong, error.value.problems)
    assert any(repr(wrong)[:20] in p for p in error.value.problems), (wrong, error.value.problems)


@pytest.mark.parametrize(
    ("label", "keyword", "value"),
    [
        ("Gp3StorageClass", "driver", "ebs.csi.eks.amazonaws.com"),
        ("Gp3StorageClass", "reclaim_policy", "Delete"),
        ("NodePoolSpec", "capacity_types", ["spot"]),
        ("Requirement", "operator", "In"),
        ("Taint", "effect", "NoSchedule"),
        ("VolumeTier", "volume_type", "io2"),
        ("HybridNetworks", "node_cidrs", (NODE,)),
    ],
)
def test_an_unambiguous_spelling_of_a_valid_value_is_accepted(
    env: _Env, label: str, keyword: str, value: object
) -> None:
    _, make = TABLE[label]
    made = make(env, **{keyword: value})
    if hasattr(made, keyword) and isinstance(value, str):
        assert isinstance(getattr(made, keyword), Enum) and getattr(made, keyword).value == value


_JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True), st.text(max_size=12),
    st.binary(max_size=4), st.lists(st.text(max_size=6), max_size=3), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=6), st.one_of(st.text(max_size=6), st.integers()), max_size=2),
    st.tuples(st.text(max_size=4), st.text(max_size=4)), st.just(object()), st.sampled_from(list(EbsDriver)),
)
_CHEAP = [(label, keyword) for label, keyword in CASES if label not in ("HybridNodes",)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(case=st.sampled_from(_CHEAP), junk=_JUNK)
def test_junk_in_any_keyword_is_a_config_error_or_a_success(env: _Env, case: tuple[str, str], junk: object) -> None:
    label, keyword = case
    _, make = TABLE[label]
    with contextlib.suppress(ConfigError):  # a ConfigError or a success; anything else fails the test
        make(env, **{keyword: junk})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keyword=st.sampled_from([k for label, k in CASES if label == "HybridNodes"]), junk=_JUNK)
def test_junk_in_any_hybrid_nodes_keyword_is_a_config_error_or_a_success(keyword: str, junk: object) -> None:
    with contextlib.suppress(ConfigError):  # a ConfigError or a success; anything else fails the test
        _hybrid_nodes(**{keyword: junk})


@pytest.mark.parametrize("chart_id", ["", "Taken"])
def test_fails_when_a_chart_id_is_empty_or_taken(env: _Env, chart_id: str) -> None:
    if chart_id and env.delivery.app.node.try_find_child(chart_id) is None:
        TABLE["EbsStorage"][1](env, chart_id=chart_id)
    with pytest.raises(ConfigError, match=rf"chart id \(chart_id\) '{chart_id}' is empty or already taken"):
        TABLE["AutoModeNodePools"][1](env, chart_id=chart_id)


@pytest.mark.parametrize("action", ["s3", "s3:Get?bject", "s3:GetObject "])
def test_fails_when_a_session_tag_grant_action_is_no_iam_action(env: _Env, action: str) -> None:
    with pytest.raises(ConfigError, match=r"actions must be a non-empty list of IAM actions such as 's3:GetObject'"):
        TABLE["grant_with_session_tags"][1](env, actions=[action])


@pytest.mark.parametrize(
    ("label", "keywords", "pattern"),
    [
        ("VolumeTier", {"iopz": 4000},
         r"VolumeTier takes no keyword 'iopz' \(did you mean 'iops'\?\); its keywords are"),
        ("HybridKubeletConfig", {"max_pods": 50}, r"HybridKubeletConfig takes no keyword 'max_pods'"),
        ("NodePoolSpec", {"cpu_limits": "8"},
         r"NodePoolSpec takes no keyword 'cpu_limits' \(did you mean 'cpu_limit'\?\)"),
        ("PodIdentity", {"service_acount": "x"}, r"PodIdentity takes no keyword 'service_acount' \(did you mean "
         r"'service_account'\?\)"),
        ("EbsStorage", {"kms_keys": None}, r"EbsStorage takes no keyword 'kms_keys' \(did you mean 'kms_key'\?\)"),
    ],
)
def test_fails_when_a_keyword_is_misspelt(env: _Env, label: str, keywords: dict[str, Any], pattern: str) -> None:
    _, make = TABLE[label]
    with pytest.raises(ConfigError, match=pattern):
        make(env, **keywords)


def test_fails_when_a_required_field_of_a_value_object_is_missing() -> None:
    with pytest.raises(ConfigError, match=r"VolumeTier: missing a required .*argument: 'name'; its parameters are "
                       r"name"):
        VolumeTier()  # type: ignore[call-arg]
