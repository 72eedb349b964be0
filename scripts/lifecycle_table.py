#!/usr/bin/env python3
"""Print (or, with --write, put into README.md) the lifecycle table generated from the transition matrix.

    PYTHONPATH=. python scripts/lifecycle_table.py [--write]

Each row of ``tests/lifecycle_matrix.py`` is synthesized before and after and judged by ``eks_platform.lifecycle``;
``tests/lifecycle/test_lifecycle_matrix.py`` fails when README.md's table differs from what this prints.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the table in README.md")
    args = parser.parse_args()
    from tests.lifecycle.test_lifecycle_matrix import _SYNTHESIZED, results
    from tests.lifecycle_matrix import TABLE_BEGIN, TABLE_END, table

    text = table(results(_SYNTHESIZED))
    if not args.write:
        print(text)
        return 0
    readme_path = REPO_ROOT / "README.md"
    readme = readme_path.read_text()
    begin, end = readme.find(TABLE_BEGIN), readme.find(TABLE_END)
    if begin < 0 or end < begin:
        print("README.md has no lifecycle table markers; add them where the table belongs", file=sys.stderr)
        return 1
    readme_path.write_text(readme[:begin] + text + readme[end + len(TABLE_END):])
    return 0


if __name__ == "__main__":
    sys.exit(main())
