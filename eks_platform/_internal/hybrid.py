"""EKS Hybrid Nodes rules: remote network CIDRs, cluster prerequisites, nodeadm ``NodeConfig`` rendering.

Pure functions only (no constructs). Validators return lists of problems, each naming the setting, the value, what
is allowed and how to fix it; unresolved CDK tokens are skipped, never guessed.

Sources (see ``shared/reference/eks-facts.md`` section 3):

- CIDR rules: CFN ``AWS::EKS::Cluster RemoteNodeNetwork``/``RemotePodNetwork``, EKS API ``RemoteNodeNetwork``, UG
  ``hybrid-nodes-networking``: IPv4 RFC 1918 only, /8 to /32, no overlap with each other, the VPC or the service
  CIDR, at most 15 per list (UG ``service-quotas``, not adjustable).
- Cluster prerequisites: UG ``hybrid-nodes-cluster-create``: authentication mode ``API`` or ``API_AND_CONFIG_MAP``,
  IPv4 family, endpoint public *or* private, not both.
- nodeadm: ``aws/eks-hybrid`` ``internal/node/hybrid/validator.go`` and ``api/v1alpha1/nodeconfig_types.go``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from typing import Any

import yaml

from eks_platform._internal import validation as v

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
        "). Set service_ipv4_cidr explicitly to a range that overlaps no remote network."
    )


# -- ids and names ----------------------------------------------------------------------------------------------
def cidr_key(cidr: str) -> str:
    """A construct-id fragment for a literal CIDR: ``10.80.0.0/16`` -> ``10x80x0x0x16``."""
    return re.sub(r"[^0-9]", "x", cidr)


# -- credentials ------------------------------------------------------------------------------------------------
class CredentialProvider(str, Enum):
    """How hybrid nodes get temporary IAM credentials (the nodeadm ``hybrid`` block and the role trust)."""

    SSM = "ssm"
    """AWS Systems Manager hybrid activations (the AWS default)."""
    IAM_ROLES_ANYWHERE = "iamRolesAnywhere"
    """AWS IAM Roles Anywhere with X.509 certificates from your CA."""

    @property
    def nodeadm_flag(self) -> str:
        """The value of ``nodeadm install --credential-provider``."""
        return "ssm" if self is CredentialProvider.SSM else "iam-ra"


_ACTIVATION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ACTIVATION_CODE = re.compile(r"^.{20,250}$")
_TRUST_ANCHOR_ARN = re.compile(
    r"^arn:aws[a-z-]*:rolesanywhere:[a-z0-9-]+:\d{12}:trust-anchor/[a-f0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}$"
)
_PROFILE_ARN = re.compile(
    r"^arn:aws[a-z-]*:rolesanywhere:[a-z0-9-]+:\d{12}:profile/[a-f0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}$"
)
NODE_NAME_MAX = 64
CERTIFICATE_DATA_MAX = 8000


def ssm_activation_problems(activation_id: object, activation_code: object) -> list[str]:
    """The SSM activation values nodeadm accepts (SSM ``CreateActivation`` output shapes)."""
    problems = []
    if not v.is_unresolved(activation_id) and (
        not isinstance(activation_id, str) or not _ACTIVATION_ID.match(activation_id)
    ):
        problems.append(
            f"ssm activation_id {activation_id!r} is not an SSM activation ID; expected the UUID printed by "
            "`aws ssm create-activation` (8-4-4-4-12 lowercase hex)"
        )
    if not v.is_unresolved(activation_code) and (
        not isinstance(activation_code, str) or not _ACTIVATION_CODE.match(activation_code)
    ):
        problems.append(
            "ssm activation_code must be the 20 to 250 character code printed by `aws ssm create-activation` "
            f"(got {len(activation_code) if isinstance(activation_code, str) else type(activation_code).__name__}"
            f"{' characters' if isinstance(activation_code, str) else ''})"
        )
    return problems


def node_name_problems(setting: str, value: object) -> list[str]:
    """nodeadm ``iamRolesAnywhere.nodeName``: at most 64 characters, and a valid Kubernetes node name.

    It becomes the kubelet ``--hostname-override`` (a Node object name: DNS-1123 subdomain) and must equal the
    certificate CN, which the role trust binds to the role session name.
    """
    if v.is_unresolved(value):
        return []
    if not isinstance(value, str) or not value:
        return [f"{setting} must be a non-empty string (the node's name and certificate CN), got {value!r}"]
    problems = []
    if len(value) > NODE_NAME_MAX:
        problems.append(
            f"{setting} {value!r} is {len(value)} characters; nodeadm accepts at most {NODE_NAME_MAX} (it is also "
            "the IAM role session name); use a shorter host name and the same CN in the node certificate"
        )
    problems += [p for p in v.dns1123_subdomain(setting, value) if "characters" not in p]
    return problems


def trust_anchor_arn_problems(setting: str, value: object) -> list[str]:
    if v.is_unresolved(value):
        return []
    if not isinstance(value, str) or not _TRUST_ANCHOR_ARN.match(value):
        return [
            f"{setting} {value!r} is not an IAM Roles Anywhere trust anchor ARN; expected "
            "arn:<partition>:rolesanywhere:<region>:<account>:trust-anchor/<uuid>"
        ]
    return []


def profile_arn_problems(setting: str, value: object) -> list[str]:
    if v.is_unresolved(value):
        return []
    if not isinstance(value, str) or not _PROFILE_ARN.match(value):
        return [
            f"{setting} {value!r} is not an IAM Roles Anywhere profile ARN; expected "
            "arn:<partition>:rolesanywhere:<region>:<account>:profile/<uuid>"
        ]
    return []


# -- CA bundle (structural PEM + base64 + DER check) ---------------------------------------------------------------
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)\r?\n?-----END ([A-Z0-9 ]+)-----", re.DOTALL)


def _der_tlv(data: bytes, pos: int) -> tuple[int, int, int] | None:
    """(tag, start of value, end of value) of the DER element at ``pos``, or None when malformed."""
    if pos + 2 > len(data):
        return None
    tag = data[pos]
    if tag & 0x1F == 0x1F:  # high tag numbers never appear at the levels checked here
        return None
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            return None
        length = int.from_bytes(data[pos : pos + count], "big")
        if length < 0x80 or data[pos] == 0:  # DER requires the shortest length form
            return None
        pos += count
    end = pos + length
    if end > len(data):
        return None
    return tag, pos, end


def _is_der_certificate(der: bytes) -> bool:
    """Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE, signatureValue BIT STRING }."""
    outer = _der_tlv(der, 0)
    if outer is None or outer[0] != 0x30 or outer[2] != len(der):
        return False
    tags = []
    pos, end = outer[1], outer[2]
    while pos < end:
        element = _der_tlv(der, pos)
        if element is None:
            return False
        tags.append(element[0])
        pos = element[2]
    if pos != end or tags != [0x30, 0x30, 0x03]:
        return False
    tbs = _der_tlv(der, outer[1])
    assert tbs is not None
    first = _der_tlv(der, tbs[1])  # [0] EXPLICIT version, or the serial number INTEGER for v1 certificates
    return first is not None and first[0] in (0xA0, 0x02)


def ca_bundle_problems(setting: str, pem: object) -> list[str]:
    """A CA bundle for an IAM Roles Anywhere trust anchor: one or more PEM ``CERTIFICATE`` blocks, nothing else.

    ``cryptography`` is not a dependency, so this is a structural check: PEM armour, base64 body, and a DER
    ``Certificate`` SEQUENCE of (SEQUENCE, SEQUENCE, BIT STRING). It catches the usual mistakes (a private key, a
    CSR, a file path, truncated or mangled text); the signature and CA flags are judged by IAM Roles Anywhere.
    """
    if v.is_unresolved(pem):
        return []
    if not isinstance(pem, str) or not pem.strip():
        return [f"{setting} must be the PEM text of your CA certificate(s), got {pem!r}"]
    problems: list[str] = []
    text = pem.strip()
    if len(text) > CERTIFICATE_DATA_MAX:
        problems.append(
            f"{setting} is {len(text)} characters; IAM Roles Anywhere accepts at most {CERTIFICATE_DATA_MAX} "
            "(x509CertificateData); give only the issuing CA certificate(s)"
        )
    blocks = list(_PEM_BLOCK.finditer(text))
    if not blocks:
        hint = " (it looks like a file path: pass the file's content)" if "/" in text and "\n" not in text else ""
        return [
            *problems,
            f"{setting} is not a PEM certificate{hint}; expected text starting with -----BEGIN CERTIFICATE----- "
            "and ending with -----END CERTIFICATE-----",
        ]
    leftover = _PEM_BLOCK.sub("", text).strip()
    if leftover:
        problems.append(f"{setting} has text outside the PEM blocks ({leftover[:40]!r}...); give only PEM blocks")
    for n, block in enumerate(blocks, start=1):
        label, body, end_label = block.group(1), block.group(2), block.group(3)
        if label != end_label:
            problems.append(f"{setting} block {n} begins {label!r} but ends {end_label!r}")
            continue
        if "PRIVATE KEY" in label:
            problems.append(
                f"{setting} block {n} is a {label}. Never put a private key in a template; give the CA CERTIFICATE "
                "and keep keys on the nodes"
            )
            continue
        if label != "CERTIFICATE":
            problems.append(f"{setting} block {n} is a {label!r}, not a CERTIFICATE; give the CA certificate")
            continue
        try:
            der = base64.b64decode("".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            problems.append(f"{setting} block {n} has a body that is not valid base64; re-export the certificate")
            continue
        if not _is_der_certificate(der):
            problems.append(
                f"{setting} block {n} decodes to something that is not a DER X.509 certificate; re-export the CA "
                "certificate in PEM format (openssl x509 -in ca.crt -outform PEM)"
            )
    return problems


# -- Kubernetes quantities and kubelet rules ------------------------------------------------------------------------
_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$")
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


def parse_quantity(value: object) -> Fraction | None:
    """A Kubernetes resource quantity (``1Gi``, ``1100Mi``, ``5e8``, ``0.5G``) as an exact number, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if not isinstance(value, str):
        return None
    match = _QUANTITY.match(value.strip()) if value == value.strip() else None
    if not match:
        return None
    number = Fraction(match.group(1))
    suffix, exponent = match.group(2), match.group(3)
    if suffix in _BINARY:
        return number * Fraction(1024) ** _BINARY[suffix]
    if exponent is not None:
        return number * Fraction(10) ** int(exponent)
    return number * Fraction(10) ** _DECIMAL[suffix or ""]


def _fmt_bytes(n: Fraction) -> str:
    for unit, power in (("Gi", 3), ("Mi", 2), ("Ki", 1)):
        if n % 1024**power == 0 and n != 0:
            return f"{int(n // 1024**power)}{unit}"
    return str(int(n)) if n.denominator == 1 else str(float(n))


#: nodeadm's default ``evictionHard["memory.available"]`` (``internal/kubelet/config.go``).
NODEADM_EVICTION_HARD_MEMORY = "100Mi"
MEMORY_MANAGER_POLICIES = ("None", "Static")


@dataclass(frozen=True, kw_only=True, slots=True)
class KubeletInputs:
    """Plain inputs of the kubelet rules (the public value object converts to this)."""

    memory_manager_policy: object = None
    reserved_memory: Mapping[Any, Any] | None = None
    kube_reserved_memory: object = None
    system_reserved_memory: object = None
    eviction_hard_memory: object = None
    single_process_oom_kill: object = None
    flags: Sequence[object] = ()
    extra_config: Mapping[str, Any] | None = None
    kubernetes_version: str | None = None


_TYPED_KUBELET_KEYS = (
    "memoryManagerPolicy", "reservedMemory", "kubeReserved", "systemReserved", "evictionHard", "singleProcessOOMKill"
)


def _minor(version: str | None) -> int | None:
    if version is None or v.is_unresolved(version):
        return None
    match = re.match(r"^v?1\.(\d+)", version)
    return int(match.group(1)) if match else None


def kubelet_problems(k: KubeletInputs, *, prefix: str = "kubelet") -> list[str]:
    """Kubernetes 1.32 kubelet rules for the settings this library renders, plus nodeadm's flag rule.

    - ``memoryManagerPolicy`` is ``None`` or ``Static``. With ``Static``, ``reservedMemory`` must be given, every
      amount must be > 0, and their sum must equal kube-reserved + system-reserved + eviction-hard memory (the
      kubelet refuses to start otherwise). nodeadm computes kube-reserved memory from the machine's RAM, so with
      ``Static`` the kube-reserved memory must be set explicitly to make the sum checkable and true on every node.
    - ``singleProcessOOMKill`` is a boolean and exists from Kubernetes 1.32 (on cgroup v1 the kubelet forces it on,
      so ``False`` there fails at kubelet start: we cannot see the node's cgroup version at synth).
    - nodeadm rejects ``--hostname-override`` for hybrid nodes (it sets the node name itself).
    """
    problems: list[str] = []
    policy = k.memory_manager_policy
    if policy is not None and policy not in MEMORY_MANAGER_POLICIES:
        problems.append(
            f"{prefix}.memory_manager_policy {policy!r} is not a kubelet memory manager policy; allowed: "
            "'None' (default) or 'Static' (case-sensitive)"
        )
    reserved: dict[int, Fraction] = {}
    if k.reserved_memory is not None:
        if not isinstance(k.reserved_memory, Mapping) or not k.reserved_memory:
            problems.append(
                f"{prefix}.reserved_memory must map NUMA node numbers to memory amounts, e.g. {{0: '1124Mi'}}, "
                f"got {k.reserved_memory!r}"
            )
        else:
            for numa, amount in k.reserved_memory.items():
                if isinstance(numa, bool) or not isinstance(numa, int) or numa < 0:
                    problems.append(f"{prefix}.reserved_memory has NUMA node {numa!r}; use whole numbers from 0")
                    continue
                qty = parse_quantity(amount)
                if qty is None or qty <= 0:
                    problems.append(
                        f"{prefix}.reserved_memory[{numa}] {amount!r} is not a positive memory quantity such as "
                        "'1Gi' or '1124Mi'"
                    )
                    continue
                reserved[numa] = qty
    amounts: dict[str, Fraction | None] = {}
    for name, raw, default in (
        ("kube_reserved_memory", k.kube_reserved_memory, None),
        ("system_reserved_memory", k.system_reserved_memory, "0"),
        ("eviction_hard_memory", k.eviction_hard_memory, NODEADM_EVICTION_HARD_MEMORY),
    ):
        if raw is None:
            amounts[name] = parse_quantity(default) if default is not None else None
            continue
        qty = parse_quantity(raw)
        if qty is None or qty < 0:
            problems.append(f"{prefix}.{name} {raw!r} is not a memory quantity such as '512Mi' or '1Gi'")
        amounts[name] = qty
    if policy == "Static":
        if k.reserved_memory is None:
            problems.append(
                f"{prefix}.memory_manager_policy 'Static' needs reserved_memory (memory set aside per NUMA node, "
                "e.g. {0: '1124Mi'}); the kubelet refuses to start with the Static policy and no reserved memory"
            )
        if k.kube_reserved_memory is None:
            problems.append(
                f"{prefix}.memory_manager_policy 'Static' needs kube_reserved_memory set explicitly: nodeadm "
                "otherwise derives it from each machine's RAM, so the reserved_memory sum could not match on "
                "every node"
            )
        elif reserved and all(a is not None for a in amounts.values()):
            total = sum(reserved.values(), Fraction(0))
            kube, system, evict = (amounts["kube_reserved_memory"], amounts["system_reserved_memory"],
                                   amounts["eviction_hard_memory"])
            assert kube is not None and system is not None and evict is not None
            expected = kube + system + evict
            if total != expected:
                problems.append(
                    f"{prefix}.reserved_memory adds up to {_fmt_bytes(total)} but must equal kube-reserved "
                    f"({_fmt_bytes(kube)}) + system-reserved ({_fmt_bytes(system)}) + eviction-hard "
                    f"({_fmt_bytes(evict)}) = {_fmt_bytes(expected)} for the Static memory manager; adjust the "
                    "amounts so they match"
                )
    oom = k.single_process_oom_kill
    if oom is not None and not isinstance(oom, bool):
        problems.append(f"{prefix}.single_process_oom_kill must be true or false, got {oom!r}")
    problems += kubelet_version_problems(k, prefix=prefix)
    for i, flag in enumerate(k.flags):
        if not isinstance(flag, str) or not flag.startswith("--"):
            problems.append(f"{prefix}.flags[{i}] {flag!r} is not a kubelet flag; write --name=value")
        elif flag.split("=", 1)[0] == "--hostname-override":
            problems.append(
                f"{prefix}.flags[{i}] {flag!r}: nodeadm rejects --hostname-override for hybrid nodes (it names the "
                "node from the SSM managed instance ID or the IAM Roles Anywhere node_name); remove it"
            )
    if k.extra_config is not None:
        if not isinstance(k.extra_config, Mapping):
            problems.append(f"{prefix}.extra_config must be a KubeletConfiguration mapping, got {k.extra_config!r}")
        else:
            for key in k.extra_config:
                if key in _TYPED_KUBELET_KEYS:
                    problems.append(
                        f"{prefix}.extra_config sets {key!r}, which has its own validated setting; use that instead"
                    )
    return problems


def kubelet_version_problems(k: KubeletInputs, *, prefix: str = "kubelet") -> list[str]:
    """The rules that depend on the cluster's Kubernetes version (skipped when it is unknown)."""
    minor = _minor(k.kubernetes_version)
    if k.single_process_oom_kill is not None and minor is not None and minor < 32:
        return [
            f"{prefix}.single_process_oom_kill needs Kubernetes 1.32 or later (the kubelet field is new in 1.32); "
            f"the cluster runs {k.kubernetes_version}"
        ]
    return []


def kubelet_config(k: KubeletInputs) -> dict[str, Any]:
    """The ``spec.kubelet.config`` map (merged by nodeadm over its defaults) for valid inputs."""
    out: dict[str, Any] = dict(k.extra_config or {})
    if k.memory_manager_policy is not None:
        out["memoryManagerPolicy"] = k.memory_manager_policy
    if k.reserved_memory:
        out["reservedMemory"] = [
            {"numaNode": numa, "limits": {"memory": amount}} for numa, amount in sorted(k.reserved_memory.items())
        ]
    if k.kube_reserved_memory is not None:
        out["kubeReserved"] = {"memory": k.kube_reserved_memory}
    if k.system_reserved_memory is not None:
        out["systemReserved"] = {"memory": k.system_reserved_memory}
    if k.eviction_hard_memory is not None:
        out["evictionHard"] = {"memory.available": k.eviction_hard_memory}
    if k.single_process_oom_kill is not None:
        out["singleProcessOOMKill"] = k.single_process_oom_kill
    return out


# -- nodeadm NodeConfig ---------------------------------------------------------------------------------------------
NODEADM_API_VERSION = "node.eks.aws/v1alpha1"
NODEADM_KIND = "NodeConfig"
#: nodeadm's defaults for the IAM Roles Anywhere certificate and key (``internal/node/hybrid`` ``defaults.go``).
DEFAULT_CERTIFICATE_PATH = "/etc/iam/pki/server.pem"
DEFAULT_PRIVATE_KEY_PATH = "/etc/iam/pki/server.key"


def render_node_config(
    *,
    cluster_name: str,
    region: str,
    provider: CredentialProvider,
    activation_code: str | None = None,
    activation_id: str | None = None,
    node_name: str | None = None,
    trust_anchor_arn: str | None = None,
    profile_arn: str | None = None,
    role_arn: str | None = None,
    certificate_path: str | None = None,
    private_key_path: str | None = None,
    enable_credentials_file: bool = False,
    kubelet_config_map: Mapping[str, Any] | None = None,
    kubelet_flags: Sequence[str] = (),
) -> dict[str, Any]:
    """A nodeadm ``NodeConfig`` document (``node.eks.aws/v1alpha1``) for one credential provider."""
    spec: dict[str, Any] = {"cluster": {"name": cluster_name, "region": region}}
    kubelet: dict[str, Any] = {}
    if kubelet_config_map:
        kubelet["config"] = dict(kubelet_config_map)
    if kubelet_flags:
        kubelet["flags"] = list(kubelet_flags)
    if kubelet:
        spec["kubelet"] = kubelet
    hybrid: dict[str, Any] = {}
    if enable_credentials_file:
        hybrid["enableCredentialsFile"] = True
    if provider is CredentialProvider.SSM:
        hybrid["ssm"] = {"activationCode": activation_code, "activationId": activation_id}
    else:
        hybrid["iamRolesAnywhere"] = {
            "nodeName": node_name,
            "trustAnchorArn": trust_anchor_arn,
            "profileArn": profile_arn,
            "roleArn": role_arn,
            "certificatePath": certificate_path or DEFAULT_CERTIFICATE_PATH,
            "privateKeyPath": private_key_path or DEFAULT_PRIVATE_KEY_PATH,
        }
    spec["hybrid"] = hybrid
    return {"apiVersion": NODEADM_API_VERSION, "kind": NODEADM_KIND, "spec": spec}


def node_config_problems(doc: Mapping[str, Any]) -> list[str]:
    """nodeadm's own rules for a hybrid ``NodeConfig`` (``internal/node/hybrid/validator.go``).

    Cluster name and region are required; exactly one of ``ssm`` and ``iamRolesAnywhere``; SSM needs activation
    code and ID; IAM Roles Anywhere needs role, profile and trust anchor ARNs, a node name of at most 64 characters
    and certificate/key paths; ``--hostname-override`` is not allowed in kubelet flags.
    """
    problems = []
    spec = doc.get("spec") or {}
    cluster = spec.get("cluster") or {}
    if doc.get("apiVersion") != NODEADM_API_VERSION or doc.get("kind") != NODEADM_KIND:
        problems.append(f"NodeConfig must be apiVersion {NODEADM_API_VERSION}, kind {NODEADM_KIND}")
    if not cluster.get("name"):
        problems.append("NodeConfig spec.cluster.name is missing")
    if not cluster.get("region"):
        problems.append("NodeConfig spec.cluster.region is missing")
    for flag in (spec.get("kubelet") or {}).get("flags") or []:
        if str(flag).startswith("--hostname-override="):
            problems.append("NodeConfig kubelet flag --hostname-override is not supported for hybrid nodes")
    hybrid = spec.get("hybrid") or {}
    ssm, ira = hybrid.get("ssm"), hybrid.get("iamRolesAnywhere")
    if not ssm and not ira:
        problems.append("NodeConfig needs either spec.hybrid.ssm or spec.hybrid.iamRolesAnywhere")
    if ssm and ira:
        problems.append("NodeConfig must set only one of spec.hybrid.ssm and spec.hybrid.iamRolesAnywhere")
    if ssm:
        for key in ("activationCode", "activationId"):
            if not ssm.get(key):
                problems.append(f"NodeConfig spec.hybrid.ssm.{key} is missing")
    if ira:
        for key in ("roleArn", "profileArn", "trustAnchorArn", "nodeName", "certificatePath", "privateKeyPath"):
            if not ira.get(key):
                problems.append(f"NodeConfig spec.hybrid.iamRolesAnywhere.{key} is missing")
        if len(str(ira.get("nodeName") or "")) > NODE_NAME_MAX:
            problems.append(f"NodeConfig spec.hybrid.iamRolesAnywhere.nodeName is longer than {NODE_NAME_MAX}")
    return problems


class _Dumper(yaml.SafeDumper):
    pass


class Placeholder(str):
    """A value to be filled on the node (``${NAME}``, for ``envsubst``); always rendered double-quoted."""

    __slots__ = ()

    @classmethod
    def named(cls, name: str) -> Placeholder:
        return cls("${" + name + "}")


def _represent_placeholder(dumper: yaml.SafeDumper, data: Placeholder) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')


_Dumper.add_representer(Placeholder, _represent_placeholder)


def dump_node_config(doc: Mapping[str, Any], *, header: str = "") -> str:
    """YAML text of a NodeConfig, keys in the document's order, placeholders double-quoted."""
    body = yaml.dump(dict(doc), Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)
    if not header:
        return body
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + body


def token_key(resolved: object) -> str:
    """A stable text for a resolved token (for construct IDs), e.g. ``{"Ref": "X"}`` -> compact sorted JSON."""
    return json.dumps(resolved, sort_keys=True, separators=(",", ":"))
