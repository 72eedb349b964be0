"""HybridNodes: IAM role and trust (against AWS's reference templates), access entry, network rules, routes, Cilium,
add-ons, NodeConfig delivery, and every construct-level bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks

from eks_platform import (
    AutoModeCluster,
    ConfigError,
    HybridCni,
    HybridCredentials,
    HybridKubeletConfig,
    HybridNetworks,
    HybridNodes,
)
from tests.support import new_app, new_stack, only_resource, resources_of, synth_stack

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "hybrid"
CA_PEM = (GOLDEN / "test-ca.pem").read_text()
NODE = "192.168.100.0/24"
POD = "192.168.128.0/20"
TGW = "tgw-0123456789abcdef0"
ANCHOR_ARN = "arn:aws:rolesanywhere:us-east-1:111111111111:trust-anchor/0a1b2c3d-1111-2222-3333-444455556666"

# Actions of AWS's reference templates (aws/eks-hybrid example/hybrid-ssm-cfn.yaml and hybrid-ira-cfn.yaml, v0.0.5),
# and the managed policies they attach. Our role may add only what is listed with its reason in EXTRA_ACTIONS.
REFERENCE_SSM_ACTIONS = {"ssm:DescribeInstanceInformation", "ssm:DeregisterManagedInstance", "eks:DescribeCluster"}
REFERENCE_SSM_MANAGED = {
    "AmazonSSMManagedInstanceCore", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodeMinimalPolicy"
}
REFERENCE_IRA_ACTIONS = {"eks:DescribeCluster"}
REFERENCE_IRA_MANAGED = {"AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodeMinimalPolicy"}
EXTRA_ACTIONS = {"eks:ListAccessEntries": "nodeadm's pre-flight check lists access entries (hybrid_role_validator.go)"}


def _networks() -> HybridNetworks:
    return HybridNetworks(node_cidrs=[NODE], pod_cidrs=[POD])


def _role(template: dict[str, Any]) -> dict[str, Any]:
    roles = {k: r for k, r in resources_of(template, "AWS::IAM::Role").items() if k.startswith("HybridRole")}
    assert len(roles) == 1, sorted(roles)
    return next(iter(roles.values()))["Properties"]


def _actions(role: dict[str, Any]) -> set[str]:
    actions: set[str] = set()
    for policy in role["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            value = statement["Action"]
            actions.update([value] if isinstance(value, str) else value)
    return actions


def _managed(role: dict[str, Any]) -> set[str]:
    return {arn["Fn::Join"][1][-1].rsplit("/", 1)[-1] for arn in role["ManagedPolicyArns"]}


def _of(template: dict[str, Any], rtype: str, prefix: str = "Hybrid") -> dict[str, dict[str, Any]]:
    return {k: r["Properties"] for k, r in resources_of(template, rtype).items() if k.startswith(prefix)}


# -- SSM on an AutoModeCluster (the reference shape) -------------------------------------------------------------------
@pytest.fixture(scope="module")
def ssm() -> dict[str, Any]:
    app = new_app()
    stack = new_stack(app, "HybridSsm")
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="edge", kubectl=True, hybrid_networks=_networks())
    hybrid = HybridNodes(
        stack,
        "Hybrid",
        cluster=cluster,
        transit_gateway_id=TGW,
        kubelet=HybridKubeletConfig(
            memory_manager_policy="Static", reserved_memory={0: "1124Mi"}, kube_reserved_memory="1Gi",
            single_process_oom_kill=True,
        ),
    )
    template = synth_stack(stack)
    return {"app": app, "stack": stack, "cluster": cluster, "hybrid": hybrid, "template": template}


def test_ssm_role_trust_matches_the_reference_template(ssm: dict[str, Any]) -> None:
    statements = _role(ssm["template"])["AssumeRolePolicyDocument"]["Statement"]
    assert statements == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "ssm.amazonaws.com"},
            "Condition": {
                "StringEquals": {"aws:SourceAccount": "111111111111"},
                "ArnEquals": {"aws:SourceArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                                                                  ":ssm:us-east-1:111111111111:*"]]}},
            },
        }
    ]


def test_ssm_role_actions_are_the_reference_templates_plus_listed_extras(ssm: dict[str, Any]) -> None:
    role = _role(ssm["template"])
    actions = _actions(role)
    assert actions >= REFERENCE_SSM_ACTIONS
    assert actions - REFERENCE_SSM_ACTIONS == set(EXTRA_ACTIONS)
    assert _managed(role) == REFERENCE_SSM_MANAGED


def test_ssm_deregister_is_scoped_to_instances_tagged_with_the_cluster(ssm: dict[str, Any]) -> None:
    statements = [s for p in _role(ssm["template"])["Policies"] for s in p["PolicyDocument"]["Statement"]]
    deregister = next(s for s in statements if s["Action"] == "ssm:DeregisterManagedInstance")
    assert deregister["Resource"]["Fn::Join"][1][-1] == ":ssm:us-east-1:111111111111:managed-instance/*"
    assert deregister["Condition"] == {
        "StringEquals": {"ssm:resourceTag/EKSClusterARN": {"Fn::GetAtt": ["ClusterEB0386A7", "Arn"]}}
    }
    describe = next(s for s in statements if "eks:DescribeCluster" in s["Action"])
    assert describe["Resource"] == {"Fn::GetAtt": ["ClusterEB0386A7", "Arn"]}


def test_hybrid_linux_access_entry_for_the_role(ssm: dict[str, Any]) -> None:
    entries = _of(ssm["template"], "AWS::EKS::AccessEntry")
    assert list(entries.values()) == [
        {
            "AccessPolicies": [],
            "ClusterName": {"Ref": "ClusterEB0386A7"},
            "PrincipalArn": {"Fn::GetAtt": [next(k for k in ssm["template"]["Resources"] if k.startswith("HybridRole")),
                                            "Arn"]},
            "Type": "HYBRID_LINUX",
        }
    ]


def test_443_ingress_from_node_and_pod_cidrs_on_the_control_plane_group(ssm: dict[str, Any]) -> None:
    rules = _of(ssm["template"], "AWS::EC2::SecurityGroupIngress")
    assert sorted((r["CidrIp"], r["FromPort"], r["ToPort"], r["IpProtocol"]) for r in rules.values()) == sorted([
        (POD, 443, 443, "tcp"), (NODE, 443, 443, "tcp")
    ])
    assert {json.dumps(r["GroupId"]) for r in rules.values()} == {
        json.dumps({"Fn::GetAtt": ["ClusterControlPlaneSecurityGroupD274242C", "GroupId"]})
    }


def test_egress_to_kubelet_on_nodes_and_no_webhook_ports_on_unroutable_pods(ssm: dict[str, Any]) -> None:
    # Without routable pod CIDRs webhooks are kept on cloud nodes, so nothing needs the control plane to reach pods.
    rules = _of(ssm["template"], "AWS::EC2::SecurityGroupEgress")
    found = sorted((r["CidrIp"], r["FromPort"]) for r in rules.values())
    assert found == [(NODE, 10250)]


def test_rule_ids_are_keyed_by_cidr_not_position(ssm: dict[str, Any]) -> None:
    assert set(ssm["hybrid"].ingress_rules) == {f"node:{NODE}:443", f"pod:{POD}:443"}
    ids = [k for k in _of(ssm["template"], "AWS::EC2::SecurityGroupIngress")]
    assert any("192x168x100x0x24" in k for k in ids)


def test_routes_from_each_private_subnet_to_each_remote_cidr(ssm: dict[str, Any]) -> None:
    routes = [r for r in resources_of(ssm["template"], "AWS::EC2::Route").values()
              if "TransitGatewayId" in r["Properties"]]
    assert len(routes) == 3 * 2
    assert {r["Properties"]["DestinationCidrBlock"] for r in routes} == {NODE, POD}
    assert {r["Properties"]["TransitGatewayId"] for r in routes} == {TGW}
    private_tables = {json.dumps(r["Properties"]["RouteTableId"]) for r in routes}
    assert all("Private" in t for t in private_tables) and len(private_tables) == 3


def test_cilium_chart_is_pinned_and_scoped_to_hybrid_nodes(ssm: dict[str, Any]) -> None:
    chart = only_resource(ssm["template"], "Custom::AWSCDK-EKS-HelmChart")["Properties"]
    data = json.loads((Path(__file__).resolve().parents[2] / "eks_platform/_internal/data/hybrid.json").read_text())
    assert (chart["Repository"], chart["Chart"], chart["Version"], chart["Namespace"], chart["Release"]) == (
        "oci://public.ecr.aws/eks/cilium/cilium", "cilium", data["cilium"]["version"], "kube-system", "cilium"
    )
    values = json.loads(chart["Values"])
    assert values["ipam"] == {
        "mode": "cluster-pool", "operator": {"clusterPoolIPv4MaskSize": 25, "clusterPoolIPv4PodCIDRList": [POD]}
    }
    hybrid_only = {"key": "eks.amazonaws.com/compute-type", "operator": "In", "values": ["hybrid"]}
    for affinity in (values["affinity"], values["operator"]["affinity"]):
        terms = affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        assert terms == [{"matchExpressions": [hybrid_only]}]
    assert values["operator"]["unmanagedPodWatcher"] == {"restart": False}


def test_pinned_cilium_version_is_a_supported_minor() -> None:
    data = json.loads((Path(__file__).resolve().parents[2] / "eks_platform/_internal/data/hybrid.json").read_text())
    major_minor = ".".join(data["cilium"]["version"].split(".")[:2])
    assert major_minor in data["cilium"]["supportedMinors"] == ["1.17", "1.18"]


def test_hybrid_addons_with_the_pod_identity_hybrid_daemonset(ssm: dict[str, Any]) -> None:
    resources = resources_of(ssm["template"], "AWS::EKS::Addon").values()
    addons = {r["Properties"]["AddonName"]: r["Properties"] for r in resources}
    assert {"kube-proxy", "coredns", "eks-pod-identity-agent"} <= set(addons)
    config = json.loads(addons["eks-pod-identity-agent"]["ConfigurationValues"])
    assert config == {"daemonsets": {"hybrid": {"create": True}}}


def test_node_config_parameter_has_the_cluster_and_credentials_file(ssm: dict[str, Any]) -> None:
    parameter = next(
        p for k, p in _of(ssm["template"], "AWS::SSM::Parameter").items() if k.startswith("HybridNodeConfig")
    )
    doc = yaml.safe_load(parameter["Value"])
    assert doc["spec"]["cluster"] == {"name": "edge", "region": "us-east-1"}
    assert doc["spec"]["hybrid"]["enableCredentialsFile"] is True
    assert doc["spec"]["hybrid"]["ssm"] == {
        "activationCode": "${SSM_ACTIVATION_CODE}", "activationId": "${SSM_ACTIVATION_ID}"
    }
    assert doc["spec"]["kubelet"]["config"]["memoryManagerPolicy"] == "Static"


def test_outputs_name_the_parameter_role_and_activation_command(ssm: dict[str, Any]) -> None:
    outputs = ssm["template"]["Outputs"]
    command = next(o for k, o in outputs.items() if k.startswith("HybridSsmActivationCommand"))["Value"]["Fn::Join"][1]
    text = "".join(part if isinstance(part, str) else json.dumps(part) for part in command)
    assert text.startswith("aws ssm create-activation --region us-east-1 --iam-role {\"Ref\": \"HybridRole")
    assert "--tags Key=EKSClusterARN,Value={\"Fn::GetAtt\": [\"ClusterEB0386A7\", \"Arn\"]}" in text
    assert any(k.startswith("HybridNodeConfigParameterName") for k in outputs)
    assert any(k.startswith("HybridRoleArn") for k in outputs)


def test_node_config_file_is_written_into_the_cloud_assembly(ssm: dict[str, Any]) -> None:
    path = Path(ssm["app"].outdir) / "hybrid" / "edge-nodeconfig-ssm.yaml"
    text = path.read_text()
    assert text.startswith("# nodeadm NodeConfig for EKS Hybrid Nodes (ssm)")
    assert "nodeadm install 1.32 --credential-provider ssm" in text
    doc = yaml.safe_load(text)
    assert doc == yaml.safe_load(ssm["hybrid"].node_config_yaml(placeholders=True))


def test_node_config_method_fills_activation_values(ssm: dict[str, Any]) -> None:
    doc = ssm["hybrid"].node_config(
        activation_id="0a1b2c3d-1111-2222-3333-444455556666", activation_code="ABCDEFGHIJ0123456789+/ab"
    )
    assert doc["spec"]["hybrid"]["ssm"]["activationId"] == "0a1b2c3d-1111-2222-3333-444455556666"


def test_fails_when_activation_id_is_not_an_ssm_activation_id(ssm: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"activation_id 'act-123' is not an SSM activation ID"):
        ssm["hybrid"].node_config(activation_id="act-123")


def test_role_is_the_default_child(ssm: dict[str, Any]) -> None:
    assert ssm["hybrid"].node.default_child is ssm["hybrid"].role


# -- IAM Roles Anywhere on an unnamed cluster, bring-your-own CNI ------------------------------------------------------
@pytest.fixture(scope="module")
def ira() -> dict[str, Any]:
    app = new_app()
    stack = new_stack(app, "HybridIra")
    cluster = AutoModeCluster(stack, "Cluster", hybrid_networks=HybridNetworks(node_cidrs=[NODE]))
    hybrid = HybridNodes(
        stack, "Hybrid", cluster=cluster, cni=HybridCni.NONE,
        credentials=HybridCredentials.roles_anywhere(ca_bundle_pem=CA_PEM, session_duration_seconds=7200),
    )
    return {"app": app, "hybrid": hybrid, "template": synth_stack(stack)}


def test_trust_anchor_from_the_ca_bundle(ira: dict[str, Any]) -> None:
    anchor = only_resource(ira["template"], "AWS::RolesAnywhere::TrustAnchor")["Properties"]
    assert anchor["Enabled"] is True
    assert anchor["Source"] == {
        "SourceType": "CERTIFICATE_BUNDLE", "SourceData": {"X509CertificateData": CA_PEM.strip() + "\n"}
    }


def test_profile_accepts_role_session_names(ira: dict[str, Any]) -> None:
    profile = only_resource(ira["template"], "AWS::RolesAnywhere::Profile")["Properties"]
    assert profile["AcceptRoleSessionName"] is True and profile["Enabled"] is True
    assert profile["DurationSeconds"] == 7200
    assert profile["RoleArns"][0]["Fn::GetAtt"][0].startswith("HybridRole")


def test_ira_role_trust_matches_the_reference_template(ira: dict[str, Any]) -> None:
    role = _role(ira["template"])
    anchor = {"Fn::GetAtt": [next(k for k in ira["template"]["Resources"] if k.startswith("HybridTrustAnchor")),
                             "TrustAnchorArn"]}
    principal = {"Service": "rolesanywhere.amazonaws.com"}
    statements = role["AssumeRolePolicyDocument"]["Statement"]
    assert {"Action": ["sts:TagSession", "sts:SetSourceIdentity"], "Effect": "Allow", "Principal": principal,
            "Condition": {"ArnEquals": {"aws:SourceArn": anchor}}} in statements
    assert {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": principal,
            "Condition": {"StringEquals": {"sts:RoleSessionName": "${aws:PrincipalTag/x509Subject/CN}"},
                          "ArnEquals": {"aws:SourceArn": anchor}}} in statements
    assert len(statements) == 2
    assert role["MaxSessionDuration"] == 7200


def test_ira_role_actions_are_the_reference_templates_plus_listed_extras(ira: dict[str, Any]) -> None:
    role = _role(ira["template"])
    actions = _actions(role)
    assert actions >= REFERENCE_IRA_ACTIONS
    assert actions - REFERENCE_IRA_ACTIONS == set(EXTRA_ACTIONS)
    assert _managed(role) == REFERENCE_IRA_MANAGED


def test_roles_anywhere_identity_logical_ids_are_pinned(ira: dict[str, Any]) -> None:
    pinned = {
        "HybridRoleDBCF6A72": "AWS::IAM::Role",
        "HybridAccessEntry9808CA09": "AWS::EKS::AccessEntry",
        "HybridTrustAnchor13C6A62B": "AWS::RolesAnywhere::TrustAnchor",
        "HybridProfile5B7F980A": "AWS::RolesAnywhere::Profile",
    }
    resources = ira["template"]["Resources"]
    assert {k: resources[k]["Type"] for k in pinned if k in resources} == pinned


def test_no_cni_chart_when_bringing_your_own(ira: dict[str, Any]) -> None:
    assert resources_of(ira["template"], "Custom::AWSCDK-EKS-HelmChart") == {}
    assert ira["hybrid"].cilium is None


def test_ira_file_has_placeholders_for_deploy_time_values(ira: dict[str, Any]) -> None:
    name = ira["hybrid"].node_config_file_name
    assert name.endswith("-nodeconfig-iam-ra.yaml")
    text = (Path(ira["app"].outdir) / "hybrid" / name).read_text()
    ira_block = yaml.safe_load(text)["spec"]["hybrid"]["iamRolesAnywhere"]
    assert ira_block == {
        "nodeName": "${NODE_NAME}", "trustAnchorArn": "${TRUST_ANCHOR_ARN}", "profileArn": "${PROFILE_ARN}",
        "roleArn": "${HYBRID_NODES_ROLE_ARN}", "certificatePath": "/etc/iam/pki/server.pem",
        "privateKeyPath": "/etc/iam/pki/server.key",
    }
    assert "Known only after deploy: CLUSTER_NAME, HYBRID_NODES_ROLE_ARN, PROFILE_ARN, TRUST_ANCHOR_ARN" in text


def test_ira_parameter_resolves_deploy_time_values(ira: dict[str, Any]) -> None:
    parameter = next(p for k, p in _of(ira["template"], "AWS::SSM::Parameter").items() if k.startswith("HybridNode"))
    parts = parameter["Value"]["Fn::Join"][1]
    refs = [json.dumps(p) for p in parts if not isinstance(p, str)]
    assert any("TrustAnchorArn" in r for r in refs) and any("ProfileArn" in r for r in refs)
    assert any("HybridRole" in r for r in refs) and any('"Ref": "ClusterEB0386A7"' in r for r in refs)


def test_fails_when_node_name_longer_than_64(ira: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"node_name '.*' is 65 characters; nodeadm accepts at most 64"):
        ira["hybrid"].node_config(node_name="n" * 65)


# -- a plain aws_eks_v2.Cluster with an existing trust anchor and a VGW ------------------------------------------------
def _plain_cluster(stack: cdk.Stack, **overrides: Any) -> eks.Cluster:
    options: dict[str, Any] = {
        "version": eks.KubernetesVersion.V1_32,
        "default_capacity_type": eks.DefaultCapacityType.AUTOMODE,
        "endpoint_access": eks.EndpointAccess.PRIVATE,
        "remote_node_networks": [eks.RemoteNodeNetwork(cidrs=[NODE])],
        "remote_pod_networks": [eks.RemotePodNetwork(cidrs=[POD])],
    }
    options.update(overrides)
    cluster = eks.Cluster(stack, "Plain", **options)
    cfn = cluster.node.default_child
    assert isinstance(cfn, eks.CfnCluster)
    cfn.access_config = eks.CfnCluster.AccessConfigProperty(authentication_mode="API")
    return cluster


@pytest.fixture(scope="module")
def plain() -> dict[str, Any]:
    stack = new_stack(name="HybridPlain")
    cluster = _plain_cluster(stack)
    hybrid = HybridNodes(
        stack, "Hybrid", cluster=cluster, networks=_networks(), cni="none", virtual_private_gateway_id="vgw-0123abcd",
        credentials=HybridCredentials.roles_anywhere(trust_anchor_arn=ANCHOR_ARN, node_name="rack1-node07"),
        webhook_ports=[8443],
    )
    return {"hybrid": hybrid, "template": synth_stack(stack)}


def test_existing_trust_anchor_is_used_not_created(plain: dict[str, Any]) -> None:
    assert resources_of(plain["template"], "AWS::RolesAnywhere::TrustAnchor") == {}
    conditions = [s["Condition"]["ArnEquals"]["aws:SourceArn"]
                  for s in _role(plain["template"])["AssumeRolePolicyDocument"]["Statement"]]
    assert conditions == [ANCHOR_ARN, ANCHOR_ARN]


def test_addons_for_a_plain_cluster_live_under_the_construct(plain: dict[str, Any]) -> None:
    names = {r["Properties"]["AddonName"] for r in resources_of(plain["template"], "AWS::EKS::Addon").values()}
    assert names == {"kube-proxy", "coredns", "eks-pod-identity-agent"}


def test_vgw_routes_and_configured_webhook_ports(plain: dict[str, Any]) -> None:
    routes = [r["Properties"] for r in resources_of(plain["template"], "AWS::EC2::Route").values()
              if "GatewayId" in r["Properties"] and r["Properties"]["GatewayId"] == "vgw-0123abcd"]
    assert len(routes) == 3 * 2
    egress = _of(plain["template"], "AWS::EC2::SecurityGroupEgress")
    assert sorted((r["CidrIp"], r["FromPort"]) for r in egress.values()) == sorted([(POD, 8443), (NODE, 10250)])


def test_node_name_from_options_in_the_node_config(plain: dict[str, Any]) -> None:
    doc = plain["hybrid"].node_config()
    assert doc["spec"]["hybrid"]["iamRolesAnywhere"]["nodeName"] == "rack1-node07"


# -- construct-level bad input -----------------------------------------------------------------------------------------
def _cluster(name: str, **kwargs: Any) -> AutoModeCluster:
    kwargs.setdefault("hybrid_networks", _networks())
    return AutoModeCluster(new_stack(name=name), "Cluster", **kwargs)


def test_fails_when_cilium_without_kubectl_provider() -> None:
    cluster = _cluster("NoKubectl")
    with pytest.raises(ConfigError, match=r"cni 'cilium' is installed by a Helm chart .* has none; create the cluster "
                                          r"with kubectl=True"):
        HybridNodes(cluster.node.scope, "Hybrid", cluster=cluster)  # type: ignore[arg-type]


def test_fails_when_cilium_without_pod_cidrs() -> None:
    cluster = _cluster("NoPods", kubectl=True, hybrid_networks=HybridNetworks(node_cidrs=[NODE]))
    with pytest.raises(ConfigError, match=r"cni 'cilium' needs pod CIDRs"):
        HybridNodes(cluster.node.scope, "Hybrid", cluster=cluster)  # type: ignore[arg-type]


def test_fails_when_cilium_mask_larger_than_pod_cidr() -> None:
    cluster = _cluster("Mask", kubectl=True)
    with pytest.raises(ConfigError, match=r"cilium_pod_cidr_mask_size /18 is larger than pool CIDR 192.168.128.0/20"):
        HybridNodes(cluster.node.scope, "Hybrid", cluster=cluster, cilium_pod_cidr_mask_size=18)  # type: ignore[arg-type]


def test_fails_when_cilium_version_is_not_a_supported_minor() -> None:
    cluster = _cluster("CiliumVersion", kubectl=True)
    with pytest.raises(ConfigError, match=r"cilium_version '1.16.5-0' is not an AWS Cilium chart version"):
        HybridNodes(cluster.node.scope, "Hybrid", cluster=cluster, cilium_version="1.16.5-0")  # type: ignore[arg-type]


def test_fails_when_unknown_cni() -> None:
    cluster = _cluster("Cni")
    with pytest.raises(ConfigError, match=r"cni 'calico' is not one of 'cilium', 'none'"):
        HybridNodes(cluster.node.scope, "Hybrid", cluster=cluster, cni="calico")  # type: ignore[arg-type]


def test_fails_when_both_gateways() -> None:
    cluster = _cluster("Gateways")
    with pytest.raises(ConfigError, match=r"transit_gateway_id and virtual_private_gateway_id are both set"):
        HybridNodes(cluster.node.scope, "Hybrid", cluster=cluster, cni="none",  # type: ignore[arg-type]
                    transit_gateway_id=TGW, virtual_private_gateway_id="vgw-0123abcd")


def test_fails_when_gateway_id_malformed() -> None:
    cluster = _cluster("BadTgw")
    with pytest.raises(ConfigError, match=r"transit_gateway_id 'tgw-xyz' is not a gateway ID"):
        HybridNodes(cluster.node.scope, "Hybrid", cluster=cluster, cni="none", transit_gateway_id="tgw-xyz")  # type: ignore[arg-type]


def test_fails_when_webhook_port_out_of_range() -> None:
    cluster = _cluster("Ports")
    with pytest.raises(ConfigError, match=r"webhook_ports has 70000; ports are whole numbers from 1 to 65535"):
        HybridNodes(cluster.node.scope, "Hybrid", cluster=cluster, cni="none", webhook_ports=[70000])  # type: ignore[arg-type]


def test_fails_when_networks_differ_from_the_cluster() -> None:
    cluster = _cluster("Differ")
    with pytest.raises(ConfigError, match=r"networks.node_cidrs \['10.200.0.0/16'\] differ from the cluster's"):
        HybridNodes(cluster.node.scope, "Hybrid", cluster=cluster, cni="none",  # type: ignore[arg-type]
                    networks=HybridNetworks(node_cidrs=["10.200.0.0/16"], pod_cidrs=[POD]))


def test_fails_when_cluster_has_no_remote_networks() -> None:
    stack = new_stack(name="NoRemote")
    cluster = AutoModeCluster(stack, "Cluster")
    with pytest.raises(ConfigError, match=r"cluster has no RemoteNetworkConfig"):
        HybridNodes(stack, "Hybrid", cluster=cluster, networks=_networks(), cni="none")


def test_fails_when_plain_cluster_is_public_and_private() -> None:
    stack = new_stack(name="PlainPublicPrivate")
    cluster = _plain_cluster(stack, endpoint_access=eks.EndpointAccess.PUBLIC_AND_PRIVATE)
    with pytest.raises(ConfigError, match=r"endpoint access is public-and-private"):
        HybridNodes(stack, "Hybrid", cluster=cluster, networks=_networks(), cni="none")


def test_fails_when_networks_missing_for_a_plain_cluster() -> None:
    stack = new_stack(name="PlainNoNetworks")
    cluster = _plain_cluster(stack)
    with pytest.raises(ConfigError, match=r"networks is required"):
        HybridNodes(stack, "Hybrid", cluster=cluster, cni="none")


def test_fails_when_single_process_oom_kill_on_1_31() -> None:
    stack = new_stack(name="Oom131")
    cluster = _plain_cluster(stack)
    with pytest.raises(ConfigError, match=r"single_process_oom_kill needs Kubernetes 1.32 or later"):
        HybridNodes(stack, "Hybrid", cluster=cluster, networks=_networks(), cni="none", kubernetes_version="1.31",
                    kubelet=HybridKubeletConfig(single_process_oom_kill=True))


def test_fails_when_cluster_is_not_a_cluster() -> None:
    with pytest.raises(ConfigError, match=r"cluster must be an AutoModeCluster or a PlatformClusterReference or an "
                       "aws_eks_v2.ICluster"):
        HybridNodes(new_stack(name="NotACluster"), "Hybrid", cluster="my-cluster", networks=_networks())


def test_imported_cluster_needs_explicit_version_for_addons() -> None:
    stack = new_stack(name="Imported")
    vpc = ec2.Vpc.from_vpc_attributes(stack, "Vpc", vpc_id="vpc-1234", availability_zones=["us-east-1a"],
                                      private_subnet_ids=["subnet-1"])
    cluster = eks.Cluster.from_cluster_attributes(stack, "Imported", cluster_name="edge", vpc=vpc,
                                                  cluster_security_group_id="sg-12345678")
    hybrid = HybridNodes(stack, "Hybrid", cluster=cluster, networks=_networks(), cni="none",
                         kubernetes_version="1.32")
    assert hybrid.security_group.security_group_id == "sg-12345678"
    assert hybrid.node_config()["spec"]["cluster"]["name"] == "edge"


def test_file_writing_can_be_turned_off() -> None:
    app = new_app()
    stack = new_stack(app, "NoFile")
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="nofile", hybrid_networks=_networks())
    HybridNodes(stack, "Hybrid", cluster=cluster, cni="none", write_node_config_file=False,
                node_config_parameter=False)
    template = synth_stack(stack)
    assert not (Path(app.outdir) / "hybrid").exists()
    assert not any(k.startswith("HybridNodeConfig") for k in template["Resources"])
    assert os.path.isdir(app.outdir)
