"""Every rendered Kubernetes manifest is valid for the cluster's Kubernetes version.

- built-in kinds: ``kubernetes-validate --strict`` (unknown fields rejected) for the chart's minor;
- ``NodePool``: Karpenter's karpenter.sh CRD schema (vendored in ``tests/schemas``), made strict, plus its CEL rules;
- ``NodeClass`` (AWS publishes no CRD): the JSON Schema in ``tests/schemas`` written from the EKS User Guide.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import cdk8s
import jsonschema
import kubernetes_validate
import pytest

from eks_platform.constructs.manifests import PlatformChart
from eks_platform.constructs.node_pools import (
    Architecture,
    CapacityType,
    ConsolidationPolicy,
    DisruptionBudget,
    DisruptionReason,
    EphemeralStorage,
    NetworkPolicyDefault,
    NodeClass,
    NodeClassSpec,
    NodePool,
    NodePoolSpec,
    Requirement,
    RequirementOperator,
    SelectorTerm,
    SnatPolicy,
    Taint,
    TaintEffect,
)
from eks_platform.constructs.storage import EbsDriver, EbsVolumeClaim, StorageChart, VolumeTier, VolumeType
from tests.k8s_support import (
    CRD_KINDS,
    NODEPOOL_CRD,
    load_yaml_dir,
    node_class_problems,
    nodepool_cel_problems,
    nodepool_schema,
)

CLUSTER = "eks-platform"


def check(obj: dict[str, Any], version: str) -> None:
    """Fail unless ``obj`` is valid for Kubernetes ``version`` (see the module docstring)."""
    key = (obj["apiVersion"], obj["kind"])
    if key == ("karpenter.sh/v1", "NodePool"):
        jsonschema.Draft202012Validator(nodepool_schema()).validate(obj)
        assert nodepool_cel_problems(obj) == []
    elif key == ("eks.amazonaws.com/v1", "NodeClass"):
        assert node_class_problems(obj) == []
    else:
        assert kubernetes_validate.validate(obj, version, strict=True) == version


def test_the_vendored_nodepool_schema_is_present() -> None:
    assert NODEPOOL_CRD.is_file(), f"expected the NodePool CRD at {NODEPOOL_CRD} (see tests/schemas/README.md)"


def test_kubernetes_validate_has_the_beta_volume_attributes_class_schema_for_1_32() -> None:
    obj = {
        "apiVersion": "storage.k8s.io/v1beta1",
        "kind": "VolumeAttributesClass",
        "metadata": {"name": "x"},
        "driverName": "ebs.csi.aws.com",
    }
    assert kubernetes_validate.validate(obj, "1.32", strict=True) == "1.32"
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        kubernetes_validate.validate({**obj, "apiVersion": "storage.k8s.io/v1"}, "1.32", strict=True)


def test_strict_validation_rejects_unknown_fields() -> None:
    bad = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": "x"},
        "provisioner": "ebs.csi.aws.com",
        "volumeBindingmode": "WaitForFirstConsumer",
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        check(bad, "1.32")
    pool = {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "p"},
        "spec": {
            "template": {
                "spec": {
                    "nodeClassRef": {"group": "eks.amazonaws.com", "kind": "NodeClass", "name": "default"},
                    "requirements": [],
                    "expireAfer": "1h",
                }
            }
        },
    }
    with pytest.raises(jsonschema.ValidationError):
        check(pool, "1.32")


@pytest.mark.parametrize("which", ["applied", "render-only"])
def test_every_written_reference_manifest_is_valid_for_kubernetes_1_32(
    which: str, reference_app: dict[str, Any], reference_render_only: dict[str, Any]
) -> None:
    outdir = Path(reference_app["app"].outdir) if which == "applied" else reference_render_only["outdir"]
    files = load_yaml_dir(outdir / "manifests" / CLUSTER)
    objects = [obj for objs in files.values() for obj in objs]
    assert {o["kind"] for o in objects} == {"StorageClass", "VolumeAttributesClass", "NodeClass", "NodePool"}
    for obj in objects:
        check(obj, "1.32")


def test_kubernetes_validate_cli_passes_the_written_files(reference_app: dict[str, Any]) -> None:
    directory = Path(reference_app["app"].outdir) / "manifests" / CLUSTER
    files = sorted(str(p) for p in directory.glob("*.k8s.yaml"))
    cli = Path(sys.executable).parent / "kubernetes-validate"
    result = subprocess.run([str(cli), "--strict", "-k", "1.32", *files], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    passed = [line for line in lines if line.startswith("INFO") and "passed" in line]
    assert len(passed) == 3  # the StorageClass and both VolumeAttributesClasses
    warned = [line for line in lines if line.startswith("WARN")]
    assert all(("NodeClass" in w or "NodePool" in w) for w in warned) and len(warned) == 2  # CRDs: checked above


@pytest.mark.parametrize("version", ["1.31", "1.32", "1.33", "1.34", "1.35"])
@pytest.mark.parametrize("driver", list(EbsDriver))
def test_storage_objects_are_valid_for_each_kubernetes_version(version: str, driver: EbsDriver) -> None:
    chart = StorageChart(
        cdk8s.App(),
        "Storage",
        kubernetes_version=version,
        driver=driver,
        default_class=True,
        tiers=[
            VolumeTier.standard(),
            VolumeTier.fast(),
            VolumeTier.max(),
            VolumeTier(name="db", volume_type=VolumeType.IO2, iops=20000, tags={"team": "data"}),
        ],
        kms_key_arn="arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        iops=4000,
        throughput=250,
    )
    EbsVolumeClaim(
        chart,
        "Claim",
        name="data",
        namespace="db",
        storage_class=chart.storage_class,
        size_gib=200,
        tier=chart.tiers["max"],
        labels={"app": "db"},
    )
    objects = chart.to_json()
    assert {o["kind"] for o in objects} == {"StorageClass", "VolumeAttributesClass", "PersistentVolumeClaim"}
    for obj in objects:
        check(obj, version)


def test_every_node_pool_and_node_class_setting_renders_a_valid_object() -> None:
    chart = PlatformChart(cdk8s.App(), "Pools", kubernetes_version="1.32")
    NodeClass(
        chart,
        "Class",
        spec=NodeClassSpec(
            name="batch",
            subnets=[SelectorTerm.by_id("subnet-0123456789abcdef0"), SelectorTerm.by_tags({"tier": "private"})],
            security_groups=[SelectorTerm.by_name("nodes"), SelectorTerm.by_id("sg-0123456789abcdef0")],
            snat_policy=SnatPolicy.DISABLED,
            network_policy=NetworkPolicyDefault.DEFAULT_DENY,
            ephemeral_storage=EphemeralStorage(size="200Gi", iops=6000, throughput=500, kms_key_id="alias/nodes"),
            tags={"team": "data"},
        ),
        role_name="BatchNodes",
    )
    NodePool(
        chart,
        "Pool",
        spec=NodePoolSpec(
            name="batch",
            node_class="batch",
            instance_categories=["c", "m", "r"],
            instance_families=["m7g"],
            min_generation=7,
            architectures=[Architecture.ARM64, Architecture.AMD64],
            capacity_types=[CapacityType.SPOT, CapacityType.ON_DEMAND],
            zones=["us-east-1a", "us-east-1b"],
            requirements=[
                Requirement(
                    key="eks.amazonaws.com/instance-cpu",
                    operator=RequirementOperator.IN,
                    values=["8", "16"],
                    min_values=2,
                ),
                Requirement(key="example.com/gpu", operator=RequirementOperator.DOES_NOT_EXIST),
            ],
            labels={"workload": "batch", "node-role.kubernetes.io/batch": ""},
            taints=[Taint(key="workload", value="batch"), Taint(key="spot", effect=TaintEffect.PREFER_NO_SCHEDULE)],
            startup_taints=[Taint(key="example.com/warming", effect=TaintEffect.NO_EXECUTE)],
            cpu_limit=512,
            memory_limit="2Ti",
            consolidation_policy=ConsolidationPolicy.WHEN_EMPTY,
            consolidate_after="10m",
            budgets=[
                DisruptionBudget(nodes="20%"),
                DisruptionBudget(
                    nodes="0",
                    schedule="0 9 * * mon-fri",
                    duration="8h",
                    reasons=[DisruptionReason.DRIFTED, DisruptionReason.UNDERUTILIZED],
                ),
            ],
            expire_after="504h",
            termination_grace_period="24h",
            weight=50,
        ),
    )
    objects = chart.to_json()
    assert {(o["apiVersion"], o["kind"]) for o in objects} == CRD_KINDS
    for obj in objects:
        check(obj, "1.32")


def test_logical_ids_of_node_identity_and_chart_resources_are_pinned(reference_templates: dict[str, Any]) -> None:
    """Changing one of these replaces the node role (its NodeClasses break) or deletes and re-creates a chart's
    objects: say so in CHANGELOG.md when it must change."""
    resources = reference_templates["EksPlatform"]["Resources"]
    expected = {
        "NodePoolsNodeRole22A44DE6": "AWS::IAM::Role",
        "NodePoolsNodeAccessEntry3EF990E5": "AWS::EKS::AccessEntry",
        # one custom resource per object, keyed by chart, kind and name (content-derived for the storage classes)
        "ClusterManifestsNodePoolsNodeClassbatch4B631082": "Custom::AWSCDK-EKS-KubernetesResource",
        "ClusterManifestsNodePoolsNodePoolbatch7C37F898": "Custom::AWSCDK-EKS-KubernetesResource",
        "ClusterManifestsStorageStorageClassgp3918b39c7AB71B5EC": "Custom::AWSCDK-EKS-KubernetesResource",
        "ClusterManifestsStorageVolumeAttributesClassfast9648bf3dDA8894EA": "Custom::AWSCDK-EKS-KubernetesResource",
        "ClusterManifestsStorageVolumeAttributesClassstandard9382b0929AE1A46C": "Custom::AWSCDK-EKS-KubernetesResource",
        "ClusterManifestsApplyModeGuard0388A3E7": "AWS::SSM::Parameter",
    }
    assert {logical_id: resources[logical_id]["Type"] for logical_id in expected} == expected
