"""cfn-lint over every template the suite synthesized: zero errors, warnings only from the reasoned allowlist."""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.metadata
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from eks_platform.testing import cfn_lint_findings
from tests import cfn_lint_sweep, support


@pytest.mark.runs_last
def test_every_synthesized_template_passes_cfn_lint(
    reference_templates: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    """Includes the reference app's stacks (recorded by the session fixture) and every test stack. Under
    pytest-xdist it covers this worker's recordings so far; ``tests/cfn_lint_sweep.py`` says how the rest is linted."""
    assert support.SYNTHESIZED, "no template was recorded: tests must synthesize through tests.support.synth"
    labels = [label for label, _ in support.SYNTHESIZED.values()]
    assert any(label.startswith("reference:") for label in labels)
    _, failures = cfn_lint_sweep.lint_unlinted(
        cfn_lint_sweep.claims_directory(request.config), cfn_lint_sweep.cache_directory()
    )
    assert failures == [], "\n".join(failures)


def test_cfn_lint_catches_a_schema_error(reference_templates: dict[str, Any]) -> None:
    """The sweep can fail: a cluster with a numeric Version is a schema error cfn-lint reports."""
    import copy

    template = copy.deepcopy(next(iter(reference_templates.values())))
    cluster = next(r for r in template["Resources"].values() if r["Type"] == "AWS::EKS::Cluster")
    cluster["Properties"]["Version"] = 132
    assert any(f.rule.startswith("E") for f in cfn_lint_findings(template, allow=support.CFN_LINT_ALLOW))


def test_allowlist_entries_have_reasons() -> None:
    for rule, reason in support.CFN_LINT_ALLOW.items():
        assert not rule.startswith("E"), "cfn-lint errors are never allowlisted"
        assert len(reason) > 30, f"{rule} needs a reason a reviewer can check"


# -- the result cache (tests/cfn_lint_sweep.py, "Result cache") ------------------------------------------------------
#: Small templates keep these tests cheap: cfn-lint judges a one-resource template in milliseconds.
CLEAN = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "clean"}}}}
BROKEN = {
    "Resources": {
        "Cluster": {
            "Type": "AWS::EKS::Cluster",
            "Properties": {"Version": 132, "RoleArn": "arn:aws:iam::111111111111:role/eks",
                           "ResourcesVpcConfig": {"SubnetIds": ["subnet-1"]}},
        }
    }
}


@pytest.fixture
def sweep_state(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, dict[str, Any]]]:
    """An empty recording for the sweep (the session's own recordings and counters are left alone)."""
    recorded: dict[str, tuple[str, dict[str, Any]]] = {}
    monkeypatch.setattr(support, "SYNTHESIZED", recorded)
    monkeypatch.setattr(cfn_lint_sweep, "LINTED", set())
    monkeypatch.setattr(cfn_lint_sweep, "COUNTS", {"linted": 0, "cached": 0})
    return recorded


def _record(recorded: dict[str, tuple[str, dict[str, Any]]], label: str, template: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    recorded[digest] = (label, template)
    return digest


def _new_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a new test process starts with: nothing linted yet (the cache directory persists)."""
    monkeypatch.setattr(cfn_lint_sweep, "LINTED", set())


def test_a_broken_template_fails_the_sweep_cold_and_warm(
    sweep_state: dict[str, tuple[str, dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record(sweep_state, "clean", CLEAN)
    _record(sweep_state, "broken", BROKEN)
    cold = cfn_lint_sweep.lint_unlinted(cache=tmp_path)
    _new_run(monkeypatch)
    warm = cfn_lint_sweep.lint_unlinted(cache=tmp_path)
    for checked, failures in (cold, warm):
        assert checked == 2
        assert failures and all(line.startswith("broken: E") for line in failures), failures
    assert cfn_lint_sweep.COUNTS == {"linted": 3, "cached": 1}, "only the clean verdict may come from the cache"
    assert len(list(tmp_path.iterdir())) == 1


def test_a_clean_verdict_is_reused_only_under_the_same_key(
    sweep_state: dict[str, tuple[str, dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = _record(sweep_state, "clean", CLEAN)
    assert cfn_lint_sweep.lint_unlinted(cache=tmp_path) == (1, [])
    assert (tmp_path / cfn_lint_sweep.cache_key(digest)).is_file()
    real_lint = cfn_lint_sweep._lint
    monkeypatch.setattr(cfn_lint_sweep, "_lint", lambda item: pytest.fail(f"{item[0]} linted again"))
    _new_run(monkeypatch)
    assert cfn_lint_sweep.lint_unlinted(cache=tmp_path) == (1, [])
    assert cfn_lint_sweep.COUNTS == {"linted": 1, "cached": 1}
    # Another allowlist is another key: the template is linted for real.
    calls: list[str] = []
    monkeypatch.setattr(cfn_lint_sweep, "_lint", lambda item: calls.append(item[0]) or real_lint(item))
    monkeypatch.setattr(support, "CFN_LINT_ALLOW", {**support.CFN_LINT_ALLOW, "W1001": "a different rule config"})
    _new_run(monkeypatch)
    assert cfn_lint_sweep.lint_unlinted(cache=tmp_path) == (1, [])
    assert calls == ["clean"]


def test_the_linter_fingerprint_follows_every_file_of_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cfnlint"
    (package / "data").mkdir(parents=True)
    schema = package / "data" / "aws-eks-cluster.json"
    schema.write_text("{}")
    spec = importlib.machinery.ModuleSpec("cfnlint", None, is_package=True)
    spec.submodule_search_locations = [str(package)]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    fingerprint = cfn_lint_sweep.linter_fingerprint.__wrapped__
    before = fingerprint()
    schema.write_text('{"createOnlyProperties": []}')
    assert fingerprint() != before, "a changed resource schema must change the key"
    changed = fingerprint()
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "99.0.0")
    assert fingerprint() not in {before, changed}, "another cfn-lint release must change the key"


def test_the_cache_is_off_in_ci_and_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(cfn_lint_sweep.CACHE_ENV, raising=False)
    assert cfn_lint_sweep.cache_directory() == cfn_lint_sweep.CACHE_DIR
    monkeypatch.setenv(cfn_lint_sweep.CACHE_ENV, "0")
    assert cfn_lint_sweep.cache_directory() is None
    monkeypatch.delenv(cfn_lint_sweep.CACHE_ENV)
    monkeypatch.setenv("CI", "true")
    assert cfn_lint_sweep.cache_directory() is None


def test_lint_template_fails_a_broken_template_on_every_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(cfn_lint_sweep.CACHE_ENV, raising=False)
    monkeypatch.setattr(cfn_lint_sweep, "CACHE_DIR", tmp_path)
    assert cfn_lint_sweep.lint_template(CLEAN) == []
    clean_key = cfn_lint_sweep.cache_key(cfn_lint_sweep.template_digest(CLEAN))
    assert [path.name for path in tmp_path.iterdir()] == [clean_key]
    for _ in range(2):
        assert any(finding.rule.startswith("E") for finding in cfn_lint_sweep.lint_template(BROKEN))
    assert len(list(tmp_path.iterdir())) == 1, "a template with findings must never be stored"
    monkeypatch.setattr(cfn_lint_sweep, "cfn_lint_findings", lambda *args, **kwargs: pytest.fail("linted again"))
    assert cfn_lint_sweep.lint_template(CLEAN) == []


def test_one_process_lints_a_template_once_and_applies_the_allowlist_on_each_call() -> None:
    from eks_platform.testing import lint

    first = cfn_lint_findings(BROKEN)
    hits = lint._findings.cache_info().hits
    again = cfn_lint_findings(BROKEN, allow={first[0].rule: "errors are never allowed, even from a reused verdict"})
    assert lint._findings.cache_info().hits == hits + 1
    assert again == first
