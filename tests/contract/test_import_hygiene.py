"""Import hygiene: the PyPI `constructs` package must not be shadowed by a folder of ours."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import constructs

from tests.support import REPO_ROOT


def test_constructs_imports_from_site_packages() -> None:
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    assert Path(constructs.__file__).resolve().is_relative_to(site)


def test_no_top_level_constructs_folder() -> None:
    assert not (REPO_ROOT / "constructs").exists()
    assert not (REPO_ROOT / "tests" / "constructs").exists() or (REPO_ROOT / "tests" / "__init__.py").exists()


def test_constructs_resolves_from_repo_root_like_app_py() -> None:
    """`python3 app.py` runs with the repo root first on sys.path: it must still find PyPI's constructs."""
    code = "import constructs, sys; print(constructs.__file__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert "site-packages" in out.stdout


def test_public_api_exports_resolve() -> None:
    import eks_platform

    for name in eks_platform.__all__:
        assert getattr(eks_platform, name) is not None
