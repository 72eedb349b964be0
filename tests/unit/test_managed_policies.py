"""AWS managed policy names: a checked-in table with paths, so names are checked and ARNs are right, hermetically."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from eks_platform import AutoModeCluster, ConfigError, PodIdentity
from eks_platform._internal import addons as cat
from eks_platform._internal import managed_policies as mp
from eks_platform._internal.pod_identity import managed_policy_reference_problems
from tests.support import new_stack

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "eks_platform" / "_internal" / "data" / "aws_managed_policies.json"
SETTING = "platform.podIdentities[0].managedPolicies[0]"


def test_the_table_records_its_source_retrieval_date_and_license() -> None:
    document = json.loads(TABLE.read_text())
    assert any("docs.aws.amazon.com/aws-managed-policy" in s for s in document["_source"])
    assert any("github.com/iann0036/iam-dataset" in s for s in document["_source"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", document["_retrieved"])
    assert "MIT" in document["_license"]
    assert "iam-dataset" in (ROOT / "NOTICE").read_text()


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("AmazonS3ReadOnlyAccess", "/"),
        ("AmazonEKSClusterPolicy", "/"),
        ("AmazonEBSCSIDriverPolicy", "/service-role/"),
        ("AmazonEFSCSIDriverPolicy", "/service-role/"),
        ("AWSLambdaBasicExecutionRole", "/service-role/"),
        ("ViewOnlyAccess", "/job-function/"),
        ("AmazonEKSServiceRolePolicy", "/aws-service-role/"),
    ],
)
def test_the_table_knows_the_path_of_each_policy(name: str, path: str) -> None:
    """Paths as the ARNs in the AWS Managed Policy Reference Guide show them (one page per policy)."""
    assert mp.aws_managed_policies()[name] == path
    assert len(mp.aws_managed_policies()) > 1000


@pytest.mark.parametrize(
    ("name", "qualified"),
    [("AmazonEBSCSIDriverPolicy", "service-role/AmazonEBSCSIDriverPolicy"),
     ("service-role/AmazonEBSCSIDriverPolicy", "service-role/AmazonEBSCSIDriverPolicy"),
     ("AmazonS3ReadOnlyAccess", "AmazonS3ReadOnlyAccess"),
     ("NotInTheTable", "NotInTheTable")],
)
def test_qualified_name_adds_the_path_from_aws_managed_policy_name_needs(name: str, qualified: str) -> None:
    assert mp.qualified_name(name) == qualified


@pytest.mark.parametrize(
    "name",
    ["AmazonS3ReadOnlyAccess", "AmazonEBSCSIDriverPolicy", "service-role/AmazonEBSCSIDriverPolicy",
     "arn:aws:iam::aws:policy/BrandNewPolicy", "arn:aws:iam::111111111111:policy/team/reporting"],
)
def test_known_names_and_any_policy_arn_are_accepted(name: str) -> None:
    assert managed_policy_reference_problems(SETTING, name) == []


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("AmazonS3ReadOnlyAcess",
         r"'AmazonS3ReadOnlyAcess' is not an AWS managed policy we know; did you mean 'AmazonS3ReadOnlyAccess'\? "
         r"Otherwise pass the policy ARN \(arn:aws:iam::aws:policy/\.\.\. or your account's customer managed policy "
         r"ARN\) if it is newer than our table"),
        ("AmazonEBSCSIDriverPolcy", r"did you mean 'service-role/AmazonEBSCSIDriverPolicy'\?"),
        ("ReportingReadOnly", r"'ReportingReadOnly' is not an AWS managed policy we know; pass the policy ARN "
         r"\(arn:aws:iam::aws:policy/"),
        ("job-function/AmazonEBSCSIDriverPolicy",
         r"AWS publishes AmazonEBSCSIDriverPolicy at path /service-role/, not /job-function/; write "
         r"'service-role/AmazonEBSCSIDriverPolicy'"),
        ("AmazonEKSServiceRolePolicy", r"is the policy of a service-linked role \(path /aws-service-role/\)"),
    ],
)
def test_fails_when_a_name_is_no_aws_managed_policy_a_role_can_have(name: str, pattern: str) -> None:
    (problem,) = managed_policy_reference_problems(SETTING, name)
    assert problem.startswith(f"{SETTING} {name!r}")
    assert re.search(pattern, problem), problem


def test_fails_when_a_construct_gets_a_policy_without_its_path() -> None:
    stack = new_stack()
    cluster = AutoModeCluster(stack, "Cluster")
    policy = iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEBSCSIDriverPolicy")
    with pytest.raises(ConfigError, match=(
        r"managed_policies\[0\] is the AWS managed policy 'AmazonEBSCSIDriverPolicy', but AWS publishes "
        r"AmazonEBSCSIDriverPolicy at path /service-role/, so that ARN does not exist; use "
        r"iam.ManagedPolicy.from_aws_managed_policy_name\('service-role/AmazonEBSCSIDriverPolicy'\)"
    )):
        PodIdentity(stack, "Ebs", cluster=cluster, namespace="kube-system", service_account="ebs",
                    managed_policies=[policy])
    with_path = iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonEBSCSIDriverPolicy")
    newer = iam.ManagedPolicy.from_aws_managed_policy_name("PolicyNewerThanTheTable")
    binding = PodIdentity(stack, "Ebs2", cluster=cluster, namespace="kube-system", service_account="ebs",
                          managed_policies=[with_path, newer])
    assert binding.role is not None


@pytest.mark.parametrize("written", ["AmazonEBSCSIDriverPolicy", "service-role/AmazonEBSCSIDriverPolicy"])
def test_a_cdk_json_policy_name_without_its_path_is_attached_under_its_path(written: str) -> None:
    from eks_platform.config import parse_platform_config

    config = parse_platform_config({"podIdentities": [
        {"namespace": "kube-system", "serviceAccount": "ebs", "managedPolicies": [written]}]})
    stack = new_stack()
    cluster = AutoModeCluster(stack, "Cluster")
    (binding,) = config.pod_identities
    binding.apply(cluster)
    template = json.dumps(Template.from_stack(stack).find_resources("AWS::IAM::Role"))
    assert ":iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy" in template
    assert ":iam::aws:policy/AmazonEBSCSIDriverPolicy" not in template


def _policy_names_the_library_uses() -> set[str]:
    names = {p for entry in cat.catalog().values() for p in entry.managed_policies}
    for file in (ROOT / "eks_platform").rglob("*.py"):
        names |= set(re.findall(
            r'(?:iam\.ManagedPolicy\.from_aws_managed_policy_name|values\.aws_managed_policy)\("([^"]+)"\)',
            file.read_text(),
        ))
    return names


def test_every_policy_the_library_attaches_is_in_the_table_under_its_path() -> None:
    names = _policy_names_the_library_uses()
    assert "service-role/AmazonEBSCSIDriverPolicy" in names and "AmazonEKSWorkerNodeMinimalPolicy" in names
    for name in names:
        assert mp.qualified_name(name) == name, name
        assert managed_policy_reference_problems("policy", name) == [], name


def _script() -> Any:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import refresh_managed_policies as script
    finally:
        sys.path.pop(0)
    return script


def test_the_refresh_script_reads_names_and_paths_from_a_downloaded_copy(tmp_path: Path) -> None:
    script = _script()
    folder = tmp_path / "aws" / "managedpolicies"
    folder.mkdir(parents=True)
    records = {
        "AmazonS3ReadOnlyAccess": {"arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "deprecated": False},
        "AmazonEBSCSIDriverPolicy": {"arn": "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"},
        "OldPolicy": {"arn": "arn:aws:iam::aws:policy/OldPolicy", "deprecated": True},
    }
    for name, record in records.items():
        (folder / f"{name}.json").write_text(json.dumps({"name": name, **record}))
    expected = {"AmazonS3ReadOnlyAccess": "/", "AmazonEBSCSIDriverPolicy": "/service-role/"}
    assert script.read_policies(tmp_path) == expected


def test_the_checked_in_table_is_what_the_script_renders() -> None:
    script = _script()
    document = json.loads(TABLE.read_text())
    commit = document["_source"][0].rpartition(" at commit ")[2]
    assert script.render(document["policies"], commit=commit, retrieved=document["_retrieved"]) == TABLE.read_text()
