"""The pipeline stack of a fleet: CDK Pipelines delivering one :class:`PlatformStage` per environment, in waves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from eks_platform.config.environments import PipelineConfig
from eks_platform.constructs.pipeline import PipelineWave, PlatformPipeline, RetiredStack
from eks_platform.stacks.base import HermeticStack

PIPELINE_STACK_NAME = "EksPlatformPipeline"


class PlatformPipelineStack(HermeticStack):
    """The stack holding the fleet's :class:`PlatformPipeline`, in the pipeline account and region.

    Args:
        scope: the app.
        construct_id: stack id.
        config: ``platform.pipeline``.
        stages: the environments' stages by name; the waves of ``config`` deploy them.
        retired_stacks: stacks of retired environments, deleted by the pipeline's last wave. Default: - none.
        **kwargs: ``cdk.Stack`` keyword arguments.

    Attributes:
        pipeline: the :class:`PlatformPipeline`.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PipelineConfig,
        stages: Mapping[str, cdk.Stage],
        retired_stacks: Sequence[RetiredStack] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("env", cdk.Environment(account=config.account, region=config.region))
        kwargs.setdefault("description", f"EKS platform delivery pipeline ({config.repository}@{config.branch})")
        super().__init__(scope, construct_id, **kwargs)
        self.pipeline = PlatformPipeline(
            self,
            "Pipeline",
            repository=config.repository,
            connection_arn=config.connection_arn,
            branch=config.branch,
            cli_version=config.cli_version,
            retired_stacks=retired_stacks,
            waves=[
                PipelineWave(
                    name=wave.name, stages=[stages[name] for name in wave.environments], approval=wave.approval
                )
                for wave in config.waves
            ],
        )
