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


_TOKEN_PIECES = st.sampled_from(
    ["${Token[TOKEN.12]}", "${Token[AWS.Region.3]}", "#{Token[TOKEN.7]}", "Token[", "${Token[", "]}", "${Token[x y]}",
     "-1.8881545897087529e+289", "-1.888154589e+289", "arn:", "/", "a", ""]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKEN_PIECES | st.text(max_size=4), max_size=5).map("".join))
def test_string_token_check_matches_aws_cdk_lib(text: str) -> None:
    """The Python-side test for strings answers exactly what aws-cdk-lib's Token.is_unresolved answers."""
    from aws_cdk import Token  # lazy: the other properties here need no jsii

    assert v.is_unresolved(text) is bool(Token.is_unresolved(text))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(2**60), max_value=2**60) | st.floats(allow_nan=False, allow_infinity=False))
def test_number_token_check_matches_aws_cdk_lib(number: float) -> None:
    from aws_cdk import Token  # lazy: the other properties here need no jsii

    assert v.is_unresolved(number) is bool(Token.is_unresolved(number))


def test_encoded_number_and_string_tokens_are_unresolved() -> None:
    import aws_cdk as cdk  # lazy: the other properties here need no jsii

    stack = cdk.Stack(cdk.App(), "Tokens")
    for value in (stack.account, cdk.Token.as_number(stack.account), cdk.Fn.select(0, cdk.Fn.get_azs())):
        assert v.is_unresolved(value) is True
    assert v.is_unresolved(cdk.Token.as_list(stack.account)) is True
