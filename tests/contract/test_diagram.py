"""The committed architecture diagram (docs/architecture.dot) is the one the current reference app gives.

If this fails after a change to the reference app, run `make diagram` (needs Graphviz) and commit both
docs/architecture.dot and docs/architecture.png.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest

from tests.support import REPO_ROOT


@pytest.fixture(scope="module")
def diagram() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eks_platform_diagram_script", REPO_ROOT / "scripts" / "diagram.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated_dot(diagram: ModuleType, reference_app: Any, reference_templates: dict[str, Any]) -> str:
    text: str = diagram.architecture_dot(diagram.resources_of_app(reference_app["app"], reference_templates))
    return text


def test_committed_diagram_source_is_current(diagram: ModuleType, generated_dot: str) -> None:
    committed = diagram.DOT_PATH.read_text(encoding="utf-8")
    assert committed == generated_dot, "docs/architecture.dot is out of date: run `make diagram` and commit the result"


def test_committed_image_was_rendered_from_the_committed_source(diagram: ModuleType) -> None:
    stamp = diagram.png_stamp(diagram.PNG_PATH)
    assert stamp == diagram.dot_digest(diagram.DOT_PATH.read_text(encoding="utf-8")), (
        "docs/architecture.png was not rendered from docs/architecture.dot: run `make diagram` and commit both"
    )


def test_png_stamp_round_trips(diagram: ModuleType, tmp_path: Any) -> None:
    png = tmp_path / "copy.png"
    png.write_bytes(diagram.PNG_PATH.read_bytes())
    diagram.stamp_png(png, "0" * 64)
    diagram.stamp_png(png, "1" * 64)
    assert diagram.png_stamp(png) == "1" * 64
    chunks = list(diagram._png_chunks(png.read_bytes()))
    stamps = [body for kind, body in chunks if kind == b"tEXt" and body.startswith(b"eks-platform-dot-sha256\0")]
    assert (chunks[0][0], chunks[-1][0], len(stamps)) == (b"IHDR", b"IEND", 1)


def test_every_resource_of_the_reference_app_is_drawn(
    diagram: ModuleType, reference_app: Any, reference_templates: dict[str, Any]
) -> None:
    resources = diagram.resources_of_app(reference_app["app"], reference_templates)
    units, _ = diagram.build_units(resources)
    drawn = {(member.stack, member.logical_id) for unit in units.values() for member in unit.members}
    expected = {(stack, logical_id) for stack, t in reference_templates.items() for logical_id in t["Resources"]}
    assert drawn == expected


def test_diagram_summarises_instead_of_drawing_every_resource(
    reference_templates: dict[str, Any], generated_dot: str
) -> None:
    boxes = generated_dot.count("[label=")
    resources = sum(len(t["Resources"]) for t in reference_templates.values())
    assert boxes < resources / 2, f"{boxes} boxes for {resources} resources: group more"


def test_every_cluster_is_labelled_with_its_name_and_version(
    reference_templates: dict[str, Any], generated_dot: str
) -> None:
    for template in reference_templates.values():
        for resource in template["Resources"].values():
            if resource["Type"] == "AWS::EKS::Cluster":
                props = resource["Properties"]
                assert f"EKS cluster {props['Name']}\\nKubernetes {props['Version']}" in generated_dot
