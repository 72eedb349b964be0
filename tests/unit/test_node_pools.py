"""Custom Auto Mode capacity: NodeClass/NodePool rendering and rules, the node role, access entry, deletion order."""

from __future__ import annotations

import contextlib
from typing import Any

import cdk8s
import pytest
from aws_cdk.assertions import Annotations, Match
from hypothesis import given, settings
from hypothesis import strategies as st

from eks_platform._internal.node_pools import (
    BUILT_IN_NODE_POOLS,
    built_in_node_pool_problems,
    node_class_reference_problems,
    role_name_problems,
)
from eks_platform.config import parse_platform_config
from eks_platform.config.node_pools import parse_node_pools_config
from eks_platform.constructs.cluster import AutoModeCluster, BuiltInNodePool
from eks_platform.constructs.manifests import PlatformChart
from eks_platform.constructs.node_pools import (
    Architecture,
    CapacityType,
    ConsolidationPolicy,
    DisruptionBudget,
    EphemeralStorage,
    NodeClass,
    NodeClassSpec,
    NodePool,
    NodePoolSpec,
    Requirement,
    RequirementOperator,
    SelectorTerm,
    Taint,
    TaintEffect,
)
from eks_platform.errors import ConfigError
from eks_platform.stacks.app import REFERENCE_STACK_NAME
from tests.k8s_support import mutated
from tests.support import cdk_json_context, new_stack, resources_of

SUBNETS = [SelectorTerm.by_id("subnet-0123456789abcdef0")]
GROUPS = [SelectorTerm.by_tags({"aws:eks:cluster-name": "demo"})]


def chart() -> PlatformChart:
    return PlatformChart(cdk8s.App(), "Pools", kubernetes_version="1.32")


def pool(**kwargs: Any) -> NodePoolSpec:
    kwargs.setdefault("name", "batch")
    kwargs.setdefault("node_class", "default")
    return NodePoolSpec(**kwargs)


def render_pool(spec: NodePoolSpec) -> dict[str, Any]:
    c = chart()
    NodePool(c, "P", spec=spec)
    (obj,) = c.to_json()
    return obj


# -- NodePool rendering --------------------------------------------------------------------------------------------
def test_typed_settings_become_requirements_on_auto_mode_labels() -> None:
    obj = render_pool(
        pool(
            instance_categories=["c", "m"],
            instance_families=["m7g"],
            min_generation=6,
            architectures=[Architecture.ARM64],
            capacity_types=[CapacityType.SPOT, CapacityType.ON_DEMAND],
            zones=["us-east-1a"],
        )
    )
    assert obj["apiVersion"] == "karpenter.sh/v1"
    assert obj["spec"]["template"]["spec"]["nodeClassRef"] == {
        "group": "eks.amazonaws.com",
        "kind": "NodeClass",
        "name": "default",
    }
    assert obj["spec"]["template"]["spec"]["requirements"] == [
        {"key": "eks.amazonaws.com/instance-category", "operator": "In", "values": ["c", "m"]},
        {"key": "eks.amazonaws.com/instance-family", "operator": "In", "values": ["m7g"]},
        {"key": "eks.amazonaws.com/instance-generation", "operator": "Gt", "values": ["5"]},
        {"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]},
        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot", "on-demand"]},
        {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["us-east-1a"]},
    ]


def test_taints_labels_limits_disruption_and_lifetime_render_where_karpenter_reads_them() -> None:
    obj = render_pool(
        pool(
            labels={"workload": "batch"},
            taints=[Taint(key="workload", value="batch")],
            startup_taints=[Taint(key="example.com/init", effect=TaintEffect.NO_EXECUTE)],
            cpu_limit=100,
            memory_limit="400Gi",
            consolidation_policy=ConsolidationPolicy.WHEN_EMPTY,
            consolidate_after="5m",
            budgets=[DisruptionBudget(nodes="2", schedule="0 9 * * 1-5", duration="8h")],
            expire_after="504h",
            termination_grace_period="2h",
            weight=10,
        )
    )
    spec = obj["spec"]
    assert spec["template"]["metadata"] == {"labels": {"workload": "batch"}}
    template_spec = spec["template"]["spec"]
    assert template_spec["taints"] == [{"key": "workload", "effect": "NoSchedule", "value": "batch"}]
    assert template_spec["startupTaints"] == [{"key": "example.com/init", "effect": "NoExecute"}]
    assert (template_spec["expireAfter"], template_spec["terminationGracePeriod"]) == ("504h", "2h")
    assert spec["limits"] == {"cpu": "100", "memory": "400Gi"}
    assert spec["disruption"] == {
        "consolidationPolicy": "WhenEmpty",
        "consolidateAfter": "5m",
        "budgets": [{"nodes": "2", "schedule": "0 9 * * 1-5", "duration": "8h"}],
    }
    assert spec["weight"] == 10


def test_unset_settings_are_left_to_auto_mode_defaults() -> None:
    spec = render_pool(pool())["spec"]
    assert spec == {
        "template": {
            "spec": {
                "nodeClassRef": {"group": "eks.amazonaws.com", "kind": "NodeClass", "name": "default"},
                "requirements": [],
            }
        }
    }


# -- NodePool rules ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"expire_after": "600h"}, r"expire_after '600h' is 25.0 days; EKS Auto Mode caps .* 21 days"),
        ({"expire_after": "21d"}, r"expire_after '21d' is not a duration"),
        ({"expire_after": "Never"}, r"'Never' has no effect"),
        ({"instance_categories": ["q"]}, r"instance_categories has 'q', which is not an instance category"),
        ({"labels": {"team name": "a"}}, r"label key 'team name' is not a valid Kubernetes qualified name"),
        ({"labels": {"-bad/x": "a"}}, r"has an invalid prefix"),
        ({"labels": {"kubernetes.io/role": "a"}}, r"reserved for Kubernetes and Karpenter"),
        ({"labels": {"karpenter.sh/nodepool": "a"}}, r"set by Auto Mode itself"),
        ({"labels": {"team": "a b"}}, r"is not a valid Kubernetes label value"),
        ({"architectures": ["x86"]}, r"architectures\[0\] 'x86' is not an Architecture; use one of"),
        ({"capacity_types": ["reserved-ish"]}, r"capacity_types\[0\] 'reserved-ish' is not a CapacityType; use one of"),
        ({"weight": 0}, r"weight 0 must be a whole number from 1 to 100"),
        ({"memory_limit": "lots"}, r"memory_limit 'lots' is not a Kubernetes quantity"),
        ({"consolidate_after": "soon"}, r"consolidate_after 'soon' is not a duration"),
        ({"name": "Batch"}, r"not a DNS-1123 subdomain"),
    ],
)
def test_fails_when_a_node_pool_setting_is_invalid(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        pool(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"key": "example.com/x", "operator": RequirementOperator.IN}, "operator In needs at least one value"),
        (
            {"key": "example.com/x", "operator": RequirementOperator.GT, "values": ["a"]},
            "exactly one non-negative integer",
        ),
        (
            {"key": "example.com/x", "operator": RequirementOperator.IN, "values": ["a"], "min_values": 2},
            "min_values 2 is more",
        ),
        ({"key": "kubernetes.io/os", "operator": RequirementOperator.IN, "values": ["linux"]}, "Linux only"),
        ({"key": "karpenter.sh/nodepool", "operator": RequirementOperator.EXISTS}, "restricted by Karpenter"),
        ({"key": "example.com/x", "operator": "Like", "values": ["a"]},
         "operator 'Like' is not a RequirementOperator; use one of"),
    ],
)
def test_fails_when_a_requirement_breaks_karpenter_rules(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Requirement(**kwargs)


def test_fails_when_a_budget_has_a_schedule_without_duration() -> None:
    with pytest.raises(ConfigError, match="schedule and duration must be set together"):
        DisruptionBudget(nodes="10%", schedule="@daily")


def test_fails_when_a_node_pool_references_a_node_class_that_does_not_exist() -> None:
    c = chart()
    NodeClass(c, "C", spec=NodeClassSpec(name="general", subnets=SUBNETS, security_groups=GROUPS), role_name="Nodes")
    with pytest.raises(ConfigError, match=r"node_class 'batch' does not exist \(node classes defined: 'general'\)"):
        NodePool(c, "P", spec=pool(node_class="batch"))


# -- NodeClass -----------------------------------------------------------------------------------------------------
def test_node_class_renders_role_name_selectors_and_options() -> None:
    c = chart()
    NodeClass(
        c,
        "C",
        spec=NodeClassSpec(
            name="batch",
            subnets=SUBNETS,
            security_groups=GROUPS,
            ephemeral_storage=EphemeralStorage(size="160Gi", iops=6000, throughput=250),
            tags={"team": "data"},
        ),
        role_name="BatchNodes",
    )
    (obj,) = c.to_json()
    assert obj["apiVersion"] == "eks.amazonaws.com/v1"
    assert obj["spec"] == {
        "role": "BatchNodes",
        "subnetSelectorTerms": [{"id": "subnet-0123456789abcdef0"}],
        "securityGroupSelectorTerms": [{"tags": {"aws:eks:cluster-name": "demo"}}],
        "ephemeralStorage": {"size": "160Gi", "iops": 6000, "throughput": 250},
        "tags": {"team": "data"},
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "default"}, "'default' is Auto Mode's built-in NodeClass"),
        ({"subnets": [SelectorTerm.by_id("sg-123")]}, "'sg-123' is not a subnet ID"),
        ({"subnets": [SelectorTerm.by_name("private")]}, "select subnets by tags or ID"),
        ({"subnets": []}, "subnets is empty"),
        ({"snat_policy": "Sometimes"}, "snat_policy 'Sometimes' is not a SnatPolicy; use one of"),
        ({"tags": {"eks.amazonaws.com/nodeclass": "x"}}, "reserved by EKS Auto Mode"),
    ],
)
def test_fails_when_a_node_class_setting_is_invalid(kwargs: dict[str, Any], message: str) -> None:
    kwargs.setdefault("name", "batch")
    with pytest.raises(ConfigError, match=message):
        NodeClassSpec(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": "60000Gi"}, "must be 1-59000Gi"),
        ({"iops": 20000}, "iops 20000 must be"),
        ({"throughput": 100}, "throughput 100 must be"),
    ],
)
def test_fails_when_ephemeral_storage_is_out_of_range(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        EphemeralStorage(**kwargs)


def test_fails_when_a_selector_term_has_two_selectors() -> None:
    with pytest.raises(ConfigError, match="exactly one of tags, resource_id or name"):
        SelectorTerm(tags={"a": "b"}, resource_id="subnet-1")


# -- AutoModeNodePools in the reference stack ---------------------------------------------------------------------
def test_node_role_is_trusted_by_ec2_with_the_auto_mode_node_policies(reference_templates: dict[str, Any]) -> None:
    template = reference_templates[REFERENCE_STACK_NAME]
    role = template["Resources"]["NodePoolsNodeRole22A44DE6"]
    statement = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement == [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}]
    policies = [p["Fn::Join"][1][-1] for p in role["Properties"]["ManagedPolicyArns"]]
    assert policies == [
        ":iam::aws:policy/AmazonEKSWorkerNodeMinimalPolicy",
        ":iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    ]


def test_node_role_has_an_ec2_access_entry_with_the_auto_node_policy(reference_templates: dict[str, Any]) -> None:
    template = reference_templates[REFERENCE_STACK_NAME]
    entry = template["Resources"]["NodePoolsNodeAccessEntry3EF990E5"]["Properties"]
    assert entry["Type"] == "EC2"
    assert entry["PrincipalArn"] == {"Fn::GetAtt": ["NodePoolsNodeRole22A44DE6", "Arn"]}
    (policy,) = entry["AccessPolicies"]
    assert policy["AccessScope"] == {"Type": "cluster"}
    assert policy["PolicyArn"]["Fn::Join"][1][-1] == ":eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy"


def test_node_classes_are_deleted_before_their_role_and_access_entry(reference_templates: dict[str, Any]) -> None:
    template = reference_templates[REFERENCE_STACK_NAME]
    (manifest,) = [
        r for lid, r in template["Resources"].items()
        if lid.startswith("ClusterManifestsNodePoolsNodeClassbatch") and r["Type"].startswith("Custom::")
    ]
    assert '"kind":"NodeClass"' in manifest["Properties"]["Manifest"]
    # CloudFormation deletes a resource before the resources it depends on.
    assert {"NodePoolsNodeRole22A44DE6", "NodePoolsNodeAccessEntry3EF990E5"} <= set(manifest["DependsOn"])


def test_node_class_names_the_role_by_its_literal_name(reference_app: dict[str, Any]) -> None:
    stack = reference_app["stacks"][REFERENCE_STACK_NAME]
    role_name = reference_app["templates"][REFERENCE_STACK_NAME]["Resources"]["NodePoolsNodeRole22A44DE6"][
        "Properties"
    ]["RoleName"]
    (node_class,) = [o for o in stack.node_pools.chart.to_json() if o["kind"] == "NodeClass"]
    assert node_class["spec"]["role"] == role_name == stack.node_pools.node_role_name
    assert len(role_name) <= 64


def test_default_selectors_use_tagged_private_subnets_and_the_cluster_security_group(
    reference_app: dict[str, Any],
) -> None:
    stack = reference_app["stacks"][REFERENCE_STACK_NAME]
    template = reference_app["templates"][REFERENCE_STACK_NAME]
    (node_class,) = [o for o in stack.node_pools.chart.to_json() if o["kind"] == "NodeClass"]
    assert node_class["spec"]["subnetSelectorTerms"] == [{"tags": {"eks-platform.io/auto-mode-nodes": "eks-platform"}}]
    assert node_class["spec"]["securityGroupSelectorTerms"] == [{"tags": {"aws:eks:cluster-name": "eks-platform"}}]
    tagged = [
        logical_id
        for logical_id, subnet in resources_of(template, "AWS::EC2::Subnet").items()
        if {"Key": "eks-platform.io/auto-mode-nodes", "Value": "eks-platform"} in subnet["Properties"]["Tags"]
    ]
    private = [s.node.default_child for s in stack.cluster.vpc.private_subnets]
    assert sorted(tagged) == sorted(stack.get_logical_id(s) for s in private)


def test_reference_node_pool_is_spot_arm64_and_tainted_for_batch(reference_app: dict[str, Any]) -> None:
    stack = reference_app["stacks"][REFERENCE_STACK_NAME]
    spec = stack.node_pools.node_pools["batch"].spec
    assert spec.capacity_types == (CapacityType.SPOT,)
    assert spec.architectures == (Architecture.ARM64,)
    assert spec.taints == (Taint(key="workload", value="batch", effect=TaintEffect.NO_SCHEDULE),)


def test_render_only_warns_that_node_classes_must_go_before_cdk_destroy(reference_render_only: dict[str, Any]) -> None:
    Annotations.from_stack(reference_render_only["stack"]).has_warning(
        "/EksPlatform/NodePools", Match.string_like_regexp("must remove roles from instance profile first")
    )
    # the role and its access entry still exist (GitOps applies the NodeClasses that need them)
    assert {"NodePoolsNodeRole22A44DE6", "NodePoolsNodeAccessEntry3EF990E5"} <= set(
        reference_render_only["template"]["Resources"]
    )


# -- config --------------------------------------------------------------------------------------------------------
def test_parses_the_node_pools_config() -> None:
    problems: list[str] = []
    config = parse_node_pools_config(
        "platform.nodePools",
        {
            "nodeClasses": {
                "batch": {
                    "subnetIds": ["subnet-0abc"],
                    "securityGroupNames": ["nodes"],
                    "ephemeralStorage": {"size": "100Gi"},
                }
            },
            "pools": {
                "batch": {
                    "nodeClass": "batch",
                    "taints": [{"key": "workload", "value": "batch"}],
                    "budgets": [{"nodes": "1", "reasons": ["Drifted"]}],
                    "requirements": [{"key": "eks.amazonaws.com/instance-cpu", "operator": "In", "values": ["4", "8"]}],
                }
            },
            "nodeRoleName": "batch-nodes",
        },
        problems,
    )
    assert problems == []
    assert config is not None
    (node_class,) = config.node_classes
    assert node_class.subnets == (SelectorTerm.by_id("subnet-0abc"),)
    assert node_class.security_groups == (SelectorTerm.by_name("nodes"),)
    (node_pool,) = config.node_pools
    assert node_pool.taints == (Taint(key="workload", value="batch"),)
    assert config.node_role_name == "batch-nodes"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"pools": {"a": {"nodeClass": "missing"}}}, "pools.a.nodeClass 'missing' does not exist"),
        ({"pools": {"a": {"nodeClass": "default", "expireAfter": "1000h"}}}, "caps a node's lifetime at 21 days"),
        ({"pools": {"a": {"nodeClass": "default", "instanceCategories": ["zz"]}}}, "'zz', which is not an instance"),
        ({"pools": {"a": {"nodeClass": "default", "labels": {"bad key": "x"}}}}, "not a valid Kubernetes qualified"),
        ({"pools": {"a": {"nodeClass": "default", "taints": [{"key": "k", "effect": "Never"}]}}}, "effect 'Never'"),
        ({"pools": {"a": {}}}, "platform.nodePools.pools.a.nodeClass is required"),
        ({"nodeClasses": {"default": {}}}, "'default' is Auto Mode's built-in NodeClass"),
        ({"pool": {}}, "unknown key 'pool'; did you mean 'pools'?"),
    ],
)
def test_fails_when_the_node_pools_config_is_invalid(raw: dict[str, Any], message: str) -> None:
    problems: list[str] = []
    assert parse_node_pools_config("platform.nodePools", raw, problems) is None
    assert any(message in p for p in problems), problems


# -- properties ----------------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.tuples(st.integers(0, 800), st.sampled_from("smh")), min_size=1, max_size=3))
def test_expire_after_accepts_durations_up_to_21_days(parts: list[tuple[int, str]]) -> None:
    text = "".join(f"{n}{unit}" for n, unit in parts)
    seconds = sum(n * {"s": 1, "m": 60, "h": 3600}[unit] for n, unit in parts)  # oracle: Go duration arithmetic
    try:
        pool(expire_after=text)
    except ConfigError:
        assert seconds > 21 * 24 * 3600
    else:
        assert seconds <= 21 * 24 * 3600


@settings(max_examples=200, deadline=None)
@given(key=st.text(max_size=80), value=st.one_of(st.text(max_size=70), st.integers(), st.none(), st.floats()))
def test_arbitrary_labels_raise_config_error_and_nothing_else(key: str, value: object) -> None:
    with contextlib.suppress(ConfigError):
        built = pool(labels={key: value})
        assert built.labels == {key: value}


@settings(max_examples=300, deadline=None)
@given(raw=mutated(cdk_json_context()["platform"]["nodePools"]))
def test_node_pools_config_reports_problems_and_raises_nothing(raw: Any) -> None:
    problems: list[str] = []
    result = parse_node_pools_config("platform.nodePools", raw, problems)
    assert (result is None) == bool(problems)


# -- rules shared by the constructs and the cdk.json parser --------------------------------------------------------
def test_the_built_in_pool_rule_knows_the_pools_of_the_cluster_construct() -> None:
    assert tuple(p.value for p in BuiltInNodePool) == BUILT_IN_NODE_POOLS


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["system", "general-purpose"], []),
        ([], []),
        (
            ["gpu"],
            [
                "pools[0] 'gpu' is not an Auto Mode built-in node pool; allowed: system, general-purpose (define other "
                "pools as custom NodePools)"
            ],
        ),
        (["system", "system"], ["pools lists 'system' twice; list each pool once"]),
    ],
)
def test_built_in_pool_rule(names: list[str], expected: list[str]) -> None:
    assert built_in_node_pool_problems("pools", names) == expected


def test_the_config_and_the_cluster_report_a_built_in_pool_in_one_wording() -> None:
    with pytest.raises(ConfigError) as from_config:
        parse_platform_config({"builtInNodePools": ["system", "gpu"]}, environ={})
    problem = "[1] 'gpu' is not an Auto Mode built-in node pool; allowed: system, general-purpose"
    assert any(p.startswith("platform.builtInNodePools" + problem) for p in from_config.value.problems)
    with pytest.raises(ConfigError) as from_cluster:
        AutoModeCluster(new_stack(), "Cluster", built_in_node_pools=["system", "gpu"])
    assert any(p.startswith("built_in_node_pools" + problem) for p in from_cluster.value.problems)


def test_the_config_and_the_construct_report_a_missing_node_class_in_one_wording() -> None:
    problems: list[str] = []
    parse_node_pools_config("platform.nodePools", {"pools": {"a": {"nodeClass": "gone"}}}, problems)
    assert problems == node_class_reference_problems("platform.nodePools.pools.a.nodeClass", "gone", [])
    c = chart()
    with pytest.raises(ConfigError) as from_construct:
        NodePool(c, "P", spec=pool(node_class="gone"))
    assert list(from_construct.value.problems) == node_class_reference_problems(
        "node pool 'batch' in chart 'Pools': node_class", "gone", []
    )


@pytest.mark.parametrize("name", ["nodes", "a.b@c+d=e,f_g-h", "x" * 64])
def test_role_name_rule_accepts_iam_role_names(name: str) -> None:
    assert role_name_problems("role", name) == []


@pytest.mark.parametrize("name", ["", "x" * 65, "a/b", "arn:aws:iam::111111111111:role/x", 7, None])
def test_role_name_rule_rejects_what_is_not_a_role_name(name: object) -> None:
    assert role_name_problems("role", name) == [
        f"role {name!r} is not an IAM role name (1-64 of letters, digits, +=,.@_-)"
    ]
