"""The audit runner and table, and the CDK-internal acknowledgments checked against cdk-nag itself as the oracle."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from cdk_nag import AwsSolutionsChecks

from eks_platform.checks import acknowledge
from eks_platform.checks.audit import audit, format_table
from eks_platform.checks.cdk_internals import acknowledge_cdk_internal, flatten_cfn_reference, internal_finding_ids
from eks_platform.context import IGNORE_ACKNOWLEDGMENTS_CONTEXT_KEY
from tests.support import new_app, new_stack

INTERNAL_RULES = ("AwsSolutions-IAM4", "AwsSolutions-IAM5", "AwsSolutions-L1")


def build_internal(app: cdk.App) -> cdk.Stack:
    """A stand-in for a CDK-internal provider: an old-runtime function, managed policies, wildcards, conditions."""
    stack = new_stack(app, "Internal")
    provider = cdk.Resource(stack, "Provider")
    handler = lambda_.Function(
        provider, "Handler", runtime=lambda_.Runtime.PYTHON_3_9, handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
    )
    has_public = cdk.CfnCondition(provider, "HasPublic", expression=cdk.Fn.condition_equals(cdk.Aws.REGION, "x"))
    public_policy = cdk.Token.as_string(cdk.Fn.condition_if(
        has_public.logical_id, "arn:aws:iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly",
        cdk.Aws.NO_VALUE,
    ))
    role = iam.Role(
        provider, "Extra", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        managed_policies=[
            iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEC2ContainerRegistryReadOnly"),
            iam.ManagedPolicy.from_managed_policy_arn(provider, "Public", public_policy),
        ],
        inline_policies={"Inline": iam.PolicyDocument(statements=[
            iam.PolicyStatement(actions=["logs:*"], resources=[cdk.Fn.sub("arn:aws:logs:${AWS::Region}:*")])
        ])},
    )
    handler.add_to_role_policy(iam.PolicyStatement(actions=["s3:Get*"], resources=[f"{role.role_arn}:*"]))
    return stack


def nag_internal_findings(app: cdk.App) -> set[tuple[str, str]]:
    report = AwsSolutionsChecks().validate_scope(app)
    return {
        (v.rule_name, r.construct_path)
        for v in report.violations
        for r in v.violating_resources
        if v.rule_name.startswith(INTERNAL_RULES)
    }


@pytest.fixture(scope="module")
def internal() -> dict[str, Any]:
    plain = new_app()
    plain_stack = build_internal(plain)
    plain.synth()
    computed = {
        (rule_id, construct.node.path)
        for construct, ids in internal_finding_ids(plain_stack.node.find_child("Provider")).items()
        for rule_id in ids
    }
    acked = new_app()
    acked_stack = build_internal(acked)
    done = acknowledge_cdk_internal(acked_stack.node.find_child("Provider"), "test: CDK-internal stand-in")
    acked.synth()
    return {"oracle": nag_internal_findings(plain), "computed": computed, "after": nag_internal_findings(acked),
            "done": done}


def test_computed_finding_ids_match_cdk_nag(internal: dict[str, Any]) -> None:
    assert internal["oracle"], "the fixture must produce IAM4/IAM5/L1 findings"
    assert {rule.split("[")[0] for rule, _ in internal["oracle"]} == set(INTERNAL_RULES)
    assert internal["computed"] == internal["oracle"]


def test_acknowledging_cdk_internals_leaves_no_internal_findings(internal: dict[str, Any]) -> None:
    assert internal["after"] == set()
    assert len(internal["done"]) == len(internal["oracle"])


def test_flatten_matches_cdk_nag_notation() -> None:
    assert flatten_cfn_reference({"Fn::GetAtt": ["Fn12", "Arn"]}) == "<Fn12.Arn>"
    assert flatten_cfn_reference({"Fn::Sub": "arn:${AWS::Partition}:s3:::b/*"}) == "arn:<AWS::Partition>:s3:::b/*"
    joined = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/X"]]}
    assert flatten_cfn_reference(joined) == "arn:<AWS::Partition>:iam::aws:policy/X"
    assert flatten_cfn_reference({"Fn::If": ["C", "a", "b"]}) == '{"Fn::If":["C","a","b"]}'


# -- the audit ------------------------------------------------------------------------------------------------------


def build_audited(app: cdk.App) -> None:
    stack = new_stack(app, "Audited")
    open_role = iam.Role(stack, "OpenRole", assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com"))
    accepted = iam.Role(stack, "AcceptedRole", assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com"))
    acknowledge(accepted, "EKSP-8", "fixture: shared by every service account of a sandbox cluster")
    quiet = iam.Role(stack, "QuietRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    acknowledge(quiet, "EKSP-8", "fixture: stale, this role is not trusted by Pod Identity")
    del open_role


@pytest.fixture(scope="module")
def report() -> Any:
    app = new_app()
    build_audited(app)
    hidden = new_app({IGNORE_ACKNOWLEDGMENTS_CONTEXT_KEY: True})
    build_audited(hidden)
    return audit(app, hidden)


def test_audit_reports_open_findings(report: Any) -> None:
    assert [(r.rule_id, r.path) for r in report.open_rows] == [("EKSP-8", "Audited/OpenRole/Resource")]
    assert not report.ok


def test_audit_shows_what_each_acknowledgment_hides(report: Any) -> None:
    acked = [r for r in report.rows if not r.is_open]
    assert [(r.rule_id, r.path, r.acknowledged_by.path) for r in acked] == [
        ("EKSP-8", "Audited/AcceptedRole/Resource", "Audited/AcceptedRole")
    ]


def test_audit_flags_stale_acknowledgments(report: Any) -> None:
    assert [(a.rule_id, a.path) for a in report.stale] == [("EKSP-8", "Audited/QuietRole")]


def test_table_lists_stacks_findings_reasons_and_verdict(report: Any) -> None:
    table = format_table(report)
    assert "Audited" in table
    assert "OPEN   ERROR EKSP-8" in table
    assert "shared by every service account" in table
    assert "Stale acknowledgments" in table and "QuietRole" in table
    assert table.rstrip().endswith("FAILED")
