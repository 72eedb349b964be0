"""scripts/refresh_addons.py, offline against the checked-in describe-addon-versions sample."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests import support

SAMPLE = support.REPO_ROOT / "tests" / "data" / "describe-addon-versions-1.32.json"
CATALOG = support.REPO_ROOT / "eks_platform" / "_internal" / "data" / "addons.json"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("refresh_addons", support.REPO_ROOT / "scripts" / "refresh_addons.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def refreshed(script: ModuleType) -> tuple[dict[str, Any], list[str]]:
    catalog = json.loads(CATALOG.read_text())
    sample = json.loads(SAMPLE.read_text())
    result: tuple[dict[str, Any], list[str]] = script.refresh(
        catalog, {"1.32": ("sample.json", sample)}, today="2026-11-27"
    )
    return result


def test_default_version_for_the_minor_is_pinned(refreshed: tuple[dict[str, Any], list[str]]) -> None:
    # The sample marks v0.8.0-eksbuild.9 as 1.32's default, although v0.8.1-eksbuild.1 is newer (default for 1.33).
    pin = refreshed[0]["addons"]["metrics-server"]["versions"]["1.32"]
    assert pin == {
        "version": "v0.8.0-eksbuild.9",
        "basis": "describe-addon-versions",
        "source": "aws eks describe-addon-versions --kubernetes-version 1.32 (sample.json, 2026-11-27)",
    }


def test_newest_compatible_version_is_used_when_none_is_default(refreshed: tuple[dict[str, Any], list[str]]) -> None:
    # eksbuild.10 > eksbuild.9 numerically, not as text.
    assert refreshed[0]["addons"]["kube-proxy"]["versions"]["1.32"]["version"] == "v1.32.13-eksbuild.10"


def test_a_new_pin_closes_the_gap(refreshed: tuple[dict[str, Any], list[str]]) -> None:
    entry = refreshed[0]["addons"]["external-dns"]
    assert entry["versions"]["1.32"]["version"] == "v0.19.0-eksbuild.3"  # the malformed version string is skipped
    assert "1.32" not in entry["gaps"]


def test_owner_mismatch_is_reported(refreshed: tuple[dict[str, Any], list[str]]) -> None:
    assert any("external-dns: owner is 'aws'" in line for line in refreshed[1])


def test_addon_without_a_compatible_version_keeps_its_state(refreshed: tuple[dict[str, Any], list[str]]) -> None:
    before = json.loads(CATALOG.read_text())["addons"]["fluent-bit"]
    assert refreshed[0]["addons"]["fluent-bit"] == before
    assert any("fluent-bit: no version compatible with 1.32" in line for line in refreshed[1])


def test_addon_missing_from_the_output_is_kept_and_reported(refreshed: tuple[dict[str, Any], list[str]]) -> None:
    before = json.loads(CATALOG.read_text())["addons"]["cert-manager"]
    assert refreshed[0]["addons"]["cert-manager"] == before
    assert any(line.startswith("1.32 cert-manager: not in sample.json") for line in refreshed[1])


def test_addons_outside_the_catalog_are_ignored(refreshed: tuple[dict[str, Any], list[str]]) -> None:
    assert "example-vendor_example-agent" not in refreshed[0]["addons"]


def test_refresh_is_idempotent(script: ModuleType, refreshed: tuple[dict[str, Any], list[str]]) -> None:
    sample = json.loads(SAMPLE.read_text())
    again, report = script.refresh(refreshed[0], {"1.32": ("sample.json", sample)}, today="2026-11-27")
    assert again == refreshed[0]
    assert not [line for line in report if "->" in line]


def test_a_new_minor_is_added_with_gaps_for_unpinned_addons(script: ModuleType) -> None:
    catalog = json.loads(CATALOG.read_text())
    sample = json.loads(SAMPLE.read_text())
    sample_136 = json.loads(json.dumps(sample).replace('"1.32"', '"1.36"'))
    new, report = script.refresh(catalog, {"1.36": ("x.json", sample_136)}, today="2026-11-27")
    assert new["minors"][-1] == "1.36"
    assert new["addons"]["metrics-server"]["versions"]["1.36"]["version"] == "v0.8.0-eksbuild.9"
    assert "1.36" in new["addons"]["coredns"]["gaps"]
    assert "new minor 1.36" in report


def test_refreshed_catalog_still_loads(script: ModuleType, refreshed: tuple[dict[str, Any], list[str]]) -> None:
    from eks_platform._internal import addons as cat

    entries = cat.parse_catalog(json.loads(script.render(refreshed[0])))
    assert entries["metrics-server"].pins["1.32"].version == "v0.8.0-eksbuild.9"


def test_main_is_a_dry_run_unless_asked_to_write(script: ModuleType, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "addons.json"
    target.write_text(CATALOG.read_text())
    assert script.main(["--catalog", str(target), "--today", "2026-11-27", f"1.32={SAMPLE}"]) == 0
    assert target.read_text() == CATALOG.read_text()
    assert "metrics-server: v0.8.0-eksbuild.6 -> v0.8.0-eksbuild.9" in capsys.readouterr().out
    script.main(["--catalog", str(target), "--today", "2026-11-27", "--write", f"1.32={SAMPLE}"])
    assert json.loads(target.read_text())["addons"]["metrics-server"]["versions"]["1.32"]["version"] == (
        "v0.8.0-eksbuild.9"
    )


def test_main_rejects_a_malformed_argument(script: ModuleType) -> None:
    with pytest.raises(SystemExit):
        script.main(["describe.json"])


def test_non_describe_output_is_rejected(script: ModuleType) -> None:
    with pytest.raises(ValueError, match="no 'addons' list"):
        script.index_output({"clusters": []})
