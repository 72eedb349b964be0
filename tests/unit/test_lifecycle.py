"""The lifecycle judge on small hand-written templates: one verdict per test, each able to fail."""

from __future__ import annotations

import json
from typing import Any

from eks_platform.lifecycle import ObjectKey, Verdict, judge
from eks_platform.replacement import Action, compare_templates

PRUNE = "aws.cdk.eks/prune-c8abc"


def template(**resources: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": resources}


def manifest(*objects: dict[str, Any], retain: bool = False, prune: bool = True) -> dict[str, Any]:
    labelled = []
    for obj in objects:
        copy = json.loads(json.dumps(obj))
        copy.setdefault("metadata", {}).setdefault("labels", {})[PRUNE] = ""
        labelled.append(copy)
    resource: dict[str, Any] = {
        "Type": "Custom::AWSCDK-EKS-KubernetesResource",
        "Properties": {
            "ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]},
            "Manifest": json.dumps(labelled),
            "ClusterName": {"Ref": "Cluster"},
            **({"PruneLabel": PRUNE} if prune else {}),
        },
    }
    if retain:
        resource["DeletionPolicy"] = resource["UpdateReplacePolicy"] = "Retain"
    return resource


def storage_class(name: str = "gp3", **fields: Any) -> dict[str, Any]:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": name},
        "provisioner": "ebs.csi.eks.amazonaws.com",
        "parameters": {"type": "gp3"},
        **fields,
    }


def node_pool(name: str) -> dict[str, Any]:
    return {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": name}, "spec": {}}


def layer(description: str, key: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::LayerVersion",
        "Properties": {"Content": {"S3Bucket": "b", "S3Key": key}, "Description": description},
    }


def test_a_new_kubectl_layer_version_is_a_harmless_replacement_reported_apart() -> None:
    old = template(Layer=layer("/opt/kubectl/kubectl 1.32.3", "a.zip"))
    new = template(Layer=layer("/opt/kubectl/kubectl 1.33.1", "b.zip"))
    report = compare_templates(old, new)
    assert report.replaced_or_deleted == ()
    assert [c.logical_id for c in report.harmless] == ["Layer"]
    assert "kubectl layer" in report.harmless[0].harmless
    assert "Harmless replacements" in report.format()
    assert judge(old, new).ok


def test_a_retained_or_renamed_layer_is_not_harmless() -> None:
    old = template(Layer={**layer("/opt/kubectl/kubectl 1.32.3", "a.zip"), "UpdateReplacePolicy": "Retain"})
    new = template(Layer=layer("/opt/kubectl/kubectl 1.33.1", "b.zip"))
    assert [c.logical_id for c in compare_templates(old, new).replaced_or_deleted] == ["Layer"]
    renamed = template(Layer={**layer("x", "a.zip"), "Properties": {"LayerName": "other", "Content": {}}})
    assert compare_templates(template(Layer=layer("x", "a.zip")), renamed).harmless == ()


def test_a_replaced_cluster_is_stateful_replaced() -> None:
    old = template(Cluster={"Type": "AWS::EKS::Cluster", "Properties": {"Name": "a"}})
    new = template(Cluster={"Type": "AWS::EKS::Cluster", "Properties": {"Name": "b"}})
    assert judge(old, new).verdicts == {Verdict.STATEFUL_REPLACED}


def test_a_retained_access_entry_that_leaves_the_template_is_an_orphaned_identity() -> None:
    entry = {"Type": "AWS::EKS::AccessEntry", "Properties": {"PrincipalArn": "arn:aws:iam::1:role/A"}}
    retained = {**entry, "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    assert judge(template(Entry=retained), template()).verdicts == {Verdict.IDENTITY_ORPHANED}
    assert judge(template(Entry=entry), template()).ok


def test_roles_a_retained_cluster_uses_may_stay() -> None:
    role = {"Type": "AWS::IAM::Role", "Properties": {}, "DeletionPolicy": "RetainExceptOnCreate"}
    cluster = {
        "Type": "AWS::EKS::Cluster",
        "Properties": {"RoleArn": {"Fn::GetAtt": ["Role", "Arn"]}},
        "DeletionPolicy": "RetainExceptOnCreate",
    }
    assert judge(template(Role=role, Cluster=cluster), template()).ok


def test_a_retained_cluster_whose_network_is_deleted_is_incoherent() -> None:
    cluster = {
        "Type": "AWS::EKS::Cluster",
        "Properties": {"ResourcesVpcConfig": {"SubnetIds": [{"Ref": "Subnet"}]}},
        "DeletionPolicy": "RetainExceptOnCreate",
    }
    subnet = {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}}}
    vpc = {"Type": "AWS::EC2::VPC", "Properties": {}}
    route_table = {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}}
    old = template(Cluster=cluster, Subnet=subnet, Vpc=vpc, Rt=route_table)
    findings = judge(old, template()).of(Verdict.RETAINED_INCOHERENT)
    assert len(findings) == 1 and all(name in findings[0].detail for name in ("Subnet", "Vpc", "Rt"))
    retained = {k: {**r, "DeletionPolicy": "RetainExceptOnCreate"} for k, r in old.items()}
    assert judge(template(**retained), template()).ok


def test_changing_storage_class_parameters_under_the_same_name_is_refused_by_kubernetes() -> None:
    old = template(M=manifest(storage_class()))
    new = template(M=manifest(storage_class(parameters={"type": "gp3", "kmsKeyId": "k"})))
    findings = judge(old, new).of(Verdict.IMMUTABLE_CHANGED)
    assert [f.subject for f in findings] == ["StorageClass.storage.k8s.io gp3"]
    assert "parameters" in findings[0].detail


def test_an_omitted_default_is_not_an_immutable_change() -> None:
    old = template(M=manifest(storage_class()))
    new = template(M=manifest(storage_class(reclaimPolicy="Delete", allowVolumeExpansion=True)))
    assert judge(old, new).ok


def test_a_removed_node_pool_stays_because_prune_skips_its_kind() -> None:
    old = template(M=manifest(node_pool("a"), node_pool("b")))
    new = template(M=manifest(node_pool("a")))
    findings = judge(old, new).of(Verdict.OBJECT_ORPHANED)
    assert [f.subject for f in findings] == ["NodePool.karpenter.sh b"]
    assert "prune allowlist" in findings[0].detail


def test_a_removed_config_map_is_pruned() -> None:
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}}
    old = template(M=manifest(node_pool("a"), config_map))
    assert judge(old, template(M=manifest(node_pool("a")))).ok


def test_removing_an_objects_own_resource_deletes_it_unless_retained() -> None:
    old = template(A=manifest(node_pool("a")), B=manifest(node_pool("b")))
    assert judge(old, template(A=manifest(node_pool("a")))).ok
    kept = template(A=manifest(node_pool("a")), B=manifest(node_pool("b"), retain=True))
    assert judge(kept, template(A=manifest(node_pool("a")))).verdicts == {Verdict.OBJECT_ORPHANED}


def test_an_object_moved_to_another_resource_is_deleted_by_the_old_ones_cleanup() -> None:
    old = template(A=manifest(node_pool("a")))
    new = template(B=manifest(node_pool("a")))
    assert judge(old, new).verdicts == {Verdict.OBJECT_DELETED}


def test_handed_over_objects_must_stay_on_the_cluster() -> None:
    key = ObjectKey("karpenter.sh", "NodePool", "", "a")
    assert judge(template(A=manifest(node_pool("a"))), template(), handed_over=[key]).verdicts == {
        Verdict.OBJECT_DELETED
    }
    retained = template(A=manifest(node_pool("a"), retain=True))
    assert judge(retained, template(), handed_over=[key]).ok


def test_a_new_resource_under_a_name_a_leaving_one_holds_is_refused_at_deploy() -> None:
    param = {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/x", "Type": "String", "Value": "a"}}
    report = judge(template(Old=param), template(New=param))
    assert report.refused_at_deploy == ("New",) and report.ok
    assert judge(template(Old=param), template(Old=param)).refused_at_deploy == ()


def test_deploy_time_values_in_a_manifest_are_read() -> None:
    text = json.dumps([node_pool("a")])
    head, tail = text.split('"a"')
    resource = manifest(node_pool("a"))
    resource["Properties"]["Manifest"] = {"Fn::Join": ["", [head + '"', {"Ref": "Name"}, '"' + tail]]}
    report = judge(template(A=resource), template())
    assert report.kubernetes and report.kubernetes[0].startswith("deleted: NodePool")
    assert compare_templates(template(A=resource), template()).by_action(Action.DELETE)


def test_the_plugins_baseline_check_passes_a_kubectl_layer_bump_and_reports_it_apart(tmp_path: Any) -> None:
    from eks_platform.testing.baselines import Baselines

    baselines = Baselines(tmp_path)
    baselines.save("Stack", template(Layer=layer("/opt/kubectl/kubectl 1.32.3", "a.zip")))
    report = baselines.assert_no_replacement("Stack", template(Layer=layer("/opt/kubectl/kubectl 1.33.1", "b.zip")))
    assert report is not None and [c.logical_id for c in report.harmless] == ["Layer"]
    renamed = template(Layer={"Type": "AWS::Lambda::LayerVersion", "Properties": {"LayerName": "x", "Content": {}}})
    try:
        baselines.assert_no_replacement("Stack", renamed)
    except AssertionError as error:
        assert "Layer (AWS::Lambda::LayerVersion, replace)" in str(error)
    else:
        raise AssertionError("a real layer replacement passed the baseline check")
