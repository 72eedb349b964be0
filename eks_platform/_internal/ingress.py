"""Rules for the EKS Auto Mode ALB ``IngressClassParams`` (``eks.amazonaws.com/v1``), as pure functions.

Fields and values follow the user guide page "Create an IngressClass to configure an Application Load Balancer"
(https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html, "IngressClassParams Reference" and the
table of changes from ``elbv2.k8s.aws/v1beta1``), and the enums of the AWS Load Balancer Controller's
IngressClassParams CRD that Auto Mode's API derives from
(https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/main/config/crd/bases/elbv2.k8s.aws_ingressclassparams.yaml).
"""

from __future__ import annotations

import re

from eks_platform._internal import validation as v

#: The controller name of EKS Auto Mode's load balancing capability.
ALB_CONTROLLER = "eks.amazonaws.com/alb"
PARAMS_API_GROUP = "eks.amazonaws.com"
PARAMS_API_VERSION = "eks.amazonaws.com/v1"
DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
SCHEMES: tuple[str, ...] = ("internal", "internet-facing")
IP_ADDRESS_TYPES: tuple[str, ...] = ("ipv4", "dualstack", "dualstack-without-public-ipv4")

_SUBNET_ID = re.compile(r"subnet-[0-9a-f]+", re.ASCII)
_ACM_ARN = re.compile(
    r"arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+",
    re.ASCII,
)
# IngressGroup names (AWS Load Balancer Controller "IngressGroup"): 63 characters at most, lower-case letters,
# digits, '-' and '.', starting and ending with a letter or digit.
_GROUP_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?", re.ASCII)


def scheme_problems(setting: str, scheme: object, *, allow_internet_facing: bool, allow_setting: str) -> list[str]:
    if scheme not in SCHEMES:
        return [f"{setting} {scheme!r} is not a load balancer scheme; use 'internal' or 'internet-facing'"]
    if scheme == "internet-facing" and not allow_internet_facing:
        return [
            f"{setting} is 'internet-facing', which puts every Ingress of this class on the public internet; set "
            f"{allow_setting} to true to accept that, or keep the default 'internal'"
        ]
    return []


def ip_address_type_problems(setting: str, value: object) -> list[str]:
    if value not in IP_ADDRESS_TYPES:
        return [f"{setting} {value!r} is not an IP address type; use one of {', '.join(IP_ADDRESS_TYPES)}"]
    return []


def subnet_id_problems(setting: str, value: object) -> list[str]:
    if not isinstance(value, str) or not _SUBNET_ID.fullmatch(value):
        return [f"{setting} {value!r} is not a subnet ID (subnet-<hex>)"]
    return []


def certificate_arn_problems(setting: str, value: object) -> list[str]:
    if not isinstance(value, str) or not _ACM_ARN.fullmatch(value):
        return [f"{setting} {value!r} is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)"]
    return []


def group_name_problems(setting: str, value: object) -> list[str]:
    if not isinstance(value, str) or not _GROUP_NAME.fullmatch(value):
        return [
            f"{setting} {value!r} is not an IngressGroup name; use at most 63 lower-case letters, digits, '-' or '.', "
            "starting and ending with a letter or digit"
        ]
    return []


def class_name_problems(setting: str, value: object) -> list[str]:
    return v.dns1123_subdomain(setting, value)
