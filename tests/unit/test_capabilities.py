"""EKS Capabilities: one AWS::EKS::Capability per construct, a scoped capability role, bad settings as ConfigErrors."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import aws_iam as iam

from eks_platform.checks.audit import run_packs
from eks_platform.constructs.capabilities import (
    AckCapability,
    ArgoCdCapability,
    ArgoCdRole,
    CapabilityType,
    IdentityCenter,
    KroCapability,
    RbacRoleMapping,
    SsoIdentity,
    assert_capability_type,
    capability_role_name,
)
from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.errors import ConfigError
from eks_platform.replacement import Action, compare_templates
from tests.support import new_app, new_stack, resources_of, synth_stack

IDC = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
GROUP = "906739b3-1234-5678-9abc-def012345678"
USER = "a1b2c3d4e5-906739b3-1234-5678-9abc-def012345678"
TRUST = {
    "Statement": [
        {
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Effect": "Allow",
            "Principal": {"Service": "capabilities.eks.amazonaws.com"},
        }
    ],
    "Version": "2012-10-17",
}


def admins(*ids: str) -> list[RbacRoleMapping]:
    return [RbacRoleMapping(role=ArgoCdRole.ADMIN, identities=tuple(SsoIdentity.group(i) for i in ids or (GROUP,)))]


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = new_app()
    stack = new_stack(app, "Capabilities")
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="demo", version="1.32")
    argocd = ArgoCdCapability(
        stack,
        "ArgoCd",
        cluster=cluster,
        identity_center=IdentityCenter(instance_arn=IDC, region="eu-west-1"),
        role_mappings=[
            *admins(),
            RbacRoleMapping(role=ArgoCdRole.VIEWER, identities=(SsoIdentity.user(USER),)),
        ],
        endpoint_prefix="platform",
        vpc_endpoint_ids=["vpce-0123456789abcdef0"],
        code_connection_arns=["arn:aws:codeconnections:us-east-1:111111111111:connection/abcd-1234"],
        ecr_repository_arns=["arn:aws:ecr:us-east-1:111111111111:repository/charts"],
        tags={"team": "platform"},
    )
    ack = AckCapability(
        stack,
        "Ack",
        cluster=cluster,
        policy_statements=[
            iam.PolicyStatement(actions=["s3:CreateBucket", "s3:DeleteBucket"], resources=["arn:aws:s3:::team-a-*"])
        ],
        role_selector_role_arns=["arn:aws:iam::222222222222:role/AckS3"],
        disabled_services=["sagemaker"],
        enable_cross_namespace=False,
    )
    kro = KroCapability(stack, "Kro", cluster=cluster)
    template = synth_stack(stack, label="capabilities")
    return {"app": app, "template": template, "argocd": argocd, "ack": ack, "kro": kro}


def capability(template: dict[str, Any], capability_type: str) -> dict[str, Any]:
    (found,) = [r for r in resources_of(template, "AWS::EKS::Capability").values()
                if r["Properties"]["Type"] == capability_type]
    return found


def role_of(template: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    logical_id = resource["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    role: dict[str, Any] = template["Resources"][logical_id]
    return role


def policy_statements(template: dict[str, Any], resource: dict[str, Any]) -> list[dict[str, Any]]:
    logical_id = resource["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    return [
        s
        for policy in resources_of(template, "AWS::IAM::Policy").values()
        if {"Ref": logical_id} in policy["Properties"]["Roles"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_one_capability_per_construct_with_the_required_properties(built: dict[str, Any]) -> None:
    capabilities = resources_of(built["template"], "AWS::EKS::Capability")
    assert sorted(r["Properties"]["Type"] for r in capabilities.values()) == ["ACK", "ARGOCD", "KRO"]
    for resource in capabilities.values():
        props = resource["Properties"]
        assert props["DeletePropagationPolicy"] == "RETAIN"
        assert props["ClusterName"] == {"Ref": "ClusterEB0386A7"}
        assert "DeletionPolicy" not in resource  # identity: deleted when it leaves the code


def test_every_capability_role_trusts_only_the_capabilities_service(built: dict[str, Any]) -> None:
    for capability_type in ("ARGOCD", "ACK", "KRO"):
        role = role_of(built["template"], capability(built["template"], capability_type))
        assert role["Properties"]["AssumeRolePolicyDocument"] == TRUST
        assert "ManagedPolicyArns" not in role["Properties"]
        assert "DeletionPolicy" not in role


def test_kro_role_has_no_permissions(built: dict[str, Any]) -> None:
    assert policy_statements(built["template"], capability(built["template"], "KRO")) == []


def test_argocd_configuration_carries_identity_center_mappings_and_network(built: dict[str, Any]) -> None:
    argo = capability(built["template"], "ARGOCD")["Properties"]["Configuration"]["ArgoCd"]
    assert argo == {
        "AwsIdc": {"IdcInstanceArn": IDC, "IdcRegion": "eu-west-1"},
        "EndpointPrefix": "platform",
        "Namespace": "argocd",
        "NetworkAccess": {"VpceIds": ["vpce-0123456789abcdef0"]},
        "RbacRoleMappings": [
            {"Identities": [{"Id": GROUP, "Type": "SSO_GROUP"}], "Role": "ADMIN"},
            {"Identities": [{"Id": USER, "Type": "SSO_USER"}], "Role": "VIEWER"},
        ],
    }
    assert capability(built["template"], "ARGOCD")["Properties"]["Tags"] == [{"Key": "team", "Value": "platform"}]


def test_argocd_role_is_scoped_to_the_named_integrations(built: dict[str, Any]) -> None:
    statements = policy_statements(built["template"], capability(built["template"], "ARGOCD"))
    by_action = {str(s["Action"]): s["Resource"] for s in statements}
    assert by_action == {
        "['codeconnections:UseConnection', 'codeconnections:GetConnection']":
            "arn:aws:codeconnections:us-east-1:111111111111:connection/abcd-1234",
        "['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage']":
            "arn:aws:ecr:us-east-1:111111111111:repository/charts",
        "ecr:GetAuthorizationToken": "*",
    }


def test_ack_role_has_only_the_named_statements_and_selector_roles(built: dict[str, Any]) -> None:
    resource = capability(built["template"], "ACK")
    statements = policy_statements(built["template"], resource)
    assert statements == [
        {"Action": ["s3:CreateBucket", "s3:DeleteBucket"], "Effect": "Allow", "Resource": "arn:aws:s3:::team-a-*"},
        {"Action": ["sts:AssumeRole", "sts:TagSession"], "Effect": "Allow",
         "Resource": "arn:aws:iam::222222222222:role/AckS3"},
    ]
    assert resource["Properties"]["Configuration"] == {
        "Ack": {"DisabledServices": ["sagemaker"], "EnableCrossNamespace": False}
    }


def test_capability_waits_for_its_role_and_policy(built: dict[str, Any]) -> None:
    resource = capability(built["template"], "ACK")
    role_id = resource["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    assert role_id in resource["DependsOn"]
    assert any(d.startswith(role_id.removesuffix(role_id[-8:]) + "DefaultPolicy") for d in resource["DependsOn"])


def test_logical_ids_are_stable(built: dict[str, Any]) -> None:
    ids = {r["Properties"]["Type"]: k for k, r in resources_of(built["template"], "AWS::EKS::Capability").items()}
    assert ids == {"ARGOCD": "ArgoCdE728674D", "ACK": "Ack5E470CAA", "KRO": "Kro9E3270BA"}
    roles = {t: built["template"]["Resources"][k]["Properties"]["RoleArn"]["Fn::GetAtt"][0] for t, k in ids.items()}
    assert roles == {"ARGOCD": "ArgoCdRole235A4F29", "ACK": "AckRole528A74FD", "KRO": "KroRoleADDDCC88"}


def test_default_child_is_the_capability(built: dict[str, Any]) -> None:
    assert built["kro"].node.default_child is built["kro"].capability
    assert built["argocd"].capability_type is CapabilityType.ARGOCD


def test_capability_stack_passes_both_policy_packs(built: dict[str, Any]) -> None:
    rows = [r for r in run_packs(built["app"]) if "/ArgoCd" in r.path or "/Ack" in r.path or "/Kro" in r.path]
    # the ACK resource pattern is the user's own choice: cdk-nag flags it and nothing hides it
    assert [(r.rule_id, r.path.split("/", 1)[1]) for r in rows] == [
        ("AwsSolutions-IAM5[Resource::arn:aws:s3:::team-a-*]", "Ack/Role/DefaultPolicy/Resource")
    ]


def test_role_name_is_stable_short_and_unique_per_region() -> None:
    a = capability_role_name("c" * 100, "argocd", account="111111111111", region="us-east-1")
    b = capability_role_name("c" * 100, "argocd", account="111111111111", region="eu-west-1")
    assert len(a) <= 64 and a != b
    assert a == capability_role_name("c" * 100, "argocd", account="111111111111", region="us-east-1")


# -- bad settings ------------------------------------------------------------------------------------------------
def _argocd(**overrides: Any) -> None:
    stack = new_stack(new_app())
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="demo", version="1.32")
    kwargs: dict[str, Any] = {"identity_center": IdentityCenter(instance_arn=IDC), "role_mappings": admins()}
    kwargs.update(overrides)
    ArgoCdCapability(stack, "ArgoCd", cluster=cluster, **kwargs)


def _ack(**kwargs: Any) -> None:
    stack = new_stack(new_app())
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="demo", version="1.32")
    AckCapability(stack, "Ack", cluster=cluster, **kwargs)


def test_fails_when_identity_center_is_missing() -> None:
    with pytest.raises(ConfigError, match="identity_center must be an IdentityCenter, got NoneType None"):
        _argocd(identity_center=None)


def test_fails_when_the_identity_center_arn_is_malformed() -> None:
    with pytest.raises(ConfigError, match=r"identity_center.instance_arn 'arn:aws:sso:::instance/x'"):
        IdentityCenter(instance_arn="arn:aws:sso:::instance/x")


def test_fails_when_an_identity_is_a_display_name() -> None:
    with pytest.raises(ConfigError, match="not an Identity Store user or group ID"):
        SsoIdentity.group("PlatformAdmins")


def test_fails_when_there_is_no_role_mapping() -> None:
    with pytest.raises(ConfigError, match="role_mappings is empty"):
        _argocd(role_mappings=[])


def test_fails_when_a_role_is_mapped_twice() -> None:
    with pytest.raises(ConfigError, match=r"role_mappings\[1\] maps role ADMIN again"):
        _argocd(role_mappings=admins() + admins())


def test_fails_above_1000_identities() -> None:
    ids = [f"906739b3-1234-5678-9abc-{i:012x}" for i in range(1001)]
    with pytest.raises(ConfigError, match="1001 identities; EKS allows at most 1000"):
        _argocd(role_mappings=admins(*ids))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"endpoint_prefix": "Bad_Prefix"}, "endpoint_prefix 'Bad_Prefix'"),
        ({"vpc_endpoint_ids": ["vpc-123"]}, r"vpc_endpoint_ids\[0\] 'vpc-123'"),
        ({"namespace": "Argo"}, "namespace"),
        ({"capability_name": "-bad"}, "capability_name '-bad'"),
        ({"secret_arns": ["arn:aws:secretsmanager:us-east-1:111111111111:secret:git-*"]}, "has a wildcard"),
        ({"ecr_repository_arns": ["arn:aws:s3:::bucket"]}, r"ecr_repository_arns\[0\]"),
    ],
)
def test_fails_on_malformed_argocd_settings(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _argocd(**overrides)


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (iam.PolicyStatement(actions=["*"], resources=["arn:aws:s3:::b"]), "action '\\*' is a wildcard"),
        (iam.PolicyStatement(actions=["s3:*"], resources=["arn:aws:s3:::b"]), "action 's3:\\*' is a wildcard"),
        (iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"]), "has Resource '\\*'"),
        (iam.PolicyStatement(not_actions=["iam:*"], resources=["arn:aws:s3:::b"]), "NotAction/NotResource"),
    ],
)
def test_fails_on_wildcard_ack_policies(statement: iam.PolicyStatement, message: str) -> None:
    with pytest.raises(ConfigError, match=r"policy_statements\[0\] .*" + message):
        _ack(policy_statements=[statement])


def test_fails_when_a_role_and_permissions_are_both_given() -> None:
    stack = new_stack(new_app())
    role = iam.Role(stack, "Existing", assumed_by=iam.ServicePrincipal("capabilities.eks.amazonaws.com"))
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="demo", version="1.32")
    with pytest.raises(ConfigError, match="pass an existing role or the settings, not both"):
        AckCapability(stack, "Ack", cluster=cluster, role=role,
                      policy_statements=[iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::b/*"])])


def test_fails_on_bad_ack_service_names_and_selector_roles() -> None:
    with pytest.raises(ConfigError) as error:
        _ack(disabled_services=["S3"], role_selector_role_arns=["arn:aws:iam::1:role/x"])
    assert "disabled_services[0] 'S3'" in str(error.value)
    assert "role_selector_role_arns[0]" in str(error.value)


def test_unknown_capability_type_is_a_config_error() -> None:
    assert assert_capability_type("KRO") is CapabilityType.KRO
    with pytest.raises(ConfigError, match="'FLUX' is not an EKS capability type; use one of ARGOCD, ACK, KRO"):
        assert_capability_type("FLUX")


# -- lifecycle: what each change does to the deployed capability -----------------------------------------------
def _argocd_template(**overrides: Any) -> dict[str, Any]:
    stack = new_stack(new_app(), "Lifecycle")
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="demo", version="1.32")
    kwargs: dict[str, Any] = {"identity_center": IdentityCenter(instance_arn=IDC), "role_mappings": admins()}
    kwargs.update(overrides)
    ArgoCdCapability(stack, "ArgoCd", cluster=cluster, **kwargs)
    return synth_stack(stack, label="capability-lifecycle")


@pytest.fixture(scope="module")
def before() -> dict[str, Any]:
    return _argocd_template()


@pytest.mark.parametrize(
    "overrides",
    [
        {"role_mappings": [*admins(), RbacRoleMapping(role=ArgoCdRole.VIEWER, identities=(SsoIdentity.user(USER),))]},
        {"vpc_endpoint_ids": ["vpce-0123456789abcdef0"]},
        {"secret_arns": ["arn:aws:secretsmanager:us-east-1:111111111111:secret:git-AbCdEf"]},
        {"tags": {"team": "platform"}},
    ],
    ids=["role-mappings", "network-access", "permissions", "tags"],
)
def test_in_place_changes_replace_nothing(before: dict[str, Any], overrides: dict[str, Any]) -> None:
    report = compare_templates(before, _argocd_template(**overrides))
    assert report.replaced_or_deleted == (), report.format()


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"namespace": "gitops"}, "Configuration/ArgoCd/Namespace"),
        ({"endpoint_prefix": "platform"}, "Configuration/ArgoCd/EndpointPrefix"),
        ({"identity_center": IdentityCenter(instance_arn=IDC.replace("1234", "9999"))}, "Configuration/ArgoCd/AwsIdc"),
        ({"capability_name": "gitops"}, "CapabilityName"),
    ],
)
def test_create_only_changes_replace_only_the_capability(
    before: dict[str, Any], overrides: dict[str, Any], reason: str
) -> None:
    report = compare_templates(before, _argocd_template(**overrides))
    (change,) = report.replaced_or_deleted
    assert change.resource_type == "AWS::EKS::Capability" and change.action is Action.REPLACE
    assert any(reason in r for r in change.reasons), change.reasons
    assert not change.retained  # identity: the old capability is deleted, never orphaned


def test_removing_the_capability_deletes_it_and_its_role(before: dict[str, Any]) -> None:
    stack = new_stack(new_app(), "Lifecycle")
    AutoModeCluster(stack, "Cluster", cluster_name="demo", version="1.32")
    report = compare_templates(before, synth_stack(stack, label="capability-removed"))
    deleted = {(c.resource_type, c.retained) for c in report.replaced_or_deleted if c.action is Action.DELETE}
    assert deleted == {("AWS::EKS::Capability", False), ("AWS::IAM::Role", False)}
