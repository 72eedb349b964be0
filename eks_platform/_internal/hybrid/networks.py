"""EKS Hybrid Nodes network rules: remote node and pod CIDRs, cluster prerequisites, gateways and ports.

Pure functions only (no constructs). Validators return lists of problems, each naming the setting, the value, what
is allowed and how to fix it; unresolved CDK tokens are skipped, never guessed.

Sources:

- CIDR rules: CloudFormation ``AWS::EKS::Cluster`` ``RemoteNodeNetwork``/``RemotePodNetwork``, the EKS API
  ``RemoteNodeNetwork`` and https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-networking.html: IPv4
  RFC 1918 only, /8 to /32, no overlap with each other, the VPC or the service CIDR, at most 15 per list
  (https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html, not adjustable).
- Cluster prerequisites: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-cluster-create.html:
  authentication mode ``API`` or ``API_AND_CONFIG_MAP``, IPv4 family, endpoint public *or* private, not both.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Sequence

from eks_platform._internal import validation as v
from eks_platform._internal.hybrid.common import as_tuple

# -- remote networks ------------------------------------------------------------------------------------------
RFC1918: tuple[ipaddress.IPv4Network, ...] = (
    ipaddress.IPv4Network("10.0.0.0/8"),
    ipaddress.IPv4Network("172.16.0.0/12"),
    ipaddress.IPv4Network("192.168.0.0/16"),
)
CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
MAX_CIDRS_PER_LIST = 15
MIN_PREFIX = 8
MAX_PREFIX = 32
#: The two service CIDRs EKS picks from when ``serviceIpv4Cidr`` is not set (CFN ``KubernetesNetworkConfig``).
EKS_DEFAULT_SERVICE_CIDRS = ("10.100.0.0/16", "172.20.0.0/16")

_RFC1918_TEXT = "10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"


def remote_cidr_list_problems(setting: str, values: Sequence[object], *, required: bool) -> list[str]:
    """Single-list rules for remote node or pod CIDRs.

    Each entry must be an IPv4 CIDR with no host bits set, inside RFC 1918, with a prefix from /8 to /32; the list
    holds at most 15 entries (tokens count, they are entries) and no two resolved entries may overlap.
    """
    problems: list[str] = []
    if not isinstance(values, (list, tuple)):
        return [f"{setting} must be a list of IPv4 CIDR strings, got {type(values).__name__} {values!r}"]
    if required and not values:
        problems.append(
            f"{setting} is empty; EKS Hybrid Nodes need at least one remote node CIDR (the on-premises range your "
            "hybrid nodes get their IPs from)"
        )
    if len(values) > MAX_CIDRS_PER_LIST:
        problems.append(
            f"{setting} has {len(values)} CIDRs; EKS allows at most {MAX_CIDRS_PER_LIST} per list (a fixed quota, "
            "not adjustable); merge adjacent ranges into larger blocks"
        )
    for i, value in enumerate(values):
        problems += remote_cidr_problems(f"{setting}[{i}]", value)
    problems += _overlaps_within(setting, values)
    return problems


def remote_cidr_problems(setting: str, value: object) -> list[str]:
    """One remote CIDR: IPv4, no host bits, RFC 1918 (CGNAT and public ranges rejected), prefix /8 to /32."""
    if v.is_unresolved(value):
        return []
    shape = v.ipv4_cidr(setting, value)
    if shape:
        return shape
    assert isinstance(value, str)
    net = ipaddress.IPv4Network(value)
    if net.prefixlen < MIN_PREFIX:
        return [
            f"{setting} {value!r} is a /{net.prefixlen}; remote CIDRs must be between /{MIN_PREFIX} and "
            f"/{MAX_PREFIX} and inside RFC 1918 ({_RFC1918_TEXT}); split it into smaller private blocks"
        ]
    if any(net.subnet_of(block) for block in RFC1918):
        return []
    if net.subnet_of(CGNAT) or net.supernet_of(CGNAT):
        return [
            f"{setting} {value!r} is in the CGNAT shared address space 100.64.0.0/10 (RFC 6598). EKS accepts only "
            f"RFC 1918 ranges ({_RFC1918_TEXT}) for remote node and pod networks: the EKS API, CloudFormation and "
            "the user guide all say RFC 1918, none lists 100.64.0.0/10. Use an RFC 1918 range"
        ]
    return [
        f"{setting} {value!r} is not inside RFC 1918 private space; EKS Hybrid Nodes accept only {_RFC1918_TEXT} "
        "(no public or other special ranges); use the private on-premises range your nodes or pods really use"
    ]


def _valid_nets(values: Iterable[object], *, remote: bool = False) -> list[tuple[str, ipaddress.IPv4Network]]:
    """(text, network) for every resolved entry that is a valid CIDR (a valid remote CIDR when ``remote``)."""
    out = []
    for value in values:
        if isinstance(value, str) and not v.is_unresolved(value):
            if remote and remote_cidr_problems("x", value):
                continue
            for net in v.parse_ipv4_networks([value]):
                out.append((value, net))
    return out


def _overlaps_within(setting: str, values: Sequence[object]) -> list[str]:
    problems = []
    nets = _valid_nets(values, remote=True)
    for i in range(len(nets)):
        for j in range(i + 1, len(nets)):
            (a_text, a), (b_text, b) = nets[i], nets[j]
            if a == b:
                problems.append(f"{setting} lists {a_text} twice; list each CIDR once")
            elif a.overlaps(b):
                problems.append(
                    f"{setting} entries {a_text} and {b_text} overlap; keep only the larger block or pick ranges "
                    "that do not overlap"
                )
    return problems


def overlap_between(setting_a: str, values_a: Sequence[object], setting_b: str, values_b: Sequence[object],
                    *, hint: str, remote_b: bool = False) -> list[str]:
    """Every overlapping pair between two CIDR groups; ``values_a`` are remote CIDRs (invalid entries skipped)."""
    problems = []
    for a_text, a in _valid_nets(values_a, remote=True):
        for b_text, b in _valid_nets(values_b, remote=remote_b):
            if a.overlaps(b):
                problems.append(f"{setting_a} {a_text} overlaps {setting_b} {b_text}; {hint}")
    return problems


def default_service_cidr(vpc_cidrs: Sequence[object]) -> str | None:
    """The service CIDR EKS picks when ``serviceIpv4Cidr`` is unset, or None when the VPC CIDRs are not all known.

    EKS documents only "10.100.0.0/16 or 172.20.0.0/16". The rule used here is the one the EKS-optimized AMI's
    ``bootstrap.sh`` applies to find the cluster DNS IP: 172.20.0.0/16 when any VPC CIDR block starts with ``10.``,
    otherwise 10.100.0.0/16 (``awslabs/amazon-eks-ami`` ``files/bootstrap.sh``, ``TEN_RANGE``).
    """
    if not vpc_cidrs or any(not isinstance(c, str) or v.is_unresolved(c) for c in vpc_cidrs):
        return None
    return "172.20.0.0/16" if any(str(c).startswith("10.") for c in vpc_cidrs) else "10.100.0.0/16"


def remote_network_problems(
    *,
    node_cidrs: Sequence[object],
    pod_cidrs: Sequence[object],
    node_setting: str = "node_cidrs",
    pod_setting: str = "pod_cidrs",
) -> list[str]:
    """Rules a set of remote networks can judge alone: each list valid, no node CIDR overlapping a pod CIDR."""
    problems = remote_cidr_list_problems(node_setting, node_cidrs, required=True)
    problems += remote_cidr_list_problems(pod_setting, pod_cidrs, required=False)
    if isinstance(node_cidrs, (list, tuple)) and isinstance(pod_cidrs, (list, tuple)):
        problems += overlap_between(
            node_setting, node_cidrs, pod_setting, pod_cidrs, remote_b=True,
            hint="remote node and pod networks must not overlap; give pods their own range",
        )
    return problems


def cluster_network_problems(
    *,
    node_cidrs: Sequence[object],
    pod_cidrs: Sequence[object],
    vpc_cidrs: Sequence[object] = (),
    service_ipv4_cidr: object | None = None,
    endpoint_public_access: object | None = None,
    endpoint_private_access: object | None = None,
    authentication_mode: object | None = None,
    ip_family: object | None = None,
) -> list[str]:
    """Cross-field rules between the remote networks and the cluster; every problem is returned, tokens skipped.

    ``service_ipv4_cidr`` None means "EKS picks the default": then it is derived from ``vpc_cidrs`` with
    :func:`default_service_cidr` when those are known.
    """
    problems: list[str] = []
    remote = (("hybrid node_cidrs", node_cidrs), ("hybrid pod_cidrs", pod_cidrs))
    for setting, values in remote:
        problems += overlap_between(
            setting, values, "the VPC CIDR", vpc_cidrs,
            hint="remote networks must be outside the cluster VPC; use the on-premises range, not a VPC range",
        )
    if service_ipv4_cidr is not None:
        service, label, why = service_ipv4_cidr, "service_ipv4_cidr", ""
    else:
        service, label = default_service_cidr(vpc_cidrs), "the EKS default service CIDR"
        why = (" (service_ipv4_cidr is not set, and EKS picks 172.20.0.0/16 when a VPC CIDR starts with 10., "
               "otherwise 10.100.0.0/16)")
    if service is not None:
        for setting, values in remote:
            problems += overlap_between(
                setting, values, label, [service],
                hint=f"remote networks must not overlap the Kubernetes service CIDR{why}; move the remote range or "
                "set service_ipv4_cidr to a free private /12-/24 range (only possible when the cluster is created)",
            )
    if endpoint_public_access is True and endpoint_private_access is True:
        problems.append(
            "endpoint access is public-and-private, which EKS Hybrid Nodes do not support: the API endpoint "
            "resolves to public IPs for hosts outside the VPC. Choose PRIVATE (nodes reach the VPC over VPN/Direct "
            "Connect) or PUBLIC"
        )
    if authentication_mode is not None and not v.is_unresolved(authentication_mode) and authentication_mode not in (
        "API", "API_AND_CONFIG_MAP"
    ):
        problems.append(
            f"authentication mode {authentication_mode!r} does not support hybrid nodes; use API or "
            "API_AND_CONFIG_MAP (hybrid nodes join through a HYBRID_LINUX access entry)"
        )
    if ip_family is not None and not v.is_unresolved(ip_family) and str(ip_family).lower() != "ipv4":
        problems.append(f"ip family {ip_family!r} does not support hybrid nodes; EKS Hybrid Nodes need ipv4")
    return problems


def service_cidr_advisory(
    *, node_cidrs: Sequence[object], pod_cidrs: Sequence[object], vpc_cidrs: Sequence[object],
    service_ipv4_cidr: object | None,
) -> str | None:
    """A warning when the service CIDR cannot be known at synth and a remote range overlaps a possible default."""
    if service_ipv4_cidr is not None or default_service_cidr(vpc_cidrs) is not None:
        return None
    hits = overlap_between("remote CIDR", list(node_cidrs) + list(pod_cidrs), "EKS default service CIDR",
                           list(EKS_DEFAULT_SERVICE_CIDRS), hint="")
    if not hits:
        return None
    return (
        "The VPC CIDR is not known at synth, so the service CIDR EKS will pick (10.100.0.0/16 or 172.20.0.0/16) "
        "cannot be checked, and a remote CIDR overlaps one of them (" + "; ".join(h.rstrip("; ") for h in hits) +
        "). Set service_ipv4_cidr explicitly to a range that overlaps no remote network: "
        "https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-networking.html"
    )


# -- ids and names ----------------------------------------------------------------------------------------------
def cidr_key(cidr: str) -> str:
    """A construct-id fragment for a literal CIDR: ``10.80.0.0/16`` -> ``10x80x0x0x16``."""
    return re.sub(r"[^0-9]", "x", cidr)


def token_key(resolved: object) -> str:
    """A stable text for a resolved token (for construct IDs), e.g. ``{"Ref": "X"}`` -> compact sorted JSON."""
    return json.dumps(resolved, sort_keys=True, separators=(",", ":"))


# -- gateways and ports -----------------------------------------------------------------------------------------
_GATEWAY_ID = {
    "transit": re.compile(r"tgw-[0-9a-f]{8}([0-9a-f]{9})?", re.ASCII),
    "virtual_private": re.compile(r"vgw-[0-9a-f]{8}([0-9a-f]{9})?", re.ASCII),
}


def gateway_problems(
    transit_gateway_id: object,
    virtual_private_gateway_id: object,
    *,
    transit_setting: str = "transit_gateway_id",
    virtual_private_setting: str = "virtual_private_gateway_id",
) -> list[str]:
    """Routes to the remote networks go to at most one gateway, given by a well-formed ID (tokens skipped)."""
    if transit_gateway_id is not None and virtual_private_gateway_id is not None:
        return [
            f"{transit_setting} and {virtual_private_setting} are both set; routes go to one gateway, choose one"
        ]
    for kind, setting, value in (
        ("transit", transit_setting, transit_gateway_id),
        ("virtual_private", virtual_private_setting, virtual_private_gateway_id),
    ):
        if value is None or v.is_unresolved(value):
            continue
        if not isinstance(value, str) or not _GATEWAY_ID[kind].fullmatch(value):
            prefix = "tgw" if kind == "transit" else "vgw"
            return [f"{setting} {value!r} is not a gateway ID like {prefix}-0123456789abcdef0"]
    return []


def port_list_problems(setting: str, value: object) -> list[str]:
    """A list of TCP ports: whole numbers from 1 to 65535, each listed once."""
    problems: list[str] = []
    ports = as_tuple(setting, value, problems)
    for port in ports:
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            problems.append(f"{setting} has {port!r}; ports are whole numbers from 1 to 65535")
    if len(set(ports)) != len(ports):
        problems.append(f"{setting} lists a port twice; list each once")
    return problems


def routable_pod_problems(setting: str, value: object, pod_cidrs: Sequence[object], *, pod_setting: str = "pod_cidrs"
                          ) -> list[str]:
    """``pod_cidrs_routable`` is a boolean, and true only with pod CIDRs: the control plane reaches webhooks on hybrid
    nodes through the cluster's remote pod networks (https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-webhooks.html)."""
    if not isinstance(value, bool):
        return [f"{setting} must be true or false, got {type(value).__name__} {value!r}"]
    if value and not pod_cidrs:
        return [
            f"{setting} is true but {pod_setting} is empty; the EKS control plane reaches pods on hybrid nodes only "
            f"through the cluster's remote pod networks, so list your routable pod CIDRs in {pod_setting}"
        ]
    return []


def routing_advisory(
    *, node_cidrs: Sequence[object], pod_cidrs: Sequence[object], gateway_settings: str, acknowledge_id: str
) -> str:
    """The synth warning when no gateway is given: nothing routes the remote CIDRs from the VPC to on premises.

    Source: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-networking.html ("VPC routing"): the VPC's
    route tables need routes for the remote node and pod networks to the Transit Gateway or Virtual Private Gateway.
    """
    cidrs = [str(c) for c in (*node_cidrs, *pod_cidrs) if not v.is_unresolved(c)]
    shown = ", ".join(cidrs) if cidrs else "the remote node and pod CIDRs"
    return (
        f"no route from the VPC to the remote networks ({shown}): EKS Hybrid Nodes need the VPC route tables to send "
        f"them to the Transit Gateway or Virtual Private Gateway of your on-premises connection, or nodes cannot join "
        f"and the control plane cannot reach kubelets. Set {gateway_settings} to create the routes, or add them "
        f"yourself and acknowledge this warning ({acknowledge_id})"
    )
