"""EKS Hybrid Nodes credential rules: the provider, SSM activation values, IAM Roles Anywhere ARNs and CA bundle.

Pure functions only (no constructs); validators return lists of problems and skip unresolved CDK tokens.

Sources: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-creds.html and nodeadm
(``aws/eks-hybrid`` ``internal/node/hybrid/validator.go``, ``api/v1alpha1/nodeconfig_types.go``).
"""

from __future__ import annotations

import base64
import binascii
import re
from enum import Enum

from eks_platform._internal import validation as v


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


_ACTIVATION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
_ACTIVATION_CODE = re.compile(r".{20,250}", re.ASCII)
_TRUST_ANCHOR_ARN = re.compile(
    r"arn:aws[a-z-]*:rolesanywhere:[a-z0-9-]+:\d{12}:trust-anchor/[a-f0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}", re.ASCII
)
_PROFILE_ARN = re.compile(
    r"arn:aws[a-z-]*:rolesanywhere:[a-z0-9-]+:\d{12}:profile/[a-f0-9]{8}-([a-z0-9]{4}-){3}[a-z0-9]{12}", re.ASCII
)
NODE_NAME_MAX = 64
CERTIFICATE_DATA_MAX = 8000


def credential_provider_problems(setting: str, value: object) -> list[str]:
    """Hybrid nodes take exactly one credential provider, named by its value (``ssm`` or ``iamRolesAnywhere``)."""
    allowed = [c.value for c in CredentialProvider]
    if isinstance(value, CredentialProvider) or (isinstance(value, str) and value in allowed):
        return []
    choose = " or ".join(map(repr, allowed))
    if isinstance(value, list | tuple):
        names = "both providers" if len(value) > 1 else "a list"
        return [f"{setting} {list(value)!r} names {names}; hybrid nodes use exactly one: {choose}"]
    return [f"{setting} {value!r} is not a credential provider; choose exactly one of {choose}"]


def ssm_activation_problems(activation_id: object, activation_code: object) -> list[str]:
    """The SSM activation values nodeadm accepts (SSM ``CreateActivation`` output shapes)."""
    problems = []
    if not v.is_unresolved(activation_id) and (
        not isinstance(activation_id, str) or not _ACTIVATION_ID.fullmatch(activation_id)
    ):
        problems.append(
            f"ssm activation_id {activation_id!r} is not an SSM activation ID; expected the UUID printed by "
            "`aws ssm create-activation` (8-4-4-4-12 lowercase hex)"
        )
    if not v.is_unresolved(activation_code) and (
        not isinstance(activation_code, str) or not _ACTIVATION_CODE.fullmatch(activation_code)
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
    if not isinstance(value, str) or not _TRUST_ANCHOR_ARN.fullmatch(value):
        return [
            f"{setting} {value!r} is not an IAM Roles Anywhere trust anchor ARN; expected "
            "arn:<partition>:rolesanywhere:<region>:<account>:trust-anchor/<uuid>"
        ]
    return []


def profile_arn_problems(setting: str, value: object) -> list[str]:
    if v.is_unresolved(value):
        return []
    if not isinstance(value, str) or not _PROFILE_ARN.fullmatch(value):
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


def roles_anywhere_source_problems(
    subject: str,
    ca_bundle_pem: object,
    trust_anchor_arn: object,
    node_name: object = None,
    *,
    prefix: str,
    pem_key: str,
    anchor_key: str,
    node_name_key: str,
) -> list[str]:
    """IAM Roles Anywhere needs exactly one trust source (a CA bundle or an existing trust anchor), each well formed.

    Settings are named as the user wrote them: ``subject`` is the options object (``iam_roles_anywhere``, or the
    cdk.json section), ``prefix + *_key`` each field (``iam_roles_anywhere.ca_bundle_pem``,
    ``platform.hybrid.caBundlePem``).
    """
    problems: list[str] = []
    if (ca_bundle_pem is None) == (trust_anchor_arn is None):
        problems.append(
            f"{subject} needs exactly one of {pem_key} (your CA certificate in PEM; a trust anchor is created "
            f"from it) and {anchor_key} (an existing trust anchor); got "
            + ("both" if ca_bundle_pem is not None else "neither")
        )
    if ca_bundle_pem is not None:
        problems += ca_bundle_problems(prefix + pem_key, ca_bundle_pem)
    if trust_anchor_arn is not None:
        problems += trust_anchor_arn_problems(prefix + anchor_key, trust_anchor_arn)
    if node_name is not None:
        problems += node_name_problems(prefix + node_name_key, node_name)
    return problems
