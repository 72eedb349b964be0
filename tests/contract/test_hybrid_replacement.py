"""Changing a cluster's remote networks updates it in place; the hybrid role, access entry and trust anchor stay.

Why in place: the CloudFormation registry schema shipped with cfn-lint 1.58 lists no ``RemoteNetworkConfig``
path in ``AWS::EKS::Cluster`` ``createOnlyProperties`` (older schemas did), and the EKS user guide page
``hybrid-nodes-cluster-update`` says remote node and pod networks can be added, changed or removed after creation.
The service CIDR is still create-only (the positive control below).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eks_platform import AutoModeCluster, HybridCredentials, HybridNetworks, HybridNodes
from eks_platform.replacement import Action, compare_templates, create_only_properties
from tests.support import new_app, new_stack, synth

CA_PEM = (Path(__file__).resolve().parents[1] / "golden" / "hybrid" / "test-ca.pem").read_text()
HYBRID_TYPES = {"AWS::IAM::Role", "AWS::EKS::AccessEntry", "AWS::RolesAnywhere::TrustAnchor",
                "AWS::RolesAnywhere::Profile", "AWS::EKS::Cluster"}


def test_schema_does_not_make_remote_network_config_create_only() -> None:
    create_only = create_only_properties("AWS::EKS::Cluster")
    assert create_only is not None
    assert not [p for p in create_only if p.startswith("/properties/RemoteNetworkConfig")]
    assert "/properties/KubernetesNetworkConfig/ServiceIpv4Cidr" in create_only


@pytest.fixture(scope="module")
def variants() -> dict[str, dict[str, Any]]:
    app = new_app()
    shapes = {
        "Before": ({"node_cidrs": ["192.168.100.0/24"], "pod_cidrs": ["192.168.128.0/20"]}, None),
        "Changed": ({"node_cidrs": ["192.168.100.0/24", "192.168.101.0/24"], "pod_cidrs": ["192.168.144.0/20"]}, None),
        "NewServiceCidr": ({"node_cidrs": ["192.168.100.0/24"], "pod_cidrs": ["192.168.128.0/20"]}, "172.30.0.0/16"),
    }
    for name, (networks, service) in shapes.items():
        stack = new_stack(app, name)
        cluster = AutoModeCluster(stack, "Cluster", cluster_name="edge", service_ipv4_cidr=service,
                                  hybrid_networks=HybridNetworks(**networks))
        HybridNodes(stack, "Hybrid", cluster=cluster, cni="none",
                    credentials=HybridCredentials.roles_anywhere(ca_bundle_pem=CA_PEM))
    return synth(app, label="hybrid-replacement")


def test_changing_remote_networks_replaces_nothing_hybrid(variants: dict[str, dict[str, Any]]) -> None:
    report = compare_templates(variants["Before"], variants["Changed"])
    assert report.affecting(HYBRID_TYPES) == ()
    assert [c for c in report.changes if c.action is Action.MAY_REPLACE and c.resource_type in HYBRID_TYPES] == []
    assert "ClusterEB0386A7" in report.updated


def test_only_the_per_cidr_network_rules_are_swapped(variants: dict[str, dict[str, Any]]) -> None:
    report = compare_templates(variants["Before"], variants["Changed"])
    assert {c.resource_type for c in report.replaced_or_deleted} <= {
        "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"
    }


def test_changing_the_service_cidr_replaces_the_cluster(variants: dict[str, dict[str, Any]]) -> None:
    report = compare_templates(variants["Before"], variants["NewServiceCidr"])
    assert [c.logical_id for c in report.affecting({"AWS::EKS::Cluster"})] == ["ClusterEB0386A7"]
