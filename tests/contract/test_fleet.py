"""The example fleet (examples/fleet/cdk.json: three environments in two regions and accounts, a pipeline with a dev
wave and an approved production wave) synthesizes offline into the pipeline stack and one assembly per stage, and
every stage passes the gates of the single reference stack: cfn-lint, both policy packs, and the replacement guard
for a change made in one environment."""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from eks_platform._internal.contract import CONTRACTS_DIRECTORY
from eks_platform.checks import EksPlatformChecks, Finding, Level, Rule, RuleContext, acknowledgments
from eks_platform.checks.audit import run_packs
from eks_platform.stacks.app import build_app
from eks_platform.testing import check_template, format_findings
from eks_platform.testing.synth import CLI_DEFAULT_CONTEXT
from tests import support
from tests.contract.test_replacement_contract import upgraded_to_1_33, violations

EXAMPLE = support.REPO_ROOT / "examples" / "fleet" / "cdk.json"
ENVIRONMENTS = {"dev": ("222222222222", "eu-west-1"), "prod-eu": ("333333333333", "eu-west-1"),
                "prod-us": ("333333333333", "us-east-1")}
PIPELINE_STACK = "EksPlatformPipeline"


def example_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads(EXAMPLE.read_text())["context"]
    return context


def synth_fleet(platform: dict[str, Any], tmp: Path, label: str) -> dict[str, Any]:
    """Build the fleet as `cdk synth` does (path metadata on), synthesize once, record every template for cfn-lint."""
    app = cdk.App(context=support.fixed_context({**CLI_DEFAULT_CONTEXT, **example_context(), "platform": platform}),
                  outdir=str(tmp))
    stacks = build_app(app)
    assembly = app.synth()
    templates = {stack.stack_name: stack.template for stack in assembly.stacks_recursively}
    for name, template in templates.items():
        digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
        support.SYNTHESIZED.setdefault(digest, (f"{label}:{name}", template))
    return {"app": app, "stacks": stacks, "assembly": assembly, "templates": templates, "outdir": tmp}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return synth_fleet(example_context()["platform"], tmp_path_factory.mktemp("fleet"), "fleet")


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same fleet without its pipeline, a fourth environment added, and prod-eu upgraded to Kubernetes 1.33."""
    platform = copy.deepcopy(example_context()["platform"])
    pipeline = platform.pop("pipeline")
    assert pipeline["waves"]
    base = {k: v for k, v in platform.items() if k != "environments"}
    upgraded, carried = upgraded_to_1_33(base)
    prod_eu = platform["environments"]["prod-eu"]
    prod_eu["kubernetesVersion"] = upgraded["kubernetesVersion"]
    prod_eu["addons"] = {name: {"version": version} for name, version in carried.items()}
    platform["environments"]["qa"] = {"account": "222222222222", "region": "us-east-1"}
    return synth_fleet(platform, tmp_path_factory.mktemp("fleet-changed"), "fleet-changed")


def stage_stacks(fleet: dict[str, Any]) -> dict[str, Any]:
    return {name: fleet["assembly"].get_nested_assembly(f"assembly-{name}").stacks for name in ENVIRONMENTS}


# -- shape ---------------------------------------------------------------------------------------------------------
def test_fleet_synthesizes_the_pipeline_stack_and_one_assembly_per_stage(fleet: dict[str, Any]) -> None:
    top = {stack.stack_name for stack in fleet["assembly"].stacks}
    # CDK Pipelines adds a replication-bucket stack in each other region a stage deploys to
    assert top == {PIPELINE_STACK, f"{PIPELINE_STACK}-support-us-east-1"}
    for name, stacks in stage_stacks(fleet).items():
        assert [(s.stack_name, s.environment.account, s.environment.region) for s in stacks] == [
            (f"{name}-EksPlatform", *ENVIRONMENTS[name])]


def test_build_app_returns_every_stack_by_name(fleet: dict[str, Any]) -> None:
    assert list(fleet["stacks"]) == [PIPELINE_STACK, "dev-EksPlatform", "prod-eu-EksPlatform", "prod-us-EksPlatform"]


def test_synth_needs_no_lookup_and_no_credentials(fleet: dict[str, Any]) -> None:
    assemblies = [fleet["assembly"], *(fleet["assembly"].get_nested_assembly(f"assembly-{n}") for n in ENVIRONMENTS)]
    for assembly in assemblies:
        missing = json.loads((Path(assembly.directory) / "manifest.json").read_text()).get("missing")
        assert not missing, f"{assembly.directory} asks for lookups: {missing}"
    dev = fleet["templates"]["dev-EksPlatform"]
    subnets = support.resources_of(dev, "AWS::EC2::Subnet")
    assert subnets and all("Fn::Select" in json.dumps(s["Properties"]["AvailabilityZone"]) for s in subnets.values())


def test_every_environment_gets_its_own_cluster_stack_and_manifest_folder(fleet: dict[str, Any]) -> None:
    clusters = {name: support.only_resource(fleet["templates"][f"{name}-EksPlatform"], "AWS::EKS::Cluster")
                ["Properties"]["Name"] for name in ENVIRONMENTS}
    assert clusters == {"dev": "platform-dev", "prod-eu": "platform-prod-eu", "prod-us": "platform-prod-us"}
    folders = sorted(p.parent for p in Path(fleet["outdir"]).rglob("kustomization.yaml"))
    assert len(folders) == len(ENVIRONMENTS) == len(set(folders))
    assert all(any(cluster in str(folder) for folder in folders) for cluster in clusters.values())


def test_every_environment_writes_its_own_cluster_contract(fleet: dict[str, Any]) -> None:
    contracts = {path.name: json.loads(path.read_text())
                 for path in (Path(fleet["outdir"]) / CONTRACTS_DIRECTORY).glob("*.json")}
    assert sorted(contracts) == ["platform-dev.json", "platform-prod-eu.json", "platform-prod-us.json"]
    assert all(account in json.dumps(contracts[f"platform-{name}.json"])
               for name, (account, _) in ENVIRONMENTS.items())


def test_environment_overrides_reach_their_stage_only(fleet: dict[str, Any]) -> None:
    versions = {name: support.only_resource(fleet["templates"][f"{name}-EksPlatform"], "AWS::EKS::Cluster")
                ["Properties"]["Version"] for name in ENVIRONMENTS}
    assert versions == {"dev": "1.34", "prod-eu": "1.32", "prod-us": "1.32"}
    nat = {name: len(support.resources_of(fleet["templates"][f"{name}-EksPlatform"], "AWS::EC2::NatGateway"))
           for name in ENVIRONMENTS}
    assert nat == {"dev": 1, "prod-eu": 3, "prod-us": 3}


def test_pipeline_waves_follow_the_configured_order(fleet: dict[str, Any]) -> None:
    pipeline = support.only_resource(fleet["templates"][PIPELINE_STACK], "AWS::CodePipeline::Pipeline")
    names = [stage["Name"] for stage in pipeline["Properties"]["Stages"]]
    assert names[:3] == ["Source", "Build", "UpdatePipeline"] and names[-2:] == ["dev", "production"]
    production = pipeline["Properties"]["Stages"][-1]["Actions"]
    assert production[0]["ActionTypeId"]["Category"] == "Approval"
    deployed = {a["Configuration"]["StackName"] for a in production if a["Name"].endswith("Deploy")}
    assert deployed == {"prod-eu-EksPlatform", "prod-us-EksPlatform"}


# -- gates ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(ENVIRONMENTS))
def test_each_stage_passes_cfn_lint_and_the_eksp_pack(fleet: dict[str, Any], name: str) -> None:
    template = fleet["templates"][f"{name}-EksPlatform"]
    findings = check_template(template, allow=support.CFN_LINT_ALLOW, acknowledgments=acknowledgments(fleet["app"]),
                              regions=(ENVIRONMENTS[name][1],))
    assert findings == [], format_findings(findings, title=name)


def test_pipeline_stack_passes_cfn_lint(fleet: dict[str, Any]) -> None:
    for name in (PIPELINE_STACK, f"{PIPELINE_STACK}-support-us-east-1"):
        findings = [f for f in check_template(fleet["templates"][name], allow=support.CFN_LINT_ALLOW,
                                              regions=("eu-west-1",)) if f.source == "cfn-lint"]
        assert findings == [], format_findings(findings, title=name)


def test_every_stage_passes_both_policy_packs(fleet: dict[str, Any]) -> None:
    rows = run_packs(fleet["app"])
    assert any(row.path.startswith(f"{PIPELINE_STACK}/") for row in rows), "the packs must see the pipeline stack too"
    in_stages = [row for row in rows if row.path.split("/", 1)[0] in ENVIRONMENTS]
    assert in_stages == [], "\n".join(f"{r.pack} {r.rule_id} {r.path}: {r.message}" for r in in_stages)


def test_the_pipeline_adds_nothing_to_the_environments(fleet: dict[str, Any], changed: dict[str, Any]) -> None:
    """Stages built without the pipeline (and with another environment added) are byte for byte the same."""
    for name in ("dev", "prod-us"):
        stack = f"{name}-EksPlatform"
        assert changed["templates"][stack] == fleet["templates"][stack], stack


def test_upgrading_one_environment_changes_only_it_and_replaces_nothing(
    fleet: dict[str, Any], changed: dict[str, Any]
) -> None:
    old, new = fleet["templates"]["prod-eu-EksPlatform"], changed["templates"]["prod-eu-EksPlatform"]
    assert support.only_resource(new, "AWS::EKS::Cluster")["Properties"]["Version"] == "1.33"
    assert violations(old, new) == []
    assert "qa-EksPlatform" in changed["templates"]


def test_the_eksp_pack_reads_the_cluster_of_every_stage(fleet: dict[str, Any]) -> None:
    # a stage without findings because the pack never saw it would pass vacuously
    seen: list[str] = []

    def probe(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
        seen.append(str(properties.get("Name")))
        return []

    rule = Rule(number=0, title="probe", resource_types=frozenset({"AWS::EKS::Cluster"}), level=Level.WARN,
                info="probe", explanation="probe", check=probe)
    EksPlatformChecks(rules=[rule]).validate_scope(fleet["app"])
    assert sorted(seen) == ["platform-dev", "platform-prod-eu", "platform-prod-us"]


def test_synth_summary_lists_every_stage_stack(fleet: dict[str, Any]) -> None:
    spec = importlib.util.spec_from_file_location("synth_summary", support.REPO_ROOT / "scripts" / "synth_summary.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    summary = module.summarize(Path(fleet["outdir"]))
    for name, (account, region) in ENVIRONMENTS.items():
        assert f"Stack {name}/EksPlatform (aws://{account}/{region})" in summary
    assert f"Stack {PIPELINE_STACK} (aws://444444444444/eu-west-1)" in summary
