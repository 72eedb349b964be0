"""cdk.json: the ``platform.ingress`` section (an EKS Auto Mode ALB IngressClass), validated into
:class:`IngressSettings`. Every rule is the one :class:`~eks_platform.constructs.ingress.AlbIngressChart` applies
(``eks_platform._internal.ingress``), reported with the cdk.json path.

See: https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator

from eks_platform._internal import ingress as rules
from eks_platform._internal import validation as v
from eks_platform._internal.pod_identity import tag_problems
from eks_platform.config._base import HERE, PARENT, ConfigModel, check, ruled, section_problems

__all__ = ["IngressSettings", "parse_ingress_config"]


def _each(rule: Any, values: tuple[str, ...]) -> list[str]:
    return [p for i, item in enumerate(values) for p in rule(f"{HERE}[{i}]", item)]


class IngressSettings(ConfigModel):
    """``platform.ingress``: the Auto Mode ALB IngressClass; :meth:`options` gives the arguments of
    ``AlbIngressClass``."""

    class_name: Annotated[str, ruled(rules.class_name_problems)] = Field(
        default="alb", description="IngressClass name Ingresses refer to (DNS-1123 subdomain)."
    )
    allow_internet_facing: bool = Field(
        default=False, description="Explicit opt-in needed for scheme internet-facing (public load balancers)."
    )
    scheme: str = Field(
        default="internal",
        description="Load balancer scheme: internal or internet-facing (needs allowInternetFacing).",
        json_schema_extra={"enum": list(rules.SCHEMES)},
        validate_default=True,
    )
    default_class: bool = Field(default=False, description="Make it the cluster's default IngressClass.")
    subnet_ids: tuple[str, ...] = Field(default=(), description="Subnets of the load balancers (subnet-...).")
    certificate_arns: tuple[str, ...] = Field(default=(), description="ACM certificate ARNs for HTTPS listeners.")
    ip_address_type: str | None = Field(
        default=None,
        description="ipv4, dualstack or dualstack-without-public-ipv4.",
        json_schema_extra={"enum": [*rules.IP_ADDRESS_TYPES, None]},
    )
    group_name: str | None = Field(default=None, description="IngressGroup that shares one load balancer.")
    tags: Annotated[dict[str, str], ruled(tag_problems)] = Field(
        default_factory=dict, description="Tags on the load balancers."
    )
    namespace_labels: dict[str, str] = Field(
        default_factory=dict, description="Only Ingresses in namespaces with these labels use the class."
    )

    @field_validator("scheme")
    @classmethod
    def _scheme(cls, value: str, info: ValidationInfo) -> str:
        # allowInternetFacing is declared (and validated) before the scheme
        check(rules.scheme_problems(
            HERE, value, allow_internet_facing=info.data.get("allow_internet_facing") is True,
            allow_setting=f"{PARENT}.allowInternetFacing",
        ))
        return value

    @field_validator("subnet_ids")
    @classmethod
    def _subnets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check(_each(rules.subnet_id_problems, value))
        return value

    @field_validator("certificate_arns")
    @classmethod
    def _certificates(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check(_each(rules.certificate_arn_problems, value))
        return value

    @field_validator("ip_address_type")
    @classmethod
    def _ip_address_type(cls, value: str | None) -> str | None:
        if value is not None:
            check(rules.ip_address_type_problems(HERE, value))
        return value

    @field_validator("group_name")
    @classmethod
    def _group_name(cls, value: str | None) -> str | None:
        if value is not None:
            check(rules.group_name_problems(HERE, value))
        return value

    @field_validator("namespace_labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        check([
            problem
            for key, label in value.items()
            for problem in v.k8s_qualified_name(f"{HERE} key", key) + v.k8s_label_value(f"{HERE}.{key}", label)
        ])
        return value

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


def parse_ingress_config(setting: str, raw: Any, problems: list[str]) -> IngressSettings | None:
    """Validate ``platform.ingress`` on its own; problems (each naming ``<setting>.<key>``) are appended."""
    config, found = section_problems(IngressSettings, raw, root=setting)
    problems += found
    return config
