"""cfn-lint (CloudFormation's resource schemas) over synthesized templates, with reasoned allowlists."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Bump when the layout of a stored verdict or the meaning of its key changes.
_VERDICT_FORMAT = "eks-platform cfn-lint verdict v1"
#: Where ``use_verdict_cache`` keeps verdicts (``None``: nowhere, every process lints for itself).
_verdict_cache: Path | None = None


@functools.cache
def _runner(regions: tuple[str, ...]) -> Any:
    """One cfn-lint runner (its rule collection loads in ~0.3 s) per region set, reused for every template."""
    # lazy: cfn-lint's rule collection loads in ~0.3 s; only linting needs it
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn(regions=list(regions)))


@dataclass(frozen=True, kw_only=True, slots=True)
class CfnLintFinding:
    rule: str
    severity: str
    message: str
    path: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.severity}) at {self.path}: {self.message}"


def cfn_lint_findings(
    template: Mapping[str, Any],
    *,
    regions: Sequence[str] = ("us-east-1",),
    allow: Mapping[str, str] | None = None,
) -> list[CfnLintFinding]:
    """Run cfn-lint on ``template`` and return findings not in ``allow`` (rule id -> reason it is accepted).

    Errors are never allowlisted: an ``E`` rule in ``allow`` is ignored. A process lints the same template (the same
    JSON text) for the same regions once: a test suite that asserts on one template in several tests, or lints what
    it already linted, reuses the findings (the allowlist is applied to them on each call). With
    ``use_verdict_cache``, verdicts without errors are also kept on disk for later processes.
    """
    allowed = {rule for rule in (allow or {}) if not rule.startswith("E")}
    return [finding for finding in _findings(json.dumps(template), tuple(regions)) if finding.rule not in allowed]


def use_verdict_cache(directory: str | os.PathLike[str] | None) -> None:
    """Keep cfn-lint's verdicts in ``directory`` so later test runs of the same checkout lint only new templates.

    A verdict is a pure function of the template text, the regions and the installed cfn-lint, and is stored under
    the SHA-256 of all three (``verdict_key``: cfn-lint's version and every file of the package, code and resource
    schemas, by path, size and modification time). Only verdicts without an error are stored: a template with an
    error is linted for real on every call and fails every run. A template whose key is not stored is linted for
    real. ``None`` turns the cache off. Use a directory your VCS ignores (``.pytest_cache/...``), and leave CI
    without one: a fresh clone has no cache and lints everything.
    """
    global _verdict_cache
    _verdict_cache = Path(directory) if directory is not None else None


@functools.cache
def linter_fingerprint() -> str:
    """A digest of the installed cfn-lint: its version and the path, size and modification time of every file of the
    package (its code and its resource schemas: ``cfn-lint --update-specs`` rewrites those without a new version),
    plus the source of this module (how findings are made)."""
    spec = importlib.util.find_spec("cfnlint")  # locates the package without importing it (~0.4 s)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("cfn-lint is not installed: pip install 'cdk-eks-platform[testing]'")
    root = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256(f"{_VERDICT_FORMAT}\ncfn-lint {importlib.metadata.version('cfn-lint')}\n".encode())
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(folder, name)
            stat = os.stat(path)
            digest.update(f"{os.path.relpath(path, root)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def verdict_key(text: str, regions: Sequence[str]) -> str:
    """The key of cfn-lint's verdict on the template ``text`` for ``regions`` with the installed cfn-lint."""
    return hashlib.sha256(f"{linter_fingerprint()}\n{json.dumps(list(regions))}\n{text}".encode()).hexdigest()


@functools.lru_cache(maxsize=256)
def _findings(text: str, regions: tuple[str, ...]) -> tuple[CfnLintFinding, ...]:
    """Every cfn-lint finding on the template ``text`` (no allowlist), kept for the last 256 templates a process
    linted (``_verdict``: from the verdict cache, or linted for real)."""
    return _verdict(text, regions)


def _verdict(text: str, regions: tuple[str, ...]) -> tuple[CfnLintFinding, ...]:
    cache = _verdict_cache
    if cache is None:
        return _lint(text, regions)
    stored = cache / f"{verdict_key(text, regions)}.json"
    try:
        return tuple(CfnLintFinding(**entry) for entry in json.loads(stored.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        pass  # not stored (or unreadable): lint for real
    findings = _lint(text, regions)
    if not any(finding.rule.startswith("E") for finding in findings):
        cache.mkdir(parents=True, exist_ok=True)
        partial = stored.with_name(f".{stored.name}.{os.getpid()}")
        partial.write_text(json.dumps([dataclasses.asdict(finding) for finding in findings]), encoding="utf-8")
        os.replace(partial, stored)
    return findings


def _lint(text: str, regions: tuple[str, ...]) -> tuple[CfnLintFinding, ...]:
    """cfn-lint, for real, on the template ``text``."""
    # lazy: cfn-lint is imported only when a template is linted
    from cfnlint.decode.decode import decode_str

    decoded, errors = decode_str(text)
    matches = errors or list(_runner(regions).validate_template(decoded))
    return tuple(
        CfnLintFinding(
            rule=match.rule.id,
            severity=str(getattr(match.rule, "severity", match.rule.id[0])),
            message=match.message,
            path="/".join(str(part) for part in getattr(match, "path", []) or []),
        )
        for match in matches
    )
