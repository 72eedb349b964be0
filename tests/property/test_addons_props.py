"""Hypothesis: add-on version strings and configuration values against independent oracles; bad input only ever
raises ConfigError."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from aws_cdk import aws_eks_v2 as eks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eks_platform._internal import addons as cat
from eks_platform.constructs.addons import ManagedAddon
from eks_platform.errors import ConfigError
from tests import support


def _number(text: str) -> bool:
    """A decimal number without sign or leading zero (the EKS version components)."""
    return text.isascii() and text.isdigit() and (text == "0" or not text.startswith("0"))


def oracle_version(value: object) -> bool:
    """``vX.Y.Z-eksbuild.N`` parsed by hand: no regular expressions."""
    if not isinstance(value, str) or not value.startswith("v"):
        return False
    head, sep, build = value[1:].partition("-eksbuild.")
    if not sep:
        return False
    parts = head.split(".")
    return len(parts) == 3 and all(_number(p) for p in parts) and _number(build)


number = st.one_of(st.integers(0, 300).map(str), st.sampled_from(["", "01", "x", "1a", "٣"]))
versions = st.one_of(
    st.builds(lambda a, b, c, n, v, sep: f"{v}{a}.{b}.{c}{sep}{n}", number, number, number, number,
              st.sampled_from(["v", "", "V"]), st.sampled_from(["-eksbuild.", "-eksbuild", "-build.", "+eksbuild."])),
    st.text(max_size=30),
    st.integers(),
    st.none(),
)


@settings(max_examples=400, deadline=None)
@given(versions)
def test_version_rule_matches_the_oracle(value: object) -> None:
    assert (not cat.version_problems("version", value)) == oracle_version(value)


@settings(max_examples=200, deadline=None)
@given(st.builds(lambda a, b, c, n: f"v{a}.{b}.{c}-eksbuild.{n}", *(st.integers(0, 999),) * 4),
       st.builds(lambda a, b, c, n: f"v{a}.{b}.{c}-eksbuild.{n}", *(st.integers(0, 999),) * 4))
def test_version_order_is_numeric(first: str, second: str) -> None:
    def numbers(v: str) -> tuple[int, ...]:
        head, _, build = v[1:].partition("-eksbuild.")
        return (*map(int, head.split(".")), int(build))

    assert (cat.version_key(first) < cat.version_key(second)) == (numbers(first) < numbers(second))


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text()),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=5))
def test_json_configuration_round_trips(configuration: dict[str, Any]) -> None:
    normalised, problems = cat.configuration_json("configuration", configuration)
    assert problems == []
    assert normalised == json.loads(json.dumps(configuration))
    assert json.loads(cat.configuration_text(normalised or {})) == normalised


anything = st.recursive(
    st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=5), st.binary(max_size=3),
              st.sets(st.integers(), max_size=2), st.just(object())),
    lambda children: st.one_of(st.lists(children, max_size=3), st.tuples(children),
                               st.dictionaries(st.one_of(st.text(max_size=3), st.integers()), children, max_size=3)),
    max_leaves=8,
)


def _json_compatible(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(_json_compatible(x) for x in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_compatible(x) for k, x in value.items())
    return False


@settings(max_examples=300, deadline=None)
@given(anything)
def test_configuration_is_accepted_exactly_when_json_compatible(value: Any) -> None:
    normalised, problems = cat.configuration_json("configuration", value)
    if value is None:
        assert normalised is None and problems == []
    else:
        expected = isinstance(value, dict) and _json_compatible(value)
        assert (not problems) == expected


@pytest.fixture(scope="module")
def imported() -> eks.ICluster:
    stack = support.new_stack(support.new_app(), "AddonProps")
    return eks.Cluster.from_cluster_attributes(stack, "C", cluster_name="c")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.one_of(st.sampled_from(sorted(cat.catalog())), st.text(max_size=20)),
       version=st.one_of(st.none(), versions), minor=st.sampled_from(["1.31", "1.32", "1.33", "1.34", "1.35", "1.36"]),
       configuration=st.one_of(st.none(), anything))
def test_invalid_input_raises_config_error_and_nothing_else(
    imported: eks.ICluster, name: str, version: object, minor: str, configuration: Any
) -> None:
    stack = imported.stack
    try:
        ManagedAddon(stack, f"A{len(stack.node.children)}", cluster=imported, name=name,
                     version=version, kubernetes_version=minor, configuration=configuration,  # type: ignore[arg-type]
                     auto_mode=False, hosted_zone_ids=["Z1"] if name in ("external-dns", "cert-manager") else None)
    except ConfigError:
        return
    assert name in cat.catalog()


config_like = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=6),
              st.sampled_from(["v0.8.0-eksbuild.6", "0.8.0", "Z1D633PJN98FT9", "/hostedzone/Z1", "/aws/eks/x"])),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["version", "configuration", "hostedZoneIds", "cloudWatchLogGroupPrefix",
                                         "preserveOnDelete", "x"]), children, max_size=4),
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.dictionaries(st.sampled_from([*sorted(cat.catalog()), "metric-server", "x"]), config_like,
                                 max_size=4), config_like))
def test_addons_config_raises_config_error_and_nothing_else(raw: object) -> None:
    from eks_platform.config import parse_platform_config

    try:
        config = parse_platform_config({"addons": raw})
    except ConfigError as error:
        assert all("platform.addons" in p for p in error.problems)
        return
    assert set(config.addons) <= set(cat.catalog())
