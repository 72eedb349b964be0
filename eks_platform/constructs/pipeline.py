"""A CDK Pipelines pipeline that delivers platform stages in waves: source from a CodeConnections repository, a
synth step that installs the repository's locked dependencies and runs its tests before ``cdk synth``, then one wave
per deployment step (stages in parallel inside a wave), each after an optional manual approval.

It is a thin wrapper of ``aws_cdk.pipelines.CodePipeline`` (inner id ``Default``, so its logical IDs are those of a
plain ``CodePipeline`` with the wrapper's id) that checks its settings at synth and chooses the defaults a
cross-account fleet needs (encrypted artifacts with key rotation, pipeline type V2, pinned build runtimes).

See: https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.pipelines/README.html
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_iam as iam
from aws_cdk import pipelines
from constructs import Construct

from eks_platform._internal import fleet as rules
from eks_platform._internal import validation as v
from eks_platform._internal.validation import store_tuple
from eks_platform.constructs.keywords import check_fields, checked_keywords, checked_value
from eks_platform.errors import ConfigError, raise_if_problems

#: The synth step's commands: ``make setup`` installs the locked Python dependencies and ``npm ci`` the pinned CDK
#: CLI, ``make test`` runs the test suite (a failing test stops the pipeline before anything is synthesized), and
#: ``make synth`` writes the cloud assembly to ``cdk.out``, the step's output.
DEFAULT_SYNTH_COMMANDS: tuple[str, ...] = ("make setup", "make test", "make synth")
#: Runtimes the synth step selects on the CodeBuild standard 7.0 image (``runtime-versions`` in the buildspec).
#: See: https://docs.aws.amazon.com/codebuild/latest/userguide/runtime-versions.html
DEFAULT_RUNTIMES: dict[str, str] = {"python": "3.11", "nodejs": "22"}
#: Name of the last wave, which deletes the stacks of retired environments (after an approval).
RETIRE_WAVE = "retire"
_STACK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,127}", re.ASCII)
#: Context key of a custom bootstrap qualifier (``cdk bootstrap --qualifier``); CDK's default otherwise.
_QUALIFIER_CONTEXT_KEY = "@aws-cdk/core:bootstrapQualifier"


@checked_value("InvalidPipelineWave")
@dataclass(frozen=True, kw_only=True, slots=True)
class PipelineWave:
    """One wave of a :class:`PlatformPipeline`: stages deployed in parallel, after an optional manual approval.

    Args:
        name: the wave's name (the CodePipeline stage name): lowercase letters, digits and '-'.
        stages: the ``cdk.Stage`` s the wave deploys; each needs an explicit account and region.
        approval: wait for a person to approve in the CodePipeline console before the wave starts.
            Default: - false, the wave starts when the previous one succeeded.
    """

    name: str
    stages: Sequence[cdk.Stage]
    approval: bool = False

    def __post_init__(self) -> None:
        check_fields(self, "InvalidPipelineWave")
        stages = store_tuple(self, "stages")
        problems = rules.environment_name_problems("PipelineWave name", self.name, what="wave name")
        if not stages:
            problems.append(f"PipelineWave {self.name!r} has no stages; give it at least one cdk.Stage")
        problems += [
            f"PipelineWave {self.name!r}: stages[{i}] is a {type(stage).__name__}, not a cdk.Stage"
            for i, stage in enumerate(stages)
            if not isinstance(stage, cdk.Stage)
        ]
        if not isinstance(self.approval, bool):
            problems.append(f"PipelineWave {self.name!r}: approval must be true or false, got {self.approval!r}")
        raise_if_problems("InvalidPipelineWave", problems)


@checked_value("InvalidRetiredStack")
@dataclass(frozen=True, kw_only=True, slots=True)
class RetiredStack:
    """A stack the pipeline deletes: a stack of an environment that left the fleet.

    CDK Pipelines never deletes the stacks of a stage removed from the app (aws/aws-cdk#10190), which would leave
    its roles and access entries (cluster admin) deployed with nobody managing them. The pipeline deletes retired
    stacks in its last wave through the target account's bootstrapped deployment role, as ``cdk destroy`` does;
    what holds data (cluster, secrets key, volumes) is retained by its own removal policy.

    Args:
        stack_name: the CloudFormation stack name (``<environment>-EksPlatform``).
        account: its account.
        region: its region.
    """

    stack_name: str
    account: str
    region: str

    def __post_init__(self) -> None:
        check_fields(self, "InvalidRetiredStack")
        problems = v.aws_account("RetiredStack account", self.account)
        problems += v.aws_region("RetiredStack region", self.region)
        if not isinstance(self.stack_name, str) or not _STACK_NAME.fullmatch(self.stack_name):
            problems.append(
                f"RetiredStack stack_name {self.stack_name!r} is not a CloudFormation stack name (a letter, then up "
                "to 127 letters, digits and '-')"
            )
        raise_if_problems("InvalidRetiredStack", problems)


class PlatformPipeline(Construct):
    """CDK Pipelines (``pipelines.CodePipeline``) for platform stages, wave by wave.

    Cross-account deployment needs every target account bootstrapped with trust for the pipeline account
    (``cdk bootstrap aws://<account>/<region> --trust <pipeline account>
    --cloudformation-execution-policies <policy ARN>``; see the README "Fleet" section and ``make bootstrap-fleet``).

    Args:
        scope: parent construct (a stack with an explicit account and region).
        construct_id: construct id.
        repository: the repository the pipeline builds, ``owner/name`` as in its URL.
        connection_arn: the CodeConnections connection to the repository's host, in the pipeline account.
            See: https://docs.aws.amazon.com/dtconsole/latest/userguide/connections.html
        waves: the deployment order; stages of one wave deploy in parallel.
        branch: the branch the pipeline follows. Default: - ``main``.
        synth_commands: the synth step's commands; the last must leave the cloud assembly in ``cdk.out``.
            Default: - :data:`DEFAULT_SYNTH_COMMANDS` (install the locked dependencies, test, synth).
        cross_account_keys: encrypt the artifact buckets with KMS keys (rotated), which deploying to another account
            requires. Default: - true when a stage's account differs from the pipeline stack's account.
        cli_version: the CDK CLI version the pipeline's self-mutation step installs. Default: - CDK Pipelines'
            default (the latest CLI).
        self_mutation: the pipeline updates itself when its definition changes. Default: - true.
        retired_stacks: stacks of environments that left the fleet: a last wave ``retire`` deletes them after a
            manual approval (deleting a stack that is already gone succeeds, so the wave can stay until the entries
            are removed). Default: - none, no ``retire`` wave.

    Attributes:
        pipeline: the ``pipelines.CodePipeline``.
        source: the CodeConnections source.
        synth: the synth step.
        waves: the ``pipelines.Wave`` s by name, in order (``retire`` last, when there are retired stacks).

    Raises:
        ConfigError: ``InvalidPlatformPipeline`` listing every problem (source settings, wave names, a stage in two
            waves or without an explicit environment).
    """

    @checked_keywords("InvalidPlatformPipeline")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        repository: str,
        connection_arn: str,
        waves: Sequence[PipelineWave],
        branch: str = "main",
        synth_commands: Sequence[str] | None = None,
        cross_account_keys: bool | None = None,
        cli_version: str | None = None,
        self_mutation: bool = True,
        retired_stacks: Sequence[RetiredStack] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        waves = tuple(waves) if isinstance(waves, (list, tuple)) else waves
        problems = rules.repository_problems("repository", repository)
        problems += rules.connection_arn_problems("connection_arn", connection_arn)
        problems += rules.branch_problems("branch", branch)
        commands = tuple(DEFAULT_SYNTH_COMMANDS if synth_commands is None else synth_commands)
        if not commands or not all(isinstance(c, str) and c.strip() for c in commands):
            problems.append(f"synth_commands {synth_commands!r} must be a non-empty list of shell commands")
        if not isinstance(waves, tuple) or not all(isinstance(w, PipelineWave) for w in waves):
            problems.append(f"waves must be a list of PipelineWave, got {waves!r}")
            raise ConfigError("InvalidPlatformPipeline", problems, path=self.node.path)
        problems += rules.wave_problems(
            "waves",
            [(w.name, [s.node.path for s in w.stages]) for w in waves],
            list(dict.fromkeys(s.node.path for w in waves for s in w.stages)),
            members="stages",
        )
        problems += [
            f"waves: stage {stage.node.path!r} has no explicit account and region; give the cdk.Stage an env "
            "(cdk.Environment(account=..., region=...)), which CDK Pipelines needs to deploy it"
            for wave in waves
            for stage in wave.stages
            if not _explicit(stage.account) or not _explicit(stage.region)
        ]
        retired = tuple(retired_stacks)
        if not all(isinstance(r, RetiredStack) for r in retired):
            problems.append(f"retired_stacks must be a list of RetiredStack, got {retired_stacks!r}")
        elif retired and any(w.name == RETIRE_WAVE for w in waves):
            problems.append(
                f"waves: the wave name {RETIRE_WAVE!r} is the wave that deletes retired stacks; name yours otherwise"
            )
        raise_if_problems("InvalidPlatformPipeline", problems, path=self.node.path)

        stack = cdk.Stack.of(self)
        if cross_account_keys is None:
            cross_account_keys = not _explicit(stack.account) or any(
                stage.account != stack.account for wave in waves for stage in wave.stages
            )
        self.source = pipelines.CodePipelineSource.connection(repository, branch, connection_arn=connection_arn)
        self.synth = pipelines.CodeBuildStep(
            "Synth",
            input=self.source,
            commands=list(commands),
            primary_output_directory="cdk.out",
            partial_build_spec=codebuild.BuildSpec.from_object(
                {"phases": {"install": {"runtime-versions": dict(DEFAULT_RUNTIMES)}}}
            ),
            # The test suite and the synth start jsii and cdk8s: 4 vCPU and 7 GB instead of the small instance.
            build_environment=codebuild.BuildEnvironment(compute_type=codebuild.ComputeType.MEDIUM),
        )
        self.pipeline = pipelines.CodePipeline(
            self,
            "Default",
            synth=self.synth,
            cross_account_keys=cross_account_keys,
            enable_key_rotation=cross_account_keys,
            pipeline_type=codepipeline.PipelineType.V2,
            cli_version=cli_version,
            self_mutation=self_mutation,
            code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(build_image=codebuild.LinuxBuildImage.STANDARD_7_0)
            ),
        )
        self.waves: dict[str, pipelines.Wave] = {}
        for wave in waves:
            names = ", ".join(stage.stage_name for stage in wave.stages)
            pre = [pipelines.ManualApprovalStep("Approve", comment=f"Deploy {names}?")] if wave.approval else None
            self.waves[wave.name] = self.pipeline.add_wave(wave.name, pre=pre)
            for stage in wave.stages:
                self.waves[wave.name].add_stage(stage)
        if retired:
            self.waves[RETIRE_WAVE] = self._retire(retired)

    def _retire(self, retired: tuple[RetiredStack, ...]) -> pipelines.Wave:
        """The last wave: approve, then delete each retired stack through its account's deployment role."""
        qualifier = self.node.try_get_context(_QUALIFIER_CONTEXT_KEY) or cdk.DefaultStackSynthesizer.DEFAULT_QUALIFIER
        roles = sorted({_bootstrap_role(r, qualifier, "deploy-role") for r in retired})
        step = pipelines.CodeBuildStep(
            "DeleteRetiredStacks",
            input=self.synth,
            commands=[_delete_command(r, qualifier) for r in retired],
            role_policy_statements=[iam.PolicyStatement(actions=["sts:AssumeRole"], resources=roles)],
        )
        names = ", ".join(f"{r.stack_name} ({r.account}/{r.region})" for r in retired)
        approval = pipelines.ManualApprovalStep("Approve", comment=f"Delete the stacks of retired environments: "
                                                f"{names}?")
        step.add_step_dependency(approval)  # a wave without stages would run its pre and post steps together
        return self.pipeline.add_wave(RETIRE_WAVE, pre=[approval], post=[step])



def _explicit(value: str | None) -> bool:
    """An account or region written in the app (not None, not a deploy-time token)."""
    return value is not None and not cdk.Token.is_unresolved(value)


def _bootstrap_role(stack: RetiredStack, qualifier: str, kind: str) -> str:
    """ARN of a role ``cdk bootstrap`` created in the stack's account and region (``deploy-role``, ``cfn-exec-role``).

    See: https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
    """
    partition = v.partition_of_region(stack.region) or "aws"
    return f"arn:{partition}:iam::{stack.account}:role/cdk-{qualifier}-{kind}-{stack.account}-{stack.region}"


def _delete_command(stack: RetiredStack, qualifier: str) -> str:
    """One shell command: assume the deployment role, delete the stack with the CloudFormation execution role, wait."""
    deploy = _bootstrap_role(stack, qualifier, "deploy-role")
    execution = _bootstrap_role(stack, qualifier, "cfn-exec-role")
    where = f"--region {stack.region} --stack-name {stack.stack_name}"
    return (
        f"(set -e; set -- $(aws sts assume-role --role-arn {deploy} --role-session-name eks-platform-retire "
        "--query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text); "
        "export AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 AWS_SESSION_TOKEN=$3; "
        f"aws cloudformation delete-stack {where} --role-arn {execution}; "
        f"aws cloudformation wait stack-delete-complete {where})"
    )
