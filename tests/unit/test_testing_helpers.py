"""eks_platform.testing helpers: synth with fixed settings, template checks, baselines and the replacement guard."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs

from eks_platform.errors import ConfigError
from eks_platform.testing import (
    FIXED_ACCOUNT,
    FIXED_REGION,
    FIXED_SYNTH_DATE,
    Baselines,
    SynthCache,
    assert_no_replacement,
    assert_template_passes,
    cdk_json_context,
    check_template,
    format_findings,
    synth_app,
)
from tests import support
from tests.support import only_resource

SYNTH_DATE_KEY = "eks-platform:synthDate"


def _queue_app(app: cdk.App) -> None:
    """A tiny app whose template records what the build saw: the environment variables and the context."""
    stack = cdk.Stack(app, "Queues")
    queue = sqs.Queue(stack, "Jobs", queue_name=app.node.try_get_context("queueName") or "jobs")
    cdk.CfnOutput(stack, "SeenAccount", value=os.environ.get("CDK_DEFAULT_ACCOUNT", "unset"))
    cdk.CfnOutput(stack, "SeenRegion", value=os.environ.get("CDK_DEFAULT_REGION", "unset"))
    cdk.CfnOutput(stack, "SeenDate", value=str(app.node.try_get_context(SYNTH_DATE_KEY)))
    cdk.CfnOutput(stack, "Flag", value=str(app.node.try_get_context("flag")))
    cdk.CfnOutput(stack, "Hash", value="a" * 64)
    cdk.CfnOutput(stack, "QueueArn", value=queue.queue_arn)


def _output(template: dict[str, Any], name: str) -> Any:
    return template["Outputs"][name]["Value"]


@pytest.fixture(scope="module")
def queue_synth(tmp_path_factory: pytest.TempPathFactory) -> Any:
    previous = os.environ.get("CDK_DEFAULT_ACCOUNT")
    os.environ["CDK_DEFAULT_ACCOUNT"] = "999999999999"
    try:
        result = synth_app(
            _queue_app,
            outdir=tmp_path_factory.mktemp("queues"),
            base_context={"flag": "from-cdk-json", SYNTH_DATE_KEY: "2000-01-01"},
            context={"queueName": "explicit"},
        )
        after = os.environ.get("CDK_DEFAULT_ACCOUNT")
    finally:
        if previous is None:
            os.environ.pop("CDK_DEFAULT_ACCOUNT", None)
        else:
            os.environ["CDK_DEFAULT_ACCOUNT"] = previous
    support.synth(result.app, label="testing-helpers")  # record the template for the suite-wide cfn-lint sweep
    return {"result": result, "account_after": after}


def test_synth_pins_the_environment_while_the_app_is_built(queue_synth: Any) -> None:
    template = queue_synth["result"]["Queues"]
    assert (_output(template, "SeenAccount"), _output(template, "SeenRegion")) == (FIXED_ACCOUNT, FIXED_REGION)


def test_synth_restores_the_environment_afterwards(queue_synth: Any) -> None:
    assert queue_synth["account_after"] == "999999999999"


def test_synth_fixed_date_overrides_cdk_json_and_explicit_context_overrides_both(queue_synth: Any) -> None:
    template = queue_synth["result"]["Queues"]
    assert _output(template, "SeenDate") == FIXED_SYNTH_DATE
    assert _output(template, "Flag") == "from-cdk-json"
    assert only_resource(template, "AWS::SQS::Queue")["Properties"]["QueueName"] == "explicit"


def test_synth_returns_normalised_templates_and_keeps_the_raw_ones(queue_synth: Any) -> None:
    result = queue_synth["result"]
    assert _output(result["Queues"], "Hash") == "<asset-hash>"
    assert _output(result.raw["Queues"], "Hash") == "a" * 64
    assert list(result["Queues"]) == sorted(result["Queues"])


def test_synth_result_names_the_stacks_it_has(queue_synth: Any) -> None:
    with pytest.raises(KeyError, match=r"no stack named 'Nope'; its stacks are \['Queues'\]"):
        queue_synth["result"]["Nope"]


def test_synth_cache_builds_each_app_and_context_once(tmp_path: Path) -> None:
    calls: list[str] = []

    def build(app: cdk.App) -> None:
        calls.append(str(app.node.try_get_context("queueName")))
        _queue_app(app)

    cache = SynthCache(outdir_factory=lambda name: tmp_path / f"{name}-{len(calls)}", base_context={})
    first = cache(build)
    assert cache(build) is first
    other = cache(build, context={"queueName": "other"})
    assert other is not first
    assert calls == ["None", "other"]


def test_cdk_json_context_merges_cached_lookups_under_cdk_json(tmp_path: Path) -> None:
    (tmp_path / "cdk.json").write_text(json.dumps({"app": "python3 app.py", "context": {"a": 1, "b": 2}}))
    (tmp_path / "cdk.context.json").write_text(json.dumps({"b": "cached", "c": 3}))
    assert cdk_json_context(tmp_path) == {"a": 1, "b": 2, "c": 3}


def test_cdk_json_context_is_empty_without_cdk_json(tmp_path: Path) -> None:
    assert cdk_json_context(tmp_path) == {}


# -- template checks ------------------------------------------------------------------------------------------------

BAD_CLUSTER = {
    "Resources": {
        "Cluster": {
            "Type": "AWS::EKS::Cluster",
            "Properties": {
                "Name": "demo",
                "Version": "1.32",
                "RoleArn": "arn:aws:iam::111111111111:role/eks",
                "ResourcesVpcConfig": {"SubnetIds": ["subnet-1", "subnet-2"]},
            },
        }
    }
}
INVALID_TEMPLATE = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"NoSuchProperty": 1}}}}


def test_check_template_reports_policy_pack_findings_per_resource() -> None:
    findings = check_template(BAD_CLUSTER)
    pack = {f.rule for f in findings if f.source == "EKSP"}
    assert {"EKSP-3", "EKSP-4"} <= pack  # no secrets encryption, no upgrade policy
    assert {f.logical_id for f in findings if f.source == "EKSP"} == {"Cluster"}


def test_check_template_reports_cfn_lint_errors() -> None:
    findings = check_template(INVALID_TEMPLATE)
    assert [(f.source, f.level, f.logical_id) for f in findings] == [("cfn-lint", "ERROR", "Queue")]
    assert "NoSuchProperty" in findings[0].message


def test_check_template_allows_a_finding_on_one_resource_with_a_reason() -> None:
    findings = check_template(BAD_CLUSTER, allow={"EKSP-4@Cluster": "a short-lived demo cluster, deleted nightly"})
    assert "EKSP-4" not in {f.rule for f in findings}
    assert findings, "other findings stay"


def test_check_template_allow_for_another_resource_does_not_hide_the_finding() -> None:
    findings = check_template(BAD_CLUSTER, allow={"EKSP-4@Other": "a short-lived demo cluster, deleted nightly"})
    assert "EKSP-4" in {f.rule for f in findings}


def test_fails_when_allow_names_a_cfn_lint_error() -> None:
    with pytest.raises(ConfigError, match="cfn-lint errors are never allowed"):
        check_template(INVALID_TEMPLATE, allow={"E3002": "the property is fine, trust me"})


def test_fails_when_allow_has_no_real_reason() -> None:
    with pytest.raises(ConfigError, match=r"allow\['EKSP-4'\] has reason 'ok'"):
        check_template(BAD_CLUSTER, allow={"EKSP-4": "ok"})


def test_assert_template_passes_fails_with_a_table_of_findings() -> None:
    with pytest.raises(AssertionError) as failure:
        assert_template_passes(BAD_CLUSTER, name="Demo")
    text = str(failure.value)
    header = text.splitlines()[1].split()
    assert text.startswith("Demo: ")
    assert header == ["SOURCE", "RULE", "LEVEL", "RESOURCE"]
    assert any(line.split()[:2] == ["EKSP", "EKSP-4"] for line in text.splitlines())


def test_format_findings_says_when_there_are_none() -> None:
    assert format_findings([], title="Clean") == "Clean: no findings"


# -- baselines and the replacement guard ------------------------------------------------------------------------------


def _cluster(name: str, version: str = "1.32") -> dict[str, Any]:
    template = json.loads(json.dumps(BAD_CLUSTER))
    template["Resources"]["Cluster"]["Properties"].update(Name=name, Version=version)
    return template


def test_assert_no_replacement_passes_an_in_place_update() -> None:
    report = assert_no_replacement(_cluster("demo"), _cluster("demo", version="1.33"))
    assert report.replaced_or_deleted == ()


def test_assert_no_replacement_fails_when_a_create_only_property_changes() -> None:
    with pytest.raises(AssertionError, match=r"Cluster \(AWS::EKS::Cluster, replace\)"):
        assert_no_replacement(_cluster("demo"), _cluster("renamed"))


def test_baseline_round_trips_a_normalised_template(tmp_path: Path) -> None:
    baselines = Baselines(tmp_path)
    template = {"Resources": {}, "Outputs": {"H": {"Value": "f" * 64}}}
    baselines.save("Stack", template)
    assert baselines.load("Stack") == {"Outputs": {"H": {"Value": "<asset-hash>"}}, "Resources": {}}
    assert baselines.path("Stack").read_text().endswith("}\n")


def test_baseline_guard_fails_on_replacement_against_the_committed_baseline(tmp_path: Path) -> None:
    Baselines(tmp_path).save("Stack", _cluster("demo"))
    with pytest.raises(AssertionError, match="would be replaced or deleted"):
        Baselines(tmp_path).assert_no_replacement("Stack", _cluster("renamed"))


def test_baseline_guard_in_update_mode_records_the_template(tmp_path: Path) -> None:
    Baselines(tmp_path).save("Stack", _cluster("demo"))
    assert Baselines(tmp_path, update=True).assert_no_replacement("Stack", _cluster("renamed")) is None
    assert Baselines(tmp_path).assert_no_replacement("Stack", _cluster("renamed")) is not None


def test_fails_when_a_stack_has_no_baseline(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=r"no baseline for stack 'Stack'.*--eks-platform-update-baselines"):
        Baselines(tmp_path).assert_no_replacement("Stack", _cluster("demo"))


# -- plugin import cost -----------------------------------------------------------------------------------------------


def test_loading_the_plugin_imports_no_cdk_syrupy_or_cfn_lint_beyond_the_package() -> None:
    """pytest loads the plugin in every session of an environment that has the package: it must stay cheap."""
    code = (
        "import sys, eks_platform; before = set(sys.modules); import eks_platform.testing.plugin; "
        "print(sorted(m for m in set(sys.modules) - before "
        "if m.split('.')[0] in ('aws_cdk', 'jsii', 'syrupy', 'cfnlint', 'cdk8s', 'constructs')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
