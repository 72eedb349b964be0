"""Fleet rules against independent oracles: the environment-name rule, the Helm-style merge of overrides, and the
invariant that any `environments` / `pipeline` value raises ConfigError and nothing else."""

from __future__ import annotations

import copy
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from eks_platform._internal.fleet import ENVIRONMENT_NAME_MAX, environment_name_problems, merge_overrides
from eks_platform.config.environments import parse_fleet_config
from eks_platform.errors import ConfigError

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=8,
)
OBJECTS = st.dictionaries(st.sampled_from("abcd"), JSON, max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abz09-_A.", max_size=40))
def test_environment_names_match_a_lowercase_dns_label_of_at_most_32(name: str) -> None:
    oracle = (0 < len(name) <= ENVIRONMENT_NAME_MAX and name[0].isalpha() and name[0].islower()
              and name[-1] not in "-" and all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in name))
    assert (environment_name_problems("n", name) == []) is oracle


def _oracle_merge(base: Any, overrides: Any) -> Any:
    """The Helm rule written as a second, independent function: maps recurse, null deletes, anything else wins."""
    if not (isinstance(base, dict) and isinstance(overrides, dict)):
        return copy.deepcopy(overrides)
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _oracle_merge(out[key], value) if key in out else copy.deepcopy(value)
    return out


@settings(max_examples=300, deadline=None)
@given(OBJECTS, OBJECTS)
def test_merge_matches_the_helm_rule_and_leaves_its_inputs_alone(base: dict[str, Any], overrides: dict[str, Any]) \
        -> None:
    before = (copy.deepcopy(base), copy.deepcopy(overrides))
    merged = merge_overrides(base, overrides)
    assert merged == _oracle_merge(base, overrides)
    assert (base, overrides) == before
    assert merge_overrides(base, {}) == base


ENVIRONMENT = st.fixed_dictionaries(
    {"account": st.sampled_from(["222222222222", "1", None]), "region": st.sampled_from(["eu-west-1", "mars", None])},
    optional={"clusterName": st.sampled_from(["a", "a", "b", "-bad"]), "natGateways": st.integers(-1, 4),
              "kubernetesVersion": st.sampled_from(["1.32", "1.34", "1.99", "x"]), "bogus": JSON},
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.text(alphabet="ab-Z1", min_size=0, max_size=5), ENVIRONMENT | JSON, max_size=4) | JSON,
    st.none() | JSON | st.fixed_dictionaries({"account": st.just("444444444444"), "region": st.just("eu-west-1"),
                                              "repository": st.just("o/r"), "waves": JSON}),
)
def test_any_fleet_section_parses_or_raises_config_error_naming_its_path(environments: Any, pipeline: Any) -> None:
    raw: dict[str, Any] = {"environments": environments}
    if pipeline is not None:
        raw["pipeline"] = pipeline
    try:
        fleet = parse_fleet_config(raw, environ={})
    except ConfigError as error:
        assert error.problems
        assert all(re.match(r"^platform[.\s]", problem) for problem in error.problems), error.problems
        return
    names = [cluster for env in fleet.environments for cluster in (env.platform.cluster_name,)]
    assert len(names) == len(set(names)), "two environments got the same cluster name"
