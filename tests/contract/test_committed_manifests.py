"""The committed ``manifests/`` folder is what the reference app renders now (the ``make manifests-check`` rule).

If this fails after a change to the reference app or a chart, run `make manifests` and commit the result: the
folder is what an Argo CD Application syncs, so a stale copy would deploy old objects.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from eks_platform.constructs.manifests import MANIFESTS_DIRECTORY
from eks_platform.testing import assert_manifests_current, manifest_differences
from tests.support import REPO_ROOT


@pytest.fixture(scope="module")
def script() -> ModuleType:
    path = REPO_ROOT / "scripts" / "manifests.py"
    spec = importlib.util.spec_from_file_location("eks_platform_manifests_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_committed_manifests_match_what_synth_renders(script: ModuleType, reference_app: Any) -> None:
    rendered = Path(reference_app["app"].outdir) / MANIFESTS_DIRECTORY
    assert script.files_of(rendered), "the reference app rendered no manifests"
    assert_manifests_current(script.COMMITTED, rendered)  # run `make manifests` and commit manifests/ if this fails


def test_the_check_fails_on_a_stale_or_extra_file(script: ModuleType, reference_app: Any, tmp_path: Path) -> None:
    rendered = Path(reference_app["app"].outdir) / MANIFESTS_DIRECTORY
    committed = tmp_path / "manifests"
    for path in script.files_of(rendered):
        target = committed / path.relative_to(rendered)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text())
    assert manifest_differences(committed, rendered) == []
    first = script.files_of(rendered)[0].relative_to(rendered).as_posix()
    (committed / first).write_text("stale\n")
    (committed / "old.k8s.yaml").write_text("kind: Gone\n")
    assert manifest_differences(committed, rendered) == [
        "not rendered any more (delete it): old.k8s.yaml", f"out of date: {first}"]
    with pytest.raises(AssertionError, match=r"old\.k8s\.yaml"):
        assert_manifests_current(committed, rendered)
