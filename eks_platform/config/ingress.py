"""cdk.json: the ``platform.ingress`` section (an EKS Auto Mode ALB IngressClass), parsed into
:class:`IngressSettings`. Every rule is the one :class:`~eks_platform.constructs.ingress.AlbIngressChart` applies,
reported with the cdk.json path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eks_platform._internal import ingress as rules
from eks_platform._internal import validation as v
from eks_platform._internal.pod_identity import tag_problems

_KEYS = (
    "className",
    "scheme",
    "allowInternetFacing",
    "defaultClass",
    "subnetIds",
    "certificateArns",
    "ipAddressType",
    "groupName",
    "tags",
    "namespaceLabels",
)

#: The JSON Schema of the section (its keys; the rules are judged at synth).
INGRESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The Auto Mode ALB IngressClass.",
    "properties": {key: {} for key in _KEYS},
    "additionalProperties": False,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class IngressSettings:
    """``platform.ingress``; :meth:`options` gives the keyword arguments of ``AlbIngressClass``."""

    class_name: str = "alb"
    scheme: str = "internal"
    allow_internet_facing: bool = False
    default_class: bool = False
    subnet_ids: tuple[str, ...] = ()
    certificate_arns: tuple[str, ...] = ()
    ip_address_type: str | None = None
    group_name: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    namespace_labels: Mapping[str, str] = field(default_factory=dict)

    def options(self) -> dict[str, Any]:
        return {
            "class_name": self.class_name,
            "scheme": self.scheme,
            "allow_internet_facing": self.allow_internet_facing,
            "default_class": self.default_class,
            "subnet_ids": self.subnet_ids,
            "certificate_arns": self.certificate_arns,
            "ip_address_type": self.ip_address_type,
            "group_name": self.group_name,
            "tags": dict(self.tags) or None,
            "namespace_labels": dict(self.namespace_labels) or None,
        }


def _strings(setting: str, raw: Any, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        problems.append(f"{setting} must be a list of strings, got {raw!r}")
        return ()
    return tuple(raw)


def parse_ingress_config(setting: str, raw: Any, problems: list[str]) -> IngressSettings | None:
    """Parse ``platform.ingress``; problems are appended, never raised."""
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be an object (use {{}} for an internal 'alb' class), got {raw!r}")
        return None
    before = len(problems)
    problems += v.unknown_keys(setting, raw.keys(), list(_KEYS))
    values: dict[str, Any] = {}
    for key, attr in (("allowInternetFacing", "allow_internet_facing"), ("defaultClass", "default_class")):
        if key in raw:
            problems += v.expect_type(f"{setting}.{key}", raw[key], bool, "true or false")
            values[attr] = raw[key]
    if "className" in raw:
        problems += rules.class_name_problems(f"{setting}.className", raw["className"])
        values["class_name"] = raw["className"]
    scheme = raw.get("scheme", "internal")
    problems += rules.scheme_problems(
        f"{setting}.scheme", scheme, allow_internet_facing=values.get("allow_internet_facing") is True,
        allow_setting=f"{setting}.allowInternetFacing",
    )
    values["scheme"] = scheme
    if "subnetIds" in raw:
        values["subnet_ids"] = _strings(f"{setting}.subnetIds", raw["subnetIds"], problems)
        for index, subnet in enumerate(values["subnet_ids"]):
            problems += rules.subnet_id_problems(f"{setting}.subnetIds[{index}]", subnet)
    if "certificateArns" in raw:
        values["certificate_arns"] = _strings(f"{setting}.certificateArns", raw["certificateArns"], problems)
        for index, arn in enumerate(values["certificate_arns"]):
            problems += rules.certificate_arn_problems(f"{setting}.certificateArns[{index}]", arn)
    if "ipAddressType" in raw:
        problems += rules.ip_address_type_problems(f"{setting}.ipAddressType", raw["ipAddressType"])
        values["ip_address_type"] = raw["ipAddressType"]
    if "groupName" in raw:
        problems += rules.group_name_problems(f"{setting}.groupName", raw["groupName"])
        values["group_name"] = raw["groupName"]
    if "tags" in raw:
        problems += tag_problems(f"{setting}.tags", raw["tags"])
        values["tags"] = raw["tags"] if isinstance(raw["tags"], dict) else {}
    if "namespaceLabels" in raw:
        labels = raw["namespaceLabels"]
        if not isinstance(labels, dict):
            problems.append(f"{setting}.namespaceLabels must be an object of label values, got {labels!r}")
        else:
            for key, value in labels.items():
                problems += v.k8s_qualified_name(f"{setting}.namespaceLabels key", key)
                problems += v.k8s_label_value(f"{setting}.namespaceLabels.{key}", value)
            values["namespace_labels"] = labels
    if len(problems) > before:
        return None
    return IngressSettings(**values)
