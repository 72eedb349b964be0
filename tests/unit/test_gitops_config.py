"""cdk.json sections ``capabilities``, ``ingress`` and ``gitops``: typed settings, every bad input named by its path."""

from __future__ import annotations

from typing import Any

import pytest

from eks_platform.config.capabilities import parse_capabilities_config
from eks_platform.config.gitops import parse_gitops_config
from eks_platform.config.ingress import parse_ingress_config
from eks_platform.constructs.capabilities import ArgoCdRole, CapabilityType, SsoIdentityType

IDC = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
GROUP = "906739b3-1234-5678-9abc-def012345678"
ARGOCD: dict[str, Any] = {
    "type": "ARGOCD",
    "identityCenter": {"instanceArn": IDC},
    "roleMappings": {"ADMIN": {"groups": [GROUP]}},
}
S = "platform.capabilities"


def parse(raw: Any) -> tuple[Any, list[str]]:
    problems: list[str] = []
    return parse_capabilities_config(S, raw, problems), problems


def test_capabilities_parse_into_typed_settings() -> None:
    (argocd, ack, kro), problems = parse({
        "argocd": {**ARGOCD, "namespace": "gitops", "ecrRepositoryArns": [
            "arn:aws:ecr:us-east-1:111111111111:repository/charts"]},
        "ack": {"type": "ACK", "policyStatements": [
            {"Effect": "Allow", "Action": ["s3:CreateBucket"], "Resource": ["arn:aws:s3:::team-a-*"]}],
            "disabledServices": ["sagemaker"]},
        "kro": {"type": "KRO", "tags": {"team": "platform"}},
    })
    assert problems == []
    assert (argocd.name, argocd.capability_type, argocd.namespace) == ("argocd", CapabilityType.ARGOCD, "gitops")
    (mapping,) = argocd.role_mappings
    assert mapping.role is ArgoCdRole.ADMIN and mapping.identities[0].type is SsoIdentityType.GROUP
    assert ack.disabled_services == ("sagemaker",)
    assert kro.tags == {"team": "platform"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"argocd": {"type": "ARGOCD", "roleMappings": {"ADMIN": {"groups": [GROUP]}}}},
         f"{S}.argocd.identityCenter is required for an Argo CD capability"),
        ({"argocd": {**ARGOCD, "identityCenter": {"instanceArn": "ssoins-1"}}},
         f"{S}.argocd.identityCenter.instanceArn 'ssoins-1'"),
        ({"argocd": {**ARGOCD, "roleMappings": {}}}, f"{S}.argocd.roleMappings is empty"),
        ({"argocd": {**ARGOCD, "roleMappings": {"admin": {"groups": [GROUP]}}}},
         f"{S}.argocd.roleMappings.admin 'admin' is not an Argo CD role"),
        ({"argocd": {**ARGOCD, "roleMappings": {"ADMIN": {"groups": ["Admins"]}}}},
         f"{S}.argocd.roleMappings.ADMIN.groups[0] 'Admins' is not an Identity Store user or group ID"),
        ({"flux": {"type": "FLUX"}}, f"{S}.flux.type 'FLUX' is not an EKS capability type"),
        ({"kro": {"type": "KRO", "policyStatements": []}}, f"{S}.kro.policyStatements is not a setting of a KRO"),
        ({"ack": {"type": "ACK", "policyStatements": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
         f"{S}.ack.policyStatements[0] action '*' is a wildcard"),
        ({"ack": {"type": "ACK", "policyStatements": [{"Effect": "Allow", "Action": "s3:*",
                                                        "Resource": "arn:aws:s3:::b"}]}},
         f"{S}.ack.policyStatements[0] action 's3:*' is a wildcard"),
        ({"ack": {"type": "ACK", "policyStatements": [{"Action": "s3:GetObject", "Resource": "*"}]}},
         f"{S}.ack.policyStatements[0] has Resource '*'"),
        ({"ack": {"type": "ACK", "roleSelectorRoleArns": ["AckS3"]}}, f"{S}.ack.roleSelectorRoleArns[0]"),
        ({"ack": {"type": "ACK", "managedPolicies": ["AdministratorAccess"]}}, "managedPolicies"),
        ({"bad name": {"type": "KRO"}}, f"{S}.bad name (the key) 'bad name'"),
        (["argocd"], f"{S} must be a mapping of capability names to settings"),
    ],
)
def test_bad_capability_settings_name_their_cdk_json_path(raw: Any, message: str) -> None:
    settings, problems = parse(raw)
    assert settings == ()
    assert any(message in p for p in problems), problems


def test_ack_has_no_default_permissions() -> None:
    (ack,), problems = parse({"ack": {"type": "ACK"}})
    assert problems == [] and ack.policy_statements == () and ack.role_selector_role_arns == ()


def test_ingress_defaults_and_opt_in() -> None:
    problems: list[str] = []
    assert parse_ingress_config("platform.ingress", {}, problems) is not None and problems == []
    parse_ingress_config("platform.ingress", {"scheme": "internet-facing"}, problems)
    assert problems == [
        "platform.ingress.scheme is 'internet-facing', which puts every Ingress of this class on the public "
        "internet; set platform.ingress.allowInternetFacing to true to accept that, or keep the default 'internal'"
    ]
    problems = []
    settings = parse_ingress_config(
        "platform.ingress", {"scheme": "internet-facing", "allowInternetFacing": True, "defaultClass": True,
                             "certificateArns": ["arn:aws:acm:us-east-1:111111111111:certificate/abc-1"]}, problems)
    assert problems == [] and settings is not None and settings.options()["scheme"] == "internet-facing"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"subnetIds": ["x"]}, "platform.ingress.subnetIds[0] 'x'"),
        ({"schema": "internal"}, "platform.ingress"),
        ({"tags": {"aws:x": "y"}}, "platform.ingress.tags key 'aws:x'"),
        ({"namespaceLabels": {"team": "a b"}}, "platform.ingress.namespaceLabels.team"),
    ],
)
def test_bad_ingress_settings_name_their_path(raw: Any, message: str) -> None:
    problems: list[str] = []
    assert parse_ingress_config("platform.ingress", raw, problems) is None
    assert any(message in p for p in problems), problems


def test_gitops_application_path_defaults_to_the_cluster_folder() -> None:
    problems: list[str] = []
    settings = parse_gitops_config("platform.gitops", {
        "manifestsDirectory": "deploy/manifests",
        "application": {"repositoryUrl": "https://github.com/example/platform.git", "targetRevision": "main"},
    }, problems)
    assert problems == [] and settings is not None and settings.application is not None
    options = settings.application.options(manifests_directory=settings.manifests_directory, cluster_folder="demo")
    assert options["path"] == "deploy/manifests/demo" and options["target_revision"] == "main"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"application": {"repositoryUrl": "example.com/repo"}}, "platform.gitops.application.repositoryUrl"),
        ({"manifestsDirectory": "/abs/manifests", "application": {"repositoryUrl": "https://h/o/r"}},
         "platform.gitops.application.path is needed"),
        ({"manifestsDirectory": ""}, "platform.gitops.manifestsDirectory ''"),
        ({"application": {"repositoryUrl": "https://h/o/r", "path": "../x"}}, "platform.gitops.application.path"),
        ({"application": {"repositoryUrl": "https://h/o/r", "prune": "yes"}}, "platform.gitops.application.prune"),
    ],
)
def test_bad_gitops_settings_name_their_path(raw: Any, message: str) -> None:
    problems: list[str] = []
    assert parse_gitops_config("platform.gitops", raw, problems) is None
    assert any(message in p for p in problems), problems
