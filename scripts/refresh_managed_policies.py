#!/usr/bin/env python3
"""Regenerate the table of AWS managed policy names (eks_platform/_internal/data/aws_managed_policies.json).

Synth never calls AWS or the network; this script is how the checked-in table follows AWS. Its input is a downloaded
copy of the iam-dataset repository (https://github.com/iann0036/iam-dataset, MIT license), whose
``aws/managedpolicies/<name>.json`` files record each AWS managed policy as IAM lists it (``ListPolicies`` with scope
AWS), including its ARN and therefore its path. The same names and ARNs are published in the AWS Managed Policy
Reference Guide: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html

    git clone --depth 1 https://github.com/iann0036/iam-dataset /tmp/iam-dataset
    python scripts/refresh_managed_policies.py /tmp/iam-dataset                 # dry run: prints what changes
    python scripts/refresh_managed_policies.py --write /tmp/iam-dataset         # update the table

Only names and paths are kept (facts, no policy documents). Policies the dataset marks deprecated are left out: IAM
no longer attaches them to new roles.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parents[1] / "eks_platform" / "_internal" / "data" / "aws_managed_policies.json"
SOURCE = "https://github.com/iann0036/iam-dataset (aws/managedpolicies/*.json)"
_ARN = re.compile(r"arn:aws:iam::aws:policy/((?:[\w+=,.@-]+/)*)([\w+=,.@-]+)", re.ASCII)


def read_policies(checkout: Path) -> dict[str, str]:
    """``{name: path}`` of every non-deprecated AWS managed policy in an iam-dataset checkout (path ``/`` or
    ``/service-role/`` ...)."""
    folder = checkout / "aws" / "managedpolicies"
    if not folder.is_dir():
        folder = checkout  # the managedpolicies folder itself
    found: dict[str, str] = {}
    for file in sorted(folder.glob("*.json")):
        record: dict[str, Any] = json.loads(file.read_text())
        if record.get("deprecated"):
            continue
        if "arn" not in record:
            # Without an ARN the path is unknown; users can still pass such a policy by its ARN.
            print(f"skipped {file.name}: the record has no ARN", file=sys.stderr)
            continue
        match = _ARN.fullmatch(str(record["arn"]))
        if match is None:
            raise SystemExit(f"{file}: unexpected ARN {record.get('arn')!r}")
        path, name = match.groups()
        if record.get("name", name) != name:
            raise SystemExit(f"{file}: name {record.get('name')!r} differs from the ARN's {name!r}")
        found[name] = "/" + path
    if not found:
        raise SystemExit(f"no policies found under {folder}")
    return found


def render(policies: dict[str, str], *, commit: str | None, retrieved: str) -> str:
    document = {
        "_source": [SOURCE + (f" at commit {commit}" if commit else ""),
                    "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html"],
        "_license": "names and paths are facts published by AWS; compiled from iam-dataset, MIT license, "
                    "Copyright (c) 2021 Ian Mckay (see NOTICE)",
        "_retrieved": retrieved,
        "_refresh": "python scripts/refresh_managed_policies.py --write <iam-dataset checkout>",
        "policies": dict(sorted(policies.items())),
    }
    return json.dumps(document, indent=1, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkout", type=Path, help="an iam-dataset checkout, or its aws/managedpolicies folder")
    parser.add_argument("--commit", help="the iam-dataset commit the checkout is at (recorded in the table)")
    parser.add_argument("--retrieved", default=dt.date.today().isoformat(), help="retrieval date (YYYY-MM-DD)")
    parser.add_argument("--write", action="store_true", help="write the table (default: dry run)")
    options = parser.parse_args(argv)
    new = read_policies(options.checkout)
    old: dict[str, str] = json.loads(TABLE.read_text())["policies"] if TABLE.exists() else {}
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    moved = sorted(n for n in set(new) & set(old) if new[n] != old[n])
    print(f"{len(new)} policies: {len(added)} added, {len(removed)} removed, {len(moved)} with a new path")
    for name in removed:
        print(f"  - {name}")
    for name in moved:
        print(f"  ~ {name}: {old[name]} -> {new[name]}")
    if options.write:
        TABLE.write_text(render(new, commit=options.commit, retrieved=options.retrieved))
        print(f"wrote {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
