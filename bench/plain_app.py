"""The reference app written by hand with plain ``aws_eks_v2``, L1s and ``cluster.add_manifest``: no eks_platform code.

It is the baseline of ``bench/synth_overhead.py``: the same stacks and resources as the reference app built from
cdk.json (same settings, same resource types and counts; the benchmark prints any difference in the resource
histogram, so drift shows up when the reference app grows). What it leaves out is what the library adds on top of
the resources: validation, ConfigError messages, warnings, acknowledgments, the cdk8s charts (written here as plain
dicts) and the resource-limit check.

Usage: ``python bench/plain_app.py`` synthesizes it into a temp directory and prints the resource counts;
``--quiet`` prints nothing (``cdk synth --app "python bench/plain_app.py --quiet"``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ssm as ssm
from aws_cdk.lambda_layer_kubectl_v32 import KubectlV32Layer
from constructs import Construct

REPO_ROOT = Path(__file__).resolve().parents[1]
ACCOUNT, REGION = "111111111111", "us-east-1"
ALL_LOGS = [
    eks.ClusterLoggingTypes.API,
    eks.ClusterLoggingTypes.AUDIT,
    eks.ClusterLoggingTypes.AUTHENTICATOR,
    eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
    eks.ClusterLoggingTypes.SCHEDULER,
]
#: Add-on versions pinned by hand for Kubernetes 1.32 (what the reference app's catalog resolves to).
ADDON_VERSIONS = {
    "metrics-server": "v0.8.0-eksbuild.6",
    "kube-state-metrics": "v2.15.0-eksbuild.3",
    "prometheus-node-exporter": "v1.9.1-eksbuild.2",
    "cert-manager": "v1.17.2-eksbuild.1",
    "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
    "kube-proxy": "v1.32.13-eksbuild.5",
    "coredns": "v1.11.4-eksbuild.33",
}
NODE_TAG = "eks-platform.io/auto-mode-nodes"
HYBRID_AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {"matchExpressions": [
                    {"key": "eks.amazonaws.com/compute-type", "operator": "In", "values": ["hybrid"]}]}
            ]
        }
    }
}


def cdk_json_platform() -> dict[str, Any]:
    platform: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]["platform"]
    return platform


def plain_pod_identity(scope: Construct, cluster: eks.Cluster, ns: str, sa: str,
                       managed_policies: list[iam.IManagedPolicy]) -> None:
    """One Pod Identity binding by hand: a role trusted by pods.eks.amazonaws.com for this cluster, namespace and
    service account (with sts:TagSession), and the association."""
    role = iam.Role(
        scope, f"PodRole{ns}{sa}",
        assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com").with_conditions({"StringEquals": {
            "aws:RequestTag/eks-cluster-arn": cluster.cluster_arn,
            "aws:RequestTag/kubernetes-namespace": ns,
            "aws:RequestTag/kubernetes-service-account": sa,
        }}),
        managed_policies=managed_policies,
    )
    role.assume_role_policy.add_statements(  # type: ignore[union-attr]
        iam.PolicyStatement(actions=["sts:TagSession"], principals=[iam.ServicePrincipal("pods.eks.amazonaws.com")])
    )
    eks.CfnPodIdentityAssociation(scope, f"Association{ns}{sa}", cluster_name=cluster.cluster_name,
                                  namespace=ns, service_account=sa, role_arn=role.role_arn)


class PlainStack(cdk.Stack):
    """A stack with fixed AZs (no lookup) holding one hand-built Auto Mode platform."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: dict[str, Any], name: str,
                 hybrid: dict[str, Any] | None, synth_date: dt.date) -> None:
        super().__init__(scope, construct_id, env=cdk.Environment(account=ACCOUNT, region=REGION),
                         description=f"EKS reference platform ({name}, Kubernetes {platform['kubernetesVersion']})")
        self._guarded = False
        self._name = name
        for key, value in sorted(platform.get("tags", {}).items()):
            cdk.Tags.of(self).add(key, value)

        vpc = ec2.Vpc(
            self, "Vpc", ip_addresses=ec2.IpAddresses.cidr("10.0.0.0/16"), max_azs=3, nat_gateways=3,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=20),
                ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=19),
            ],
        )
        for subnet in vpc.public_subnets:
            cdk.Tags.of(subnet).add("kubernetes.io/role/elb", "1")
        for subnet in vpc.private_subnets:
            cdk.Tags.of(subnet).add("kubernetes.io/role/internal-elb", "1")
            cdk.Tags.of(subnet).add(NODE_TAG, name)
        key = kms.Key(self, "SecretsKey", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.RETAIN,
                      description="EKS secrets envelope encryption")
        node_role = iam.Role(
            self, "NodeRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKSWorkerNodeMinimalPolicy"),
                              iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEC2ContainerRegistryPullOnly")],
        )
        node_role.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        cluster = eks.Cluster(
            self, "Cluster", version=eks.KubernetesVersion.V1_32, cluster_name=name, vpc=vpc,
            vpc_subnets=[ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)],
            default_capacity_type=eks.DefaultCapacityType.AUTOMODE,
            compute=eks.ComputeConfig(node_pools=["system", "general-purpose"], node_role=node_role),
            bootstrap_cluster_creator_admin_permissions=False, bootstrap_self_managed_addons=False,
            secrets_encryption_key=key, cluster_logging=ALL_LOGS, endpoint_access=eks.EndpointAccess.PRIVATE,
            kubectl_provider_options=eks.KubectlProviderOptions(kubectl_layer=KubectlV32Layer(self, "KubectlLayer")),
            removal_policy=cdk.RemovalPolicy.RETAIN,
            remote_node_networks=[eks.RemoteNodeNetwork(cidrs=hybrid["nodeCidrs"])] if hybrid else None,
            remote_pod_networks=[eks.RemotePodNetwork(cidrs=hybrid["podCidrs"])] if hybrid else None,
        )
        cfn = cluster.node.default_child
        assert isinstance(cfn, eks.CfnCluster)
        cfn.deletion_protection = True
        in_extended = synth_date >= dt.date(2026, 3, 23)  # 1.32 left standard support on 2026-03-23
        support = "EXTENDED" if in_extended else "STANDARD"
        cfn.upgrade_policy = eks.CfnCluster.UpgradePolicyProperty(support_type=support)
        cfn.access_config = eks.CfnCluster.AccessConfigProperty(
            authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False
        )
        for arn in platform.get("adminPrincipalArns", []):
            cluster.grant_cluster_admin("Admin" + hashlib.sha256(arn.encode()).hexdigest()[:8], arn)

        self.cluster = cluster
        for binding in platform.get("podIdentities", []):
            plain_pod_identity(self, cluster, binding["namespace"], binding["serviceAccount"],
                               [iam.ManagedPolicy.from_aws_managed_policy_name(p)
                                for p in binding.get("managedPolicies", [])])

        addons = list(platform.get("addons", {}))
        if hybrid:
            addons += ["eks-pod-identity-agent", "kube-proxy", "coredns"]
        for addon in addons:
            config = {"daemonsets": {"hybrid": {"create": True}}} if addon == "eks-pod-identity-agent" else None
            eks.Addon(self, f"Addon{addon}", cluster=cluster, addon_name=addon, addon_version=ADDON_VERSIONS[addon],
                      preserve_on_delete=False, configuration_values=config)

        storage = platform.get("storage")
        if storage:
            objects: list[dict[str, Any]] = [{
                "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": storage["storageClassName"],
                             "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                "provisioner": "ebs.csi.eks.amazonaws.com", "parameters": {"type": "gp3", "encrypted": "true"},
                "reclaimPolicy": "Retain", "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": True,
                "allowedTopologies": [{"matchLabelExpressions": [
                    {"key": "eks.amazonaws.com/compute-type", "values": ["auto"]}]}],
            }]
            tiers = {"standard": ("3000", "125"), "fast": ("16000", "1000")}
            for tier in storage.get("tiers", []):
                if isinstance(tier, dict):  # {"name", "iops", "throughput"} (bench/scale.py)
                    tier, iops, throughput = tier["name"], str(tier["iops"]), str(tier["throughput"])
                else:
                    iops, throughput = tiers[tier]
                objects.append({"apiVersion": "storage.k8s.io/v1beta1", "kind": "VolumeAttributesClass",
                                "metadata": {"name": tier}, "driverName": "ebs.csi.eks.amazonaws.com",
                                "parameters": {"type": "gp3", "iops": iops, "throughput": throughput}})
            self.add_objects(cluster, "Storage", objects)

        pools = platform.get("nodePools")
        if pools:
            pool_role = iam.Role(
                self, "PoolNodeRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
                role_name=f"{construct_id}-NodePools-{REGION}",
                managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKSWorkerNodeMinimalPolicy"),
                                  iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEC2ContainerRegistryPullOnly")],
            )
            eks.AccessEntry(
                self, "PoolNodeAccess", cluster=cluster, principal=pool_role.role_arn,
                access_entry_type=eks.AccessEntryType.EC2,
                access_policies=[eks.AccessPolicy.from_access_policy_name(
                    "AmazonEKSAutoNodePolicy", access_scope_type=eks.AccessScopeType.CLUSTER)],
            )
            objects = []
            for class_name in pools["nodeClasses"]:
                objects.append({"apiVersion": "eks.amazonaws.com/v1", "kind": "NodeClass",
                                "metadata": {"name": class_name},
                                "spec": {"role": pool_role.role_name,
                                         "subnetSelectorTerms": [{"tags": {NODE_TAG: name}}],
                                         "securityGroupSelectorTerms": [{"tags": {"aws:eks:cluster-name": name}}]}})
            for pool_name, pool in pools["pools"].items():
                objects.append({"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": pool_name},
                                "spec": {"template": {"metadata": {"labels": pool.get("labels", {})}, "spec": {
                                    "nodeClassRef": {"group": "eks.amazonaws.com", "kind": "NodeClass",
                                                     "name": pool["nodeClass"]},
                                    "requirements": [
                                        {"key": "eks.amazonaws.com/instance-category", "operator": "In",
                                         "values": pool["instanceCategories"]},
                                        {"key": "eks.amazonaws.com/instance-generation", "operator": "Gt",
                                         "values": [str(pool["minGeneration"] - 1)]},
                                        {"key": "kubernetes.io/arch", "operator": "In",
                                         "values": pool["architectures"]},
                                        {"key": "karpenter.sh/capacity-type", "operator": "In",
                                         "values": pool["capacityTypes"]},
                                    ],
                                    "taints": pool.get("taints", []), "expireAfter": pool["expireAfter"]}},
                                    "limits": {"cpu": str(pool["cpuLimit"]), "memory": pool["memoryLimit"]},
                                    "disruption": {"budgets": pool.get("budgets", [])}}})
            self.add_objects(cluster, "NodePools", objects)

        if hybrid:
            self._hybrid(cluster, hybrid, name)

    def add_objects(self, cluster: eks.Cluster, chart: str, objects: list[dict[str, Any]]) -> None:
        """One manifest per object, each after the previous one (a removed object is then deleted), and the SSM
        parameter the library uses to refuse a direct switch between apply and render-only."""
        if not self._guarded:
            cdk.CfnResource(self, "ApplyModeGuard", type="AWS::SSM::Parameter", properties={
                "Name": f"/eks-platform/manifest-delivery/{self.stack_name}/{self._name}", "Type": "String",
                "Value": "apply"})
            self._guarded = True
        previous = None
        for i, obj in enumerate(objects):
            current = cluster.add_manifest(f"{chart}{i}", obj)
            if previous is not None:
                current.node.add_dependency(previous)
            previous = current

    def _hybrid(self, cluster: eks.Cluster, hybrid: dict[str, Any], name: str) -> None:
        role = iam.Role(
            self, "HybridRole",
            assumed_by=iam.ServicePrincipal("ssm.amazonaws.com").with_conditions({
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnEquals": {"aws:SourceArn": f"arn:aws:ssm:{REGION}:{ACCOUNT}:*"},
            }),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(p) for p in (
                "AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodeMinimalPolicy",
                "AmazonSSMManagedInstanceCore")],
            inline_policies={
                "EKSHybridNodes": iam.PolicyDocument(statements=[iam.PolicyStatement(
                    actions=["eks:DescribeCluster", "eks:ListAccessEntries"], resources=[cluster.cluster_arn])]),
                "EKSHybridSSM": iam.PolicyDocument(statements=[
                    iam.PolicyStatement(actions=["ssm:DescribeInstanceInformation"], resources=["*"]),
                    iam.PolicyStatement(actions=["ssm:DeregisterManagedInstance"],
                                        resources=[f"arn:aws:ssm:{REGION}:{ACCOUNT}:managed-instance/*"],
                                        conditions={"StringEquals": {
                                            "ssm:resourceTag/EKSClusterARN": cluster.cluster_arn}}),
                ]),
            },
        )
        eks.CfnAccessEntry(self, "HybridAccess", cluster_name=cluster.cluster_name, principal_arn=role.role_arn,
                           type="HYBRID_LINUX")
        group_id = cluster.cluster_security_group_id
        for i, cidr in enumerate(hybrid["nodeCidrs"]):
            ec2.CfnSecurityGroupIngress(self, f"ApiFromNodes{i}", group_id=group_id, ip_protocol="tcp", from_port=443,
                                        to_port=443, cidr_ip=cidr)
            ec2.CfnSecurityGroupEgress(self, f"KubeletToNodes{i}", group_id=group_id, ip_protocol="tcp",
                                       from_port=10250, to_port=10250, cidr_ip=cidr)
        for i, cidr in enumerate(hybrid["podCidrs"]):
            ec2.CfnSecurityGroupIngress(self, f"ApiFromPods{i}", group_id=group_id, ip_protocol="tcp", from_port=443,
                                        to_port=443, cidr_ip=cidr)
            # egress to webhooks on hybrid pods only when the pod CIDRs are routable (as the library decides)
            for port in (443, 9443) if hybrid.get("podCidrsRoutable") else ():
                ec2.CfnSecurityGroupEgress(self, f"Webhook{port}ToPods{i}", group_id=group_id, ip_protocol="tcp",
                                           from_port=port, to_port=port, cidr_ip=cidr)
        cluster.add_helm_chart(
            "Cilium", chart="cilium", release="cilium", version="1.17.6-0", namespace="kube-system",
            repository="oci://public.ecr.aws/eks/cilium/cilium",
            values={"affinity": HYBRID_AFFINITY, "operator": {"affinity": HYBRID_AFFINITY, "unmanagedPodWatcher": {
                "restart": False}}, "ipam": {"mode": "cluster-pool", "operator": {
                    "clusterPoolIPv4MaskSize": 25, "clusterPoolIPv4PodCIDRList": hybrid["podCidrs"]}}},
        )
        parameter = ssm.StringParameter(
            self, "NodeConfig", description="nodeadm NodeConfig (ssm) for EKS Hybrid Nodes",
            string_value=(f"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: {name}\n"
                          f"    region: {REGION}\n  hybrid:\n    enableCredentialsFile: true\n    ssm:\n"
                          "      activationCode: \"${SSM_ACTIVATION_CODE}\"\n"
                          "      activationId: \"${SSM_ACTIVATION_ID}\"\n"),
        )
        cdk.CfnOutput(self, "HybridRoleArn", value=role.role_arn)
        cdk.CfnOutput(self, "NodeConfigParameterName", value=parameter.parameter_name)
        cdk.CfnOutput(self, "SsmActivationCommand", value=cdk.Fn.join("", [
            f"aws ssm create-activation --region {REGION} --iam-role ", role.role_name,
            " --registration-limit 10 --tags Key=EKSClusterARN,Value=", cluster.cluster_arn]))

    @property
    def availability_zones(self) -> list[str]:
        return [cdk.Fn.select(i, cdk.Fn.get_azs()) for i in range(3)]


def build_plain_app(app: cdk.App, platform: dict[str, Any] | None = None,
                    synth_date: dt.date | None = None) -> dict[str, cdk.Stack]:
    """The plain equivalent of ``eks_platform.stacks.app.build_app``."""
    platform = platform if platform is not None else cdk_json_platform()
    date = synth_date or dt.date(2026, 11, 27)
    name = platform.get("clusterName", "eks-platform")
    stacks: dict[str, cdk.Stack] = {
        "EksPlatform": PlainStack(app, "EksPlatform", platform=platform, name=name, hybrid=None, synth_date=date)
    }
    if platform.get("hybrid"):
        stacks["EksPlatformHybrid"] = PlainStack(app, "EksPlatformHybrid", platform=platform, name=f"{name}-hybrid",
                                                 hybrid=platform["hybrid"], synth_date=date)
    return stacks


if __name__ == "__main__":
    from collections import Counter

    app = cdk.App()
    build_plain_app(app)
    assembly = app.synth()
    if "--quiet" in sys.argv:  # under `cdk synth --app "python bench/plain_app.py --quiet"` (bench/synth_process.py)
        sys.exit(0)
    for stack in assembly.stacks:
        counts = Counter(r["Type"] for r in stack.template["Resources"].values())
        print(stack.stack_name, sum(counts.values()))
        for rtype, count in sorted(counts.items()):
            print(f"  {count:3d} {rtype}")
    sys.exit(0)
