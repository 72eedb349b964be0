"""Pure validators: one rule each, returning a list of problems (never raising).

Every message names the setting, the value received, what is allowed and how to fix it.
Values that are unresolved CDK tokens are skipped: they cannot be judged at synth.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
import re
import struct
from collections.abc import Iterable, Sequence
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from aws_cdk import Token

_T = TypeVar("_T")

DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", re.ASCII)
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", re.ASCII)
_EKS_CLUSTER_NAME = re.compile(r"[0-9A-Za-z][A-Za-z0-9_-]*", re.ASCII)
_IAM_PRINCIPAL_ARN = re.compile(
    r"arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:iam::\d{12}:(role|user)/[\w+=,.@/-]{1,512}", re.ASCII
)
_IAM_ROLE_ARN = re.compile(r"arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:iam::\d{12}:role/[\w+=,.@/-]{1,512}", re.ASCII)
_ACCOUNT = re.compile(r"\d{12}", re.ASCII)
#: aws-cdk-lib's encoding of tokens in strings and numbers (core/lib/private/encoding.js: STRING_TOKEN_REGEX,
#: DOUBLE_TOKEN_MARKER_BITS), so checks need no round trip to the jsii kernel.
_STRING_TOKEN = re.compile(r"\$\{Token\[[a-zA-Z0-9:._-]+\]\}|-1\.\d{10,16}e\+289", re.ASCII)
_DOUBLE_TOKEN_MARKER_BITS = -67174400 & 0xFFFFFFFF


def is_unresolved(value: object) -> bool:
    """True for CDK tokens (``${Token[...]}``, ``Fn::*`` objects): never judge those at synth.

    Strings, numbers and CDK objects (``IResolvable``) can be tokens; None, booleans, NaN, infinities and literal
    containers from a JSON file are answered here, never sent to jsii (whose kernel cannot serialise NaN).
    """
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    if isinstance(value, (list, tuple)):
        # an encoded list token is a one-item list ["#{Token[...]}"]; any other literal list is judged item by item
        return len(value) == 1 and isinstance(value[0], str) and value[0].startswith("#{Token[")
    if isinstance(value, str):
        # aws-cdk-lib's own test for strings, here instead of a round trip to jsii: the "Token[" marker and an
        # encoded string token (core/lib/private/encoding.js, `unresolved`)
        return "Token[" in value and _STRING_TOKEN.search(value) is not None
    if isinstance(value, int | float):
        # an encoded number token is a double whose upper 16 bits carry aws-cdk-lib's marker (`extractTokenDouble`)
        try:
            high = struct.unpack("<II", struct.pack("<d", float(value)))[1]
        except OverflowError:  # an int beyond a double is no token (and jsii could not send it either)
            return False
        return bool(high & 0xFFFF0000 == _DOUBLE_TOKEN_MARKER_BITS)
    if hasattr(value, "__jsii_type__") or hasattr(value, "__jsii_ifaces__"):
        return bool(Token.is_unresolved(value))
    return False  # dicts, sets and other plain Python values are never tokens


def dns1123_label(setting: str, value: object) -> list[str]:
    """Kubernetes namespace rule: a DNS-1123 label, at most 63 characters."""
    if is_unresolved(value):
        return []
    if not isinstance(value, str) or not value:
        return [f"{setting} must be a non-empty string, got {value!r}"]
    problems = []
    if len(value) > DNS1123_LABEL_MAX:
        problems.append(
            f"{setting} {value!r} is {len(value)} characters; a DNS-1123 label has at most {DNS1123_LABEL_MAX}"
        )
    if not _DNS1123_LABEL.fullmatch(value):
        problems.append(
            f"{setting} {value!r} is not a DNS-1123 label: use lowercase letters, digits and '-', "
            "starting and ending with a letter or digit"
        )
    return problems


def dns1123_subdomain(setting: str, value: object) -> list[str]:
    """Kubernetes object-name rule (service accounts, most objects): DNS-1123 subdomain, at most 253 characters."""
    if is_unresolved(value):
        return []
    if not isinstance(value, str) or not value:
        return [f"{setting} must be a non-empty string, got {value!r}"]
    problems = []
    if len(value) > DNS1123_SUBDOMAIN_MAX:
        problems.append(
            f"{setting} {value!r} is {len(value)} characters; a DNS-1123 subdomain has at most "
            f"{DNS1123_SUBDOMAIN_MAX}"
        )
    if not _DNS1123_SUBDOMAIN.fullmatch(value):
        problems.append(
            f"{setting} {value!r} is not a DNS-1123 subdomain: use lowercase letters, digits, '-' and '.', "
            "each dot-separated part starting and ending with a letter or digit"
        )
    return problems


def eks_cluster_name(setting: str, value: object) -> list[str]:
    """EKS cluster name: 1-100 characters, ``^[0-9A-Za-z][A-Za-z0-9_-]*$``."""
    if is_unresolved(value):
        return []
    if not isinstance(value, str) or not value:
        return [f"{setting} must be a non-empty string of 1 to 100 characters, got {value!r}"]
    problems = []
    if len(value) > 100:
        problems.append(f"{setting} {value!r} is {len(value)} characters; EKS allows at most 100")
    if not _EKS_CLUSTER_NAME.fullmatch(value):
        problems.append(
            f"{setting} {value!r} breaks the EKS naming rule ^[0-9A-Za-z][A-Za-z0-9_-]*$: start with a letter or "
            "digit and use only letters, digits, '-' and '_'"
        )
    return problems


def ipv4_cidr(setting: str, value: object) -> list[str]:
    """An IPv4 network in CIDR notation with no host bits set (``10.0.0.0/16``, not ``10.0.0.1/16``)."""
    if is_unresolved(value):
        return []
    if not isinstance(value, str) or "/" not in value:
        return [f"{setting} {value!r} is not a CIDR block; write it as a.b.c.d/n, for example 10.0.0.0/16"]
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return [f"{setting} {value!r} is not a CIDR block; write it as a.b.c.d/n, for example 10.0.0.0/16"]
    if net.version != 4:
        return [f"{setting} {value!r} is an IPv6 range; only IPv4 CIDR blocks are allowed here"]
    if str(net) != value:
        return [f"{setting} {value!r} has host bits set; use the network address {net}"]
    return []


def parse_ipv4_networks(values: Iterable[object]) -> list[ipaddress.IPv4Network]:
    """The resolved, valid IPv4 networks among ``values`` (tokens and invalid entries are dropped)."""
    nets = []
    for value in values:
        if isinstance(value, str) and not is_unresolved(value) and not ipv4_cidr("x", value):
            nets.append(ipaddress.IPv4Network(value))
    return nets


def iam_principal_arn(setting: str, value: object) -> list[str]:
    """An IAM role or user ARN (``arn:aws:iam::123456789012:role/Name``)."""
    if is_unresolved(value):
        return []
    if not isinstance(value, str) or not _IAM_PRINCIPAL_ARN.fullmatch(value):
        return [
            f"{setting} {value!r} is not an IAM role or user ARN; expected "
            "arn:<partition>:iam::<12-digit account>:role/<name> or ...:user/<name>"
        ]
    return []


def iam_role_arn(setting: str, value: object) -> list[str]:
    """An IAM role ARN."""
    if is_unresolved(value):
        return []
    if not isinstance(value, str) or not _IAM_ROLE_ARN.fullmatch(value):
        return [
            f"{setting} {value!r} is not an IAM role ARN; expected arn:<partition>:iam::<12-digit account>:role/<name>"
        ]
    return []


def account_of_arn(arn: str) -> str | None:
    """The 12-digit account in an ARN, or None when it cannot be read."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and _ACCOUNT.fullmatch(parts[4]) else None


def aws_account(setting: str, value: object) -> list[str]:
    if is_unresolved(value):
        return []
    if not isinstance(value, str) or not _ACCOUNT.fullmatch(value):
        return [f"{setting} {value!r} is not a 12-digit AWS account ID"]
    return []


@cache
def region_partitions() -> dict[str, str]:
    """Every AWS region name with its partition, from the checked-in table ``data/regions.json``.

    See: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
    """
    text = resources.files("eks_platform._internal.data").joinpath("regions.json").read_text()
    table: dict[str, list[str]] = json.loads(text)["partitions"]
    return {region: partition for partition, regions in table.items() for region in regions}


def aws_region(setting: str, value: object) -> list[str]:
    """A region AWS has (from the table, not a shape: ``us-east-7`` is refused)."""
    if is_unresolved(value):
        return []
    if not isinstance(value, str) or value not in region_partitions():
        close = difflib.get_close_matches(value, list(region_partitions()), n=1) if isinstance(value, str) else []
        hint = f"; did you mean {close[0]!r}?" if close else "."
        return [
            f"{setting} {value!r} is not an AWS region{hint} Use a region name such as us-east-1 (the table of "
            "regions is eks_platform/_internal/data/regions.json)"
        ]
    return []


def partition_of_region(region: str | None) -> str | None:
    """The partition (``aws``, ``aws-cn``, ``aws-us-gov``, ``aws-iso*``, ``aws-eusc``) of a known region.

    None for a token, None, or a region the table does not list.
    """
    if not isinstance(region, str) or is_unresolved(region):
        return None
    return region_partitions().get(region)


def arn_partition_problems(setting: str, arn: object, region: str | None) -> list[str]:
    """An ARN's partition must be the partition of the stack's region (``arn:aws-cn:...`` only in China)."""
    expected = partition_of_region(region)
    if expected is None or not isinstance(arn, str) or is_unresolved(arn) or not arn.startswith("arn:"):
        return []
    partition = arn.split(":")[1] if arn.count(":") >= 2 else ""
    if partition != expected:
        return [
            f"{setting} {arn!r} is in partition {partition!r}, but the stack's region {region} is in {expected!r}; "
            f"use an ARN that starts with arn:{expected}:"
        ]
    return []


def unknown_keys(setting: str, given: Iterable[str], allowed: Sequence[str]) -> list[str]:
    """Keys in ``given`` not in ``allowed``, with a did-you-mean suggestion."""

    problems = []
    for key in given:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "."
            problems.append(
                f"{setting} has an unknown key {key!r}{hint} Allowed keys: {', '.join(sorted(allowed))}"
            )
    return problems


def expect_type(setting: str, value: Any, kind: type | tuple[type, ...], described: str) -> list[str]:
    """A type check that reports in the user's words (``bool`` is not accepted as ``int``)."""
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        return [f"{setting} must be {described}, got {value!r}"]
    if not isinstance(value, kind):
        return [f"{setting} must be {described}, got {type(value).__name__} {value!r}"]
    return []


# -- Kubernetes label and annotation keys (added for the cdk8s constructs) -----------------------------------------
_K8S_NAME_PART = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", re.ASCII)
K8S_NAME_PART_MAX = 63


def k8s_qualified_name(setting: str, value: object) -> list[str]:
    """A Kubernetes qualified name (label, annotation or taint key): ``[prefix/]name``.

    The optional prefix is a DNS-1123 subdomain; the name is at most 63 characters of letters, digits, ``-``, ``_``
    and ``.``, starting and ending with a letter or digit.
    See: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
    """
    if not isinstance(value, str) or not value:  # strings first: NaN must never reach the jsii kernel
        return [f"{setting} must be a non-empty string, got {value!r}"]
    if is_unresolved(value):
        return []
    prefix, sep, name = value.rpartition("/")
    problems = []
    if sep and (not prefix or dns1123_subdomain("x", prefix)):
        problems.append(
            f"{setting} {value!r} has an invalid prefix {prefix!r}; the part before '/' must be a DNS-1123 subdomain "
            "such as example.com"
        )
    if len(name) > K8S_NAME_PART_MAX or not _K8S_NAME_PART.fullmatch(name):
        problems.append(
            f"{setting} {value!r} is not a valid Kubernetes qualified name: the name part {name!r} must be 1 to 63 "
            "letters, digits, '-', '_' or '.', starting and ending with a letter or digit (optionally prefixed by "
            "a DNS subdomain and '/')"
        )
    return problems


def k8s_label_value(setting: str, value: object) -> list[str]:
    """A Kubernetes label value: empty, or at most 63 letters, digits, ``-``, ``_``, ``.``; alphanumeric at both
    ends."""
    if not isinstance(value, str):
        return [f"{setting} must be a string, got {type(value).__name__} {value!r}"]
    if is_unresolved(value):
        return []
    if value and (len(value) > K8S_NAME_PART_MAX or not _K8S_NAME_PART.fullmatch(value)):
        return [
            f"{setting} {value!r} is not a valid Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit"
        ]
    return []


E = TypeVar("E", bound=Enum)


def enum_problems(setting: str, value: object, enum_cls: type[Enum]) -> list[str]:
    """``value`` is a member of ``enum_cls`` or one of its values."""
    if isinstance(value, enum_cls):
        return []
    allowed = [m.value for m in enum_cls]
    if value in allowed:
        return []
    return [f"{setting} {value!r} is not one of {', '.join(map(repr, allowed))}"]


def coerce_enum(value: Any, enum_cls: type[E]) -> E | Any:
    """The member for ``value`` when there is one, else ``value`` unchanged (``enum_problems`` reports it)."""
    try:
        return enum_cls(value)
    except (ValueError, TypeError):
        return value


def store_tuple(owner: Any, name: str) -> tuple[Any, ...]:
    """Store a frozen dataclass's sequence field as a tuple (a lone value becomes a one-item tuple, None empty)."""
    value = getattr(owner, name)
    if value is None:
        result: tuple[Any, ...] = ()
    elif isinstance(value, str | bytes) or not isinstance(value, Sequence):
        result = (value,)
    else:
        result = tuple(value)
    object.__setattr__(owner, name, result)
    return result


def as_tuple(value: Iterable[_T] | None) -> tuple[_T, ...]:
    """A frozen value object's sequence field as a tuple (``None`` or empty -> ``()``)."""
    return tuple(value or ())


def one_of_problems(setting: str, value: object, allowed: Sequence[str], *, hint: str = "") -> list[str]:
    """``value`` must be one of ``allowed`` (an enum's values as cdk.json writes them); ``hint`` explains the choice."""
    if isinstance(value, str) and value in allowed:
        return []
    return [f"{setting} {value!r} is not one of {', '.join(map(repr, allowed))}{hint}"]


def enum_member_problems(setting: str, value: object, enum_cls: type[Enum]) -> list[str]:
    """``value`` must be a member of ``enum_cls`` (a Python keyword argument; cdk.json values use one_of_problems)."""
    if isinstance(value, enum_cls):
        return []
    return [f"{setting} {value!r} must be a {enum_cls.__name__} member ({', '.join(str(m.value) for m in enum_cls)})"]
