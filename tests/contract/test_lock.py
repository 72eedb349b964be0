"""requirements.lock (what `make setup` installs) fits pyproject.toml, and the floor script refuses unbounded ranges."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from types import ModuleType
from typing import Any

import pytest
from packaging.requirements import Requirement

from tests.support import REPO_ROOT

LOCK = REPO_ROOT / "requirements.lock"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"eks_platform_{name}", REPO_ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def check_lock() -> ModuleType:
    return _script("check_lock")


@pytest.fixture(scope="module")
def floor_constraints() -> ModuleType:
    return _script("floor_constraints")


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


def test_every_declared_requirement_is_locked_inside_its_range(check_lock: ModuleType) -> None:
    assert check_lock.lock_problems(_pyproject(), LOCK.read_text()) == []


def test_a_requirement_missing_from_the_lock_or_locked_outside_its_range_is_reported(check_lock: ModuleType) -> None:
    pyproject = _pyproject()
    pyproject["project"]["dependencies"] = [*pyproject["project"]["dependencies"], "not-locked-anywhere>=1,<2"]
    lock = re.sub(r"^aws-cdk-lib==\S+", "aws-cdk-lib==3.0.0", LOCK.read_text(), flags=re.MULTILINE)
    problems = check_lock.lock_problems(pyproject, lock)
    assert problems == [
        "aws-cdk-lib==3.0.0 is locked, outside the declared '<3.0.0,>=2.269.0'",
        "not-locked-anywhere is declared in pyproject.toml but not locked",
    ]


def test_lock_pins_exact_versions_with_hashes_and_is_made_by_make_lock(check_lock: ModuleType) -> None:
    text = LOCK.read_text()
    assert "#    make lock" in text.splitlines()[1]
    pins = check_lock.locked_versions(text)
    blocks = re.split(r"\n(?=[A-Za-z])", text.split("\n", 2)[2])
    assert len(blocks) == len(pins)
    assert all("--hash=sha256:" in block for block in blocks)
    # the set-up installs uv from the lock before anything else
    assert "uv" in pins


def test_lock_reproduces_the_snapshotted_toolchain(check_lock: ModuleType) -> None:
    # Snapshots and asset hashes were recorded with these; changing one is a reviewed `make lock-upgrade`.
    pins = check_lock.locked_versions(LOCK.read_text())
    assert {k: pins[k] for k in ("aws-cdk-lib", "constructs", "cdk8s", "cdk-nag", "jsii")} == {
        "aws-cdk-lib": "2.275.0",
        "constructs": "10.8.1",
        "cdk8s": "2.70.115",
        "cdk-nag": "3.0.2",
        "jsii": "1.142.0",
    }


def test_floors_need_a_lower_bound_and_a_ceiling(floor_constraints: ModuleType) -> None:
    found, problems = floor_constraints.floors(
        [Requirement("a>=1.2,<2"), Requirement("b>=1"), Requirement("c<3"), Requirement("d==1.0")]
    )
    assert found == {"a": "1.2"}
    assert [p.split(":")[0] for p in problems] == ["b>=1", "c<3", "d==1.0"]
