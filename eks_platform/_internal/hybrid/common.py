"""Helpers shared by the hybrid rules."""

from __future__ import annotations

from typing import Any


def as_tuple(setting: str, value: object, problems: list[str]) -> tuple[Any, ...]:
    """``value`` as a tuple (None -> empty); appends a problem and returns ``()`` when it is not a list or tuple."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        problems.append(f"{setting} must be a list, got {type(value).__name__} {value!r}")
        return ()
    return tuple(value)
