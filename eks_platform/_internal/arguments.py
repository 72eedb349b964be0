"""Rules for the constructs' keyword arguments: the right Python type, or an unambiguous spelling of it.

A wrong type never reaches aws-cdk-lib (where it would be a jsii ``SerializationError``, an ``AttributeError`` or a
silently different result: a string ``"false"`` is truthy, a string of zone IDs iterates as letters). Each rule
returns problems naming the keyword as the caller wrote it; enum arguments also accept the enum's string value and,
where one exists, the same-named member of the aws_eks_v2 enum.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    return None, [f"{setting} {value!r} is not {_article(enum_cls.__name__)}; use one of {allowed}"]


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


# -- every keyword against its annotation ---------------------------------------------------------------------------
# The constructs' signatures already say what each keyword takes; these functions read them, so a new keyword is
# checked the day it is added. Pure Python: annotations are inspected as objects, nothing here imports aws-cdk-lib.
_SKIPPED_PARAMETERS = frozenset({"self", "cls", "return"})
_REPR_MAX = 80


def _shown(value: object) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= _REPR_MAX else text[: _REPR_MAX - 3] + "..."


def _got(value: object) -> str:
    return f"got {type(value).__name__} {_shown(value)}"


def keyword_hints(func: Callable[..., Any]) -> dict[str, Any]:
    """The evaluated annotation of each parameter of ``func`` (``from __future__ import annotations`` strings are
    resolved in the function's module). A parameter whose annotation cannot be resolved (a name imported only for type
    checkers) is left out, and so goes unchecked here."""
    try:
        hints = typing.get_type_hints(func)
    except Exception:
        hints = {}
        namespace = getattr(func, "__globals__", {})
        for name, written in getattr(func, "__annotations__", {}).items():
            try:
                hints[name] = eval(written, namespace) if isinstance(written, str) else written
            except Exception:
                continue
    return {name: hint for name, hint in hints.items() if name not in _SKIPPED_PARAMETERS}


def describe(annotation: Any) -> str:
    """``annotation`` in words, for a message: ``a list of strings``, ``an aws_iam.IRole``, ``True or False``."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [describe(a) for a in arguments if a is not type(None)]
        return " or ".join(dict.fromkeys(members)) + (" (or None)" if type(None) in arguments else "")
    if origin is typing.Literal:
        return "one of " + ", ".join(_shown(a) for a in arguments)
    if origin is tuple and arguments and arguments[-1:] != (...,):
        return "a tuple (" + ", ".join(describe(a) for a in arguments) + ")"
    if origin in (list, tuple, Sequence, collections.abc.Sequence) and arguments:
        return f"a list of {_plural(describe(arguments[0]))}"
    if origin in (dict, Mapping, collections.abc.Mapping) and len(arguments) == 2:
        return f"a mapping of {_plural(describe(arguments[0]))} to {_plural(describe(arguments[1]))}"
    if annotation is bool:
        return "True or False"
    if annotation is str:
        return "a string"
    if annotation is int:
        return "an integer"
    if annotation is float:
        return "a number"
    if isinstance(annotation, type):
        if annotation in _DESCRIPTIONS:
            return _DESCRIPTIONS[annotation]
        if issubclass(annotation, Enum) and issubclass(annotation, str):
            return f"a {annotation.__name__} (or its string value)"
        return _article(_qualified_name(annotation))
    return str(annotation)


_DESCRIPTIONS: dict[type, str] = {}


def describe_as(cls: type, words: str) -> None:
    """How messages name ``cls`` (a protocol users never import by name: ``an AutoModeCluster or ...``)."""
    _DESCRIPTIONS[cls] = words


def _qualified_name(cls: type) -> str:
    module = cls.__module__
    if module.startswith("aws_cdk.") and not module.startswith("aws_cdk._"):
        return f"{module.removeprefix('aws_cdk.').split('.')[0]}.{cls.__name__}"
    if module.startswith("aws_cdk"):
        return f"cdk.{cls.__name__}"
    return cls.__name__


def _article(text: str) -> str:
    return ("an " if text[:1].lower() in "aeiou" else "a ") + text


def _plural(text: str) -> str:
    for article in ("a ", "an "):
        if text.startswith(article):
            text = text[len(article):]
            break
    if text == "True or False":
        return "booleans"
    return text + "s" if not text.endswith(("s", ")")) else text


def _is_jsii_interface(cls: type) -> bool:
    return bool(getattr(cls, "_is_protocol", False)) and not getattr(cls, "_is_runtime_protocol", False)


def _interface_members(cls: type) -> tuple[str, ...]:
    return tuple(name for name in vars(cls) if not name.startswith("_"))


def _implements(value: object, cls: type) -> bool:
    """Whether ``value`` implements the jsii interface ``cls`` (a ``typing.Protocol``).

    Judged on classes, so no property is read (a read on a jsii object is a round trip to the kernel): a class declares
    the interfaces it implements (``@jsii.implements`` records them as ``__jsii_ifaces__``), an object jsii returns for
    an interface is an instance of its proxy class, and one implementing several is an ``InterfaceDynamicProxy`` over
    one such object per interface. A class without that record passes when it has every member of the interface.
    """
    delegates = getattr(value, "_delegates", None)
    owners = [type(d) for d in delegates] if isinstance(delegates, list) and delegates else [type(value)]
    proxy_of = getattr(cls, "__jsii_proxy_class__", None)
    proxy = proxy_of() if callable(proxy_of) else None
    for owner in owners:
        declared = getattr(owner, "__jsii_ifaces__", None) or []
        if any(cls in getattr(iface, "__mro__", ()) for iface in declared):
            return True
        if isinstance(proxy, type) and issubclass(owner, proxy):
            return True
    return all(any(hasattr(owner, name) for owner in owners) for name in _interface_members(cls))


def annotation_problems(setting: str, value: object, annotation: Any) -> tuple[object, list[str]]:
    """``value`` checked against ``annotation``: ``(the value to use, problems)``.

    The value to use differs from ``value`` only where a wrong type is an unambiguous spelling of a right one: the
    string value of one of this library's ``(str, Enum)`` enums becomes the member. A lone string is never a list of
    strings, ``"false"`` is never a boolean, ``1`` is never ``True``. CDK tokens are not judged.
    """
    if annotation is Any or annotation is object:
        return value, []
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in arguments:
            return value, []
        members = [a for a in arguments if a is not type(None)]
        if len(members) == 1:
            return annotation_problems(setting, value, members[0])
        first_problems: list[str] | None = None
        for member in members:
            used, problems = annotation_problems(setting, value, member)
            if not problems:
                return used, []
            if first_problems is None and _shape_matches(value, member):
                first_problems = problems
        return value, first_problems or [f"{setting} must be {describe(annotation)}, {_got(value)}"]
    if origin is typing.Literal:
        ok = any(value == a and type(value) is type(a) for a in arguments)
        return value, [] if ok else [f"{setting} must be {describe(annotation)}, {_got(value)}"]
    if origin in (list, Sequence, collections.abc.Sequence) or (origin is tuple and arguments[-1:] == (...,)):
        return _sequence_problems(setting, value, arguments[0] if arguments else Any, annotation)
    if origin is tuple:
        return _fixed_tuple_problems(setting, value, arguments, annotation)
    if origin in (dict, Mapping, collections.abc.Mapping):
        return _mapping_problems(setting, value, arguments, annotation)
    if origin in (collections.abc.Callable,):
        return value, [] if callable(value) else [f"{setting} must be a function, {_got(value)}"]
    if origin is type or not isinstance(annotation, type):
        return value, []  # type[...] arguments, TypeVars and forward references: not judged here
    return _class_problems(setting, value, annotation)


def _shape_matches(value: object, annotation: Any) -> bool:
    """Whether ``value`` has the outer shape of ``annotation`` (so its inner problem is the one worth reporting)."""
    origin = typing.get_origin(annotation) or annotation
    if origin in (list, tuple, Sequence, collections.abc.Sequence):
        return isinstance(value, list | tuple)
    if origin in (dict, Mapping, collections.abc.Mapping):
        return isinstance(value, Mapping)
    return False


def _sequence_problems(setting: str, value: object, item: Any, annotation: Any) -> tuple[object, list[str]]:
    if v.is_unresolved(value):
        return value, []
    if isinstance(value, str | bytes):
        return value, [
            f"{setting} must be {describe(annotation)}, got the string {_shown(value)}; wrap it in a list: "
            f"[{_shown(value)}]"
        ]
    if not isinstance(value, list | tuple):
        return value, [f"{setting} must be {describe(annotation)}, {_got(value)}"]
    used: list[object] = []
    problems: list[str] = []
    for index, element in enumerate(value):
        element_used, element_problems = annotation_problems(f"{setting}[{index}]", element, item)
        used.append(element_used)
        problems += element_problems
    if problems or all(a is b for a, b in zip(used, value, strict=True)):
        return value, problems
    return type(value)(used), []


def _fixed_tuple_problems(
    setting: str, value: object, items: tuple[Any, ...], annotation: Any
) -> tuple[object, list[str]]:
    if not isinstance(value, list | tuple) or len(value) != len(items):
        return value, [f"{setting} must be {describe(annotation)}, {_got(value)}"]
    problems: list[str] = []
    used: list[object] = []
    for index, (element, item) in enumerate(zip(value, items, strict=True)):
        element_used, element_problems = annotation_problems(f"{setting}[{index}]", element, item)
        used.append(element_used)
        problems += element_problems
    return (value if problems else tuple(used)), problems


def _mapping_problems(
    setting: str, value: object, items: tuple[Any, ...], annotation: Any
) -> tuple[object, list[str]]:
    if v.is_unresolved(value):
        return value, []
    if not isinstance(value, Mapping):
        return value, [f"{setting} must be {describe(annotation)}, {_got(value)}"]
    if len(items) != 2:
        return value, []
    key_type, value_type = items
    problems: list[str] = []
    for key, element in value.items():
        problems += annotation_problems(f"{setting} key {_shown(key)}", key, key_type)[1]
        problems += annotation_problems(f"{setting}[{_shown(key)}]", element, value_type)[1]
    return value, problems


def _class_problems(setting: str, value: object, cls: type) -> tuple[object, list[str]]:
    if cls is bool:
        return value, bool_problems(setting, value)
    if cls is int:
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and v.is_unresolved(value)
        )
        return value, [] if ok else [f"{setting} must be an integer, {_got(value)}"]
    if cls is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return value, [] if ok else [f"{setting} must be a number, {_got(value)}"]
    if cls is str:
        return value, [] if isinstance(value, str) else [f"{setting} must be a string, {_got(value)}"]
    if issubclass(cls, Enum) and issubclass(cls, str):
        member, problems = enum_argument(setting, value, cls)
        return (member if member is not None else value), problems
    if _is_jsii_interface(cls):
        ok = not isinstance(value, str | bytes | int | float | list | tuple | Mapping) and _implements(value, cls)
        return value, [] if ok else [f"{setting} must be {describe(cls)}, {_got(value)}"]
    try:
        ok = isinstance(value, cls)
    except TypeError:  # a class isinstance cannot judge: not ours to refuse
        ok = True
    return value, [] if ok else [f"{setting} must be {describe(cls)}, {_got(value)}"]


def keyword_problems(
    hints: Mapping[str, Any], values: Mapping[str, object], *, names: Mapping[str, str] | None = None
) -> tuple[dict[str, object], list[str]]:
    """Every value in ``values`` checked against its annotation in ``hints``.

    Returns the values to use (only those that changed: enum spellings turned into members) and every problem, each
    naming the keyword as the caller wrote it (``names`` maps a parameter to another spelling, e.g. a field of a
    value object ``VolumeTier.iops``).
    """
    used: dict[str, object] = {}
    problems: list[str] = []
    for name, value in values.items():
        annotation = hints.get(name)
        if annotation is None:
            continue
        checked, found = annotation_problems((names or {}).get(name, name), value, annotation)
        problems += found
        if checked is not value:
            used[name] = checked
    return used, problems


def field_problems(obj: object, *, owner: str | None = None) -> tuple[dict[str, object], list[str]]:
    """The fields of a dataclass value object checked against their annotations (see :func:`keyword_problems`).

    Problems name each field as ``<Class>.<field>``, the keyword the user wrote in ``<Class>(<field>=...)``.
    """
    cls = type(obj)
    hints = _class_hints(cls)
    names = [f.name for f in dataclasses.fields(obj)] if dataclasses.is_dataclass(obj) else list(hints)
    label = owner or cls.__name__
    return keyword_problems(
        hints,
        {name: getattr(obj, name) for name in names if name in hints},
        names={name: f"{label}.{name}" for name in names},
    )


def _class_hints(cls: type) -> dict[str, Any]:
    cached = _CLASS_HINTS.get(cls)
    if cached is None:
        try:
            cached = typing.get_type_hints(cls)
        except Exception:
            cached = {}
        cached = {k: h for k, h in cached.items() if typing.get_origin(h) is not typing.ClassVar}
        _CLASS_HINTS[cls] = cached
    return cached


_CLASS_HINTS: dict[type, dict[str, Any]] = {}
