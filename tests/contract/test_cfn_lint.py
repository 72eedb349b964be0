"""cfn-lint over every template the suite synthesized: zero errors, warnings only from the reasoned allowlist."""

from __future__ import annotations

import importlib.machinery
import importlib.metadata
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eks_platform.testing import cfn_lint_findings, lint
from tests import cfn_lint_cache, cfn_lint_sweep, support


@pytest.mark.runs_last
def test_every_synthesized_template_passes_cfn_lint(
    reference_templates: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    """Includes the reference app's stacks (recorded by the session fixture) and every test stack. Under
    pytest-xdist it covers this worker's recordings so far; ``tests/cfn_lint_sweep.py`` says how the rest is linted."""
    assert support.SYNTHESIZED, "no template was recorded: tests must synthesize through tests.support.synth"
    labels = [label for label, _ in support.SYNTHESIZED.values()]
    assert any(label.startswith("reference:") for label in labels)
    _, failures = cfn_lint_sweep.lint_unlinted(cfn_lint_sweep.claims_directory(request.config))
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


# -- the verdict cache (eks_platform.testing.use_verdict_cache, tests/cfn_lint_cache.py) -----------------------------
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
REGIONS = ("us-east-1",)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty verdict cache for the test; the suite's own cache comes back afterwards."""
    monkeypatch.setattr(lint, "_verdict_cache", tmp_path)
    yield tmp_path


def _fresh_process_verdict(template: dict[str, Any]) -> tuple[lint.CfnLintFinding, ...]:
    """What a new process gets for ``template``: the verdict cache or cfn-lint, without this process's memory."""
    return lint._verdict(json.dumps(template), REGIONS)


def test_a_broken_template_is_linted_and_fails_cold_and_warm(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_lint = lint._lint
    calls: list[str] = []
    monkeypatch.setattr(lint, "_lint", lambda text, regions: calls.append(text) or real_lint(text, regions))
    for _ in ("cold", "warm"):
        findings = _fresh_process_verdict(BROKEN)
        assert any(finding.rule.startswith("E") for finding in findings), findings
    assert len(calls) == 2, "a template with an error is linted for real on every run"
    assert list(cache.iterdir()) == [], "a verdict with an error must never be stored"


def test_a_clean_verdict_is_reused_only_under_the_same_key(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fresh_process_verdict(CLEAN) == ()
    assert [path.name for path in cache.iterdir()] == [f"{lint.verdict_key(json.dumps(CLEAN), REGIONS)}.json"]
    real_lint = lint._lint
    monkeypatch.setattr(lint, "_lint", lambda text, regions: pytest.fail("linted again"))
    assert _fresh_process_verdict(CLEAN) == ()
    # Another region, or one changed byte of the template, is another key: linted for real.
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(lint, "_lint", lambda text, regions: calls.append(regions) or real_lint(text, regions))
    assert lint._verdict(json.dumps(CLEAN), ("eu-west-1",)) == ()
    assert _fresh_process_verdict({"Resources": {"Topic": {"Type": "AWS::SNS::Topic",
                                                           "Properties": {"TopicName": "clean2"}}}}) == ()
    assert calls == [("eu-west-1",), REGIONS]


def test_a_stored_verdict_keeps_its_warnings(cache: Path) -> None:
    """Warnings are stored as found; the allowlist of each call still decides which are reported."""
    text = json.dumps(BROKEN)
    warning = lint.CfnLintFinding(rule="W3005", severity="warning", message="redundant DependsOn", path="Resources/X")
    (cache / f"{lint.verdict_key(text, REGIONS)}.json").write_text(json.dumps([
        {"rule": warning.rule, "severity": warning.severity, "message": warning.message, "path": warning.path}]))
    assert lint._verdict(text, REGIONS) == (warning,)


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
    fingerprint = lint.linter_fingerprint.__wrapped__
    before = fingerprint()
    schema.write_text('{"createOnlyProperties": []}')
    changed = fingerprint()
    assert changed != before, "a changed resource schema must change the key"
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "99.0.0")
    assert fingerprint() not in {before, changed}, "another cfn-lint release must change the key"


def test_the_cache_is_off_in_ci_and_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(cfn_lint_cache.CACHE_ENV, raising=False)
    assert cfn_lint_cache.cache_directory() == cfn_lint_cache.CACHE_DIR
    monkeypatch.setenv(cfn_lint_cache.CACHE_ENV, "0")
    assert cfn_lint_cache.cache_directory() is None
    monkeypatch.delenv(cfn_lint_cache.CACHE_ENV)
    monkeypatch.setenv("CI", "true")
    assert cfn_lint_cache.cache_directory() is None


def test_one_process_lints_a_template_once_and_applies_the_allowlist_on_each_call() -> None:
    first = cfn_lint_findings(BROKEN)
    hits = lint._findings.cache_info().hits
    again = cfn_lint_findings(BROKEN, allow={first[0].rule: "errors are never allowed, even from a reused verdict"})
    assert lint._findings.cache_info().hits == hits + 1
    assert again == first
