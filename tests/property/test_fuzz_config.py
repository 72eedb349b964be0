"""Fuzzing the ``platform`` context object end to end: parse, build the reference app, synthesize, cfn-lint.

Each generated object (valid or not) must either synthesize templates that pass cfn-lint, or raise ``ConfigError``
whose problems name a setting. Any other exception (KeyError, TypeError, a jsii/CDK error, a cfn-lint error) fails.

Objects are derived from cdk.json's reference ``platform`` (so sections added later are fuzzed without editing this
file): top-level keys are dropped, known keys set to plausible or junk values, and up to three values anywhere in
the tree replaced by neighbours of their type (other enum-like words, CIDRs, versions, wrong types).

Parsing is milliseconds; synth + cfn-lint is seconds. So every example is parsed, but only a bounded, sampled subset of
the valid ones is synthesized and linted:

* CI (``make test``): 300 examples, derandomized; at most ``EKS_PLATFORM_FUZZ_SYNTH`` (default 2) synthesized.
* ``make fuzz``: ``EKS_PLATFORM_FUZZ_EXAMPLES=10000 EKS_PLATFORM_FUZZ_SYNTH=150 EKS_PLATFORM_FUZZ_KEEP_GOING=1``,
  random, collects every distinct failure instead of stopping at the first, and prints the counts.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eks_platform.config import CONTEXT_KEY, context_keys, parse_platform_config
from eks_platform.errors import ConfigError
from eks_platform.testing import FIXED_SYNTH_DATE
from tests import support
from tests.fuzz_harness import FuzzRun

EXAMPLES = int(os.environ.get("EKS_PLATFORM_FUZZ_EXAMPLES", "300"))
SYNTH_BUDGET = int(os.environ.get("EKS_PLATFORM_FUZZ_SYNTH", "2"))
KEEP_GOING = os.environ.get("EKS_PLATFORM_FUZZ_KEEP_GOING") == "1"
TODAY = dt.date.fromisoformat(FIXED_SYNTH_DATE)

REFERENCE: dict[str, Any] = support.cdk_json_context()[CONTEXT_KEY]
KNOWN_KEYS = sorted(context_keys())

WORDS = [
    "", "x", "UPPER", "a" * 70, "1.29", "1.31", "1.33", "1.40", "v1.32", "1.32.0", "10.0.0.0/16", "0.0.0.0/0",
    "192.168.0.0/16", "10.0.0.1/16", "172.16.0.0/12", "100.64.0.0/10", "::/0", "arn:aws:iam::111111111111:role/x",
    "arn:aws:iam::1:role/x", "STANDARD", "EXTENDED", "private", "public", "public-and-private", "apply",
    "render-only", "system", "general-purpose", "kube-system", "default", "gp3", "io2", "arm64", "amd64", "spot",
    "on-demand", "cilium", "calico", "ssm", "iam-roles-anywhere", "Retain", "Delete", "NoSchedule", "20%", "336h",
    "Never", "1024Gi", "us-east-1", "111111111111", "AmazonS3ReadOnlyAccess", "metrics-server", "*",
]
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(WORDS),
    st.text(max_size=8),
    st.lists(st.sampled_from(WORDS), max_size=3),
    st.dictionaries(st.sampled_from(["a", "name", "enabled", "x"]), st.sampled_from(WORDS), max_size=2),
)


def neighbours(value: Any) -> st.SearchStrategy[Any]:
    """Values near ``value``: mostly of the same type (often valid), sometimes junk."""
    if isinstance(value, bool):
        same: st.SearchStrategy[Any] = st.booleans()
    elif isinstance(value, int):
        same = st.integers(-2, 2 * max(value, 10))
    elif isinstance(value, str):
        same = st.one_of(st.sampled_from(WORDS), st.just(value.upper()), st.just(value + "-x"))
    elif isinstance(value, list):
        same = st.one_of(st.just([]), st.just(value + value[:1]), st.just(value[1:]))
    elif isinstance(value, dict):
        same = st.one_of(st.just({}), st.just({k: v for k, v in list(value.items())[1:]}))
    else:
        same = JUNK
    return st.one_of(same, same, same, JUNK)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def put(node: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


@st.composite
def platform_objects(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 49)) == 17:  # Hypothesis favours 0; pick a middle value
        return draw(JUNK)  # not even an object
    raw = copy.deepcopy(REFERENCE)
    for key in sorted(raw):
        if draw(st.integers(0, 7)) == 5:
            del raw[key]
    for key in KNOWN_KEYS:
        if draw(st.integers(0, 59)) == 31:
            raw[key] = draw(neighbours(raw[key]) if key in raw else JUNK)
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        candidates = paths(raw)
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        put(raw, path, draw(neighbours(get(raw, path))))
    if draw(st.integers(0, 39)) == 23:
        raw[draw(st.sampled_from(["clustername", "kubernetes_version", "addon", "nodepools"]))] = True
    return raw


def setting_tokens(raw: Any) -> set[str]:
    """Names a problem may use for a setting: the platform keys, every key in the object, in camel and snake case."""
    keys = {"platform", *KNOWN_KEYS}
    for path in paths(raw):
        keys.update(str(part) for part in path if isinstance(part, str))
    keys |= {re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower() for key in keys}
    return {key for key in keys if len(key) > 1}


def names_a_setting(error: ConfigError, raw: Any) -> bool:
    tokens = setting_tokens(raw)
    return bool(error.code) and all(any(token in problem for token in tokens) for problem in error.problems)


RUN = FuzzRun(
    "fuzz",
    examples=EXAMPLES,
    synth_budget=SYNTH_BUDGET,
    keep_going=KEEP_GOING,
    parse=lambda raw: parse_platform_config(raw, environ={}, today=TODAY),
    names_a_setting=names_a_setting,
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not KEEP_GOING,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(raw=platform_objects(), synthesize=st.integers(0, 9).map(lambda n: n == 7))
def fuzz(raw: Any, synthesize: bool) -> None:
    RUN.check(raw, synthesize)


@pytest.mark.slow
def test_every_platform_object_synthesizes_clean_or_raises_a_config_error_naming_a_setting() -> None:
    RUN.reset()
    fuzz()
    RUN.finish("fuzz.json")
