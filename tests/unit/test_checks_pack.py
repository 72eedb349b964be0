"""EksPlatformChecks as a cdk-nag 3 pack on real constructs: it fires on aws_eks_v2 resources, reads the synthesized
template (raw overrides included), honours acknowledgments, and works as a ``Validations`` plugin."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam

from eks_platform import AutoModeCluster, ConfigError
from eks_platform.checks import EksPlatformChecks, acknowledge, acknowledgments
from eks_platform.checks.acknowledgments import acknowledge_each
from eks_platform.context import IGNORE_ACKNOWLEDGMENTS_CONTEXT_KEY
from eks_platform.testing import FIXED_SYNTH_DATE
from tests.support import new_app, new_stack

V132 = eks.KubernetesVersion.of("1.32")
STORAGE_CLASS = {
    "apiVersion": "storage.k8s.io/v1",
    "kind": "StorageClass",
    "metadata": {"name": "gp3-encrypted"},
    "provisioner": "ebs.csi.eks.amazonaws.com",
    "parameters": {"type": "gp3", "encrypted": "true"},
}


def build_bad(app: cdk.App) -> dict[str, Any]:
    """One of each thing the pack must catch, built the way aws_eks_v2 users build them."""
    stack = new_stack(app, "Bad")
    cluster = eks.Cluster(stack, "Cluster", version=V132)
    overridden = eks.Cluster(stack, "Overridden", version=V132)
    overridden.node.default_child.add_property_override("DeletionProtection", True)  # type: ignore[union-attr]
    role = iam.Role(stack, "PodRole", assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com"))
    role.assume_role_policy.add_statements(  # type: ignore[union-attr]
        iam.PolicyStatement(actions=["sts:TagSession"], principals=[iam.ServicePrincipal("pods.eks.amazonaws.com")])
    )
    eks.CfnPodIdentityAssociation(
        stack, "Association", cluster_name=cluster.cluster_name, namespace="payments", service_account="api",
        role_arn=role.role_arn,
    )
    eks.Addon(stack, "MetricsServer", cluster=cluster, addon_name="metrics-server")
    wide = iam.Policy(stack, "WidePolicy", statements=[iam.PolicyStatement(actions=["eks:*"], resources=["*"])])
    wide.attach_to_role(role)
    accepted = iam.Policy(stack, "AcceptedPolicy", statements=[iam.PolicyStatement(actions=["s3:*"], resources=["*"])])
    accepted.attach_to_role(role)
    acknowledge(accepted, "EKSP-11[Action::s3:*]", "test fixture: an acknowledged wildcard stays hidden")
    # what cluster.add_manifest / add_cdk8s_chart render: stack.to_json_string of the objects, tokens included
    storage = dict(STORAGE_CLASS, parameters={"type": "gp3", "encrypted": "true", "kmsKeyId": role.role_arn})
    cdk.CustomResource(
        stack, "Manifest", service_token="arn:aws:lambda:us-east-1:111111111111:function:kubectl",
        resource_type="Custom::AWSCDK-EKS-KubernetesResource",
        properties={"Manifest": stack.to_json_string([storage]), "ClusterName": cluster.cluster_name},
    )
    return {"stack": stack, "cluster": cluster, "overridden": overridden, "role": role, "accepted": accepted}


def build_good(app: cdk.App) -> cdk.Stack:
    stack = new_stack(app, "Good")
    platform = AutoModeCluster(stack, "Cluster")
    role = iam.Role(
        stack, "PodRole",
        assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com").with_conditions({
            "StringEquals": {
                "aws:RequestTag/eks-cluster-arn": platform.cluster_arn,
                "aws:RequestTag/kubernetes-namespace": "payments",
                "aws:RequestTag/kubernetes-service-account": "api",
            }
        }),
    )
    role.assume_role_policy.add_statements(  # type: ignore[union-attr]
        iam.PolicyStatement(actions=["sts:TagSession"], principals=[iam.ServicePrincipal("pods.eks.amazonaws.com")])
    )
    eks.Addon(stack, "MetricsServer", cluster=platform.cluster, addon_name="metrics-server",
              addon_version="v0.7.2-eksbuild.3")
    return stack


@pytest.fixture(scope="module")
def checked() -> dict[str, Any]:
    app = new_app()
    bad = build_bad(app)
    good = build_good(app)
    app.synth()
    pack = EksPlatformChecks()
    report = pack.validate_scope(app)
    open_ids = {(v.rule_name, r.construct_path) for v in report.violations for r in v.violating_resources}
    severities = {v.rule_name: v.severity for v in report.violations}
    return {"app": app, "bad": bad, "good": good, "pack": pack, "open": open_ids, "severity": severities}


def open_rules(checked: dict[str, Any], path_prefix: str) -> set[str]:
    return {rule for rule, path in checked["open"] if path.startswith(path_prefix)}


def test_fires_on_aws_eks_v2_cluster(checked: dict[str, Any]) -> None:
    rules = open_rules(checked, "Bad/Cluster/Resource")
    assert {"EKSP-1", "EKSP-3", "EKSP-4", "EKSP-5"} <= rules
    log_types = ("api", "audit", "authenticator", "controllerManager", "scheduler")
    assert {f"EKSP-2[LogType::{t}]" for t in log_types} <= rules


def test_aws_eks_v2_api_authentication_mode_passes(checked: dict[str, Any]) -> None:
    assert "EKSP-6" not in open_rules(checked, "Bad/Cluster/")


def test_reads_properties_set_by_raw_override(checked: dict[str, Any]) -> None:
    rules = open_rules(checked, "Bad/Overridden/Resource")
    assert "EKSP-3" in rules and "EKSP-5" not in rules


def test_fires_on_pod_identity_role_trust(checked: dict[str, Any]) -> None:
    assert open_rules(checked, "Bad/PodRole/Resource") == {"EKSP-8"}


def test_fires_on_unpinned_add_on(checked: dict[str, Any]) -> None:
    assert open_rules(checked, "Bad/MetricsServer/") == {"EKSP-9"}


def test_fires_on_wildcard_actions_in_our_policies(checked: dict[str, Any]) -> None:
    assert open_rules(checked, "Bad/WidePolicy/") == {"EKSP-11[Action::eks:*]"}


def test_warns_on_manifest_storage_class_that_deletes_encrypted_volumes(checked: dict[str, Any]) -> None:
    assert open_rules(checked, "Bad/Manifest/") == {"EKSP-10[StorageClass::gp3-encrypted]"}
    assert checked["severity"]["EKSP-10[StorageClass::gp3-encrypted]"] == "warning"
    assert checked["severity"]["EKSP-5"] == "error"


def test_acknowledged_finding_is_hidden_but_recorded(checked: dict[str, Any]) -> None:
    assert open_rules(checked, "Bad/AcceptedPolicy/") == set()
    recorded = {(f.rule_id, f.construct_path) for f in checked["pack"].findings}
    assert ("EKSP-11[Action::s3:*]", "Bad/AcceptedPolicy/Resource") in recorded
    assert [a.path for a in acknowledgments(checked["app"]) if a.rule_id == "EKSP-11[Action::s3:*]"] == [
        "Bad/AcceptedPolicy"
    ]


def test_auto_mode_cluster_and_scoped_pod_identity_pass(checked: dict[str, Any]) -> None:
    assert open_rules(checked, "Good/") == set()
    assert not [f for f in checked["pack"].findings if f.construct_path.startswith("Good/")]


def test_findings_carry_logical_id_and_actionable_message(checked: dict[str, Any]) -> None:
    finding = next(f for f in checked["pack"].findings if f.rule_id == "EKSP-9")
    assert finding.logical_id.startswith("MetricsServer") and finding.resource_type == "AWS::EKS::Addon"
    assert "Pin AddonVersion" in finding.message


def test_fails_synth_as_validations_plugin() -> None:
    app = new_app()
    stack = new_stack(app, "Plugin")
    eks.Cluster(stack, "Cluster", version=V132)
    cdk.Validations.of(app).add_plugins(EksPlatformChecks(app))
    with pytest.raises(RuntimeError, match=r"Acknowledge with .EksPlatform::EKSP-5."):
        app.synth()


def test_acknowledgment_on_a_stack_is_refused() -> None:
    stack = new_stack(new_app(), "Broad")
    with pytest.raises(ConfigError, match=r"InvalidAcknowledgment.*resource added later"):
        acknowledge(stack, "EKSP-5", "the whole stack is a test fixture")


def test_acknowledgment_without_a_reason_is_refused() -> None:
    stack = new_stack(new_app(), "NoReason")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    with pytest.raises(ConfigError, match="needs a reason"):
        acknowledge(role, "EKSP-8", " ")


def test_acknowledgments_with_their_own_reasons_are_recorded_each_and_refused_without_one() -> None:
    app = new_app()
    stack = new_stack(app, "EachReason")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    acknowledge_each(role, [("EKSP-8", "shared by two service accounts on purpose"),
                            ("AwsSolutions-IAM5[Action::s3:*]", "the bucket names are not known at synth")])
    assert [(a.rule_id, a.reason) for a in acknowledgments(app)] == [
        ("EKSP-8", "shared by two service accounts on purpose"),
        ("AwsSolutions-IAM5[Action::s3:*]", "the bucket names are not known at synth"),
    ]
    recorded = [m.data for m in role.node.metadata if m.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY]
    assert len(recorded) == 2  # both reach CDK's Validations, which cdk-nag reads
    with pytest.raises(ConfigError, match="needs a reason"):
        acknowledge_each(role, [("EKSP-5", "a good enough reason"), ("EKSP-6", "short")])


def test_ignore_context_records_acknowledgments_without_applying_them() -> None:
    app = new_app({IGNORE_ACKNOWLEDGMENTS_CONTEXT_KEY: True})
    stack = new_stack(app, "Ignored")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    acknowledge(role, "AwsSolutions-IAM5[Action::s3:*]", "recorded for the audit only")
    assert len(acknowledgments(app)) == 1
    assert not [m for m in role.node.metadata if m.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY]


def test_synth_date_context_drives_the_lifecycle_rule(checked: dict[str, Any]) -> None:
    assert checked["app"].node.try_get_context("eks-platform:synthDate") == FIXED_SYNTH_DATE
    finding = next(f for f in checked["pack"].findings if f.rule_id == "EKSP-4")
    assert "no UpgradePolicy" in finding.message
