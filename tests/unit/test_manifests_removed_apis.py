"""The removed-API table (data/removed_apis.json) against an independent oracle: kubernetes-validate's schemas."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import kubernetes_validate
import pytest

from eks_platform._internal.k8s_api import removal_of, removed_api_problems, removed_apis, replacement_for
from eks_platform._internal.versions import minor_of

SCHEMA_ROOT = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
_META_KINDS = {"DeleteOptions", "Status", "WatchEvent", "APIResourceList", "APIGroup", "APIGroupList", "APIVersions"}


@cache
def served(minor: int) -> frozenset[tuple[str, str]]:
    """(apiVersion, kind) pairs kubernetes-validate has a strict schema for at Kubernetes 1.<minor>."""
    pairs = set()
    for path in (SCHEMA_ROOT / f"v1.{minor}.0-local-strict").glob("*.json"):
        if path.name.startswith("_"):
            continue
        for gvk in json.loads(path.read_text()).get("x-kubernetes-group-version-kind") or []:
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            pairs.add((api_version, gvk["kind"]))
    return frozenset(pairs)


def schema_minors() -> list[int]:
    found = sorted(
        int(m.group(1)) for p in SCHEMA_ROOT.iterdir() if (m := re.match(r"^v1\.(\d+)\.0-local-strict$", p.name))
    )
    return found


def test_kubernetes_validate_ships_schemas_for_every_minor_the_table_covers() -> None:
    assert set(range(25, 38)) <= set(schema_minors())


@pytest.mark.parametrize("minor", range(26, 38))
def test_table_lists_every_beta_or_ga_removal_kubernetes_validate_sees(minor: int) -> None:
    gone = {
        (api_version, kind)
        for api_version, kind in served(minor - 1) - served(minor)
        if "alpha" not in api_version and kind not in _META_KINDS and not kind.endswith("List")
    }
    missing = sorted(pair for pair in gone if removal_of(pair[0], pair[1], minor) is None)
    assert missing == [], f"removed in 1.{minor} but absent from removed_apis.json: {missing}"


@pytest.mark.parametrize("row", [r for r in removed_apis() if r.removed_in_minor >= 26], ids=lambda r: r.api_version)
def test_each_removal_is_served_before_and_gone_from_its_release(row: object) -> None:
    for kind in row.kinds:  # type: ignore[attr-defined]
        minor = row.removed_in_minor  # type: ignore[attr-defined]
        assert (row.api_version, kind) in served(minor - 1)  # type: ignore[attr-defined]
        assert (row.api_version, kind) not in served(minor)  # type: ignore[attr-defined]


@pytest.mark.parametrize("minor", range(25, 36))
def test_every_replacement_is_served_by_the_version_that_needs_it(minor: int) -> None:
    for row in removed_apis():
        if row.removed_in_minor > minor:
            continue
        for kind in row.kinds:
            target = replacement_for(row.api_version, kind, minor)
            if target is not None:
                assert (target, kind) in served(minor), (row.api_version, kind, target)


def test_the_guard_names_the_object_and_the_replacement_on_1_32() -> None:
    objects = [
        {
            "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3",
            "kind": "PriorityLevelConfiguration",
            "metadata": {"name": "batch"},
        },
        {"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1", "kind": "FlowSchema", "metadata": {"name": "old"}},
        {"apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy", "metadata": {"name": "psp"}},
        {"apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "FlowSchema", "metadata": {"name": "fine"}},
    ]
    problems = removed_api_problems(objects, "1.32", where="chart 'x'")
    assert len(problems) == 3
    assert "PriorityLevelConfiguration batch uses apiVersion flowcontrol.apiserver.k8s.io/v1beta3" in problems[0]
    assert "removed in 1.32); use apiVersion flowcontrol.apiserver.k8s.io/v1" in problems[0]
    assert "removed in 1.26); use apiVersion flowcontrol.apiserver.k8s.io/v1" in problems[1]  # v1beta3 is gone too
    assert "Pod Security Admission" in problems[2]


def test_the_guard_follows_the_cluster_version() -> None:
    flow = {"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3", "kind": "FlowSchema", "metadata": {"name": "a"}}
    assert removed_api_problems([flow], "1.31", where="c") == []
    assert len(removed_api_problems([flow], "1.32", where="c")) == 1
    assert replacement_for("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", 1) is None


def test_table_rows_are_well_formed() -> None:
    seen = set()
    for row in removed_apis():
        assert 16 <= minor_of(row.removed_in) <= 37
        assert row.source in ("guide", "schemas")
        assert row.kinds and all(k[:1].isupper() for k in row.kinds)
        for kind in row.kinds:
            key = (row.api_version, kind, row.removed_in)
            assert key not in seen
            seen.add(key)
