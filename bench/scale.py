"""Benchmark 2: how synth time, memory and resource count grow with Pod Identity bindings, node pools and add-ons.

Each point runs in a fresh child process (so peak memory belongs to that point): the child builds the app
``--reps`` times and reports

* ``cold_s``: process start to the end of the first synth (interpreter, jsii start, imports, build, synth) - what
  ``cdk synth`` of that app costs;
* ``warm_s``: median build + synth of the later repetitions, in the same process (jsii already running);
* peak RSS of the Python process and of the jsii ``node`` child (``VmHWM`` from /proc), resource counts per stack.

Dimensions (each on the reference cluster with every other feature section removed):

* ``bindings`` 1, 10, 100, 400: ``PodIdentity`` constructs in separate stacks of at most 200 bindings (two
  resources each) that take the cluster as a parameter - the split the 500-resource check asks for;
* ``node-pools`` 1..10: the ``nodePools`` section with N pools (one NodeClass);
* ``addons`` 1..15: the first N catalog add-ons through ``AutoModeCluster.add_addon``, each with the first settings
  that make it construct (``OPTION_CANDIDATES``: hosted zones for external-dns, ``extra_capacity`` for the add-ons
  Auto Mode has built in, a synthetic version where the catalog has no 1.32 pin).

Usage: python bench/scale.py [--reps 3] [--quick]        (child mode: --point DIMENSION N)
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import time

START = time.perf_counter()

from typing import Any  # noqa: E402

from _common import REPO_ROOT, cdk_json_context, histogram, machine, median, memory_mib, write_result  # noqa: E402

BINDINGS = (1, 10, 100, 400)
NODE_POOLS = tuple(range(1, 11))
ADDONS = tuple(range(1, 16))
BINDINGS_PER_STACK = 200
CORE_SECTIONS = ("podIdentities", "addons", "storage", "nodePools", "hybrid")


def base_platform() -> dict[str, Any]:
    platform: dict[str, Any] = copy.deepcopy(cdk_json_context()["platform"])
    for section in CORE_SECTIONS:
        platform.pop(section, None)
    platform["addons"] = {}  # absent means the default add-ons
    return platform


def node_pools_section(n: int) -> dict[str, Any]:
    reference = cdk_json_context()["platform"]["nodePools"]
    template = next(iter(reference["pools"].values()))
    node_class = next(iter(reference["nodeClasses"]))
    pools = {}
    for i in range(n):
        pool = copy.deepcopy(template)
        pool["nodeClass"] = node_class
        pool["labels"] = {"workload": f"pool-{i}"}
        pools[f"pool-{i}"] = pool
    return {"nodeClasses": copy.deepcopy(reference["nodeClasses"]), "pools": pools}


#: Settings tried in order until the add-on constructs on the reference Auto Mode cluster. Versions marked synthetic
#: stand in for catalog gaps (the benchmark synthesizes, it never deploys).
OPTION_CANDIDATES: tuple[dict[str, Any], ...] = (
    {},
    {"hosted_zone_ids": ["Z0EXAMPLE00000000000001"]},
    {"extra_capacity": True},
    {"version": "v1.0.0-eksbuild.1"},
    {"version": "v1.0.0-eksbuild.1", "extra_capacity": True},
)


def installable_addons() -> list[tuple[str, dict[str, Any]]]:
    """Every catalog add-on with the first settings that make it construct on the reference Auto Mode cluster."""
    import aws_cdk as cdk

    from eks_platform.config import parse_platform_config
    from eks_platform.constructs import addons as addon_constructs
    from eks_platform.errors import ConfigError
    from eks_platform.stacks.reference import EksReferenceStack

    platform = base_platform()
    accepted = []
    for name in [a.value for a in addon_constructs.AddonName]:
        for options in OPTION_CANDIDATES:
            try:
                app = cdk.App(context={**cdk_json_context(), "platform": platform})
                stack = EksReferenceStack(app, "Probe", config=parse_platform_config(platform, environ={}))
                stack.cluster.add_addon(name, **options)
            except (ConfigError, RuntimeError, TypeError):
                continue
            accepted.append((name, options))
            break
    return accepted


def build(dimension: str, n: int, addons: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam

    from eks_platform.config import parse_platform_config
    from eks_platform.constructs.pod_identity import PodIdentity
    from eks_platform.stacks.base import HermeticStack
    from eks_platform.stacks.reference import EksReferenceStack
    from eks_platform.testing import synth_templates

    platform = base_platform()
    if dimension == "node-pools":
        platform["nodePools"] = node_pools_section(n)
    app = cdk.App(context={**cdk_json_context(), "platform": platform})
    config = parse_platform_config(platform, environ={})
    reference = EksReferenceStack(app, "EksPlatform", config=config)
    if dimension == "addons":
        for name, options in addons[:n]:
            reference.cluster.add_addon(name, **options)
    if dimension == "bindings":
        policy = iam.ManagedPolicy.from_aws_managed_policy_name("AmazonS3ReadOnlyAccess")
        for start in range(0, n, BINDINGS_PER_STACK):
            stack = HermeticStack(app, f"EksPlatformBindings{start // BINDINGS_PER_STACK + 1}",
                                  env=reference.environment and cdk.Environment(account=config.account,
                                                                                region=config.region))
            for i in range(start, min(n, start + BINDINGS_PER_STACK)):
                PodIdentity(stack, f"Binding{i}", cluster=reference.cluster.cluster, namespace=f"team-{i % 50}",
                            service_account=f"app-{i}", managed_policies=[policy])
    return synth_templates(app)


def child(dimension: str, n: int, reps: int, addons: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    templates = build(dimension, n, addons)
    cold = time.perf_counter() - START
    warm = []
    for _ in range(max(0, reps - 1)):
        began = time.perf_counter()
        build(dimension, n, addons)
        warm.append(time.perf_counter() - began)
    counts = {name: sum(c.values()) for name, c in histogram(templates).items()}
    return {
        "dimension": dimension,
        "n": n,
        "cold_s": cold,
        "warm_s": median(warm) if warm else None,
        "warm_runs_s": warm,
        "resources": counts,
        "resources_total": sum(counts.values()),
        "stacks": len(counts),
        **memory_mib(),
    }


def run_point(dimension: str, n: int, reps: int, addons: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    command = [sys.executable, __file__, "--point", dimension, str(n), "--reps", str(reps),
               "--addons", json.dumps(addons)]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, check=False)
    if done.returncode != 0:
        return {"dimension": dimension, "n": n, "error": (done.stderr or done.stdout).strip().splitlines()[-5:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - began
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="fewer points (1, 10 bindings; 1, 5 pools; 1, 5 add-ons)")
    parser.add_argument("--point", nargs=2, metavar=("DIMENSION", "N"))
    parser.add_argument("--addons", default="")
    parser.add_argument("--target-pairs", type=int, default=3, help="alternating 1/400-binding cold runs")
    args = parser.parse_args(argv)
    if args.point:
        chosen = [(name, options) for name, options in json.loads(args.addons or "[]")]
        print(json.dumps(child(args.point[0], int(args.point[1]), args.reps, chosen)))
        return {}

    addons = installable_addons()
    plan = {
        "bindings": (1, 10) if args.quick else BINDINGS,
        "node-pools": (1, 5) if args.quick else NODE_POOLS,
        "addons": tuple(n for n in ((1, 5) if args.quick else ADDONS) if n <= len(addons)),
    }
    results: dict[str, Any] = {"load_before": machine()["load_average"], "addons": addons, "points": []}
    for dimension, sizes in plan.items():
        for n in sizes:
            point = run_point(dimension, n, args.reps, addons)
            results["points"].append(point)
            shown = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in point.items() if k != "warm_runs_s"}
            print(json.dumps(shown), flush=True)
    # The target (400 bindings < 2x the time of 1) from alternating fresh processes, so load changes hit both.
    ones, fours = [], []
    for _ in range(args.target_pairs):
        ones.append(run_point("bindings", 1, 1, addons).get("cold_s"))
        fours.append(run_point("bindings", 400, 1, addons).get("cold_s"))
    if all(isinstance(x, float) for x in ones + fours):
        results["bindings_target"] = {"cold_1_s": ones, "cold_400_s": fours,
                                      "ratio_of_medians": median(fours) / median(ones)}
        print(f"400 vs 1 binding, cold, alternating: {median(fours):.2f} / {median(ones):.2f} s = "
              f"{median(fours) / median(ones):.2f}x", flush=True)
    results["load_after"] = machine()["load_average"]
    results["max_addons"] = len(addons)
    write_result("scale", results)
    return results


if __name__ == "__main__":
    main()
