"""Check that a committed manifests folder is what synth renders: the discipline that makes rendered YAML safe to
hand to a GitOps tool (a stale copy would deploy old objects).

Use it in your app's tests: synthesize into a temporary cloud assembly (``synth_app``), then compare the delivery's
folder with the committed one::

    result = synth_app(build, outdir=tmp_path, base_context=cdk_json_context("."))
    assert_manifests_current("manifests", tmp_path / "manifests")
"""

from __future__ import annotations

import os
from pathlib import Path


def _files(directory: Path) -> dict[str, str]:
    if not directory.is_dir():
        return {}
    return {
        path.relative_to(directory).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def manifest_differences(committed: str | os.PathLike[str], rendered: str | os.PathLike[str]) -> list[str]:
    """What differs between two manifest folders, one line per file (empty when they are identical)."""
    have, want = _files(Path(committed)), _files(Path(rendered))
    name = Path(committed).name
    lines = [f"missing from {name}/: {path}" for path in sorted(set(want) - set(have))]
    lines += [f"not rendered any more (delete it): {path}" for path in sorted(set(have) - set(want))]
    lines += [f"out of date: {path}" for path in sorted(set(want) & set(have)) if want[path] != have[path]]
    return lines


def assert_manifests_current(committed: str | os.PathLike[str], rendered: str | os.PathLike[str]) -> None:
    """Fail (``AssertionError``) listing every file that differs between the committed and the rendered folder."""
    problems = manifest_differences(committed, rendered)
    assert not problems, (
        f"{committed} differs from what synth renders; write the rendered folder there and commit it:\n  "
        + "\n  ".join(problems)
    )
