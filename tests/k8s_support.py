"""Helpers for the Kubernetes-object tests (storage, node pools, manifest delivery).

Independent oracles live here, not in the code under test: the schemas vendored in ``tests/schemas`` (Karpenter's
NodePool CRD, and a NodeClass JSON Schema written from the EKS User Guide; provenance in ``tests/schemas/README.md``),
and kubernetes-validate's schemas for built-in kinds.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.support import SCHEMAS_DIR, cdk_json_context, new_app, synth

NODEPOOL_CRD = SCHEMAS_DIR / "karpenter.sh_nodepools.yaml"
NODECLASS_SCHEMA = SCHEMAS_DIR / "eks.amazonaws.com_nodeclass.schema.json"
CRD_KINDS = {("karpenter.sh/v1", "NodePool"), ("eks.amazonaws.com/v1", "NodeClass")}


def strictify(schema: Any) -> Any:
    """A copy of an OpenAPI schema that rejects unknown fields, as the API server's strict field validation does."""
    schema = copy.deepcopy(schema)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if (
                node.get("type") == "object"
                and "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return schema


@cache
def nodepool_schema() -> dict[str, Any]:
    """``spec.versions[name=v1].schema.openAPIV3Schema`` of the vendored NodePool CRD, made strict."""
    crd = yaml.safe_load(NODEPOOL_CRD.read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    schema: dict[str, Any] = strictify(version["schema"]["openAPIV3Schema"])
    # metadata is `type: object` with no properties in the CRD; the API server checks it as ObjectMeta.
    return schema


def nodepool_cel_problems(obj: dict[str, Any]) -> list[str]:
    """The CRD's x-kubernetes-validations (CEL) rules that jsonschema cannot evaluate, transcribed by hand."""
    problems = []
    spec = obj["spec"]
    template_spec = spec["template"]["spec"]
    for req in template_spec["requirements"]:
        values = req.get("values", [])
        if req["operator"] == "In" and not values:
            problems.append(f"requirement {req['key']}: In needs values")
        if req["operator"] in ("Gt", "Lt", "Gte", "Lte") and (len(values) != 1 or int(values[0]) < 0):
            problems.append(f"requirement {req['key']}: one non-negative integer")
        if req["operator"] == "In" and "minValues" in req and len(values) < req["minValues"]:
            problems.append(f"requirement {req['key']}: minValues")
        key = req["key"]
        if key not in ("karpenter.sh/capacity-type", "karpenter.sh/nodepool") and key.split("/")[0].endswith(
            "karpenter.sh"
        ):
            problems.append(f"requirement {key}: karpenter.sh domain is restricted")
        if key in ("karpenter.sh/nodepool", "kubernetes.io/hostname"):
            problems.append(f"requirement {key}: restricted")
    labels = spec["template"].get("metadata", {}).get("labels", {})
    for key in labels:
        if key in ("karpenter.sh/nodepool", "kubernetes.io/hostname") or (
            key != "karpenter.sh/capacity-type" and key.split("/")[0].endswith("karpenter.sh")
        ):
            problems.append(f"label {key}: restricted")
    for budget in spec.get("disruption", {}).get("budgets", []):
        if ("schedule" in budget) != ("duration" in budget):
            problems.append("budget: schedule must be set with duration")
    return problems


@cache
def node_class_schema() -> dict[str, Any]:
    """The NodeClass JSON Schema written from the EKS User Guide (AWS publishes no CRD for this kind)."""
    schema: dict[str, Any] = json.loads(NODECLASS_SCHEMA.read_text())
    return schema


# The largest ephemeralStorage.size per unit, from the NodeClass specification in the EKS User Guide
# (https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html): "1-59000Gi or 1-64000G or 1-58Ti or 1-64T".
_EPHEMERAL_SIZE_CEILING = {"Gi": 59000, "G": 64000, "Ti": 58, "T": 64}


def node_class_problems(obj: dict[str, Any]) -> list[str]:
    """Every way ``obj`` breaks the NodeClass schema, plus the rules a JSON Schema cannot state well."""
    validator = jsonschema.Draft202012Validator(node_class_schema())
    problems = [
        f"{'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    ]
    size = obj.get("spec", {}).get("ephemeralStorage", {}).get("size")
    match = re.fullmatch(r"(\d+)(Gi|G|Ti|T)", size) if isinstance(size, str) else None
    if match and int(match.group(1)) > _EPHEMERAL_SIZE_CEILING[match.group(2)]:
        problems.append(f"spec.ephemeralStorage.size {size!r} is above the ceiling for {match.group(2)}")
    if obj.get("metadata", {}).get("name") == "default":
        problems.append("a custom NodeClass must not be named default (Auto Mode owns the built-in one)")
    return problems


def load_yaml_dir(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """``{file name: [objects]}`` for every ``*.k8s.yaml`` in ``directory``."""
    return {
        path.name: [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
        for path in sorted(directory.glob("*.k8s.yaml"))
    }


def manifests_in_template(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """``{logical id: [objects]}`` of every kubectl-provider manifest custom resource in a template."""
    out = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "Custom::AWSCDK-EKS-KubernetesResource":
            manifest = resource["Properties"]["Manifest"]
            assert isinstance(manifest, str), f"{logical_id} has deploy-time values in its manifest"
            out[logical_id] = json.loads(manifest)
    return out


def reference_context(**platform_overrides: Any) -> dict[str, Any]:
    context = cdk_json_context()
    context["platform"] = {**context["platform"], **platform_overrides}
    return context


def build_reference_stack(**platform_overrides: Any) -> dict[str, Any]:
    """Only the main reference stack (no hybrid copy), from cdk.json context with overrides; synthesized once."""
    from eks_platform.stacks.app import REFERENCE_STACK_NAME, load_config
    from eks_platform.stacks.reference import EksReferenceStack

    app = new_app(reference_context(**platform_overrides))
    config = load_config(app).model_copy(update={"hybrid": None})
    stack = EksReferenceStack(app, REFERENCE_STACK_NAME, config=config)
    templates = synth(app, label=f"reference:{platform_overrides}")
    return {"app": app, "stack": stack, "template": templates[REFERENCE_STACK_NAME], "outdir": Path(app.outdir)}


def lambda_functions(template: dict[str, Any]) -> list[str]:
    return sorted(k for k, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Function")


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*prefix, i))
    return out


def mutated(base: Any) -> Any:
    """A Hypothesis strategy: ``base`` with one to three values (anywhere in the tree) replaced by arbitrary JSON."""
    from hypothesis import strategies as st

    json_values = st.recursive(
        st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=False) | st.text(max_size=12),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
        max_leaves=6,
    )

    @st.composite
    def strategy(draw: Any) -> Any:
        tree = copy.deepcopy(base)
        for _ in range(draw(st.integers(1, 3))):
            candidates = _paths(tree)[1:]
            if not candidates:
                return draw(json_values)
            path = draw(st.sampled_from(candidates))
            parent = tree
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = draw(json_values)
        return tree

    return strategy()
