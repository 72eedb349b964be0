"""The replacement guard on known cases (hand-written templates) and its command line."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eks_platform.replacement import (
    Action,
    assert_no_replacement,
    compare_templates,
    create_only_properties,
    main,
    references,
    schema_source,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

BASE: dict[str, Any] = {
    "Resources": {
        "ClusterRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": {"Statement": []}},
        },
        "SecretsKey": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}, "DeletionPolicy": "Retain"},
        "Cluster": {
            "Type": "AWS::EKS::Cluster",
            "Properties": {
                "Name": "prod",
                "Version": "1.32",
                "RoleArn": {"Fn::GetAtt": ["ClusterRole", "Arn"]},
                "EncryptionConfig": [{"Provider": {"KeyArn": {"Fn::GetAtt": ["SecretsKey", "Arn"]}},
                                      "Resources": ["secrets"]}],
                "KubernetesNetworkConfig": {"ServiceIpv4Cidr": "172.20.0.0/16"},
                "ResourcesVpcConfig": {"SubnetIds": ["subnet-1"]},
            },
            "UpdateReplacePolicy": "Retain",
        },
        "Association": {
            "Type": "AWS::EKS::PodIdentityAssociation",
            "Properties": {"ClusterName": {"Ref": "Cluster"}, "Namespace": "payments", "ServiceAccount": "api",
                           "RoleArn": "arn:aws:iam::111111111111:role/api"},
        },
    }
}


def changed(**edits: Any) -> dict[str, Any]:
    """BASE with ``Resource__Property=value`` edits (``...__Sub__Key`` for nested keys)."""
    template = copy.deepcopy(BASE)
    for key, value in edits.items():
        parts = key.split("__")
        node = template["Resources"][parts[0]]["Properties"]
        for part in parts[1:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return template


def actions(report: Any) -> dict[str, str]:
    return {change.logical_id: change.action.value for change in report.changes}


def change(report: Any, logical_id: str) -> Any:
    return next(c for c in report.changes if c.logical_id == logical_id)


def test_identical_templates_change_nothing() -> None:
    report = compare_templates(BASE, copy.deepcopy(BASE))
    assert report.changes == () and report.updated == ()


def test_renaming_a_cluster_replaces_it() -> None:
    report = compare_templates(BASE, changed(Cluster__Name="prod-2"))
    # the association names the cluster (Ref), and ClusterName is create-only: it goes with it
    assert actions(report) == {"Cluster": "replace", "Association": "replace"}
    assert change(report, "Cluster").reasons == ('create-only property Name changed: "prod" -> "prod-2"',)


def test_changing_the_version_updates_in_place() -> None:
    report = compare_templates(BASE, changed(Cluster__Version="1.33"))
    assert report.changes == () and report.updated == ("Cluster",)


def test_nested_create_only_path_replaces() -> None:
    report = compare_templates(BASE, changed(Cluster__KubernetesNetworkConfig__ServiceIpv4Cidr="10.100.0.0/16"))
    assert actions(report)["Cluster"] == "replace"
    assert "KubernetesNetworkConfig/ServiceIpv4Cidr" in change(report, "Cluster").reasons[0]


def test_adding_a_create_only_property_replaces() -> None:
    old = changed()
    del old["Resources"]["Cluster"]["Properties"]["KubernetesNetworkConfig"]
    report = compare_templates(old, BASE)
    assert actions(report)["Cluster"] == "replace"
    assert "(absent)" in change(report, "Cluster").reasons[0]


def test_sibling_of_a_nested_create_only_path_updates_in_place() -> None:
    report = compare_templates(BASE, changed(Cluster__KubernetesNetworkConfig__ElasticLoadBalancing={"Enabled": True}))
    assert report.changes == ()


def test_wildcard_array_paths_compare_each_element() -> None:
    rtype = "AWS::MSK::Replicator"  # ReplicationInfoList is updatable; some fields of each item are not
    create_only = create_only_properties(rtype) or ()
    assert "/properties/ReplicationInfoList/*/TargetCompressionType" in create_only
    assert "/properties/ReplicationInfoList/*/TopicReplication/StartingPosition" in create_only
    assert "/properties/ReplicationInfoList" not in create_only

    def replicator(*items: dict[str, Any]) -> dict[str, Any]:
        return {"Resources": {"R": {"Type": rtype, "Properties": {"ReplicatorName": "r",
                                                                   "ReplicationInfoList": list(items)}}}}

    def item(compression: str, start: str = "LATEST", topics: str = "a") -> dict[str, Any]:
        return {"TargetCompressionType": compression,
                "TopicReplication": {"StartingPosition": {"Type": start}, "TopicsToReplicate": [topics]}}

    updatable = compare_templates(replicator(item("NONE")), replicator(item("NONE", topics="b")))
    assert updatable.changes == () and updatable.updated == ("R",)
    recompressed = compare_templates(replicator(item("NONE")), replicator(item("GZIP")))
    assert actions(recompressed) == {"R": "replace"}
    assert change(recompressed, "R").reasons == (
        'create-only property ReplicationInfoList/0/TargetCompressionType changed: "NONE" -> "GZIP"',
    )
    deeper = compare_templates(replicator(item("NONE")), replicator(item("NONE", start="EARLIEST")))
    assert "ReplicationInfoList/0/TopicReplication/StartingPosition" in change(deeper, "R").reasons[0]
    added = compare_templates(replicator(item("NONE")), replicator(item("NONE"), item("NONE")))
    assert {r.split(" changed")[0] for r in change(added, "R").reasons} == {
        "create-only property ReplicationInfoList/1/TargetCompressionType",
        "create-only property ReplicationInfoList/1/TopicReplication/StartingPosition",
    }


def test_replacing_a_role_propagates_to_the_cluster_through_get_att() -> None:
    report = compare_templates(BASE, changed(ClusterRole__RoleName="renamed"))
    assert actions(report) == {"ClusterRole": "replace", "Cluster": "replace", "Association": "replace"}
    cluster = next(c for c in report.changes if c.logical_id == "Cluster")
    assert "RoleArn references ClusterRole" in cluster.reasons[0]
    association = next(c for c in report.changes if c.logical_id == "Association")
    assert "ClusterName references Cluster" in association.reasons[0]


def test_replaced_resource_referenced_by_an_updatable_property_does_not_propagate() -> None:
    template = changed(Association__RoleArn={"Fn::GetAtt": ["ClusterRole", "Arn"]})
    moved = copy.deepcopy(template)
    moved["Resources"]["ClusterRole"]["Properties"]["Path"] = "/eks/"
    assert actions(compare_templates(template, moved)) == {"ClusterRole": "replace", "Cluster": "replace",
                                                           "Association": "replace"}
    # the association is replaced only because its cluster is; its RoleArn alone would update in place
    reasons = next(c for c in compare_templates(template, moved).changes if c.logical_id == "Association").reasons
    assert all("RoleArn" not in r for r in reasons)


def test_deleted_logical_id_is_a_deletion_and_retain_is_reported() -> None:
    new = copy.deepcopy(BASE)
    key = new["Resources"].pop("SecretsKey")
    new["Resources"]["SecretsKeyRenamed"] = key
    for entry in new["Resources"]["Cluster"]["Properties"]["EncryptionConfig"]:
        entry["Provider"]["KeyArn"] = {"Fn::GetAtt": ["SecretsKeyRenamed", "Arn"]}
    report = compare_templates(BASE, new)
    deleted = report.by_action(Action.DELETE)
    assert [(c.logical_id, c.retained) for c in deleted] == [("SecretsKey", True)]
    assert actions(report)["Cluster"] == "replace"  # EncryptionConfig now points at another key
    assert report.added == ("SecretsKeyRenamed",)


def test_type_change_is_reported_as_replacement() -> None:
    new = copy.deepcopy(BASE)
    new["Resources"]["SecretsKey"]["Type"] = "AWS::KMS::ReplicaKey"
    report = compare_templates(BASE, new)
    assert actions(report)["SecretsKey"] == "replace"
    assert "Update of resource type is not permitted" in change(report, "SecretsKey").reasons[0]


def test_replacement_with_update_replace_policy_retain_is_flagged() -> None:
    report = compare_templates(BASE, changed(Cluster__Name="other"))
    assert change(report, "Cluster").retained is True
    assert change(report, "Association").retained is False


def test_custom_resource_property_change_may_replace() -> None:
    def manifest(body: str) -> dict[str, Any]:
        return {"Resources": {"M": {"Type": "Custom::AWSCDK-EKS-KubernetesResource",
                                    "Properties": {"ServiceToken": "arn:fn", "Manifest": body}}}}

    assert actions(compare_templates(manifest("[1]"), manifest("[2]"))) == {"M": "may-replace"}
    token_changed = manifest("[1]")
    token_changed["Resources"]["M"]["Properties"]["ServiceToken"] = "arn:other"
    assert actions(compare_templates(manifest("[1]"), token_changed)) == {"M": "replace"}


def test_unknown_type_may_replace() -> None:
    old = {"Resources": {"X": {"Type": "Acme::Thing::Widget", "Properties": {"A": 1}}}}
    new = {"Resources": {"X": {"Type": "Acme::Thing::Widget", "Properties": {"A": 2}}}}
    assert actions(compare_templates(old, new)) == {"X": "may-replace"}


def test_condition_change_may_delete() -> None:
    new = copy.deepcopy(BASE)
    new["Resources"]["Association"]["Condition"] = "HasPods"
    assert actions(compare_templates(BASE, new)) == {"Association": "may-replace"}


def test_references_cover_ref_get_att_and_sub_but_not_pseudo_parameters() -> None:
    value = {"Fn::Join": ["", [{"Ref": "A"}, {"Fn::GetAtt": ["B", "Arn"]}, {"Fn::GetAtt": "C.Arn"},
                               {"Fn::Sub": "${D}/${E.Arn}/${AWS::Region}/${!Literal}"},
                               {"Ref": "AWS::Partition"}]]}
    assert references(value) == {"A", "B", "C", "D", "E"}


def test_assert_no_replacement_raises_with_the_report() -> None:
    assert_no_replacement(BASE, changed(Cluster__Version="1.33"))
    with pytest.raises(AssertionError, match=r"Cluster \(AWS::EKS::Cluster, replace\)"):
        assert_no_replacement(BASE, changed(Cluster__Name="x"), resource_types=["AWS::EKS::Cluster"])


def test_report_names_its_schema_snapshot() -> None:
    assert schema_source().startswith("cfn-lint ")
    text = compare_templates(BASE, changed(Cluster__Name="x")).format()
    assert "snapshot" in text and "live CloudFormation registry may differ" in text


# -- command line -----------------------------------------------------------------------------------------------------


def write(path: Path, template: dict[str, Any]) -> Path:
    path.write_text(json.dumps(template))
    return path


def test_cli_exit_status_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.json", BASE)
    assert main([str(old), str(write(tmp_path / "same.json", BASE))]) == 0
    assert main([str(old), str(write(tmp_path / "renamed.json", changed(Cluster__Name="x")))]) == 1
    out = capsys.readouterr().out
    assert "REPLACE      Cluster (AWS::EKS::Cluster)" in out


def test_cli_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.json", BASE)
    new = write(tmp_path / "new.json", changed(Cluster__Name="x"))
    assert main([str(old), str(new), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {c["logicalId"]: c["action"] for c in data[0]["changes"]} == {"Cluster": "replace", "Association": "replace"}


def test_cli_compares_cloud_assembly_directories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a" / "S.template.json", BASE)
    write(tmp_path / "b" / "S.template.json", changed(Cluster__Version="1.33"))
    assert main([str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert "S.template.json" in capsys.readouterr().out


def test_cli_rejects_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.json"), str(tmp_path / "nope2.json")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_module_runs_as_a_program(tmp_path: Path) -> None:
    old = write(tmp_path / "old.json", BASE)
    new = write(tmp_path / "new.json", changed(Cluster__Name="x"))
    result = subprocess.run(
        [sys.executable, "-m", "eks_platform.replacement", str(old), str(new)],
        capture_output=True, text=True, cwd=REPO_ROOT, env={"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
                                                             "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "REPLACE" in result.stdout
