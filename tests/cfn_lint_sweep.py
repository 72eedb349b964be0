"""The suite-wide cfn-lint sweep: every template a test process recorded (``tests.support.SYNTHESIZED``) is linted
once, with zero errors and only the reasoned warnings of ``tests.support.CFN_LINT_ALLOW``.

Two callers share it, so that every template the whole run synthesized is linted, however the run is split:

- ``tests/contract/test_cfn_lint.py::test_every_synthesized_template_passes_cfn_lint`` lints what its process has
  recorded when it runs. In a plain run it runs last (``tests/conftest.py`` orders ``runs_last`` tests last), so that
  is everything.
- With pytest-xdist (``make test`` runs two workers) each worker is its own process with its own recordings, and the
  sweep test runs on one worker only, at some point of that worker's share. So a worker lints what each test file
  recorded when the file is done (the module fixture ``cfn_lint_each_module`` in ``tests/conftest.py``: the lint
  work then spreads over both workers as pytest-xdist hands out files, rather than piling up at one worker's end),
  and every process, when its session ends, lints what it recorded and nothing has linted yet (the session fixture
  ``cfn_lint_the_rest``); a finding fails the run as an error in the teardown of the file's, or the process's, last
  test.
  See https://pytest-xdist.readthedocs.io/en/stable/how-it-works.html (each worker runs a full pytest session).

Workers build the same session fixtures (the reference app), so they record some of the same templates. Under xdist a
worker first claims each template in a directory all workers of the run share (``claims``: an exclusive create of a
file named by the template's digest) and lints only those it claimed: each template is linted by exactly one worker.

**Result cache.** cfn-lint's verdict is a pure function of the template, the installed cfn-lint (its code and the
resource schemas it ships), the regions and the allowlist. A checkout keeps the verdicts of clean templates in
``.pytest_cache/eks-platform-cfn-lint/`` (git ignores it), one empty file per clean result, named by the SHA-256 of
everything the verdict depends on (``cache_key``). A template whose key is there was linted clean before and is not
linted again; any other template is linted for real, and only a clean result is stored, so a template with a finding
is linted on every run and fails it every time. A fresh clone (CI) has no cache and lints everything; so does a run
with ``CI`` set or ``EKS_PLATFORM_CFN_LINT_CACHE=0``. Delete the directory to start cold. Tests that assert a
template is clean call ``lint_template``, which goes through the same cache; within one process
``eks_platform.testing.cfn_lint_findings`` lints the same template once, so a template a test linted is not linted
again by the sweep.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from eks_platform.testing import CfnLintFinding, cfn_lint_findings
from eks_platform.testing import lint as lint_module
from tests import support

#: Digests (keys of ``support.SYNTHESIZED``) of the templates this process has linted, or left to the worker that
#: claimed them first.
LINTED: set[str] = set()
#: ``workerinput`` key (set by ``tests/conftest.py``'s ``pytest_configure_node``): the run's claims directory.
CLAIMS_KEY = "eks_platform_cfn_lint_claims"
#: Where a checkout keeps the keys of templates cfn-lint passed (see "Result cache" above).
CACHE_DIR = support.REPO_ROOT / ".pytest_cache" / "eks-platform-cfn-lint"
#: ``0`` turns the result cache off (every template is linted); ``CI`` set does too.
CACHE_ENV = "EKS_PLATFORM_CFN_LINT_CACHE"
#: cfn-lint's regions (those ``cfn_lint_findings`` lints for by default).
REGIONS = ("us-east-1",)
#: How many templates this process linted for real and how many clean verdicts it took from the cache.
COUNTS = {"linted": 0, "cached": 0}
#: Bump when the cache's layout or key changes meaning.
_CACHE_FORMAT = "eks-platform cfn-lint verdict v1"


def cache_directory() -> Path | None:
    """The result cache of this checkout, or ``None`` when it is off (``CI`` set, ``EKS_PLATFORM_CFN_LINT_CACHE=0``)."""
    if os.environ.get("CI") or os.environ.get(CACHE_ENV, "1") == "0":
        return None
    return CACHE_DIR


@functools.cache
def linter_fingerprint() -> str:
    """A digest of the installed cfn-lint: its version and the path, size and modification time of every file of the
    package (its code and its resource schemas: ``cfn-lint --update-specs`` rewrites those without a new version),
    plus the source of ``eks_platform.testing.lint`` (how findings are filtered)."""
    spec = importlib.util.find_spec("cfnlint")  # locates the package without importing it (~0.4 s)
    assert spec is not None and spec.submodule_search_locations, "cfn-lint is not installed"
    root = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256(f"{_CACHE_FORMAT}\ncfn-lint {importlib.metadata.version('cfn-lint')}\n".encode())
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(folder, name)
            stat = os.stat(path)
            digest.update(f"{os.path.relpath(path, root)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    digest.update(Path(lint_module.__file__).read_bytes())
    return digest.hexdigest()


def cache_key(digest: str, *, regions: Sequence[str] = REGIONS, allow: Mapping[str, str] | None = None) -> str:
    """The key of a template's verdict: its content digest (``support.SYNTHESIZED``'s key: SHA-256 of the JSON with
    sorted keys), the installed linter (``linter_fingerprint``), the regions and the allowlist (default: the suite's,
    ``support.CFN_LINT_ALLOW``)."""
    rules = json.dumps({"regions": list(regions), "allow": support.CFN_LINT_ALLOW if allow is None else dict(allow)},
                       sort_keys=True)
    return hashlib.sha256(f"{linter_fingerprint()}\n{rules}\n{digest}".encode()).hexdigest()


def template_digest(template: Mapping[str, Any]) -> str:
    """A template's content digest, as ``tests.support.synth`` records it."""
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()


def lint_template(template: Mapping[str, Any], *, regions: Sequence[str] = REGIONS) -> list[CfnLintFinding]:
    """``cfn_lint_findings(template, regions=..., allow=support.CFN_LINT_ALLOW)`` for a test that asserts a template
    is clean, through the result cache: a template cfn-lint passed before under the same key is not linted again
    (``[]``); any other is linted for real, and stored when clean."""
    cache = cache_directory()
    key = cache_key(template_digest(template), regions=regions) if cache is not None else ""
    if cache is not None and (cache / key).is_file():
        COUNTS["cached"] += 1
        return []
    findings = cfn_lint_findings(template, regions=regions, allow=support.CFN_LINT_ALLOW)
    COUNTS["linted"] += 1
    if cache is not None and not findings:
        _remember_clean(cache, key)
    return findings


def _remember_clean(cache: Path, key: str) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f".{key}.{os.getpid()}"
    partial.touch()
    os.replace(partial, cache / key)


def in_xdist_worker() -> bool:
    """Whether this process is a pytest-xdist worker (xdist sets the variable in each worker it starts)."""
    return bool(os.environ.get("PYTEST_XDIST_WORKER"))


def claims_directory(config: Any) -> Path | None:
    """The directory the workers of this xdist run share for claims (``None`` outside an xdist worker)."""
    workerinput = getattr(config, "workerinput", None)
    return Path(workerinput[CLAIMS_KEY]) if workerinput and CLAIMS_KEY in workerinput else None


def _claim(claims: Path, digest: str) -> bool:
    """Claim a template for this worker; False when another worker of the run claimed it first."""
    try:
        os.close(os.open(claims / digest, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _lint(item: tuple[str, dict[str, Any]]) -> list[str]:
    label, template = item
    return [f"{label}: {finding}" for finding in cfn_lint_findings(template, regions=REGIONS,
                                                                     allow=support.CFN_LINT_ALLOW)]



def lint_unlinted(claims: Path | None = None, cache: Path | None = None) -> tuple[int, list[str]]:
    """Lint every template recorded in this process that it has not linted yet (with ``claims``: of those, the ones
    this worker claims; another worker lints the rest). With ``cache`` (see ``cache_directory``), a template whose
    clean verdict is stored there is not linted again, and each template linted clean is stored.

    Returns how many templates were checked (linted, or found clean in the cache) and one line per finding (empty
    when all are clean). cfn-lint is pure Python and CPU-bound: a plain run lints in forked workers (they never touch
    the jsii kernel); an xdist worker lints in-process, since the other workers already keep the other cores busy.
    """
    pending = [(digest, item) for digest, item in support.SYNTHESIZED.items() if digest not in LINTED]
    if claims is not None:
        LINTED.update(digest for digest, _ in pending if not _claim(claims, digest))
        pending = [(digest, item) for digest, item in pending if digest not in LINTED]
    if not pending:
        return 0, []
    checked = len(pending)
    keys = {digest: cache_key(digest) for digest, _ in pending} if cache is not None else {}
    if cache is not None:
        known = [digest for digest, _ in pending if (cache / keys[digest]).is_file()]
        COUNTS["cached"] += len(known)
        LINTED.update(known)
        pending = [(digest, item) for digest, item in pending if digest not in LINTED]
    items = [item for _, item in pending]
    workers = 1 if in_xdist_worker() else min(len(items), os.cpu_count() or 1, 4)
    if workers <= 1:
        results = [_lint(item) for item in items]
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_lint, items, chunksize=4))
    COUNTS["linted"] += len(items)
    for (digest, _), lines in zip(pending, results, strict=True):
        if cache is not None and not lines:
            _remember_clean(cache, keys[digest])
    LINTED.update(digest for digest, _ in pending)
    return checked, [line for lines in results for line in lines]
