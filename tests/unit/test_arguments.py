"""The constructs' keyword arguments: a wrong type is an unambiguous spelling (accepted) or a ConfigError naming it.

Never an AttributeError, a TypeError, a jsii SerializationError, or a silently different result.
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_eks_v2 as eks
from hypothesis import given, settings
from hypothesis import strategies as st

from eks_platform import AutoModeCluster, ConfigError, EndpointAccess
from eks_platform._internal import arguments as args
from eks_platform._internal.tags import MAX_TAGS, TAG_KEY_MAX, TAG_VALUE_MAX, aws_tag_problems
from eks_platform._internal.versions import SupportType
from tests.support import new_stack

CIDRS = ["203.0.113.0/24"]


def _cluster(**kwargs: Any) -> AutoModeCluster:
    return AutoModeCluster(new_stack(), "Cluster", **kwargs)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("public", EndpointAccess.PUBLIC),
        ("public-and-private", EndpointAccess.PUBLIC_AND_PRIVATE),
        (EndpointAccess.PUBLIC, EndpointAccess.PUBLIC),
        (eks.EndpointAccess.PUBLIC, EndpointAccess.PUBLIC),
        (eks.EndpointAccess.PUBLIC_AND_PRIVATE, EndpointAccess.PUBLIC_AND_PRIVATE),
    ],
)
def test_endpoint_access_accepts_its_value_and_the_aws_eks_v2_constant(given: Any, expected: EndpointAccess) -> None:
    cluster = _cluster(endpoint_access=given, endpoint_public_cidrs=CIDRS)
    assert cluster.endpoint_access is expected
    vpc_config = cdk.Stack.of(cluster).resolve(cluster.cfn_cluster.resources_vpc_config)
    assert vpc_config["endpointPrivateAccess"] is (expected is not EndpointAccess.PUBLIC)


def test_endpoint_access_accepts_the_private_aws_eks_v2_constant() -> None:
    assert _cluster(endpoint_access=eks.EndpointAccess.PRIVATE).endpoint_access is EndpointAccess.PRIVATE


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"endpoint_access": "open"}, r"endpoint_access 'open' is not an EndpointAccess; use one of"),
        ({"endpoint_access": "PUBLIC", "endpoint_public_cidrs": CIDRS}, r"endpoint_access 'PUBLIC' is not a"),
        (
            {"endpoint_access": eks.EndpointAccess.PUBLIC_AND_PRIVATE.only_from("198.51.100.0/24")},
            r"restricted with only_from\(\); pass the mode .* as endpoint_public_cidrs",
        ),
        ({"kubectl": "false"}, r"kubectl must be True or False, got str 'false'"),
        ({"deletion_protection": 0}, r"deletion_protection must be True or False, got int 0"),
        ({"zonal_shift": None}, r"zonal_shift must be True or False"),
        ({"allow_public_endpoint_from_anywhere": "yes"}, r"allow_public_endpoint_from_anywhere must be True or False"),
        ({"endpoint_public_cidrs": "203.0.113.0/24"}, r"endpoint_public_cidrs must be a list of strings, got the str"),
        ({"admin_principal_arns": "arn:aws:iam::111111111111:role/x"}, r"admin_principal_arns must be a list"),
        ({"built_in_node_pools": "system"}, r"built_in_node_pools must be a list of strings"),
        ({"availability_zones": ["us-east-1a", 7]}, r"availability_zones\[1\] must be a string, got int 7"),
        ({"version": 1.32}, r"version must be an eks.KubernetesVersion or a string such as '1.32', got float"),
        ({"upgrade_support_type": "LONG"}, r"upgrade_support_type 'LONG' is not a SupportType"),
        ({"removal_policy": "retain"}, r"removal_policy must be a cdk.RemovalPolicy, got str"),
        ({"logging_types": ["api"]}, r"logging_types\[0\] must be eks.ClusterLoggingTypes members"),
        ({"tags": {"AWS:team": "x"}}, r"tags key 'AWS:team' starts with 'aws:'"),
        ({"tags": "team=x"}, r"tags must be a mapping of tag key to value"),
    ],
)
def test_fails_when_a_cluster_argument_has_the_wrong_type(kwargs: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern) as error:
        _cluster(**kwargs)
    assert error.value.code == "InvalidClusterSettings"


def test_upgrade_support_type_accepts_its_value() -> None:
    cluster = _cluster(version="1.35", upgrade_support_type="STANDARD")
    assert cluster.support is not None and cluster.support.support_type is SupportType.STANDARD


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"hosted_zone_ids": "Z123"}, r"hosted_zone_ids must be a list of strings, got the string 'Z123'; wrap it"),
        ({"hosted_zone_ids": ["Z123", 5]}, r"hosted_zone_ids\[1\] must be a string"),
        ({"preserve_on_delete": "false"}, r"preserve_on_delete must be True or False"),
        ({"extra_capacity": "true"}, r"extra_capacity must be True or False"),
        ({"resolve_conflicts": "sometimes"}, r"resolve_conflicts 'sometimes' is not a ResolveConflicts"),
        ({"kubernetes_version": "1.33"}, r"kubernetes_version '1.33' differs from the cluster's Kubernetes version"),
    ],
)
def test_fails_when_an_addon_argument_has_the_wrong_type(kwargs: dict[str, Any], pattern: str) -> None:
    cluster = _cluster()
    with pytest.raises(ConfigError, match=pattern):
        cluster.add_addon("external-dns", **{"hosted_zone_ids": ["Z0123456789ABCDEFGHIJ"], **kwargs})


def test_an_addon_takes_the_cluster_version_when_it_is_repeated() -> None:
    cluster = _cluster()
    addon = cluster.add_addon("metrics-server", kubernetes_version="1.32")
    assert addon.pin is not None


# -- the rules, table and property tests ---------------------------------------------------------------------------
@pytest.mark.parametrize("value", [True, False])
def test_bool_rule_accepts_booleans(value: bool) -> None:
    assert args.bool_problems("flag", value) == []


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(), st.integers(), st.none(), st.floats(), st.lists(st.booleans())))
def test_bool_rule_refuses_everything_else(value: object) -> None:
    assert args.bool_problems("flag", value) == [
        f"flag must be True or False, got {type(value).__name__} {value!r}"
    ]


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(), st.binary()))
def test_a_lone_string_is_never_a_list_of_strings(value: str | bytes) -> None:
    (problem,) = args.string_sequence_problems("zones", value)
    assert problem.startswith("zones must be a list of strings")


@settings(max_examples=300, deadline=None)
@given(
    tags=st.dictionaries(
        st.one_of(st.text(max_size=140), st.sampled_from(["aws:x", "AWS:x", "Aws:Team", "team", ""])),
        st.one_of(st.text(max_size=270), st.just("x" * 257)),
        max_size=55,
    )
)
def test_aws_tag_rule_against_an_independent_oracle(tags: dict[str, str]) -> None:
    """Oracle: the limits as AWS documents them, written out here in plain Python."""
    allowed = set("_.:/=+-@")

    def text_ok(text: str) -> bool:
        return all(c.isalnum() or c.isspace() or c in allowed or c == "_" for c in text)

    expected_ok = len(tags) <= MAX_TAGS and all(
        1 <= len(k) <= TAG_KEY_MAX
        and len(value) <= TAG_VALUE_MAX
        and not k.lower().startswith("aws:")
        and text_ok(k)
        and text_ok(value)
        for k, value in tags.items()
    )
    assert (aws_tag_problems("tags", tags) == []) == expected_ok


@pytest.mark.parametrize(
    ("tags", "pattern"),
    [
        ({"aWs:owner": "x"}, r"starts with 'aws:'"),
        ({"": "x"}, r"key '' is 0 characters; allowed 1 to 128"),
        ({"k" * 129: "x"}, r"is 129 characters; allowed 1 to 128"),
        ({"k": "v" * 257}, r"value of 'k' is 257 characters; allowed 0 to 256"),
        ({f"k{i}": "v" for i in range(51)}, r"has 51 tags; AWS allows at most 50"),
        ({"team#1": "x"}, r"key 'team#1' has characters AWS tags do not allow"),
        ({"team": "a,b"}, r"value 'a,b' has characters AWS tags do not allow"),
    ],
)
def test_aws_tag_rule_names_each_limit(tags: dict[str, str], pattern: str) -> None:
    assert any(re.search(pattern, p) for p in aws_tag_problems("tags", tags)), aws_tag_problems("tags", tags)


@pytest.mark.parametrize("tags", [{"team": "data platform"}, {"cost-center": "1234", "owner": "a@example.com"}])
def test_aws_tag_rule_accepts_ordinary_tags(tags: dict[str, str]) -> None:
    assert aws_tag_problems("tags", tags) == []


def test_stack_tags_in_cdk_json_follow_the_aws_tag_rules() -> None:
    from eks_platform.config import parse_platform_config

    with pytest.raises(ConfigError, match=r"platform\.tags key 'Aws:created-by' starts with 'aws:'"):
        parse_platform_config({"tags": {"Aws:created-by": "me"}}, environ={})


def test_fails_when_manifest_delivery_names_another_kubernetes_version() -> None:
    from eks_platform.constructs.manifests import ManifestDelivery

    cluster = _cluster()
    with pytest.raises(ConfigError, match=r"kubernetes_version '1.33' differs from the cluster's Kubernetes version "
                       r"'1.32'"):
        ManifestDelivery(cdk.Stack.of(cluster), "Manifests", cluster=cluster, kubernetes_version="1.33")


def test_fails_when_hybrid_nodes_name_another_kubernetes_version() -> None:
    from eks_platform.constructs.hybrid import HybridNetworks, HybridNodes

    stack = new_stack()
    networks = HybridNetworks(node_cidrs=["192.168.100.0/24"], pod_cidrs=["192.168.128.0/20"])
    cluster = AutoModeCluster(stack, "Cluster", hybrid_networks=networks, kubectl=True)
    with pytest.raises(ConfigError, match=r"kubernetes_version '1.31' differs from the cluster's Kubernetes version"):
        HybridNodes(stack, "Hybrid", cluster=cluster, kubernetes_version="1.31")


# -- VPC shape ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "pattern"),
    [
        ({"availabilityZones": []}, r"platform\.availabilityZones \[\] names 0 distinct zone\(s\); EKS needs"),
        ({"availabilityZones": ["us-east-1a"]}, r"names 1 distinct zone\(s\)"),
        ({"availabilityZones": ["us-east-1a", "us-east-1a"]}, r"lists a zone twice"),
        ({"availabilityZones": ["io2", "us-east-1b"]}, r"platform\.availabilityZones\[0\] 'io2' is not an availability "
         r"zone of the stack's region us-east-1"),
        ({"availabilityZones": ["eu-west-1a", "eu-west-1b"]}, r"'eu-west-1a' is not an availability zone of the"),
        ({"vpcCidr": "10.0.0.0/12"}, r"platform\.vpcCidr '10\.0\.0\.0/12' is a /12; Amazon VPC accepts /16 to /28"),
        ({"vpcCidr": "10.0.0.0/17"}, r"platform\.vpcCidr '10\.0\.0\.0/17' has 32768 addresses; .* 3 zones"),
    ],
)
def test_fails_when_the_vpc_shape_is_wrong(raw: dict[str, Any], pattern: str) -> None:
    from eks_platform.config import parse_platform_config

    with pytest.raises(ConfigError, match=pattern):
        parse_platform_config(raw, environ={})


def test_two_zones_fit_a_slash_17() -> None:
    from eks_platform.config import parse_platform_config

    config = parse_platform_config(
        {"vpcCidr": "10.0.0.0/17", "availabilityZones": ["eu-west-1a", "eu-west-1b"], "region": "eu-west-1"},
        environ={},
    )
    assert config.availability_zones == ("eu-west-1a", "eu-west-1b")


def test_the_cluster_checks_the_zones_of_its_new_vpc() -> None:
    with pytest.raises(ConfigError, match=r"availability_zones\[1\] 'us-west-2b' is not an availability zone"):
        _cluster(availability_zones=["us-east-1a", "us-west-2b"])


# -- service CIDR ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cidr", "pattern"),
    [
        ("100.64.0.0/16", r"service_ipv4_cidr '100\.64\.0\.0/16' is not inside 10\.0\.0\.0/8, 172\.16\.0\.0/12"),
        ("172.0.0.0/11", r"is not inside"),
        ("10.96.0.0/25", r"service_ipv4_cidr '10\.96\.0\.0/25' is a /25; EKS takes /12 to /24"),
        ("10.0.0.0/20", r"service_ipv4_cidr '10\.0\.0\.0/20' overlaps the VPC CIDR 10\.0\.0\.0/16"),
    ],
)
def test_fails_when_the_service_cidr_is_not_a_private_range_outside_the_vpc(cidr: str, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        _cluster(service_ipv4_cidr=cidr)


@settings(max_examples=100, deadline=None)
@given(prefix=st.integers(8, 30), base=st.sampled_from(["10.0.0.0", "172.16.0.0", "192.168.0.0", "100.64.0.0"]))
def test_service_cidr_rule_against_ipaddress(prefix: int, base: str) -> None:
    import ipaddress

    from eks_platform._internal.cluster import service_cidr_problems

    net = ipaddress.ip_network(f"{base}/{prefix}", strict=False)
    private = any(net.subnet_of(ipaddress.ip_network(p)) for p in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
    inside_vpc = net.overlaps(ipaddress.ip_network("10.0.0.0/16"))
    ok = private and 12 <= prefix <= 24 and not inside_vpc
    assert (service_cidr_problems("s", str(net), vpc_cidrs=["10.0.0.0/16"]) == []) is ok


def test_an_imported_vpc_without_a_cidr_skips_the_checks() -> None:
    from aws_cdk import aws_ec2 as ec2

    stack = new_stack()
    vpc = ec2.Vpc.from_vpc_attributes(
        stack, "Vpc", vpc_id="vpc-12345678", availability_zones=["us-east-1a", "us-east-1b"],
        private_subnet_ids=["subnet-1", "subnet-2"],
    )
    cluster = AutoModeCluster(stack, "Cluster", vpc=vpc, service_ipv4_cidr="172.20.0.0/16")
    assert cluster.vpc is vpc
    warnings = [m.data for m in cluster.node.metadata if m.type == "aws:cdk:warning"]
    assert any("imported without vpc_cidr_block" in str(w) for w in warnings), warnings


# -- Kubernetes quantities and eviction values ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"cpu_limit": "-1"}, r"cpu_limit '-1' has a sign; a limit is a quantity without one"),
        ({"cpu_limit": "+8"}, r"cpu_limit '\+8' has a sign"),
        ({"memory_limit": "1024"}, r"memory_limit '1024' has no unit, which means bytes; write the unit"),
    ],
)
def test_node_pool_limits_are_unsigned_and_memory_has_a_unit(kwargs: dict[str, Any], pattern: str) -> None:
    from eks_platform.constructs.node_pools import NodePoolSpec

    with pytest.raises(ConfigError, match=pattern):
        NodePoolSpec(name="batch", node_class="batch", **kwargs)


@pytest.mark.parametrize("memory", ["1024Gi", "1e12", "500M"])
def test_a_memory_limit_with_a_unit_or_an_exponent_is_accepted(memory: str) -> None:
    from eks_platform.constructs.node_pools import NodePoolSpec

    assert NodePoolSpec(name="batch", node_class="batch", memory_limit=memory).memory_limit == memory


@pytest.mark.parametrize(("value", "ok"), [("5%", True), ("100%", True), ("7.5%", True), ("101%", False),
                                           ("-5%", False), ("100Mi", True), ("5", True)])
def test_kubelet_eviction_accepts_percentages(value: str, ok: bool) -> None:
    from eks_platform._internal.hybrid.kubelet import KubeletInputs, kubelet_problems

    problems = kubelet_problems(KubeletInputs(eviction_hard_memory=value))
    assert (problems == []) is ok, problems


def test_a_percentage_eviction_is_refused_with_the_static_memory_manager() -> None:
    from eks_platform._internal.hybrid.kubelet import KubeletInputs, kubelet_problems

    problems = kubelet_problems(KubeletInputs(
        memory_manager_policy="Static", kube_reserved_memory="1Gi", reserved_memory={0: "2Gi"},
        eviction_hard_memory="5%",
    ))
    assert any("is a percentage, but the Static memory manager" in p for p in problems), problems
