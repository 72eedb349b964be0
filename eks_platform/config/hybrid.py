"""The ``hybrid`` section of the ``platform`` object in ``cdk.json``: EKS Hybrid Nodes for the second reference stack.

The model checks the section with the same rules the hybrid constructs apply (``eks_platform._internal.hybrid`` and
``eks_platform.constructs.hybrid``), naming each setting by its cdk.json path.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from eks_platform._internal import hybrid as h
from eks_platform._internal.hybrid import CredentialProvider
from eks_platform._internal.hybrid.cilium import pool_problems
from eks_platform.config._base import HERE, ConfigModel, check
from eks_platform.constructs.hybrid import HybridCni, HybridCredentials, HybridNetworks
from eks_platform.constructs.hybrid.cilium import cni_choice

__all__ = ["HybridConfig"]


class HybridConfig(ConfigModel):
    """The ``hybrid`` section of the ``platform`` context object (see README "Hybrid nodes")."""

    node_cidrs: tuple[str, ...] = Field(
        description="On-premises CIDRs of the hybrid nodes (RFC 1918, IPv4), e.g. [\"192.168.100.0/24\"]."
    )
    pod_cidrs: tuple[str, ...] = Field(default=(), description="On-premises CIDRs of the pods on hybrid nodes.")
    credentials: CredentialProvider = Field(
        default=CredentialProvider.SSM, description="How hybrid nodes authenticate: ssm or iamRolesAnywhere."
    )
    ca_bundle_pem: str | None = Field(
        default=None, description="iamRolesAnywhere: your CA certificate (PEM); a trust anchor is created from it."
    )
    trust_anchor_arn: str | None = Field(default=None, description="iamRolesAnywhere: an existing trust anchor.")
    node_name: str | None = Field(default=None, description="iamRolesAnywhere: the node name nodeadm uses.")
    transit_gateway_id: str | None = Field(
        default=None, description="Route the remote networks to this transit gateway (tgw-...)."
    )
    virtual_private_gateway_id: str | None = Field(
        default=None, description="Route the remote networks to this virtual private gateway (vgw-...)."
    )
    cni: HybridCni = Field(
        default=HybridCni.CILIUM, description="cilium installs the AWS Cilium chart; none: bring your own CNI."
    )
    webhook_ports: tuple[int, ...] | None = Field(
        default=None,
        description="TCP ports of your own webhooks that run on hybrid nodes. Default: those of the installed add-ons "
        "when podCidrsRoutable is true, otherwise none.",
    )
    pod_cidrs_routable: bool = Field(
        default=False,
        description="Your on-premises network routes podCidrs, so the control plane reaches webhooks on hybrid nodes "
        "(needs podCidrs). Default: false (webhook add-ons stay on cloud nodes).",
    )
    cilium_pool_cidrs: tuple[str, ...] | None = Field(
        default=None,
        description="cni cilium: pin Cilium's IP pool to these CIDRs, inside podCidrs (keep them when podCidrs "
        "change). "
        "Default: podCidrs.",
    )

    @field_validator("credentials", mode="before")
    @classmethod
    def _one_provider(cls, value: Any) -> Any:
        check(h.credential_provider_problems(HERE, value))
        return CredentialProvider(value)

    @field_validator("cni", mode="before")
    @classmethod
    def _cni(cls, value: Any) -> Any:
        problems: list[str] = []
        choice = cni_choice(HERE, value, problems)
        check(problems)
        return choice

    @field_validator("node_cidrs")
    @classmethod
    def _node_cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check(h.remote_cidr_list_problems(HERE, value, required=True))
        return value

    @field_validator("pod_cidrs")
    @classmethod
    def _pod_cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check(h.remote_cidr_list_problems(HERE, value, required=False))
        return value

    @field_validator("webhook_ports")
    @classmethod
    def _ports(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if value is not None:
            check(h.port_list_problems(HERE, value))
        return value

    @model_validator(mode="after")
    def _rules(self) -> HybridConfig:
        # the lists passed their own rules above; this adds the overlap between them
        problems = h.remote_network_problems(
            node_cidrs=self.node_cidrs,
            pod_cidrs=self.pod_cidrs,
            node_setting=f"{HERE}.nodeCidrs",
            pod_setting=f"{HERE}.podCidrs",
        )
        if self.credentials is CredentialProvider.IAM_ROLES_ANYWHERE:
            problems += h.roles_anywhere_source_problems(
                f"{HERE}: credentials 'iamRolesAnywhere'",
                self.ca_bundle_pem,
                self.trust_anchor_arn,
                self.node_name,
                prefix=f"{HERE}.",
                pem_key="caBundlePem",
                anchor_key="trustAnchorArn",
                node_name_key="nodeName",
            )
        else:
            for key, value in (
                ("caBundlePem", self.ca_bundle_pem),
                ("trustAnchorArn", self.trust_anchor_arn),
                ("nodeName", self.node_name),
            ):
                if value is not None:
                    problems.append(
                        f"{HERE}.{key} applies only to credentials 'iamRolesAnywhere'; remove it or switch"
                    )
        problems += h.gateway_problems(
            self.transit_gateway_id,
            self.virtual_private_gateway_id,
            transit_setting=f"{HERE}.transitGatewayId",
            virtual_private_setting=f"{HERE}.virtualPrivateGatewayId",
        )
        problems += h.routable_pod_problems(
            f"{HERE}.podCidrsRoutable", self.pod_cidrs_routable, self.pod_cidrs, pod_setting=f"{HERE}.podCidrs"
        )
        if self.cilium_pool_cidrs is not None:
            if self.cni is not HybridCni.CILIUM:
                problems.append(f"{HERE}.ciliumPoolCidrs applies only to cni 'cilium'; remove it")
            else:
                problems += pool_problems(f"{HERE}.ciliumPoolCidrs", self.cilium_pool_cidrs, self.pod_cidrs)
        check(problems)
        return self

    def networks(self) -> HybridNetworks:
        return HybridNetworks(
            node_cidrs=self.node_cidrs, pod_cidrs=self.pod_cidrs, pod_cidrs_routable=self.pod_cidrs_routable
        )

    def hybrid_credentials(self) -> HybridCredentials:
        if self.credentials is CredentialProvider.SSM:
            return HybridCredentials.ssm_activations()
        return HybridCredentials.roles_anywhere(
            ca_bundle_pem=self.ca_bundle_pem, trust_anchor_arn=self.trust_anchor_arn, node_name=self.node_name
        )
