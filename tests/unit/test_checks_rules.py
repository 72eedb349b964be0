"""EKSP rules as pure functions: for every rule a passing and a failing fixture (resolved template properties)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from eks_platform._internal.versions import lifecycle_table
from eks_platform.checks import RULES, RULES_BY_ID, RuleContext
from eks_platform.checks._rule import json_documents, literal_text

TODAY = dt.date(2026, 11, 27)
CONTEXT = RuleContext(today=TODAY)

# A cluster as AutoModeCluster renders it (the parts the rules read).
GOOD_CLUSTER: dict[str, Any] = {
    "Name": "prod",
    "Version": "1.32",
    "ResourcesVpcConfig": {"EndpointPublicAccess": False, "EndpointPrivateAccess": True, "SubnetIds": ["s-1"]},
    "Logging": {
        "ClusterLogging": {
            "EnabledTypes": [
                {"Type": "api"},
                {"Type": "audit"},
                {"Type": "authenticator"},
                {"Type": "controllerManager"},
                {"Type": "scheduler"},
            ]
        }
    },
    "EncryptionConfig": [{"Provider": {"KeyArn": {"Fn::GetAtt": ["Key", "Arn"]}}, "Resources": ["secrets"]}],
    "UpgradePolicy": {"SupportType": "EXTENDED"},  # 1.32 is in extended support on TODAY
    "DeletionProtection": True,
    "AccessConfig": {"AuthenticationMode": "API", "BootstrapClusterCreatorAdminPermissions": False},
}


def cluster(**changes: Any) -> dict[str, Any]:
    """GOOD_CLUSTER with top-level keys replaced (``None`` removes the key)."""
    props = json.loads(json.dumps(GOOD_CLUSTER))
    for key, value in changes.items():
        if value is None:
            props.pop(key, None)
        else:
            props[key] = value
    return props


def run(rule_id: str, properties: dict[str, Any], resource_type: str | None = None) -> list[str]:
    rule = RULES_BY_ID[rule_id]
    rtype = resource_type or next(iter(sorted(rule.resource_types)))
    return [rule.full_id(f) for f in rule.evaluate(rtype, properties, CONTEXT)]


# -- the pack as a whole ----------------------------------------------------------------------------------------------


def test_rules_are_numbered_one_to_eleven_without_gaps() -> None:
    assert [rule.rule_id for rule in RULES] == [f"EKSP-{n}" for n in range(1, 12)]


def test_every_rule_lives_in_its_own_module() -> None:
    modules = {rule.check.__module__ for rule in RULES}
    assert len(modules) == len(RULES)
    for rule in RULES:
        assert rule.check.__module__.rsplit(".", 1)[-1].startswith(f"eksp_{rule.number}_")


def test_every_rule_explains_itself_and_links_documentation() -> None:
    for rule in RULES:
        assert len(rule.info) > 30 and len(rule.explanation) > 80, rule.rule_id
        assert rule.see.startswith("https://"), rule.rule_id


def test_only_the_storage_class_rule_is_a_warning() -> None:
    assert [r.rule_id for r in RULES if r.level.value == "WARN"] == ["EKSP-10"]


def test_good_cluster_passes_every_cluster_rule() -> None:
    for rule in RULES:
        if rule.applies_to("AWS::EKS::Cluster"):
            assert rule.evaluate("AWS::EKS::Cluster", GOOD_CLUSTER, CONTEXT) == [], rule.rule_id


def test_rules_ignore_resource_types_they_do_not_cover() -> None:
    empty_cluster: dict[str, Any] = {}
    assert RULES_BY_ID["EKSP-5"].evaluate("AWS::IAM::Role", empty_cluster, CONTEXT) == []
    assert RULES_BY_ID["EKSP-9"].evaluate("AWS::EKS::Cluster", empty_cluster, CONTEXT) == []


# -- EKSP-1 public endpoint -------------------------------------------------------------------------------------------


def test_eksp1_passes_private_endpoint() -> None:
    assert run("EKSP-1", GOOD_CLUSTER) == []


def test_eksp1_passes_public_endpoint_restricted_to_networks() -> None:
    vpc = {"EndpointPublicAccess": True, "EndpointPrivateAccess": True, "PublicAccessCidrs": ["203.0.113.0/24"]}
    assert run("EKSP-1", cluster(ResourcesVpcConfig=vpc)) == []


def test_eksp1_fails_when_public_endpoint_has_no_cidrs() -> None:
    # EndpointPublicAccess defaults to true and PublicAccessCidrs to 0.0.0.0/0 in EKS
    assert run("EKSP-1", cluster(ResourcesVpcConfig={"SubnetIds": ["s-1"]})) == ["EKSP-1"]


def test_eksp1_fails_when_public_cidrs_include_anywhere() -> None:
    vpc = {"EndpointPublicAccess": "true", "PublicAccessCidrs": ["203.0.113.0/24", "0.0.0.0/0"]}
    findings = RULES_BY_ID["EKSP-1"].evaluate("AWS::EKS::Cluster", cluster(ResourcesVpcConfig=vpc), CONTEXT)
    assert len(findings) == 1 and "0.0.0.0/0" in findings[0].message and "endpoint_public_cidrs" in findings[0].message


# -- EKSP-2 control-plane logs ----------------------------------------------------------------------------------------


def test_eksp2_passes_all_five_log_types() -> None:
    assert run("EKSP-2", GOOD_CLUSTER) == []


def test_eksp2_fails_per_missing_log_type() -> None:
    logging = {"ClusterLogging": {"EnabledTypes": [{"Type": "api"}, {"Type": "audit"}, {"Type": "authenticator"}]}}
    assert run("EKSP-2", cluster(Logging=logging)) == [
        "EKSP-2[LogType::controllerManager]",
        "EKSP-2[LogType::scheduler]",
    ]


def test_eksp2_fails_without_logging() -> None:
    assert len(run("EKSP-2", cluster(Logging=None))) == 5


# -- EKSP-3 secrets encryption ----------------------------------------------------------------------------------------


def test_eksp3_passes_with_kms_key_for_secrets() -> None:
    assert run("EKSP-3", GOOD_CLUSTER) == []


def test_eksp3_fails_without_encryption_config() -> None:
    assert run("EKSP-3", cluster(EncryptionConfig=None)) == ["EKSP-3"]


def test_eksp3_fails_when_encryption_config_has_no_key() -> None:
    assert run("EKSP-3", cluster(EncryptionConfig=[{"Resources": ["secrets"]}])) == ["EKSP-3"]


# -- EKSP-4 upgrade policy --------------------------------------------------------------------------------------------


def _version_in_standard_support() -> str:
    return next(v for v, row in sorted(lifecycle_table().items()) if row.phase_on(TODAY) == "standard")


def test_eksp4_passes_extended_for_a_version_already_in_extended_support() -> None:
    assert lifecycle_table()["1.32"].phase_on(TODAY) == "extended"
    assert run("EKSP-4", GOOD_CLUSTER) == []


def test_eksp4_passes_standard_for_a_version_in_standard_support() -> None:
    props = cluster(Version=_version_in_standard_support(), UpgradePolicy={"SupportType": "STANDARD"})
    assert run("EKSP-4", props) == []


def test_eksp4_fails_without_upgrade_policy() -> None:
    findings = RULES_BY_ID["EKSP-4"].evaluate("AWS::EKS::Cluster", cluster(UpgradePolicy=None), CONTEXT)
    assert len(findings) == 1 and "EXTENDED" in findings[0].message and "$0.60" in findings[0].message


def test_eksp4_fails_extended_support_for_a_version_in_standard_support() -> None:
    version = _version_in_standard_support()
    findings = RULES_BY_ID["EKSP-4"].evaluate(
        "AWS::EKS::Cluster", cluster(Version=version, UpgradePolicy={"SupportType": "EXTENDED"}), CONTEXT
    )
    end = lifecycle_table()[version].end_of_standard.isoformat()
    assert len(findings) == 1 and end in findings[0].message


def test_eksp4_treats_an_upgrade_policy_without_support_type_as_extended() -> None:
    assert run("EKSP-4", cluster(Version=_version_in_standard_support(), UpgradePolicy={})) == ["EKSP-4"]


# -- EKSP-5 deletion protection ---------------------------------------------------------------------------------------


def test_eksp5_passes_with_deletion_protection() -> None:
    assert run("EKSP-5", GOOD_CLUSTER) == []


def test_eksp5_fails_when_deletion_protection_is_unset() -> None:
    assert run("EKSP-5", cluster(DeletionProtection=None)) == ["EKSP-5"]


def test_eksp5_fails_when_deletion_protection_is_false_string() -> None:
    assert run("EKSP-5", cluster(DeletionProtection="false")) == ["EKSP-5"]


# -- EKSP-6 authentication mode ---------------------------------------------------------------------------------------


def test_eksp6_passes_api_mode() -> None:
    assert run("EKSP-6", GOOD_CLUSTER) == []


@pytest.mark.parametrize("mode", ["CONFIG_MAP", "API_AND_CONFIG_MAP"])
def test_eksp6_fails_modes_that_accept_aws_auth(mode: str) -> None:
    assert run("EKSP-6", cluster(AccessConfig={"AuthenticationMode": mode})) == ["EKSP-6"]


def test_eksp6_fails_when_mode_is_unset() -> None:
    assert run("EKSP-6", cluster(AccessConfig=None)) == ["EKSP-6"]


# -- EKSP-7 hybrid endpoint -------------------------------------------------------------------------------------------

REMOTE = {"RemoteNodeNetworks": [{"Cidrs": ["10.80.0.0/16"]}]}


def test_eksp7_passes_hybrid_with_private_endpoint() -> None:
    assert run("EKSP-7", cluster(RemoteNetworkConfig=REMOTE)) == []


def test_eksp7_passes_public_and_private_without_hybrid() -> None:
    vpc = {"EndpointPublicAccess": True, "EndpointPrivateAccess": True, "PublicAccessCidrs": ["203.0.113.0/24"]}
    assert run("EKSP-7", cluster(ResourcesVpcConfig=vpc)) == []


def test_eksp7_fails_hybrid_with_public_and_private_endpoint() -> None:
    vpc = {"EndpointPrivateAccess": True, "PublicAccessCidrs": ["203.0.113.0/24"]}  # public defaults to true
    assert run("EKSP-7", cluster(ResourcesVpcConfig=vpc, RemoteNetworkConfig=REMOTE)) == ["EKSP-7"]


# -- EKSP-8 Pod Identity trust ----------------------------------------------------------------------------------------


def trust(condition: dict[str, Any] | None, principal: Any = "pods.eks.amazonaws.com") -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": principal},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}


SCOPED = {
    "StringEquals": {
        "aws:RequestTag/eks-cluster-arn": {"Fn::GetAtt": ["Cluster", "Arn"]},
        "aws:RequestTag/kubernetes-namespace": "payments",
        "aws:RequestTag/kubernetes-service-account": "api",
    }
}


def test_eksp8_passes_trust_scoped_by_cluster_namespace_and_service_account() -> None:
    assert run("EKSP-8", trust(SCOPED)) == []


def test_eksp8_passes_condition_keys_in_any_case_and_operator() -> None:
    condition = {
        "StringEquals": {"AWS:RequestTag/EKS-Cluster-Name": "prod"},
        "StringLike": {
            "aws:requesttag/kubernetes-namespace": "team-*",
            "aws:RequestTag/kubernetes-service-account": "*",
        },
    }
    assert run("EKSP-8", trust(condition)) == []


def test_eksp8_passes_roles_other_services_assume() -> None:
    assert run("EKSP-8", trust(None, principal="lambda.amazonaws.com")) == []


def test_eksp8_fails_unconditional_pod_identity_trust() -> None:
    assert run("EKSP-8", trust(None)) == ["EKSP-8"]


def test_eksp8_fails_and_names_the_missing_dimension() -> None:
    condition = {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "payments"}}
    findings = RULES_BY_ID["EKSP-8"].evaluate("AWS::IAM::Role", trust(condition), CONTEXT)
    assert len(findings) == 1
    assert "cluster, service account session tags" in findings[0].message


def test_eksp8_fails_partition_aware_principal() -> None:
    principal = {"Fn::Join": ["", ["pods.eks.", {"Ref": "AWS::URLSuffix"}]]}
    assert run("EKSP-8", trust(None, principal=[principal])) == ["EKSP-8"]


# -- EKSP-9 add-on version --------------------------------------------------------------------------------------------


def test_eksp9_passes_pinned_add_on() -> None:
    assert run("EKSP-9", {"AddonName": "metrics-server", "AddonVersion": "v0.7.2-eksbuild.3", "ClusterName": "c"}) == []


def test_eksp9_fails_add_on_without_version() -> None:
    findings = RULES_BY_ID["EKSP-9"].evaluate("AWS::EKS::Addon", {"AddonName": "metrics-server"}, CONTEXT)
    assert len(findings) == 1 and "metrics-server" in findings[0].message and "AddonVersion" in findings[0].message


# -- EKSP-10 StorageClass reclaim policy ------------------------------------------------------------------------------


def storage_class(name: str, reclaim: str | None, **parameters: str) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": name},
        "provisioner": "ebs.csi.eks.amazonaws.com",
        "parameters": parameters,
    }
    if reclaim is not None:
        obj["reclaimPolicy"] = reclaim
    return obj


def manifest(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"Manifest": json.dumps(list(objects)), "ClusterName": "prod"}


def test_eksp10_passes_encrypted_class_that_retains() -> None:
    assert run("EKSP-10", manifest(storage_class("gp3-data", "Retain", type="gp3", encrypted="true"))) == []


def test_eksp10_passes_unencrypted_scratch_class_that_deletes() -> None:
    assert run("EKSP-10", manifest(storage_class("scratch", "Delete", type="gp3"))) == []


def test_eksp10_fails_encrypted_class_that_deletes_by_default() -> None:
    props = manifest(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "data"}},
        storage_class("gp3-data", None, type="gp3", Encrypted="true"),
    )
    assert run("EKSP-10", props) == ["EKSP-10[StorageClass::gp3-data]"]


def test_eksp10_fails_kms_class_that_deletes_inside_a_tokenized_manifest() -> None:
    # CDK renders a manifest holding tokens as Fn::Join; the tokens sit inside JSON strings
    obj = storage_class("gp3-kms", "Delete", kmsKeyId="KEY")
    text = json.dumps([obj])
    before, after = text.split("KEY")
    props = {"Manifest": {"Fn::Join": ["", [before, {"Fn::GetAtt": ["Key", "Arn"]}, after]]}}
    assert run("EKSP-10", props) == ["EKSP-10[StorageClass::gp3-kms]"]


def test_tokenized_manifest_text_is_parseable() -> None:
    joined = {"Fn::Join": ["", ['[{"a":"', {"Ref": "X"}, '"}]']]}
    assert literal_text(joined) == '[{"a":"TOKEN"}]'
    assert json_documents(joined) == [{"a": "TOKEN"}]


# -- EKSP-11 wildcard actions -----------------------------------------------------------------------------------------


def policy(*actions: str, effect: str = "Allow", key: str = "Action") -> dict[str, Any]:
    return {
        "PolicyDocument": {"Statement": [{"Effect": effect, key: list(actions), "Resource": "*"}]},
        "PolicyName": "p",
    }


def test_eksp11_passes_explicit_actions() -> None:
    assert run("EKSP-11", policy("route53:ChangeResourceRecordSets", "route53:ListHostedZones")) == []


def test_eksp11_passes_prefix_wildcards_and_denies() -> None:
    # s3:Get* is AwsSolutions-IAM5's business; a Deny of everything is not a grant
    assert run("EKSP-11", policy("s3:Get*")) == []
    assert run("EKSP-11", policy("*", effect="Deny")) == []


def test_eksp11_fails_per_wildcard_action() -> None:
    found = run("EKSP-11", policy("s3:*", "ec2:DescribeInstances", "*"))
    assert found == ["EKSP-11[Action::s3:*]", "EKSP-11[Action::*]"]


def test_eksp11_fails_not_action_allow() -> None:
    assert run("EKSP-11", policy("iam:*", key="NotAction")) == ["EKSP-11[NotAction::iam:*]"]


def test_eksp11_fails_inline_policy_of_a_role() -> None:
    role = {"AssumeRolePolicyDocument": {}, "Policies": [policy("eks:*")]}
    assert run("EKSP-11", role, resource_type="AWS::IAM::Role") == ["EKSP-11[Action::eks:*]"]


def test_rules_skip_values_they_cannot_judge() -> None:
    intrinsic = {"Fn::If": ["Cond", True, False]}
    assert run("EKSP-5", cluster(DeletionProtection=intrinsic)) == []
    assert run("EKSP-1", cluster(ResourcesVpcConfig={"Fn::If": ["C", {}, {}]})) == []
