"""AutoModeCluster: defaults, options and bad input."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Annotations, Match, Template

from eks_platform import AutoModeCluster, BuiltInNodePool, ConfigError, EndpointAccess, HermeticStack, SupportType
from eks_platform._internal.tree import remember
from tests.support import new_app, new_stack, only_resource, resources_of, synth_stack

ADMIN = "arn:aws:iam::111111111111:role/PlatformAdmin"


@pytest.fixture(scope="module")
def default_stack() -> cdk.Stack:
    stack = new_stack(name="ClusterDefaults")
    AutoModeCluster(stack, "Cluster", admin_principal_arns=[ADMIN])
    return stack


@pytest.fixture(scope="module")
def default_template(default_stack: cdk.Stack) -> dict[str, Any]:
    return synth_stack(default_stack)


@pytest.fixture(scope="module")
def cluster_props(default_template: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = only_resource(default_template, "AWS::EKS::Cluster")["Properties"]
    return props


def test_auto_mode_capabilities_enabled_together(cluster_props: dict[str, Any]) -> None:
    assert cluster_props["ComputeConfig"]["Enabled"] is True
    assert cluster_props["StorageConfig"]["BlockStorage"]["Enabled"] is True
    assert cluster_props["KubernetesNetworkConfig"]["ElasticLoadBalancing"]["Enabled"] is True


def test_default_version_is_1_32(cluster_props: dict[str, Any]) -> None:
    assert cluster_props["Version"] == "1.32"


def test_both_built_in_node_pools_with_owned_node_role(
    default_template: dict[str, Any], cluster_props: dict[str, Any]
) -> None:
    assert cluster_props["ComputeConfig"]["NodePools"] == ["system", "general-purpose"]
    role_id = cluster_props["ComputeConfig"]["NodeRoleArn"]["Fn::GetAtt"][0]
    role = default_template["Resources"][role_id]
    assert role_id.startswith("ClusterNodeRole")
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}
    ]
    policies = [p["Fn::Join"][1][-1] for p in role["Properties"]["ManagedPolicyArns"]]
    assert policies == [
        ":iam::aws:policy/AmazonEKSWorkerNodeMinimalPolicy",
        ":iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    ]


def test_authentication_mode_api_and_no_creator_admin(cluster_props: dict[str, Any]) -> None:
    assert cluster_props["AccessConfig"] == {
        "AuthenticationMode": "API",
        "BootstrapClusterCreatorAdminPermissions": False,
    }
    assert cluster_props["BootstrapSelfManagedAddons"] is False


def test_secrets_encrypted_with_new_rotating_retained_key(
    default_template: dict[str, Any], cluster_props: dict[str, Any]
) -> None:
    (encryption,) = cluster_props["EncryptionConfig"]
    assert encryption["Resources"] == ["secrets"]
    key_id = encryption["Provider"]["KeyArn"]["Fn::GetAtt"][0]
    key = default_template["Resources"][key_id]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "RetainExceptOnCreate"
    assert key["UpdateReplacePolicy"] == "Retain"


def test_all_five_log_types(cluster_props: dict[str, Any]) -> None:
    types = {t["Type"] for t in cluster_props["Logging"]["ClusterLogging"]["EnabledTypes"]}
    assert types == {"api", "audit", "authenticator", "controllerManager", "scheduler"}


def test_endpoint_private_by_default(cluster_props: dict[str, Any]) -> None:
    vpc_config = cluster_props["ResourcesVpcConfig"]
    assert vpc_config["EndpointPublicAccess"] is False
    assert vpc_config["EndpointPrivateAccess"] is True
    assert "PublicAccessCidrs" not in vpc_config


def test_extended_support_on_1_32_with_cost_warning(default_stack: cdk.Stack, cluster_props: dict[str, Any]) -> None:
    assert cluster_props["UpgradePolicy"] == {"SupportType": "EXTENDED"}
    Annotations.from_stack(default_stack).has_warning(
        "/ClusterDefaults/Cluster", Match.string_like_regexp(r"extended support.*2027-03-23.*\+\$0\.50/h")
    )


def test_deletion_protection_on_and_cluster_retained(default_template: dict[str, Any]) -> None:
    cluster = only_resource(default_template, "AWS::EKS::Cluster")
    assert cluster["Properties"]["DeletionProtection"] is True
    assert cluster["DeletionPolicy"] == "RetainExceptOnCreate"  # a failed first create cleans up; a retry works
    assert cluster["UpdateReplacePolicy"] == "Retain"


def test_admin_access_entry_only_for_given_principal(default_template: dict[str, Any]) -> None:
    entries = resources_of(default_template, "AWS::EKS::AccessEntry")
    assert [e["Properties"]["PrincipalArn"] for e in entries.values()] == [ADMIN]
    (entry,) = entries.values()
    (policy,) = entry["Properties"]["AccessPolicies"]
    assert json.dumps(policy["PolicyArn"]).endswith(':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"]]}')
    assert policy["AccessScope"] == {"Type": "cluster"}


def test_no_lambda_without_kubectl(default_template: dict[str, Any]) -> None:
    assert resources_of(default_template, "AWS::Lambda::Function") == {}
    assert not [r for r in default_template["Resources"].values() if r["Type"].startswith("Custom::")]


def test_new_vpc_three_azs_tagged_for_load_balancers(default_template: dict[str, Any]) -> None:
    subnets = resources_of(default_template, "AWS::EC2::Subnet")
    assert len(subnets) == 6
    tags = [{t["Key"]: t["Value"] for t in s["Properties"]["Tags"]} for s in subnets.values()]
    assert sum("kubernetes.io/role/elb" in t for t in tags) == 3
    assert sum("kubernetes.io/role/internal-elb" in t for t in tags) == 3
    assert len(resources_of(default_template, "AWS::EC2::NatGateway")) == 3


def test_default_child_is_the_l2_cluster(default_stack: cdk.Stack) -> None:
    construct = default_stack.node.find_child("Cluster")
    assert isinstance(construct, AutoModeCluster)
    assert construct.node.default_child is construct.cluster
    assert isinstance(construct.cluster.node.default_child, eks.CfnCluster)


def _props_of(**kwargs: Any) -> tuple[cdk.Stack, dict[str, Any]]:
    stack = new_stack()
    AutoModeCluster(stack, "Cluster", **kwargs)
    template = synth_stack(stack, label="cluster-options")
    return stack, only_resource(template, "AWS::EKS::Cluster")["Properties"]


def test_public_endpoint_restricted_to_given_cidrs() -> None:
    _, props = _props_of(endpoint_public_cidrs=["203.0.113.0/24"])
    assert props["ResourcesVpcConfig"]["EndpointPublicAccess"] is True
    assert props["ResourcesVpcConfig"]["PublicAccessCidrs"] == ["203.0.113.0/24"]


def test_open_endpoint_with_opt_in_warns() -> None:
    stack, props = _props_of(endpoint_public_cidrs=["0.0.0.0/0"], allow_public_endpoint_from_anywhere=True)
    assert props["ResourcesVpcConfig"]["PublicAccessCidrs"] == ["0.0.0.0/0"]
    Annotations.from_stack(stack).has_warning("/TestStack/Cluster", Match.string_like_regexp("0.0.0.0/0"))


def test_standard_support_for_version_in_standard_support() -> None:
    stack, props = _props_of(version="1.35", kubectl=False)
    assert props["Version"] == "1.35"
    assert props["UpgradePolicy"] == {"SupportType": "STANDARD"}
    Annotations.from_stack(stack).has_no_warning("/TestStack/Cluster", Match.string_like_regexp("extended support"))


def test_existing_key_vpc_subset_pools_and_zonal_shift() -> None:
    stack = new_stack()
    key = kms.Key(stack, "MyKey")
    vpc = ec2.Vpc(stack, "MyVpc", max_azs=2)
    AutoModeCluster(
        stack, "Cluster", secrets_key=key, vpc=vpc, built_in_node_pools=[BuiltInNodePool.SYSTEM], zonal_shift=True,
        deletion_protection=False,
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::KMS::Key", 1)
    template.has_resource_properties(
        "AWS::EKS::Cluster",
        {
            "ComputeConfig": Match.object_like({"NodePools": ["system"]}),
            "ZonalShiftConfig": {"Enabled": True},
            "DeletionProtection": False,
            "EncryptionConfig": [
                Match.object_like({"Provider": {"KeyArn": {"Fn::GetAtt": [Match.string_like_regexp("MyKey"), "Arn"]}}})
            ],
        },
    )


def test_no_built_in_pools_keeps_compute_on() -> None:
    _, props = _props_of(built_in_node_pools=[])
    assert props["ComputeConfig"]["Enabled"] is True
    assert props["ComputeConfig"].get("NodePools", []) == []


def test_wrapper_logical_id_equals_plain_l2() -> None:
    ours = new_stack(name="Ours")
    AutoModeCluster(ours, "Cluster")
    plain_app = new_app()
    plain = cdk.Stack(plain_app, "Plain")  # env-agnostic: logical IDs do not depend on the environment
    eks.Cluster(plain, "Cluster", version=eks.KubernetesVersion.V1_32)
    ours_ids = {k for k, r in Template.from_stack(ours).to_json()["Resources"].items()
                if r["Type"] == "AWS::EKS::Cluster"}
    plain_ids = {k for k, r in Template.from_stack(plain).to_json()["Resources"].items()
                 if r["Type"] == "AWS::EKS::Cluster"}
    assert ours_ids == plain_ids


# -- bad input -------------------------------------------------------------------------------------------------
def _build(**kwargs: Any) -> None:
    AutoModeCluster(new_stack(), "Cluster", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (
            {"built_in_node_pools": ["system", "gpu"]},
            r"built_in_node_pools\[1\] 'gpu' is not an Auto Mode built-in node pool; allowed: system, general-purpose",
        ),
        ({"built_in_node_pools": ["system", "system"]}, r"lists 'system' twice"),
        ({"version": ""}, r"version must be a Kubernetes minor version"),
        ({"version": "1.3"}, r"'1.3' is not a Kubernetes minor version"),
        ({"version": "v1.32"}, r"'v1.32' is not a Kubernetes minor version"),
        ({"version": "1.32.0"}, r"'1.32.0' is not a Kubernetes minor version"),
        ({"version": "1.31"}, r"'1.31' left EKS extended support on 2026-11-26"),
        ({"version": "1.29"}, r"'1.29' left EKS extended support"),
        ({"version": "1.99"}, r"'1.99' is not in the EKS version table"),
        ({"endpoint_public_cidrs": ["10.0.0.0/33"]}, r"'10.0.0.0/33' is not a CIDR block"),
        ({"endpoint_public_cidrs": ["office"]}, r"'office' is not a CIDR block"),
        ({"endpoint_public_cidrs": ["2001:db8::/32"]}, r"IPv6 range"),
        ({"endpoint_public_cidrs": ["203.0.113.7/24"]}, r"host bits set; use the network address 203.0.113.0/24"),
        ({"endpoint_public_cidrs": ["0.0.0.0/0"]}, r"0.0.0.0/0.*allow_public_endpoint_from_anywhere"),
        ({"endpoint_access": EndpointAccess.PUBLIC}, r"needs an explicit endpoint_public_cidrs"),
        (
            {"endpoint_access": EndpointAccess.PRIVATE, "endpoint_public_cidrs": ["203.0.113.0/24"]},
            r"with endpoint_access PRIVATE",
        ),
        ({"admin_principal_arns": ["arn:aws:iam::111111111111:group/Admins"]}, r"not an IAM role or user ARN"),
        ({"admin_principal_arns": ["arn:aws:s3:::bucket"]}, r"not an IAM role or user ARN"),
        ({"admin_principal_arns": ["PlatformAdmin"]}, r"not an IAM role or user ARN"),
        ({"cluster_name": "-bad"}, r"breaks the EKS naming rule"),
        ({"cluster_name": "has space"}, r"breaks the EKS naming rule"),
        ({"cluster_name": "a" * 101}, r"101 characters; EKS allows at most 100"),
        ({"cluster_name": ""}, r"cluster_name must be a non-empty string"),
        ({"upgrade_support_type": SupportType.STANDARD}, r"STANDARD was asked for Kubernetes 1.32.*extended support"),
        ({"nat_gateways": 7}, r"nat_gateways 7 must be a whole number from 0 to 3"),
    ],
)
def test_fails_when_setting_is_invalid(kwargs: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern) as info:
        _build(**kwargs)
    assert info.value.code == "InvalidClusterSettings"


def test_fails_with_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        _build(cluster_name="-x", built_in_node_pools=["gpu"], endpoint_public_cidrs=["nope"])
    assert len(info.value.problems) == 3


def test_fails_when_vpc_and_new_vpc_settings_are_mixed() -> None:
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    with pytest.raises(ConfigError, match="either an existing vpc or the settings for a new one"):
        AutoModeCluster(stack, "Cluster", vpc=vpc, vpc_cidr="10.1.0.0/16")


def test_fails_when_synth_date_context_is_not_a_date() -> None:
    app = new_app({"eks-platform:synthDate": "tomorrow"})
    with pytest.raises(ConfigError, match="not an ISO date"):
        AutoModeCluster(new_stack(app), "Cluster")


def test_public_only_endpoint_allows_given_cidrs_and_nat_addresses() -> None:
    stack = new_stack()
    AutoModeCluster(stack, "Cluster", endpoint_access=EndpointAccess.PUBLIC, endpoint_public_cidrs=["203.0.113.0/24"])
    props = only_resource(synth_stack(stack, label="public-only"), "AWS::EKS::Cluster")["Properties"]
    vpc_config = props["ResourcesVpcConfig"]
    assert vpc_config["EndpointPublicAccess"] is True and vpc_config["EndpointPrivateAccess"] is False
    cidrs = vpc_config["PublicAccessCidrs"]
    assert cidrs[0] == "203.0.113.0/24"
    nat_ips = [c["Fn::Join"][1][0]["Fn::GetAtt"] for c in cidrs[1:]]
    assert len(nat_ips) == 3 and all(attr[1] == "PublicIp" and "EIP" in attr[0] for attr in nat_ips)


def test_public_only_endpoint_with_existing_vpc_warns_about_nat_addresses() -> None:
    stack = new_stack()
    vpc = ec2.Vpc(stack, "MyVpc", max_azs=2)
    AutoModeCluster(
        stack, "Cluster", vpc=vpc, endpoint_access=EndpointAccess.PUBLIC, endpoint_public_cidrs=["203.0.113.0/24"]
    )
    Annotations.from_stack(stack).has_warning("/TestStack/Cluster", Match.string_like_regexp("NAT gateways"))


def _policies(template: dict[str, Any], rtype: str) -> set[tuple[str | None, str | None]]:
    return {(r.get("DeletionPolicy"), r.get("UpdateReplacePolicy")) for r in resources_of(template, rtype).values()}


def test_identity_is_deleted_when_it_leaves_and_data_is_retained_except_on_create() -> None:
    stack = new_stack(name="Lifecycle")
    AutoModeCluster(stack, "Cluster", admin_principal_arns=[ADMIN], kubectl=True)
    template = synth_stack(stack, label="lifecycle")
    for rtype in ("AWS::EKS::AccessEntry", "AWS::Lambda::Function", "AWS::Lambda::LayerVersion", "AWS::IAM::Policy",
                  "AWS::SSM::Parameter"):
        assert _policies(template, rtype) == {(None, None)}, rtype
    roles = {lid: r.get("DeletionPolicy") for lid, r in resources_of(template, "AWS::IAM::Role").items()}
    assert {lid for lid, policy in roles.items() if policy} == {"ClusterRoleFA261979", "ClusterNodeRole687A61BB"}
    for rtype in ("AWS::EKS::Cluster", "AWS::KMS::Key", "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::NatGateway",
                  "AWS::EC2::Route", "AWS::EC2::SecurityGroup"):
        assert _policies(template, rtype) == {("RetainExceptOnCreate", "Retain")}, rtype


def test_removal_policy_destroy_deletes_the_cluster_and_its_network_too() -> None:
    stack = new_stack(name="Disposable")
    AutoModeCluster(stack, "Cluster", removal_policy=cdk.RemovalPolicy.DESTROY)
    template = synth_stack(stack, label="disposable")
    for rtype in ("AWS::EKS::Cluster", "AWS::KMS::Key", "AWS::EC2::VPC", "AWS::EC2::Subnet"):
        assert _policies(template, rtype) == {("Delete", "Delete")}, rtype


def test_public_only_endpoint_runs_the_kubectl_provider_in_the_private_subnets() -> None:
    stack = new_stack(name="PublicKubectl")
    AutoModeCluster(stack, "Cluster", endpoint_access=EndpointAccess.PUBLIC, endpoint_public_cidrs=["203.0.113.0/24"],
                    kubectl=True)
    template = synth_stack(stack, label="public-kubectl")
    functions = resources_of(template, "AWS::Lambda::Function")
    private = {lid for lid, r in resources_of(template, "AWS::EC2::Subnet").items() if "Private" in lid}
    assert len(functions) == 2
    for function in functions.values():
        subnets = {ref["Ref"] for ref in function["Properties"]["VpcConfig"]["SubnetIds"]}
        assert subnets == private  # egress through the NAT gateways, whose addresses the endpoint allow-lists


def test_secrets_key_destruction_is_reserved_to_its_administrators(default_template: dict[str, Any]) -> None:
    stack = new_stack(name="KeyAdmins")
    AutoModeCluster(stack, "Cluster", secrets_key_admin_arns=["arn:aws:iam::111111111111:role/KeyAdmin"])
    key = only_resource(synth_stack(stack, label="key-admins"), "AWS::KMS::Key")
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    (deny,) = [st for st in statements if st["Effect"] == "Deny"]
    assert set(deny["Action"]) == {"kms:DisableKey", "kms:ScheduleKeyDeletion"} and deny["Principal"] == {"AWS": "*"}
    allowed = deny["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert allowed[0] == "arn:aws:iam::111111111111:role/KeyAdmin" and "cfn-exec-role" in json.dumps(allowed[1])
    admin = [st for st in statements if st["Effect"] == "Allow" and
             st["Principal"] == {"AWS": "arn:aws:iam::111111111111:role/KeyAdmin"}]
    assert admin and "kms:ScheduleKeyDeletion" in json.dumps(admin)
    # the account root keeps kms:* so IAM policies grant the key's use (EKS encrypts through the cluster role)
    assert any(st["Effect"] == "Allow" and st["Action"] == "kms:*" for st in statements)
    default_key = only_resource(default_template, "AWS::KMS::Key")
    assert any(st["Effect"] == "Deny" for st in default_key["Properties"]["KeyPolicy"]["Statement"])


def test_fails_when_key_admins_are_given_with_an_existing_key() -> None:
    stack = new_stack()
    key = kms.Key(stack, "Own")
    with pytest.raises(ConfigError, match="secrets_key_admin_arns was given with an existing secrets_key"):
        AutoModeCluster(stack, "Cluster", secrets_key=key, secrets_key_admin_arns=[ADMIN])


def test_in_us_east_1_zones_left_unset_warn_about_the_az_eks_refuses(
    default_stack: cdk.Stack, default_template: dict[str, Any]
) -> None:
    subnets = resources_of(default_template, "AWS::EC2::Subnet").values()
    assert all("AvailabilityZoneId" not in s["Properties"] for s in subnets)  # a deployed stack keeps its subnets
    Annotations.from_stack(default_stack).has_warning(
        "/ClusterDefaults/Cluster", Match.string_like_regexp(r"EKS refuses control-plane subnets in use1-az3.*AZ IDs")
    )


def test_subnets_chosen_by_az_id_are_the_same_zones_in_every_account() -> None:
    stack = new_stack(name="ZoneIds", availability_zones=["use1-az1", "use1-az2", "use1-az4"])
    AutoModeCluster(stack, "Cluster", availability_zones=["use1-az1", "use1-az2", "use1-az4"])
    subnets = resources_of(synth_stack(stack, label="zone-ids"), "AWS::EC2::Subnet").values()
    assert sorted(s["Properties"]["AvailabilityZoneId"] for s in subnets) == sorted(
        ["use1-az1", "use1-az2", "use1-az4"] * 2
    )
    assert all("AvailabilityZone" not in s["Properties"] for s in subnets)
    assert not [m for m in Annotations.from_stack(stack).find_warning("*", Match.any_value())
                if "availability-zones" in json.dumps(m.entry.data)]


def test_a_users_override_of_a_subnet_chosen_by_az_id_still_applies() -> None:
    zones = ["use1-az1", "use1-az2", "use1-az4"]
    stack = new_stack(name="ZoneIdOverride", availability_zones=zones)
    cluster = AutoModeCluster(stack, "Cluster", availability_zones=zones)
    subnet = cluster.vpc.private_subnets[0].node.default_child
    assert isinstance(subnet, ec2.CfnSubnet)
    subnet.add_property_override("MapPublicIpOnLaunch", False)
    subnet.add_property_override("AvailabilityZoneId", "use1-az6")
    rendered = Template.from_stack(stack).to_json()["Resources"][stack.get_logical_id(subnet)]["Properties"]
    assert rendered["MapPublicIpOnLaunch"] is False
    assert rendered["AvailabilityZoneId"] == "use1-az6" and "AvailabilityZone" not in rendered


def test_the_subnets_found_with_the_az_id_search_are_the_vpcs_own_lists() -> None:
    zones = ["use1-az1", "use1-az2", "use1-az4"]
    stack = new_stack(name="ZoneIdLists", availability_zones=zones)
    vpc = AutoModeCluster(stack, "Cluster", availability_zones=zones).vpc
    kept = remember(vpc, "private_subnets", list)  # what _new_vpc kept for types.private_subnets_of
    # jsii hands back a new Python object for a construct made in aws-cdk-lib: compare what they are, in order
    assert [s.node.path for s in kept] == [s.node.path for s in vpc.private_subnets] and len(kept) == 3
    assert all(isinstance(s, ec2.PrivateSubnet) for s in kept)
    tagged = resources_of(Template.from_stack(stack).to_json(), "AWS::EC2::Subnet")
    roles = {logical_id: {t["Key"] for t in s["Properties"]["Tags"]} for logical_id, s in tagged.items()}
    for subnet, role in [(s, "kubernetes.io/role/elb") for s in vpc.public_subnets] + [
            (s, "kubernetes.io/role/internal-elb") for s in vpc.private_subnets]:
        assert role in roles[stack.get_logical_id(subnet.node.default_child)]  # type: ignore[arg-type]


def test_fails_when_a_zone_eks_refuses_is_chosen() -> None:
    with pytest.raises(ConfigError, match="use1-az3, which EKS refuses for cluster subnets in us-east-1"):
        AutoModeCluster(new_stack(), "Cluster", availability_zones=["use1-az1", "use1-az3"])


def test_other_regions_keep_the_regions_first_zones() -> None:
    stack = HermeticStack(new_app(), "EuStack", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    AutoModeCluster(stack, "Cluster")
    subnets = resources_of(synth_stack(stack, label="eu-west-1"), "AWS::EC2::Subnet").values()
    assert all("AvailabilityZoneId" not in s["Properties"] for s in subnets)


def test_each_subnet_chosen_by_az_id_is_in_the_zone_ec2_vpc_gives_it() -> None:
    # Oracle: ec2.Vpc with AZ names puts subnet n of each subnet group in zone n; with AZ IDs the same subnet (same
    # logical ID) must be in the AZ ID at the same position.
    ids, names = ["use1-az1", "use1-az2", "use1-az4"], ["us-east-1a", "us-east-1b", "us-east-1d"]
    by_id = new_stack(name="ZoneOrderIds", availability_zones=ids)
    AutoModeCluster(by_id, "Cluster", availability_zones=ids)
    by_name = new_stack(name="ZoneOrderNames", availability_zones=names)
    AutoModeCluster(by_name, "Cluster", availability_zones=names)
    with_ids = resources_of(synth_stack(by_id, label="zone-order-ids"), "AWS::EC2::Subnet")
    # the oracle is not deployed, so not recorded for the cfn-lint sweep (hard-coded AZ names are its W3010)
    with_names = resources_of(Template.from_stack(by_name).to_json(), "AWS::EC2::Subnet")
    assert set(with_ids) == set(with_names) and len(with_ids) == 6
    for logical_id, subnet in with_ids.items():
        assert subnet["Properties"]["AvailabilityZoneId"] == ids[names.index(
            with_names[logical_id]["Properties"]["AvailabilityZone"])], logical_id


def test_what_a_user_adds_below_the_new_vpc_keeps_its_own_removal_policy() -> None:
    stack = new_stack(name="VpcAdditions")
    cluster = AutoModeCluster(stack, "Cluster")
    assert isinstance(cluster.vpc, ec2.Vpc)
    cluster.vpc.add_flow_log("FlowLog")  # a log group and an IAM role below the VPC: not the cluster's network
    subnet = cluster.vpc.private_subnets[0].node.default_child
    assert isinstance(subnet, ec2.CfnSubnet)
    subnet.apply_removal_policy(cdk.RemovalPolicy.DESTROY)  # an escape hatch on one subnet wins
    template = synth_stack(stack, label="vpc-additions")
    assert _policies(template, "AWS::EC2::FlowLog") == {(None, None)}
    role = [r for lid, r in resources_of(template, "AWS::IAM::Role").items() if lid.startswith("ClusterVpcFlowLog")]
    assert len(role) == 1 and role[0].get("DeletionPolicy") is None
    subnets = {lid: (r.get("DeletionPolicy"), r.get("UpdateReplacePolicy"))
               for lid, r in resources_of(template, "AWS::EC2::Subnet").items()}
    assert subnets.pop(stack.get_logical_id(subnet)) == ("Delete", "Delete")
    assert set(subnets.values()) == {("RetainExceptOnCreate", "Retain")}
    assert _policies(template, "AWS::EC2::RouteTable") == {("RetainExceptOnCreate", "Retain")}
