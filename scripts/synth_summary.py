"""Print a short summary of a cloud assembly: stacks, resource counts by type, template paths, warning counts.

`cdk synth` has already printed each warning (once per construct) above this summary, so the summary counts them per
stack instead of printing them again.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def _stack_artifacts(outdir: Path) -> list[tuple[Path, str, dict[str, Any]]]:
    """Every stack artifact of the assembly, nested assemblies (one per ``cdk.Stage``, a fleet's environments) too."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    found = []
    for name, artifact in sorted(manifest.get("artifacts", {}).items()):
        if artifact.get("type") == "aws:cloudformation:stack":
            found.append((outdir, artifact.get("displayName", name), artifact))
        elif artifact.get("type") == "cdk:cloud-assembly":
            found += _stack_artifacts(outdir / artifact["properties"]["directoryName"])
    return found


def summarize(outdir: Path) -> str:
    lines = [f"Cloud assembly: {outdir}/"]
    for directory, name, artifact in _stack_artifacts(outdir):
        outdir_of_stack = directory
        template_file = outdir_of_stack / artifact["properties"]["templateFile"]
        template = json.loads(template_file.read_text())
        counts = Counter(r["Type"] for r in template.get("Resources", {}).values())
        lines.append("")
        lines.append(f"Stack {name} ({artifact.get('environment', '?')}): {sum(counts.values())} resources, "
                     f"{template_file.stat().st_size:,} bytes -> {template_file}")
        for rtype, count in sorted(counts.items()):
            lines.append(f"  {count:4d}  {rtype}")
        metadata = dict(artifact.get("metadata", {}))
        extra_file = artifact.get("additionalMetadataFile")
        if extra_file and (outdir_of_stack / extra_file).exists():
            metadata.update(json.loads((outdir_of_stack / extra_file).read_text()))
        warnings = {
            (path, str(entry["data"]))
            for path, entries in metadata.items()
            for entry in entries
            if entry.get("type") == "aws:cdk:warning"
        }
        if warnings:
            lines.append(f"  {len(warnings)} warning(s), printed above by cdk synth")
    extra = sorted(p for p in outdir.rglob("*.yaml"))
    if extra:
        lines.append("")
        lines.append("Rendered files:")
        lines.extend(f"  {p}" for p in extra)
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarize(Path(sys.argv[1] if len(sys.argv) > 1 else "cdk.out")))
