"""Benchmark 3: round trips, CPU and resources per item, for the library and for the same resources by hand.

For each dimension the app is the reference cluster with every other feature section removed, plus n items; the
plain side (``bench/plain_app.py``) builds the same resources with aws-cdk-lib only. Each point is one build + synth
in this (warm) process, counted by ``meter.Meter``: round trips are exact, so one run per point is enough; CPU
(Python + jsii's node) is reported beside them, for information.

Dimensions and sizes:

* ``node-pools`` 1, 10, 50: the ``nodePools`` section with n pools sharing one NodeClass (one chart);
* ``bindings`` 1, 100, 400, 1000: ``PodIdentity`` constructs in stacks of at most 200 bindings that take the
  cluster as a parameter (the split the 500-resource check asks for);
* ``addons`` 1, 4, 8, all: catalog add-ons through ``add_addon``, each with the first settings it accepts. Add-ons
  differ from each other, so this dimension is judged by interaction instead of segment slopes: the count for n
  add-ons against the sum of each one's cost alone (``addon_interaction``);
* ``tiers`` 1, 10, 50: VolumeAttributesClass tiers in the ``storage`` section (one chart);
* ``charts`` 1, 10, 50: charts of one ConfigMap each through the cluster's ``ManifestDelivery``;
* ``stacks`` 1, 3, 6: reference stacks (a cluster with every feature of cdk.json but hybrid) in one app.

The fit per dimension is the least-squares line through the points (round trips = a + b n) and the marginal cost of
each segment between two points. A dimension is **super-linear** when the last segment costs more than 10 % (and
more than one round trip) per item above the first: then the run exits 1, so ``make bench`` fails.

Usage: python bench/scale.py [--quick] [--only DIMENSION ...]
"""

from __future__ import annotations

import argparse
import copy
import os
import sys

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CDK_VALIDATION", "false")  # read once when jsii starts node; see bench/_common.py

from collections.abc import Callable
from typing import Any

from _common import cdk_json_context, histogram, machine, read_result, write_result
from meter import measure

SIZES: dict[str, tuple[int, ...]] = {
    "node-pools": (1, 10, 50),
    "bindings": (1, 100, 400, 1000),
    "addons": (1, 4, 8, 0),  # 0: every add-on the catalog lets the reference cluster install
    "tiers": (1, 10, 50),
    "charts": (1, 10, 50),
    "stacks": (1, 3, 6),
}
QUICK_SIZES: dict[str, tuple[int, ...]] = {
    "node-pools": (1, 5, 10),
    "bindings": (1, 10, 50),
    "addons": (1, 3, 6),
    "tiers": (1, 5, 10),
    "charts": (1, 5, 10),
    "stacks": (1, 2, 3),
}
BINDINGS_PER_STACK = 200
CORE_SECTIONS = ("podIdentities", "addons", "storage", "nodePools", "hybrid")
SUPER_LINEAR_SLACK = 1.10
#: Settings tried in order until the add-on constructs on the reference Auto Mode cluster. Versions marked synthetic
#: stand in for catalog gaps (the benchmark synthesizes, it never deploys).
OPTION_CANDIDATES: tuple[dict[str, Any], ...] = (
    {},
    {"hosted_zone_ids": ["Z0EXAMPLE00000000000001"]},
    {"extra_capacity": True},
    {"version": "v1.0.0-eksbuild.1"},
    {"version": "v1.0.0-eksbuild.1", "extra_capacity": True},
)


# -- the platform objects ----------------------------------------------------------------------------------------------


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


def tiers_section(n: int) -> dict[str, Any]:
    storage: dict[str, Any] = copy.deepcopy(cdk_json_context()["platform"]["storage"])
    storage["tiers"] = [{"name": f"tier-{i}", "iops": 3000 + 100 * i, "throughput": 125} for i in range(n)]
    return storage


def charts_storage() -> dict[str, Any]:
    storage: dict[str, Any] = copy.deepcopy(cdk_json_context()["platform"]["storage"])
    storage["tiers"] = []
    return storage


def platform_for(dimension: str, n: int) -> dict[str, Any]:
    platform = base_platform()
    if dimension == "node-pools":
        platform["nodePools"] = node_pools_section(n)
    elif dimension == "tiers":
        platform["storage"] = tiers_section(n)
    elif dimension == "charts":
        platform["storage"] = charts_storage()  # a ManifestDelivery with a kubectl provider, no tier
    elif dimension == "stacks":
        platform = copy.deepcopy(cdk_json_context()["platform"])
        platform.pop("hybrid", None)
    return platform


def bindings(n: int) -> list[tuple[int, str, str]]:
    return [(i, f"team-{i % 50}", f"app-{i}") for i in range(n)]


# -- the library side --------------------------------------------------------------------------------------------------


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


def library_app(dimension: str, n: int, addons: list[tuple[str, dict[str, Any]]]) -> Any:
    import aws_cdk as cdk
    import cdk8s
    from aws_cdk import aws_iam as iam

    from eks_platform.config import parse_platform_config
    from eks_platform.constructs.pod_identity import PodIdentity
    from eks_platform.stacks.base import HermeticStack
    from eks_platform.stacks.reference import EksReferenceStack

    platform = platform_for(dimension, n)
    app = cdk.App(context={**cdk_json_context(), "platform": platform})
    config = parse_platform_config(platform, environ={})
    if dimension == "stacks":
        for i in range(n):
            name = f"{config.cluster_name}-{i}"
            EksReferenceStack(app, f"EksPlatform{i}", config=parse_platform_config({**platform, "clusterName": name},
                                                                                  environ={}))
        return app
    reference = EksReferenceStack(app, "EksPlatform", config=config)
    if dimension == "addons":
        for name, options in addons[:n]:
            reference.cluster.add_addon(name, **options)
    elif dimension == "charts":
        delivery = reference.cluster.manifests
        for i in range(n):
            chart = delivery.new_chart(f"Chart{i}")
            cdk8s.ApiObject(chart, "Settings", api_version="v1", kind="ConfigMap",
                            metadata={"name": f"settings-{i}", "namespace": "default"})
            delivery.add_chart(chart)
    elif dimension == "bindings":
        policy = iam.ManagedPolicy.from_aws_managed_policy_name("AmazonS3ReadOnlyAccess")
        env = cdk.Environment(account=config.account, region=config.region)
        stack = None
        for i, namespace, service_account in bindings(n):
            if i % BINDINGS_PER_STACK == 0:
                stack = HermeticStack(app, f"EksPlatformBindings{i // BINDINGS_PER_STACK + 1}", env=env)
            PodIdentity(stack, f"Binding{i}", cluster=reference.cluster.cluster, namespace=namespace,
                        service_account=service_account, managed_policies=[policy])
    return app


# -- the plain side ----------------------------------------------------------------------------------------------------


def plain_app(dimension: str, n: int, addons: list[tuple[str, dict[str, Any]]]) -> Any:
    import aws_cdk as cdk
    from aws_cdk import aws_eks_v2 as eks
    from aws_cdk import aws_iam as iam
    from plain_app import ACCOUNT, ADDON_VERSIONS, REGION, PlainStack, plain_pod_identity

    platform = platform_for(dimension, n)
    app = cdk.App(context={**cdk_json_context(), "platform": platform})
    import datetime as dt

    date = dt.date(2026, 11, 27)
    if dimension == "stacks":
        for i in range(n):
            PlainStack(app, f"EksPlatform{i}", platform=platform, name=f"{platform['clusterName']}-{i}", hybrid=None,
                       synth_date=date)
        return app
    stack = PlainStack(app, "EksPlatform", platform=platform, name=platform["clusterName"], hybrid=None,
                       synth_date=date)
    if dimension == "addons":
        for name, options in addons[:n]:
            version = options.get("version") or ADDON_VERSIONS.get(name) or "v1.0.0-eksbuild.1"
            eks.Addon(stack, f"Addon{name}", cluster=stack.cluster, addon_name=name, addon_version=version,
                      preserve_on_delete=False)
    elif dimension == "charts":
        for i in range(n):
            config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": f"settings-{i}", "namespace": "default"}}
            stack.add_objects(stack.cluster, f"Chart{i}", [config_map])
    elif dimension == "bindings":
        policy = iam.ManagedPolicy.from_aws_managed_policy_name("AmazonS3ReadOnlyAccess")
        env = cdk.Environment(account=ACCOUNT, region=REGION)
        scope = None
        for i, namespace, service_account in bindings(n):
            if i % BINDINGS_PER_STACK == 0:
                scope = cdk.Stack(app, f"EksPlatformBindings{i // BINDINGS_PER_STACK + 1}", env=env)
            plain_pod_identity(scope, stack.cluster, namespace, service_account, [policy])
    return app


# -- measuring and fitting ---------------------------------------------------------------------------------------------


def point(build: Callable[[], Any]) -> dict[str, Any]:
    from eks_platform.testing import synth_templates

    done = measure(lambda: synth_templates(build()))
    counts = {name: sum(c.values()) for name, c in histogram(done.result).items()}
    return {"round_trips": done.counts.total, "kinds": dict(done.counts.kinds), "cpu_s": done.cpu_s,
            "wall_s": done.wall_s, "resources_total": sum(counts.values()), "stacks": len(counts)}


def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares slope and intercept."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return slope, my - slope * mx


def fit(points: list[dict[str, Any]], metric: str) -> dict[str, Any]:
    xs, ys = [float(p["n"]) for p in points], [float(p[metric]) for p in points]
    slope, intercept = linear_fit(xs, ys)
    segments = [(ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]) for i in range(len(xs) - 1)]
    growth = segments[-1] - segments[0]
    super_linear = metric == "round_trips" and growth > max(1.0, (SUPER_LINEAR_SLACK - 1) * abs(segments[0]))
    return {"per_item": slope, "intercept": intercept, "segments": segments, "super_linear": super_linear}


def dimension_result(dimension: str, sizes: tuple[int, ...],
                     addons: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    rows: dict[str, list[dict[str, Any]]] = {"library": [], "plain": []}
    for n in sizes:
        n = n or len(addons)
        for side, builder in (("library", library_app), ("plain", plain_app)):
            row = {"n": n, **point(lambda b=builder, n=n: b(dimension, n, addons))}  # type: ignore[misc]
            rows[side].append(row)
        lib, plain = rows["library"][-1], rows["plain"][-1]
        print(f"  {dimension} n={n}: round trips {lib['round_trips']} vs {plain['round_trips']}, "
              f"CPU {lib['cpu_s']:.2f} vs {plain['cpu_s']:.2f} s, resources {lib['resources_total']} vs "
              f"{plain['resources_total']}", flush=True)
    fits = {side: {metric: fit(points, metric) for metric in ("round_trips", "cpu_s")} for side, points in rows.items()}
    library_trips, plain_trips = fits["library"]["round_trips"], fits["plain"]["round_trips"]
    result = {
        "points": rows,
        "fits": fits,
        "per_item_ratio": (library_trips["per_item"] / plain_trips["per_item"]) if plain_trips["per_item"] else None,
        "super_linear": library_trips["super_linear"],
    }
    if dimension == "addons":
        result.update(addon_interaction(rows["library"], addons))
    return result


def addon_interaction(points: list[dict[str, Any]], addons: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Add-ons differ from each other (some bring roles, node groups or dependencies), so segment slopes of the
    catalog order mix different items. The exact test: each add-on's cost alone (base + it, minus base), summed over
    the first n, predicts n add-ons together; what the real count has above that prediction is interaction between
    add-ons, which a linear library does not have."""
    base = point(lambda: library_app("addons", 0, addons))["round_trips"]
    alone = [point(lambda i=i: library_app("addons", 1, addons[i:i + 1]))["round_trips"] - base  # type: ignore[misc]
             for i in range(max(p["n"] for p in points))]
    excess = [p["round_trips"] - base - sum(alone[: p["n"]]) for p in points]
    print(f"  add-ons: interaction above the sum of single add-ons at n = {[p['n'] for p in points]}: {excess}",
          flush=True)
    return {"alone": alone, "base": base, "interaction": excess,
            "super_linear": excess[-1] - excess[0] > max(1.0, (SUPER_LINEAR_SLACK - 1) * sum(alone))}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--only", nargs="*", default=[], help="dimensions to run (default: all)")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    addons = installable_addons()
    point(lambda: library_app("node-pools", 1, addons))  # warm-up of both sides, untimed
    point(lambda: plain_app("node-pools", 1, addons))
    results: dict[str, Any] = {"load_before": machine()["load_average"], "addons": addons, "quick": args.quick,
                               "dimensions": {}}
    for dimension, points in sizes.items():
        if args.only and dimension not in args.only:
            continue
        print(f"== {dimension}", flush=True)
        results["dimensions"][dimension] = data = dimension_result(dimension, points, addons)
        trips = data["fits"]["library"]["round_trips"]
        plain_per_item = data["fits"]["plain"]["round_trips"]["per_item"]
        print(f"  per item: {trips['per_item']:.1f} round trips (plain {plain_per_item:.1f}); "
              f"segments {', '.join(f'{s:.1f}' for s in trips['segments'])}"
              f"{'  SUPER-LINEAR' if data['super_linear'] else ''}", flush=True)
    results["load_after"] = machine()["load_average"]
    earlier = read_result("scale" + ("_quick" if args.quick else "")) if args.only else None
    if earlier:  # --only: keep the other dimensions of the last full run
        results["dimensions"] = {**earlier.get("dimensions", {}), **results["dimensions"]}
    results["super_linear"] = sorted(d for d, data in results["dimensions"].items() if data["super_linear"])
    write_result("scale" + ("_quick" if args.quick else ""), results)
    if results["super_linear"]:
        print(f"super-linear round trips: {', '.join(results['super_linear'])}", file=sys.stderr)
        sys.exit(1)
    return results


if __name__ == "__main__":
    main()
