"""Write the reference app's rendered Kubernetes manifests into ``manifests/`` (``make manifests``), or check that the
committed copy is what synth renders now (``make manifests-check``, exit 1 with the differences).

The folder is laid out as the ``ManifestDelivery`` writes it: ``manifests/[<stage>/]<cluster>/<Chart>.k8s.yaml`` plus
a ``kustomization.yaml`` per cluster, so it is exactly what an Argo CD ``Application`` (``platform.gitops``) syncs.
The app is synthesized the way the tests synthesize it (``cdk.json`` context, fixed account, region and synth date),
into a temporary cloud assembly; only the YAML is kept.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from eks_platform.testing.manifests import manifest_differences

REPO_ROOT = Path(__file__).resolve().parents[1]
COMMITTED = REPO_ROOT / "manifests"


def render(destination: Path) -> None:
    """Synthesize the reference app and copy every rendered folder to ``destination`` (replacing it)."""
    from eks_platform.constructs.manifests import MANIFESTS_DIRECTORY
    from eks_platform.stacks.app import build_app
    from eks_platform.testing.synth import cdk_json_context, synth_app

    with tempfile.TemporaryDirectory(prefix="eks-platform-manifests-") as outdir:
        synth_app(build_app, outdir=outdir, base_context=cdk_json_context(REPO_ROOT))
        rendered = Path(outdir) / MANIFESTS_DIRECTORY
        if destination.exists():
            shutil.rmtree(destination)
        if rendered.is_dir():
            shutil.copytree(rendered, destination)
        else:
            destination.mkdir(parents=True)


def files_of(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.is_dir() else []


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if manifests/ differs from what synth renders")
    args = parser.parse_args(argv)
    if not args.check:
        render(COMMITTED)
        print(f"wrote {len(files_of(COMMITTED))} files to {COMMITTED.relative_to(REPO_ROOT)}/")
        return 0
    with tempfile.TemporaryDirectory(prefix="eks-platform-manifests-check-") as scratch:
        rendered = Path(scratch) / "manifests"
        render(rendered)
        problems = manifest_differences(COMMITTED, rendered)
    if problems:
        print("manifests/ is out of date: run `make manifests` and commit the result", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    print("manifests/ matches what synth renders")
    return 0


if __name__ == "__main__":
    sys.exit(main())
