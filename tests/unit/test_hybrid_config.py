"""The `hybrid` section of the `platform` context and the reference app's hybrid stack (EksPlatformHybrid)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml

from eks_platform import (
    AutoModeCluster,
    ConfigError,
    CredentialProvider,
    HybridCni,
    HybridNetworks,
    HybridNodes,
    IamRolesAnywhereOptions,
    parse_platform_config,
)
from eks_platform.stacks.app import HYBRID_STACK_NAME, REFERENCE_STACK_NAME
from tests.support import cdk_json_context, only_resource, resources_of

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "hybrid"
CA_PEM = (GOLDEN / "test-ca.pem").read_text()
TGW = "tgw-0123456789abcdef0"
ANCHOR = "arn:aws:rolesanywhere:us-east-1:111111111111:trust-anchor/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f"
BASE = {"nodeCidrs": ["192.168.100.0/24"], "podCidrs": ["192.168.128.0/20"]}


def _parse(hybrid: Any) -> Any:
    return parse_platform_config({"hybrid": hybrid}, environ={}).hybrid


def _fails(hybrid: Any, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern) as error:
        _parse(hybrid)
    assert error.value.code == "InvalidPlatformConfig"


def test_cdk_json_has_a_hybrid_section() -> None:
    config = parse_platform_config(cdk_json_context()["platform"], environ={})
    assert config.hybrid is not None
    assert config.hybrid.credentials is CredentialProvider.SSM and config.hybrid.cni is HybridCni.CILIUM


def test_defaults_ssm_and_cilium() -> None:
    hybrid = _parse({"nodeCidrs": ["10.200.0.0/16"]})
    assert hybrid.pod_cidrs == () and hybrid.credentials is CredentialProvider.SSM and hybrid.cni is HybridCni.CILIUM


def test_roles_anywhere_with_a_ca_bundle() -> None:
    hybrid = _parse({**BASE, "credentials": "iamRolesAnywhere", "caBundlePem": CA_PEM, "nodeName": "rack1-node07"})
    credentials = hybrid.hybrid_credentials()
    assert credentials.provider is CredentialProvider.IAM_ROLES_ANYWHERE
    assert credentials.iam_roles_anywhere.node_name == "rack1-node07"


@pytest.mark.parametrize(
    ("hybrid", "pattern"),
    [
        ({"nodeCidrs": ["8.8.8.0/24"]}, r"platform\.hybrid\.nodeCidrs\[0\] '8\.8\.8\.0/24' is not inside RFC 1918"),
        ({**BASE, "podCidrs": ["100.64.0.0/16"]},
         r"platform\.hybrid\.podCidrs\[0\] '100\.64\.0\.0/16' is in the CGNAT"),
        ({"nodeCidrs": ["2001:db8::/64"]}, r"platform\.hybrid\.nodeCidrs\[0\] '2001:db8::/64' is an IPv6 range"),
        ({"nodeCidrs": ["10.0.0.0/8"], "podCidrs": ["10.1.0.0/16"]},
         r"platform\.hybrid\.nodeCidrs 10\.0\.0\.0/8 overlaps platform\.hybrid\.podCidrs 10\.1\.0\.0/16"),
        ({"nodeCidrs": [f"10.{i}.0.0/16" for i in range(16)]}, r"platform\.hybrid\.nodeCidrs has 16 CIDRs"),
        ({"nodeCidrs": ["rack-1"]}, r"platform\.hybrid\.nodeCidrs\[0\] 'rack-1' is not a CIDR block"),
        ({"nodeCidrs": ["10.0.0.5/16"]}, r"platform\.hybrid\.nodeCidrs\[0\] '10\.0\.0\.5/16' has host bits set"),
        ({"podCidrs": ["10.1.0.0/16"]}, r"platform\.hybrid\.nodeCidrs is required"),
        ({**BASE, "credentials": ["ssm", "iamRolesAnywhere"]},
         r"platform\.hybrid\.credentials \['ssm', 'iamRolesAnywhere'\] names both providers; .* exactly one"),
        ({**BASE, "credentials": None}, r"platform\.hybrid\.credentials None is not a credential provider"),
        ({**BASE, "credentials": "iamRolesAnywhere"}, r"needs exactly one of caBundlePem .* got neither"),
        ({**BASE, "credentials": "iamRolesAnywhere", "caBundlePem": "not a pem"},
         r"platform\.hybrid\.caBundlePem is not a PEM certificate"),
        ({**BASE, "credentials": "iamRolesAnywhere", "caBundlePem": CA_PEM, "nodeName": "x" * 65},
         r"platform\.hybrid\.nodeName '.*' is 65 characters; nodeadm accepts at most 64"),
        ({**BASE, "caBundlePem": CA_PEM},
         r"platform\.hybrid\.caBundlePem applies only to credentials 'iamRolesAnywhere'"),
        ({**BASE, "transitGatewayId": "tgw-1"}, r"platform\.hybrid\.transitGatewayId 'tgw-1' is not a gateway ID"),
        ({**BASE, "transitGatewayId": "tgw-0123456789abcdef0", "virtualPrivateGatewayId": "vgw-0123abcd"},
         r"platform\.hybrid\.transitGatewayId and platform\.hybrid\.virtualPrivateGatewayId are both set"),
        ({**BASE, "cni": "calico"}, r"platform\.hybrid\.cni 'calico' is not one of 'cilium'"),
        ({**BASE, "webhookPorts": [0]}, r"platform\.hybrid\.webhookPorts has 0"),
        ({**BASE, "nodeCIDRs": []}, r"platform\.hybrid has an unknown key 'nodeCIDRs'; did you mean 'nodeCidrs'"),
        ("ssm", r"platform\.hybrid must be an object"),
    ],
)
def test_fails_with_the_setting_named(hybrid: Any, pattern: str) -> None:
    _fails(hybrid, pattern)


def test_hybrid_problems_are_reported_with_other_problems() -> None:
    with pytest.raises(ConfigError) as error:
        parse_platform_config({"clustrName": "x", "hybrid": {"nodeCidrs": ["8.8.8.0/24"], "cni": "calico"}}, environ={})
    assert len(error.value.problems) == 3


def _parser_problem(hybrid: Any, needle: str) -> str:
    with pytest.raises(ConfigError) as error:
        _parse(hybrid)
    (problem,) = [p for p in error.value.problems if needle in p]
    return problem


def _construct_problem(build: Any, needle: str) -> str:
    with pytest.raises(ConfigError) as error:
        build()
    (problem,) = [p for p in error.value.problems if needle in p]
    return problem


@pytest.mark.parametrize(
    ("hybrid", "build", "needle", "parser_names", "construct_names"),
    [
        pytest.param(
            {**BASE, "credentials": "iamRolesAnywhere", "caBundlePem": CA_PEM, "trustAnchorArn": ANCHOR},
            lambda: IamRolesAnywhereOptions(ca_bundle_pem=CA_PEM, trust_anchor_arn=ANCHOR),
            " needs exactly one of ",
            ("platform.hybrid: credentials 'iamRolesAnywhere'", "caBundlePem", "trustAnchorArn"),
            ("iam_roles_anywhere", "ca_bundle_pem", "trust_anchor_arn"),
            id="roles-anywhere-trust-source",
        ),
        pytest.param(
            {**BASE, "transitGatewayId": TGW, "virtualPrivateGatewayId": "vgw-0123abcd"},
            lambda: _hybrid_nodes(transit_gateway_id=TGW, virtual_private_gateway_id="vgw-0123abcd"),
            " are both set",
            ("platform.hybrid.transitGatewayId", "platform.hybrid.virtualPrivateGatewayId"),
            ("transit_gateway_id", "virtual_private_gateway_id"),
            id="one-gateway",
        ),
        pytest.param(
            {**BASE, "webhookPorts": [70000]},
            lambda: _hybrid_nodes(webhook_ports=[70000]),
            "70000",
            ("platform.hybrid.webhookPorts",),
            ("webhook_ports",),
            id="ports",
        ),
        pytest.param(
            {**BASE, "ciliumPoolCidrs": ["10.99.0.0/16"]},
            lambda: _hybrid_nodes(cilium_pool_cidrs=["10.99.0.0/16"]),
            "is not inside the remote pod networks",
            ("platform.hybrid.ciliumPoolCidrs",),
            ("cilium_pool_cidrs",),
            id="cilium-pool",
        ),
        pytest.param(
            {"nodeCidrs": BASE["nodeCidrs"], "podCidrsRoutable": True, "cni": "none"},
            lambda: HybridNetworks(node_cidrs=BASE["nodeCidrs"], pod_cidrs_routable=True),
            " is true but ",
            ("platform.hybrid.podCidrsRoutable", "platform.hybrid.podCidrs"),
            ("pod_cidrs_routable", "pod_cidrs"),
            id="routable-pods",
        ),
        pytest.param(
            {**BASE, "cni": "calico"},
            lambda: _hybrid_nodes(cni="calico"),
            "'calico'",
            ("platform.hybrid.cni",),
            ("cni",),
            id="cni",
        ),
    ],
)
def test_parser_and_constructs_state_each_rule_once(
    hybrid: Any, build: Any, needle: str, parser_names: tuple[str, ...], construct_names: tuple[str, ...]
) -> None:
    """The cdk.json parser and the constructs report one rule with one wording; only the setting names differ."""
    parser = _parser_problem(hybrid, needle)
    construct = _construct_problem(build, needle)
    for cdk_json_name, python_name in zip(parser_names, construct_names, strict=True):
        parser = parser.replace(cdk_json_name, python_name)
    assert parser == construct


def _hybrid_nodes(**options: Any) -> HybridNodes:
    stack = cdk.Stack(cdk.App(), "S")
    cluster = AutoModeCluster(stack, "Cluster", hybrid_networks=HybridNetworks(**{
        "node_cidrs": BASE["nodeCidrs"], "pod_cidrs": BASE["podCidrs"]}))
    return HybridNodes(stack, "Hybrid", cluster=cluster, **options)


# -- the reference app -------------------------------------------------------------------------------------------------
def test_reference_stack_stays_without_hybrid_nodes(reference_templates: dict[str, Any]) -> None:
    template = reference_templates[REFERENCE_STACK_NAME]
    assert "RemoteNetworkConfig" not in only_resource(template, "AWS::EKS::Cluster")["Properties"]
    assert resources_of(template, "AWS::RolesAnywhere::TrustAnchor") == {}
    assert not [r for r in resources_of(template, "AWS::EKS::AccessEntry").values()
                if r["Properties"].get("Type") == "HYBRID_LINUX"]


def test_hybrid_stack_meets_the_done_criteria(reference_templates: dict[str, Any]) -> None:
    template = reference_templates[HYBRID_STACK_NAME]
    cluster = only_resource(template, "AWS::EKS::Cluster")["Properties"]
    assert cluster["Name"] == "eks-platform-hybrid"
    assert cluster["RemoteNetworkConfig"] == {
        "RemoteNodeNetworks": [{"Cidrs": ["192.168.100.0/24"]}], "RemotePodNetworks": [{"Cidrs": ["192.168.128.0/20"]}]
    }
    assert cluster["ResourcesVpcConfig"]["EndpointPublicAccess"] is False
    entries = [r["Properties"] for r in resources_of(template, "AWS::EKS::AccessEntry").values()
               if r["Properties"].get("Type") == "HYBRID_LINUX"]
    assert len(entries) == 1 and entries[0]["PrincipalArn"]["Fn::GetAtt"][0].startswith("HybridNodesRole")
    rules = resources_of(template, "AWS::EC2::SecurityGroupIngress").values()
    ingress = sorted(r["Properties"]["CidrIp"] for r in rules if r["Properties"].get("FromPort") == 443)
    assert ingress == ["192.168.100.0/24", "192.168.128.0/20"]
    assert only_resource(template, "Custom::AWSCDK-EKS-HelmChart")["Properties"]["Chart"] == "cilium"


def test_hybrid_stack_writes_the_node_config_into_cdk_out(reference_app: dict[str, Any]) -> None:
    path = Path(reference_app["app"].outdir) / "hybrid" / "eks-platform-hybrid-nodeconfig-ssm.yaml"
    doc = yaml.safe_load(path.read_text())
    assert doc["spec"]["cluster"] == {"name": "eks-platform-hybrid", "region": "us-east-1"}
    assert set(doc["spec"]["hybrid"]["ssm"]) == {"activationCode", "activationId"}
    assert json.dumps(doc).count("${") == 2  # only the per-node activation values are left to fill


#: Identity resources of the hybrid stack: changing these logical IDs replaces the role (nodes must re-register) or
#: the access entry. A change must be listed in CHANGELOG.md.
PINNED_HYBRID_IDS = {
    "HybridNodesRole435EF788": "AWS::IAM::Role",
    "HybridNodesAccessEntry99AC0B55": "AWS::EKS::AccessEntry",
}


def test_hybrid_identity_logical_ids_are_pinned(reference_templates: dict[str, Any]) -> None:
    resources = reference_templates[HYBRID_STACK_NAME]["Resources"]
    assert {k: resources[k]["Type"] for k in PINNED_HYBRID_IDS if k in resources} == PINNED_HYBRID_IDS
