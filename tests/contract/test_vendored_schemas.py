"""The schemas in ``tests/schemas`` are present, documented, and strict enough to catch a bad manifest.

The manifest contract tests are only as good as their oracles: these tests show that each oracle rejects the kinds
of mistake a construct could make, and that the repository does not depend on files outside it.
"""

from __future__ import annotations

import copy
import subprocess
from typing import Any

import jsonschema
import pytest

from tests.k8s_support import NODECLASS_SCHEMA, NODEPOOL_CRD, node_class_problems, node_class_schema, nodepool_schema
from tests.support import REPO_ROOT, SCHEMAS_DIR

# The "Basic Node Class Example" of https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html, with the
# node role the Node Class Specification on the same page asks for.
DOCUMENTED_NODE_CLASS: dict[str, Any] = {
    "apiVersion": "eks.amazonaws.com/v1",
    "kind": "NodeClass",
    "metadata": {"name": "private-compute"},
    "spec": {
        "role": "MyNodeRole",
        "subnetSelectorTerms": [{"tags": {"Name": "private-subnet", "kubernetes.io/role/internal-elb": "1"}}],
        "securityGroupSelectorTerms": [{"tags": {"Name": "eks-cluster-sg"}}],
        "ephemeralStorage": {"size": "160Gi"},
    },
}


def with_spec(**changes: Any) -> dict[str, Any]:
    obj = copy.deepcopy(DOCUMENTED_NODE_CLASS)
    obj["spec"].update(changes)
    return obj


def test_every_schema_file_is_described_in_the_readme() -> None:
    readme = (SCHEMAS_DIR / "README.md").read_text(encoding="utf-8")
    for path in (NODEPOOL_CRD, NODECLASS_SCHEMA):
        assert path.is_file(), path
        assert f"`{path.name}`" in readme, f"{path.name} has no row (source, version, license) in the README"
    assert (SCHEMAS_DIR / "LICENSE-Apache-2.0.txt").is_file()
    assert "tests/schemas/karpenter.sh_nodepools.yaml" in (REPO_ROOT / "NOTICE").read_text(encoding="utf-8")


def test_node_class_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(node_class_schema())


def test_node_class_oracle_accepts_the_documented_example() -> None:
    assert node_class_problems(DOCUMENTED_NODE_CLASS) == []


@pytest.mark.parametrize(
    ("obj", "fragment"),
    [
        (with_spec(subnetSelectorTerm=[{"id": "subnet-1"}]), "subnetSelectorTerm"),
        (with_spec(snatPolicy="random"), "snatPolicy"),
        (with_spec(networkPolicy="Deny"), "networkPolicy"),
        (with_spec(subnetSelectorTerms=[{"id": "subnet-1", "tags": {"a": "b"}}]), "subnetSelectorTerms"),
        (with_spec(subnetSelectorTerms=[]), "subnetSelectorTerms"),
        (with_spec(securityGroupSelectorTerms=[{"name": ""}]), "securityGroupSelectorTerms"),
        (with_spec(role="arn:aws:iam::111111111111:role/MyNodeRole"), "role"),
        (with_spec(ephemeralStorage={"iops": 20000}), "ephemeralStorage"),
        (with_spec(ephemeralStorage={"throughput": 100}), "ephemeralStorage"),
        (with_spec(ephemeralStorage={"size": "60000Gi"}), "ephemeralStorage.size"),
        (with_spec(ephemeralStorage={"sizeGi": 80}), "ephemeralStorage"),
        ({**DOCUMENTED_NODE_CLASS, "metadata": {"name": "default"}}, "default"),
        ({**DOCUMENTED_NODE_CLASS, "apiVersion": "eks.amazonaws.com/v1beta1"}, "apiVersion"),
    ],
)
def test_node_class_oracle_rejects(obj: dict[str, Any], fragment: str) -> None:
    problems = node_class_problems(obj)
    assert problems, f"the oracle accepted {obj}"
    assert any(fragment in p for p in problems), problems


def test_node_class_oracle_requires_a_role_or_an_instance_profile() -> None:
    obj = copy.deepcopy(DOCUMENTED_NODE_CLASS)
    del obj["spec"]["role"]
    assert node_class_problems(obj)
    obj["spec"]["instanceProfile"] = "MyNodeProfile"
    assert node_class_problems(obj) == []


def test_nodepool_schema_rejects_unknown_fields() -> None:
    pool = {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": "batch"},
        "spec": {
            "template": {
                "spec": {
                    "nodeClassRef": {"group": "eks.amazonaws.com", "kind": "NodeClass", "name": "default"},
                    "requirements": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["arm64"]}],
                }
            }
        },
    }
    validator = jsonschema.Draft202012Validator(nodepool_schema())
    validator.validate(pool)
    pool["spec"]["template"]["spec"]["nodeClassReference"] = pool["spec"]["template"]["spec"]["nodeClassRef"]
    assert not validator.is_valid(pool)


def test_no_tracked_file_points_outside_the_repository() -> None:
    try:
        tracked = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True, text=True
        ).stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    outside = ("../" + "shared", "/" + "work/")  # split so this file does not match itself
    offenders = []
    for name in filter(None, tracked):
        path = REPO_ROOT / name
        if not path.is_file() or path.suffix in (".png", ".whl"):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        offenders += [f"{name}: {marker}" for marker in outside if marker in text]
    assert offenders == [], "tracked files that read or cite paths outside the repository:\n" + "\n".join(offenders)
