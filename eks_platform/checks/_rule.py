"""What every ``EKSP-<n>`` rule is made of, and the helpers the rules share.

A rule is a pure function over one resource's **resolved** CloudFormation properties (the ``Properties`` object of
the synthesized template, after ``Stack.resolve``): no construct tree, no jsii, no clock. That keeps each rule
testable with a dict fixture and usable on any template, not only on CDK apps.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

#: The pack's rule-ID prefix: rules are ``EKSP-1`` ... ``EKSP-11``.
PACK_PREFIX = "EKSP"


class Level(str, Enum):
    """How bad a finding is. ``ERROR`` fails synth when the pack runs as a ``Validations`` plugin."""

    ERROR = "ERROR"
    WARN = "WARN"


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleContext:
    """What a rule may know besides the resource: the date (for version-lifecycle rules)."""

    today: dt.date


@dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """One thing wrong with one resource.

    Attributes:
        message: what is wrong, the value found and how to fix it (shown to the user).
        finding_id: a sub-identifier for rules that report several independent findings per resource (an action,
            a log type, a StorageClass name). The full rule ID becomes ``EKSP-<n>[<finding_id>]``, which is what an
            acknowledgment names, so one finding can be accepted without accepting the others.
    """

    message: str
    finding_id: str | None = None


CheckFunction = Callable[[Mapping[str, Any], RuleContext], list[Finding]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    """An ``EKSP-<n>`` rule: metadata plus the pure check function.

    Attributes:
        number: ``n`` in ``EKSP-<n>``. Stable: never renumber a published rule.
        title: short name (kebab-case) used in tables.
        resource_types: CloudFormation types the rule looks at (others are not applicable).
        level: ``ERROR`` or ``WARN``.
        info: one line saying what the rule wants (the cdk-nag "info").
        explanation: why it matters and how to fix it (the cdk-nag "explanation").
        check: ``check(properties, context) -> [Finding]``; an empty list means compliant or not applicable.
        see: documentation link.
    """

    number: int
    title: str
    resource_types: frozenset[str]
    level: Level
    info: str
    explanation: str
    check: CheckFunction
    see: str = ""

    @property
    def rule_id(self) -> str:
        return f"{PACK_PREFIX}-{self.number}"

    def applies_to(self, resource_type: str) -> bool:
        return resource_type in self.resource_types

    def evaluate(self, resource_type: str, properties: Mapping[str, Any] | None, context: RuleContext) -> list[Finding]:
        """Run the check if the rule applies to ``resource_type``; a resource without properties counts as ``{}``."""
        if not self.applies_to(resource_type):
            return []
        return self.check(properties or {}, context)

    def full_id(self, finding: Finding) -> str:
        """``EKSP-<n>`` or ``EKSP-<n>[<finding_id>]``: the ID an acknowledgment must name."""
        return self.rule_id if finding.finding_id is None else f"{self.rule_id}[{finding.finding_id}]"


# -- helpers shared by the rules ------------------------------------------------------------------------------------


def is_intrinsic(value: object) -> bool:
    """True for an unresolved CloudFormation intrinsic (``{"Ref": ...}``, ``{"Fn::...": ...}``): cannot be judged."""
    return isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in _INTRINSIC_KEYS


_INTRINSIC_KEYS = frozenset(
    {
        "Ref",
        "Condition",
        "Fn::GetAtt",
        "Fn::Join",
        "Fn::Sub",
        "Fn::Select",
        "Fn::Split",
        "Fn::If",
        "Fn::ImportValue",
        "Fn::FindInMap",
        "Fn::Base64",
        "Fn::Cidr",
        "Fn::GetAZs",
        "Fn::Length",
        "Fn::ToJsonString",
        "Fn::Transform",
    }
)


def as_bool(value: object, default: bool | None) -> bool | None:
    """CloudFormation booleans may be ``true`` or ``"true"``. Absent gives ``default``; intrinsics give ``None``."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_list(value: object) -> list[Any]:
    """IAM-style "string or list of strings" as a list; absent gives ``[]``."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def get_path(properties: Mapping[str, Any], *keys: str) -> Any:
    """``properties[k1][k2]...`` or ``None`` when any level is missing or not an object."""
    current: Any = properties
    for key in keys:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def statements(document: object) -> Iterator[Mapping[str, Any]]:
    """The statements of an IAM policy document (a single statement object counts as a list of one)."""
    if not isinstance(document, Mapping):
        return
    for statement in as_list(document.get("Statement")):
        if isinstance(statement, Mapping):
            yield statement


def literal_text(value: object) -> str | None:
    """A string, or an ``Fn::Join`` flattened with every token replaced by a placeholder; else ``None``.

    Used to read JSON documents (Kubernetes manifests) that CDK renders as ``Fn::Join`` when they contain tokens:
    tokens sit inside JSON strings, so the placeholder keeps the JSON parseable.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and set(value) == {"Fn::Join"}:
        args = value["Fn::Join"]
        if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], list):
            parts = []
            for part in args[1]:
                text = literal_text(part)
                parts.append(text if text is not None else "TOKEN")
            return args[0].join(parts)
    return None


def json_documents(value: object) -> list[Mapping[str, Any]]:
    """The objects of a JSON manifest property (a JSON list or single object); unreadable values give ``[]``."""
    text = literal_text(value)
    if text is None:
        return []
    try:
        parsed = json.loads(text)
    except ValueError:
        return []
    items = parsed if isinstance(parsed, list) else [parsed]
    return [item for item in items if isinstance(item, Mapping)]


def join_names(names: Sequence[str]) -> str:
    return ", ".join(names)
