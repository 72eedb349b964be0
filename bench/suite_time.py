"""Benchmark 3: wall time of the test suite (`make test`) on a warm machine.

Runs the suite ``--runs`` times (the first run also warms the OS file cache and Python bytecode), records each wall
time, the CPU time of the whole process tree (pytest and its jsii node processes, from ``getrusage(RUSAGE_CHILDREN)``:
what an idle machine would need, near enough, since the suite runs one test at a time), the pytest summary line and
the load average before and after: the machine may be shared, and wall time under load is not comparable with an
idle machine's. Target: at most 60 s on 2 cores.

The suite keeps cfn-lint's verdicts on clean templates in ``.pytest_cache/eks-platform-cfn-lint/`` (see
``tests/cfn_lint_sweep.py``): a run after another on the same checkout lints only what changed. ``--cfn-lint-cache
cold`` empties that cache before every run, as a fresh clone (CI) starts; ``warm`` (the default) keeps it. Each run
records which it was and how many verdicts the cache held when the run started, so cold and warm figures are never
mixed up. ``alternate`` runs cold, warm, cold, warm, ... so noise on a shared machine hits both alike.

Before each run it waits (at most ``--settle`` seconds) for the one-minute load average to drop below 1, so a run
starts on a quiet machine when there is one; the load at the start is recorded either way.

Usage: python bench/suite_time.py [--runs 2] [--command "make test"] [--cfn-lint-cache warm|cold|alternate]
       [--settle 90]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import shutil
import subprocess
import time
from typing import Any

from _common import REPO_ROOT, machine, write_result

# The suite's cfn-lint verdict cache (tests/cfn_lint_cache.py imports only the standard library)
from tests.cfn_lint_cache import CACHE_DIR as CFN_LINT_CACHE


def cached_verdicts() -> int:
    """How many clean verdicts the cache holds (0 when it does not exist)."""
    if not CFN_LINT_CACHE.is_dir():
        return 0
    return sum(1 for path in CFN_LINT_CACHE.iterdir() if not path.name.startswith("."))


def settle(limit_s: float) -> None:
    """Wait until the one-minute load average is below 1, for at most ``limit_s`` seconds."""
    deadline = time.monotonic() + limit_s
    while os.getloadavg()[0] >= 1.0 and time.monotonic() < deadline:
        time.sleep(5)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--command", default="make test")
    parser.add_argument("--note", default="", help="why the command differs from `make test`, shown in the docs")
    parser.add_argument("--cfn-lint-cache", choices=("warm", "cold", "alternate"), default="warm",
                        help="cold: empty the suite's cfn-lint result cache before every run (as a fresh clone); "
                        "alternate: cold, warm, cold, warm, ...")
    parser.add_argument("--settle", type=float, default=90.0,
                        help="wait at most this many seconds for a one-minute load average below 1 before each run")
    args = parser.parse_args(argv)
    runs = []
    for i in range(args.runs):
        mode = args.cfn_lint_cache if args.cfn_lint_cache != "alternate" else ("cold", "warm")[i % 2]
        settle(args.settle)
        if mode == "cold":
            shutil.rmtree(CFN_LINT_CACHE, ignore_errors=True)
        verdicts = cached_verdicts()
        load_before = machine()["load_average"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = subprocess.run(shlex.split(args.command), cwd=REPO_ROOT, capture_output=True, text=True, check=False,
                              env={**os.environ, "PYTHONDONTWRITEBYTECODE": "0"})
        wall = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        summary = next((line.strip("= ") for line in reversed(done.stdout.splitlines())
                        if re.search(r"\d+ (passed|failed|error)", line)), "no pytest summary")
        runs.append({"wall_s": wall, "cpu_s": cpu, "returncode": done.returncode, "summary": summary,
                     "load_before": load_before, "load_after": machine()["load_average"],
                     "cfn_lint_cache": mode, "cached_verdicts_before": verdicts})
        print(f"{args.command}: {wall:.1f} s wall, {cpu:.1f} s CPU, exit {done.returncode}, {summary} "
              f"(cfn-lint cache {mode}: {verdicts} verdicts; load {load_before} -> "
              f"{runs[-1]['load_after']})", flush=True)
    result = {"command": args.command, "note": args.note, "cfn_lint_cache": args.cfn_lint_cache, "runs": runs,
              "best_s": min(r["wall_s"] for r in runs)}
    write_result("suite_time", result)
    return result


if __name__ == "__main__":
    main()
