"""Keyword type checks at the public boundary of every construct and helper, read from their signatures.

``@checked_keywords("InvalidPodIdentity")`` on a constructor (or a public function) checks each argument against its
annotation before the body runs, so a wrong type never reaches aws-cdk-lib: it is either an unambiguous spelling of a
valid value (the string value of one of this library's enums, which is then passed on as the member) or one
``ConfigError`` naming every keyword as the caller wrote it, the value received and what to pass. The signature stays
the typed one (``ParamSpec``), so mypy and editors see the real parameters.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from eks_platform._internal import arguments as args
from eks_platform._internal.tree import child_path, path_of
from eks_platform.errors import ConfigError

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def checked_keywords(code: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Check every argument of the decorated function against its annotation; raise ``ConfigError(code, ...)``."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(func)
        hints: dict[str, Any] = {}
        resolved = False

        @functools.wraps(func)
        def wrapper(*positional: P.args, **keywords: P.kwargs) -> R:
            nonlocal hints, resolved
            if not resolved:
                hints, resolved = args.keyword_hints(func), True
            try:
                bound = signature.bind(*positional, **keywords)
            except TypeError as error:
                name = func.__qualname__.replace(".__init__", "")
                raise ConfigError(code, [_signature_problem(name, signature, keywords, error)]) from None
            arguments = {k: a for k, a in bound.arguments.items() if k not in ("self", "cls")}
            used, problems = args.keyword_problems(hints, arguments)
            if problems:
                raise ConfigError(code, problems, path=_where(bound.arguments))
            if not used:
                return func(*positional, **keywords)
            bound.arguments.update(used)
            return func(*bound.args, **bound.kwargs)

        return wrapper

    return decorate


def _where(arguments: dict[str, Any]) -> str | None:
    """The construct path the problems belong to (computed only on failure: a path read is a jsii round trip)."""
    try:
        scope, construct_id = arguments.get("scope"), arguments.get("construct_id")
        if scope is not None and isinstance(construct_id, str) and hasattr(type(scope), "node"):
            return child_path(scope, construct_id)
        owner = arguments.get("self")
        if owner is not None and hasattr(type(owner), "node"):
            return path_of(owner)
    except Exception:
        return None
    return None


def _signature_problem(name: str, signature: inspect.Signature, keywords: dict[str, Any], error: TypeError) -> str:
    known = [p for p in signature.parameters if p not in ("self", "cls")]
    unknown = [word for word in keywords if word not in signature.parameters]
    if unknown:
        hints = []
        for word in unknown:
            close = difflib.get_close_matches(word, known, n=1)
            hints.append(f"{word!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        return f"{name} takes no keyword {', '.join(hints)}; its keywords are {', '.join(known)}"
    return f"{name}: {error}; its parameters are {', '.join(known)}"


def check_fields(obj: object, code: str) -> None:
    """The first step of a value object's ``__post_init__``: each field against its annotation.

    Refuses a wrong type with ``ConfigError(code, ...)`` naming ``<Class>.<field>``; an enum's string value becomes the
    member (set on the frozen object).
    """
    used, problems = args.field_problems(obj)
    if problems:
        raise ConfigError(code, problems)
    for name, value in used.items():
        object.__setattr__(obj, name, value)


def checked_value(code: str) -> Callable[[type[T]], type[T]]:
    """Class decorator of a dataclass value object: an unknown keyword (with a did-you-mean), a missing one or a
    positional argument is a ``ConfigError(code, ...)``, not the ``TypeError`` of the generated ``__init__``."""

    def decorate(cls: type[T]) -> type[T]:
        init = cls.__init__
        signature = inspect.signature(init)

        @functools.wraps(init)
        def checked_init(self: T, *positional: Any, **keywords: Any) -> None:
            try:
                signature.bind(self, *positional, **keywords)
            except TypeError as error:
                raise ConfigError(code, [_signature_problem(cls.__name__, signature, keywords, error)]) from None
            init(self, *positional, **keywords)

        cls.__init__ = checked_init  # type: ignore[assignment,method-assign]
        return cls

    return decorate
