"""Storage: gp3 StorageClass, VolumeAttributesClass tiers, the claim helper, EbsStorage and the `storage` config."""

from __future__ import annotations

import json
from typing import Any

import cdk8s
import pytest
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_kms as kms
from aws_cdk.lambda_layer_kubectl_v32 import KubectlV32Layer
from hypothesis import given, settings

from eks_platform.config.storage import StorageDriver, parse_storage_config
from eks_platform.constructs.manifests import ManifestDelivery, PlatformChart
from eks_platform.constructs.storage import (
    EbsDriver,
    EbsStorage,
    EbsVolumeClaim,
    Gp3StorageClass,
    ReclaimPolicy,
    StorageChart,
    VolumeAttributesClass,
    VolumeTier,
    VolumeType,
)
from eks_platform.errors import ConfigError
from eks_platform.stacks.app import REFERENCE_STACK_NAME
from tests.k8s_support import mutated
from tests.support import cdk_json_context, new_app, new_stack, resources_of, synth

KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def chart(version: str = "1.32") -> PlatformChart:
    return PlatformChart(cdk8s.App(), "Test", kubernetes_version=version)


def rendered(c: cdk8s.Chart, kind: str) -> list[dict[str, Any]]:
    return [o for o in c.to_json() if o["kind"] == kind]


# -- StorageClass --------------------------------------------------------------------------------------------------
def test_storage_class_defaults_to_encrypted_gp3_retained_and_waiting_for_the_first_consumer() -> None:
    c = chart()
    Gp3StorageClass(c, "Sc", name="gp3", driver=EbsDriver.AUTO_MODE)
    (sc,) = rendered(c, "StorageClass")
    assert sc["provisioner"] == "ebs.csi.eks.amazonaws.com"
    assert sc["parameters"] == {"type": "gp3", "encrypted": "true"}
    assert sc["reclaimPolicy"] == "Retain"
    assert sc["volumeBindingMode"] == "WaitForFirstConsumer"
    assert sc["allowVolumeExpansion"] is True
    assert "annotations" not in sc["metadata"]


def test_storage_class_on_auto_mode_is_limited_to_auto_mode_nodes() -> None:
    c = chart()
    Gp3StorageClass(c, "Auto", name="auto", driver=EbsDriver.AUTO_MODE)
    Gp3StorageClass(c, "Addon", name="addon", driver=EbsDriver.ADDON)
    by_name = {o["metadata"]["name"].rsplit("-", 1)[0]: o for o in rendered(c, "StorageClass")}
    assert by_name["auto"]["allowedTopologies"] == [
        {"matchLabelExpressions": [{"key": "eks.amazonaws.com/compute-type", "values": ["auto"]}]}
    ]
    assert by_name["addon"]["provisioner"] == "ebs.csi.aws.com"
    assert "allowedTopologies" not in by_name["addon"]


def test_storage_class_options_render_as_parameters_and_annotation() -> None:
    c = chart()
    Gp3StorageClass(
        c,
        "Sc",
        name="fast-default",
        driver=EbsDriver.ADDON,
        kms_key_arn=KEY_ARN,
        default_class=True,
        reclaim_policy=ReclaimPolicy.DELETE,
        iops=6000,
        throughput=250,
    )
    (sc,) = rendered(c, "StorageClass")
    assert sc["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
    assert sc["parameters"]["kmsKeyId"] == KEY_ARN
    assert (sc["parameters"]["iops"], sc["parameters"]["throughput"]) == ("6000", "250")
    assert sc["reclaimPolicy"] == "Delete"


def test_fails_when_the_storage_class_key_is_not_a_kms_arn() -> None:
    with pytest.raises(ConfigError, match="is not a KMS key ARN"):
        Gp3StorageClass(chart(), "Sc", name="gp3", driver=EbsDriver.AUTO_MODE, kms_key_arn="alias-without-arn")


# -- tiers and VolumeAttributesClass ---------------------------------------------------------------------------------
def test_ready_made_tiers_render_ebs_parameters_as_strings() -> None:
    assert VolumeTier.standard().parameters() == {"type": "gp3", "iops": "3000", "throughput": "125"}
    assert VolumeTier.fast().parameters() == {"type": "gp3", "iops": "16000", "throughput": "1000"}
    assert VolumeTier.max().parameters() == {"type": "gp3", "iops": "80000", "throughput": "2000"}


def test_custom_tier_renders_tags_as_tag_specifications() -> None:
    tier = VolumeTier(name="db", volume_type=VolumeType.IO2, iops=20000, tags={"team": "data", "cost": "db"})
    assert tier.parameters() == {
        "type": "io2",
        "iops": "20000",
        "tagSpecification_1": "cost=db",
        "tagSpecification_2": "team=data",
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"iops": 2000}, r"iops 2,000 is outside .* gp3 \(3,000 to 80,000 IOPS\)"),
        ({"iops": 100000}, r"iops 100,000 is outside .* gp3 \(3,000 to 80,000 IOPS\)"),
        ({"iops": 3000, "throughput": 100}, r"throughput 100 MiB/s is outside .* \(125 to 2,000 MiB/s\)"),
        ({"iops": 16000, "throughput": 3000}, r"throughput 3,000 MiB/s is outside .* \(125 to 2,000 MiB/s\)"),
        ({"volume_type": VolumeType.IO2, "iops": 1000, "throughput": 500}, r"throughput 500 is not allowed for io2"),
        ({"iops": 3000, "throughput": 1000}, r"more than 0.25 MiB/s per IOPS .* raise iops to at least 4,000"),
        ({"volume_type": "gp4"}, r"VolumeTier.volume_type 'gp4' is not a VolumeType; use one of"),
        ({"volume_type": VolumeType.GP2, "iops": 3000}, r"iops 3000 is not allowed for gp2"),
    ],
)
def test_fails_when_a_tier_breaks_ebs_limits(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        VolumeTier(name="t", **kwargs)


def test_fails_when_a_tier_name_is_not_a_kubernetes_name() -> None:
    with pytest.raises(ConfigError, match="not a DNS-1123 subdomain"):
        VolumeTier(name="Fast_Tier")


@pytest.mark.parametrize(
    ("version", "api_version"),
    [
        ("1.31", "storage.k8s.io/v1beta1"),
        ("1.32", "storage.k8s.io/v1beta1"),
        ("1.33", "storage.k8s.io/v1beta1"),
        ("1.34", "storage.k8s.io/v1"),
        ("1.35", "storage.k8s.io/v1"),
    ],
)
def test_volume_attributes_class_api_version_follows_the_kubernetes_version(version: str, api_version: str) -> None:
    c = chart(version)
    vac = VolumeAttributesClass(c, "Fast", tier=VolumeTier.fast(), driver=EbsDriver.AUTO_MODE)
    (obj,) = rendered(c, "VolumeAttributesClass")
    assert obj["apiVersion"] == vac.api_version == api_version
    assert obj["driverName"] == "ebs.csi.eks.amazonaws.com"
    assert obj["parameters"] == VolumeTier.fast().parameters()


def test_fails_when_volume_attributes_classes_are_asked_of_kubernetes_before_1_31() -> None:
    with pytest.raises(ConfigError, match=r"needs Kubernetes 1\.31 or later"):
        VolumeAttributesClass(chart("1.30"), "T", tier=VolumeTier.standard(), driver=EbsDriver.AUTO_MODE)


def test_fails_when_the_tier_driver_differs_from_its_storage_class_driver() -> None:
    c = chart()
    sc = Gp3StorageClass(c, "Sc", name="gp3", driver=EbsDriver.AUTO_MODE)
    with pytest.raises(
        ConfigError, match=r"driver ebs.csi.aws.com differs from the driver of storage class 'gp3-[0-9a-f]{8}'"
    ):
        VolumeAttributesClass(c, "T", tier=VolumeTier.standard(), driver=EbsDriver.ADDON, storage_class=sc)


def test_volume_attributes_class_takes_the_storage_class_driver() -> None:
    c = chart()
    sc = Gp3StorageClass(c, "Sc", name="gp3", driver=EbsDriver.ADDON)
    assert VolumeAttributesClass(c, "T", tier=VolumeTier.standard(), storage_class=sc).driver is EbsDriver.ADDON


def test_fails_when_the_volume_attributes_class_has_no_driver() -> None:
    with pytest.raises(ConfigError, match="driver is not set"):
        VolumeAttributesClass(chart(), "T", tier=VolumeTier.standard())


def test_fails_when_the_kubernetes_version_is_unknown() -> None:
    plain = cdk8s.Chart(cdk8s.App(), "Plain")
    with pytest.raises(ConfigError, match="the Kubernetes version is unknown"):
        VolumeAttributesClass(plain, "T", tier=VolumeTier.standard(), driver=EbsDriver.AUTO_MODE)
    explicit = VolumeAttributesClass(
        plain, "U", tier=VolumeTier.standard(), driver=EbsDriver.AUTO_MODE, kubernetes_version="1.34"
    )
    assert explicit.api_version == "storage.k8s.io/v1"


def test_fails_when_a_storage_chart_lists_a_tier_twice() -> None:
    with pytest.raises(ConfigError, match=r"DuplicateObjectName.*'fast'"):
        StorageChart(
            cdk8s.App(),
            "S",
            kubernetes_version="1.32",
            driver=EbsDriver.AUTO_MODE,
            tiers=[VolumeTier.fast(), VolumeTier(name="fast", iops=4000)],
        )


# -- the claim helper ----------------------------------------------------------------------------------------------
def test_claim_sets_the_volume_attributes_class_name() -> None:
    c = chart()
    sc = Gp3StorageClass(c, "Sc", name="gp3", driver=EbsDriver.AUTO_MODE)
    fast = VolumeAttributesClass(c, "Fast", tier=VolumeTier.fast(), storage_class=sc)
    EbsVolumeClaim(c, "Data", name="data", namespace="db", storage_class=sc, size_gib=100, tier=fast)
    (pvc,) = rendered(c, "PersistentVolumeClaim")
    assert pvc["metadata"] == {"name": "data", "namespace": "db"}
    assert pvc["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": sc.name,
        "resources": {"requests": {"storage": "100Gi"}},
        "volumeAttributesClassName": fast.name,
    }
    assert sc.name.startswith("gp3-") and fast.name.startswith("fast-")


def test_moving_a_claim_to_another_tier_changes_one_field() -> None:
    before, after = chart(), chart()
    EbsVolumeClaim(before, "Data", name="data", storage_class="gp3", size_gib=100, tier="fast")
    EbsVolumeClaim(after, "Data", name="data", storage_class="gp3", size_gib=100, tier="standard")
    (a,), (b,) = rendered(before, "PersistentVolumeClaim"), rendered(after, "PersistentVolumeClaim")
    assert a["spec"].pop("volumeAttributesClassName") == "fast"
    assert b["spec"].pop("volumeAttributesClassName") == "standard"
    assert a == b


def test_fails_when_the_claim_is_too_small_for_the_tier_iops() -> None:
    with pytest.raises(ConfigError, match=r"10 GiB is too small for 16,000 IOPS .* at least 32 GiB"):
        EbsVolumeClaim(chart(), "C", name="c", storage_class="gp3", size_gib=10, tier=VolumeTier.fast())


def test_fails_when_the_claim_tier_belongs_to_another_driver() -> None:
    c = chart()
    sc = Gp3StorageClass(c, "Sc", name="gp3", driver=EbsDriver.AUTO_MODE)
    other = VolumeAttributesClass(c, "Other", tier=VolumeTier.standard(), driver=EbsDriver.ADDON)
    with pytest.raises(ConfigError, match=r"belongs to driver ebs\.csi\.aws\.com"):
        EbsVolumeClaim(c, "C", name="c", storage_class=sc, size_gib=100, tier=other)


def test_fails_when_a_claim_uses_a_tier_before_kubernetes_1_31() -> None:
    with pytest.raises(ConfigError, match=r"EKS serves from Kubernetes 1\.31"):
        EbsVolumeClaim(chart("1.30"), "C", name="c", storage_class="gp3", size_gib=100, tier="fast")


# -- EbsStorage: KMS permissions -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kms_stack() -> dict[str, Any]:
    app = new_app()
    stack = new_stack(app, "StorageKmsStack")
    cluster = eks.Cluster(
        stack,
        "Cluster",
        version=eks.KubernetesVersion.V1_32,
        cluster_name="kms",
        kubectl_provider_options=eks.KubectlProviderOptions(kubectl_layer=KubectlV32Layer(stack, "L")),
    )
    delivery = ManifestDelivery(stack, "Manifests", cluster=cluster, kubernetes_version="1.32")
    key = kms.Key(stack, "VolumeKey")
    storage = EbsStorage(stack, "Storage", delivery=delivery, kms_key=key, default_class=True)
    template = synth(app, label="storage-kms")["StorageKmsStack"]
    return {"stack": stack, "template": template, "storage": storage, "cluster": cluster, "key": key}


def test_kms_key_grants_the_cluster_role_what_the_driver_needs(kms_stack: dict[str, Any]) -> None:
    stack, template = kms_stack["stack"], kms_stack["template"]
    role_id = stack.get_logical_id(kms_stack["cluster"].role.node.default_child)
    key_id = stack.get_logical_id(kms_stack["key"].node.default_child)
    statements = [
        s
        for policy in resources_of(template, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    by_sid = {s.get("Sid"): s for s in statements}
    grants = by_sid["EbsCsiKmsGrants"]
    assert sorted(grants["Action"]) == ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    assert grants["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}
    use = by_sid["EbsCsiKmsUse"]
    assert "kms:GenerateDataKeyWithoutPlaintext" in use["Action"]
    assert not any("*" in action for s in (grants, use) for action in s["Action"])


def test_kms_key_arn_reaches_the_storage_class(kms_stack: dict[str, Any]) -> None:
    (manifest,) = [
        r for r in kms_stack["template"]["Resources"].values()
        if r["Type"] == "Custom::AWSCDK-EKS-KubernetesResource" and '\\"kind\\":\\"StorageClass' in json.dumps(r)
    ]
    key_id = kms_stack["stack"].get_logical_id(kms_stack["key"].node.default_child)
    assert {"Fn::GetAtt": [key_id, "Arn"]} in manifest["Properties"]["Manifest"]["Fn::Join"][1]


def test_fails_when_a_kms_key_with_the_add_on_driver_has_no_key_users(kms_stack: dict[str, Any]) -> None:
    stack = kms_stack["stack"]
    other = ManifestDelivery(
        stack, "AddonManifests", cluster=kms_stack["cluster"], kubernetes_version="1.32", output_name="addon"
    )
    with pytest.raises(ConfigError, match="kms_key needs kms_key_users"):
        EbsStorage(
            stack,
            "AddonStorage",
            delivery=other,
            driver=EbsDriver.ADDON,
            kms_key=kms_stack["key"],
            chart_id="AddonStorage",
        )


# -- reference stack and config ------------------------------------------------------------------------------------
def test_reference_stack_has_a_default_gp3_class_and_standard_and_fast_tiers(reference_app: dict[str, Any]) -> None:
    storage = reference_app["stacks"][REFERENCE_STACK_NAME].storage
    assert storage.storage_class.base_name == "gp3" and storage.storage_class.name.startswith("gp3-")
    assert sorted(storage.tiers) == ["fast", "standard"]
    (sc,) = rendered(storage.chart, "StorageClass")
    assert sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"


def test_parses_the_storage_config() -> None:
    problems: list[str] = []
    config = parse_storage_config(
        "platform.storage",
        {
            "driver": "addon",
            "defaultClass": False,
            "reclaimPolicy": "Delete",
            "kmsKeyArn": KEY_ARN,
            "kmsKeyUserRoleArns": ["arn:aws:iam::111111111111:role/EbsCsi"],
            "tiers": ["standard", {"name": "db", "type": "io2", "iops": 20000}],
        },
        problems,
    )
    assert problems == []
    assert config is not None
    assert config.driver is StorageDriver.ADDON and config.driver.ebs_driver is EbsDriver.ADDON
    assert config.reclaim_policy is ReclaimPolicy.DELETE
    assert [t.name for t in config.tiers] == ["standard", "db"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"tiers": ["turbo"]}, "platform.storage.tiers[0] 'turbo' is not a ready-made tier"),
        ({"tiers": [{"name": "x", "iops": 2000}]}, "platform.storage.tiers[0].iops: volume tier 'x'.iops 2,000"),
        ({"tiers": ["fast", "fast"]}, "platform.storage.tiers lists 'fast' twice"),
        ({"driver": "csi"}, "platform.storage.driver 'csi' is not one of"),
        ({"kmsKeyArn": KEY_ARN, "driver": "addon"}, "kmsKeyArn with driver 'addon' needs kmsKeyUserRoleArns"),
        ({"tier": []}, "unknown key 'tier'; did you mean 'tiers'?"),
    ],
)
def test_fails_when_the_storage_config_is_invalid(raw: dict[str, Any], message: str) -> None:
    problems: list[str] = []
    assert parse_storage_config("platform.storage", raw, problems) is None
    assert any(message in p for p in problems), problems


@settings(max_examples=300, deadline=None)
@given(raw=mutated({**cdk_json_context()["platform"]["storage"], "reclaimPolicy": "Retain", "kmsKeyArn": KEY_ARN}))
def test_storage_config_reports_problems_and_raises_nothing(raw: Any) -> None:
    problems: list[str] = []
    result = parse_storage_config("platform.storage", raw, problems)
    assert (result is None) == bool(problems)


# -- one cluster, one version; keys of the stack's region ----------------------------------------------------------
def test_fails_when_a_volume_attributes_class_names_another_kubernetes_version() -> None:
    with pytest.raises(ConfigError, match=r"kubernetes_version '1\.33' differs from the cluster's Kubernetes version "
                       r"'1\.32'; everything on one cluster runs its version"):
        VolumeAttributesClass(
            chart("1.32"), "V", tier=VolumeTier.standard(), driver=EbsDriver.AUTO_MODE, kubernetes_version="1.33"
        )


def test_a_volume_attributes_class_may_repeat_the_cluster_version() -> None:
    vac = VolumeAttributesClass(
        chart("1.34"), "V", tier=VolumeTier.standard(), driver=EbsDriver.AUTO_MODE, kubernetes_version="1.34"
    )
    assert vac.api_version == "storage.k8s.io/v1"


def test_fails_when_a_volume_attributes_class_version_is_not_a_minor() -> None:
    with pytest.raises(ConfigError, match=r"kubernetes_version '1\.32\.0' is not a Kubernetes minor version"):
        VolumeAttributesClass(
            chart("1.32"), "V", tier=VolumeTier.standard(), driver=EbsDriver.AUTO_MODE, kubernetes_version="1.32.0"
        )


_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    ("arn", "pattern"),
    [
        (f"arn:aws:kms:eu-west-1:111111111111:key/{_KEY}",
         r"kms_key '.*' is a key in eu-west-1, but the stack is in us-east-1; KMS keys are regional"),
        (f"arn:aws-cn:kms:us-east-1:111111111111:key/{_KEY}",
         r"kms_key '.*' is in partition aws-cn, but the stack's region us-east-1 is in partition aws; use a key ARN "
         r"that starts with arn:aws:kms:us-east-1:"),
        ("arn:aws:kms:us-east-1:111111111111:alias/volumes", r"kms_key '.*' is an alias ARN; give the key ARN"),
    ],
)
def test_fails_when_the_storage_key_is_not_a_key_of_the_stack_region(
    kms_stack: dict[str, Any], arn: str, pattern: str
) -> None:
    stack = kms_stack["stack"]
    suffix = str(abs(hash(arn)))
    key = kms.Key.from_key_arn(stack, f"Imported{suffix}", arn)
    with pytest.raises(ConfigError, match=pattern) as error:
        EbsStorage(stack, f"Storage{suffix}", delivery=_delivery(kms_stack, suffix), kms_key=key, chart_id=suffix)
    assert error.value.code == "InvalidStorageSettings"


def test_fails_when_the_storage_key_is_an_alias(kms_stack: dict[str, Any]) -> None:
    stack = kms_stack["stack"]
    alias = kms.Alias.from_alias_name(stack, "VolumesAlias", "alias/volumes")
    with pytest.raises(ConfigError, match=r"kms_key is an alias \('volumes'\); give the key itself"):
        EbsStorage(stack, "AliasStorage", delivery=_delivery(kms_stack, "Alias"), kms_key=alias, chart_id="Alias")


def test_a_key_of_the_stack_region_is_accepted(kms_stack: dict[str, Any]) -> None:
    stack = kms_stack["stack"]
    arn = f"arn:aws:kms:us-east-1:111111111111:key/{_KEY}"
    key = kms.Key.from_key_arn(stack, "SameRegionKey", arn)
    storage = EbsStorage(stack, "SameRegion", delivery=_delivery(kms_stack, "Same"), kms_key=key, chart_id="Same")
    assert storage.storage_class.parameters["kmsKeyId"] == arn


def _delivery(kms_stack: dict[str, Any], suffix: str) -> ManifestDelivery:
    return ManifestDelivery(
        kms_stack["stack"], f"Manifests{suffix}", cluster=kms_stack["cluster"], kubernetes_version="1.32",
        output_name=f"out{suffix}",
    )
