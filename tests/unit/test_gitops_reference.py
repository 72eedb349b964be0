"""The reference stack with the GitOps sections on: render-only delivery into a chosen folder, the Argo CD, ACK and
kro capabilities, an ALB IngressClass and the Argo CD Application, passing cfn-lint and both policy packs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from eks_platform.checks.audit import run_packs
from eks_platform.config import parse_platform_config
from eks_platform.errors import ConfigError
from eks_platform.testing import cfn_lint_findings
from tests import support
from tests.k8s_support import build_reference_stack, cdk_json_context
from tests.support import resources_of

IDC = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
GROUP = "906739b3-1234-5678-9abc-def012345678"
REPO = "https://github.com/example/platform.git"
CAPABILITIES: dict[str, Any] = {
    "argocd": {"type": "ARGOCD", "identityCenter": {"instanceArn": IDC},
               "roleMappings": {"ADMIN": {"groups": [GROUP]}, "VIEWER": {"groups": [GROUP.replace("9", "8")]}}},
    "ack": {"type": "ACK", "roleSelectorRoleArns": ["arn:aws:iam::111111111111:role/AckS3Team"]},
    "kro": {"type": "KRO"},
}


@pytest.fixture(scope="module")
def gitops(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("repo") / "manifests"
    built = build_reference_stack(
        manifestDelivery="render-only",
        capabilities=CAPABILITIES,
        ingress={"defaultClass": True},
        gitops={"manifestsDirectory": str(folder),
                "application": {"repositoryUrl": REPO, "path": "manifests/eks-platform", "targetRevision": "main"}},
    )
    return {**built, "folder": folder / "eks-platform"}


def test_the_reference_stack_has_the_three_capabilities_and_no_lambda(gitops: dict[str, Any]) -> None:
    template = gitops["template"]
    capabilities = resources_of(template, "AWS::EKS::Capability")
    assert sorted(r["Properties"]["CapabilityName"] for r in capabilities.values()) == ["ack", "argocd", "kro"]
    assert resources_of(template, "AWS::Lambda::Function") == {}


def test_the_argocd_role_has_the_fixed_name_the_rbac_names(gitops: dict[str, Any]) -> None:
    template = gitops["template"]
    (argocd,) = [r for r in resources_of(template, "AWS::EKS::Capability").values()
                 if r["Properties"]["Type"] == "ARGOCD"]
    role = template["Resources"][argocd["Properties"]["RoleArn"]["Fn::GetAtt"][0]]
    name = role["Properties"]["RoleName"]
    docs = [d for d in yaml.safe_load_all((gitops["folder"] / "GitOps.k8s.yaml").read_text()) if d]
    subjects = {s["name"] for d in docs if d["kind"].endswith("Binding") for s in d["subjects"]}
    assert subjects == {f"eks-access-entry:arn:aws:iam::111111111111:role/{name}"}


def test_the_folder_holds_every_chart_and_argocd_syncs_all_but_the_bootstrap(gitops: dict[str, Any]) -> None:
    kustomization = yaml.safe_load((gitops["folder"] / "kustomization.yaml").read_text())
    assert kustomization["resources"] == ["Storage.k8s.yaml", "NodePools.k8s.yaml", "Ingress.k8s.yaml"]
    assert (gitops["folder"] / "GitOps.k8s.yaml").is_file()


def test_the_template_passes_cfn_lint(gitops: dict[str, Any]) -> None:
    assert cfn_lint_findings(gitops["template"], allow=support.CFN_LINT_ALLOW) == []


def test_the_stack_passes_both_policy_packs(gitops: dict[str, Any]) -> None:
    assert run_packs(gitops["app"]) == []


def _parse(**platform: Any) -> None:
    parse_platform_config({**cdk_json_context()["platform"], **platform})


def test_fails_when_the_application_has_no_argocd_capability() -> None:
    with pytest.raises(ConfigError, match=r"platform.gitops.application needs exactly one capability of type "
                                          r"ARGOCD in platform.capabilities \(found none\)"):
        _parse(gitops={"application": {"repositoryUrl": REPO}}, capabilities={"kro": {"type": "KRO"}})


def test_fails_when_argocd_has_no_identity_center() -> None:
    with pytest.raises(ConfigError, match=r"platform.capabilities.argocd.identityCenter is required"):
        _parse(capabilities={"argocd": {"type": "ARGOCD", "roleMappings": {"ADMIN": {"groups": [GROUP]}}}})


def test_fails_on_an_internet_facing_class_without_the_opt_in() -> None:
    with pytest.raises(ConfigError, match=r"platform.ingress.scheme is 'internet-facing'"):
        _parse(ingress={"scheme": "internet-facing"})


def test_the_reference_cdk_json_enables_none_of_it() -> None:
    platform = cdk_json_context()["platform"]
    assert not {"capabilities", "ingress", "gitops"} & set(platform)


def test_relative_manifests_directory_is_the_application_default_path(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    built = build_reference_stack(
        manifestDelivery="render-only", capabilities={"argocd": CAPABILITIES["argocd"]},
        gitops={"manifestsDirectory": "deploy/manifests", "application": {"repositoryUrl": REPO}},
    )
    assert built["stack"].gitops is not None
    docs = [d for d in yaml.safe_load_all((tmp_path / "deploy/manifests/eks-platform/GitOps.k8s.yaml").read_text())
            if d]
    (application,) = [d for d in docs if d["kind"] == "Application"]
    assert application["spec"]["source"]["path"] == "deploy/manifests/eks-platform"
