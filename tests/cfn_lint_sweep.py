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

Verdicts come through ``eks_platform.testing.cfn_lint_findings``: one process lints a template once, and
``tests/cfn_lint_cache.py`` keeps verdicts without errors between runs of a checkout (a template with an error is
linted, and fails the run, every time).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from eks_platform.testing import cfn_lint_findings
from tests import support

#: Digests (keys of ``support.SYNTHESIZED``) of the templates this process has linted, or left to the worker that
#: claimed them first.
LINTED: set[str] = set()
#: ``workerinput`` key (set by ``tests/conftest.py``'s ``pytest_configure_node``): the run's claims directory.
CLAIMS_KEY = "eks_platform_cfn_lint_claims"


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
    return [f"{label}: {finding}" for finding in cfn_lint_findings(template, allow=support.CFN_LINT_ALLOW)]

def lint_unlinted(claims: Path | None = None) -> tuple[int, list[str]]:
    """Lint every template recorded in this process that it has not linted yet (with ``claims``: of those, the ones
    this worker claims; another worker lints the rest).

    Returns how many templates were linted and one line per finding (empty when all are clean). cfn-lint is pure
    Python and CPU-bound: a plain run lints in forked workers (they never touch the jsii kernel); an xdist worker
    lints in-process, since the other workers already keep the other cores busy.
    """
    pending = [(digest, item) for digest, item in support.SYNTHESIZED.items() if digest not in LINTED]
    if claims is not None:
        LINTED.update(digest for digest, _ in pending if not _claim(claims, digest))
        pending = [(digest, item) for digest, item in pending if digest not in LINTED]
    if not pending:
        return 0, []
    items = [item for _, item in pending]
    workers = 1 if in_xdist_worker() else min(len(items), os.cpu_count() or 1, 4)
    if workers == 1:
        failures = [line for item in items for line in _lint(item)]
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            failures = [line for lines in pool.map(_lint, items, chunksize=4) for line in lines]
    LINTED.update(digest for digest, _ in pending)
    return len(items), failures
