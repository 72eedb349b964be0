"""The checked-in add-on catalog: exhaustive over its minors, honest about its evidence, consistent with the facts."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from eks_platform._internal import addons as cat
from eks_platform._internal.versions import supported_versions
from eks_platform.constructs.addons import AddonName

DATA = Path(cat.__file__).parent / "data" / "addons.json"
RAW: dict[str, Any] = json.loads(DATA.read_text())
ADDONS: dict[str, Any] = RAW["addons"]
_VERSION = re.compile(r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")
_MINOR = re.compile(r"^1\.(\d+)$")


def _version_key(version: str) -> tuple[int, int, int, int]:
    return cat.version_key(version)


def _minor_number(minor: str) -> int:
    match = _MINOR.match(minor)
    assert match, minor
    return int(match.group(1))


def _refresh_script() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "scripts" / "refresh_addons.py"
    spec = importlib.util.spec_from_file_location("refresh_addons", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalog_covers_the_supported_community_and_aws_add_ons() -> None:
    community = {
        "metrics-server", "kube-state-metrics", "prometheus-node-exporter", "cert-manager", "external-dns",
        "fluent-bit", "sriov-network-metrics-exporter",
    }
    aws = {
        "eks-pod-identity-agent", "aws-ebs-csi-driver", "snapshot-controller", "amazon-cloudwatch-observability",
        "coredns", "kube-proxy", "vpc-cni", "adot", "aws-guardduty-agent",
        "aws-efs-csi-driver", "aws-mountpoint-s3-csi-driver", "aws-fsx-csi-driver",
    }
    assert {n for n, a in ADDONS.items() if a["owner"] == "community"} == community
    assert {n for n, a in ADDONS.items() if a["owner"] == "aws"} == aws


def test_addon_name_enum_matches_the_catalog() -> None:
    assert {m.value for m in AddonName} == set(ADDONS)


def test_catalog_minors_are_supported_eks_versions() -> None:
    assert RAW["minors"] == sorted(RAW["minors"], key=_minor_number)
    assert set(RAW["minors"]) <= set(supported_versions())
    assert "1.32" in RAW["minors"]


@pytest.mark.parametrize("name", sorted(ADDONS))
def test_every_minor_has_a_pin_or_a_declared_gap(name: str) -> None:
    # Exhaustiveness: a catalog minor without a pin must be declared (with its reason) as a gap, so an add-on can
    # never silently lack a version; a pin and a gap for the same minor would contradict each other.
    entry = ADDONS[name]
    for minor in RAW["minors"]:
        has_pin = minor in entry["versions"]
        has_gap = minor in entry["gaps"]
        assert has_pin != has_gap, f"{name} {minor}: pin={has_pin} gap={has_gap}"
        if has_gap:
            assert entry["gaps"][minor].strip(), f"{name} {minor}: a gap needs its reason"
    assert set(entry["versions"]) | set(entry["gaps"]) <= set(RAW["minors"])


def test_the_reference_defaults_are_pinned_for_1_32_or_fall_back_to_the_eks_default() -> None:
    # A pin needs a source that ties the build to 1.32; without one the add-on is created without AddonVersion.
    for name in ("metrics-server", "kube-state-metrics"):
        assert ADDONS[name]["versions"]["1.32"]["basis"] != "inferred", name
    for name in ("prometheus-node-exporter", "cert-manager"):
        assert "1.32" not in ADDONS[name]["versions"], name
        assert "EKS's default version" in ADDONS[name]["gaps"]["1.32"], name


# Minimum versions of the add-ons validated on hybrid nodes, transcribed from the EKS user guide
# (https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-add-ons.html, "... and above").
UG_HYBRID_MINIMUMS = {
    "kube-proxy": "v1.25.14-eksbuild.2", "coredns": "v1.9.3-eksbuild.7", "adot": "v0.102.1-eksbuild.2",
    "amazon-cloudwatch-observability": "v2.2.1-eksbuild.1", "eks-pod-identity-agent": "v1.3.3-eksbuild.1",
    "snapshot-controller": "v8.1.0-eksbuild.1", "metrics-server": "v0.7.2-eksbuild.1",
    "cert-manager": "v1.17.2-eksbuild.1", "prometheus-node-exporter": "v1.9.1-eksbuild.2",
    "kube-state-metrics": "v2.15.0-eksbuild.4", "external-dns": "v0.19.0-eksbuild.1",
}


def test_hybrid_minimums_are_the_user_guides() -> None:
    found = {n: a["hybrid_min"]["version"] for n, a in ADDONS.items() if "hybrid_min" in a}
    assert found == UG_HYBRID_MINIMUMS
    for name, entry in ADDONS.items():
        if "hybrid_min" in entry:
            assert entry["hybrid"], f"{name} has a hybrid minimum but is not marked hybrid-compatible"
            assert entry["hybrid_min"]["source"] in RAW["sources"], name


@pytest.mark.parametrize("name", sorted(UG_HYBRID_MINIMUMS))
def test_no_pin_is_below_the_hybrid_minimum(name: str) -> None:
    # The reference hybrid stack installs catalog pins: one below the minimum would be refused at synth.
    minimum = _version_key(UG_HYBRID_MINIMUMS[name])
    for minor, pin in ADDONS[name]["versions"].items():
        assert _version_key(pin["version"]) >= minimum, (name, minor, pin["version"])


def test_webhook_and_apiservice_addons_are_recorded_for_hybrid_placement() -> None:
    # EKS user guide hybrid-nodes-webhooks / hybrid-nodes-add-ons: cert-manager and ADOT serve admission webhooks,
    # metrics-server the metrics.k8s.io APIService, the CloudWatch agent's operator webhooks (not configurable).
    placement = {n: a["hybrid_placement"]["kind"] for n, a in ADDONS.items() if "hybrid_placement" in a}
    assert placement == {"cert-manager": "cloud", "metrics-server": "cloud", "adot": "cloud",
                         "amazon-cloudwatch-observability": "manual", "coredns": "spread"}
    assert ADDONS["cert-manager"]["hybrid_placement"]["affinity_paths"] == [
        "affinity", "webhook.affinity", "cainjector.affinity", "startupapicheck.affinity"]
    assert ADDONS["cert-manager"]["hybrid_placement"]["webhook_ports"] == [10250]
    assert ADDONS["metrics-server"]["hybrid_placement"]["webhook_ports"] == [10251]
    for name, entry in ADDONS.items():
        if "hybrid_placement" in entry:
            for source in entry["hybrid_placement"]["source"].split(" + "):
                assert source in RAW["sources"], (name, source)


def test_gaps_are_reported_in_full() -> None:
    # The honest inventory of what is not pinned (also listed in the README): changing it is a reviewed change.
    gaps = {(n, m) for n, a in ADDONS.items() for m in a["gaps"]}
    assert {("external-dns", "1.32"), ("adot", "1.34"), ("amazon-cloudwatch-observability", "1.35")} <= gaps
    for name in ("fluent-bit", "sriov-network-metrics-exporter"):
        assert {(name, m) for m in RAW["minors"]} <= gaps, name


@pytest.mark.parametrize("name", sorted(ADDONS))
def test_every_pin_names_a_valid_version_basis_and_source(name: str) -> None:
    for minor, pin in ADDONS[name]["versions"].items():
        assert _VERSION.match(pin["version"]), (name, minor, pin["version"])
        assert pin["basis"] in RAW["bases"], (name, minor)
        for source in pin["source"].split(" + "):
            assert source in RAW["sources"], (name, minor, source)
        if pin["basis"] == "inferred":
            assert pin.get("note"), f"{name} {minor}: an inferred pin must explain itself"


@pytest.mark.parametrize("name", sorted(ADDONS))
def test_bracketed_pins_are_really_bracketed(name: str) -> None:
    # "bracketed" claims the same build is evidenced for a lower and a higher minor: check the claim.
    pins = ADDONS[name]["versions"]
    for minor, pin in pins.items():
        if pin["basis"] != "bracketed":
            continue
        evidenced = [m for m, p in pins.items() if p["version"] == pin["version"] and p["basis"] != "bracketed"]
        lower = [m for m in evidenced if _minor_number(m) < _minor_number(minor)]
        higher = [m for m in evidenced if _minor_number(m) > _minor_number(minor)]
        assert lower and higher, f"{name} {minor}: {pin['version']} is not evidenced on both sides"


def test_kube_proxy_pins_follow_the_cluster_minor() -> None:
    # kube-proxy is built per Kubernetes minor: its pin must carry the same minor.
    for minor, pin in ADDONS["kube-proxy"]["versions"].items():
        assert pin["version"].startswith(f"v{minor}."), (minor, pin)


def test_auto_mode_built_ins_are_the_documented_five() -> None:
    # EKS user guide, "Considerations for Amazon EKS Auto Mode": https://docs.aws.amazon.com/eks/latest/userguide/automode.html
    built_in = {n for n, a in ADDONS.items() if a["auto_mode_builtin"]}
    assert built_in == {"vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver", "eks-pod-identity-agent"}


def test_hybrid_compatibility_follows_the_user_guide() -> None:
    hybrid = {n for n, a in ADDONS.items() if a["hybrid"]}
    assert {"kube-proxy", "coredns", "adot", "amazon-cloudwatch-observability", "eks-pod-identity-agent",
            "snapshot-controller", "metrics-server", "cert-manager", "prometheus-node-exporter",
            "kube-state-metrics", "external-dns"} == hybrid
    assert not ADDONS["vpc-cni"]["hybrid"]


def test_community_addons_are_limited_to_the_aws_partition() -> None:
    for name, entry in ADDONS.items():
        if entry["owner"] == "community":
            assert entry["partitions"] == ["aws"], name


def test_iam_settings_are_consistent() -> None:
    for name, entry in ADDONS.items():
        iam = entry["iam"]
        assert iam["kind"] in cat.IAM_KINDS, name
        if iam["kind"] in ("required", "optional"):
            assert entry["service_account"], f"{name}: IAM needs a service account"
            assert iam.get("policy") or iam.get("managed_policies"), name
    assert ADDONS["external-dns"]["iam"] == {"kind": "required", "policy": "route53-zones", "association": "addon"}
    assert ADDONS["cert-manager"]["iam"]["association"] == "standalone"


def test_namespaces_and_service_accounts_follow_the_community_addons_page() -> None:
    expected = {
        "metrics-server": ("kube-system", None),
        "kube-state-metrics": ("kube-state-metrics", None),
        "prometheus-node-exporter": ("prometheus-node-exporter", None),
        "external-dns": ("external-dns", "external-dns"),
        "fluent-bit": ("fluent-bit", "fluent-bit"),
        "sriov-network-metrics-exporter": ("monitoring", None),
    }
    for name, (namespace, account) in expected.items():
        assert (ADDONS[name]["namespace"], ADDONS[name]["service_account"]) == (namespace, account)


def test_typed_catalog_mirrors_the_file() -> None:
    typed = cat.catalog()
    for name, entry in ADDONS.items():
        assert {m: p.version for m, p in typed[name].pins.items()} == {
            m: p["version"] for m, p in entry["versions"].items()
        }


def test_catalog_file_is_in_the_refresh_script_format() -> None:
    # So `scripts/refresh_addons.py --write` produces diffs with real changes only.
    assert DATA.read_text() == _refresh_script().render(RAW)


def test_readme_table_matches_the_catalog() -> None:
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Add-on catalog\n(?P<body>.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert section, "README has no '## Add-on catalog' section"
    rows = {}
    for line in section.group("body").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells
    assert set(rows) == set(ADDONS)
    yes_no = {"yes": True, "no": False}
    for name, (_, owner, _iam, built_in, hybrid, pinned) in rows.items():
        entry = ADDONS[name]
        assert owner == entry["owner"], name
        assert yes_no[built_in] == entry["auto_mode_builtin"], name
        assert yes_no[hybrid] == entry["hybrid"], name
        pin = entry["versions"].get("1.32")
        if pin is None:
            assert pinned.startswith(("none", "EKS default")), name
        else:
            assert pinned.split()[0].strip("`") == pin["version"], name
            assert ("(inferred)" in pinned) == (pin["basis"] == "inferred"), name
