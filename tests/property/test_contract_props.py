"""Hypothesis: the cluster contract parser and the team rules never raise; association role names are valid IAM
role names, at most 64 characters, deterministic and distinct per binding."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from eks_platform._internal import contract as c
from eks_platform._internal import pod_identity as pi
from eks_platform._internal import teams as t

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
_LABEL = st.from_regex(r"\A[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?\Z", fullmatch=True)
_CLUSTER = st.from_regex(r"\A[0-9A-Za-z][A-Za-z0-9_-]{0,99}\Z", fullmatch=True)


@given(st.dictionaries(st.sampled_from([*c.KEYS, "other"]), _JSON, max_size=10) | _JSON)
def test_parse_contract_returns_facts_or_problems_and_never_raises(raw: Any) -> None:
    facts, problems = c.parse_contract("contract", raw)
    assert (facts is None) == bool(problems)


@given(_CLUSTER, _LABEL, _LABEL)
def test_association_role_names_are_valid_iam_role_names(cluster: str, namespace: str, service_account: str) -> None:
    name = pi.association_role_name(cluster, namespace, service_account)
    assert re.fullmatch(r"[\w+=,.@-]{1,64}", name)
    assert name == pi.association_role_name(cluster, namespace, service_account)
    other = pi.association_role_name(cluster, namespace, service_account + "x")
    assert other != name


@given(_JSON)
def test_team_rules_return_problems_and_never_raise(raw: Any) -> None:
    assert isinstance(t.quota_problems("q", raw), list)
    assert isinstance(t.limit_problems("l", raw), list)
    assert isinstance(t.principal_problems("p", raw if isinstance(raw, list) else [raw]), list)
