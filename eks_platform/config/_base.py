"""The pydantic v2 base of the ``platform`` models and the translation of pydantic's errors into one ``ConfigError``.

Every model of the ``platform`` object derives from :class:`ConfigModel`: camelCase keys (``cpuLimit``) for
attributes in snake case (``cpu_limit``), unknown keys refused (with a did-you-mean), strict types (``"true"`` is not
a boolean, ``1.32`` is not a version), frozen instances.

The rules themselves are the pure ``*_problems()`` functions in ``eks_platform._internal`` (and the value objects of
the constructs), shared with the constructs. A model's validator calls a rule with :data:`HERE` as the setting name;
:func:`problems_of` replaces it with the full cdk.json path of the value (``platform.nodePools.pools.batch.cpuLimit``),
so every problem names the setting as the user wrote it.

See: https://docs.pydantic.dev/latest/concepts/strict_mode/
See: https://docs.pydantic.dev/latest/errors/errors/
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Tag, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from eks_platform._internal import validation as v
from eks_platform.errors import ConfigError

_T = TypeVar("_T")
_M = TypeVar("_M", bound=BaseModel)

#: Stands for "the setting being validated" in a rule's messages; replaced by its cdk.json path.
HERE = "\x1f@\x1f"
#: Stands for "the object that holds the setting being validated" (for a rule across sibling fields).
PARENT = "\x1f^\x1f"
#: Tags of discriminated unions start with this; they are not part of the cdk.json path.
UNION_TAG = "\x1f~"
_RULE = "eks_platform_rule"
#: Error type of a discriminated union whose tag is missing or unknown (``Discriminator(custom_error_type=...)``).
TAG_ERROR = "eks_platform_tag"
#: Rules for the tags of discriminated unions, by the name in ``custom_error_message=name``: the tag's
#: key, the rule judging its value, and the shape of the union's values (for a value that is not an object).
TAG_RULES: dict[str, tuple[str, Callable[[str, object], list[str]], str]] = {}


class ConfigModel(BaseModel):
    """Base of every ``platform`` model: camelCase keys, ``extra="forbid"``, strict types, frozen."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
        strict=True,
        frozen=True,
        regex_engine="python-re",
    )

    #: What a missing required key is needed for, by cdk.json key (appended to "<path> is required").
    missing_hints: typing.ClassVar[dict[str, str]] = {}
    #: What a key's value must be, by cdk.json key, when it has the wrong JSON type (instead of "a mapping").
    shape_hints: typing.ClassVar[dict[str, str]] = {}

    @classmethod
    def foreign_key_problem(cls, path: str, key: str) -> str | None:
        """A message for a key this model does not take but a sibling model does (None: "unknown key")."""
        return None

    def __setattr__(self, name: str, value: Any) -> None:
        # A parsed configuration is read-only, as a frozen dataclass is (AttributeError, not a ValidationError).
        if name in type(self).model_fields:
            raise AttributeError(f"{type(self).__name__} is frozen; use model_copy(update={{{name!r}: ...}})")
        super().__setattr__(name, value)


def rule_error(problems: Iterable[str]) -> PydanticCustomError:
    """A pydantic error carrying a rule's problems (each may use :data:`HERE` for the setting)."""
    return PydanticCustomError(_RULE, "{problems}", {"problems": "\x1e".join(problems)})


def check(problems: Sequence[str]) -> None:
    """Raise the problems a rule returned, if any (inside a validator)."""
    if problems:
        raise rule_error(problems)


def ruled(rule: Callable[[str, Any], Sequence[str]]) -> AfterValidator:
    """A field's rule, written on its type: ``account: Annotated[str, ruled(v.aws_account)]`` runs
    ``v.aws_account(HERE, value)`` once the value has its type, and reports what it returns under the field's path."""

    def validate(value: Any) -> Any:
        check(rule(HERE, value))
        return value

    return AfterValidator(validate)


def camel_case_problems(model: type[BaseModel], problems: Iterable[str]) -> list[str]:
    """Problems of a value object, with its Python field names (``cpu_limit``) as the cdk.json keys (``cpuLimit``)."""
    names = {name: f.alias for name, f in model.model_fields.items() if f.alias and f.alias != name}
    if not names:
        return list(problems)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b")
    return [pattern.sub(lambda m: names[m.group(1)], p) for p in problems]


#: A quoted value in a problem (``'a b'``, ``"x"``); an apostrophe inside a word (``budget's``) is not a quote.
_QUOTED = re.compile(r"""(?<![A-Za-z0-9])'[^']*'|"[^"]*\"""", re.ASCII)


def _field_tokens(model: type[BaseModel], kwargs: Iterable[str], fields: Mapping[str, str]) -> dict[str, str]:
    """Words that name a setting of ``model`` in a value object's problems -> the setting's cdk.json key.

    A setting is named by its cdk.json key (``cpuLimit``), its Python name (``cpu_limit``, the value object's keyword)
    or, for a list or map, the singular (``label key`` is about ``labels``).
    """
    tokens: dict[str, str] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        for word in (key, name):
            tokens.setdefault(word, key)
            if word.endswith("s") and len(word) > 3:
                tokens.setdefault(word[:-1], key)
    for keyword in kwargs:
        if keyword in fields:
            tokens[keyword] = fields[keyword]
        elif keyword in model.model_fields:
            tokens.setdefault(keyword, model.model_fields[keyword].alias or keyword)
    return {word: key for word, key in tokens.items() if key}


def field_problems(
    model: type[BaseModel],
    problems: Iterable[str],
    *,
    kwargs: Iterable[str] = (),
    fields: Mapping[str, str] | None = None,
    phrases: Mapping[str, str] | None = None,
) -> list[str]:
    """A value object's problems, each re-homed under the cdk.json key of the setting it is about.

    The setting is the first one the problem names (quoted values aside): ``node pool 'batch' cpu_limit '-1' has a
    sign`` is about ``cpuLimit``. ``phrases`` maps a wording that names no setting to the one it is about
    (``needs at least one value`` -> ``values``); ``fields`` maps a keyword of the value object to the setting it
    comes from when their names differ. A problem naming no setting (or the object's name, its key) stays on the
    object. The Python names are written as the cdk.json keys.
    """
    tokens = _field_tokens(model, kwargs, fields or {})
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, sorted(tokens, key=len, reverse=True))) + r")(?![A-Za-z0-9_])",
        re.ASCII,
    ) if tokens else None
    out: list[str] = []
    for problem in camel_case_problems(model, problems):
        if HERE in problem:
            out.append(problem)
            continue
        key = next((k for phrase, k in (phrases or {}).items() if phrase in problem), None)
        if key is None and pattern is not None:
            found = pattern.search(_QUOTED.sub(" ", problem))
            key = tokens[found.group(1)] if found else None
        out.append(_homed(problem, key, tokens) if key else problem)
    return out


#: The subject a value object opens its problems with (``node pool 'batch' ``, ``volume tier 'fast'.``,
#: ``ephemeral_storage.``), then the rest of the problem.
_SUBJECT = re.compile(r"((?:[a-z][a-z ]*'[^']*'[. ]?|[a-z][a-z_]*\.)?)(.*)", re.ASCII | re.DOTALL)


def _homed(problem: str, key: str, tokens: Mapping[str, str]) -> str:
    """``problem`` under ``key``. When it opens with the setting itself (its Python name, after the object's own
    subject), the full path takes that place: ``volume tier 'fast'.iops 1 is outside ...`` under ``tiers[0]`` reads
    ``platform.storage.tiers[0].iops 1 is outside ...``, not ``...iops: volume tier 'fast'.iops 1 ...``."""
    opened = _SUBJECT.fullmatch(problem)
    for rest in dict.fromkeys((problem, opened.group(2) if opened is not None else problem)):
        for word in sorted(tokens, key=len, reverse=True):
            if not rest.startswith(word) or not key.startswith(tokens[word]):
                continue
            after = rest[len(word):]
            inner = key[len(tokens[word]):]  # ``.size`` when the key is ``ephemeralStorage.size``
            if after.startswith(inner) and after[len(inner):len(inner) + 1] in (" ", ":"):
                return f"{HERE}.{key}{after[len(inner):]}"
    return f"{HERE}.{key}: {problem}"


def build(
    model: type[BaseModel],
    factory: Callable[..., _T],
    *,
    fields: Mapping[str, str] | None = None,
    phrases: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> _T:
    """Build a construct's value object inside a validator; its ``ConfigError`` becomes this setting's problems,
    each under the key it is about (see :func:`field_problems`)."""
    try:
        return factory(**kwargs)
    except ConfigError as error:
        raise rule_error(
            field_problems(model, error.problems, kwargs=kwargs, fields=fields, phrases=phrases)
        ) from None


def attempt(fn: Callable[..., _T], *args: Any) -> tuple[_T | None, list[str]]:
    """Run ``fn`` (which may raise a rule error from :func:`build`/:func:`check`); return its value or its problems."""
    try:
        return fn(*args), []
    except PydanticCustomError as error:
        if error.type != _RULE:
            raise
        return None, str((error.context or {})["problems"]).split("\x1e")


def under(part: str, problems: Iterable[str]) -> list[str]:
    """Problems of a value inside the one being validated, re-homed under ``.<part>``."""
    return [p.replace(HERE, f"{HERE}.{part}") if HERE in p else f"{HERE}.{part}: {p}" for p in problems]


# -- translation ----------------------------------------------------------------------------------------------------
def path_of(root: str, loc: Sequence[int | str]) -> str:
    """``platform`` + ``("nodePools", "pools", "b", "taints", 0)`` -> ``platform.nodePools.pools.b.taints[0]``."""
    out = root
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.startswith(UNION_TAG):
            out += f".{part}" if out else part
    return out


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


_EXPECTED = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "list_type": "a list (JSON array)",
    "tuple_type": "a list (JSON array)",
    "dict_type": "a mapping (JSON object)",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
            tp = models[0] if models else members[0]
        else:
            return tp


def _tagged(tp: Any, tag: str) -> Any:
    """The member of a discriminated union whose ``Tag`` is ``tag`` (or ``tp`` itself when there is none)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return tp
    for member in typing.get_args(tp):
        tagged = typing.get_origin(member) is typing.Annotated
        if tagged and any(isinstance(m, Tag) and m.tag == tag for m in member.__metadata__):
            return member
    return tp


def model_at(model: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model class that validates the value at ``loc`` (for the keys it allows), or None."""
    tp: Any = model
    for part in loc:
        if isinstance(part, str) and part.startswith(UNION_TAG):
            tp = _tagged(tp, part)
            continue
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = next((f for n, f in tp.model_fields.items() if part in (n, f.alias)), None)
            if field is None:
                return None
            tp = field.annotation
            continue
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin in (tuple, list) and args:
            tp = args[0]
        elif origin is dict and len(args) == 2:
            tp = args[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _items_are_strings(model: type[BaseModel] | None, loc: Sequence[int | str]) -> bool:
    owner = model_at(model, loc[:-1]) if model is not None and loc else None
    field = next((f for n, f in owner.model_fields.items() if loc[-1] in (n, f.alias)), None) if owner else None
    tp = _unwrap(field.annotation) if field is not None else None
    return typing.get_origin(tp) in (tuple, list) and typing.get_args(tp)[:1] == (str,)


def _aliased(model: type[BaseModel] | None, loc: Sequence[int | str]) -> tuple[int | str, ...]:
    """``loc`` with field names as their cdk.json keys (pydantic names a default's location by the field name)."""
    out: list[int | str] = []
    for part in loc:
        owner = model_at(model, out) if model is not None and isinstance(part, str) else None
        field = owner.model_fields.get(part) if owner is not None and isinstance(part, str) else None
        out.append(field.alias if field is not None and field.alias else part)
    return tuple(out)


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or n for n, f in model.model_fields.items()]


def problems_of(error: ValidationError, *, root: str, model: type[BaseModel] | None) -> list[str]:
    """Every problem in ``error``, each naming the full cdk.json path of its setting, the value and the fix."""
    problems: list[str] = []
    for item in error.errors(include_url=False):
        loc = _aliased(model, item["loc"])
        path = path_of(root, loc)
        kind = item["type"]
        value = item.get("input")
        if kind == _RULE:
            for problem in str(item["ctx"]["problems"]).split("\x1e"):
                problem = problem.replace(PARENT, path_of(root, loc[:-1]))
                problems.append(problem.replace(HERE, path) if HERE in problem else f"{path}: {problem}")
        elif kind == "extra_forbidden":
            owner = model_at(model, loc[:-1]) if model is not None else None
            keys = allowed_keys(owner) if owner is not None else []
            foreign = None
            if isinstance(owner, type) and issubclass(owner, ConfigModel):
                foreign = owner.foreign_key_problem(path, str(loc[-1]))
            problems += [foreign] if foreign else v.unknown_keys(path_of(root, loc[:-1]), [str(loc[-1])], keys)
        elif kind == TAG_ERROR:
            tag_key, rule, shape = TAG_RULES[item["msg"]]
            found = rule(f"{path}.{tag_key}", value.get(tag_key)) if isinstance(value, dict) else []
            problems += found or [f"{path} must be {shape}, got {_json_type(value)} {value!r}"]
        elif kind == "missing":
            owner = model_at(model, loc[:-1]) if model is not None and loc else None
            hints: dict[str, str] = getattr(owner, "missing_hints", {}) if owner is not None else {}
            problems.append(f"{path} is required{hints.get(str(loc[-1]), '')}")
        elif kind in ("list_type", "tuple_type") and _items_are_strings(model, loc):
            problems.append(f"{path} must be a list of strings, got {_json_type(value)} {value!r}")
        elif kind in _EXPECTED:
            owner = model_at(model, loc[:-1]) if model is not None and loc else None
            shapes: dict[str, str] = getattr(owner, "shape_hints", {}) if owner is not None else {}
            shape = shapes.get(str(loc[-1]), _EXPECTED[kind]) if loc else _EXPECTED[kind]
            problems.append(f"{path} must be {shape}, got {_json_type(value)} {value!r}")
        elif kind == "enum" or kind == "literal_error":
            problems.append(f"{path} {value!r} is not one of {item['ctx']['expected']}")
        elif kind == "eks_platform_shape":
            problems.append(f"{path} must be {item['msg']}, got {_json_type(value)} {value!r}")
        elif kind == "value_error" and isinstance((item.get("ctx") or {}).get("error"), ConfigError):
            # a value object built in a validator outside build(): its problems, at this setting
            problems += [f"{path}: {problem}" for problem in item["ctx"]["error"].problems]
        elif kind == "frozen_instance":
            problems.append(f"{path} cannot be changed on a parsed configuration")
        else:
            problems.append(f"{path} {value!r}: {item['msg']}")
    return problems


def validate_type(tp: Any, raw: Any, *, root: str) -> Any:
    """Validate ``raw`` against a plain type (an enum, ``tuple[str, ...]``); raise one ``ConfigError`` listing all."""
    try:
        return TypeAdapter(tp, config=ConfigModel.model_config).validate_json(_to_json(raw))
    except ValidationError as error:
        raise ConfigError("InvalidPlatformConfig", problems_of(error, root=root, model=None), path=root) from None


def validate(model: type[_M], raw: Any, *, root: str, context: dict[str, Any] | None = None) -> _M:
    """Validate the JSON value ``raw`` (from cdk.json) against ``model``; raise one ``ConfigError`` listing all.

    The value is validated in pydantic's JSON mode (JSON arrays for tuples, strings for enums), which is the shape
    ``cdk.json`` and ``-c key=<json>`` give.
    """
    try:
        return model.model_validate_json(_to_json(raw), context=context or {})
    except ValidationError as error:
        raise ConfigError("InvalidPlatformConfig", problems_of(error, root=root, model=model), path=root) from None


def section_problems(model: type[_M], raw: Any, *, root: str, context: dict[str, Any] | None = None) -> tuple[
    _M | None, list[str]
]:
    """Like :func:`validate`, returning ``(value, problems)`` instead of raising."""
    try:
        return validate(model, raw, root=root, context=context), []
    except ConfigError as error:
        return None, list(error.problems)


def _to_json(raw: Any) -> str:
    """``raw`` as JSON text; NaN and infinities (which JSON has not) become strings, so a type error names them."""
    return json.dumps(_finite(raw), default=_not_json)


def _not_json(value: object) -> Any:
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    return f"<{type(value).__name__} {value!r}>"


def _finite(raw: Any) -> Any:
    if isinstance(raw, float) and not math.isfinite(raw):
        return str(raw)
    if isinstance(raw, dict):
        return {k if isinstance(k, str) else str(k): _finite(x) for k, x in raw.items()}
    if isinstance(raw, list | tuple):
        return [_finite(x) for x in raw]
    return raw
