"""Benchmark 1: warm synth of the reference app against the same resources built by hand (bench/plain_app.py).

One process; jsii is warmed up by one untimed build of each app. Then:

* **round trips**: one counted build + synth of each app under ``meter.Meter`` (exact, noise-free), with the call
  sites of the reference app's requests;
* **CPU and wall**: ``--pairs`` alternating runs (reference, plain, reference, plain, ...) so machine noise hits both
  alike; CPU is Python's plus the jsii node processes' (``meter.measure``). Reported as min / median / max per app
  and as the ratio of medians, with the load average before and after.

A run is a new ``cdk.App`` + build + ``app.synth()``. It also checks that both apps produce the same resource
histogram per stack, so the comparison stays fair when the reference app grows.

aws-cdk-lib's built-in template validation runs inside every synth unless ``CDK_VALIDATION=false``; it costs both
apps the same and is not the library's, so the benchmark turns it off (``bench/_common.py``) unless
``--validation`` is given.

Usage: python bench/synth_overhead.py [--pairs 7] [--validation]
"""

from __future__ import annotations

import argparse
import os
import sys

# Before aws_cdk starts jsii's node process, which reads both variables once.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ["CDK_VALIDATION"] = "true" if "--validation" in sys.argv else os.environ.get("CDK_VALIDATION", "false")

from collections import Counter
from typing import Any

import aws_cdk as cdk
from _common import cdk_json_context, histogram, machine, spread, write_result
from meter import counting, measure
from plain_app import build_plain_app

from eks_platform.stacks.app import build_app
from eks_platform.testing import synth_templates


def reference_run() -> dict[str, dict[str, Any]]:
    app = cdk.App(context=cdk_json_context())
    build_app(app)
    return synth_templates(app)


def plain_run() -> dict[str, dict[str, Any]]:
    context = cdk_json_context()
    app = cdk.App(context=context)
    build_plain_app(app, context["platform"])
    return synth_templates(app)


def histogram_differences(a_templates: dict[str, Any], b_templates: dict[str, Any]) -> dict[str, Any]:
    a_hist, b_hist = histogram(a_templates), histogram(b_templates)
    differences = {}
    for stack in sorted(set(a_hist) | set(b_hist)):
        a, b = a_hist.get(stack, Counter()), b_hist.get(stack, Counter())
        diff = {t: (a.get(t, 0), b.get(t, 0)) for t in sorted(set(a) | set(b)) if a.get(t, 0) != b.get(t, 0)}
        if diff:
            differences[stack] = diff
    return differences


def by_function(sites: list[list[Any]], top: int) -> list[list[Any]]:
    """Round trips per eks_platform function (file + function name), most first."""
    totals: Counter[str] = Counter()
    for site, _kind, _member, n in sites:
        where, _, function = site.partition(" ")
        totals[f"{where.rsplit(':', 1)[0]} {function}"] += n
    return [[name, n] for name, n in totals.most_common(top)]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--validation", action="store_true", help="keep aws-cdk-lib's built-in template validation")
    parser.add_argument("--label", default="synth_overhead", help="result file name in .bench-tmp/")
    args = parser.parse_args(argv)
    load_before = machine()["load_average"]
    # The first build of each app in this process (the warm-up, and the histograms) is counted too: a first build
    # also makes the value objects the library keeps per process (managed policies, principals, cdk8s JsonPatch
    # values), which later builds reuse. Assembly loads ("load") are jsii start-up, not the app's, and are left out.
    with counting() as first_reference:
        reference_templates = reference_run()
    with counting() as first_plain:
        plain_templates = plain_run()
    differences = histogram_differences(reference_templates, plain_templates)

    counted_reference = measure(reference_run, sites=True)
    counted_plain = measure(plain_run)
    runs: dict[str, list[dict[str, float]]] = {"reference": [], "plain": []}
    for _ in range(args.pairs):
        for name, fn in (("reference", reference_run), ("plain", plain_run)):
            done = measure(fn)
            runs[name].append({"wall_s": done.wall_s, "cpu_s": done.cpu_s, "python_cpu_s": done.python_cpu_s,
                               "node_cpu_s": done.node_cpu_s, "round_trips": done.counts.total})
    summary = {name: {metric: spread([r[metric] for r in rows])
                      for metric in ("wall_s", "cpu_s", "python_cpu_s", "node_cpu_s")} for name, rows in runs.items()}
    ref_trips, plain_trips = counted_reference.counts, counted_plain.counts
    reference_dict = counted_reference.counts.as_dict(top=1000)
    result = {
        "pairs": args.pairs,
        "validation": os.environ.get("CDK_VALIDATION", "") != "false",
        "round_trips": {"reference": ref_trips.as_dict(), "plain": plain_trips.as_dict(),
                        "ratio": ref_trips.total / plain_trips.total,
                        "reference_members": reference_dict["members"],
                        "plain_members": plain_trips.as_dict(top=1000)["members"],
                        "reference_sites": reference_dict["sites"],
                        "reference_functions": by_function(reference_dict["sites"], 25)},
        "first_build": {"reference": first_reference.total - first_reference.kinds.get("load", 0),
                        "plain": first_plain.total - first_plain.kinds.get("load", 0)},
        "runs": runs,
        "summary": summary,
        "cpu_ratio": summary["reference"]["cpu_s"]["median"] / summary["plain"]["cpu_s"]["median"],
        "wall_ratio": summary["reference"]["wall_s"]["median"] / summary["plain"]["wall_s"]["median"],
        "per_pair_cpu_ratios": [r["cpu_s"] / p["cpu_s"] for r, p in zip(runs["reference"], runs["plain"],
                                                                          strict=True)],
        "resources": {stack: sum(c.values()) for stack, c in histogram(reference_templates).items()},
        "plain_resources": {stack: sum(c.values()) for stack, c in histogram(plain_templates).items()},
        "histogram_differences": differences,
        "load_before": load_before,
        "load_after": machine()["load_average"],
    }
    write_result(args.label, result)
    print(
        f"round trips {ref_trips.total} vs {plain_trips.total} ({result['round_trips']['ratio']:.2f}x); "
        f"CPU median {summary['reference']['cpu_s']['median']:.3f} vs {summary['plain']['cpu_s']['median']:.3f} s "
        f"({result['cpu_ratio']:.2f}x); first build {result['first_build']['reference']} vs "
        f"{result['first_build']['plain']} round trips; wall {result['wall_ratio']:.2f}x; validation "
        f"{'on' if result['validation'] else 'off'}; histogram differences: {differences or 'none'}"
    )
    return result


if __name__ == "__main__":
    main()
