"""Pure rules of the cluster's own settings, shared by ``AutoModeCluster`` and the ``platform`` parser.

Each function returns a list of problems (empty when fine); the caller passes the setting names as its user wrote them
(the Python keyword, or the cdk.json path), so both speak of the same rule with the same wording.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from eks_platform._internal.validation import is_unresolved
from eks_platform._internal.zones import is_az_id

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


#: The subnets the new VPC carves in each availability zone: one public /20 and one private /19.
SUBNET_MASKS_PER_ZONE = (20, 19)
#: Amazon VPC accepts IPv4 CIDR blocks from /16 to /28.
#: See: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
VPC_PREFIX_RANGE = (16, 28)
#: EKS needs subnets in at least two availability zones.
#: See: https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html
MIN_ZONES = 2
DEFAULT_ZONE_COUNT = 3
_ZONE_SHAPE = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]", re.ASCII)


def availability_zone_problems(setting: str, zones: Sequence[object] | None, region: str | None) -> list[str]:
    """At least two distinct zones: AZ IDs (``use1-az1``) or names of the stack's region (``us-east-1a``)."""
    if zones is None:
        return []
    problems: list[str] = []
    names = [z for z in zones if isinstance(z, str)]
    if len(set(names)) < MIN_ZONES:
        problems.append(
            f"{setting} {list(zones)!r} names {len(set(names))} distinct zone(s); EKS needs subnets in at least "
            f"{MIN_ZONES} availability zones, e.g. [\"us-east-1a\", \"us-east-1b\"]"
        )
    if len(set(names)) != len(names):
        problems.append(f"{setting} lists a zone twice; list each zone once")
    known_region = isinstance(region, str) and not is_unresolved(region)
    for i, zone in enumerate(zones):
        if not isinstance(zone, str) or is_unresolved(zone) or is_az_id(zone):
            continue  # an AZ ID (use1-az1) is the same in every account; zones.zone_problems judges its region
        if known_region and not re.fullmatch(re.escape(str(region)) + "[a-z]", zone, re.ASCII):
            problems.append(
                f"{setting}[{i}] {zone!r} is not an availability zone of the stack's region {region}; use "
                f"{region}a, {region}b, ..."
            )
        elif not known_region and not _ZONE_SHAPE.fullmatch(zone):
            problems.append(f"{setting}[{i}] {zone!r} is not an availability zone name such as us-east-1a")
    return problems


def vpc_size_problems(setting: str, cidr: object, zone_count: int) -> list[str]:
    """The new VPC's CIDR: /16 to /28, and large enough for a public /20 and a private /19 in every zone."""
    if not isinstance(cidr, str) or is_unresolved(cidr):
        return []
    try:
        net = ipaddress.IPv4Network(cidr)
    except ValueError:
        return []  # the CIDR rule reports it
    low, high = VPC_PREFIX_RANGE
    if not low <= net.prefixlen <= high:
        return [f"{setting} {cidr!r} is a /{net.prefixlen}; Amazon VPC accepts /{low} to /{high}"]
    needed = zone_count * sum(2 ** (32 - mask) for mask in SUBNET_MASKS_PER_ZONE)
    if net.num_addresses < needed:
        return [
            f"{setting} {cidr!r} has {net.num_addresses} addresses; the new VPC carves a public /20 and a private "
            f"/19 in each of {zone_count} zones ({needed} addresses), so use a /16"
        ]
    return []


#: The Kubernetes service CIDR: a private range from /12 to /24 outside the VPC.
#: See: https://docs.aws.amazon.com/eks/latest/APIReference/API_KubernetesNetworkConfigRequest.html
SERVICE_CIDR_PREFIX_RANGE = (12, 24)
_RFC1918 = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def service_cidr_problems(setting: str, cidr: object, *, vpc_cidrs: Sequence[object]) -> list[str]:
    """``service_ipv4_cidr``: inside RFC 1918, /12 to /24, and not overlapping the VPC (remote networks: hybrid)."""
    if not isinstance(cidr, str) or is_unresolved(cidr):
        return []
    try:
        net = ipaddress.IPv4Network(cidr)
    except ValueError:
        return []  # the CIDR rule reports it
    problems = []
    if not any(net.subnet_of(private) for private in _RFC1918):
        problems.append(
            f"{setting} {cidr!r} is not inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16; EKS takes a private "
            "(RFC 1918) service range"
        )
    low, high = SERVICE_CIDR_PREFIX_RANGE
    if not low <= net.prefixlen <= high:
        problems.append(f"{setting} {cidr!r} is a /{net.prefixlen}; EKS takes /{low} to /{high}")
    for vpc_cidr in vpc_cidrs:
        if isinstance(vpc_cidr, str) and not is_unresolved(vpc_cidr):
            try:
                vpc_net = ipaddress.IPv4Network(vpc_cidr)
            except ValueError:
                continue
            if net.overlaps(vpc_net):
                problems.append(
                    f"{setting} {cidr!r} overlaps the VPC CIDR {vpc_cidr}; pick a range outside the VPC (it can only "
                    "be set when the cluster is created)"
                )
    return problems
