"""The README is executable documentation: every ```python block runs, and its lists match the code.

All blocks run in this test process (one jsii runtime for the whole suite), each in a fresh namespace. Every
``cdk.App`` a block creates gets the fixed synth date (so examples on a version near the end of its support stay
reproducible) and a temporary outdir, and is synthesized after the block ran, so construct validation runs too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

import eks_platform
from eks_platform.testing import fixed_context
from tests.support import REPO_ROOT

README = REPO_ROOT / "README.md"
_FENCE = re.compile(r"^```(?P<lang>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^(#{2,3}) (?P<title>.+)$", re.MULTILINE)


def _python_blocks(text: str) -> list[tuple[str, str]]:
    """``(id, code)`` for each python block; the id names the section and the line, for readable test IDs."""
    blocks = []
    for match in _FENCE.finditer(text):
        if match.group("lang").strip() != "python":
            continue
        headings = [h.group("title") for h in _HEADING.finditer(text, 0, match.start())]
        section = re.sub(r"[^A-Za-z0-9]+", "-", headings[-1]).strip("-") if headings else "top"
        line = text.count("\n", 0, match.start()) + 1
        blocks.append((f"{section}-line{line}", match.group("body")))
    return blocks


def _section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(?P<body>.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"README has no '## {title}' section"
    return match.group("body")


BLOCKS = _python_blocks(README.read_text(encoding="utf-8"))


@pytest.fixture
def created_apps(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[cdk.App]:
    """Make ``cdk.App()`` in a README block an app with the fixed synth date and a temporary outdir."""
    created: list[cdk.App] = []
    real_app = cdk.App

    class ReadmeApp(real_app):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["context"] = fixed_context(kwargs.get("context"))
            kwargs.setdefault("outdir", str(tmp_path / f"app{len(created)}"))
            super().__init__(*args, **kwargs)
            created.append(self)

    monkeypatch.setattr(cdk, "App", ReadmeApp)
    return created


def test_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 3, "the README lost its python examples"


@pytest.mark.parametrize("code", [code for _, code in BLOCKS], ids=[block_id for block_id, _ in BLOCKS])
def test_readme_python_block_runs(code: str, created_apps: list[cdk.App]) -> None:
    namespace: dict[str, Any] = {"__name__": "readme_example"}
    exec(compile(code, "README.md", "exec"), namespace)  # our own documentation
    for app in created_apps:
        app.synth()


def test_public_api_section_lists_exactly_the_exports() -> None:
    section = _section(README.read_text(encoding="utf-8"), "Public API")
    listed = set(re.findall(r"^\s*[-*] `([A-Za-z_][A-Za-z0-9_]*)`", section, re.MULTILINE))
    exported = set(eks_platform.__all__)
    assert listed == exported, (
        f"README '## Public API' must list every name in eks_platform.__all__ as a '- `Name`' bullet: "
        f"missing {sorted(exported - listed)}, not exported {sorted(listed - exported)}"
    )


#: The README is also the package's page on the registry, so its links into the repository are absolute.
REPOSITORY = "https://github.com/cdk-eks-platform/cdk-eks-platform"
RAW_FILES = "https://raw.githubusercontent.com/cdk-eks-platform/cdk-eks-platform/main/"


def test_readme_shows_the_architecture_diagram() -> None:
    text = README.read_text(encoding="utf-8")
    assert f"]({RAW_FILES}docs/architecture.png)" in text
    assert (REPO_ROOT / "docs" / "architecture.png").is_file()


def test_readme_links_exist() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)", text)
    relative = [t for t in targets if not t.startswith(("https://", "http://"))]
    assert relative == [], "links into the repository must be absolute (the README is the registry page too)"
    prefixes = (f"{REPOSITORY}/blob/main/", f"{REPOSITORY}/tree/main/", RAW_FILES)
    for target in targets:
        for prefix in prefixes:
            if target.startswith(prefix):
                path = target.removeprefix(prefix)
                assert (REPO_ROOT / path).exists(), f"README links to {path}, which does not exist"
