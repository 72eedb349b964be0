"""EKSP-10 (warning): a StorageClass for encrypted data volumes deletes the volume with its claim."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from eks_platform.checks._rule import Finding, Level, Rule, RuleContext, json_documents

#: Custom resources aws_eks_v2 uses to apply manifests (cluster.add_manifest, add_cdk8s_chart, KubernetesManifest).
MANIFEST_RESOURCE_TYPES = frozenset({"Custom::AWSCDK-EKS-KubernetesResource"})


def _parameters(storage_class: Mapping[str, Any]) -> dict[str, Any]:
    raw = storage_class.get("parameters")
    # EBS CSI parameter names are case-insensitive (except csi.storage.k8s.io/fstype).
    return {str(k).lower(): v for k, v in raw.items()} if isinstance(raw, Mapping) else {}


def _encrypted(parameters: Mapping[str, Any]) -> bool:
    flag = parameters.get("encrypted")
    return str(flag).lower() == "true" or bool(parameters.get("kmskeyid"))


def manifest_findings(manifests: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """Findings for Kubernetes objects (dicts): encrypted StorageClasses whose ``reclaimPolicy`` is ``Delete``
    (the Kubernetes default when unset). Finding id ``StorageClass::<name>``."""
    findings = []
    for obj in manifests:
        if obj.get("kind") != "StorageClass" or not str(obj.get("apiVersion", "")).startswith("storage.k8s.io/"):
            continue
        if not _encrypted(_parameters(obj)):
            continue
        policy = obj.get("reclaimPolicy")
        if policy not in (None, "Delete"):
            continue
        name = obj.get("metadata", {}).get("name") if isinstance(obj.get("metadata"), Mapping) else None
        shown = "not set (Kubernetes default Delete)" if policy is None else "Delete"
        findings.append(
            Finding(
                finding_id=f"StorageClass::{name}",
                message=(
                    f"StorageClass {name!r} provisions encrypted volumes (parameters.encrypted/kmsKeyId) and its "
                    f"reclaimPolicy is {shown}: deleting a PersistentVolumeClaim, a namespace or a Helm release "
                    "deletes the EBS volume and its data with it. Use reclaimPolicy: Retain for data volumes and "
                    "delete released volumes deliberately, or acknowledge "
                    f"EKSP-10[StorageClass::{name}] for scratch data."
                ),
            )
        )
    return findings


def check(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    """Reads the ``Manifest`` JSON of a kubectl-provider custom resource (tokens replaced by placeholders)."""
    return manifest_findings(json_documents(properties.get("Manifest")))


RULE = Rule(
    number=10,
    title="storage-class-reclaim-delete",
    resource_types=MANIFEST_RESOURCE_TYPES,
    level=Level.WARN,
    info="A StorageClass for encrypted data volumes should use reclaimPolicy: Retain.",
    explanation=(
        "With reclaimPolicy Delete (the default) the volume's lifetime is the claim's: a mistaken kubectl delete, a "
        "namespace clean-up or an uninstall destroys the data with no snapshot. Encrypted volumes usually hold data "
        "worth keeping. This is a warning: scratch or cache classes may rightly use Delete."
    ),
    check=check,
    see="https://kubernetes.io/docs/concepts/storage/storage-classes/#reclaim-policy",
)
