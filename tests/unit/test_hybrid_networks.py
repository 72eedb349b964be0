"""HybridNetworks and the cluster-side hybrid rules (RemoteNetworkConfig on AutoModeCluster)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match

from eks_platform import AutoModeCluster, ConfigError, HybridNetworks
from tests.support import new_stack, only_resource, synth_stack

NODE = "192.168.100.0/24"
POD = "192.168.128.0/20"


# -- the value object -------------------------------------------------------------------------------------------
def test_stores_cidrs_as_tuples() -> None:
    networks = HybridNetworks(node_cidrs=[NODE], pod_cidrs=[POD])
    assert networks.node_cidrs == (NODE,) and networks.pod_cidrs == (POD,)
    assert networks.all_cidrs == (NODE, POD)


def test_pod_cidrs_are_optional() -> None:
    assert HybridNetworks(node_cidrs=["10.200.0.0/16"]).pod_cidrs == ()


@pytest.mark.parametrize("prefix_net", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "10.1.2.3/32"])
def test_accepts_rfc1918_from_slash_8_to_32(prefix_net: str) -> None:
    assert HybridNetworks(node_cidrs=[prefix_net]).node_cidrs == (prefix_net,)


def test_fails_when_public_cidr() -> None:
    with pytest.raises(ConfigError, match=r"node_cidrs\[0\] '8\.8\.8\.0/24' is not inside RFC 1918"):
        HybridNetworks(node_cidrs=["8.8.8.0/24"])


def test_fails_when_cgnat_cidr_and_says_why() -> None:
    with pytest.raises(ConfigError, match=r"pod_cidrs\[0\] '100\.64\.0\.0/16' is in the CGNAT.*RFC 1918") as error:
        HybridNetworks(node_cidrs=[NODE], pod_cidrs=["100.64.0.0/16"])
    assert "none lists 100.64.0.0/10" in str(error.value)


def test_fails_when_ipv6_cidr() -> None:
    with pytest.raises(ConfigError, match=r"node_cidrs\[0\] 'fd00::/64' is an IPv6 range"):
        HybridNetworks(node_cidrs=["fd00::/64"])


def test_fails_when_not_a_cidr() -> None:
    with pytest.raises(ConfigError, match=r"pod_cidrs\[1\] 'on-prem' is not a CIDR block"):
        HybridNetworks(node_cidrs=[NODE], pod_cidrs=[POD, "on-prem"])


def test_fails_when_host_bits_set() -> None:
    pattern = r"node_cidrs\[0\] '192\.168\.100\.7/24' has host bits set; use .*192\.168\.100\.0/24"
    with pytest.raises(ConfigError, match=pattern):
        HybridNetworks(node_cidrs=["192.168.100.7/24"])


def test_fails_when_prefix_shorter_than_slash_8() -> None:
    with pytest.raises(ConfigError, match=r"node_cidrs\[0\] '10\.0\.0\.0/7' is a /7; .*between /8 and /32"):
        HybridNetworks(node_cidrs=["10.0.0.0/7"])


def test_fails_when_16_cidrs_in_one_list() -> None:
    cidrs = [f"10.{i}.0.0/16" for i in range(16)]
    with pytest.raises(ConfigError, match=r"node_cidrs has 16 CIDRs; EKS allows at most 15"):
        HybridNetworks(node_cidrs=cidrs)


def test_accepts_15_cidrs_in_a_list() -> None:
    assert len(HybridNetworks(node_cidrs=[f"10.{i}.0.0/16" for i in range(15)]).node_cidrs) == 15


def test_fails_when_node_overlaps_pod_range() -> None:
    with pytest.raises(ConfigError, match=r"node_cidrs 192\.168\.0\.0/16 overlaps pod_cidrs 192\.168\.128\.0/20"):
        HybridNetworks(node_cidrs=["192.168.0.0/16"], pod_cidrs=[POD])


def test_fails_when_a_list_overlaps_itself() -> None:
    with pytest.raises(ConfigError, match=r"node_cidrs entries 10\.0\.0\.0/16 and 10\.0\.128\.0/17 overlap"):
        HybridNetworks(node_cidrs=["10.0.0.0/16", "10.0.128.0/17"])


def test_fails_when_a_cidr_is_listed_twice() -> None:
    with pytest.raises(ConfigError, match=r"node_cidrs lists 10\.9\.0\.0/16 twice"):
        HybridNetworks(node_cidrs=["10.9.0.0/16", "10.9.0.0/16"])


def test_fails_when_node_cidrs_empty() -> None:
    with pytest.raises(ConfigError, match=r"node_cidrs is empty"):
        HybridNetworks(node_cidrs=[])


def test_fails_when_node_cidrs_is_a_string() -> None:
    with pytest.raises(ConfigError, match=r"node_cidrs must be a list"):
        HybridNetworks(node_cidrs="10.0.0.0/16")  # type: ignore[arg-type]


def test_reports_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as error:
        HybridNetworks(node_cidrs=["8.8.8.0/24", "10.0.0.1/16"], pod_cidrs=["100.64.0.0/10"])
    assert error.value.code == "InvalidHybridNetworks"
    assert len(error.value.problems) == 3


def test_skips_unresolved_tokens() -> None:
    token = cdk.Token.as_string(cdk.Fn.import_value("OnPremNodes"))
    networks = HybridNetworks(node_cidrs=[token, NODE], pod_cidrs=[POD])
    assert networks.node_cidrs == (token, NODE)


def test_tokens_count_towards_the_15_limit() -> None:
    tokens = [cdk.Token.as_string(cdk.Fn.import_value(f"N{i}")) for i in range(16)]
    with pytest.raises(ConfigError, match="has 16 CIDRs"):
        HybridNetworks(node_cidrs=tokens)


# -- cross rules with a cluster (pure) -------------------------------------------------------------------------------
def test_fails_when_overlapping_the_vpc() -> None:
    problems = HybridNetworks(node_cidrs=["10.0.8.0/22"]).cluster_problems(vpc_cidrs=["10.0.0.0/16"])
    assert problems == [
        "hybrid node_cidrs 10.0.8.0/22 overlaps the VPC CIDR 10.0.0.0/16; remote networks must be outside the cluster "
        "VPC; use the on-premises range, not a VPC range"
    ]


def test_fails_when_overlapping_the_explicit_service_cidr() -> None:
    problems = HybridNetworks(node_cidrs=[NODE], pod_cidrs=["172.30.0.0/16"]).cluster_problems(
        vpc_cidrs=["10.0.0.0/16"], service_ipv4_cidr="172.30.0.0/20"
    )
    assert len(problems) == 1 and problems[0].startswith("hybrid pod_cidrs 172.30.0.0/16 overlaps service_ipv4_cidr")


@pytest.mark.parametrize(
    ("vpc", "service"), [("10.0.0.0/16", "172.20.0.0/16"), ("192.168.0.0/20", "10.100.0.0/16")]
)
def test_derives_the_default_service_cidr_from_the_vpc(vpc: str, service: str) -> None:
    networks = HybridNetworks(node_cidrs=["172.31.0.0/24" if vpc.startswith("192") else NODE], pod_cidrs=[service])
    problems = networks.cluster_problems(vpc_cidrs=[vpc])
    assert len(problems) == 1 and f"overlaps the EKS default service CIDR {service}" in problems[0]


def test_default_service_cidr_not_guessed_when_vpc_unknown() -> None:
    token = cdk.Token.as_string(cdk.Fn.import_value("VpcCidr"))
    networks = HybridNetworks(node_cidrs=[NODE], pod_cidrs=["172.20.0.0/16"])
    assert networks.cluster_problems(vpc_cidrs=[token]) == []
    warning = networks.service_cidr_warning(vpc_cidrs=[token], service_ipv4_cidr=None)
    assert warning is not None and "Set service_ipv4_cidr explicitly" in warning


def test_fails_when_public_and_private_endpoint() -> None:
    problems = HybridNetworks(node_cidrs=[NODE]).cluster_problems(
        endpoint_public_access=True, endpoint_private_access=True
    )
    assert len(problems) == 1 and "public-and-private" in problems[0]


@pytest.mark.parametrize(("public", "private"), [(True, False), (False, True)])
def test_accepts_public_only_or_private_only(public: bool, private: bool) -> None:
    networks = HybridNetworks(node_cidrs=[NODE])
    assert networks.cluster_problems(endpoint_public_access=public, endpoint_private_access=private) == []


def test_fails_when_authentication_mode_is_config_map() -> None:
    problems = HybridNetworks(node_cidrs=[NODE]).cluster_problems(authentication_mode="CONFIG_MAP")
    assert len(problems) == 1 and "authentication mode 'CONFIG_MAP'" in problems[0]


def test_fails_when_ipv6_cluster() -> None:
    problems = HybridNetworks(node_cidrs=[NODE]).cluster_problems(ip_family="ipv6")
    assert len(problems) == 1 and "need ipv4" in problems[0]


# -- AutoModeCluster wiring --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hybrid_cluster_template() -> dict[str, Any]:
    stack = new_stack(name="HybridNetworksCluster")
    AutoModeCluster(stack, "Cluster", hybrid_networks=HybridNetworks(node_cidrs=[NODE], pod_cidrs=[POD]))
    return synth_stack(stack)


def test_cluster_gets_remote_network_config(hybrid_cluster_template: dict[str, Any]) -> None:
    props = only_resource(hybrid_cluster_template, "AWS::EKS::Cluster")["Properties"]
    assert props["RemoteNetworkConfig"] == {
        "RemoteNodeNetworks": [{"Cidrs": [NODE]}],
        "RemotePodNetworks": [{"Cidrs": [POD]}],
    }
    assert props["ResourcesVpcConfig"]["EndpointPublicAccess"] is False
    assert props["ResourcesVpcConfig"]["EndpointPrivateAccess"] is True
    assert props["AccessConfig"]["AuthenticationMode"] == "API"


def test_cluster_without_pod_cidrs_omits_remote_pod_networks() -> None:
    networks = HybridNetworks(node_cidrs=[NODE])
    config = cdk.Stack().resolve(networks.remote_network_config)
    assert config == {"remoteNodeNetworks": [{"cidrs": [NODE]}]}


def test_cluster_reports_all_hybrid_problems_in_one_error() -> None:
    stack = new_stack(name="HybridClusterBad")
    with pytest.raises(ConfigError) as error:
        AutoModeCluster(
            stack,
            "Cluster",
            endpoint_public_cidrs=["203.0.113.0/24"],  # -> public-and-private
            vpc_cidr="10.0.0.0/16",
            hybrid_networks=HybridNetworks(node_cidrs=["10.0.8.0/22"], pod_cidrs=["172.20.0.0/16"]),
        )
    text = str(error.value)
    assert error.value.code == "InvalidClusterSettings"
    assert "10.0.8.0/22 overlaps the VPC CIDR 10.0.0.0/16" in text
    assert "172.20.0.0/16 overlaps the EKS default service CIDR 172.20.0.0/16" in text
    assert "public-and-private" in text


def test_cluster_warns_when_service_cidr_unknowable() -> None:
    from aws_cdk import aws_ec2 as ec2

    stack = new_stack(name="HybridImportedVpc")
    vpc = ec2.Vpc.from_vpc_attributes(
        stack, "Vpc", vpc_id="vpc-12345678", availability_zones=["us-east-1a", "us-east-1b"],
        private_subnet_ids=["subnet-1", "subnet-2"],
        vpc_cidr_block=cdk.Token.as_string(cdk.Fn.import_value("VpcCidr")),
    )
    AutoModeCluster(stack, "Cluster", vpc=vpc, hybrid_networks=HybridNetworks(node_cidrs=["10.100.0.0/24"]))
    Annotations.from_stack(stack).has_warning(
        "/HybridImportedVpc/Cluster", Match.string_like_regexp("service_ipv4_cidr")
    )
