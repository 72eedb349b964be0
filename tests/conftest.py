"""Session fixtures: the reference app built once from cdk.json context, snapshots, collection order."""

from __future__ import annotations

import functools
import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# aws-cdk-lib's built-in template validation only warns, and cfn-lint checks every template the suite synthesizes
# (tests/contract/test_cfn_lint.py): skip it. jsii's node process reads the variable when the first import of
# aws_cdk starts it (a test module's, or a fixture's below); a value already in the environment wins. See
# docs/benchmarks.md, "aws-cdk-lib's built-in validation".
os.environ.setdefault("CDK_VALIDATION", "false")

from hypothesis import settings

from eks_platform.testing import normalize_template, use_verdict_cache
from tests.cfn_lint_cache import cache_directory

# Hypothesis draws the same examples on every run unless asked otherwise, so a red run is reproducible and a change
# is judged on the inputs its parent passed; `HYPOTHESIS_PROFILE=explore` draws new ones (and `make fuzz` runs the
# long schema fuzz). A test's own `@settings` still wins over the profile.
settings.register_profile("reproducible", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))
# cfn-lint's verdicts without errors are kept between runs of this checkout (tests/cfn_lint_cache.py says when not).
use_verdict_cache(cache_directory())

# The imports of aws_cdk (tests.support, eks_platform.stacks) are inside the fixtures: the pytest-xdist controller
# loads this file for its hooks but runs no test, and importing aws_cdk would start a jsii kernel (about 5 s of CPU)
# there for nothing.


@pytest.fixture(scope="session")
def reference_app() -> Any:
    """The reference app exactly as `cdk synth` builds it from cdk.json, with the fixed synth date."""
    # lazy: starts jsii (see the note on the imports)
    from eks_platform.stacks.app import build_app
    from tests import support

    app = support.new_app(support.cdk_json_context())
    stacks = build_app(app)
    templates = support.synth(app, label="reference")
    return {"app": app, "stacks": stacks, "templates": templates}


@pytest.fixture(scope="session")
def reference_templates(reference_app: Any) -> dict[str, dict[str, Any]]:
    templates: dict[str, dict[str, Any]] = reference_app["templates"]
    return templates


@pytest.fixture(scope="session")
def reference_render_only() -> Any:
    """The main reference stack with `manifestDelivery: render-only` (no kubectl provider), synthesized once."""
    from tests.k8s_support import build_reference_stack

    return build_reference_stack(manifestDelivery="render-only")


_RUNS_THE_SWEEP = pytest.StashKey[bool]()


def _runs_the_sweep(session: pytest.Session) -> bool:
    """Whether this run includes the cfn-lint sweep test (``runs_last``), worked out once per session."""
    if _RUNS_THE_SWEEP not in session.stash:
        session.stash[_RUNS_THE_SWEEP] = any(item.get_closest_marker("runs_last") for item in session.items)
    return session.stash[_RUNS_THE_SWEEP]


@pytest.fixture(scope="session", autouse=True)
def cfn_lint_the_rest(request: pytest.FixtureRequest) -> Iterator[None]:
    """When the run includes the cfn-lint sweep, lint at the end of this process's session every template it recorded
    that no sweep linted: under pytest-xdist, all of a worker's templates but those of the worker that ran the sweep
    test before it (see ``tests/cfn_lint_sweep.py``). A finding is an error in the teardown of the last test."""
    yield
    if not _runs_the_sweep(request.session):
        return  # a run without the sweep test (one file, `make lifecycle`) lints nothing, as before
    # lazy: tests.support imports aws_cdk (see the note on the imports)
    from tests import cfn_lint_sweep

    linted, failures = cfn_lint_sweep.lint_unlinted(cfn_lint_sweep.claims_directory(request.config))
    assert failures == [], (
        f"cfn-lint: {len(failures)} finding(s) in the {linted} template(s) this test process synthesized and linted "
        "when its session ended (none of them went through test_every_synthesized_template_passes_cfn_lint):\n"
        + "\n".join(failures)
    )


@pytest.fixture(scope="module", autouse=True)
def cfn_lint_each_module(request: pytest.FixtureRequest) -> Iterator[None]:
    """Under pytest-xdist, a worker lints what a test file synthesized when the file is done (before it takes its next
    file), so linting spreads over the run and over both workers as pytest-xdist hands out files, instead of piling up
    at the end of one worker's session. A finding is an error in the teardown of the file's last test. A plain run
    keeps linting at the end, in forked processes on every core (``tests/cfn_lint_sweep.py``)."""
    yield
    if "tests.support" not in sys.modules or not os.environ.get("PYTEST_XDIST_WORKER"):
        return  # nothing synthesized through tests.support yet (and importing it would start jsii), or a plain run
    if not _runs_the_sweep(request.session):
        return  # a run without the sweep test lints nothing (see cfn_lint_the_rest)
    from tests import cfn_lint_sweep  # lazy: see the note on the imports

    linted, failures = cfn_lint_sweep.lint_unlinted(cfn_lint_sweep.claims_directory(request.config))
    assert failures == [], (
        f"cfn-lint: {len(failures)} finding(s) in the {linted} template(s) {request.node.nodeid} synthesized:\n"
        + "\n".join(failures)
    )


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """One readable JSON snapshot per assertion (normalise the value first with ``normalize_template``)."""
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.fixture
def normalized() -> Any:
    return normalize_template


#: The lifecycle matrix (tests/lifecycle) synthesizes ~40 configurations; `make lifecycle` runs it (and CI does).
LIFECYCLE_DIR = Path(__file__).parent / "lifecycle"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave the lifecycle matrix out of a plain run unless it is asked for (a path under it, or
    ``EKS_PLATFORM_LIFECYCLE=1``): the suite stays fast; `make lifecycle` runs the matrix on its own."""
    if collection_path != LIFECYCLE_DIR or os.environ.get("EKS_PLATFORM_LIFECYCLE") == "1":
        return None
    asked = [Path(str(arg).split("::", 1)[0]).resolve() for arg in config.args]
    return not any(path == LIFECYCLE_DIR or LIFECYCLE_DIR in path.parents for path in asked)


#: The run's cfn-lint claims directory, in the xdist controller (see ``pytest_configure_node``).
_CLAIMS = pytest.StashKey[str]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, in the controller: every worker of the run gets the same directory for its cfn-lint claims
    (``tests/cfn_lint_sweep.py``, key ``CLAIMS_KEY``), removed when the run ends."""
    config: pytest.Config = node.config
    if _CLAIMS not in config.stash:
        config.stash[_CLAIMS] = tempfile.mkdtemp(prefix="eks-platform-cfn-lint-")
        config.add_cleanup(functools.partial(shutil.rmtree, config.stash[_CLAIMS], ignore_errors=True))
    node.workerinput["eks_platform_cfn_lint_claims"] = config.stash[_CLAIMS]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run tests marked ``runs_last`` (the suite-wide cfn-lint sweep) after everything else has synthesized. Under
    pytest-xdist the sweep test sees only its own worker's templates so far: ``cfn_lint_the_rest`` lints the rest."""
    items.sort(key=lambda item: 1 if item.get_closest_marker("runs_last") else 0)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Once collected, move every object alive (modules, test items, the jsii bindings' classes: millions of them)
    out of the garbage collector's reach: they live until the process ends, and the collector's full passes would
    otherwise scan them again and again while tests run (about 7 of the suite's ~110 CPU-seconds, measured with
    `make test` in alternating runs). Garbage made during collection is collected first; what tests make is
    collected as usual. https://docs.python.org/3/library/gc.html#gc.freeze"""
    gc.collect()
    gc.freeze()


# -- the suite leaves the checkout as it found it -------------------------------------------------------------------
# A test that writes below the working directory (a relative manifests directory, a stray `cdk.out`) would leave
# files a later `git add -A` commits. The controller (or the only process) lists what git sees as changed or
# untracked before the run and fails the run if the list grows.
_REPO = Path(__file__).resolve().parent.parent


def _checkout_changes() -> set[str] | None:
    import subprocess

    if not (_REPO / ".git").exists() or shutil.which("git") is None:
        return None
    done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=_REPO,
                          capture_output=True, text=True, check=False)
    return set(done.stdout.splitlines()) if done.returncode == 0 else None


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        session.config.stash[_CHANGES_BEFORE] = _checkout_changes()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return
    before = session.config.stash.get(_CHANGES_BEFORE, None)
    after = _checkout_changes()
    if before is None or after is None:
        return
    written = sorted(after - before)
    if written:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("The test run changed the checkout (write to tmp_path instead):", red=True)
            for line in written[:20]:
                reporter.write_line(f"  {line}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_CHANGES_BEFORE = pytest.StashKey[set[str] | None]()
