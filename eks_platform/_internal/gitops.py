"""Rules and tables for delivering the rendered manifests with the EKS Argo CD capability, as pure functions.

- the Kubernetes resource (plural) and scope of each kind the library renders, so Argo CD's RBAC can name exactly
  the resources it syncs (https://docs.aws.amazon.com/eks/latest/userguide/argocd-register-clusters.html, "Access
  Entry RBAC requirements": cluster-wide read, write only where it deploys);
- the shape of an Application source (repository URL, path, revision) and of the manifests folder setting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from eks_platform._internal import validation as v

#: The Kubernetes group EKS puts an access entry's principal in: ``eks-access-entry:<principal ARN>``
#: (argocd-register-clusters, "Bind roles to the Kubernetes group").
ACCESS_ENTRY_GROUP_PREFIX = "eks-access-entry:"
#: The label that makes a Secret an Argo CD cluster registration.
CLUSTER_SECRET_LABEL = "argocd.argoproj.io/secret-type"
APPLICATION_API_VERSION = "argoproj.io/v1alpha1"
WRITE_VERBS: tuple[str, ...] = ("get", "list", "watch", "create", "update", "patch", "delete")
READ_VERBS: tuple[str, ...] = ("get", "list", "watch")


@dataclass(frozen=True, kw_only=True, slots=True)
class ResourceKind:
    group: str
    resource: str
    namespaced: bool


#: ``(apiVersion group, kind)`` -> resource, for the kinds this library's charts render (and a few core kinds).
KINDS: dict[tuple[str, str], ResourceKind] = {
    ("storage.k8s.io", "StorageClass"): ResourceKind(group="storage.k8s.io", resource="storageclasses",
                                                     namespaced=False),
    ("storage.k8s.io", "VolumeAttributesClass"): ResourceKind(group="storage.k8s.io",
                                                              resource="volumeattributesclasses", namespaced=False),
    ("eks.amazonaws.com", "NodeClass"): ResourceKind(group="eks.amazonaws.com", resource="nodeclasses",
                                                     namespaced=False),
    ("karpenter.sh", "NodePool"): ResourceKind(group="karpenter.sh", resource="nodepools", namespaced=False),
    ("networking.k8s.io", "IngressClass"): ResourceKind(group="networking.k8s.io", resource="ingressclasses",
                                                        namespaced=False),
    ("eks.amazonaws.com", "IngressClassParams"): ResourceKind(group="eks.amazonaws.com",
                                                              resource="ingressclassparams", namespaced=False),
    ("", "Namespace"): ResourceKind(group="", resource="namespaces", namespaced=False),
    ("", "ServiceAccount"): ResourceKind(group="", resource="serviceaccounts", namespaced=True),
    ("", "ConfigMap"): ResourceKind(group="", resource="configmaps", namespaced=True),
    ("", "PersistentVolumeClaim"): ResourceKind(group="", resource="persistentvolumeclaims", namespaced=True),
}

_HTTPS_URL = re.compile(r"https://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?", re.ASCII)
_SSH_URL = re.compile(r"(ssh://)?[A-Za-z0-9._-]+@[A-Za-z0-9.-]+[:/][A-Za-z0-9._~/-]+", re.ASCII)
_REVISION = re.compile(r"[A-Za-z0-9._/-]{1,255}", re.ASCII)


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0] if "/" in api_version else ""


def write_rules(objects: Iterable[Mapping[str, Any]], *, where: str) -> tuple[dict[str, Any], list[str]]:
    """RBAC rules granting write access to exactly the kinds in ``objects``.

    Returns:
        ``({"cluster": {group: [resources]}, "namespaces": {namespace: {group: [resources]}}}, problems)``; one
        problem per kind the table does not know.
    """
    cluster: dict[str, set[str]] = {}
    namespaced: dict[str, dict[str, set[str]]] = {}
    problems: list[str] = []
    unknown: set[str] = set()
    for obj in objects:
        api_version = str(obj.get("apiVersion", ""))
        kind = str(obj.get("kind", ""))
        known = KINDS.get((group_of(api_version), kind))
        if known is None:
            if f"{api_version}/{kind}" not in unknown:
                unknown.add(f"{api_version}/{kind}")
                problems.append(
                    f"{where}: Argo CD would sync {kind} ({api_version}), a kind the library has no RBAC entry for; "
                    "grant it with extra_rules (RBAC PolicyRule objects: apiGroups, resources, verbs)"
                )
            continue
        if known.namespaced:
            namespace = str((obj.get("metadata") or {}).get("namespace") or "default")
            namespaced.setdefault(namespace, {}).setdefault(known.group, set()).add(known.resource)
        else:
            cluster.setdefault(known.group, set()).add(known.resource)
    result = {
        "cluster": {g: sorted(r) for g, r in sorted(cluster.items())},
        "namespaces": {
            ns: {g: sorted(r) for g, r in sorted(groups.items())} for ns, groups in sorted(namespaced.items())
        },
    }
    return result, problems


def repository_url_problems(setting: str, value: object) -> list[str]:
    if not isinstance(value, str) or not (_HTTPS_URL.fullmatch(value) or _SSH_URL.fullmatch(value)):
        return [
            f"{setting} {value!r} is not a Git repository URL; use https://host/owner/repo(.git) or git@host:owner/repo"
        ]
    return []


def repository_path_problems(setting: str, value: object) -> list[str]:
    """A relative POSIX path inside the repository, without ``..``."""
    if not isinstance(value, str) or not value.strip():
        return [f"{setting} {value!r} must be a folder of the repository, such as 'manifests/eks-platform'"]
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        return [f"{setting} {value!r} must be relative to the repository root, with '/' separators and no '..'"]
    return []


def revision_problems(setting: str, value: object) -> list[str]:
    if not isinstance(value, str) or not _REVISION.fullmatch(value):
        return [f"{setting} {value!r} is not a Git revision (a branch, tag, commit or HEAD)"]
    return []


def output_directory_problems(setting: str, value: object) -> list[str]:
    """The manifests folder: a non-empty path string."""
    if v.is_unresolved(value) or not isinstance(value, str) or not value.strip():
        return [f"{setting} {value!r} must be a folder path, such as 'manifests' (relative to the project root)"]
    if "\0" in value:
        return [f"{setting} {value!r} contains a NUL character"]
    return []
