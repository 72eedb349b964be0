"""Where the suite keeps cfn-lint's verdicts between runs of one checkout (``eks_platform.testing.use_verdict_cache``).

cfn-lint's verdict is a pure function of the template, the regions and the installed cfn-lint (its code and the
resource schemas it ships), and is stored under the SHA-256 of all of them. Only verdicts without an error are kept,
so a broken template is linted for real, and fails the run, every time; any template not seen before is linted for
real. The cache is ``.pytest_cache/eks-platform-cfn-lint/`` (git ignores it; ``make clean`` deletes it). A fresh
clone (CI) has none and lints everything; so does a run with ``CI`` set or ``EKS_PLATFORM_CFN_LINT_CACHE=0``.

This module imports only the standard library: ``tests/conftest.py`` loads it in every pytest process, including the
pytest-xdist controller, which must not start jsii.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_DIR = Path(__file__).resolve().parents[1] / ".pytest_cache" / "eks-platform-cfn-lint"
#: ``0`` turns the cache off (every template is linted for real); ``CI`` set does too.
CACHE_ENV = "EKS_PLATFORM_CFN_LINT_CACHE"


def cache_directory() -> Path | None:
    """The cache of this checkout, or ``None`` when it is off (``CI`` set, or ``EKS_PLATFORM_CFN_LINT_CACHE=0``)."""
    if os.environ.get("CI") or os.environ.get(CACHE_ENV, "1") == "0":
        return None
    return CACHE_DIR
