"""Benchmark 1: synth time of the reference app against the same resources built by hand (bench/plain_app.py).

One process, jsii warmed up by one untimed build of each, then ``--pairs`` alternating runs (reference, plain,
reference, plain, ...) so machine noise hits both alike. Each run = new App + build + ``app.synth()`` into a fresh
temp outdir. Reports medians and the ratio (target: reference <= 1.10 x plain), and checks that both apps produce the
same resource histogram per stack.

Usage: python bench/synth_overhead.py [--pairs 7]
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import aws_cdk as cdk
from _common import cdk_json_context, histogram, machine, median, timed, write_result
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


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=7)
    args = parser.parse_args(argv)
    load_before = machine()["load_average"]
    reference_templates = reference_run()  # warm-up, and the histograms
    plain_templates = plain_run()
    ref_hist, plain_hist = histogram(reference_templates), histogram(plain_templates)
    differences = {}
    for stack in sorted(set(ref_hist) | set(plain_hist)):
        a, b = ref_hist.get(stack, {}), plain_hist.get(stack, {})
        diff = {t: (a.get(t, 0), b.get(t, 0)) for t in sorted(set(a) | set(b)) if a.get(t, 0) != b.get(t, 0)}
        if diff:
            differences[stack] = diff
    reference_times, plain_times = [], []
    for _ in range(args.pairs):
        reference_times.append(timed(reference_run)[0])
        plain_times.append(timed(plain_run)[0])
    result = {
        "pairs": args.pairs,
        "reference_s": reference_times,
        "plain_s": plain_times,
        "reference_median_s": median(reference_times),
        "plain_median_s": median(plain_times),
        "ratio": median(reference_times) / median(plain_times),
        "per_pair_ratios": [r / p for r, p in zip(reference_times, plain_times, strict=True)],
        "resources": {stack: sum(c.values()) for stack, c in ref_hist.items()},
        "plain_resources": {stack: sum(c.values()) for stack, c in plain_hist.items()},
        "histogram_differences": differences,
        "load_before": load_before,
        "load_after": machine()["load_average"],
        "pid": os.getpid(),
    }
    write_result("synth_overhead", result)
    print(
        f"reference median {result['reference_median_s']:.3f} s, plain median {result['plain_median_s']:.3f} s, "
        f"ratio {result['ratio']:.3f} (target <= 1.10); histogram differences: {differences or 'none'}"
    )
    return result


if __name__ == "__main__":
    main()
