"""The README's Python blocks type-check: ``mypy --strict`` over every block the README example test runs.

The same run checks a snippet of the typed seams around ``AutoModeCluster`` (``SEAMS``).

All blocks go to one temporary directory (one module each) and are checked by a single mypy run with the
repository's configuration (``pyproject.toml``), so an example that only works through ``Any`` or a cast fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.contract.test_readme_examples import BLOCKS
from tests.support import REPO_ROOT

#: The typed seams around the cluster, checked in the same mypy run: each peer takes the platform cluster or its
#: aws_eks_v2 cluster, and the add_* helpers return their concrete constructs.
SEAMS = """
import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks

from eks_platform import (
    AddonName, AutoModeCluster, ManagedAddon, ManifestDelivery, PodIdentity, SharedPodIdentityRole,
)

stack = cdk.Stack(cdk.App(), "Seams")
auto = AutoModeCluster(stack, "Cluster")
for target in (auto, auto.cluster):
    PodIdentity(stack, f"P{id(target)}", cluster=target, namespace="apps", service_account="web")
    SharedPodIdentityRole(stack, f"S{id(target)}", cluster=target, bindings=[("apps", "web")])
    ManagedAddon(stack, f"A{id(target)}", cluster=target, name=AddonName.METRICS_SERVER, kubernetes_version="1.32")
binding: PodIdentity = auto.add_pod_identity("apps", "api")
addon: ManagedAddon = auto.add_addon(AddonName.CERT_MANAGER, hosted_zone_ids=["Z1D633PJN98FT9"])
delivery: ManifestDelivery = auto.add_manifest_delivery()
imported: eks.ICluster = eks.Cluster.from_cluster_attributes(stack, "Imported", cluster_name="x")
PodIdentity(stack, "Imported", cluster=imported, namespace="apps", service_account="web")
"""


def _module_name(index: int, block_id: str) -> str:
    safe = "".join(c if c.isalnum() else "_" for c in block_id).strip("_").lower()
    return f"readme_{index:02d}_{safe}"[:80]


def test_readme_python_blocks_pass_mypy_strict(tmp_path: Path) -> None:
    files: dict[str, str] = {}
    for index, (block_id, code) in enumerate(BLOCKS):
        path = tmp_path / f"{_module_name(index, block_id)}.py"
        path.write_text(code, encoding="utf-8")
        files[path.name] = block_id
    (tmp_path / "typed_seams.py").write_text(SEAMS, encoding="utf-8")
    files["typed_seams.py"] = "(typed seams)"
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy",
            "--config-file", str(REPO_ROOT / "pyproject.toml"),
            "--strict",
            "--no-error-summary",
            "--cache-dir", str(REPO_ROOT / ".mypy_cache"),
            *sorted(str(tmp_path / name) for name in files),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = result.stdout.replace(str(tmp_path) + "/", "")
    for name, block_id in files.items():
        report = report.replace(name, f"README block {block_id}")
    assert result.returncode == 0, f"mypy --strict fails on README python blocks:\n{report}{result.stderr}"
