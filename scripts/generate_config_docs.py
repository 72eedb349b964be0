"""Regenerate what is derived from the ``platform`` models: the JSON Schemas and the README's table of keys.

Writes ``schemas/platform.schema.json`` (the ``platform`` object), ``schemas/cdk.json.schema.json`` (a whole cdk.json
whose ``context.platform`` is checked) and the table between the ``platform-keys`` markers of README.md.
``tests/contract/test_config_schema.py`` fails when any of them is stale.

Usage: python scripts/generate_config_docs.py [--check]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from eks_platform.config.schema import (  # noqa: E402
    TABLE_END,
    TABLE_START,
    cdk_json_schema,
    platform_schema,
    readme_table,
    schema_text,
)

SCHEMA_DIR = REPO_ROOT / "schemas"


def expected_files() -> dict[Path, str]:
    """Every generated file with its expected content."""
    readme = REPO_ROOT / "README.md"
    text = readme.read_text()
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    return {
        SCHEMA_DIR / "platform.schema.json": schema_text(platform_schema()),
        SCHEMA_DIR / "cdk.json.schema.json": schema_text(cdk_json_schema()),
        readme: text[:start] + readme_table() + text[end:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a file is stale, write nothing")
    args = parser.parse_args()
    stale = []
    for path, content in expected_files().items():
        if path.exists() and path.read_text() == content:
            continue
        stale.append(path.relative_to(REPO_ROOT))
        if not args.check:
            path.parent.mkdir(exist_ok=True)
            path.write_text(content)
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'} {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
