"""The distribution: `python -m build` makes an sdist and a wheel that carry everything an importing app needs.

Builds once per module into a temporary directory (about 4 s: build's isolated environment installs setuptools from
the package index, then sdist, then the wheel from the sdist, exactly as `make wheel` does).
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from tests.support import REPO_ROOT

PACKAGE_DIR = REPO_ROOT / "eks_platform"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    outdir = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(outdir), str(REPO_ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheels = sorted(outdir.glob("*.whl"))
    sdists = sorted(outdir.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in outdir.iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0]}


@pytest.fixture(scope="module")
def wheel_names(dist: dict[str, Path]) -> set[str]:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        return set(wheel.namelist())


@pytest.fixture(scope="module")
def wheel_metadata(dist: dict[str, Path], wheel_names: set[str]) -> dict[str, Any]:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        (metadata_name,) = [n for n in wheel_names if n.endswith(".dist-info/METADATA")]
        (entry_points_name,) = [n for n in wheel_names if n.endswith(".dist-info/entry_points.txt")]
        metadata = Parser().parsestr(wheel.read(metadata_name).decode())
        entry_points = wheel.read(entry_points_name).decode()
    return {"metadata": metadata, "entry_points": entry_points}


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


def _source_files(pattern: str) -> set[str]:
    paths = PACKAGE_DIR.rglob(pattern)
    return {path.relative_to(REPO_ROOT).as_posix() for path in paths if "__pycache__" not in path.parts}


def test_wheel_contains_py_typed(wheel_names: set[str]) -> None:
    assert "eks_platform/py.typed" in wheel_names


def test_wheel_contains_every_data_table(wheel_names: set[str]) -> None:
    tables = _source_files("_internal/data/*.json") | _source_files("_internal/data/*.yaml")
    assert tables, "no data tables found in the source tree"
    assert tables - wheel_names == set()


def test_wheel_contains_every_module(wheel_names: set[str]) -> None:
    assert _source_files("*.py") - wheel_names == set()


def test_wheel_ships_no_tests_examples_or_scripts(wheel_names: set[str]) -> None:
    top_level = {name.split("/", 1)[0] for name in wheel_names}
    assert {entry for entry in top_level if not entry.endswith(".dist-info")} == {"eks_platform"}


def test_wheel_registers_the_pytest_plugin(wheel_metadata: dict[str, Any]) -> None:
    lines = [line.strip() for line in wheel_metadata["entry_points"].splitlines()]
    section = lines[lines.index("[pytest11]") + 1 :]
    assert "eks_platform = eks_platform.testing.plugin" in section


def test_wheel_requires_exactly_the_pinned_dependencies(wheel_metadata: dict[str, Any]) -> None:
    requires = wheel_metadata["metadata"].get_all("Requires-Dist") or []
    runtime = sorted(str(Requirement(r)) for r in requires if "extra ==" not in r)
    assert runtime == sorted(str(Requirement(d)) for d in _pyproject()["project"]["dependencies"])
    assert "testing" in (wheel_metadata["metadata"].get_all("Provides-Extra") or [])


def test_testing_extra_pins_match_the_dev_pins() -> None:
    extras = _pyproject()["project"]["optional-dependencies"]
    assert set(extras["testing"]) <= set(extras["dev"]), "the testing extra must use the same pins as dev"


def test_sdist_contains_readme_pyproject_and_data_tables(dist: dict[str, Path]) -> None:
    with tarfile.open(dist["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    expected = {"README.md", "pyproject.toml", "eks_platform/py.typed"} | _source_files("_internal/data/*.json")
    assert expected - names == set()
