"""The GitOps path: manifests in a chosen folder (one per cluster and stage), and the Argo CD bootstrap chart that
registers the cluster, grants Argo CD exactly the kinds of the folder and creates the Application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml

from eks_platform._internal.k8s_api import new_api_object
from eks_platform.constructs.capabilities import (
    ArgoCdCapability,
    ArgoCdRole,
    IdentityCenter,
    RbacRoleMapping,
    SsoIdentity,
)
from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.gitops import ArgoCdBootstrap
from eks_platform.constructs.ingress import AlbIngressClass
from eks_platform.constructs.manifests import DeliveryMode, ManifestDelivery
from eks_platform.constructs.storage import EbsStorage
from eks_platform.errors import ConfigError
from eks_platform.stacks.base import HermeticStack
from tests.support import ENV, new_app, resources_of, synth

IDC = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
GROUP = "906739b3-1234-5678-9abc-def012345678"
REPO = "https://github.com/example/platform.git"
ROLE_NAME = "eksp-demo-argocd"
ROLE_ARN = f"arn:aws:iam::111111111111:role/{ROLE_NAME}"
CLUSTER_ARN = "arn:aws:eks:us-east-1:111111111111:cluster/demo"


def build(
    scope: cdk.App | cdk.Stage,
    *,
    mode: DeliveryMode,
    output_directory: Path | None,
    role_name: str | None = ROLE_NAME,
    name: str = "Platform",
) -> dict[str, Any]:
    stack = HermeticStack(scope, name, env=ENV)
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="demo", version="1.32",
                              kubectl=mode is DeliveryMode.APPLY)
    delivery = ManifestDelivery(stack, "Manifests", cluster=cluster.cluster, kubernetes_version="1.32", mode=mode,
                                output_directory=output_directory)
    EbsStorage(stack, "Storage", delivery=delivery, default_class=True)
    AlbIngressClass(stack, "Ingress", delivery=delivery)
    argocd = ArgoCdCapability(
        stack, "ArgoCd", cluster=cluster, identity_center=IdentityCenter(instance_arn=IDC),
        role_mappings=[RbacRoleMapping(role=ArgoCdRole.ADMIN, identities=(SsoIdentity.group(GROUP),))],
        role_name=role_name,
    )
    bootstrap = ArgoCdBootstrap(stack, "GitOps", delivery=delivery, capability=argocd, repository_url=REPO,
                                path="manifests/demo", target_revision="main")
    return {"stack": stack, "delivery": delivery, "bootstrap": bootstrap, "argocd": argocd}


@pytest.fixture(scope="module")
def render_only(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("repo") / "manifests"
    app = new_app()
    built = build(app, mode=DeliveryMode.RENDER_ONLY, output_directory=folder)
    templates = synth(app, label="gitops-render-only")
    return {**built, "folder": folder / "demo", "template": templates["Platform"]}


def objects(folder: Path, file_name: str) -> list[dict[str, Any]]:
    return [o for o in yaml.safe_load_all((folder / file_name).read_text()) if o]


def test_yaml_goes_to_the_chosen_folder_with_a_kustomization(render_only: dict[str, Any]) -> None:
    folder = render_only["folder"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "GitOps.k8s.yaml", "Ingress.k8s.yaml", "Storage.k8s.yaml", "kustomization.yaml"]
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    assert kustomization["resources"] == ["Storage.k8s.yaml", "Ingress.k8s.yaml"]  # the bootstrap is not synced


def test_render_only_has_no_kubectl_lambda(render_only: dict[str, Any]) -> None:
    assert resources_of(render_only["template"], "AWS::Lambda::Function") == {}
    assert len(resources_of(render_only["template"], "AWS::EKS::Capability")) == 1


def test_bootstrap_registers_the_cluster_by_arn(render_only: dict[str, Any]) -> None:
    (secret,) = [o for o in objects(render_only["folder"], "GitOps.k8s.yaml") if o["kind"] == "Secret"]
    assert secret["metadata"] == {"name": "demo", "namespace": "argocd",
                                  "labels": {"argocd.argoproj.io/secret-type": "cluster"}}
    assert secret["stringData"] == {"name": "demo", "server": CLUSTER_ARN, "project": "default"}


def test_bootstrap_application_syncs_the_folder(render_only: dict[str, Any]) -> None:
    (application,) = [o for o in objects(render_only["folder"], "GitOps.k8s.yaml") if o["kind"] == "Application"]
    assert application == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "demo", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": REPO, "targetRevision": "main", "path": "manifests/demo"},
            "destination": {"name": "demo"},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
    }


def test_argocd_may_write_only_the_kinds_of_the_folder(render_only: dict[str, Any]) -> None:
    docs = objects(render_only["folder"], "GitOps.k8s.yaml")
    roles = {o["metadata"]["name"]: o["rules"] for o in docs if o["kind"] == "ClusterRole"}
    assert roles["demo-argocd-read"] == [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}]
    write = {(r["apiGroups"][0], res) for r in roles["demo-argocd-sync"] for res in r["resources"]}
    assert write == {
        ("eks.amazonaws.com", "ingressclassparams"),
        ("networking.k8s.io", "ingressclasses"),
        ("storage.k8s.io", "storageclasses"),
        ("storage.k8s.io", "volumeattributesclasses"),
    }
    for binding in (o for o in docs if o["kind"] == "ClusterRoleBinding"):
        assert binding["subjects"] == [
            {"kind": "Group", "name": f"eks-access-entry:{ROLE_ARN}", "apiGroup": "rbac.authorization.k8s.io"}]


def test_the_bootstrap_file_says_it_is_not_synced(render_only: dict[str, Any]) -> None:
    header = (render_only["folder"] / "GitOps.k8s.yaml").read_text().splitlines()[:3]
    assert any("Not listed in kustomization.yaml" in line for line in header)


def test_render_only_is_reproducible(render_only: dict[str, Any], tmp_path: Path) -> None:
    app = new_app()
    build(app, mode=DeliveryMode.RENDER_ONLY, output_directory=tmp_path)
    app.synth()
    for path in render_only["folder"].iterdir():
        assert (tmp_path / "demo" / path.name).read_text() == path.read_text()


def test_apply_mode_applies_the_bootstrap_after_the_capability(tmp_path: Path) -> None:
    app = new_app()
    built = build(app, mode=DeliveryMode.APPLY, output_directory=tmp_path, role_name=None)
    template = synth(app, label="gitops-apply")["Platform"]
    capability_id = next(iter(resources_of(template, "AWS::EKS::Capability")))
    manifest = built["bootstrap"].manifest
    assert manifest is not None
    resource = template["Resources"][cdk.Stack.of(manifest).get_logical_id(manifest.node.default_child)]
    assert capability_id in resource["DependsOn"]


def test_fails_in_render_only_when_the_role_arn_is_unknown_at_synth(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="known only at deploy time"):
        build(new_app(), mode=DeliveryMode.RENDER_ONLY, output_directory=tmp_path, role_name=None)


def test_two_stages_with_the_same_cluster_name_write_two_folders(tmp_path: Path) -> None:
    app = new_app()
    for stage_name in ("Dev", "Prod"):
        build(cdk.Stage(app, stage_name), mode=DeliveryMode.RENDER_ONLY, output_directory=tmp_path,
              role_name=f"{ROLE_NAME}-{stage_name.lower()}")
    app.synth()
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.glob("*/*/kustomization.yaml")) == [
        "Dev/demo/kustomization.yaml", "Prod/demo/kustomization.yaml"]


def test_fails_when_a_chart_is_added_after_the_bootstrap(tmp_path: Path) -> None:
    app = new_app()
    built = build(app, mode=DeliveryMode.RENDER_ONLY, output_directory=tmp_path)
    AlbIngressClass(built["stack"], "Late", delivery=built["delivery"], class_name="late", chart_id="Late")
    with pytest.raises(RuntimeError, match=r"added after .*ArgoCdBootstrap after every other chart"):
        app.synth()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"repository_url": "github.com/example"}, "repository_url 'github.com/example' is not a Git repository"),
        ({"path": "../outside"}, "path '../outside' must be relative"),
        ({"target_revision": "main branch"}, "target_revision 'main branch'"),
    ],
)
def test_fails_on_bad_application_settings(tmp_path: Path, kwargs: dict[str, Any], message: str) -> None:
    app = new_app()
    stack = HermeticStack(app, "Bad", env=ENV)
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="demo", version="1.32")
    delivery = ManifestDelivery(stack, "Manifests", cluster=cluster.cluster, kubernetes_version="1.32",
                                output_directory=tmp_path)
    argocd = ArgoCdCapability(
        stack, "ArgoCd", cluster=cluster, identity_center=IdentityCenter(instance_arn=IDC),
        role_mappings=[RbacRoleMapping(role=ArgoCdRole.ADMIN, identities=(SsoIdentity.group(GROUP),))],
        role_name=ROLE_NAME,
    )
    settings: dict[str, Any] = {"repository_url": REPO, "path": "manifests/demo", **kwargs}
    with pytest.raises(ConfigError, match=message):
        ArgoCdBootstrap(stack, "GitOps", delivery=delivery, capability=argocd, **settings)


def test_fails_on_a_kind_without_rbac_entry_unless_extra_rules_cover_it(tmp_path: Path) -> None:
    app = new_app()
    stack = HermeticStack(app, "Custom", env=ENV)
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="demo", version="1.32")
    delivery = ManifestDelivery(stack, "Manifests", cluster=cluster.cluster, kubernetes_version="1.32",
                                output_directory=tmp_path)
    chart = delivery.new_chart("Apps")
    cdk8s_obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "apps"}}
    new_api_object(chart, "Web", cdk8s_obj)
    delivery.add_chart(chart)
    argocd = ArgoCdCapability(
        stack, "ArgoCd", cluster=cluster, identity_center=IdentityCenter(instance_arn=IDC),
        role_mappings=[RbacRoleMapping(role=ArgoCdRole.ADMIN, identities=(SsoIdentity.group(GROUP),))],
        role_name=ROLE_NAME,
    )
    with pytest.raises(ConfigError, match=r"Deployment \(apps/v1\), a kind the library has no RBAC entry for"):
        ArgoCdBootstrap(stack, "GitOps", delivery=delivery, capability=argocd, repository_url=REPO, path="m")
    rule = {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch", "create",
                                                                         "update", "patch", "delete"]}
    bootstrap = ArgoCdBootstrap(stack, "GitOps2", delivery=delivery, capability=argocd, repository_url=REPO,
                                path="m", extra_rules=[rule], chart_id="GitOps2")
    sync = [o for o in bootstrap.chart.to_json() if o["metadata"]["name"] == "demo-argocd-sync"]
    assert rule in sync[0]["rules"]


def test_fails_when_two_deliveries_write_the_same_folder(tmp_path: Path) -> None:
    app = new_app()
    build(app, mode=DeliveryMode.RENDER_ONLY, output_directory=tmp_path)
    with pytest.raises(ConfigError, match=r"two deliveries would write the same directory .*output_directory"):
        build(app, mode=DeliveryMode.RENDER_ONLY, output_directory=tmp_path / "." , name="Other")
