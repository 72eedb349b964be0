#!/usr/bin/env python3
"""Refresh the add-on catalog's version pins from `aws eks describe-addon-versions` output.

Synth never calls AWS; this script is how the checked-in table (eks_platform/_internal/data/addons.json) follows EKS.
Run the AWS CLI once per Kubernetes minor (any region where the add-ons are offered), then feed the files in:

    for v in 1.32 1.33 1.34 1.35; do
      aws eks describe-addon-versions --kubernetes-version "$v" --output json > "describe-$v.json"
    done
    python scripts/refresh_addons.py 1.32=describe-1.32.json 1.33=describe-1.33.json ...           # dry run
    python scripts/refresh_addons.py --write 1.32=describe-1.32.json 1.33=describe-1.33.json ...   # update

For each catalog add-on and minor it pins the version EKS marks ``defaultVersion`` for that minor (the newest
compatible one when none is marked), with basis ``describe-addon-versions`` and the file as source, and removes the
gap for that minor. Add-ons missing from an output keep their pin (the output may come from a region that lacks
them) and are reported. New minors are added to ``minors``; catalog entries without a pin for a minor then get a gap.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CATALOG = Path(__file__).resolve().parents[1] / "eks_platform" / "_internal" / "data" / "addons.json"
_VERSION = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-eksbuild\.(\d+)$")
_MINOR = re.compile(r"^1\.\d{2}$")


def version_key(version: str) -> tuple[int, ...]:
    match = _VERSION.match(version)
    return tuple(int(g) for g in match.groups()) if match else (-1,)


def index_output(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The ``addons`` list of a describe-addon-versions output, keyed by add-on name."""
    addons = document.get("addons")
    if not isinstance(addons, list):
        raise ValueError("not `aws eks describe-addon-versions` output: no 'addons' list")
    return {a["addonName"]: a for a in addons if isinstance(a, Mapping) and "addonName" in a}


def pick_version(addon: Mapping[str, Any], minor: str) -> str | None:
    """EKS's default version of ``addon`` for ``minor``, else the newest compatible one, else None."""
    compatible: list[tuple[bool, str]] = []
    for row in addon.get("addonVersions", []):
        version = row.get("addonVersion")
        if not isinstance(version, str) or not _VERSION.match(version):
            continue
        for compat in row.get("compatibilities", []):
            if compat.get("clusterVersion") == minor:
                compatible.append((bool(compat.get("defaultVersion")), version))
    if not compatible:
        return None
    defaults = [ver for is_default, ver in compatible if is_default]
    pool = defaults or [ver for _, ver in compatible]
    return max(pool, key=version_key)


def refresh(
    catalog: Mapping[str, Any], outputs: Mapping[str, tuple[str, Mapping[str, Any]]], *, today: str
) -> tuple[dict[str, Any], list[str]]:
    """A refreshed copy of ``catalog`` and a report. ``outputs``: minor -> (source label, describe output)."""
    new: dict[str, Any] = json.loads(json.dumps(catalog))
    report: list[str] = []
    minors = sorted(set(new["minors"]) | set(outputs), key=lambda m: int(m.split(".")[1]))
    for minor in minors:
        if minor not in new["minors"]:
            report.append(f"new minor {minor}")
    new["minors"] = minors
    for minor, (label, document) in sorted(outputs.items()):
        offered = index_output(document)
        for name, entry in new["addons"].items():
            addon = offered.get(name)
            if addon is None:
                report.append(f"{minor} {name}: not in {label}; kept as is")
                continue
            if addon.get("owner") and addon["owner"] != entry["owner"]:
                report.append(
                    f"{minor} {name}: owner is {addon['owner']!r} in {label}, catalog says {entry['owner']!r}"
                )
            version = pick_version(addon, minor)
            if version is None:
                report.append(f"{minor} {name}: no version compatible with {minor} in {label}; kept as is")
                continue
            old = entry.setdefault("versions", {}).get(minor)
            pin = {
                "version": version,
                "basis": "describe-addon-versions",
                "source": f"aws eks describe-addon-versions --kubernetes-version {minor} ({label}, {today})",
            }
            if old is None or old.get("version") != version or old.get("basis") != pin["basis"]:
                before = old["version"] if old else "no pin"
                report.append(f"{minor} {name}: {before} -> {version}")
            entry["versions"][minor] = pin
            entry.setdefault("gaps", {}).pop(minor, None)
    for name, entry in new["addons"].items():
        for minor in minors:
            if minor not in entry.get("versions", {}) and minor not in entry.setdefault("gaps", {}):
                entry["gaps"][minor] = f"not offered for {minor} in the refreshed describe-addon-versions output"
                report.append(f"{minor} {name}: gap recorded (no pin)")
        entry["versions"] = {m: entry["versions"][m] for m in minors if m in entry.get("versions", {})}
        entry["gaps"] = {m: entry["gaps"][m] for m in minors if m in entry["gaps"]}
    return new, report


def render(catalog: Mapping[str, Any]) -> str:
    """The file format of the checked-in catalog (stable, so diffs show only real changes)."""
    return json.dumps(catalog, indent=2, ensure_ascii=False) + "\n"


def _parse_pair(text: str) -> tuple[str, Path]:
    minor, sep, path = text.partition("=")
    if not sep or not _MINOR.match(minor):
        raise argparse.ArgumentTypeError(f"{text!r}: write MINOR=FILE, e.g. 1.32=describe-1.32.json")
    return minor, Path(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outputs", nargs="+", type=_parse_pair, metavar="MINOR=FILE")
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    parser.add_argument("--write", action="store_true", help="update the catalog file (default: dry run)")
    parser.add_argument("--today", default=dt.date.today().isoformat(), help="date recorded in the sources")
    args = parser.parse_args(argv)
    catalog = json.loads(args.catalog.read_text())
    outputs = {minor: (path.name, json.loads(path.read_text())) for minor, path in args.outputs}
    new, report = refresh(catalog, outputs, today=args.today)
    for line in report or ["no changes"]:
        print(line)
    if args.write:
        args.catalog.write_text(render(new))
        print(f"wrote {args.catalog}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
