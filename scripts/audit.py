"""`make audit`: run AwsSolutionsChecks and the EKSP pack over every stack of the reference app; print one table.

The app is built exactly as `cdk synth` builds it (cdk.json context, the stacks of `eks_platform.stacks.app`), then
built a second time with acknowledgments recorded but not applied, so the table can show what every acknowledgment
hides and which acknowledgments are stale. Exit status 1 when a finding is open or an acknowledgment is stale.

Usage: python scripts/audit.py [--synth-date YYYY-MM-DD] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import aws_cdk as cdk  # noqa: E402

from eks_platform.checks.audit import audit, format_table  # noqa: E402
from eks_platform.context import IGNORE_ACKNOWLEDGMENTS_CONTEXT_KEY, SYNTH_DATE_CONTEXT_KEY  # noqa: E402
from eks_platform.errors import ConfigError  # noqa: E402
from eks_platform.stacks.app import build_app  # noqa: E402


def cdk_json_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    return context


def build(extra: dict[str, Any]) -> cdk.App:
    app = cdk.App(context={**cdk_json_context(), **extra})
    build_app(app)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synth-date", help="judge version lifecycle on this date (default: today, as cdk synth)")
    parser.add_argument("--quick", action="store_true", help="one build: open findings only, no stale check")
    args = parser.parse_args(argv)
    extra: dict[str, Any] = {SYNTH_DATE_CONTEXT_KEY: args.synth_date} if args.synth_date else {}
    try:
        app = build(extra)
        hidden = None if args.quick else build({**extra, IGNORE_ACKNOWLEDGMENTS_CONTEXT_KEY: True})
    except ConfigError as error:
        print(f"eks-platform: configuration error\n{error}", file=sys.stderr)
        return 2
    report = audit(app, hidden)
    print(format_table(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
