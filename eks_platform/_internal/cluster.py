"""Pure rules of the cluster's own settings, shared by ``AutoModeCluster`` and the ``platform`` parser.

Each function returns a list of problems (empty when fine); the caller passes the setting names as its user wrote them
(the Python keyword, or the cdk.json path), so both speak of the same rule with the same wording.
"""

from __future__ import annotations

from collections.abc import Sequence

#: The CIDR that opens the public endpoint to every address on the internet.
ANYWHERE = "0.0.0.0/0"
#: The new VPC has three AZs; more NAT gateways than AZs buy nothing.
MAX_NAT_GATEWAYS = 3


def public_anywhere_problems(setting: str, cidrs: Sequence[object], *, allowed: bool, opt_in: str) -> list[str]:
    """``0.0.0.0/0`` in the public endpoint CIDRs needs the explicit opt-in (``opt_in`` names how to give it)."""
    if ANYWHERE not in cidrs or allowed:
        return []
    return [
        f"{setting} has {ANYWHERE}, which opens the Kubernetes API to the whole internet; list your networks instead, "
        f"or set {opt_in} to accept the risk"
    ]


def nat_gateway_problems(setting: str, value: object) -> list[str]:
    """The NAT gateway count of the new VPC: a whole number from 0 to 3 (one per AZ at most)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_NAT_GATEWAYS:
        return [f"{setting} {value!r} must be a whole number from 0 to {MAX_NAT_GATEWAYS}"]
    return []
