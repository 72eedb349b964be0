"""Hypothesis: the capability, ingress and GitOps rules against independent oracles, and "bad input raises
ConfigError or returns problems, never anything else" for the parsers and value objects."""

from __future__ import annotations

import contextlib
import string
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from eks_platform._internal import capabilities as rules
from eks_platform._internal import gitops
from eks_platform.config.capabilities import parse_capabilities_config
from eks_platform.config.gitops import parse_gitops_config
from eks_platform.config.ingress import parse_ingress_config
from eks_platform.constructs.capabilities import IdentityCenter, SsoIdentity
from eks_platform.errors import ConfigError

NAME_CHARS = string.ascii_letters + string.digits + "-_"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@given(st.text(alphabet=NAME_CHARS + ".@ ", max_size=110))
def test_capability_name_rule_matches_its_definition(name: str) -> None:
    valid = 1 <= len(name) <= 100 and all(c in NAME_CHARS for c in name) and name[0].isalnum()
    assert (rules.capability_name_problems("n", name) == []) is valid


@given(st.uuids(), st.one_of(st.none(), st.text(alphabet="0123456789abcdef", min_size=10, max_size=10)))
def test_identity_store_ids_with_and_without_prefix_are_accepted(value: uuid.UUID, prefix: str | None) -> None:
    identity = f"{prefix}-{value}" if prefix else str(value)
    assert rules.identity_id_problems("id", identity) == []


def _canonical_uuid(value: str) -> bool:
    try:
        return len(value) == 36 and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _identity_oracle(value: str) -> bool:
    if len(value) == 47 and value[10] == "-":
        return all(c in "0123456789abcdef" for c in value[:10]) and _canonical_uuid(value[11:])
    return _canonical_uuid(value)


@given(st.one_of(
    st.text(alphabet="0123456789abcdefABCDEFg-", min_size=30, max_size=50),
    st.builds(lambda p, u: f"{p}-{u}", st.text(alphabet="0123456789abcdefX", min_size=9, max_size=11),
              st.uuids().map(str)),
))
def test_identity_rule_matches_an_independent_uuid_oracle(value: str) -> None:
    assert (rules.identity_id_problems("id", value) == []) is _identity_oracle(value)


@given(json_values)
def test_value_objects_raise_config_error_and_nothing_else(value: Any) -> None:
    for build in (lambda: SsoIdentity.group(value), lambda: IdentityCenter(instance_arn=value)):
        with contextlib.suppress(ConfigError):
            build()


@settings(max_examples=300)
@given(json_values)
def test_parsers_only_return_problems(raw: Any) -> None:
    for parse, setting in ((parse_capabilities_config, "platform.capabilities"),
                           (parse_ingress_config, "platform.ingress"),
                           (parse_gitops_config, "platform.gitops")):
        problems: list[str] = []
        parse(setting, raw, problems)  # type: ignore[operator]
        assert all(isinstance(p, str) and p.startswith(setting.split(".")[0]) for p in problems)


@given(st.lists(st.dictionaries(st.sampled_from(["Effect", "Action", "Resource", "NotAction", "NotResource"]),
                                json_values, max_size=5), max_size=4))
def test_statement_rule_never_raises(statements: list[dict[str, Any]]) -> None:
    assert isinstance(rules.policy_statement_problems("s", statements), list)


@given(st.lists(st.sampled_from(["storage.k8s.io/v1/StorageClass", "karpenter.sh/v1/NodePool", "v1/ServiceAccount",
                                 "apps/v1/Deployment", "eks.amazonaws.com/v1/IngressClassParams"]), max_size=8))
def test_write_rules_cover_each_known_kind_exactly_once(kinds: list[str]) -> None:
    objects = [{"apiVersion": k.rsplit("/", 1)[0], "kind": k.rsplit("/", 1)[1],
                "metadata": {"name": "x", "namespace": "apps"}} for k in kinds]
    result, problems = gitops.write_rules(objects, where="w")
    assert len(problems) == (1 if "apps/v1/Deployment" in kinds else 0)
    granted = [r for resources in result["cluster"].values() for r in resources]
    granted += [r for groups in result["namespaces"].values() for resources in groups.values() for r in resources]
    assert len(granted) == len(set(granted)) == len({k for k in kinds if k != "apps/v1/Deployment"})
