"""ManifestDelivery: one custom resource per chart, YAML under cdk.out/manifests/<cluster>/, render-only, guards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import cdk8s
import pytest
import yaml
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_kms as kms
from aws_cdk.lambda_layer_kubectl_v32 import KubectlV32Layer
from constructs import Construct
from syrupy.assertion import SnapshotAssertion

from eks_platform._internal.k8s_api import new_api_object
from eks_platform.config.delivery import parse_delivery_mode
from eks_platform.constructs.manifests import (
    DeliveryMode,
    ManifestDelivery,
    PlatformChart,
    strip_prune_labels,
)
from eks_platform.constructs.storage import EbsDriver, EbsStorage, StorageChart, VolumeTier
from eks_platform.errors import ConfigError
from eks_platform.stacks.app import REFERENCE_STACK_NAME
from tests.k8s_support import lambda_functions, load_yaml_dir, manifests_in_template
from tests.snapshot_extensions import YamlSnapshot
from tests.support import new_app, new_stack, synth

CLUSTER = "eks-platform"  # clusterName in cdk.json


def _storage_class(chart: cdk8s.Chart, name: str = "gp3", construct_id: str = "sc") -> cdk8s.ApiObject:
    return new_api_object(
        chart,
        construct_id,
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": name},
            "provisioner": EbsDriver.AUTO_MODE.value,
        },
    )


@pytest.fixture(scope="module")
def clusters() -> dict[str, Any]:
    """One stack with a cluster that has a kubectl provider and one without; tests add deliveries under new ids."""
    stack = new_stack(new_app(), "ManifestUnitStack")
    with_kubectl = eks.Cluster(
        stack,
        "WithKubectl",
        version=eks.KubernetesVersion.V1_32,
        cluster_name="with-kubectl",
        kubectl_provider_options=eks.KubectlProviderOptions(kubectl_layer=KubectlV32Layer(stack, "Layer")),
    )
    without = eks.Cluster(stack, "WithoutKubectl", version=eks.KubernetesVersion.V1_32, cluster_name="no-kubectl")
    return {"stack": stack, "kubectl": with_kubectl, "plain": without, "count": [0]}


def _delivery(clusters: dict[str, Any], *, kubectl: bool = True, **kwargs: Any) -> ManifestDelivery:
    clusters["count"][0] += 1
    n = clusters["count"][0]
    kwargs.setdefault("output_name", f"out-{n}")
    return ManifestDelivery(
        clusters["stack"],
        f"Delivery{n}",
        cluster=clusters["kubectl" if kubectl else "plain"],
        kubernetes_version="1.32",
        **kwargs,
    )


# -- the reference stack, applied (cdk.json) and render-only -------------------------------------------------------
def test_applies_each_object_through_its_own_custom_resource(reference_templates: dict[str, Any]) -> None:
    template = reference_templates[REFERENCE_STACK_NAME]
    manifests = manifests_in_template(template)
    assert all(len(objects) == 1 for objects in manifests.values())  # removal deletes: no reliance on --prune
    kinds = sorted(objects[0]["kind"] for objects in manifests.values())
    assert kinds == ["NodeClass", "NodePool", "StorageClass", "VolumeAttributesClass", "VolumeAttributesClass"]
    by_kind = {objects[0]["kind"]: lid for lid, objects in manifests.items()}
    # chained in the chart's order: the NodePool after its NodeClass (and deleted before it)
    assert by_kind["NodeClass"] in template["Resources"][by_kind["NodePool"]]["DependsOn"]


def test_applies_through_exactly_one_kubectl_provider(reference_templates: dict[str, Any]) -> None:
    template = reference_templates[REFERENCE_STACK_NAME]
    assert len(lambda_functions(template)) == 2  # the provider's handler and its framework onEvent function
    tokens = {
        str(r["Properties"]["ServiceToken"])
        for r in template["Resources"].values()
        if r["Type"] == "Custom::AWSCDK-EKS-KubernetesResource"
    }
    assert len(tokens) == 1


def test_render_only_creates_no_lambda_and_no_custom_resource(reference_render_only: dict[str, Any]) -> None:
    template = reference_render_only["template"]
    assert lambda_functions(template) == []
    assert manifests_in_template(template) == {}


def test_writes_each_chart_as_yaml_under_outdir_manifests_cluster(reference_app: dict[str, Any]) -> None:
    directory = Path(reference_app["app"].outdir) / "manifests" / CLUSTER
    assert sorted(load_yaml_dir(directory)) == ["NodePools.k8s.yaml", "Storage.k8s.yaml"]
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    assert kustomization["kind"] == "Kustomization"
    assert kustomization["resources"] == ["Storage.k8s.yaml", "NodePools.k8s.yaml"]  # delivery order


def test_render_only_writes_the_same_objects_as_applied_mode(
    reference_app: dict[str, Any], reference_templates: dict[str, Any], reference_render_only: dict[str, Any]
) -> None:
    applied_dir = Path(reference_app["app"].outdir) / "manifests" / CLUSTER
    render_dir = reference_render_only["outdir"] / "manifests" / CLUSTER
    written_applied = load_yaml_dir(applied_dir)
    written_render_only = load_yaml_dir(render_dir)
    assert written_render_only == written_applied
    custom_resources = manifests_in_template(reference_templates[REFERENCE_STACK_NAME])
    applied = sorted((obj for objs in custom_resources.values() for obj in strip_prune_labels(objs)), key=repr)
    assert applied == sorted((obj for objs in written_applied.values() for obj in objs), key=repr)


def test_applied_objects_carry_the_prune_label_only_in_the_custom_resource(reference_templates: dict[str, Any]) -> None:
    for objects in manifests_in_template(reference_templates[REFERENCE_STACK_NAME]).values():
        for obj in objects:
            assert any(k.startswith("aws.cdk.eks/prune-") for k in obj["metadata"]["labels"])


def test_chart_yaml_snapshots(reference_app: dict[str, Any], snapshot: SnapshotAssertion) -> None:
    directory = Path(reference_app["app"].outdir) / "manifests" / CLUSTER
    yaml_snapshot = snapshot.use_extension(YamlSnapshot)
    for name in ("Storage.k8s.yaml", "NodePools.k8s.yaml"):
        assert (directory / name).read_text() == yaml_snapshot(name=name.removesuffix(".k8s.yaml"))


def test_stack_snapshot_of_kubernetes_object_resources(
    reference_templates: dict[str, Any], snapshot_json: SnapshotAssertion, normalized: Any
) -> None:
    template = reference_templates[REFERENCE_STACK_NAME]
    owned = {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if logical_id.startswith(("ClusterManifests", "NodePools", "Storage"))
    }
    assert owned, "the reference stack has no manifest delivery, node pool or storage resources"
    assert normalized(owned) == snapshot_json


# -- guards --------------------------------------------------------------------------------------------------------
def test_fails_when_a_user_chart_uses_an_api_version_removed_in_the_cluster_version(clusters: dict[str, Any]) -> None:
    delivery = _delivery(clusters)
    chart = cdk8s.Chart(cdk8s.App(), "Flow")
    new_api_object(
        chart,
        "fs",
        {
            "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3",
            "kind": "FlowSchema",
            "metadata": {"name": "mine"},
            "spec": {"priorityLevelConfiguration": {"name": "global-default"}},
        },
    )
    with pytest.raises(
        ConfigError,
        match=r"FlowSchema mine uses apiVersion flowcontrol.apiserver.k8s.io/v1beta3.*"
        r"removed in 1\.32.*use apiVersion flowcontrol.apiserver.k8s.io/v1",
    ):
        delivery.add_chart(chart)


def test_accepts_an_api_version_the_cluster_version_still_serves(clusters: dict[str, Any]) -> None:
    stack = clusters["stack"]
    older = eks.Cluster(stack, "Older", version=eks.KubernetesVersion.V1_31, cluster_name="older")
    delivery = ManifestDelivery(
        stack, "OlderCluster", cluster=older, kubernetes_version="1.31", output_name="older",
        mode=DeliveryMode.RENDER_ONLY,
    )
    chart = cdk8s.Chart(cdk8s.App(), "Flow")
    new_api_object(
        chart,
        "fs",
        {"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3", "kind": "FlowSchema", "metadata": {"name": "a"}},
    )
    delivery.add_chart(chart)  # no ConfigError: Kubernetes 1.31 still serves flowcontrol v1beta3
    assert [d.chart for d in delivery.charts.values()] == [chart]


def test_fails_when_a_user_chart_has_two_objects_with_the_same_name(clusters: dict[str, Any]) -> None:
    delivery = _delivery(clusters)
    chart = cdk8s.Chart(cdk8s.App(), "Raw")
    for construct_id in ("a", "b"):  # plain cdk8s objects, so the library's own name check is bypassed
        cdk8s.ApiObject(chart, construct_id, api_version="v1", kind="ConfigMap", metadata={"name": "same"})
    with pytest.raises(ConfigError, match="two objects ConfigMap same"):
        delivery.add_chart(chart)


def test_fails_when_a_chart_gets_two_objects_with_the_same_name() -> None:
    chart = cdk8s.Chart(cdk8s.App(), "Dup")
    _storage_class(chart, "gp3", "first")
    with pytest.raises(ConfigError, match=r"DuplicateObjectName.*already has StorageClass 'gp3'"):
        _storage_class(chart, "gp3", "second")


def test_fails_when_an_object_has_no_explicit_name() -> None:
    chart = cdk8s.Chart(cdk8s.App(), "NoName")
    with pytest.raises(ConfigError, match="InvalidObjectName"):
        new_api_object(chart, "x", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})


def test_fails_when_a_chart_is_added_twice(clusters: dict[str, Any]) -> None:
    delivery = _delivery(clusters)
    chart = delivery.new_chart("Once")
    _storage_class(chart)
    delivery.add_chart(chart)
    with pytest.raises(ConfigError, match="already added"):
        delivery.add_chart(chart)


def test_fails_when_a_chart_targets_another_kubernetes_version(clusters: dict[str, Any]) -> None:
    delivery = _delivery(clusters)
    chart = PlatformChart(cdk8s.App(), "Other", kubernetes_version="1.34")
    with pytest.raises(ConfigError, match=r"targets Kubernetes 1\.34 but this cluster runs 1\.32"):
        delivery.add_chart(chart)


def test_fails_when_apply_is_asked_of_a_cluster_without_kubectl_provider(clusters: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="mode APPLY needs the cluster's kubectl provider"):
        _delivery(clusters, kubectl=False, mode=DeliveryMode.APPLY)


def test_defaults_to_render_only_without_kubectl_provider(clusters: dict[str, Any]) -> None:
    delivery = _delivery(clusters, kubectl=False)
    chart = delivery.new_chart("Quiet")
    _storage_class(chart)
    assert delivery.mode is DeliveryMode.RENDER_ONLY
    assert delivery.add_chart(chart) is None


def test_fails_when_render_only_meets_a_deploy_time_value(clusters: dict[str, Any]) -> None:
    delivery = _delivery(clusters, kubectl=False, mode=DeliveryMode.RENDER_ONLY)
    key = kms.Key(clusters["stack"], f"Key{clusters['count'][0]}")
    chart = StorageChart(
        delivery.app, "Tokens", kubernetes_version="1.32", driver=EbsDriver.AUTO_MODE, kms_key_arn=key.key_arn
    )
    with pytest.raises(
        ConfigError, match=r"StorageClass gp3-[0-9a-f]{8} field parameters.kmsKeyId is known only at deploy time"
    ):
        delivery.add_chart(chart)


def test_fails_when_two_deliveries_write_the_same_directory(clusters: dict[str, Any]) -> None:
    _delivery(clusters, output_name="shared-dir")
    with pytest.raises(ConfigError, match="already used by"):
        _delivery(clusters, output_name="shared-dir")


def test_warns_that_auto_mode_volume_attributes_classes_are_unconfirmed(reference_app: dict[str, Any]) -> None:
    stack = reference_app["stacks"][REFERENCE_STACK_NAME]
    cdk.assertions.Annotations.from_stack(stack).has_warning(
        "/EksPlatform/Cluster/Manifests",
        cdk.assertions.Match.string_like_regexp(
            "VolumeAttributesClass support by driver ebs.csi.eks.amazonaws.com .* not confirmed"
        ),
    )


def test_does_not_warn_for_the_ebs_csi_add_on_driver(clusters: dict[str, Any]) -> None:
    delivery = _delivery(clusters)
    chart = StorageChart(
        delivery.app, "Addon", kubernetes_version="1.32", driver=EbsDriver.ADDON, tiers=[VolumeTier.standard()]
    )
    delivery.add_chart(chart)
    warnings = [m for m in delivery.node.metadata if m.type == "aws:cdk:warning"]
    assert warnings == []


def test_parses_the_delivery_mode_setting() -> None:
    problems: list[str] = []
    assert parse_delivery_mode("platform.manifestDelivery", "render-only", problems) is DeliveryMode.RENDER_ONLY
    assert parse_delivery_mode("platform.manifestDelivery", "kubectl", problems) is None
    assert problems and "platform.manifestDelivery 'kubectl'" in problems[0]


# -- synth-time behaviour (own small apps) -------------------------------------------------------------------------
def _small_app(*, mode: DeliveryMode) -> tuple[cdk.App, ManifestDelivery]:
    app = new_app()
    stack = new_stack(app, "SmallStack")
    options = None
    if mode is DeliveryMode.APPLY:
        options = eks.KubectlProviderOptions(kubectl_layer=KubectlV32Layer(stack, "Layer"))
    cluster = eks.Cluster(
        stack, "Cluster", version=eks.KubernetesVersion.V1_32, cluster_name="small", kubectl_provider_options=options
    )
    return app, ManifestDelivery(stack, "Manifests", cluster=cluster, kubernetes_version="1.32", mode=mode)


def test_removes_yaml_of_charts_no_longer_delivered_and_fails_when_a_chart_changes_after_add() -> None:
    app, delivery = _small_app(mode=DeliveryMode.RENDER_ONLY)
    stale = delivery.output_directory / "Removed.k8s.yaml"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("kind: ConfigMap\n")
    chart = delivery.new_chart("Kept")
    _storage_class(chart)
    delivery.add_chart(chart)
    synth(app, label="manifests-small")
    assert sorted(p.name for p in delivery.output_directory.iterdir()) == ["Kept.k8s.yaml", "kustomization.yaml"]

    app2, delivery2 = _small_app(mode=DeliveryMode.RENDER_ONLY)
    late = delivery2.new_chart("Late")
    _storage_class(late)
    delivery2.add_chart(late)
    _storage_class(late, "added-later", "later")
    with pytest.raises(RuntimeError, match="chart 'Late' changed after it was added"):
        app2.synth()


def test_manifest_of_applied_chart_depends_on_given_constructs() -> None:
    app, delivery = _small_app(mode=DeliveryMode.APPLY)
    stack = cdk.Stack.of(delivery)
    key = kms.Key(stack, "DependedOn")
    chart = delivery.new_chart("Ordered")
    _storage_class(chart)
    delivery.add_chart(chart, depends_on=[key])
    template = synth(app, label="manifests-depends")["SmallStack"]
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == "Custom::AWSCDK-EKS-KubernetesResource"]
    key_id = stack.get_logical_id(key.node.default_child)  # type: ignore[arg-type]
    assert key_id in resource["DependsOn"]


def test_storage_through_auto_mode_cluster_convenience(reference_app: dict[str, Any]) -> None:
    cluster = reference_app["stacks"][REFERENCE_STACK_NAME].cluster
    assert cluster.manifests is cluster.node.find_child("Manifests")
    assert isinstance(reference_app["stacks"][REFERENCE_STACK_NAME].storage, EbsStorage)


def test_cluster_delivery_is_created_explicitly_once_and_read_after() -> None:
    from eks_platform.constructs.cluster import AutoModeCluster

    cluster = AutoModeCluster(new_stack(new_app(), "DeliveryOnce"), "Cluster")
    with pytest.raises(ConfigError, match=r"\[NoManifestDelivery\].*call cluster.add_manifest_delivery\(\) first"):
        _ = cluster.manifests
    delivery = cluster.add_manifest_delivery(mode=DeliveryMode.RENDER_ONLY)
    assert cluster.manifests is delivery is cluster.node.find_child("Manifests")
    with pytest.raises(ConfigError, match=r"\[DuplicateManifestDelivery\]"):
        cluster.add_manifest_delivery()


# -- the kubectl layer for the cluster's minor ---------------------------------------------------------------------
def test_kubectl_layer_matches_the_kubernetes_minor() -> None:
    from eks_platform._internal.kubectl_layers import kubectl_layer

    stack = new_stack(new_app(), "LayerStack")
    assert isinstance(kubectl_layer(stack, "Layer", "1.32"), KubectlV32Layer)


@pytest.mark.parametrize("minor", ["33", "34", "35"])
def test_every_supported_minor_has_its_kubectl_layer_installed(minor: str) -> None:
    import importlib

    from eks_platform._internal.kubectl_layers import kubectl_layer

    layer_cls = getattr(importlib.import_module(f"aws_cdk.lambda_layer_kubectl_v{minor}"), f"KubectlV{minor}Layer")
    assert isinstance(kubectl_layer(new_stack(new_app(), f"LayerStack{minor}"), "Layer", f"1.{minor}"), layer_cls)


def test_fails_naming_the_pip_package_when_no_layer_is_within_kubectl_skew() -> None:
    from eks_platform._internal.kubectl_layers import kubectl_layer

    with pytest.raises(ConfigError, match=r"within one minor.*install aws-cdk\.lambda-layer-kubectl-v40"):
        kubectl_layer(new_stack(new_app(), "LayerStack40"), "Layer", "1.40")


def test_kubectl_layer_for_1_33_comes_from_its_own_package() -> None:
    from aws_cdk.lambda_layer_kubectl_v33 import KubectlV33Layer

    from eks_platform._internal.kubectl_layers import kubectl_layer

    assert isinstance(kubectl_layer(new_stack(new_app(), "LayerStack33"), "Layer", "1.33"), KubectlV33Layer)


def test_a_user_construct_named_manifests_refuses_a_delivery_without_a_jsii_error() -> None:
    from eks_platform.constructs.cluster import AutoModeCluster

    cluster = AutoModeCluster(new_stack(new_app(), "TakenId"), "Cluster")
    taken = Construct(cluster, "Manifests")
    with pytest.raises(ConfigError, match=r"\[DuplicateManifestDelivery\].*TakenId/Cluster/Manifests"):
        cluster.add_manifest_delivery(mode=DeliveryMode.RENDER_ONLY)
    with pytest.raises(ConfigError, match=r"\[NoManifestDelivery\]"):
        _ = cluster.manifests
    assert cluster.node.find_child("Manifests") is taken
