"""cdk.json `platform.teams`: parsed with config paths in every message, built by the reference stack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eks_platform import ConfigError, parse_platform_config
from eks_platform.stacks.reference import EksReferenceStack
from tests import support

DEV = "arn:aws:iam::111111111111:role/PaymentsDevelopers"
AUDIT = "arn:aws:iam::111111111111:role/Auditors"

TEAMS: dict[str, Any] = {
    "payments": {
        "editors": [DEV],
        "viewers": [AUDIT],
        "serviceAccounts": {"orders-api": {"managedPolicies": ["AmazonSQSReadOnlyAccess"]}},
        "resourceQuota": {"requests.cpu": "20", "pods": 200},
        "limitRange": {"default": {"cpu": "500m"}, "defaultRequest": {"memory": "256Mi"}},
    },
    "search": {"namespace": "search-prod", "viewers": ["arn:aws:iam::111111111111:role/SearchReaders"]},
}


def test_teams_section_parses_into_team_settings() -> None:
    config = parse_platform_config({"teams": TEAMS}, environ={})
    payments, search = config.teams
    assert (payments.name, payments.namespace, payments.editors, payments.viewers) == (
        "payments", "payments", (DEV,), (AUDIT,)
    )
    assert payments.resource_quota == {"requests.cpu": "20", "pods": "200"}
    assert payments.limit_range is not None and payments.limit_range.default_request == {"memory": "256Mi"}
    assert [b.service_account for b in payments.service_accounts] == ["orders-api"]
    assert search.namespace == "search-prod"


@pytest.mark.parametrize(
    ("teams", "message"),
    [
        ({"Payments": {}}, "platform.teams.Payments 'Payments' is not a DNS-1123 label"),
        ({"ops": {"namespace": "kube-system"}}, "platform.teams.ops.namespace 'kube-system' is a system namespace"),
        ({"ops": {"editors": [DEV], "viewers": [DEV]}}, "is in both platform.teams.ops.editors and"),
        ({"a": {"editors": [DEV]}, "b": {"viewers": [DEV]}}, "is in teams a and b"),
        ({"a": {}, "b": {"namespace": "a"}}, "platform.teams.b.namespace 'a' is also team a's"),
        ({"ops": {"resourceQuota": {"gpus": "1"}}}, "platform.teams.ops.resourceQuota has key 'gpus'"),
        ({"ops": {"limitRange": {"maximum": {"cpu": "1"}}}}, "platform.teams.ops.limitRange"),
        ({"ops": {"serviceAccounts": {"api": {"managedPolicies": ["not a policy!"]}}}},
         r"platform.teams.ops.serviceAccounts.api.managedPolicies\[0\]"),
        ({"ops": {"editor": [DEV]}}, "did you mean 'editors'"),
    ],
)
def test_fails_when_a_team_setting_is_invalid(teams: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_platform_config({"teams": teams}, environ={})


def test_reference_stack_builds_the_teams_with_namespace_scoped_access() -> None:
    config = parse_platform_config({"teams": TEAMS}, environ={})
    app = support.new_app()
    stack = EksReferenceStack(app, "Teams", config=config)
    template = support.synth_stack(stack, label="teams-config")
    entries = {
        e["Properties"]["PrincipalArn"]: e["Properties"]
        for e in support.resources_of(template, "AWS::EKS::AccessEntry").values()
        if isinstance(e["Properties"]["PrincipalArn"], str)
    }
    assert entries[DEV]["AccessPolicies"][0]["AccessScope"] == {"Type": "namespace", "Namespaces": ["payments"]}
    assert entries[AUDIT]["AccessPolicies"][0]["AccessScope"]["Type"] == "namespace"
    assert "AmazonEKSViewPolicy" in json.dumps(entries[AUDIT]["AccessPolicies"][0]["PolicyArn"])
    delivered = stack.cluster.manifests.charts
    assert {"Team-payments", "Team-search"} <= set(delivered)
    associations = support.resources_of(template, "AWS::EKS::PodIdentityAssociation").values()
    assert {(a["Properties"]["Namespace"], a["Properties"]["ServiceAccount"]) for a in associations} == {
        ("payments", "orders-api")
    }
