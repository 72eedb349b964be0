"""The distribution: `python -m build` makes an sdist and a wheel that carry everything an importing app needs.

Builds once per module into a temporary directory (about 4 s: build's isolated environment installs setuptools from
the package index, then sdist, then the wheel from the sdist, exactly as `make wheel` does).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
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
from packaging.utils import canonicalize_name
from packaging.version import Version

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


def _requires(wheel_metadata: dict[str, Any], extra: str | None = None) -> list[Requirement]:
    requirements = [Requirement(r) for r in wheel_metadata["metadata"].get_all("Requires-Dist") or []]
    if extra is None:
        return [r for r in requirements if r.marker is None]
    return [r for r in requirements if r.marker is not None and r.marker.evaluate({"extra": extra})]


def test_wheel_requires_the_declared_runtime_dependencies(wheel_metadata: dict[str, Any]) -> None:
    runtime = sorted(str(r) for r in _requires(wheel_metadata))
    assert runtime == sorted(str(Requirement(d)) for d in _pyproject()["project"]["dependencies"])
    assert "testing" in (wheel_metadata["metadata"].get_all("Provides-Extra") or [])


def _locked_versions() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("eks_platform_check_lock", REPO_ROOT / "scripts" / "check_lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    versions: dict[str, str] = module.locked_versions((REPO_ROOT / "requirements.lock").read_text())
    return versions


@pytest.mark.parametrize("extra", [None, "testing"])
def test_what_a_team_app_inherits_is_a_range_from_a_floor_to_the_next_major(
    wheel_metadata: dict[str, Any], extra: str | None
) -> None:
    # An exact pin (==) makes pip refuse every team app on another release; the exact versions live in the lock.
    # The floor is what `make example-test-lowest` tests; the lock is the newest tested, and the ceiling is the
    # next major after it.
    locked = _locked_versions()
    for requirement in _requires(wheel_metadata, extra):
        operators = {spec.operator: spec.version for spec in requirement.specifier}
        assert set(operators) == {">=", "<"}, f"{requirement}: want '>=floor,<next major'"
        newest = Version(locked[canonicalize_name(requirement.name)])
        assert Version(operators[">="]) <= newest, requirement
        next_major = Version(f"{newest.major + 1}.0.0") if newest.major else Version(f"0.{newest.minor + 1}.0")
        assert Version(operators["<"]) == next_major, f"{requirement}: the next major after the lock's {newest}"


def test_the_dev_extra_contains_the_testing_extra() -> None:
    assert "cdk-eks-platform[testing]" in _pyproject()["project"]["optional-dependencies"]["dev"]


def test_wheel_carries_license_files_urls_and_classifiers(
    wheel_metadata: dict[str, Any], wheel_names: set[str]
) -> None:
    metadata = wheel_metadata["metadata"]
    assert metadata["License-Expression"] == "Apache-2.0"
    assert sorted(metadata.get_all("License-File") or []) == ["LICENSE", "NOTICE"]
    assert {n.rsplit("/", 1)[-1] for n in wheel_names if ".dist-info/licenses/" in n} == {"LICENSE", "NOTICE"}
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert {"Homepage", "Repository", "Issues", "Changelog", "Documentation"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())
    classifiers = set(metadata.get_all("Classifier") or [])
    assert {"Typing :: Typed", "Programming Language :: Python :: 3.11", "Framework :: AWS CDK :: 2"} <= classifiers
    assert metadata["Author"]


def test_license_is_the_apache_2_0_text() -> None:
    text = (REPO_ROOT / "LICENSE").read_text()
    assert hashlib.md5(text.encode(), usedforsecurity=False).hexdigest() == "3b83ef96387f14655fc854ddc3c6bd57"


def test_long_description_links_and_images_resolve_outside_the_repository(wheel_metadata: dict[str, Any]) -> None:
    # The README is the registry page: a relative link or image (docs/architecture.png) would not resolve there.
    description = wheel_metadata["metadata"].get_payload()
    targets = re.findall(r"!?\[[^\]]*\]\(([^)\s]+)\)", description)
    assert targets, "no links found in the long description"
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#", "mailto:"))]
    assert relative == []


def test_sdist_contains_readme_pyproject_and_data_tables(dist: dict[str, Path]) -> None:
    with tarfile.open(dist["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    expected = {"README.md", "pyproject.toml", "eks_platform/py.typed"} | _source_files("_internal/data/*.json")
    assert expected - names == set()


def test_version_is_the_newest_changelog_release(wheel_metadata: dict[str, Any]) -> None:
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", (REPO_ROOT / "CHANGELOG.md").read_text(),
                          re.MULTILINE)
    assert releases, "CHANGELOG.md has no release entry, only Unreleased"
    assert releases[0][0] == _pyproject()["project"]["version"] == wheel_metadata["metadata"]["Version"]
