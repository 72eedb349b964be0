"""The checked-in EKS add-on catalog (``data/addons.json``) and the pure rules built on it.

Synth never asks AWS for versions: every default comes from the table, which ``scripts/refresh_addons.py``
regenerates from ``aws eks describe-addon-versions`` output.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from eks_platform._internal import validation as v

#: ``vX.Y.Z-eksbuild.N``, the form of every EKS add-on version (e.g. ``v1.11.4-eksbuild.33``).
VERSION_PATTERN = re.compile(r"v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)-eksbuild\.(0|[1-9]\d*)", re.ASCII)
#: Route 53 hosted zone IDs: upper-case letters and digits (``Z1D633PJN98FT9``), at most 32 characters.
HOSTED_ZONE_ID = re.compile(r"[A-Z0-9]{1,32}", re.ASCII)
BASES = ("aws-docs", "describe-addon-versions", "cluster-config", "bracketed", "inferred")
IAM_KINDS = ("none", "required", "optional", "user")
CATALOG_FILE = "addons.json"


@dataclass(frozen=True, kw_only=True, slots=True)
class VersionPin:
    version: str
    basis: str
    source: str
    note: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class HybridPlacement:
    """How an add-on is placed in a cluster with hybrid nodes (``hybrid_placement`` in the catalog).

    ``kind``: ``cloud`` (serves a webhook or an APIService: kept off hybrid nodes unless their pod CIDRs are
    routable), ``manual`` (the same need, not configurable through the add-on) or ``spread`` (replicas on every
    compute type). ``affinity_paths``: configuration keys that take the node affinity. ``webhook_ports``: container
    ports the control plane connects to; ``port_setting``: the configuration key that changes them.
    """

    kind: str
    serves: str | None
    affinity_paths: tuple[str, ...]
    webhook_ports: tuple[int, ...]
    port_setting: str | None
    setting: str | None
    source: str
    note: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CatalogEntry:
    name: str
    owner: str
    namespace: str
    service_account: str | None
    iam_kind: str
    iam_policy: str | None
    managed_policies: tuple[str, ...]
    association: str | None
    auto_mode_builtin: bool
    hybrid: bool
    needs_nodes: bool
    requires: tuple[str, ...]
    partitions: tuple[str, ...] | None
    docs: str
    pins: Mapping[str, VersionPin]
    gaps: Mapping[str, str]
    hybrid_min: str | None = None
    """The oldest version the EKS user guide lists as compatible with hybrid nodes (None: not hybrid-compatible)."""
    catalogued: bool = True
    """False for an EKS add-on this library knows only by name (installed at an explicit version, with a warning)."""
    hybrid_placement: HybridPlacement | None = None
    """How the add-on is placed in a cluster with hybrid nodes (None: no placement needed)."""

    @property
    def community(self) -> bool:
        return self.owner == "community"


def _load_text() -> str:
    return resources.files("eks_platform._internal.data").joinpath(CATALOG_FILE).read_text()


@cache
def raw_catalog() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_load_text())
    return data


def parse_catalog(data: Mapping[str, Any]) -> dict[str, CatalogEntry]:
    """Typed entries from the JSON document (also used by the refresh script on its output)."""
    entries = {}
    for name, row in data["addons"].items():
        iam = row["iam"]
        entries[name] = CatalogEntry(
            name=name,
            owner=row["owner"],
            namespace=row["namespace"],
            service_account=row.get("service_account"),
            iam_kind=iam["kind"],
            iam_policy=iam.get("policy"),
            managed_policies=tuple(iam.get("managed_policies", ())),
            association=iam.get("association"),
            auto_mode_builtin=bool(row["auto_mode_builtin"]),
            hybrid=bool(row["hybrid"]),
            needs_nodes=bool(row["needs_nodes"]),
            requires=tuple(row.get("requires", ())),
            partitions=tuple(row["partitions"]) if row.get("partitions") is not None else None,
            docs=row["docs"],
            pins={
                minor: VersionPin(
                    version=pin["version"], basis=pin["basis"], source=pin["source"], note=pin.get("note")
                )
                for minor, pin in row.get("versions", {}).items()
            },
            gaps=dict(row.get("gaps", {})),
            hybrid_min=row["hybrid_min"]["version"] if row.get("hybrid_min") else None,
            hybrid_placement=_placement(row.get("hybrid_placement")),
        )
    return entries


def _placement(row: Mapping[str, Any] | None) -> HybridPlacement | None:
    if row is None:
        return None
    return HybridPlacement(
        kind=row["kind"],
        serves=row.get("serves"),
        affinity_paths=tuple(row.get("affinity_paths", ())),
        webhook_ports=tuple(row.get("webhook_ports", ())),
        port_setting=row.get("port_setting"),
        setting=row.get("setting"),
        source=row["source"],
        note=row.get("note"),
    )


@cache
def catalog() -> dict[str, CatalogEntry]:
    return parse_catalog(raw_catalog())


def catalog_minors() -> tuple[str, ...]:
    minors: list[str] = raw_catalog()["minors"]
    return tuple(minors)


def version_problems(setting: str, value: object) -> list[str]:
    """The ``vX.Y.Z-eksbuild.N`` rule for an explicit add-on version."""
    if v.is_unresolved(value):
        return []
    if not isinstance(value, str) or not VERSION_PATTERN.fullmatch(value):
        return [
            f"{setting} {value!r} is not an EKS add-on version; write vX.Y.Z-eksbuild.N, e.g. v0.8.0-eksbuild.6 "
            "(list them with `aws eks describe-addon-versions --addon-name <name> --kubernetes-version <minor>`)"
        ]
    return []


def version_key(version: str) -> tuple[int, int, int, int]:
    """Sort key of a valid add-on version (numeric, so ``eksbuild.10`` > ``eksbuild.9``)."""
    match = VERSION_PATTERN.fullmatch(version)
    if not match:
        raise ValueError(f"not an EKS add-on version: {version!r}")
    major, minor, patch, build = (int(g) for g in match.groups())
    return major, minor, patch, build


#: EKS add-on names: AWS, community and AWS Marketplace add-ons (``vendor_product``), e.g. ``aws-efs-csi-driver``,
#: ``kubecost_kubecost``.
ADDON_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}", re.ASCII)
ANY_ADDON_DOCS = "https://docs.aws.amazon.com/eks/latest/userguide/workloads-add-ons-available-eks.html"


def _close_match(name: object) -> str | None:
    close = difflib.get_close_matches(name, sorted(catalog()), n=1, cutoff=0.5) if isinstance(name, str) else []
    return close[0] if close else None


def unknown_name_problem(name: object, *, version: object = None) -> str | None:
    """Why ``name`` cannot be installed: None for a catalogued add-on, or for any well-formed EKS add-on name given
    with an explicit ``version`` (the open catalog: :func:`uncatalogued_entry`)."""
    if isinstance(name, str) and name in catalog():
        return None
    if not isinstance(name, str) or not ADDON_NAME.fullmatch(name):
        return (
            f"add-on name {name!r} is not an EKS add-on name (lowercase letters, digits, '.', '_' and '-', at most "
            "100 characters, e.g. aws-efs-csi-driver)"
        )
    if version is not None:
        return None
    close = _close_match(name)
    hint = f"; did you mean {close!r}?" if close else "."
    return (
        f"add-on {name!r} is not in the catalog{hint} Known add-ons: {', '.join(sorted(catalog()))}. To install "
        f"another EKS add-on, give its version explicitly (version='vX.Y.Z-eksbuild.N' from `aws eks "
        f"describe-addon-versions --addon-name {name} --kubernetes-version <minor>`)"
    )


def uncatalogued_entry(name: str) -> CatalogEntry:
    """A catalog entry for an EKS add-on this library knows only by name: no pins, no IAM, not an Auto Mode
    built-in, not known to run on hybrid nodes, and waiting for the cluster's compute like any add-on with pods."""
    return CatalogEntry(
        name=name,
        owner="unknown",
        namespace="",
        service_account=None,
        iam_kind="user",
        iam_policy=None,
        managed_policies=(),
        association=None,
        auto_mode_builtin=False,
        hybrid=False,
        needs_nodes=True,
        requires=(),
        partitions=None,
        docs=ANY_ADDON_DOCS,
        pins={},
        gaps={},
        catalogued=False,
    )


def uncatalogued_warning(name: str, version: str) -> str:
    """The one warning an add-on outside the catalog gets: what the library does not know about it."""
    close = _close_match(name)
    hint = f" (did you mean {close!r}?)" if close else ""
    return (
        f"add-on {name}{hint} is not in this library's catalog; it is installed at {version} as given. The library "
        "does not know its IAM needs (bind its service accounts with add_addon_pod_identity), whether it runs on "
        "hybrid nodes, or whether it overlaps what EKS Auto Mode already provides: check its documentation "
        f"({ANY_ADDON_DOCS})."
    )


def hybrid_minimum_problem(entry: CatalogEntry, version: str, *, setting: str) -> str | None:
    """An add-on for hybrid nodes below the version the EKS user guide lists as hybrid-compatible."""
    if entry.hybrid_min is None or v.is_unresolved(version) or not VERSION_PATTERN.fullmatch(version):
        return None
    if version_key(version) >= version_key(entry.hybrid_min):
        return None
    return (
        f"{setting} {version} of add-on {entry.name} is older than {entry.hybrid_min}, the first version the EKS user "
        "guide lists as compatible with hybrid nodes (hybrid-nodes-add-ons.html); use "
        f"{entry.hybrid_min} or later for hybrid nodes"
    )


def resolve_version(entry: CatalogEntry, kubernetes_version: str | None, explicit: str | None) -> tuple[
    str | None, VersionPin | None, list[str]
]:
    """The version to install: ``explicit`` if given, else the catalog pin for the cluster's minor.

    A minor the catalog has no pin for gives ``(None, None, [])``: the add-on is created without ``AddonVersion`` and
    EKS installs its default version for that minor (say so with :func:`unpinned_notice`). A Kubernetes upgrade then
    needs no catalog refresh to synthesize.
    """
    if explicit is not None:
        return explicit, None, version_problems(f"version of add-on {entry.name}", explicit)
    if kubernetes_version is None or v.is_unresolved(kubernetes_version):
        return None, None, [
            f"add-on {entry.name}: the cluster's Kubernetes version is unknown, so no pinned version can be chosen; "
            "pass kubernetes_version (e.g. '1.32') or an explicit version"
        ]
    pin = entry.pins.get(kubernetes_version)
    if pin is None:
        return None, None, []
    return pin.version, pin, []


def unpinned_notice(entry: CatalogEntry, kubernetes_version: str) -> str:
    """The one line said when an add-on has no pin for the cluster's minor (EKS then installs its default)."""
    why = entry.gaps.get(kubernetes_version)
    reason = f" ({why})" if why else ""
    return (
        f"add-on {entry.name} has no pinned version for Kubernetes {kubernetes_version}{reason}: AddonVersion is "
        "omitted, so EKS installs its default version for that minor; pin one with version='vX.Y.Z-eksbuild.N' "
        f"(`aws eks describe-addon-versions --addon-name {entry.name} --kubernetes-version {kubernetes_version}`) or "
        "refresh the catalog with scripts/refresh_addons.py"
    )


def minor_key(minor: str) -> tuple[int, int]:
    major, _, rest = minor.partition(".")
    return int(major), int(rest)


def pin_regressions(entries: Mapping[str, CatalogEntry]) -> list[str]:
    """Pins that go down from one pinned minor to the next: an upgrade would silently downgrade the add-on
    (EKS refuses to downgrade a running add-on). The catalog must have none."""
    problems = []
    for name, entry in sorted(entries.items()):
        pinned = sorted(entry.pins, key=minor_key)
        for lower, higher in itertools.pairwise(pinned):
            was, now = entry.pins[lower].version, entry.pins[higher].version
            if version_key(now) < version_key(was):
                problems.append(
                    f"add-on {name}: the pin for Kubernetes {higher} ({now}) is lower than the pin for {lower} "
                    f"({was}); upgrading the cluster would downgrade the add-on. Pin {higher} at {was} or higher"
                )
    return problems


def partition_problem(entry: CatalogEntry, region: str | None) -> str | None:
    partition = v.partition_of_region(region)
    if partition is None or entry.partitions is None or partition in entry.partitions:
        return None
    return (
        f"add-on {entry.name} ({entry.owner}) is not offered in region {region} (partition {partition}); it is "
        f"available in: {', '.join(entry.partitions)}. Install it another way there (e.g. its Helm chart)"
    )


def configuration_json(setting: str, configuration: object) -> tuple[dict[str, Any] | None, list[str]]:
    """``configuration`` normalised through JSON (sorted keys), or the problems that stop it."""
    if configuration is None:
        return None, []
    if not isinstance(configuration, Mapping):
        return None, [
            f"{setting} must be a mapping (it becomes the add-on's ConfigurationValues JSON object), got "
            f"{type(configuration).__name__} {configuration!r}"
        ]

    def check(value: Any) -> None:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{value!r} has no JSON form")
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise TypeError(f"key {key!r} is not a string (JSON object keys are strings)")
                check(item)
        elif isinstance(value, list | tuple):
            for item in value:
                check(item)

    try:
        check(configuration)
        text = json.dumps(configuration, sort_keys=True, allow_nan=False)
    except RecursionError:
        return None, [f"{setting} refers to itself (a circular structure); JSON cannot represent it"]
    except (TypeError, ValueError) as err:
        return None, [
            f"{setting} is not JSON-serialisable ({err}); use only strings, numbers, booleans, null, lists and "
            "string-keyed mappings"
        ]
    normalised: dict[str, Any] = json.loads(text)
    return normalised, []


def hosted_zone_problems(setting: str, zone_ids: Sequence[object]) -> list[str]:
    problems = []
    for index, zone in enumerate(zone_ids):
        if v.is_unresolved(zone):
            continue
        if isinstance(zone, str) and zone.startswith("/hostedzone/"):
            problems.append(
                f"{setting}[{index}] {zone!r}: give the bare zone ID ({zone.removeprefix('/hostedzone/')!r})"
            )
        elif not isinstance(zone, str) or not HOSTED_ZONE_ID.fullmatch(zone):
            problems.append(
                f"{setting}[{index}] {zone!r} is not a Route 53 hosted zone ID (upper-case letters and digits, e.g. "
                "Z1D633PJN98FT9)"
            )
    if len({z for z in zone_ids if isinstance(z, str)}) != len(zone_ids):
        problems.append(f"{setting} lists the same zone twice; list each once")
    return problems


def log_group_prefix_problems(setting: str, prefix: object) -> list[str]:
    if v.is_unresolved(prefix):
        return []
    if not isinstance(prefix, str) or not re.fullmatch(r"[\w\-./#]{1,500}", prefix):
        return [
            f"{setting} {prefix!r} is not a CloudWatch Logs log group name prefix (1-500 of letters, digits, "
            "'_', '-', '.', '/', '#'), e.g. /aws/eks/my-cluster/fluent-bit"
        ]
    return []


def _walk(value: Any) -> Any:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item)
    else:
        yield value


def has_tokens(configuration: Mapping[str, Any]) -> bool:
    """True when a (normalised) configuration holds unresolved CDK tokens (e.g. a role ARN)."""
    return any(isinstance(x, str) and v.is_unresolved(x) for x in _walk(configuration))


def has_nulls(configuration: Mapping[str, Any]) -> bool:
    return any(x is None for x in _walk(configuration))


def configuration_text(configuration: Mapping[str, Any]) -> str:
    """Compact JSON with sorted keys, exactly as given (``null`` kept), for a configuration without tokens."""
    return json.dumps(configuration, sort_keys=True, separators=(",", ":"), allow_nan=False)


def iam_settings_problems(
    entry: CatalogEntry, *, zones_setting: str, zones: Sequence[object], prefix_setting: str, prefix: object
) -> list[str]:
    """Which add-ons take hosted zones and a log group prefix, and whether they are well formed.

    ``zones_setting``/``prefix_setting`` name the settings as the caller's user wrote them.
    """
    problems: list[str] = []
    if entry.iam_policy in ("route53-zones", "route53-dns01"):
        problems += hosted_zone_problems(zones_setting, zones)
        if entry.iam_kind == "required" and not zones:
            problems.append(
                f"{zones_setting} is required: {entry.name} needs {zones_setting}, the Route 53 zones it may change "
                "(its role is scoped to them instead of AmazonRoute53FullAccess)"
            )
    elif zones:
        problems.append(
            f"{zones_setting} are only used by external-dns and cert-manager, not {entry.name}; remove them"
        )
    if prefix is not None:
        if entry.iam_policy != "cloudwatch-logs":
            problems.append(f"{prefix_setting} is only used by fluent-bit, not {entry.name}; remove it")
        else:
            problems += log_group_prefix_problems(prefix_setting, prefix)
    return problems


def settings_shape_problems(
    names: Mapping[str, str], *, version: object, configuration: object, zones: Sequence[object], prefix: object
) -> list[str]:
    """The form of one add-on's settings (version, configuration, hosted zones, log group prefix), any add-on.

    ``names`` maps ``version``, ``configuration``, ``hosted_zone_ids`` and ``cloudwatch_log_group_prefix`` to the
    setting names the caller's user wrote.
    """
    problems: list[str] = []
    if version is not None:
        problems += version_problems(names["version"], version)
    if configuration is not None:
        problems += configuration_json(names["configuration"], configuration)[1]
    if zones:
        problems += hosted_zone_problems(names["hosted_zone_ids"], zones)
    if prefix is not None:
        problems += log_group_prefix_problems(names["cloudwatch_log_group_prefix"], prefix)
    return problems
