"""CDK context keys the library reads, and their readers: the bottom layer (stdlib, ``constructs`` typing, errors).

Every context key the constructs, the policy pack and the stacks read is named here once, so a newcomer finds what
``cdk.json`` (or ``cdk synth -c key=value``) can set outside the ``platform`` object in one place.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from eks_platform.errors import ConfigError

if TYPE_CHECKING:  # type-only: the readers need nothing but ``node.try_get_context``
    from constructs import IConstruct

#: Context key that fixes the date the support policy is decided on (ISO ``YYYY-MM-DD``); default: today (UTC).
SYNTH_DATE_CONTEXT_KEY = "eks-platform:synthDate"
#: Context key of the reference platform's settings object (see README "Configuration").
PLATFORM_CONTEXT_KEY = "platform"


def synth_date(scope: IConstruct) -> dt.date:
    """The date the version support policy is decided on: context ``eks-platform:synthDate`` or today (UTC)."""
    raw = scope.node.try_get_context(SYNTH_DATE_CONTEXT_KEY)
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


def ignore_acknowledgments(scope: IConstruct) -> bool:
    """Whether context ``eks-platform:auditIgnoreAcknowledgments`` is set (``true`` or ``"true"``)."""
    return scope.node.try_get_context(IGNORE_ACKNOWLEDGMENTS_CONTEXT_KEY) in (True, "true")
