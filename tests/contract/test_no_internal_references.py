"""What users read names public sources only: no research notes, internal ids or project history.

Scanned: every string literal (messages, warnings, docstrings) and comment of the package, every string (keys and
values) of its data tables, and the README and CHANGELOG. A source is a public URL, a repository path or an
``owner/repo#123`` issue, or nothing; a reader cannot follow "code-search index file 31572926677", "(secondary)",
"its repository could not be identified", "issue 6" or a path into notes that are not published.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import REPO_ROOT

PACKAGE = REPO_ROOT / "eks_platform"
DATA = PACKAGE / "_internal" / "data"
DOCS = [REPO_ROOT / "README.md", REPO_ROOT / "CHANGELOG.md"]

#: pattern -> why it means nothing to a user
INTERNAL_REFERENCES: dict[str, str] = {
    r"code[- ]search": "a search index of the research, not a source a reader can open",
    r"\bindex file \d+|\bfile \d{6,}\b": "an id in that search index",
    r"\((?:primary|secondary)\)": "a research grading; say what the source is, or link it",
    r"could not be identified": "a research note: cite the source or drop the claim",
    r"(?<![\w/.-])(?:issues?|PR|pull request) ?#?\d+\b": "a bare issue number: link owner/repo#N or the URL",
    r"\beks-facts\.md\b|\banchors\.md\b|\bSTYLE\.md\b|\.\./shared\b|shared reference": "unpublished notes",
    r"\b(?:engineers?|coordinator|worktree)\b": "who built it is not product behaviour",
}
_COMPILED = {re.compile(p, re.IGNORECASE): why for p, why in INTERNAL_REFERENCES.items()}


def _python_texts(path: Path) -> Iterator[tuple[int, str]]:
    source = path.read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string


def _data_texts(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{where}/{key}", str(key)
            yield from _data_texts(item, f"{where}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _data_texts(item, f"{where}/{index}")
    elif isinstance(value, str):
        yield where, value


def _texts() -> Iterator[tuple[str, str]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, text in _python_texts(path):
            yield f"{path.relative_to(REPO_ROOT)}:{line}", text
    for path in sorted(DATA.glob("*.json")) + sorted(DATA.glob("*.yaml")):
        loaded = json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
        for where, text in _data_texts(loaded):
            yield f"{path.relative_to(REPO_ROOT)}:{where}", text
    for path in DOCS:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            yield f"{path.relative_to(REPO_ROOT)}:{number}", line


def _findings(texts: Iterator[tuple[str, str]]) -> list[str]:
    found = []
    for where, text in texts:
        for pattern, why in _COMPILED.items():
            match = pattern.search(text)
            if match:
                start = max(match.start() - 40, 0)
                found.append(f"{where}: {match.group(0)!r} ({why}): ...{text[start : match.end() + 40]}...")
    return found


def test_package_strings_data_and_docs_cite_only_public_sources() -> None:
    findings = _findings(_texts())
    assert findings == [], "\n".join(findings)


@pytest.mark.parametrize(
    "text",
    [
        "a public 1.33 cluster pins the same build (code-search index file 31572926677)",
        "and a 1.31 cluster the v1.17.1 build (file 1590363249)",
        "comments report it working on 1.36 only (secondary)",
        "pins v0.18.0-eksbuild.1, but its repository could not be identified",
        "Team-app experience (issue 8): pytest plugin",
        "see ../" "shared/STYLE.md section 7",  # split: no tracked file may point outside the repository
    ],
)
def test_the_scan_finds_each_kind_of_internal_reference(text: str) -> None:
    assert _findings(iter([("example", text)])) != []


@pytest.mark.parametrize(
    "text",
    [
        "the feature request aws/containers-roadmap#2603 is open",
        "https://github.com/aws/containers-roadmap/issues/2603",
        "trust scoped by the kubernetes-service-account session tags",
        "kubernetes-sigs/aws-ebs-csi-driver pkg/cloud/cloud.go",
    ],
)
def test_the_scan_accepts_public_references(text: str) -> None:
    assert _findings(iter([("example", text)])) == []
