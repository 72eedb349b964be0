"""EKS Hybrid Nodes rules and tables, pure (no constructs): one module per concern, re-exported here.

- :mod:`.networks`: remote node and pod CIDRs, cluster prerequisites, gateways, ports, construct-id keys.
- :mod:`.credentials`: the credential provider, SSM activation values, IAM Roles Anywhere ARNs and CA bundle.
- :mod:`.kubelet`: Kubernetes quantities and the kubelet rules of the ``NodeConfig``.
- :mod:`.nodeadm`: the nodeadm ``NodeConfig`` document: rendering, nodeadm's checks, YAML.
- :mod:`.cilium`: the Cilium Helm values AWS documents and the IP pool rules.
- :mod:`.tables`: ``hybrid.json`` (Cilium chart pin and values with their sources, kubelet port).
"""

from __future__ import annotations

from eks_platform._internal.hybrid.common import (
    as_tuple,
)
from eks_platform._internal.hybrid.credentials import (
    CERTIFICATE_DATA_MAX,
    NODE_NAME_MAX,
    CredentialProvider,
    ca_bundle_problems,
    credential_provider_problems,
    node_name_problems,
    profile_arn_problems,
    roles_anywhere_source_problems,
    ssm_activation_problems,
    trust_anchor_arn_problems,
)
from eks_platform._internal.hybrid.kubelet import (
    MEMORY_MANAGER_POLICIES,
    NODEADM_EVICTION_HARD_MEMORY,
    KubeletInputs,
    kubelet_config,
    kubelet_problems,
    kubelet_version_problems,
    parse_quantity,
)
from eks_platform._internal.hybrid.networks import (
    CGNAT,
    EKS_DEFAULT_SERVICE_CIDRS,
    MAX_CIDRS_PER_LIST,
    MAX_PREFIX,
    MIN_PREFIX,
    RFC1918,
    cidr_key,
    cluster_network_problems,
    default_service_cidr,
    gateway_problems,
    overlap_between,
    port_list_problems,
    remote_cidr_list_problems,
    remote_cidr_problems,
    remote_network_problems,
    routable_pod_problems,
    routing_advisory,
    service_cidr_advisory,
    token_key,
)
from eks_platform._internal.hybrid.nodeadm import (
    DEFAULT_CERTIFICATE_PATH,
    DEFAULT_PRIVATE_KEY_PATH,
    NODEADM_API_VERSION,
    NODEADM_KIND,
    Placeholder,
    dump_node_config,
    node_config_problems,
    render_node_config,
)
from eks_platform._internal.hybrid.tables import (
    DATA,
)

__all__ = [
    "CERTIFICATE_DATA_MAX",
    "CGNAT",
    "DATA",
    "DEFAULT_CERTIFICATE_PATH",
    "DEFAULT_PRIVATE_KEY_PATH",
    "EKS_DEFAULT_SERVICE_CIDRS",
    "MAX_CIDRS_PER_LIST",
    "MAX_PREFIX",
    "MEMORY_MANAGER_POLICIES",
    "MIN_PREFIX",
    "NODEADM_API_VERSION",
    "NODEADM_EVICTION_HARD_MEMORY",
    "NODEADM_KIND",
    "NODE_NAME_MAX",
    "RFC1918",
    "CredentialProvider",
    "KubeletInputs",
    "Placeholder",
    "as_tuple",
    "ca_bundle_problems",
    "cidr_key",
    "cluster_network_problems",
    "credential_provider_problems",
    "default_service_cidr",
    "dump_node_config",
    "gateway_problems",
    "kubelet_config",
    "kubelet_problems",
    "kubelet_version_problems",
    "node_config_problems",
    "node_name_problems",
    "overlap_between",
    "parse_quantity",
    "port_list_problems",
    "profile_arn_problems",
    "remote_cidr_list_problems",
    "remote_cidr_problems",
    "remote_network_problems",
    "render_node_config",
    "roles_anywhere_source_problems",
    "routable_pod_problems",
    "routing_advisory",
    "service_cidr_advisory",
    "ssm_activation_problems",
    "token_key",
    "trust_anchor_arn_problems",
]
