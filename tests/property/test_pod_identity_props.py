"""Hypothesis: the Pod Identity name rules agree with Kubernetes' rules (independent oracle), and bad input only ever
raises ConfigError."""

from __future__ import annotations

import string

import pytest
from aws_cdk import aws_eks_v2 as eks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eks_platform._internal import pod_identity as pi
from eks_platform.constructs.pod_identity import PodIdentity
from eks_platform.errors import ConfigError
from tests import support

_ALNUM = set(string.ascii_lowercase + string.digits)


def oracle_label(name: object) -> bool:
    """Kubernetes IsDNS1123Label, written from the spec without regular expressions."""
    if not isinstance(name, str) or not 1 <= len(name) <= 63:
        return False
    if name[0] not in _ALNUM or name[-1] not in _ALNUM:
        return False
    return all(ch in _ALNUM or ch == "-" for ch in name)


def oracle_subdomain(name: object) -> bool:
    """Kubernetes IsDNS1123Subdomain: at most 253 characters of dot-separated labels (each starting/ending alnum)."""
    if not isinstance(name, str) or not 1 <= len(name) <= 253:
        return False
    return all(part and part[0] in _ALNUM and part[-1] in _ALNUM and all(c in _ALNUM or c == "-" for c in part)
               for part in name.split("."))


# Mostly the characters that matter (lower-case, digits, '-', '.') plus a few that must be rejected.
name_chars = st.sampled_from([*"abcxyz019-.", "A", "_", "/", ":", " ", "é"])
names = st.one_of(
    st.text(name_chars, min_size=0, max_size=70),
    st.text(st.sampled_from(list("ab1-.")), min_size=60, max_size=260),
    st.from_regex(r"\A[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z"),
    st.integers(),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(names, names)
def test_name_problems_match_the_kubernetes_rules(namespace: object, service_account: object) -> None:
    problems = pi.name_problems(namespace, service_account)
    assert (not problems) == (oracle_label(namespace) and oracle_subdomain(service_account))


short_labels = st.from_regex(r"\A[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?\Z")
short_subdomains = st.from_regex(r"\A[a-z0-9]([-a-z0-9.]{0,20}[a-z0-9])?\Z")


@settings(max_examples=200, deadline=None)
@given(short_labels, short_subdomains, short_labels, short_subdomains)
def test_association_keys_are_injective(ns1: str, sa1: str, ns2: str, sa2: str) -> None:
    # Distinct bindings never share a construct id (so never share logical IDs).
    same_key = pi.association_key(ns1, sa1) == pi.association_key(ns2, sa2)
    assert same_key == ((ns1, sa1) == (ns2, sa2))


@pytest.fixture(scope="module")
def imported() -> eks.ICluster:
    stack = support.new_stack(support.new_app(), "Props")
    return eks.Cluster.from_cluster_attributes(stack, "C", cluster_name="c")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(namespace=names, service_account=names, target=st.one_of(st.none(), st.text(max_size=40),
                                                                st.just("arn:aws:iam::222222222222:role/x")))
def test_invalid_input_raises_config_error_and_nothing_else(
    imported: eks.ICluster, namespace: object, service_account: object, target: str | None
) -> None:
    stack = imported.stack
    construct_id = f"B{len(stack.node.children)}"
    valid = oracle_label(namespace) and oracle_subdomain(service_account)
    try:
        PodIdentity(stack, construct_id, cluster=imported, namespace=namespace,  # type: ignore[arg-type]
                    service_account=service_account, target_role=target)  # type: ignore[arg-type]
    except ConfigError:
        # A repeated valid binding is a ConfigError too (duplicate), as is a malformed target.
        return
    assert valid


json_like = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=6),
              st.sampled_from(["apps", "reporting", "Apps", "AmazonS3ReadOnlyAccess", "arn:aws:iam::2:role/x",
                               "arn:aws:iam::222222222222:role/x", "namespace", "serviceAccount", "managedPolicies",
                               "targetRoleArn", "tags", "disableSessionTags", "createServiceAccount"])),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["namespace", "serviceAccount", "managedPolicies", "targetRoleArn", "tags",
                                         "disableSessionTags", "createServiceAccount", "allowSameAccountTarget", "x"]),
                        children, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_like)
def test_pod_identities_config_raises_config_error_and_nothing_else(raw: object) -> None:
    from eks_platform.config import parse_platform_config

    try:
        config = parse_platform_config({"podIdentities": raw})
    except ConfigError as error:
        assert all("platform.podIdentities" in p for p in error.problems)
        return
    for binding in config.pod_identities:
        assert oracle_label(binding.namespace) and oracle_subdomain(binding.service_account)
