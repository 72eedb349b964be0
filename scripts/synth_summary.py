"""Print a short summary of a cloud assembly: stacks, resource counts by type, template paths, warning counts.

`cdk synth` has already printed each warning (once per construct) above this summary, so the summary counts them per
stack instead of printing them again.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def summarize(outdir: Path) -> str:
    manifest = json.loads((outdir / "manifest.json").read_text())
    lines = [f"Cloud assembly: {outdir}/"]
    for name, artifact in sorted(manifest.get("artifacts", {}).items()):
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template_file = outdir / artifact["properties"]["templateFile"]
        template = json.loads(template_file.read_text())
        counts = Counter(r["Type"] for r in template.get("Resources", {}).values())
        lines.append("")
        lines.append(f"Stack {name} ({artifact.get('environment', '?')}): {sum(counts.values())} resources, "
                     f"{template_file.stat().st_size:,} bytes -> {template_file}")
        for rtype, count in sorted(counts.items()):
            lines.append(f"  {count:4d}  {rtype}")
        metadata = dict(artifact.get("metadata", {}))
        extra_file = artifact.get("additionalMetadataFile")
        if extra_file and (outdir / extra_file).exists():
            metadata.update(json.loads((outdir / extra_file).read_text()))
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
