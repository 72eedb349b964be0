"""The ``hybrid`` section of the ``platform`` object in ``cdk.json``: EKS Hybrid Nodes for the second reference stack.

The parser checks the section with the same rules the hybrid constructs apply (``eks_platform._internal.hybrid`` and
``eks_platform.constructs.hybrid``), naming each setting by its cdk.json path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eks_platform._internal import hybrid as h
from eks_platform._internal import validation as v
from eks_platform._internal.hybrid import CredentialProvider
from eks_platform._internal.hybrid.cilium import pool_problems
from eks_platform.constructs.hybrid import HybridCni, HybridCredentials, HybridNetworks
from eks_platform.constructs.hybrid.cilium import cni_choice

__all__ = ["HybridConfig", "parse_hybrid_config"]

_HYBRID_KEYS = (
    "nodeCidrs", "podCidrs", "credentials", "caBundlePem", "trustAnchorArn", "nodeName",
    "transitGatewayId", "virtualPrivateGatewayId", "cni", "webhookPorts", "podCidrsRoutable", "ciliumPoolCidrs",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class HybridConfig:
    """The ``hybrid`` section of the ``platform`` context object (see README "Hybrid nodes")."""

    node_cidrs: tuple[str, ...]
    pod_cidrs: tuple[str, ...] = ()
    credentials: CredentialProvider = CredentialProvider.SSM
    ca_bundle_pem: str | None = None
    trust_anchor_arn: str | None = None
    node_name: str | None = None
    transit_gateway_id: str | None = None
    virtual_private_gateway_id: str | None = None
    cni: HybridCni = HybridCni.CILIUM
    webhook_ports: tuple[int, ...] | None = None
    pod_cidrs_routable: bool = False
    cilium_pool_cidrs: tuple[str, ...] | None = None

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


def parse_hybrid_config(setting: str, raw: Any, problems: list[str]) -> HybridConfig | None:
    """Parse the ``hybrid`` context object; problems are appended (each naming ``<setting>.<key>``), never raised."""
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be an object, got {type(raw).__name__} {raw!r}")
        return None
    found: list[str] = v.unknown_keys(setting, raw.keys(), list(_HYBRID_KEYS))
    node = raw.get("nodeCidrs")
    pod = raw.get("podCidrs", [])
    if node is None:
        found.append(f"{setting}.nodeCidrs is required: the on-premises CIDRs of your hybrid nodes, e.g. "
                     "[\"192.168.100.0/24\"]")
        node = []
    found += h.remote_network_problems(
        node_cidrs=node, pod_cidrs=pod, node_setting=f"{setting}.nodeCidrs", pod_setting=f"{setting}.podCidrs"
    )
    allowed_creds = [c.value for c in CredentialProvider]
    creds_raw = raw.get("credentials", CredentialProvider.SSM.value)
    credentials = CredentialProvider.SSM
    if isinstance(creds_raw, list):
        found.append(
            f"{setting}.credentials {creds_raw!r} names {'both providers' if len(creds_raw) > 1 else 'a list'}; "
            f"hybrid nodes use exactly one: {' or '.join(map(repr, allowed_creds))}"
        )
    elif creds_raw not in allowed_creds:
        found.append(
            f"{setting}.credentials {creds_raw!r} is not a credential provider; choose exactly one of "
            f"{' or '.join(map(repr, allowed_creds))}"
        )
    else:
        credentials = CredentialProvider(creds_raw)
    pem, anchor = raw.get("caBundlePem"), raw.get("trustAnchorArn")
    node_name = raw.get("nodeName")
    if credentials is CredentialProvider.IAM_ROLES_ANYWHERE and creds_raw in allowed_creds:
        found += h.roles_anywhere_source_problems(
            f"{setting}: credentials 'iamRolesAnywhere'", pem, anchor, node_name, prefix=f"{setting}.",
            pem_key="caBundlePem", anchor_key="trustAnchorArn", node_name_key="nodeName",
        )
    else:
        for key in ("caBundlePem", "trustAnchorArn", "nodeName"):
            if raw.get(key) is not None:
                found.append(f"{setting}.{key} applies only to credentials 'iamRolesAnywhere'; remove it or switch")
    tgw, vgw = raw.get("transitGatewayId"), raw.get("virtualPrivateGatewayId")
    found += h.gateway_problems(
        tgw, vgw, transit_setting=f"{setting}.transitGatewayId",
        virtual_private_setting=f"{setting}.virtualPrivateGatewayId",
    )
    cni = cni_choice(f"{setting}.cni", raw.get("cni", HybridCni.CILIUM.value), found)
    ports_raw = raw.get("webhookPorts")
    ports: tuple[int, ...] | None = None
    if ports_raw is not None:
        port_problems = h.port_list_problems(f"{setting}.webhookPorts", ports_raw)
        found += port_problems
        if not port_problems:
            ports = tuple(ports_raw)
    routable = raw.get("podCidrsRoutable", False)
    found += h.routable_pod_problems(
        f"{setting}.podCidrsRoutable", routable, pod if isinstance(pod, list) else [], pod_setting=f"{setting}.podCidrs"
    )
    pool_raw = raw.get("ciliumPoolCidrs")
    pool: tuple[str, ...] | None = None
    if pool_raw is not None:
        if cni is not HybridCni.CILIUM:
            found.append(f"{setting}.ciliumPoolCidrs applies only to cni 'cilium'; remove it")
        else:
            pool_found = pool_problems(f"{setting}.ciliumPoolCidrs", pool_raw, pod if isinstance(pod, list) else [])
            found += pool_found
            if not pool_found:
                pool = tuple(pool_raw)
    problems += found
    if found:
        return None
    return HybridConfig(
        node_cidrs=tuple(node), pod_cidrs=tuple(pod), credentials=credentials, ca_bundle_pem=pem,
        trust_anchor_arn=anchor, node_name=node_name, transit_gateway_id=tgw, virtual_private_gateway_id=vgw,
        cni=cni, webhook_ports=ports, pod_cidrs_routable=routable, cilium_pool_cidrs=pool,
    )
