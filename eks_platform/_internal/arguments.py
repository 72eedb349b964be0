"""Rules for the constructs' keyword arguments: the right Python type, or an unambiguous spelling of it.

A wrong type never reaches aws-cdk-lib (where it would be a jsii ``SerializationError``, an ``AttributeError`` or a
silently different result: a string ``"false"`` is truthy, a string of zone IDs iterates as letters). Each rule
returns problems naming the keyword as the caller wrote it; enum arguments also accept the enum's string value and,
where one exists, the same-named member of the aws_eks_v2 enum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any, TypeVar

from eks_platform._internal import validation as v

E = TypeVar("E", bound=Enum)


def bool_problems(setting: str, value: object) -> list[str]:
    """``True`` or ``False``; a string such as ``"false"`` is refused (it would be truthy)."""
    if isinstance(value, bool):
        return []
    return [f"{setting} must be True or False, got {type(value).__name__} {value!r}"]


def optional_bool_problems(setting: str, value: object) -> list[str]:
    return [] if value is None else bool_problems(setting, value)


def enum_argument(
    setting: str, value: object, enum_cls: type[E], *, aliases: Iterable[tuple[object, E]] = ()
) -> tuple[E | None, list[str]]:
    """``value`` as a member of ``enum_cls``: a member, its string value, or an alias (an aws_eks_v2 constant).

    Returns ``(member, [])`` or ``(None, [problem])``.
    """
    if isinstance(value, enum_cls):
        return value, []
    for alias, member in aliases:
        if value is alias or (_jsii_ref(value) is not None and _jsii_ref(value) == _jsii_ref(alias)):
            return member, []
    if isinstance(value, str) and not isinstance(value, Enum):
        for member in enum_cls:
            if value == member.value:
                return member, []
    allowed = ", ".join(f"{enum_cls.__name__}.{m.name} ({m.value!r})" for m in enum_cls)
    return None, [f"{setting} {value!r} is not a {enum_cls.__name__}; use one of {allowed}"]


def _jsii_ref(value: object) -> object:
    """The kernel reference of a jsii object (each read of a jsii constant is a new proxy of the same object)."""
    return getattr(getattr(value, "__jsii_ref__", None), "ref", None)


def string_sequence_problems(setting: str, value: object) -> list[str]:
    """A list or tuple of strings; a lone string is refused (iterated it would be one-letter items)."""
    if value is None or v.is_unresolved(value):
        return []
    if isinstance(value, str | bytes):
        return [f"{setting} must be a list of strings, got the string {value!r}; wrap it in a list: [{value!r}]"]
    if not isinstance(value, Sequence):
        return [f"{setting} must be a list of strings, got {type(value).__name__} {value!r}"]
    return [
        f"{setting}[{i}] must be a string, got {type(item).__name__} {item!r}"
        for i, item in enumerate(value)
        if not isinstance(item, str)
    ]


def instance_sequence_problems(setting: str, value: object, kind: type, described: str) -> list[str]:
    """A list or tuple whose items are ``kind`` instances."""
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return [f"{setting} must be a list of {described}, got {type(value).__name__} {value!r}"]
    return [
        f"{setting}[{i}] must be {described}, got {type(item).__name__} {item!r}"
        for i, item in enumerate(value)
        if not isinstance(item, kind)
    ]


def string_mapping_problems(setting: str, value: object) -> list[str]:
    """A mapping of strings to strings (tags, labels)."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [f"{setting} must be a mapping of strings to strings, got {type(value).__name__} {value!r}"]
    return [
        f"{setting} entry {key!r}: {item!r} must map a string to a string"
        for key, item in value.items()
        if not isinstance(key, str) or not isinstance(item, str)
    ]


def instance_problems(setting: str, value: Any, kind: type | tuple[type, ...], described: str) -> list[str]:
    """``value`` is an instance of ``kind`` (or None)."""
    if value is None or isinstance(value, kind):
        return []
    return [f"{setting} must be {described}, got {type(value).__name__} {value!r}"]
