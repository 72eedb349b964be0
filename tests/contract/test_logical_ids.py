"""Pinned logical IDs of stateful and identity resources: a change here replaces a cluster, key or role.

If one of these must change, say so in CHANGELOG.md (and how to migrate) before updating the pin.
"""

from __future__ import annotations

from typing import Any

from eks_platform.stacks.app import REFERENCE_STACK_NAME

PINNED = {
    "ClusterEB0386A7": "AWS::EKS::Cluster",
    "ClusterSecretsKey462B29B5": "AWS::KMS::Key",
    "ClusterRoleFA261979": "AWS::IAM::Role",
    "ClusterNodeRole687A61BB": "AWS::IAM::Role",
    "ClusterVpcFAA3CEDF": "AWS::EC2::VPC",
    # Pod Identity, keyed by namespace:service-account (apps/reporting), never by list position
    "ClusterPodIdentitiesappsreportingAssociationFA7D942E": "AWS::EKS::PodIdentityAssociation",
    "ClusterPodIdentitiesappsreportingRole116C7668": "AWS::IAM::Role",
}


def test_reference_stack_pins_stateful_logical_ids(reference_templates: dict[str, Any]) -> None:
    resources = reference_templates[REFERENCE_STACK_NAME]["Resources"]
    assert {logical_id: resources.get(logical_id, {}).get("Type") for logical_id in PINNED} == PINNED


def test_cluster_role_and_node_role_are_the_ones_the_cluster_uses(reference_templates: dict[str, Any]) -> None:
    props = reference_templates[REFERENCE_STACK_NAME]["Resources"]["ClusterEB0386A7"]["Properties"]
    assert props["RoleArn"] == {"Fn::GetAtt": ["ClusterRoleFA261979", "Arn"]}
    assert props["ComputeConfig"]["NodeRoleArn"] == {"Fn::GetAtt": ["ClusterNodeRole687A61BB", "Arn"]}
    assert props["EncryptionConfig"][0]["Provider"]["KeyArn"] == {"Fn::GetAtt": ["ClusterSecretsKey462B29B5", "Arn"]}
