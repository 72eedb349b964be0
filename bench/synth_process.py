"""Benchmark 2: a whole `cdk synth` as a user runs it, reference app against bench/plain_app.py.

Each run is the CDK CLI (``npx --no-install cdk synth --quiet``) with ``--app`` pointing at the reference app
(``app.py``) or the plain one, into a fresh output directory: the CLI's node process, the Python app, jsii's node
kernel and aws-cdk-lib's start-up, all included. Runs alternate (reference, plain, reference, ...) so machine noise
hits both alike.

CPU is the user + system time of the whole process tree, read the way ``/usr/bin/time`` does: the change of
``resource.getrusage(RUSAGE_CHILDREN)`` across the run (every process of the tree is waited for by its parent, so
its time is folded into the CLI's). Peak RSS is the largest of the tree (``ru_maxrss``) and only reported when it
grows, since the kernel keeps the maximum over every child ever waited for.

``--validation on`` (the default, what users get), ``off`` (``CDK_VALIDATION=false``) or ``both``.

Usage: python bench/synth_process.py [--pairs 3] [--validation both]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

from _common import REPO_ROOT, machine, spread, write_result

APPS = {
    "reference": f"{sys.executable} app.py",
    "plain": f"{sys.executable} bench/plain_app.py --quiet",
}


def cdk_command() -> list[str]:
    return ["npx", "--no-install", "cdk", "synth", "--quiet", "--no-notices", "--no-version-reporting"]


def one_run(app: str, validation: bool) -> dict[str, Any]:
    outdir = tempfile.mkdtemp(prefix="bench-synth-")
    env = {**os.environ, "CDK_DISABLE_VERSION_CHECK": "true", "CDK_DISABLE_CLI_TELEMETRY": "true",
           "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "PYTHONPATH": str(REPO_ROOT)}
    env.pop("CDK_VALIDATION", None)
    if not validation:
        env["CDK_VALIDATION"] = "false"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run([*cdk_command(), "--app", APPS[app], "--output", outdir], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(outdir, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"cdk synth of {app} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return {
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "user_s": after.ru_utime - before.ru_utime,
        "system_s": after.ru_stime - before.ru_stime,
        "max_rss_mib": after.ru_maxrss / 1024,
    }


def series(pairs: int, validation: bool) -> dict[str, Any]:
    load_before = machine()["load_average"]
    runs: dict[str, list[dict[str, Any]]] = {"reference": [], "plain": []}
    for _ in range(pairs):
        for app in ("reference", "plain"):
            runs[app].append(one_run(app, validation))
    summary = {app: {m: spread([r[m] for r in rows]) for m in ("wall_s", "cpu_s")} for app, rows in runs.items()}
    return {
        "validation": validation,
        "pairs": pairs,
        "runs": runs,
        "summary": summary,
        "cpu_ratio": summary["reference"]["cpu_s"]["median"] / summary["plain"]["cpu_s"]["median"],
        "wall_ratio": summary["reference"]["wall_s"]["median"] / summary["plain"]["wall_s"]["median"],
        "per_pair_cpu_ratios": [r["cpu_s"] / p["cpu_s"] for r, p in zip(runs["reference"], runs["plain"],
                                                                          strict=True)],
        "load_before": load_before,
        "load_after": machine()["load_average"],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--validation", choices=("on", "off", "both"), default="both")
    args = parser.parse_args(argv)
    one_run("reference", validation=False)  # warm the file cache and bytecode, untimed
    result: dict[str, Any] = {"command": " ".join(cdk_command()) + " --app ..."}
    for mode in ("on", "off"):
        if args.validation in (mode, "both"):
            data = series(args.pairs, validation=mode == "on")
            result[f"validation_{mode}"] = data
            ref, plain = data["summary"]["reference"], data["summary"]["plain"]
            print(f"cdk synth, validation {mode}: CPU {ref['cpu_s']['median']:.2f} vs {plain['cpu_s']['median']:.2f} "
                  f"s ({data['cpu_ratio']:.3f}x), wall {ref['wall_s']['median']:.2f} vs "
                  f"{plain['wall_s']['median']:.2f} s "
                  f"({data['wall_ratio']:.3f}x), load {data['load_before']} -> {data['load_after']}", flush=True)
    write_result("synth_process", result)
    return result


if __name__ == "__main__":
    main()
