"""PlatformPipeline: CDK Pipelines from a CodeConnections source, a synth step that tests before it synthesizes, and
waves of stages in the given order with manual approvals where asked. Small stages (one queue each) keep it fast."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs

from eks_platform import ConfigError, PipelineWave, PlatformPipeline, RetiredStack
from eks_platform.constructs.pipeline import DEFAULT_SYNTH_COMMANDS
from eks_platform.testing.synth import CLI_DEFAULT_CONTEXT
from tests import support

CONNECTION = "arn:aws:codeconnections:eu-west-1:444444444444:connection/0a1b2c3d-1111-2222-3333-444455556666"
PIPELINE_ENV = cdk.Environment(account="444444444444", region="eu-west-1")


def small_stage(app: cdk.App, name: str, account: str | None, region: str | None) -> cdk.Stage:
    env = cdk.Environment(account=account, region=region) if account and region else None
    stage = cdk.Stage(app, name, env=env)
    sqs.Queue(cdk.Stack(stage, "Workload"), "Queue", enforce_ssl=True)
    return stage


def new_app() -> cdk.App:
    """An app as `cdk synth` builds one: cdk.json's feature flags and path metadata (cfn-lint recognises a CDK
    template by it and accepts the `Fn::Join` role ARNs CDK Pipelines writes)."""
    flags = {k: v for k, v in support.cdk_json_context().items() if k.startswith("@aws-cdk/")}
    return support.new_app({**CLI_DEFAULT_CONTEXT, **flags})


def build(**overrides: Any) -> tuple[cdk.App, PlatformPipeline]:
    app = new_app()
    stack = cdk.Stack(app, "PipelineStack", env=PIPELINE_ENV)
    dev = small_stage(app, "dev", "222222222222", "eu-west-1")
    prod_eu = small_stage(app, "prod-eu", "333333333333", "eu-west-1")
    prod_us = small_stage(app, "prod-us", "333333333333", "us-east-1")
    settings: dict[str, Any] = {
        "repository": "example-org/eks-platform",
        "connection_arn": CONNECTION,
        "waves": [PipelineWave(name="dev", stages=[dev]),
                  PipelineWave(name="production", stages=[prod_eu, prod_us], approval=True)],
        "retired_stacks": [RetiredStack(stack_name="qa-Workload", account="555555555555", region="eu-west-1")],
    }
    settings.update(overrides)
    return app, PlatformPipeline(stack, "Pipeline", **settings)


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    app, pipeline = build()
    templates = support.synth(app, label="pipeline-unit")
    return {"app": app, "pipeline": pipeline, "template": templates["PipelineStack"], "templates": templates}


def stages_of(template: dict[str, Any]) -> list[dict[str, Any]]:
    pipeline = support.only_resource(template, "AWS::CodePipeline::Pipeline")
    stages: list[dict[str, Any]] = pipeline["Properties"]["Stages"]
    return stages


def test_source_is_the_codeconnections_repository(built: dict[str, Any]) -> None:
    source = stages_of(built["template"])[0]["Actions"][0]
    assert source["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
    assert source["Configuration"]["ConnectionArn"] == CONNECTION
    assert source["Configuration"]["FullRepositoryId"] == "example-org/eks-platform"
    assert source["Configuration"]["BranchName"] == "main"


def test_synth_step_installs_tests_then_synthesizes(built: dict[str, Any]) -> None:
    projects = support.resources_of(built["template"], "AWS::CodeBuild::Project")
    synth = next(p for p in projects.values() if "make test" in p["Properties"]["Source"]["BuildSpec"])
    spec = synth["Properties"]["Source"]["BuildSpec"]
    positions = [spec.index(f'"{command}"') for command in DEFAULT_SYNTH_COMMANDS]
    assert positions == sorted(positions), "install, then test, then synth"
    assert '"python": "3.11"' in spec and '"nodejs": "22"' in spec
    assert synth["Properties"]["Environment"]["ComputeType"] == "BUILD_GENERAL1_MEDIUM"
    assert synth["Properties"]["Environment"]["Image"] == "aws/codebuild/standard:7.0"


def test_waves_deploy_in_order_with_approval_where_asked(built: dict[str, Any]) -> None:
    names = [stage["Name"] for stage in stages_of(built["template"])]
    assert names[:2] == ["Source", "Build"]
    assert names[-3:] == ["dev", "production", "retire"]
    dev, production = stages_of(built["template"])[-3:-1]
    assert not any(a["ActionTypeId"]["Category"] == "Approval" for a in dev["Actions"])
    approvals = [a for a in production["Actions"] if a["ActionTypeId"]["Category"] == "Approval"]
    assert len(approvals) == 1
    first_deploy = min(a["RunOrder"] for a in production["Actions"] if a["ActionTypeId"]["Category"] == "Deploy")
    assert approvals[0]["RunOrder"] < first_deploy, "the approval comes before the wave's deployments"


def test_stages_of_one_wave_deploy_in_parallel(built: dict[str, Any]) -> None:
    production = stages_of(built["template"])[-2]
    prepares = {a["Name"]: a["RunOrder"] for a in production["Actions"] if a["Name"].endswith("Prepare")}
    assert len(prepares) == 2 and len(set(prepares.values())) == 1, prepares


def test_cross_account_stages_get_rotated_artifact_keys(built: dict[str, Any]) -> None:
    keys = support.resources_of(built["template"], "AWS::KMS::Key")
    assert keys and all(k["Properties"]["EnableKeyRotation"] is True for k in keys.values())
    assert support.only_resource(built["template"], "AWS::CodePipeline::Pipeline")["Properties"]["PipelineType"] == "V2"


def test_deploy_actions_assume_the_bootstrapped_roles_of_each_target_account(built: dict[str, Any]) -> None:
    actions = [a for s in stages_of(built["template"])[-3:] for a in s["Actions"] if a["Name"].endswith("Prepare")]
    accounts = {action["Configuration"]["StackName"]: str(action["RoleArn"]) for action in actions}
    assert set(accounts) == {"dev-Workload", "prod-eu-Workload", "prod-us-Workload"}
    assert "222222222222" in accounts["dev-Workload"] and "cdk-hnb659fds-deploy-role" in accounts["dev-Workload"]


def test_a_cross_region_wave_gets_a_support_stack_in_that_region(built: dict[str, Any]) -> None:
    assert "PipelineStack-support-us-east-1" in built["templates"]


def test_exposes_the_pipeline_and_its_waves(built: dict[str, Any]) -> None:
    pipeline: PlatformPipeline = built["pipeline"]
    assert list(pipeline.waves) == ["dev", "production", "retire"]
    assert pipeline.pipeline.node.id == "Default"


def test_retired_stacks_are_deleted_last_after_an_approval(built: dict[str, Any]) -> None:
    retire = stages_of(built["template"])[-1]
    kinds = [(a["ActionTypeId"]["Category"], a["RunOrder"]) for a in retire["Actions"]]
    assert kinds == [("Approval", 1), ("Build", 2)]
    projects = support.resources_of(built["template"], "AWS::CodeBuild::Project")
    spec = next(p["Properties"]["Source"]["BuildSpec"] for p in projects.values()
                if "delete-stack" in p["Properties"]["Source"]["BuildSpec"])
    assert "--role-arn arn:aws:iam::555555555555:role/cdk-hnb659fds-deploy-role-555555555555-eu-west-1" in spec
    assert ("delete-stack --region eu-west-1 --stack-name qa-Workload --role-arn "
            "arn:aws:iam::555555555555:role/cdk-hnb659fds-cfn-exec-role-555555555555-eu-west-1") in spec
    assert "wait stack-delete-complete --region eu-west-1 --stack-name qa-Workload" in spec


def test_the_retire_step_may_assume_only_the_deployment_roles_it_needs(built: dict[str, Any]) -> None:
    statements = [st for policy in support.resources_of(built["template"], "AWS::IAM::Policy").values()
                  for st in policy["Properties"]["PolicyDocument"]["Statement"] if st.get("Action") == "sts:AssumeRole"
                  and "555555555555" in str(st.get("Resource"))]
    role = "arn:aws:iam::555555555555:role/cdk-hnb659fds-deploy-role-555555555555-eu-west-1"
    assert statements == [{"Action": "sts:AssumeRole", "Effect": "Allow", "Resource": role}]


def test_same_account_stages_need_no_artifact_keys() -> None:
    app = new_app()
    stack = cdk.Stack(app, "PipelineStack", env=PIPELINE_ENV)
    stage = small_stage(app, "dev", "444444444444", "eu-west-1")
    PlatformPipeline(stack, "Pipeline", repository="o/r", connection_arn=CONNECTION,
                     waves=[PipelineWave(name="dev", stages=[stage])])
    template = cdk.assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::KMS::Key", 0)


# -- refusals ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"repository": "just-a-name"}, r"repository 'just-a-name' is not a repository name"),
        ({"connection_arn": "arn:aws:s3:::bucket"}, r"connection_arn 'arn:aws:s3:::bucket' is not a CodeConnections"),
        ({"branch": "has space"}, r"branch 'has space' is not a git branch name"),
        ({"synth_commands": []}, r"synth_commands \[\] must be a non-empty list"),
        ({"waves": []}, r"waves is empty"),
        ({"waves": "dev"}, r"waves must be a list of PipelineWave"),
        ({"retired_stacks": ["qa-Workload"]}, r"retired_stacks\[0\] must be a RetiredStack, got str 'qa-Workload'"),
    ],
)
def test_fails_when_a_setting_is_invalid(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        build(**overrides)
    assert caught.value.code == "InvalidPlatformPipeline"


def test_fails_when_a_stage_is_in_two_waves() -> None:
    app = new_app()
    stack = cdk.Stack(app, "PipelineStack", env=PIPELINE_ENV)
    stage = small_stage(app, "dev", "222222222222", "eu-west-1")
    with pytest.raises(ConfigError, match=r"waves\[1\].stages\[0\] 'dev' is already deployed by wave 'a'"):
        PlatformPipeline(stack, "Pipeline", repository="o/r", connection_arn=CONNECTION,
                         waves=[PipelineWave(name="a", stages=[stage]), PipelineWave(name="b", stages=[stage])])


def test_fails_when_a_stage_has_no_explicit_environment() -> None:
    app = new_app()
    stack = cdk.Stack(app, "PipelineStack", env=PIPELINE_ENV)
    stage = small_stage(app, "anywhere", None, None)
    with pytest.raises(ConfigError, match=r"stage 'anywhere' has no explicit account and region"):
        PlatformPipeline(stack, "Pipeline", repository="o/r", connection_arn=CONNECTION,
                         waves=[PipelineWave(name="a", stages=[stage])])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"name": "Prod", "stages": ()}, r"PipelineWave name 'Prod' is not a valid wave name"),
        ({"name": "prod", "stages": ()}, r"PipelineWave 'prod' has no stages"),
        ({"name": "prod", "stages": ("dev",)}, r"PipelineWave.stages\[0\] must be a cdk.Stage, got str 'dev'"),
        ({"name": "prod", "stages": (), "approval": "yes"}, r"approval must be True or False, got str 'yes'"),
    ],
)
def test_wave_fails_when_invalid(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        PipelineWave(**settings)
    assert caught.value.code == "InvalidPipelineWave"


def test_fails_when_a_wave_takes_the_name_of_the_retire_wave() -> None:
    app = new_app()
    stack = cdk.Stack(app, "PipelineStack", env=PIPELINE_ENV)
    stage = small_stage(app, "dev", "222222222222", "eu-west-1")
    with pytest.raises(ConfigError, match=r"the wave name 'retire' is the wave that deletes retired stacks"):
        PlatformPipeline(stack, "Pipeline", repository="o/r", connection_arn=CONNECTION,
                         waves=[PipelineWave(name="retire", stages=[stage])],
                         retired_stacks=[RetiredStack(stack_name="qa-X", account="555555555555", region="eu-west-1")])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"stack_name": "1-bad", "account": "555555555555", "region": "eu-west-1"}, r"stack_name '1-bad'"),
        ({"stack_name": "qa-X", "account": "55", "region": "eu-west-1"}, r"RetiredStack account '55'"),
        ({"stack_name": "qa-X", "account": "555555555555", "region": "x"}, r"RetiredStack region 'x'"),
    ],
)
def test_retired_stack_fails_when_invalid(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        RetiredStack(**settings)
    assert caught.value.code == "InvalidRetiredStack"
