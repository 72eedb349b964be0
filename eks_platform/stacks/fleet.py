"""A fleet: one :class:`PlatformStage` per environment of ``platform.environments``, delivered by a pipeline when
``platform.pipeline`` is set (otherwise the stages are deployed with ``cdk deploy '<environment>/*'``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import aws_cdk as cdk

from eks_platform.config.environments import FleetConfig
from eks_platform.constructs.pipeline import RetiredStack
from eks_platform.stacks.pipeline import PIPELINE_STACK_NAME, PlatformPipelineStack
from eks_platform.stacks.stage import HYBRID_STACK_NAME, REFERENCE_STACK_NAME, PlatformStage


@dataclass(frozen=True, kw_only=True, slots=True)
class Fleet:
    """What :func:`build_fleet` added to the app.

    Attributes:
        stages: the environments' stages by name, in declaration order.
        pipeline: the pipeline stack, or None without ``platform.pipeline``.
    """

    stages: dict[str, PlatformStage] = field(default_factory=dict)
    pipeline: PlatformPipelineStack | None = None

    @property
    def stacks(self) -> dict[str, cdk.Stack]:
        """Every stack of the fleet by stack name: the pipeline stack first, then each stage's stacks."""
        found: dict[str, cdk.Stack] = {}
        if self.pipeline is not None:
            found[self.pipeline.stack_name] = self.pipeline
        for stage in self.stages.values():
            found.update({stack.stack_name: stack for stack in stage.stacks.values()})
        return found


def build_fleet(app: cdk.App, config: FleetConfig) -> Fleet:
    """Add a stage per environment (and the pipeline stack, when configured) to ``app``; retired environments get
    no stage, the pipeline deletes their stacks."""
    stages = {env.name: PlatformStage(app, env.name, config=env.platform) for env in config.active}
    pipeline = None
    if config.pipeline is not None:
        # A retired environment's stacks are named as its stage named them: both shapes, whichever it deployed.
        retired = [
            RetiredStack(stack_name=f"{env.name}-{stack}", account=env.platform.account, region=env.platform.region)
            for env in config.retired
            for stack in (REFERENCE_STACK_NAME, HYBRID_STACK_NAME)
        ]
        pipeline = PlatformPipelineStack(
            app, PIPELINE_STACK_NAME, config=config.pipeline, stages=stages, retired_stacks=retired
        )
    return Fleet(stages=stages, pipeline=pipeline)
