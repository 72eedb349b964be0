"""`platform.environments` and `platform.pipeline`: environments inherit the base settings and override any of them,
names are unique per environment by construction, and one ConfigError names every problem by its cdk.json path."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from typing import Any

import pytest

from eks_platform import ConfigError
from eks_platform._internal.fleet import bootstrap_commands, merge_overrides
from eks_platform.config import parse_platform_config
from eks_platform.config.environments import PIPELINE_KEYS, FleetConfig, cluster_names, parse_fleet_config
from tests.support import REPO_ROOT, cdk_json_context

TODAY = dt.date(2026, 11, 27)
CONNECTION = "arn:aws:codeconnections:eu-west-1:444444444444:connection/0a1b2c3d-1111-2222-3333-444455556666"


def fleet_platform() -> dict[str, Any]:
    """The example fleet's ``platform`` object (three environments, two regions, a pipeline)."""
    loaded: dict[str, Any] = json.loads((REPO_ROOT / "examples" / "fleet" / "cdk.json").read_text())
    return copy.deepcopy(loaded["context"]["platform"])


def parse(raw: dict[str, Any]) -> FleetConfig:
    return parse_fleet_config(raw, environ={}, today=TODAY)


def problems_of(raw: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as caught:
        parse(raw)
    assert caught.value.code == "InvalidPlatformConfig"
    return caught.value.problems


def env(account: str = "222222222222", region: str = "eu-west-1", **overrides: Any) -> dict[str, Any]:
    return {"account": account, "region": region, **overrides}


def root_env(**overrides: Any) -> dict[str, Any]:
    """An environment in the region of the reference cdk.json's AZ IDs (us-east-1)."""
    return env(region="us-east-1", **overrides)


# -- the single environment ----------------------------------------------------------------------------------------
def test_platform_without_environments_is_the_single_environment() -> None:
    raw = cdk_json_context()["platform"]
    fleet = parse(raw)
    assert fleet.environments == ()
    assert fleet.pipeline is None
    assert fleet.base == parse_platform_config(raw, environ={}, today=TODAY)


# -- environments --------------------------------------------------------------------------------------------------
def test_example_fleet_has_three_environments_in_two_regions() -> None:
    fleet = parse(fleet_platform())
    assert [e.name for e in fleet.environments] == ["dev", "prod-eu", "prod-us"]
    assert {e.platform.region for e in fleet.environments} == {"eu-west-1", "us-east-1"}
    assert fleet.environment("prod-us").platform.account == "333333333333"


def test_environment_inherits_every_base_setting_it_does_not_override() -> None:
    raw = cdk_json_context()["platform"]
    fleet = parse({**raw, "environments": {"dev": root_env()}})
    dev = fleet.environment("dev").platform
    assert dev.kubernetes_version == fleet.base.kubernetes_version
    assert dev.addons == fleet.base.addons
    assert dev.node_pools == fleet.base.node_pools
    assert dev.pod_identities == fleet.base.pod_identities
    assert (dev.account, dev.region) == ("222222222222", "us-east-1")
    assert dev.availability_zones == fleet.base.availability_zones


def test_environment_overrides_any_platform_setting() -> None:
    raw = cdk_json_context()["platform"]
    overrides = env(kubernetesVersion="1.34", natGateways=1, adminPrincipalArns=[], hybrid=None,
                    availabilityZones=["euw1-az1", "euw1-az2"], nodePools={"pools": {"batch": {"cpuLimit": 512}}})
    dev = parse({**raw, "environments": {"dev": overrides}}).environment("dev").platform
    assert dev.kubernetes_version == "1.34"
    assert dev.nat_gateways == 1
    assert dev.admin_principal_arns == ()
    assert dev.hybrid is None  # null restores the default: no hybrid nodes in this environment
    assert dev.node_pools is not None
    batch = next(pool for pool in dev.node_pools.node_pools if pool.name == "batch")
    assert batch.cpu_limit == 512  # objects merge key by key ...
    assert [a.value for a in batch.architectures] == ["arm64"]  # ... so the pool keeps the base's other settings


def test_lists_replace_the_base_value_whole() -> None:
    raw = {"tags": {"team": "platform"}, "adminPrincipalArns": ["arn:aws:iam::111111111111:role/A"]}
    dev = parse({**raw, "environments": {"dev": env(adminPrincipalArns=["arn:aws:iam::222222222222:role/B"],
                                                    tags={"environment": "dev"})}}).environment("dev").platform
    assert dev.admin_principal_arns == ("arn:aws:iam::222222222222:role/B",)
    assert dict(dev.tags) == {"team": "platform", "environment": "dev"}


def test_fails_when_an_environment_inherits_the_zones_of_another_region() -> None:
    raw = cdk_json_context()["platform"]  # AZ IDs of us-east-1
    problems = problems_of({**raw, "environments": {"eu": env(region="eu-west-1")}})
    assert problems == (
        "platform.environments.eu.availabilityZones has use1-az1, use1-az2, use1-az4 (inherited from "
        "platform.availabilityZones), which are not zones of eu-west-1; set availabilityZones for this environment "
        "to AZ IDs of eu-west-1 (they start with euw1-az) or to its AZ names, or to null for the first three zones "
        "of the region",)


def test_zones_of_another_region_are_reported_with_every_other_problem() -> None:
    """One check (the model's) judges the zones against the region, so it is reported together with the rest."""
    raw = cdk_json_context()["platform"]  # AZ IDs of us-east-1
    problems = problems_of({**raw, "environments": {"eu": env(region="eu-west-1", natGateways=7)}})
    assert [p.split(" ", 1)[0] for p in problems] == [
        "platform.environments.eu.availabilityZones", "platform.environments.eu.natGateways"]


def test_a_single_environment_refuses_az_ids_of_another_region() -> None:
    problems = problems_of({"region": "eu-west-1", "availabilityZones": ["use1-az1", "use1-az2"]})
    assert problems == (
        "platform.availabilityZones has use1-az1, use1-az2, which are not zones of eu-west-1; set availabilityZones "
        "for this environment to AZ IDs of eu-west-1 (they start with euw1-az) or to its AZ names, or to null for the "
        "first three zones of the region",)


@pytest.mark.parametrize("zones", [["euw1-az1", "euw1-az3"], ["eu-west-1a", "eu-west-1b"], None])
def test_an_environment_in_another_region_names_its_own_zones(zones: Any) -> None:
    raw = cdk_json_context()["platform"]
    eu = parse({**raw, "environments": {"eu": env(availabilityZones=zones)}}).environment("eu").platform
    assert eu.availability_zones == (tuple(zones) if zones else None)


def test_fails_when_an_environment_names_zones_of_another_region() -> None:
    problems = problems_of({"environments": {"eu": env(availabilityZones=["eu-west-2a", "euw1-az1"])}})
    assert len(problems) == 1 and problems[0].startswith(
        "platform.environments.eu.availabilityZones[0] 'eu-west-2a' is not an availability zone of the stack's "
        "region eu-west-1")


def test_merge_overrides_follows_helm_value_rules_and_copies() -> None:
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 1, "c": {"z": 1}}
    overrides = {"a": {"y": [3]}, "b": None, "d": {"k": "v"}}
    merged = merge_overrides(base, overrides)
    assert merged == {"a": {"x": 1, "y": [3]}, "c": {"z": 1}, "d": {"k": "v"}}
    assert base == {"a": {"x": 1, "y": [1, 2]}, "b": 1, "c": {"z": 1}}
    merged["c"]["z"] = 2
    assert base["c"]["z"] == 1


def test_cluster_names_are_derived_from_the_environment_name() -> None:
    fleet = parse({"clusterName": "platform", "environments": {"dev": env(), "prod": env(account="333333333333")}})
    assert [e.platform.cluster_name for e in fleet.environments] == ["platform-dev", "platform-prod"]


def test_a_null_cluster_name_override_means_the_derived_name() -> None:
    fleet = parse({"clusterName": "shop", "environments": {"dev": env(clusterName=None)}})
    assert fleet.environment("dev").platform.cluster_name == "shop-dev"


def test_fails_when_the_base_cluster_name_is_null() -> None:
    problems = problems_of({"clusterName": None, "environments": {"dev": env()}})
    assert problems[0].startswith("platform.clusterName must be a string, got null")


def test_an_environment_may_name_its_own_cluster() -> None:
    fleet = parse({"environments": {"dev": env(clusterName="legacy-dev")}})
    assert fleet.environment("dev").platform.cluster_name == "legacy-dev"


def test_hybrid_environment_creates_two_clusters() -> None:
    raw = cdk_json_context()["platform"]
    dev = parse({**raw, "environments": {"dev": root_env()}}).environment("dev").platform
    assert cluster_names(dev) == ("eks-platform-dev", "eks-platform-dev-hybrid")


def test_fails_when_two_environments_name_the_same_cluster() -> None:
    problems = problems_of({"environments": {"a": env(clusterName="shared"), "b": env(clusterName="shared")}})
    assert problems == (
        "platform.environments.b.clusterName gives cluster name 'shared', which environment 'a' already has; every "
        "environment needs its own cluster name: give it another clusterName, or leave clusterName out to get "
        "'<clusterName>-<environment>'",
    )


def test_fails_when_a_cluster_name_collides_with_a_derived_one() -> None:
    problems = problems_of({"clusterName": "p", "environments": {"dev": env(), "x": env(clusterName="p-dev")}})
    assert len(problems) == 1
    assert problems[0].startswith("platform.environments.x.clusterName gives cluster name 'p-dev'")


def test_fails_when_an_environment_name_collides_with_another_hybrid_cluster() -> None:
    raw = cdk_json_context()["platform"]  # with hybrid: environment "a" also creates "eks-platform-a-hybrid"
    problems = problems_of({**raw, "environments": {"a": root_env(), "a-hybrid": root_env(hybrid=None)}})
    assert len(problems) == 1
    assert problems[0].startswith(
        "platform.environments.a-hybrid.clusterName gives cluster name 'eks-platform-a-hybrid', which environment 'a' "
        "already has")


def test_fails_when_an_environment_lacks_account_and_region() -> None:
    problems = problems_of({"environments": {"dev": {"kubernetesVersion": "1.32"}}})
    assert problems == (
        "platform.environments.dev.account is required: every environment names the AWS account it deploys to "
        "(12 digits)",
        "platform.environments.dev.region is required: every environment names the AWS region it deploys to (for "
        "example eu-west-1)",
    )


@pytest.mark.parametrize("name", ["Dev", "prod_eu", "1dev", "dev-", "x" * 33, ""])
def test_fails_when_an_environment_name_is_not_a_lowercase_label(name: str) -> None:
    problems = problems_of({"environments": {name: env()}})
    assert problems and all(p.startswith("platform.environments key") for p in problems)
    assert any(repr(name) in p for p in problems)


def test_fails_when_an_environment_has_an_unknown_key() -> None:
    problems = problems_of({"environments": {"dev": env(kubernetesVersoin="1.33")}})
    assert len(problems) == 1
    assert problems[0].startswith("platform.environments.dev has an unknown key 'kubernetesVersoin'")
    assert "kubernetesVersion" in problems[0]


@pytest.mark.parametrize("key", ["environments", "pipeline"])
def test_fails_when_an_environment_nests_fleet_sections(key: str) -> None:
    problems = problems_of({"environments": {"dev": env(**{key: {}})}})
    assert len(problems) == 1 and problems[0].startswith(f"platform.environments.dev has an unknown key '{key}'")


def test_override_problems_are_named_by_the_environment_path() -> None:
    raw = cdk_json_context()["platform"]
    problems = problems_of({**raw, "environments": {"prod": root_env(
        nodePools={"pools": {"batch": {"cpuLimit": "x"}}}, natGateways=7)}})
    assert any(p.startswith("platform.environments.prod.natGateways 7 ") for p in problems)
    assert any(p.startswith("platform.environments.prod.nodePools.pools.batch") and "'x'" in p for p in problems)
    assert len(problems) == 2


def test_a_bad_base_setting_is_reported_once_not_per_environment() -> None:
    problems = problems_of({"natGateways": 9, "environments": {"a": env(), "b": env(account="333333333333")}})
    assert problems == ("platform.natGateways 9 must be a whole number from 0 to 3",)


def test_fails_with_every_problem_of_base_environments_and_pipeline_at_once() -> None:
    problems = problems_of({
        "natGateways": 9,
        "environments": {"dev": env(region="mars-1"), "Prod": env()},
        "pipeline": {"account": "444444444444", "region": "eu-west-1", "repository": "nope", "connectionArn": "x"},
    })
    joined = "\n".join(problems)
    for expected in ("platform.natGateways", "platform.environments.dev.region", "platform.environments key 'Prod'",
                     "platform.pipeline.repository", "platform.pipeline.connectionArn"):
        assert expected in joined


@pytest.mark.parametrize("raw", [[], {}, "dev"])
def test_fails_when_environments_is_not_a_non_empty_object(raw: Any) -> None:
    problems = problems_of({"environments": raw})
    assert len(problems) == 1 and problems[0].startswith("platform.environments must be a non-empty object")


# -- pipeline ------------------------------------------------------------------------------------------------------
def pipeline(**overrides: Any) -> dict[str, Any]:
    return {"account": "444444444444", "region": "eu-west-1", "connectionArn": CONNECTION,
            "repository": "example-org/eks-platform", **overrides}


def two_environments(**pipeline_overrides: Any) -> dict[str, Any]:
    return {"environments": {"dev": env(), "prod": env(account="333333333333", region="us-east-1")},
            "pipeline": pipeline(**pipeline_overrides)}


def test_example_pipeline_deploys_dev_then_both_production_regions_after_approval() -> None:
    config = parse(fleet_platform()).pipeline
    assert config is not None
    assert [(w.name, w.environments, w.approval) for w in config.waves] == [
        ("dev", ("dev",), False), ("production", ("prod-eu", "prod-us"), True)]
    assert (config.repository, config.branch) == ("example-org/eks-platform", "main")


def test_waves_default_to_one_per_environment_in_declaration_order() -> None:
    config = parse(two_environments()).pipeline
    assert config is not None
    assert [(w.name, w.environments, w.approval) for w in config.waves] == [
        ("dev", ("dev",), False), ("prod", ("prod",), False)]


def test_fails_when_pipeline_settings_are_missing() -> None:
    problems = problems_of({"environments": {"dev": env()}, "pipeline": {}})
    assert [p.split(" is required")[0] for p in problems] == [
        "platform.pipeline.account", "platform.pipeline.region", "platform.pipeline.connectionArn",
        "platform.pipeline.repository"]


@pytest.mark.parametrize(
    ("key", "value", "start"),
    [
        ("connectionArn", "arn:aws:iam::444444444444:role/x", "platform.pipeline.connectionArn"),
        ("repository", "eks-platform", "platform.pipeline.repository 'eks-platform' is not a repository name"),
        ("branch", "feature branch", "platform.pipeline.branch 'feature branch' is not a git branch name"),
        ("account", "4444", "platform.pipeline.account '4444'"),
        ("region", "EU", "platform.pipeline.region 'EU'"),
        ("cliVersion", "latest", "platform.pipeline.cliVersion 'latest' is not a version"),
        ("approval", True, "platform.pipeline has an unknown key 'approval'"),
    ],
)
def test_fails_when_a_pipeline_setting_is_invalid(key: str, value: Any, start: str) -> None:
    problems = problems_of(two_environments(**{key: value}))
    assert len(problems) == 1 and problems[0].startswith(start), problems


def test_legacy_codestar_connection_arns_are_accepted() -> None:
    arn = CONNECTION.replace("codeconnections", "codestar-connections")
    config = parse(two_environments(connectionArn=arn)).pipeline
    assert config is not None and config.connection_arn == arn


@pytest.mark.parametrize(
    ("waves", "expected"),
    [
        ([{"name": "all", "environments": ["dev", "prod", "qa"]}],
         ["platform.pipeline.waves[0].environments[2] 'qa' is not an environment; the environments are 'dev', "
          "'prod'"]),
        ([{"name": "a", "environments": ["dev"]}, {"name": "b", "environments": ["dev", "prod"]}],
         ["platform.pipeline.waves[1].environments[0] 'dev' is already deployed by wave 'a'; list each environment "
          "in exactly one wave"]),
        ([{"name": "a", "environments": ["dev"]}],
         ["platform.pipeline.waves does not deploy 'prod'; add each environment to one wave (or remove it from "
          "platform.environments)"]),
        ([{"name": "a", "environments": ["dev"]}, {"name": "a", "environments": ["prod"]}],
         ["platform.pipeline.waves[1].name 'a' is also the name of platform.pipeline.waves[0]; give each wave its "
          "own name"]),
        ([], ["platform.pipeline.waves is empty; list at least one wave, e.g. [{\"name\": \"dev\", "
              "\"environments\": [\"dev\"]}]"]),
        ([{"name": "all", "environments": ["dev", "prod"], "approval": "yes"}],
         ["platform.pipeline.waves[0].approval must be true or false, got string 'yes'"]),
        ([{"name": "all", "environments": ["dev", "prod"], "when": "now"}],
         ["platform.pipeline.waves[0] has an unknown key 'when'"]),
    ],
)
def test_fails_when_waves_do_not_deploy_each_environment_exactly_once(waves: Any, expected: list[str]) -> None:
    problems = problems_of(two_environments(waves=waves))
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), problem


def test_fails_when_a_pipeline_has_no_environments() -> None:
    problems = problems_of({"pipeline": pipeline(waves=[{"name": "dev", "environments": ["dev"]}])})
    assert any(p.startswith("platform.pipeline deploys environments, but platform.environments is not set")
               for p in problems)


# -- bootstrap -----------------------------------------------------------------------------------------------------
def test_bootstrap_trusts_the_pipeline_account_in_every_other_environment() -> None:
    commands = bootstrap_commands(
        ("444444444444", "eu-west-1"),
        [("222222222222", "eu-west-1"), ("333333333333", "eu-west-1"), ("333333333333", "us-east-1"),
         ("444444444444", "us-east-1"), ("333333333333", "us-east-1")],
    )
    policy = ("--cloudformation-execution-policies", "arn:aws:iam::aws:policy/AdministratorAccess")
    assert commands == [
        ("444444444444", ("aws://444444444444/eu-west-1", *policy)),
        ("444444444444", ("aws://444444444444/us-east-1", *policy)),
        ("222222222222", ("aws://222222222222/eu-west-1", "--trust", "444444444444", *policy)),
        ("333333333333", ("aws://333333333333/eu-west-1", "--trust", "444444444444", *policy)),
        ("333333333333", ("aws://333333333333/us-east-1", "--trust", "444444444444", *policy)),
    ]


def test_bootstrap_policy_follows_the_partition() -> None:
    commands = bootstrap_commands(("444444444444", "cn-north-1"), [("222222222222", "cn-northwest-1")])
    assert all("arn:aws-cn:iam::aws:policy/AdministratorAccess" in arguments for _, arguments in commands)


# -- docs ----------------------------------------------------------------------------------------------------------
def test_readme_documents_every_fleet_setting() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Fleet\n(?P<body>.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL)
    assert section, "README has no '## Fleet' section"
    missing = [key for key in ["environments", "retired", *PIPELINE_KEYS] if f"`{key}`" not in section.group("body")]
    assert missing == []


def test_app_prints_fleet_problems_and_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                               tmp_path: Any) -> None:
    import aws_cdk as cdk

    from eks_platform.stacks import app as app_module

    context = {"platform": {"environments": {"dev": {"region": "eu-west-1"}}}, "eks-platform:synthDate": "2026-11-27"}
    real_app = cdk.App
    monkeypatch.setattr(cdk, "App", lambda: real_app(context=context, outdir=str(tmp_path)))
    assert app_module.main() == 2
    err = capsys.readouterr().err
    assert "platform.environments.dev.account is required" in err and "Traceback" not in err


# -- retiring an environment ---------------------------------------------------------------------------------------
def test_a_retired_environment_gets_no_stage_and_no_wave() -> None:
    raw = two_environments()
    raw["environments"]["old"] = env(account="555555555555", retired=True)
    fleet = parse(raw)
    assert [e.name for e in fleet.active] == ["dev", "prod"]
    assert [(e.name, e.platform.account) for e in fleet.retired] == [("old", "555555555555")]
    assert fleet.pipeline is not None and [w.name for w in fleet.pipeline.waves] == ["dev", "prod"]


def test_a_retired_environment_keeps_its_cluster_name_reserved() -> None:
    raw = two_environments()
    raw["environments"]["old"] = env(retired=True, clusterName="shared")
    raw["environments"]["new"] = env(clusterName="shared")
    raw["pipeline"]["waves"] = [{"name": "all", "environments": ["dev", "prod", "new"]}]
    assert any("'shared', which environment 'old' already has" in p for p in problems_of(raw))


def test_fails_when_a_retired_environment_is_in_a_wave() -> None:
    raw = two_environments(waves=[{"name": "all", "environments": ["dev", "prod", "old"]}])
    raw["environments"]["old"] = env(retired=True)
    assert problems_of(raw) == (
        "platform.pipeline.waves[0].environments[2] 'old' is retired: the pipeline deletes its stacks in its last "
        "wave; remove it from the waves",)


def test_fails_when_an_environment_retires_without_a_pipeline() -> None:
    problems = problems_of({"environments": {"dev": env(), "old": env(retired=True)}})
    assert len(problems) == 1 and problems[0].startswith(
        "platform.environments: 'old' retired, but there is no platform.pipeline to delete their stacks")


def test_fails_when_retired_is_not_a_boolean() -> None:
    raw = two_environments()
    raw["environments"]["dev"]["retired"] = "yes"
    assert problems_of(raw) == ("platform.environments.dev.retired must be true or false, got str 'yes'",)
