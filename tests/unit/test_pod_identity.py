"""PodIdentity: associations without the kubectl Lambda, scoped trust, cross-account, session policy, ABAC, errors."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from eks_platform._internal import pod_identity as pi
from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.pod_identity import (
    PodIdentity,
    SessionTag,
    SharedPodIdentityRole,
    add_addon_pod_identity,
    grant_with_session_tags,
)
from eks_platform.errors import ConfigError
from eks_platform.testing import cfn_lint_findings, normalize_template
from tests import support

TARGET = "arn:aws:iam::222222222222:role/reporting-reader"
S3_READ = "AmazonS3ReadOnlyAccess"


# -- one stack with bindings, built once -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app = support.new_app()
    stack = support.new_stack(app, "PodIdentityStack")
    cluster = AutoModeCluster(stack, "Cluster")
    reporting = cluster.add_pod_identity(
        "apps", "reporting", managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(S3_READ)]
    )
    cross = PodIdentity(
        stack,
        "Cross",
        cluster=cluster.cluster,
        namespace="payments",
        service_account="api.v2",
        target_role=TARGET,
        tags={"team": "payments", "cost-center": "42"},
    )
    untagged = PodIdentity(
        stack,
        "Untagged",
        cluster=cluster.cluster,
        namespace="batch",
        service_account="worker",
        disable_session_tags=True,
        policy_statements=[iam.PolicyStatement(actions=["sqs:ReceiveMessage"], resources=["*"])],
    )
    scoped = PodIdentity(
        stack,
        "SessionPolicy",
        cluster=cluster.cluster,
        namespace="batch",
        service_account="reader",
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(S3_READ)],
        session_policy=iam.PolicyDocument(
            statements=[iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::reports/*"])]
        ),
    )
    existing_role = iam.Role.from_role_arn(stack, "Existing", "arn:aws:iam::111111111111:role/team-role")
    existing = PodIdentity(
        stack, "ExistingRole", cluster=cluster.cluster, namespace="team", service_account="app", role=existing_role
    )
    shared = PodIdentity(stack, "Shared", cluster=cluster.cluster, namespace="shared", service_account="tenant")
    grant_with_session_tags(
        shared.role, actions=["s3:GetObject"], resources=["*"], condition_key_prefix="s3:ExistingObjectTag"
    )
    template = support.synth_stack(stack, label="pod-identity")
    return {
        "app": app,
        "stack": stack,
        "cluster": cluster,
        "template": template,
        "bindings": {
            "reporting": reporting,
            "cross": cross,
            "untagged": untagged,
            "scoped": scoped,
            "existing": existing,
            "shared": shared,
        },
    }


def _logical_id(built: dict[str, Any], element: Any) -> str:
    return str(built["stack"].resolve(built["stack"].get_logical_id(element)))


def _association(built: dict[str, Any], name: str) -> dict[str, Any]:
    binding = built["bindings"][name]
    logical_id = built["stack"].resolve(built["stack"].get_logical_id(binding.association))
    resource: dict[str, Any] = built["template"]["Resources"][logical_id]
    return resource


def _role(built: dict[str, Any], name: str) -> dict[str, Any]:
    binding = built["bindings"][name]
    cfn_role = binding.role.node.default_child
    logical_id = built["stack"].resolve(built["stack"].get_logical_id(cfn_role))
    resource: dict[str, Any] = built["template"]["Resources"][logical_id]
    return resource


def _trust_statement(role: dict[str, Any]) -> dict[str, Any]:
    statements = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert len(statements) == 1
    statement: dict[str, Any] = statements[0]
    return statement


def _cluster_logical_id(built: dict[str, Any]) -> str:
    cluster = built["cluster"]
    return str(built["stack"].resolve(built["stack"].get_logical_id(cluster.cfn_cluster)))


def _warnings(stack: cdk.Stack) -> list[str]:
    messages = []
    for child in stack.node.find_all():
        for entry in child.node.metadata:
            if entry.type == "aws:cdk:warning":
                messages.append(str(entry.data))
    return messages


# -- association and trust -------------------------------------------------------------------------------------------
def test_emits_one_association_per_binding(built: dict[str, Any]) -> None:
    associations = support.resources_of(built["template"], "AWS::EKS::PodIdentityAssociation")
    pairs = sorted((r["Properties"]["Namespace"], r["Properties"]["ServiceAccount"]) for r in associations.values())
    assert pairs == sorted(
        [("apps", "reporting"), ("payments", "api.v2"), ("batch", "worker"), ("batch", "reader"), ("team", "app"),
         ("shared", "tenant")]
    )


def test_association_points_at_the_cluster_and_the_created_role(built: dict[str, Any]) -> None:
    props = _association(built, "reporting")["Properties"]
    assert props["ClusterName"] == {"Ref": _cluster_logical_id(built)}
    role_id = _logical_id(built, built["bindings"]["reporting"].role.node.default_child)
    assert props["RoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert "TargetRoleArn" not in props and "DisableSessionTags" not in props and "Policy" not in props


def test_created_role_trusts_pod_identity_with_assume_role_and_tag_session(built: dict[str, Any]) -> None:
    statement = _trust_statement(_role(built, "reporting"))
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert sorted(statement["Action"]) == ["sts:AssumeRole", "sts:TagSession"]


def test_trust_is_scoped_by_cluster_arn_namespace_and_service_account(built: dict[str, Any]) -> None:
    condition = _trust_statement(_role(built, "cross"))["Condition"]
    assert condition == {
        "StringEquals": {
            "aws:RequestTag/eks-cluster-arn": {"Fn::GetAtt": [_cluster_logical_id(built), "Arn"]},
            "aws:RequestTag/kubernetes-namespace": "payments",
            "aws:RequestTag/kubernetes-service-account": "api.v2",
        }
    }


def test_trust_has_no_source_account_or_source_arn_condition(built: dict[str, Any]) -> None:
    # The EKS user guide documents only the request tags for this trust policy; a key EKS does not send would
    # lock every pod out.
    for name in ("reporting", "cross", "shared"):
        condition = _trust_statement(_role(built, name))["Condition"]
        keys = {key for block in condition.values() for key in block}
        assert not keys & {"aws:SourceAccount", "aws:SourceArn"}


def test_managed_policies_are_attached_to_the_created_role(built: dict[str, Any]) -> None:
    arns = _role(built, "reporting")["Properties"]["ManagedPolicyArns"]
    assert arns == [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::aws:policy/{S3_READ}"]]}]


def test_stack_with_only_cluster_and_bindings_has_no_lambda_and_no_custom_resource(built: dict[str, Any]) -> None:
    types = {r["Type"] for r in built["template"]["Resources"].values()}
    assert "AWS::Lambda::Function" not in types
    assert not [t for t in types if t.startswith("Custom::") or t == "AWS::CloudFormation::CustomResource"]


# -- cross-account target role ---------------------------------------------------------------------------------------
def test_target_role_is_set_on_the_association(built: dict[str, Any]) -> None:
    assert _association(built, "cross")["Properties"]["TargetRoleArn"] == TARGET


def test_association_role_may_assume_and_tag_the_target_role(built: dict[str, Any]) -> None:
    policies = support.resources_of(built["template"], "AWS::IAM::Policy")
    role_id = built["stack"].resolve(built["stack"].get_logical_id(built["bindings"]["cross"].role.node.default_child))
    statements = [
        s
        for p in policies.values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert {"Action": ["sts:AssumeRole", "sts:TagSession"], "Effect": "Allow", "Resource": TARGET} in statements


def test_target_trust_policy_is_one_phase_with_session_tags(built: dict[str, Any]) -> None:
    cross: PodIdentity = built["bindings"]["cross"]
    document = built["stack"].resolve(cross.target_trust_policy().to_json())
    (statement,) = document["Statement"]
    assert sorted(statement["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
    assert statement["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == "api.v2"
    assert "sts:ExternalId" not in str(statement)


def test_target_trust_policy_matches_external_id_when_session_tags_are_off() -> None:
    app = support.new_app()
    stack = support.new_stack(app)
    cluster = eks.Cluster.from_cluster_attributes(stack, "Imported", cluster_name="c")
    binding = PodIdentity(
        stack, "B", cluster=cluster, namespace="a", service_account="b", target_role=TARGET, disable_session_tags=True
    )
    document = stack.resolve(binding.target_trust_policy().to_json())
    assume = next(s for s in document["Statement"] if s["Action"] == "sts:AssumeRole")
    external_id = stack.resolve(binding.external_id)
    assert assume["Condition"]["StringEquals"] == {"sts:ExternalId": external_id}


def test_fails_when_target_trust_policy_is_asked_without_target_role(built: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="has no target_role"):
        built["bindings"]["reporting"].target_trust_policy()


# -- session tags and session policy ---------------------------------------------------------------------------------
def test_disabled_session_tags_keep_the_source_account_guard(built: dict[str, Any]) -> None:
    # no session tags to condition on; the confused-deputy guard keeps other accounts' associations out
    assert _trust_statement(_role(built, "untagged"))["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "111111111111"}
    }
    assert _association(built, "untagged")["Properties"]["DisableSessionTags"] is True


def test_disabled_session_tags_warn_about_the_wider_trust(built: dict[str, Any]) -> None:
    assert any("batch/worker" in w and "cannot be scoped" in w for w in _warnings(built["stack"]))


def test_session_policy_is_passed_as_json_and_turns_session_tags_off(built: dict[str, Any]) -> None:
    props = _association(built, "scoped")["Properties"]
    assert props["DisableSessionTags"] is True
    assert '"s3:GetObject"' in props["Policy"] and "arn:aws:s3:::reports/*" in props["Policy"]


def test_tags_are_sorted_cfn_tags(built: dict[str, Any]) -> None:
    assert _association(built, "cross")["Properties"]["Tags"] == [
        {"Key": "cost-center", "Value": "42"},
        {"Key": "team", "Value": "payments"},
    ]


# -- existing role ---------------------------------------------------------------------------------------------------
def test_existing_role_is_bound_as_is(built: dict[str, Any]) -> None:
    props = _association(built, "existing")["Properties"]
    assert props["RoleArn"] == "arn:aws:iam::111111111111:role/team-role"
    assert not any(
        r["Properties"].get("Description", "").endswith("team/app")
        for r in support.resources_of(built["template"], "AWS::IAM::Role").values()
    )


def test_existing_role_gets_a_warning_about_its_trust(built: dict[str, Any]) -> None:
    assert any("team/app uses an existing role" in w for w in _warnings(built["stack"]))


# -- ABAC helper -----------------------------------------------------------------------------------------------------
def test_session_tag_grant_matches_resource_tag_to_principal_tag(built: dict[str, Any]) -> None:
    policies = support.resources_of(built["template"], "AWS::IAM::Policy")
    role_id = built["stack"].resolve(built["stack"].get_logical_id(built["bindings"]["shared"].role.node.default_child))
    (policy,) = [p for p in policies.values() if {"Ref": role_id} in p["Properties"]["Roles"]]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Condition"] == {
        "StringEquals": {"s3:ExistingObjectTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}"}
    }


def test_session_tag_policy_variable() -> None:
    assert SessionTag.SERVICE_ACCOUNT.policy_variable == "${aws:PrincipalTag/kubernetes-service-account}"
    assert [t.value for t in SessionTag] == list(pi.SESSION_TAG_KEYS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"actions": [], "resources": ["*"]}, "actions must be a non-empty"),
        ({"actions": ["s3:GetObject"], "resources": []}, "resources must be a non-empty"),
        ({"actions": ["s3:GetObject"], "resources": ["*"], "match": []}, "match is empty"),
        ({"actions": ["s3:GetObject"], "resources": ["*"], "match": ["namespace"]},
         r"match\[0\] 'namespace' is not a SessionTag; use one of SessionTag.CLUSTER_ARN"),
        ({"actions": ["s3:GetObject"], "resources": ["*"], "condition_key_prefix": "aws:ResourceTag/"}, "trailing"),
    ],
)
def test_fails_when_session_tag_grant_input_is_bad(kwargs: dict[str, Any], message: str) -> None:
    role = iam.Role(support.new_stack(), "R", assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com"))
    with pytest.raises(ConfigError, match=message):
        grant_with_session_tags(role, **kwargs)


def test_a_session_tag_may_be_given_as_its_string_value() -> None:
    stack = support.new_stack()
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com"))
    grant_with_session_tags(role, actions=["s3:GetObject"], resources=["*"], match=["kubernetes-service-account"])
    Template.from_stack(stack).has_resource_properties("AWS::IAM::Policy", {
        "PolicyDocument": {"Statement": [{"Condition": {"StringEquals": {
            "aws:ResourceTag/kubernetes-service-account": "${aws:PrincipalTag/kubernetes-service-account}"}}}]}})


# -- stable identity -------------------------------------------------------------------------------------------------
def test_logical_ids_are_keyed_by_namespace_and_service_account(built: dict[str, Any]) -> None:
    binding = built["bindings"]["reporting"]
    assert binding.node.path.endswith("/PodIdentities/apps:reporting")
    logical_id = built["stack"].resolve(built["stack"].get_logical_id(binding.association))
    assert logical_id.startswith("ClusterPodIdentitiesappsreportingAssociation")


def test_logical_ids_do_not_depend_on_binding_order() -> None:
    def ids(order: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        stack = support.new_stack(support.new_app())
        cluster = AutoModeCluster(stack, "Cluster")
        found = {}
        for ns, sa in order:
            binding = cluster.add_pod_identity(ns, sa)
            found[(ns, sa)] = stack.resolve(stack.get_logical_id(binding.association))
        return found

    pairs = [("a-b", "c"), ("a", "b-c"), ("apps", "x.y")]
    assert ids(pairs) == ids(list(reversed(pairs)))
    assert len(set(ids(pairs).values())) == len(pairs)


def test_id_for_is_namespace_colon_service_account() -> None:
    assert PodIdentity.id_for("apps", "reporting") == "apps:reporting"


# -- create_service_account ------------------------------------------------------------------------------------------
def test_service_account_manifest_is_applied_when_asked() -> None:
    app = support.new_app()
    stack = support.new_stack(app)
    provider = eks.KubectlProvider.from_kubectl_provider_attributes(
        stack, "Provider", service_token="arn:aws:lambda:us-east-1:111111111111:function:kubectl"
    )
    cluster = eks.Cluster.from_cluster_attributes(stack, "Imported", cluster_name="c", kubectl_provider=provider)
    binding = PodIdentity(stack, "B", cluster=cluster, namespace="apps", service_account="web",
                          create_service_account=True)
    assert binding.service_account_manifest is not None
    template = support.synth_stack(stack, label="pod-identity-sa")
    (manifest,) = [r for r in template["Resources"].values() if r["Type"] == "Custom::AWSCDK-EKS-KubernetesResource"]
    body = stack.resolve(manifest["Properties"]["Manifest"])
    assert '"kind":"ServiceAccount"' in body and '"name":"web"' in body and '"namespace":"apps"' in body


# -- add-on associations ---------------------------------------------------------------------------------------------
def test_addon_pod_identity_adds_an_association_to_an_l2_addon() -> None:
    app = support.new_app()
    stack = support.new_stack(app)
    cluster = eks.Cluster.from_cluster_attributes(stack, "Imported", cluster_name="c")
    addon = eks.Addon(stack, "Ebs", cluster=cluster, addon_name="aws-ebs-csi-driver")
    role = add_addon_pod_identity(
        addon,
        cluster=cluster,
        namespace="kube-system",
        service_account="ebs-csi-controller-sa",
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonEBSCSIDriverPolicy")],
    )
    template = support.synth_stack(stack, label="addon-pod-identity")
    cfn_addon = support.only_resource(template, "AWS::EKS::Addon")
    role_id = stack.resolve(stack.get_logical_id(role.node.default_child))
    assert cfn_addon["Properties"]["PodIdentityAssociations"] == [
        {"RoleArn": {"Fn::GetAtt": [role_id, "Arn"]}, "ServiceAccount": "ebs-csi-controller-sa"}
    ]
    condition = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    assert condition["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == "ebs-csi-controller-sa"


def test_fails_when_addon_pod_identity_gets_role_and_policies() -> None:
    stack = support.new_stack()
    cluster = eks.Cluster.from_cluster_attributes(stack, "Imported", cluster_name="c")
    addon = eks.CfnAddon(stack, "A", addon_name="vpc-cni", cluster_name="c")
    role = iam.Role.from_role_arn(stack, "R", "arn:aws:iam::111111111111:role/r")
    with pytest.raises(ConfigError, match="role was given together with"):
        add_addon_pod_identity(addon, cluster=cluster, namespace="kube-system", service_account="aws-node", role=role,
                               managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKS_CNI_Policy")])


# -- cfn-lint --------------------------------------------------------------------------------------------------------
def test_template_is_cfn_lint_clean(built: dict[str, Any]) -> None:
    assert [str(f) for f in cfn_lint_findings(built["template"], allow=support.CFN_LINT_ALLOW)] == []


def test_pod_identity_resources_match_snapshot(built: dict[str, Any], snapshot_json: Any) -> None:
    resources = {
        k: r
        for k, r in built["template"]["Resources"].items()
        if r["Type"] in ("AWS::EKS::PodIdentityAssociation", "AWS::IAM::Role", "AWS::IAM::Policy")
        and not k.startswith("ClusterNodeRole")
    }
    assert normalize_template(resources) == snapshot_json


# -- bad input -------------------------------------------------------------------------------------------------------
def _imported() -> tuple[cdk.Stack, eks.ICluster]:
    stack = support.new_stack(support.new_app())
    return stack, eks.Cluster.from_cluster_attributes(stack, "Imported", cluster_name="c")


@pytest.mark.parametrize(
    ("namespace", "service_account", "message"),
    [
        ("Apps", "web", "namespace 'Apps' is not a DNS-1123 label"),
        ("apps.prod", "web", "is not a DNS-1123 label"),
        ("a" * 64, "web", "is 64 characters; a DNS-1123 label has at most 63"),
        ("", "web", "namespace must be a non-empty string"),
        ("apps", "Web", "service_account 'Web' is not a DNS-1123 subdomain"),
        ("apps", "web_api", "is not a DNS-1123 subdomain"),
        ("apps", "a" * 254, "is 254 characters; a DNS-1123 subdomain has at most 253"),
        ("apps", "-web", "is not a DNS-1123 subdomain"),
    ],
)
def test_fails_when_names_break_kubernetes_rules(namespace: str, service_account: str, message: str) -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match=message):
        PodIdentity(stack, "B", cluster=cluster, namespace=namespace, service_account=service_account)


def test_fails_when_add_pod_identity_gets_a_bad_name_before_building_anything() -> None:
    stack = support.new_stack(support.new_app())
    cluster = AutoModeCluster(stack, "Cluster")
    with pytest.raises(ConfigError, match="not a DNS-1123 label"):
        cluster.add_pod_identity("Apps/x", "web")


def test_fails_when_the_same_service_account_is_bound_twice() -> None:
    stack, cluster = _imported()
    PodIdentity(stack, "One", cluster=cluster, namespace="apps", service_account="web")
    with pytest.raises(ConfigError, match=r"apps/web is already bound") as err:
        PodIdentity(stack, "Two", cluster=cluster, namespace="apps", service_account="web")
    assert err.value.code == "DuplicatePodIdentity"


def test_fails_when_the_same_service_account_is_bound_twice_across_stacks() -> None:
    app = support.new_app()
    first = support.new_stack(app, "First")
    cluster = AutoModeCluster(first, "Cluster")
    cluster.add_pod_identity("apps", "web")
    second = support.new_stack(app, "Second")
    with pytest.raises(ConfigError, match="already bound"):
        PodIdentity(second, "Web", cluster=cluster.cluster, namespace="apps", service_account="web")


def test_fails_when_add_pod_identity_is_called_twice_for_one_binding() -> None:
    stack = support.new_stack(support.new_app())
    cluster = AutoModeCluster(stack, "Cluster")
    cluster.add_pod_identity("apps", "web")
    with pytest.raises(ConfigError, match="already bound"):
        cluster.add_pod_identity("apps", "web")


def test_fails_when_existing_role_comes_with_policies() -> None:
    stack, cluster = _imported()
    role = iam.Role.from_role_arn(stack, "R", "arn:aws:iam::111111111111:role/r")
    with pytest.raises(ConfigError, match="role was given together with managed_policies/policy_statements"):
        PodIdentity(stack, "B", cluster=cluster, namespace="a", service_account="b", role=role,
                    policy_statements=[iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"])])


@pytest.mark.parametrize(
    "arn",
    ["arn:aws:iam::222222222222:user/someone", "arn:aws:s3:::bucket", "reporting-reader", "arn:aws:iam::2222:role/x"],
)
def test_fails_when_target_role_is_not_a_role_arn(arn: str) -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match=r"target_role .* is not an IAM role ARN"):
        PodIdentity(stack, "B", cluster=cluster, namespace="a", service_account="b", target_role=arn)


def test_fails_when_target_role_is_in_the_cluster_account() -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match="is in the cluster's own account 111111111111"):
        PodIdentity(stack, "B", cluster=cluster, namespace="a", service_account="b",
                    target_role="arn:aws:iam::111111111111:role/same")


def test_same_account_target_is_accepted_when_allowed() -> None:
    stack, cluster = _imported()
    binding = PodIdentity(stack, "B", cluster=cluster, namespace="a", service_account="b",
                          target_role="arn:aws:iam::111111111111:role/same", allow_same_account_target=True)
    assert binding.target_role_arn == "arn:aws:iam::111111111111:role/same"


def test_fails_when_a_statement_allows_everything() -> None:
    stack, cluster = _imported()
    admin = iam.PolicyStatement(actions=["*"], resources=["*"])
    with pytest.raises(ConfigError, match=r"policy_statements\[0\] allows action '\*' on resource '\*'"):
        PodIdentity(stack, "B", cluster=cluster, namespace="a", service_account="b", policy_statements=[admin])


def test_wildcard_statement_is_accepted_when_explicitly_allowed() -> None:
    stack, cluster = _imported()
    admin = iam.PolicyStatement(actions=["*"], resources=["*"])
    binding = PodIdentity(stack, "B", cluster=cluster, namespace="a", service_account="b", policy_statements=[admin],
                          allow_wildcard_statements=True)
    assert binding.role is not None


def test_fails_when_session_policy_comes_with_session_tags_on() -> None:
    stack, cluster = _imported()
    policy = iam.PolicyDocument(statements=[iam.PolicyStatement(actions=["s3:GetObject"], resources=["*"])])
    with pytest.raises(ConfigError, match="session_policy needs session tags disabled"):
        PodIdentity(stack, "B", cluster=cluster, namespace="a", service_account="b", session_policy=policy,
                    disable_session_tags=False)


def test_fails_when_session_policy_is_empty() -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match="session_policy has no statements"):
        PodIdentity(stack, "B", cluster=cluster, namespace="a", service_account="b",
                    session_policy=iam.PolicyDocument())


def test_fails_when_service_account_creation_has_no_kubectl_provider() -> None:
    stack = support.new_stack(support.new_app())
    cluster = AutoModeCluster(stack, "Cluster")
    with pytest.raises(ConfigError, match="needs the cluster's kubectl provider"):
        cluster.add_pod_identity("apps", "web", create_service_account=True)


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"aws:team": "x"}, "starts with 'aws:'"),
        ({"k" * 129: "x"}, "is 129 characters; allowed 1 to 128"),
        ({"team": "v" * 257}, "is 257 characters; allowed 0 to 256"),
        ({"team": 3}, "tags\\['team'\\] must be a string, got int 3"),
    ],
)
def test_fails_when_tags_break_eks_limits(tags: dict[str, Any], message: str) -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match=message):
        PodIdentity(stack, "B", cluster=cluster, namespace="a", service_account="b", tags=tags)


def test_fails_when_bindings_exceed_the_cluster_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pi, "MAX_ASSOCIATIONS_PER_CLUSTER", 2)
    app = support.new_app()
    first = support.new_stack(app, "First")
    cluster = AutoModeCluster(first, "Cluster")
    cluster.add_pod_identity("apps", "one")
    second = support.new_stack(app, "Second")
    PodIdentity(second, "Two", cluster=cluster.cluster, namespace="apps", service_account="two")
    message = "would get 3 Pod Identity associations in this app; EKS allows at most 2"
    with pytest.raises(ConfigError, match=message) as err:
        PodIdentity(second, "Three", cluster=cluster.cluster, namespace="apps", service_account="three")
    assert err.value.code == "PodIdentityQuotaExceeded"


def test_quota_is_counted_per_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pi, "MAX_ASSOCIATIONS_PER_CLUSTER", 1)
    stack = support.new_stack(support.new_app())
    one = eks.Cluster.from_cluster_attributes(stack, "One", cluster_name="one")
    two = eks.Cluster.from_cluster_attributes(stack, "Two", cluster_name="two")
    PodIdentity(stack, "A", cluster=one, namespace="apps", service_account="web")
    PodIdentity(stack, "B", cluster=two, namespace="apps", service_account="web")


def test_real_quota_is_5000() -> None:
    assert pi.MAX_ASSOCIATIONS_PER_CLUSTER == 5000
    assert pi.quota_problem("c", 5000) is None
    assert pi.quota_problem("c", 5001) is not None


# -- shared role (ABAC) ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shared_role() -> dict[str, Any]:
    app = support.new_app()
    stack = support.new_stack(app, "SharedRole")
    cluster = AutoModeCluster(stack, "Cluster")
    shared = SharedPodIdentityRole(stack, "Tenants", cluster=cluster.cluster,
                                   bindings=[("tenant-a", "worker"), ("tenant-b", "worker")])
    bindings = [cluster.add_pod_identity(ns, "worker", role=shared) for ns in ("tenant-a", "tenant-b")]
    template = support.synth_stack(stack, label="shared-role")
    return {"stack": stack, "cluster": cluster, "shared": shared, "bindings": bindings, "template": template}


def test_shared_role_trusts_each_binding_with_an_exact_statement(shared_role: dict[str, Any]) -> None:
    role = shared_role["template"]["Resources"][_logical_id(shared_role, shared_role["shared"].role.node.default_child)]
    pairs = sorted(
        (s["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-namespace"],
         s["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"])
        for s in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    )
    assert pairs == [("tenant-a", "worker"), ("tenant-b", "worker")]


def test_bindings_of_a_shared_role_use_it_without_warning(shared_role: dict[str, Any]) -> None:
    stack = shared_role["stack"]
    role_id = stack.resolve(stack.get_logical_id(shared_role["shared"].role.node.default_child))
    for binding in shared_role["bindings"]:
        props = shared_role["template"]["Resources"][stack.resolve(stack.get_logical_id(binding.association))]
        assert props["Properties"]["RoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert not [w for w in _warnings(stack) if "existing role" in w]
    assert len(support.resources_of(shared_role["template"], "AWS::IAM::Role")) == 3  # shared + cluster + node roles


def test_fails_when_a_shared_role_does_not_list_the_binding(shared_role: dict[str, Any]) -> None:
    stack, cluster = _imported()
    shared = SharedPodIdentityRole(stack, "S", cluster=cluster, bindings=[("a", "b")])
    with pytest.raises(ConfigError, match="is not trusted by a/c"):
        PodIdentity(stack, "B", cluster=cluster, namespace="a", service_account="c", role=shared)


def test_fails_when_a_shared_role_binding_disables_session_tags() -> None:
    stack, cluster = _imported()
    shared = SharedPodIdentityRole(stack, "S", cluster=cluster, bindings=[("a", "b")])
    with pytest.raises(ConfigError, match="session tags must stay enabled"):
        PodIdentity(stack, "B", cluster=cluster, namespace="a", service_account="b", role=shared,
                    disable_session_tags=True)


@pytest.mark.parametrize(
    ("bindings", "message"),
    [([], "at least one"), ([("a", "b"), ("a", "b")], "twice"), ([("A", "b")], r"bindings\[0\].namespace"),
     ([("a", "b", "c")], "bindings\\[0\\] must be a tuple \\(a string, a string\\), got tuple")],
)
def test_fails_when_shared_role_bindings_are_bad(bindings: list[Any], message: str) -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match=message):
        SharedPodIdentityRole(stack, "S", cluster=cluster, bindings=bindings)


def test_shared_role_template_is_cfn_lint_clean(shared_role: dict[str, Any]) -> None:
    assert [str(f) for f in cfn_lint_findings(shared_role["template"], allow=support.CFN_LINT_ALLOW)] == []


# -- config section --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bindings", "message"),
    [
        ([{"namespace": "Apps", "serviceAccount": "web"}], r"platform.podIdentities\[0\].namespace 'Apps'"),
        ([{"namespace": "apps"}], r"platform.podIdentities\[0\].serviceAccount is required"),
        ([{"namespace": "apps", "serviceAccount": "web", "managedPolicy": []}], "did you mean 'managedPolicies'"),
        ([{"namespace": "apps", "serviceAccount": "web", "managedPolicies": ["arn:aws:iam::1:policy/x"]}],
         "is not an IAM policy ARN"),
        ([{"namespace": "apps", "serviceAccount": "web", "targetRoleArn": "arn:aws:iam::222222222222:user/x"}],
         "is not an IAM role ARN"),
        ([{"namespace": "apps", "serviceAccount": "web", "disableSessionTags": "yes"}], "must be true or false"),
        ([{"namespace": "apps", "serviceAccount": "web"}, {"namespace": "apps", "serviceAccount": "web"}],
         r"platform.podIdentities\[1\] binds apps/web again"),
        ({"apps": "web"}, r"platform\.podIdentities must be a list \(JSON array\), got object"),
    ],
)
def test_fails_when_the_pod_identities_config_is_bad(bindings: Any, message: str) -> None:
    from eks_platform.config import parse_platform_config

    with pytest.raises(ConfigError, match=message):
        parse_platform_config({"podIdentities": bindings})


def test_pod_identities_config_builds_bindings() -> None:
    from eks_platform.config import parse_platform_config
    from eks_platform.config.pod_identity import PodIdentityBinding

    config = parse_platform_config({"podIdentities": [{"namespace": "apps", "serviceAccount": "reporting",
                                                       "managedPolicies": ["AmazonS3ReadOnlyAccess"],
                                                       "tags": {"team": "bi"}}]})
    assert config.pod_identities == (PodIdentityBinding(namespace="apps", service_account="reporting",
                                                        managed_policies=("AmazonS3ReadOnlyAccess",),
                                                        tags={"team": "bi"}),)


def test_reference_stack_binds_apps_reporting_with_a_scoped_role(reference_templates: dict[str, Any]) -> None:
    template = reference_templates["EksPlatform"]
    (association,) = support.resources_of(template, "AWS::EKS::PodIdentityAssociation").values()
    props = association["Properties"]
    assert (props["Namespace"], props["ServiceAccount"]) == ("apps", "reporting")
    role_id = association["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    role = template["Resources"][role_id]["Properties"]
    condition = role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]
    assert set(condition) == {"aws:RequestTag/eks-cluster-arn", "aws:RequestTag/kubernetes-namespace",
                              "aws:RequestTag/kubernetes-service-account"}
    assert "AmazonS3ReadOnlyAccess" in json.dumps(role["ManagedPolicyArns"])
