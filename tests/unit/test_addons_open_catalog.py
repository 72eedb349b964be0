"""The open add-on catalog: any EKS add-on with an explicit version, one warning; the storage drivers' IAM."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match

from eks_platform.constructs.addons import AddonPodIdentity, ManagedAddon
from eks_platform.constructs.reference import PlatformClusterReference
from eks_platform.errors import ConfigError
from tests import support

VERSION = "v2.5.0-eksbuild.1"


def _reference() -> PlatformClusterReference:
    return PlatformClusterReference(
        support.new_stack(), "Platform", cluster_name="platform-prod", kubernetes_version="1.33"
    )


def test_an_addon_outside_the_catalog_synthesizes_with_exactly_one_warning() -> None:
    ref = _reference()
    addon = ref.add_addon("kubecost_kubecost", version=VERSION)
    stack = cdk.Stack.of(addon)
    template = support.synth_stack(stack, label="open-catalog")
    (resource,) = support.resources_of(template, "AWS::EKS::Addon").values()
    assert resource["Properties"]["AddonName"] == "kubecost_kubecost"
    assert resource["Properties"]["AddonVersion"] == VERSION
    warnings = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    texts = [json.dumps(w.entry.data) for w in warnings]
    assert len(texts) == 1, texts
    assert "not in this library's catalog" in texts[0]
    assert "IAM" in texts[0] and "hybrid nodes" in texts[0] and "Auto Mode" in texts[0]


def test_a_misspelt_addon_with_a_version_warns_with_the_close_name() -> None:
    addon = _reference().add_addon("metrics-sever", version="v0.8.0-eksbuild.6")
    annotations = Annotations.from_stack(cdk.Stack.of(addon))
    annotations.has_warning("*", Match.string_like_regexp("did you mean 'metrics-server'"))


def test_fails_when_an_addon_outside_the_catalog_has_no_version() -> None:
    with pytest.raises(ConfigError, match=r"'metrics-sever' is not in the catalog; did you mean 'metrics-server'\?"):
        _reference().add_addon("metrics-sever")


def test_fails_when_the_addon_name_is_not_an_eks_addon_name() -> None:
    with pytest.raises(ConfigError, match="is not an EKS add-on name"):
        _reference().add_addon("Kube Cost", version=VERSION)


def test_fails_when_pod_identities_are_given_to_an_addon_outside_the_catalog() -> None:
    with pytest.raises(ConfigError, match="does not know for kubecost_kubecost"):
        _reference().add_addon(
            "kubecost_kubecost", version=VERSION, pod_identities=[AddonPodIdentity(service_account="cost-model")]
        )


def test_efs_csi_driver_is_in_the_catalog_with_its_pod_identity_policy() -> None:
    ref = _reference()
    addon = ref.add_addon("aws-efs-csi-driver", version="v2.1.4-eksbuild.1")
    template = support.synth_stack(cdk.Stack.of(addon), label="efs")
    (resource,) = support.resources_of(template, "AWS::EKS::Addon").values()
    (association,) = resource["Properties"]["PodIdentityAssociations"]
    assert association["ServiceAccount"] == "efs-csi-controller-sa"
    (role,) = support.resources_of(template, "AWS::IAM::Role").values()
    assert "service-role/AmazonEFSCSIDriverPolicy" in json.dumps(role["Properties"]["ManagedPolicyArns"])
    annotations = Annotations.from_stack(cdk.Stack.of(addon))
    annotations.has_no_warning("*", Match.string_like_regexp("not in this library's catalog"))


def test_fsx_csi_driver_gets_the_fsx_policy() -> None:
    addon = _reference().add_addon("aws-fsx-csi-driver", version="v1.7.0-eksbuild.1")
    assert set(addon.roles) == {"fsx-csi-controller-sa"}


def test_mountpoint_s3_driver_takes_the_bucket_statements_through_pod_identities() -> None:
    from aws_cdk import aws_iam as iam

    statement = iam.PolicyStatement(actions=["s3:ListBucket"], resources=["arn:aws:s3:::reports"])
    addon = _reference().add_addon(
        "aws-mountpoint-s3-csi-driver",
        version="v1.15.0-eksbuild.1",
        pod_identities=[AddonPodIdentity(service_account="s3-csi-driver-sa", policy_statements=[statement])],
    )
    assert set(addon.roles) == {"s3-csi-driver-sa"}


def test_open_catalog_works_through_managed_addon_on_a_plain_cluster() -> None:
    ref = _reference()
    addon = ManagedAddon(ref, "Custom", cluster=ref.cluster, name="amazon-sagemaker-hyperpod-taskgovernance",
                         version="v1.0.0-eksbuild.1")
    assert addon.entry.catalogued is False
