"""Benchmark 3: wall time of the test suite (`make test`) on a warm machine.

Runs the suite ``--runs`` times (the first run also warms the OS file cache and Python bytecode), records each wall
time, the CPU time of the whole process tree (pytest and its jsii node processes, from ``getrusage(RUSAGE_CHILDREN)``:
what an idle machine would need, near enough, since the suite runs one test at a time), the pytest summary line and
the load average before and after: the machine may be shared, and wall time under load is not comparable with an
idle machine's. Target: at most 60 s on 2 cores.

Usage: python bench/suite_time.py [--runs 2] [--command "make test"]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import subprocess
import time
from typing import Any

from _common import REPO_ROOT, machine, write_result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--command", default="make test")
    parser.add_argument("--note", default="", help="why the command differs from `make test`, shown in the docs")
    args = parser.parse_args(argv)
    runs = []
    for _ in range(args.runs):
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
                     "load_before": load_before, "load_after": machine()["load_average"]})
        print(f"{args.command}: {wall:.1f} s wall, {cpu:.1f} s CPU, exit {done.returncode}, {summary}", flush=True)
    result = {"command": args.command, "note": args.note, "runs": runs, "best_s": min(r["wall_s"] for r in runs)}
    write_result("suite_time", result)
    return result


if __name__ == "__main__":
    main()
