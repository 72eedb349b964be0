"""Kubernetes API helpers shared by the cdk8s constructs and the manifest delivery.

- the removed-API table (``data/removed_apis.json``) and the guard built on it;
- duplicate-object and unresolved-token checks over rendered manifests;
- ``new_api_object``: the one way this library creates a cdk8s ``ApiObject`` (explicit name, unique in its chart);
- small parsers for Kubernetes durations and quantities.

Pure functions return lists of problems; only ``new_api_object`` raises (``ConfigError``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import cdk8s
from constructs import Construct

from eks_platform._internal import validation as v
from eks_platform._internal.tree import path_of, remember, scope_of
from eks_platform._internal.validation import is_unresolved as is_token
from eks_platform._internal.versions import minor_of
from eks_platform.errors import ConfigError


# -- removed APIs ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, slots=True)
class RemovedApi:
    """One API version of some kinds that Kubernetes stops serving at ``removed_in``."""

    api_version: str
    kinds: tuple[str, ...]
    removed_in: str
    replacement: str | None
    note: str | None
    source: str

    @property
    def removed_in_minor(self) -> int:
        return minor_of(self.removed_in)


@cache
def removed_apis() -> tuple[RemovedApi, ...]:
    """The checked-in table, oldest removal first."""
    text = resources.files("eks_platform._internal.data").joinpath("removed_apis.json").read_text()
    rows = json.loads(text)["removals"]
    table = tuple(
        RemovedApi(
            api_version=row["apiVersion"],
            kinds=tuple(row["kinds"]),
            removed_in=row["removedIn"],
            replacement=row["replacement"],
            note=row.get("note"),
            source=row["source"],
        )
        for row in rows
    )
    return tuple(sorted(table, key=lambda r: r.removed_in_minor))


def removal_of(api_version: str, kind: str, minor: int) -> RemovedApi | None:
    """The removal that makes ``api_version``/``kind`` unavailable on Kubernetes ``1.<minor>``, if any."""
    for row in removed_apis():
        if row.api_version == api_version and kind in row.kinds and row.removed_in_minor <= minor:
            return row
    return None


def replacement_for(api_version: str, kind: str, minor: int) -> str | None:
    """The apiVersion to migrate to on ``1.<minor>``, following replacements that are themselves removed."""
    current = api_version
    for _ in range(len(removed_apis()) + 1):
        row = removal_of(current, kind, minor)
        if row is None:
            return current if current != api_version else None
        if row.replacement is None:
            return None
        current = row.replacement
    return None  # pragma: no cover - the table has no cycles (a test checks)


def describe(obj: Mapping[str, Any]) -> str:
    """``Kind namespace/name`` of a manifest object, for messages."""
    meta = obj.get("metadata") or {}
    name = meta.get("name", "<unnamed>") if isinstance(meta, Mapping) else "<unnamed>"
    namespace = meta.get("namespace") if isinstance(meta, Mapping) else None
    where = f"{namespace}/{name}" if namespace else str(name)
    return f"{obj.get('kind', '<no kind>')} {where!s}"


def removed_api_problems(objects: Iterable[Mapping[str, Any]], kubernetes_version: str, *, where: str) -> list[str]:
    """One problem per object whose apiVersion Kubernetes ``kubernetes_version`` no longer serves."""
    minor = minor_of(kubernetes_version)
    problems = []
    for obj in objects:
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if not isinstance(api_version, str) or not isinstance(kind, str):
            continue
        row = removal_of(api_version, kind, minor)
        if row is None:
            continue
        target = replacement_for(api_version, kind, minor)
        fix = f"use apiVersion {target}" if target else (row.note or "this API has no replacement; remove the object")
        problems.append(
            f"{where}: {describe(obj)} uses apiVersion {api_version}, which Kubernetes {kubernetes_version} no longer "
            f"serves (removed in {row.removed_in}); {fix}"
        )
    return problems


# -- whole-manifest checks ---------------------------------------------------------------------------------------
def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0] if "/" in api_version else ""


def duplicate_problems(objects: Iterable[Mapping[str, Any]], *, where: str) -> list[str]:
    """Objects of the same kind (any version of its group) with the same namespace and name."""
    seen: dict[tuple[str, str, str, str], int] = {}
    problems = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        if not isinstance(meta, Mapping):
            continue
        key = (
            _group(str(obj.get("apiVersion", ""))),
            str(obj.get("kind", "")),
            str(meta.get("namespace") or ""),
            str(meta.get("name", "")),
        )
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            problems.append(
                f"{where} has two objects {describe(obj)}; Kubernetes keeps one object per kind, namespace and name. "
                "Rename one of them"
            )
    return problems


def missing_name_problems(objects: Iterable[Mapping[str, Any]], *, where: str) -> list[str]:
    problems = []
    for obj in objects:
        meta = obj.get("metadata")
        name = meta.get("name") if isinstance(meta, Mapping) else None
        if not isinstance(name, str) or not name:
            problems.append(f"{where}: a {obj.get('kind', 'object')} has no metadata.name; set the name explicitly")
    return problems


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def unresolved_paths(obj: Mapping[str, Any]) -> list[str]:
    """JSON paths of values (and keys) that are CDK tokens, i.e. known only at deploy time."""
    paths = []
    for path, value in _walk(obj, ""):
        if isinstance(value, Mapping):
            paths += [f"{path}.{key}" for key in value if is_token(key)]
        elif is_token(value):
            paths.append(path)
    return paths


# -- ApiObject creation ------------------------------------------------------------------------------------------
#: The objects of each chart, kept on the chart: (group, kind, namespace, name) -> the ApiObject.
_INDEX = "api_objects"
ObjectKey = tuple[str, str, str, str]


def chart_api_objects(chart: cdk8s.Chart) -> list[cdk8s.ApiObject]:
    """Every ApiObject in ``chart``, nested ones included (``Chart.api_objects`` lists direct children only)."""
    return [c for c in chart.node.find_all() if cdk8s.ApiObject.is_api_object(c)]  # type: ignore[misc]


def chart_of(construct: Construct) -> cdk8s.Chart:
    """``cdk8s.Chart.of(construct)``, read once per construct (a construct never moves to another chart); for a
    construct recorded with ``tree.created``, the chart of its scope."""

    def read() -> cdk8s.Chart:
        scope = scope_of(construct)
        if scope is not None and not isinstance(construct, cdk8s.Chart):
            return scope if isinstance(scope, cdk8s.Chart) else chart_of(scope)
        return cdk8s.Chart.of(construct)

    return remember(construct, "chart", read)


def _namespace_of(chart: cdk8s.Chart) -> str:
    return remember(chart, "namespace", lambda: chart.namespace or "")


def _scan(chart: cdk8s.Chart) -> dict[ObjectKey, cdk8s.ApiObject]:
    namespace = _namespace_of(chart)
    return {
        (_group(o.api_version), o.kind, o.metadata.namespace or namespace, str(o.name)): o
        for o in chart_api_objects(chart)
    }


def known_objects(chart: cdk8s.Chart, *, rescan: bool = False) -> dict[ObjectKey, cdk8s.ApiObject]:
    """The objects of ``chart`` by (API group, kind, namespace, name).

    The chart's tree is read once, at the first object this library creates in it (or again with ``rescan``); every
    object made through :func:`new_api_object` is added as it is made, so creating n objects costs n, not n^2,
    reads of the tree. Objects made directly with ``cdk8s.ApiObject`` after that read are seen by the next
    ``rescan`` and by ``ManifestDelivery.add_chart``, which checks the rendered chart for duplicates.
    """
    index: dict[ObjectKey, cdk8s.ApiObject] = remember(chart, _INDEX, lambda: _scan(chart))
    if rescan:
        index.update(_scan(chart))
    return index


def new_chart_index(chart: cdk8s.Chart) -> None:
    """Start the object index of a chart just created (it has no objects yet, so its tree need not be read)."""
    remember(chart, _INDEX, dict)


def object_names(chart: cdk8s.Chart, *, group: str, kind: str, rescan: bool = False) -> list[str]:
    """Names of the objects of one ``kind`` (in API ``group``) in ``chart``, in creation order."""
    return [name for (g, k, _ns, name) in known_objects(chart, rescan=rescan) if g == group and k == kind]


def new_api_object(scope: Construct, construct_id: str, manifest: Mapping[str, Any]) -> cdk8s.ApiObject:
    """Create a cdk8s ``ApiObject`` from a plain manifest dict (camelCase keys).

    ``metadata.name`` is required (never derived from the construct path) and must be unique per kind and
    namespace within the chart.

    Raises:
        ConfigError: ``InvalidObjectName`` or ``DuplicateObjectName``.
    """
    meta = dict(manifest.get("metadata") or {})
    name = meta.get("name")
    kind = str(manifest["kind"])
    where = f"{kind} {name!r}"
    problems = name_problems(f"{kind} metadata.name", name)
    if problems:
        raise ConfigError("InvalidObjectName", problems, path=path_of(scope))
    chart = chart_of(scope)
    group = _group(str(manifest["apiVersion"]))
    namespace = meta.get("namespace") or _namespace_of(chart)
    known = known_objects(chart)
    key = (group, kind, namespace, str(name))
    if key in known:
        raise ConfigError(
            "DuplicateObjectName",
            f"chart {chart.node.id!r} already has {where}"
            + (f" in namespace {namespace!r}" if namespace else "")
            + f" (at {path_of(known[key])}); Kubernetes keeps one object per kind, namespace and name. Rename one",
            path=path_of(scope),
        )
    obj = cdk8s.ApiObject(
        scope,
        construct_id,
        api_version=str(manifest["apiVersion"]),
        kind=kind,
        metadata={k: meta[k] for k in ("name", "namespace", "labels", "annotations") if meta.get(k) is not None},
    )
    known[key] = obj
    cache = json_patch_cache()
    patches = [_json_patch_add(cache, f"/{k}", value) for k, value in manifest.items()
               if k not in ("apiVersion", "kind", "metadata")]
    if patches:
        obj.add_json_patch(*patches)
    return obj


#: Every ``JsonPatch`` made from plain JSON, by path and JSON value, for the whole process (see
#: :func:`json_patch_cache`), up to :data:`JSON_PATCHES_KEPT` of them.
_JSON_PATCHES: dict[tuple[str, str], cdk8s.JsonPatch] = {}
#: How many shared ``JsonPatch`` values are kept: beyond it (a fuzzer's endless distinct values) new ones are made
#: for their object only, so the process does not grow without bound.
JSON_PATCHES_KEPT = 4096


def json_patch_cache() -> dict[tuple[str, str], cdk8s.JsonPatch]:
    """The ``JsonPatch`` objects already made, by path and JSON value. A ``JsonPatch`` is an immutable value that
    belongs to no chart (``ApiObject.toJson`` applies a deep copy of its operation:
    https://github.com/cdk8s-team/cdk8s-core/blob/2.x/src/json-patch.ts), so objects with the same field share one
    instead of a round trip each, in every chart, app and synth of the process."""
    return _JSON_PATCHES


def _json_patch_add(cache: dict[tuple[str, str], cdk8s.JsonPatch], path: str, value: Any) -> cdk8s.JsonPatch:
    if not _is_plain_json(value):  # jsii objects, tokens as objects or non-string keys: never shared
        return cdk8s.JsonPatch.add(path, value)
    key = (path, json.dumps(value))
    patch = cache.get(key)
    if patch is None:
        patch = cdk8s.JsonPatch.add(path, value)
        if len(cache) < JSON_PATCHES_KEPT:
            cache[key] = patch
    return patch


def _is_plain_json(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, list):
        return all(_is_plain_json(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain_json(item) for k, item in value.items())
    return False


# -- durations and quantities ------------------------------------------------------------------------------------
_DURATION = re.compile(r"(?:[0-9]+(?:s|m|h))+", re.ASCII)
_DURATION_PART = re.compile(r"([0-9]+)(s|m|h)")
_BARE_NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", re.ASCII)
_QUANTITY = re.compile(
    r"(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?",
    re.ASCII,
)


def duration_seconds(value: str) -> int | None:
    """Seconds in a Karpenter duration such as ``720h`` or ``1h30m``; None when it does not parse."""
    if not isinstance(value, str) or not _DURATION.fullmatch(value):
        return None
    factor = {"s": 1, "m": 60, "h": 3600}
    return sum(int(n) * factor[unit] for n, unit in _DURATION_PART.findall(value))


def duration_problems(setting: str, value: object, *, allow_never: bool) -> list[str]:
    if is_token(value):
        return []
    if allow_never and value == "Never":
        return []
    if not isinstance(value, str) or duration_seconds(value) is None:
        never = " or Never" if allow_never else ""
        return [
            f"{setting} {value!r} is not a duration; write whole numbers with s, m or h, such as 720h or 1h30m{never}"
        ]
    return []


def quantity_problems(setting: str, value: object, *, memory: bool = False) -> list[str]:
    """A Kubernetes resource quantity (``1000``, ``64Gi``, ``500m``) used as a limit: no sign.

    ``memory``: a bare number means bytes there (``1024`` is 1 KiB), so a unit is required.
    See: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
    """
    if is_token(value):
        return []
    if isinstance(value, bool) or not isinstance(value, int | str) or not _QUANTITY.fullmatch(str(value)):
        return [f"{setting} {value!r} is not a Kubernetes quantity such as 1000, 500m or 64Gi"]
    text = str(value)
    if text.startswith(("-", "+")):
        return [f"{setting} {value!r} has a sign; a limit is a quantity without one, such as {text[1:]}"]
    if memory and _BARE_NUMBER.fullmatch(text):
        return [
            f"{setting} {value!r} has no unit, which means bytes; write the unit, such as {text}Gi or {text}Mi"
        ]
    return []


def name_problems(setting: str, value: object, *, label: bool = False) -> list[str]:
    """A Kubernetes object name (DNS-1123 subdomain, or label for namespaces), checked as a string first so that
    values of other types never reach the jsii kernel."""
    if not isinstance(value, str) or not value:
        return [f"{setting} must be a non-empty string, got {value!r}"]
    return v.dns1123_label(setting, value) if label else v.dns1123_subdomain(setting, value)


def sequence_of(value: Sequence[Any] | None) -> tuple[Any, ...]:
    return tuple(value) if value is not None else ()


def content_name(base: str, immutable: Mapping[str, Any]) -> str:
    """``<base>-<8 hex>``: a Kubernetes object name derived from the object's immutable fields.

    Kubernetes rejects an update that changes an immutable field (StorageClass ``parameters``, VolumeAttributesClass
    ``driverName``...), so a change of them must create an object under a new name and delete the old one. With the
    name derived from those fields it does: the kubectl provider applies the new object and deletes the old one.
    Deploy-time values (CloudFormation tokens) count as one fixed placeholder: a change of them is not seen.
    """
    def scrub(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): scrub(item) for k, item in value.items()}
        if isinstance(value, list | tuple):
            return [scrub(item) for item in value]
        if isinstance(value, str) and v.is_unresolved(value):
            return "<deploy-time>"
        return value

    digest = hashlib.sha256(json.dumps(scrub(immutable), sort_keys=True).encode()).hexdigest()[:8]
    return f"{base[: 253 - 9]}-{digest}"
