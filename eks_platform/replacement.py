"""Replacement guard: which resources would CloudFormation replace or delete between two synthesized templates?

Compares an OLD and a NEW template per logical ID, using the ``createOnlyProperties`` of the CloudFormation resource
provider schemas that cfn-lint ships (read from its package data; no network, no AWS account):

* **replace**: a create-only property changed (nested paths such as
  ``/properties/KubernetesNetworkConfig/ServiceIpv4Cidr`` and array paths with ``*`` included), the resource type
  changed (CloudFormation rejects that update; the resource must be deleted and recreated), or a create-only property
  references (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``) a resource that is itself replaced: its physical ID or attributes
  change, so the change propagates.
* **delete**: the logical ID is gone from NEW (renaming a construct ID does this).
* **may-replace**: the guard cannot tell: no schema for the type (custom resources decide in their provider), a
  conditionally create-only property changed, or the resource's ``Condition`` changed.

A replacement known to be harmless is reported apart (``ResourceChange.harmless``, listed under "Harmless
replacements" and left out of ``replaced_or_deleted``): today one kind, a Lambda ``LayerVersion`` whose content or
description changed (the kubectl layer on a Kubernetes version bump). Layer versions are immutable, so CloudFormation
publishes a new version, updates the functions that list it in ``Layers`` in place and deletes the old version; no
state is lost. A layer whose old version would be retained (``UpdateReplacePolicy: Retain``) is not harmless.

Command line::

    python -m eks_platform.replacement OLD.template.json NEW.template.json   # or two cdk.out directories
    # exit status: 0 nothing replaced or deleted, 1 something is, 2 bad arguments

Caveat: cfn-lint's schemas are a snapshot of the registry (see ``schema_source()``); the live registry can differ.
For example, ``AWS::EKS::Cluster`` ``RemoteNetworkConfig`` was create-only in older schemas and is updatable now.
Check ``aws cloudformation describe-type --type RESOURCE --type-name <type>`` before relying on an in-place update
that the guard reports as safe or unsafe on a recently changed property.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_REGION = "us-east-1"
_MISSING = object()
_SUB_REFERENCE = re.compile(r"\$\{([^}!][^}]*)\}")


class Action(str, Enum):
    """What CloudFormation does to a resource."""

    REPLACE = "replace"
    DELETE = "delete"
    MAY_REPLACE = "may-replace"


@dataclass(frozen=True, kw_only=True, slots=True)
class ResourceChange:
    """A resource CloudFormation would replace or delete (or might, for ``MAY_REPLACE``).

    Attributes:
        logical_id: the logical ID (in OLD for deletions).
        resource_type: the resource type (NEW's, or OLD's for deletions and type changes).
        action: replace, delete or may-replace.
        reasons: why, one sentence each (the property path and old/new values).
        retained: DeletionPolicy/UpdateReplacePolicy Retain keeps the old physical resource (orphaned, not deleted).
        harmless: why this replacement loses nothing (empty for every real replacement); see :func:`harmless_reason`.
    """

    logical_id: str
    resource_type: str
    action: Action
    reasons: tuple[str, ...]
    retained: bool = False
    harmless: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class ReplacementReport:
    """The result of :func:`compare_templates`."""

    changes: tuple[ResourceChange, ...]
    updated: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    schema_source: str = ""
    notes: tuple[str, ...] = field(default=())

    def by_action(self, *actions: Action) -> tuple[ResourceChange, ...]:
        """Changes with one of ``actions``, harmless replacements excluded (see :attr:`harmless`)."""
        return tuple(change for change in self.changes if change.action in actions and not change.harmless)

    @property
    def replaced_or_deleted(self) -> tuple[ResourceChange, ...]:
        """Real replacements and deletions: what a reviewer must read (harmless replacements are apart)."""
        return self.by_action(Action.REPLACE, Action.DELETE)

    @property
    def harmless(self) -> tuple[ResourceChange, ...]:
        """Replacements known to lose nothing (a kubectl layer on a version bump), reported apart."""
        return tuple(change for change in self.changes if change.harmless)

    def affecting(self, resource_types: Iterable[str]) -> tuple[ResourceChange, ...]:
        """Replacements and deletions of the given resource types."""
        wanted = set(resource_types)
        return tuple(change for change in self.replaced_or_deleted if change.resource_type in wanted)

    def format(self) -> str:
        return format_report(self)


# -- schemas ----------------------------------------------------------------------------------------------------------


def _cfn_lint_schemas() -> Path:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the replacement guard reads CloudFormation resource schemas from cfn-lint, which is not installed; "
            "install it (pip install 'cdk-eks-platform[dev]' or pip install cfn-lint)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


@cache
def _provider_index(region: str) -> dict[str, Path]:
    """Resource type -> schema file, for cfn-lint's two layouts (hash-indexed since 1.x, per-type files before)."""
    root = _cfn_lint_schemas()
    index_file = root / "providers" / f"{region}.json"
    if index_file.exists():
        hashes: dict[str, str] = json.loads(index_file.read_text(encoding="utf-8"))
        return {rtype: root / "resources" / f"{digest}.json" for rtype, digest in hashes.items()}
    legacy = root / "providers" / region.replace("-", "_")
    if legacy.is_dir():
        index: dict[str, Path] = {}
        for path in legacy.glob("*.json"):
            try:
                type_name = json.loads(path.read_text(encoding="utf-8")).get("typeName")
            except ValueError:
                continue
            if isinstance(type_name, str):
                index[type_name] = path
        return index
    raise RuntimeError(f"cfn-lint has no provider schemas for region {region} under {root / 'providers'}")


@dataclass(frozen=True, slots=True)
class _Schema:
    create_only: tuple[str, ...]
    conditional_create_only: tuple[str, ...]


@cache
def _schema(resource_type: str, region: str = DEFAULT_REGION) -> _Schema | None:
    lookup = resource_type
    if resource_type.startswith("Custom::"):
        lookup = "AWS::CloudFormation::CustomResource"
    path = _provider_index(region).get(lookup)
    if path is None or not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return _Schema(
        create_only=tuple(data.get("createOnlyProperties", ())),
        conditional_create_only=tuple(data.get("conditionalCreateOnlyProperties", ())),
    )


def create_only_properties(resource_type: str, region: str = DEFAULT_REGION) -> tuple[str, ...] | None:
    """The schema's ``createOnlyProperties`` (JSON pointers such as ``/properties/Name``), or None without schema."""
    schema = _schema(resource_type, region)
    return None if schema is None else schema.create_only


def schema_source() -> str:
    """Where the schemas come from: cfn-lint's version and the schema snapshot date."""
    root = _cfn_lint_schemas()
    date = "unknown date"
    version_file = root / "version.json"
    if version_file.exists():
        with contextlib.suppress(ValueError):
            date = json.loads(version_file.read_text(encoding="utf-8")).get("schema_date", date)
    try:
        lint = f"cfn-lint {importlib.metadata.version('cfn-lint')}"
    except Exception:  # pragma: no cover - metadata missing in odd installs
        lint = "cfn-lint"
    return f"{lint} bundled provider schemas (snapshot {date})"


# -- template helpers -------------------------------------------------------------------------------------------------


def _is_intrinsic(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and len(value) == 1
        and (next(iter(value)) == "Ref" or str(next(iter(value))).startswith("Fn::"))
    )


def _values_at(node: Any, segments: Sequence[str], prefix: str = "") -> dict[str, Any]:
    """Concrete path -> value for a schema path (``*`` iterates arrays). An intrinsic met on the way is the value;
    an absent value is ``_MISSING`` at the full path (absent arrays contribute no entries)."""
    if node is _MISSING:
        return {} if "*" in segments else {prefix + "".join(f"/{s}" for s in segments): _MISSING}
    if not segments or _is_intrinsic(node):
        return {prefix: node}
    head, rest = segments[0], segments[1:]
    if head == "*":
        if not isinstance(node, list):
            return {prefix: node}
        result: dict[str, Any] = {}
        for index, item in enumerate(node):
            result.update(_values_at(item, rest, f"{prefix}/{index}"))
        return result
    if not isinstance(node, Mapping):
        return {prefix: node}
    return _values_at(node.get(head, _MISSING), rest, f"{prefix}/{head}")


def _schema_segments(pointer: str) -> list[str]:
    parts = [p for p in pointer.split("/") if p]
    return parts[1:] if parts and parts[0] == "properties" else parts


def references(value: object) -> set[str]:
    """Logical IDs a value points at through ``Ref``, ``Fn::GetAtt`` and ``Fn::Sub`` (pseudo parameters excluded)."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                if isinstance(inner, list) and inner and isinstance(inner[0], str):
                    found.add(inner[0])
                elif isinstance(inner, str):
                    found.add(inner.split(".", 1)[0])
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) and inner else inner
                if isinstance(text, str):
                    found.update(m.split(".", 1)[0] for m in _SUB_REFERENCE.findall(text))
                found |= references(inner[1] if isinstance(inner, list) and len(inner) > 1 else None)
            else:
                found |= references(inner)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return {ref for ref in found if not ref.startswith("AWS::")}


def _show(value: object) -> str:
    if value is _MISSING:
        return "(absent)"
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def _retains(resource: Mapping[str, Any], attribute: str) -> bool:
    return resource.get(attribute) in ("Retain", "RetainExceptOnCreate", "Snapshot")


#: LayerVersion properties whose change only publishes a new layer version (``LayerName`` renames the layer).
_LAYER_CONTENT = frozenset({"Content", "Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"})


def harmless_reason(change: ResourceChange, old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """Why replacing this resource loses nothing, or ``""`` when it is a real replacement.

    Harmless today: an ``AWS::Lambda::LayerVersion`` replaced only because its content, description, runtimes,
    architectures or license changed, whose old version is not retained. The functions that use it list it in
    ``Layers``, an updatable property, so they are updated in place.

    See: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-layerversion.html
    """
    if change.action is not Action.REPLACE or change.resource_type != "AWS::Lambda::LayerVersion" or change.retained:
        return ""
    old_props = old.get("Properties") or {}
    new_props = new.get("Properties") or {}
    changed = {key for key in set(old_props) | set(new_props) if old_props.get(key) != new_props.get(key)}
    if not changed or not changed <= _LAYER_CONTENT:
        return ""
    description = str(new_props.get("Description", ""))
    what = "the kubectl layer (kubectl and helm for the cluster's Kubernetes minor)" if "kubectl" in description else (
        "a Lambda layer"
    )
    return (
        f"{what} gets a new version ({', '.join(sorted(changed))} changed): CloudFormation publishes it, updates the "
        "functions that list it in Layers in place and deletes the old version; nothing holds state"
    )


# -- comparison -------------------------------------------------------------------------------------------------------


def compare_templates(
    old: Mapping[str, Any], new: Mapping[str, Any], *, region: str = DEFAULT_REGION
) -> ReplacementReport:
    """Resources that CloudFormation would replace or delete when ``old`` is updated to ``new``.

    Args:
        old: the deployed (or previous) template, as parsed JSON.
        new: the candidate template.
        region: whose provider schemas to use. Default: - us-east-1.
    """
    old_resources: Mapping[str, Any] = old.get("Resources") or {}
    new_resources: Mapping[str, Any] = new.get("Resources") or {}
    changes: dict[str, ResourceChange] = {}
    updated: list[str] = []
    # create-only values in NEW per resource, kept for the propagation pass
    create_only_new: dict[str, dict[str, Any]] = {}

    for logical_id, before in old_resources.items():
        if logical_id not in new_resources:
            rtype = str(before.get("Type", "?"))
            retained = _retains(before, "DeletionPolicy")
            changes[logical_id] = ResourceChange(
                logical_id=logical_id,
                resource_type=rtype,
                action=Action.DELETE,
                reasons=(
                    "the logical ID is not in the new template"
                    + (" (DeletionPolicy Retain: removed from the stack, physical resource kept)" if retained else ""),
                ),
                retained=retained,
            )

    for logical_id, after in new_resources.items():
        before = old_resources.get(logical_id)
        if before is None:
            continue
        old_type, new_type = str(before.get("Type")), str(after.get("Type"))
        retained = _retains(before, "UpdateReplacePolicy")
        if old_type != new_type:
            changes[logical_id] = ResourceChange(
                logical_id=logical_id,
                resource_type=old_type,
                action=Action.REPLACE,
                reasons=(
                    f"the resource type changed from {old_type} to {new_type}: CloudFormation rejects the update "
                    "('Update of resource type is not permitted'); the old resource must be deleted first",
                ),
                retained=retained,
            )
            continue
        old_props = before.get("Properties") or {}
        new_props = after.get("Properties") or {}
        reasons: list[str] = []
        maybe: list[str] = []
        schema = _schema(new_type, region)
        if before.get("Condition") != after.get("Condition"):
            maybe.append(
                f"its Condition changed from {_show(before.get('Condition', _MISSING))} to "
                f"{_show(after.get('Condition', _MISSING))}: when the condition is false the resource is deleted"
            )
        if schema is None:
            if old_props != new_props:
                maybe.append(f"no resource schema for {new_type}; its properties changed and the guard cannot tell")
        else:
            values: dict[str, Any] = {}
            for pointer in schema.create_only:
                segments = _schema_segments(pointer)
                before_values = _values_at(old_props, segments)
                after_values = _values_at(new_props, segments)
                values.update(after_values)
                for concrete in sorted(set(before_values) | set(after_values)):
                    was = before_values.get(concrete, _MISSING)
                    now = after_values.get(concrete, _MISSING)
                    if was != now:
                        reasons.append(
                            f"create-only property {concrete.lstrip('/')} changed: {_show(was)} -> {_show(now)}"
                        )
            create_only_new[logical_id] = values
            if new_type.startswith("Custom::") and not reasons and old_props != new_props:
                maybe.append("custom resource properties changed: its provider decides whether to replace it")
            for pointer in schema.conditional_create_only:
                segments = _schema_segments(pointer)
                if _values_at(old_props, segments) != _values_at(new_props, segments):
                    maybe.append(f"conditionally create-only property {'/'.join(segments)} changed")
        if reasons:
            changes[logical_id] = ResourceChange(
                logical_id=logical_id,
                resource_type=new_type,
                action=Action.REPLACE,
                reasons=tuple(reasons),
                retained=retained,
            )
        elif maybe:
            changes[logical_id] = ResourceChange(
                logical_id=logical_id, resource_type=new_type, action=Action.MAY_REPLACE, reasons=tuple(maybe)
            )
        elif before != after:
            updated.append(logical_id)

    # A replaced resource gets a new physical ID and new attributes: create-only references to it propagate.
    progress = True
    while progress:
        progress = False
        replaced = {lid for lid, change in changes.items() if change.action is Action.REPLACE}
        for logical_id, values in create_only_new.items():
            if logical_id in replaced:
                continue
            hits = []
            for concrete, value in sorted(values.items()):
                targets = sorted(references(value) & replaced)
                if targets:
                    hits.append(
                        f"create-only property {concrete.lstrip('/')} references {', '.join(targets)}, which is "
                        "replaced (its physical ID and attributes change)"
                    )
            if hits:
                previous = changes.get(logical_id)
                rtype = str(new_resources[logical_id].get("Type"))
                changes[logical_id] = ResourceChange(
                    logical_id=logical_id,
                    resource_type=rtype,
                    action=Action.REPLACE,
                    reasons=tuple(hits) + (previous.reasons if previous else ()),
                    retained=_retains(old_resources[logical_id], "UpdateReplacePolicy"),
                )
                if logical_id in updated:
                    updated.remove(logical_id)
                progress = True

    for logical_id, change in list(changes.items()):
        if logical_id in old_resources and logical_id in new_resources:
            reason = harmless_reason(change, old_resources[logical_id], new_resources[logical_id])
            if reason:
                changes[logical_id] = ResourceChange(
                    logical_id=change.logical_id,
                    resource_type=change.resource_type,
                    action=change.action,
                    reasons=change.reasons,
                    retained=change.retained,
                    harmless=reason,
                )

    notes = (
        "createOnlyProperties come from cfn-lint's schema snapshot; the live CloudFormation registry may differ for "
        "recently changed properties (AWS::EKS::Cluster RemoteNetworkConfig was create-only in older schemas). "
        "Confirm with `aws cloudformation describe-type --type RESOURCE --type-name <type>`.",
    )
    return ReplacementReport(
        changes=tuple(sorted(changes.values(), key=lambda c: (c.action.value, c.logical_id))),
        updated=tuple(sorted(updated)),
        added=tuple(sorted(set(new_resources) - set(old_resources))),
        schema_source=schema_source(),
        notes=notes,
    )


def format_report(report: ReplacementReport, *, title: str = "") -> str:
    """The report as text, one block per replaced, deleted or possibly replaced resource."""
    lines = [f"Replacement guard{': ' + title if title else ''} (schemas: {report.schema_source})"]
    for change in report.changes:
        if change.harmless:
            continue
        retained = " [old resource retained]" if change.retained else ""
        lines.append(f"{change.action.value.upper():<12} {change.logical_id} ({change.resource_type}){retained}")
        lines += [f"             - {reason}" for reason in change.reasons]
    if report.harmless:
        lines.append("Harmless replacements (nothing holds state; read them, they need no baseline refresh):")
        for change in report.harmless:
            lines.append(f"  HARMLESS   {change.logical_id} ({change.resource_type})")
            lines.append(f"             - {change.harmless}")
    replaced = len(report.by_action(Action.REPLACE))
    deleted = len(report.by_action(Action.DELETE))
    maybe = len(report.by_action(Action.MAY_REPLACE))
    lines.append(
        f"Summary: {replaced} replaced, {deleted} deleted, {maybe} possibly replaced, {len(report.harmless)} harmless "
        f"replacement(s), {len(report.updated)} updated in place, {len(report.added)} added"
    )
    lines += [f"Note: {note}" for note in report.notes]
    return "\n".join(lines)


def assert_no_replacement(
    old: Mapping[str, Any], new: Mapping[str, Any], *, resource_types: Iterable[str] | None = None
) -> ReplacementReport:
    """Raise ``AssertionError`` (with the report) if anything of ``resource_types`` (default: any type) would be
    replaced or deleted. Returns the report otherwise."""
    report = compare_templates(old, new)
    bad = report.replaced_or_deleted if resource_types is None else report.affecting(resource_types)
    if bad:
        raise AssertionError(
            f"{len(bad)} resource(s) would be replaced or deleted: "
            + ", ".join(f"{c.logical_id} ({c.resource_type}, {c.action.value})" for c in bad)
            + "\n"
            + format_report(report)
        )
    return report


# -- command line -----------------------------------------------------------------------------------------------------


def load_template(path: str | Path) -> dict[str, Any]:
    """A template from a JSON file (``cdk synth`` output)."""
    with open(path, encoding="utf-8") as handle:
        loaded = json.load(handle)
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} is not a CloudFormation template (a JSON object)")
    return loaded


def _pairs(old: Path, new: Path) -> list[tuple[str, Path | None, Path | None]]:
    if old.is_dir() and new.is_dir():
        names = sorted({p.name for p in old.glob("*.template.json")} | {p.name for p in new.glob("*.template.json")})
        return [
            (name, old / name if (old / name).exists() else None, new / name if (new / name).exists() else None)
            for name in names
        ]
    return [(f"{old.name} -> {new.name}", old, new)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eks_platform.replacement",
        description="List the resources CloudFormation would replace or delete going from OLD to NEW.",
    )
    parser.add_argument("old", help="old template JSON, or a cdk.out directory")
    parser.add_argument("new", help="new template JSON, or a cdk.out directory")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--region", default=DEFAULT_REGION, help="provider schemas of this region (us-east-1)")
    parser.add_argument("--strict", action="store_true", help="also fail on may-replace")
    args = parser.parse_args(argv)
    old, new = Path(args.old), Path(args.new)
    for path in (old, new):
        if not path.exists():
            print(f"error: {path} does not exist", file=sys.stderr)
            return 2
    if old.is_dir() != new.is_dir():
        print("error: give two template files or two cdk.out directories", file=sys.stderr)
        return 2

    failed = False
    output: list[Any] = []
    for name, old_path, new_path in _pairs(old, new):
        try:
            old_template = load_template(old_path) if old_path else {"Resources": {}}
            new_template = load_template(new_path) if new_path else {"Resources": {}}
        except (OSError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        report = compare_templates(old_template, new_template, region=args.region)
        failed |= bool(report.replaced_or_deleted) or (args.strict and bool(report.by_action(Action.MAY_REPLACE)))
        if args.json:
            output.append(
                {
                    "template": name,
                    "schemas": report.schema_source,
                    "changes": [
                        {
                            "logicalId": c.logical_id,
                            "type": c.resource_type,
                            "action": c.action.value,
                            "retained": c.retained,
                            "harmless": c.harmless or None,
                            "reasons": list(c.reasons),
                        }
                        for c in report.changes
                    ],
                    "updated": list(report.updated),
                    "added": list(report.added),
                    "notes": list(report.notes),
                }
            )
        else:
            output.append(format_report(report, title=name))
    print(json.dumps(output, indent=2) if args.json else "\n\n".join(output))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
