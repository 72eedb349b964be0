"""The Kubernetes objects a synthesized app delivers, one by one, so a snapshot diff shows the field that changed.

A chart applied through the kubectl provider is one ``Custom::AWSCDK-EKS-KubernetesResource`` whose ``Manifest`` is a
single escaped JSON string: in a template snapshot a changed storage tier or node pool shows only as one long changed
line. :func:`kubernetes_objects` takes every object out of the templates (and out of the render-only YAML the app
wrote under ``cdk.out/manifests/``), and :class:`KubernetesObjectSnapshotExtension` stores each as its own readable
YAML file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

#: The CloudFormation type of manifests applied by aws_eks_v2's kubectl provider.
KUBERNETES_RESOURCE_TYPE = "Custom::AWSCDK-EKS-KubernetesResource"
#: The header line ``ManifestDelivery`` writes into the YAML of charts nothing applies.
_RENDER_ONLY_MARK = "# Render-only:"
#: Labels the kubectl provider adds for pruning; they carry a hash of the construct path, not content.
_PRUNE_LABEL = re.compile(r"^aws\.cdk\.eks/prune-")


def _placeholder(value: Any) -> str:
    """A readable stand-in for a deploy-time value (``${Ref:Role}``, ``${GetAtt:Role.Arn}``)."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "Ref":
            return "${Ref:" + str(inner) + "}"
        if key == "Fn::GetAtt" and isinstance(inner, list):
            return "${GetAtt:" + ".".join(str(p) for p in inner) + "}"
    return "${" + json.dumps(value, sort_keys=True, separators=(",", ":")) + "}"


def _manifest_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        if separator == "" and isinstance(parts, list):
            return "".join(p if isinstance(p, str) else _placeholder(p).replace('"', '\\"') for p in parts)
    return None


def _without_prune_labels(obj: dict[str, Any]) -> dict[str, Any]:
    labels = (obj.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        for key in [k for k in labels if _PRUNE_LABEL.match(k)]:
            del labels[key]
        if not labels:
            del obj["metadata"]["labels"]
    return obj


def object_key(obj: Mapping[str, Any]) -> str:
    """``<Kind>.<namespace>.<name>`` (``_cluster`` for cluster-scoped objects), a readable file-name stem."""
    metadata = obj.get("metadata") or {}
    namespace = metadata.get("namespace") or "_cluster"
    return f"{obj.get('kind', 'Object')}.{namespace}.{metadata.get('name', '_unnamed')}"


def template_objects(stack_name: str, template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every object in the template's kubectl-provider manifests, keyed ``<stack>.<logical id>.<Kind>.<ns>.<name>``.

    Deploy-time values show as ``${Ref:...}``/``${GetAtt:...}``; the kubectl provider's prune labels are dropped.
    """
    found: dict[str, dict[str, Any]] = {}
    for logical_id, resource in sorted((template.get("Resources") or {}).items()):
        if not isinstance(resource, Mapping) or resource.get("Type") != KUBERNETES_RESOURCE_TYPE:
            continue
        text = _manifest_text((resource.get("Properties") or {}).get("Manifest"))
        if text is None:
            continue
        try:
            objects = json.loads(text)
        except json.JSONDecodeError:
            continue
        for obj in objects if isinstance(objects, list) else [objects]:
            if isinstance(obj, dict):
                found[f"{stack_name}.{logical_id}.{object_key(obj)}"] = _without_prune_labels(obj)
    return found


def rendered_objects(outdir: str | Path) -> dict[str, dict[str, Any]]:
    """Every object of the render-only charts under ``<outdir>/manifests/`` (charts nothing applies), keyed
    ``manifests.<cluster folder>.<Kind>.<ns>.<name>`` (a nested stage's path joined with dots). Applied charts are
    in the templates already."""
    found: dict[str, dict[str, Any]] = {}
    root = Path(outdir) / "manifests"
    if not root.is_dir():
        return found
    for path in sorted(root.glob("**/*.k8s.yaml")):
        text = path.read_text(encoding="utf-8")
        if _RENDER_ONLY_MARK not in text:
            continue
        folder = ".".join(path.parent.relative_to(root).parts)
        for obj in yaml.safe_load_all(text):
            if isinstance(obj, dict):
                found[f"manifests.{folder}.{object_key(obj)}"] = obj
    return found


def kubernetes_objects(templates: Mapping[str, Mapping[str, Any]], outdir: str | Path | None = None) -> dict[
    str, dict[str, Any]
]:
    """The objects of every stack's manifests plus the render-only YAML under ``outdir``, sorted by key."""
    found: dict[str, dict[str, Any]] = {}
    for stack_name, template in templates.items():
        found.update(template_objects(stack_name, template))
    if outdir is not None:
        found.update(rendered_objects(outdir))
    return dict(sorted(found.items()))


def _sorted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def object_yaml(obj: Mapping[str, Any]) -> str:
    """One object as block YAML: ``apiVersion``, ``kind``, ``metadata`` first, then the rest; keys sorted below."""
    head = {k: _sorted(obj[k]) for k in ("apiVersion", "kind", "metadata") if k in obj}
    rest = {k: _sorted(obj[k]) for k in sorted(obj) if k not in head}
    return yaml.safe_dump({**head, **rest}, sort_keys=False, default_flow_style=False, width=120)
