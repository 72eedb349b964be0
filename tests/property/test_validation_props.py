"""Generic validators: invalid input yields problems (never an exception), checked against independent oracles."""

from __future__ import annotations

import ipaddress
import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from eks_platform._internal import validation as v

ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(ANY_JSON)
def test_validators_return_problems_for_any_json_value(value: object) -> None:
    for check in (v.dns1123_label, v.dns1123_subdomain, v.eks_cluster_name, v.ipv4_cidr, v.iam_principal_arn,
                  v.iam_role_arn, v.aws_account, v.aws_region):
        problems = check("setting", value)
        assert isinstance(problems, list)
        if not isinstance(value, str):
            assert problems, f"{check.__name__} accepted {value!r}"


def test_nan_is_not_a_token() -> None:
    assert v.is_unresolved(math.nan) is False
    assert v.dns1123_label("ns", math.nan)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9./a-f:]{1,20}", fullmatch=True))
def test_ipv4_cidr_matches_the_ipaddress_oracle(text: str) -> None:
    try:
        net = ipaddress.ip_network(text, strict=True)
        expected_ok = net.version == 4 and "/" in text and str(net) == text
    except ValueError:
        expected_ok = False
    assert (v.ipv4_cidr("cidr", text) == []) is expected_ok


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcxyz019-.A_", min_size=0, max_size=70))
def test_dns1123_label_matches_the_kubernetes_rule(text: str) -> None:
    expected_ok = len(text) <= 63 and re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", text) is not None
    assert (v.dns1123_label("namespace", text) == []) is expected_ok
