"""CDK context keys the library reads, and their readers: the bottom layer (stdlib, ``constructs`` typing, errors).

Every context key the constructs, the policy pack and the stacks read is named here once, so a newcomer finds what
``cdk.json`` (or ``cdk synth -c key=value``) can set outside the ``platform`` object in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from eks_platform.errors import ConfigError

if TYPE_CHECKING:  # type-only: the readers need nothing but ``node.get_all_context``
    from constructs import IConstruct

#: Context key that fixes the date the support policy is decided on (ISO ``YYYY-MM-DD``); default: today (UTC).
SYNTH_DATE_CONTEXT_KEY = "eks-platform:synthDate"
#: Context key of the reference platform's settings object (see README "Configuration").
PLATFORM_CONTEXT_KEY = "platform"


_CONTEXT_ATTRIBUTE = "_eks_platform_context"


def read_context(scope: IConstruct) -> dict[str, Any]:
    """Every context value ``scope`` sees (its own and its ancestors'), read afresh in one round trip
    (``node.get_all_context()``) instead of one ``node`` read and one ``try_get_context`` per key."""
    values = scope.node.get_all_context()
    return dict(values) if isinstance(values, Mapping) else {}


def keep_context(scope: IConstruct, values: Mapping[str, Any]) -> None:
    """Keep ``values`` (what :func:`read_context` returned for ``scope``) on ``scope``'s Python object, so
    :func:`app_context` answers without a round trip. Call it only when nothing can set context on ``scope`` any more
    before it gets its first child: constructs refuses ``set_context`` on a node with children
    (https://github.com/aws/constructs/blob/10.x/src/construct.ts, ``Node.setContext``)."""
    vars(scope)[_CONTEXT_ATTRIBUTE] = dict(values)


def app_context(app: IConstruct) -> Mapping[str, Any]:
    """The context of ``app``, the root of a construct's tree (``cdk.json``, ``cdk synth -c``, ``App(context=)``):
    read once per app and kept. Pass the root of a construct that exists, so the root has a child and its context
    can no longer change; context keys the library reads are app-level facts."""
    kept = vars(app).get(_CONTEXT_ATTRIBUTE)
    if isinstance(kept, dict):
        return kept
    keep_context(app, read_context(app))
    return vars(app)[_CONTEXT_ATTRIBUTE]  # type: ignore[no-any-return]


def synth_date(app: IConstruct) -> dt.date:
    """The date the version support policy is decided on: context ``eks-platform:synthDate`` of ``app`` (the root
    of the tree, see :func:`app_context`) or today (UTC)."""
    return date_from_context(app_context(app))


def date_from_context(context: Mapping[str, Any]) -> dt.date:
    """The synth date given the app's context values (see :func:`synth_date`)."""
    raw = context.get(SYNTH_DATE_CONTEXT_KEY)
    if raw is None:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise ConfigError(
            "InvalidSynthDate",
            f"context {SYNTH_DATE_CONTEXT_KEY} {raw!r} is not an ISO date; write YYYY-MM-DD, e.g. 2026-11-27",
        ) from None


#: Context flag: record acknowledgments but do not apply them. ``make audit`` sets it on a second build of the app
#: to see every finding, so it can show what each acknowledgment hides and find stale ones. Never set it in an app.
IGNORE_ACKNOWLEDGMENTS_CONTEXT_KEY = "eks-platform:auditIgnoreAcknowledgments"


def ignore_acknowledgments(app: IConstruct) -> bool:
    """Whether context ``eks-platform:auditIgnoreAcknowledgments`` of ``app`` (the root of the tree, see
    :func:`app_context`) is set (``true`` or ``"true"``)."""
    return app_context(app).get(IGNORE_ACKNOWLEDGMENTS_CONTEXT_KEY) in (True, "true")
