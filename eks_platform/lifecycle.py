"""Lifecycle judge: is going from template OLD to template NEW a safe deployment, for CloudFormation *and* Kubernetes?

Builds on the replacement guard (:mod:`eks_platform.replacement`, CloudFormation's ``createOnlyProperties``) and adds
what a CloudFormation diff alone does not show:

* **(a) stateful-replaced**: a resource that holds data (cluster, KMS key, VPC, subnet, volume) is replaced, or
  deleted without being retained.
* **(b) identity-orphaned**: an identity resource (access entry, IAM role or policy, Pod Identity association, Lambda
  function or layer, IAM Roles Anywhere anchor/profile) leaves the template but is retained (``DeletionPolicy:
  Retain``), or is replaced with its old copy retained: it keeps its rights and no stack shows it. Roles that a
  retained data resource still uses (the cluster role, the Auto Mode node role) are exempt.
* **(c) immutable-changed**: a Kubernetes object keeps its kind and name but an immutable field changes
  (StorageClass ``provisioner``/``parameters``/``reclaimPolicy``/``volumeBindingMode``, VolumeAttributesClass
  ``driverName``/``parameters``): ``kubectl apply`` fails and the whole update rolls back.
* **(d) object-orphaned**: a Kubernetes object leaves the configuration but stays on the cluster: its custom
  resource is retained, or it stays in a custom resource that is updated with ``kubectl apply --prune``, which only
  deletes kinds in kubectl's default prune allowlist (none of StorageClass, VolumeAttributesClass, NodeClass,
  NodePool, ServiceAccount).
* **retained-incoherent**: a retained data resource leaves the template (``cdk destroy``, or removed from the
  code) while what it stands on is deleted: its roles, security group, subnets and the network of its VPC. The
  retained cluster then breaks, or the deletion fails on resources it still uses (``DELETE_FAILED``).
* **(e) object-deleted**: a Kubernetes object that should stay on the cluster is deleted: it moved to another
  custom resource under the same kind and name (the old one's Delete runs ``kubectl delete`` after the new one
  applied it), or it is handed over (to GitOps) while its custom resource is deleted with ``DeletionPolicy:
  Delete``.

A transition CloudFormation itself refuses before anything is deleted is reported as ``refused_at_deploy``: a
resource added under a physical name that a resource removed in the same update still holds (CloudFormation creates
new resources first and deletes the old ones in the cleanup phase, so the create fails with "already exists" and the
update rolls back). No finding is reported for such a transition: none of its deletions happen.

What the kubectl handler of aws-cdk-lib's ``aws-eks-v2`` does (its code ships in ``cdk.out/asset.*/apply``): Create
runs ``kubectl apply`` (``overwrite``) or ``create``; Update runs ``kubectl apply [--prune -l <label>]``; Delete runs
``kubectl delete -f <old manifest>`` and only logs errors. It returns no new physical ID, so a manifest custom
resource is never replaced; only a logical-ID change creates a new one and deletes the old.

Sources: kubectl's default prune allowlist, kubernetes ``staging/src/k8s.io/kubectl/pkg/util/prune/prune.go``;
StorageClass immutability, ``pkg/apis/storage/validation/validation.go`` (``ValidateStorageClassUpdate``);
VolumeAttributesClass, https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/volume-attributes-class-v1/.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from eks_platform.replacement import Action, ReplacementReport, compare_templates, references

MANIFEST_TYPE = "Custom::AWSCDK-EKS-KubernetesResource"
HELM_TYPE = "Custom::AWSCDK-EKS-HelmChart"

#: Resource types that hold data (or are the network a retained cluster runs in): replacing them loses something.
STATEFUL_TYPES = frozenset(
    {"AWS::EKS::Cluster", "AWS::KMS::Key", "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::Volume"}
)
#: Of those, what must never be deleted with ``DeletionPolicy: Delete`` when it leaves the template.
DATA_TYPES = frozenset({"AWS::EKS::Cluster", "AWS::KMS::Key", "AWS::EC2::Volume"})
#: Resource types that grant or exercise access: they must be deleted when they leave the configuration.
IDENTITY_TYPES = frozenset(
    {
        "AWS::EKS::AccessEntry",
        "AWS::EKS::PodIdentityAssociation",
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::InstanceProfile",
        "AWS::Lambda::Function",
        "AWS::Lambda::LayerVersion",
        "AWS::Lambda::Permission",
        "AWS::RolesAnywhere::TrustAnchor",
        "AWS::RolesAnywhere::Profile",
        "AWS::SSM::Activation",
    }
)

#: kubectl's default prune allowlist (group, kind): the only kinds ``kubectl apply --prune -l`` deletes.
DEFAULT_PRUNE_ALLOWLIST = frozenset(
    {
        ("", "ConfigMap"),
        ("", "Endpoints"),
        ("", "Namespace"),
        ("", "PersistentVolumeClaim"),
        ("", "PersistentVolume"),
        ("", "Pod"),
        ("", "ReplicationController"),
        ("", "Secret"),
        ("", "Service"),
        ("batch", "Job"),
        ("batch", "CronJob"),
        ("networking.k8s.io", "Ingress"),
        ("apps", "DaemonSet"),
        ("apps", "Deployment"),
        ("apps", "ReplicaSet"),
        ("apps", "StatefulSet"),
    }
)

#: Immutable fields by (group, kind): an update that changes one is rejected by the API server.
IMMUTABLE_FIELDS: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("storage.k8s.io", "StorageClass"): ("provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"),
    ("storage.k8s.io", "VolumeAttributesClass"): ("driverName", "parameters"),
}
#: API-server defaults of immutable fields, so an omitted field and its default compare equal.
_FIELD_DEFAULTS: Mapping[tuple[str, str, str], Any] = {
    ("storage.k8s.io", "StorageClass", "reclaimPolicy"): "Delete",
    ("storage.k8s.io", "StorageClass", "volumeBindingMode"): "Immediate",
    ("storage.k8s.io", "StorageClass", "parameters"): {},
}


class Verdict(str, Enum):
    """What is wrong with a transition."""

    STATEFUL_REPLACED = "stateful-replaced"
    IDENTITY_ORPHANED = "identity-orphaned"
    IMMUTABLE_CHANGED = "immutable-changed"
    OBJECT_ORPHANED = "object-orphaned"
    OBJECT_DELETED = "object-deleted"
    RETAINED_INCOHERENT = "retained-incoherent"


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """One problem of a transition: its verdict, what it concerns and why."""

    verdict: Verdict
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.verdict.value}: {self.subject}: {self.detail}"


@dataclass(frozen=True, slots=True, order=True)
class ObjectKey:
    """A Kubernetes object's identity: API group, kind, namespace (empty when cluster-scoped) and name."""

    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        group = f".{self.group}" if self.group else ""
        return f"{self.kind}{group} {where}{self.name}"

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> ObjectKey:
        api_version = str(obj.get("apiVersion", ""))
        group = api_version.split("/", 1)[0] if "/" in api_version else ""
        metadata = obj.get("metadata") or {}
        return cls(group, str(obj.get("kind", "")), str(metadata.get("namespace", "")), str(metadata.get("name", "")))


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveredObject:
    """A Kubernetes object in a template: the custom resource that applies it and the object itself."""

    logical_id: str
    key: ObjectKey
    body: Mapping[str, Any]
    retained: bool
    prune: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class LifecycleReport:
    """The result of :func:`judge`.

    Attributes:
        findings: every problem, by verdict.
        replacement: the CloudFormation replacement guard's report (harmless replacements apart).
        kubernetes: what the kubectl handler does to each object, one line each ("deleted: NodePool batch", ...).
        refused_at_deploy: resources whose create fails because a resource leaving the template holds their
            physical name: CloudFormation rolls the update back (see the module docstring).
    """

    findings: tuple[Finding, ...]
    replacement: ReplacementReport
    kubernetes: tuple[str, ...] = field(default=())
    refused_at_deploy: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.findings

    def of(self, *verdicts: Verdict) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.verdict in verdicts)

    @property
    def verdicts(self) -> frozenset[Verdict]:
        return frozenset(f.verdict for f in self.findings)

    def format(self) -> str:
        lines = [str(f) for f in self.findings] or ["no lifecycle finding"]
        lines += [f"kubernetes: {line}" for line in self.kubernetes]
        return "\n".join(lines)


# -- manifests in a template ------------------------------------------------------------------------------------------


def _flatten(value: Any) -> str | None:
    """A ``Manifest`` property as text: a literal, or an ``Fn::Join`` with deploy-time parts shown as placeholders."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and set(value) == {"Fn::Join"}:
        delimiter, parts = value["Fn::Join"]
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append("<cfn:" + json.dumps(part, sort_keys=True).replace('"', "'").replace("\\", "") + ">")
        return str(delimiter).join(out)
    return None


def _strip_prune_label(obj: Mapping[str, Any]) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(obj))
    labels = (copy.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        for key in [k for k in labels if k.startswith("aws.cdk.eks/prune-")]:
            del labels[key]
        if not labels:
            del copy["metadata"]["labels"]
    return copy


def delivered_objects(template: Mapping[str, Any]) -> dict[ObjectKey, DeliveredObject]:
    """Every Kubernetes object the template's manifest custom resources apply, by object identity.

    Helm releases count as one object each (kind ``HelmRelease``, group ``helm``): Update upgrades, Delete uninstalls.
    """
    found: dict[ObjectKey, DeliveredObject] = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        rtype = resource.get("Type")
        props = resource.get("Properties") or {}
        retained = resource.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate", "Snapshot")
        if rtype == HELM_TYPE:
            key = ObjectKey("helm", "HelmRelease", str(props.get("Namespace", "default")), str(props.get("Release")))
            found[key] = DeliveredObject(logical_id=logical_id, key=key, body=props, retained=retained, prune=False)
            continue
        if rtype != MANIFEST_TYPE:
            continue
        text = _flatten(props.get("Manifest"))
        try:
            objects = json.loads(text) if text is not None else []
        except ValueError:
            objects = []
        for obj in objects:
            if not isinstance(obj, Mapping) or not obj.get("kind"):
                continue
            key = ObjectKey.of(obj)
            found[key] = DeliveredObject(
                logical_id=logical_id,
                key=key,
                body=_strip_prune_label(obj),
                retained=retained,
                prune=props.get("PruneLabel") is not None,
            )
    return found


def _immutable_changes(before: Mapping[str, Any], after: Mapping[str, Any], key: ObjectKey) -> list[str]:
    changed = []
    for name in IMMUTABLE_FIELDS.get((key.group, key.kind), ()):
        default = _FIELD_DEFAULTS.get((key.group, key.kind, name))
        was, now = before.get(name, default), after.get(name, default)
        if was != now:
            changed.append(f"{name} {json.dumps(was, sort_keys=True)} -> {json.dumps(now, sort_keys=True)}")
    return changed


# -- the judge --------------------------------------------------------------------------------------------------------


_RETAINED = ("Retain", "RetainExceptOnCreate", "Snapshot")


def support_of_retained_data(resources: Mapping[str, Any]) -> set[str]:
    """What the retained data resources stand on: everything they reference (cluster role, node role, security
    group, subnets, their VPC), and every ``AWS::EC2::*`` resource that references that network (route tables,
    routes, NAT gateways, the internet gateway attachment), transitively."""

    def props(lid: str) -> Any:
        return resources[lid].get("Properties") or {}

    def is_ec2(lid: str) -> bool:
        return str(resources[lid].get("Type", "")).startswith("AWS::EC2::")

    data = {lid for lid, r in resources.items() if r.get("Type") in DATA_TYPES and r.get("DeletionPolicy") in _RETAINED}
    support: set[str] = set()
    frontier = list(data)
    while frontier:
        lid = frontier.pop()
        for ref in references(props(lid)):
            if ref in resources and ref not in support and ref not in data:
                support.add(ref)
                frontier.append(ref)
        if not frontier:
            network = {lid for lid in support if is_ec2(lid)}
            for other in resources:
                if other not in support and other not in data and is_ec2(other) and references(props(other)) & network:
                    support.add(other)
                    frontier.append(other)
    return support


def name_collisions(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    """Resources added in ``new`` under a literal ``Name`` that a resource of the same type leaving ``old`` holds."""
    leaving = {
        (str(r.get("Type")), (r.get("Properties") or {}).get("Name"))
        for lid, r in old.items()
        if lid not in new and isinstance((r.get("Properties") or {}).get("Name"), str)
    }
    return tuple(
        sorted(
            lid
            for lid, r in new.items()
            if lid not in old and (str(r.get("Type")), (r.get("Properties") or {}).get("Name")) in leaving
        )
    )


def judge(
    old: Mapping[str, Any], new: Mapping[str, Any], *, handed_over: Iterable[ObjectKey] = ()
) -> LifecycleReport:
    """Judge deploying ``new`` over ``old`` (two synthesized templates of one stack; ``new`` empty for destroy).

    Args:
        old: the deployed template.
        new: the candidate template (``{"Resources": {}}`` for ``cdk destroy``).
        handed_over: Kubernetes objects that leave the template but stay in the configuration (render-only YAML for
            a GitOps tool): they must stay on the cluster. Default: - none.
    """
    report = compare_templates(old, new)
    old_resources: Mapping[str, Any] = old.get("Resources") or {}
    new_resources: Mapping[str, Any] = new.get("Resources") or {}
    collisions = name_collisions(old_resources, new_resources)
    if collisions:
        return LifecycleReport(findings=(), replacement=report, refused_at_deploy=collisions)
    findings: list[Finding] = []
    kept_for_data = support_of_retained_data(old_resources)
    leaving_data = sorted(
        lid
        for lid, r in old_resources.items()
        if lid not in new_resources and r.get("Type") in DATA_TYPES and r.get("DeletionPolicy") in _RETAINED
    )
    broken = sorted(
        lid
        for lid in kept_for_data
        if lid not in new_resources and old_resources[lid].get("DeletionPolicy") not in _RETAINED
    )
    if leaving_data and broken:
        findings.append(
            Finding(
                verdict=Verdict.RETAINED_INCOHERENT,
                subject=", ".join(leaving_data),
                detail=f"retained, but what it stands on is deleted: {', '.join(broken)}",
            )
        )

    for change in report.changes:
        if change.harmless:
            continue
        subject = f"{change.logical_id} ({change.resource_type})"
        if change.resource_type in STATEFUL_TYPES and change.action is Action.REPLACE:
            findings.append(
                Finding(verdict=Verdict.STATEFUL_REPLACED, subject=subject, detail="; ".join(change.reasons))
            )
        elif change.resource_type in DATA_TYPES and change.action is Action.DELETE and not change.retained:
            findings.append(
                Finding(
                    verdict=Verdict.STATEFUL_REPLACED,
                    subject=subject,
                    detail="deleted with DeletionPolicy Delete: what it holds is lost",
                )
            )
        if change.resource_type in IDENTITY_TYPES and change.retained and change.logical_id not in kept_for_data:
            how = "left the template" if change.action is Action.DELETE else "is replaced"
            findings.append(
                Finding(
                    verdict=Verdict.IDENTITY_ORPHANED,
                    subject=subject,
                    detail=f"{how} but its old copy is retained: it keeps its rights and no stack shows it",
                )
            )

    before = delivered_objects(old)
    after = delivered_objects(new)
    handed = set(handed_over)
    actions: list[str] = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was is not None and now is not None:
            changed = _immutable_changes(was.body, now.body, key)
            if changed and was.body != now.body:
                findings.append(
                    Finding(
                        verdict=Verdict.IMMUTABLE_CHANGED,
                        subject=str(key),
                        detail=f"{', '.join(changed)} under the same name: kubectl apply is rejected and the update "
                        "rolls back; give the object a new name (derived from the immutable content)",
                    )
                )
            if now.logical_id != was.logical_id and was.logical_id not in new_resources and not was.retained:
                findings.append(
                    Finding(
                        verdict=Verdict.OBJECT_DELETED,
                        subject=str(key),
                        detail=f"moved from {was.logical_id} to {now.logical_id}: the new resource applies it, then "
                        f"deleting {was.logical_id} runs kubectl delete on it",
                    )
                )
                actions.append(f"applied then deleted: {key}")
            elif was.body != now.body:
                actions.append(f"updated: {key}")
            continue
        if now is not None:
            actions.append(f"created: {key}")
            continue
        assert was is not None
        resource_gone = was.logical_id not in new_resources
        if resource_gone:
            deleted = not was.retained
            how = (
                f"{was.logical_id} is deleted (kubectl delete)"
                if deleted
                else f"{was.logical_id} leaves the stack with DeletionPolicy Retain (no kubectl delete)"
            )
        else:
            deleted = was.prune and (key.group, key.kind) in DEFAULT_PRUNE_ALLOWLIST
            how = (
                f"{was.logical_id} is updated with kubectl apply --prune"
                + ("" if deleted else f", which never deletes {key.kind} (not in kubectl's default prune allowlist)")
            )
        if key in handed:
            actions.append(f"{'deleted' if deleted else 'handed over'}: {key}")
            if deleted:
                findings.append(
                    Finding(
                        verdict=Verdict.OBJECT_DELETED,
                        subject=str(key),
                        detail=f"handed over (still in the configuration) but {how}",
                    )
                )
        else:
            actions.append(f"{'deleted' if deleted else 'left on the cluster'}: {key}")
            if not deleted:
                findings.append(
                    Finding(
                        verdict=Verdict.OBJECT_ORPHANED,
                        subject=str(key),
                        detail=f"removed from the configuration but stays on the cluster: {how}",
                    )
                )
    return LifecycleReport(findings=tuple(findings), replacement=report, kubernetes=tuple(actions))
