"""The reference stacks of one environment, in an app or in a ``cdk.Stage`` of a fleet."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from eks_platform.config import PlatformConfig
from eks_platform.config.environments import HYBRID_SUFFIX
from eks_platform.stacks.reference import EksReferenceStack

REFERENCE_STACK_NAME = "EksPlatform"
#: The reference platform again, with EKS Hybrid Nodes, when the `hybrid` context section is present.
HYBRID_STACK_NAME = "EksPlatformHybrid"


def build_reference_stacks(scope: Construct, config: PlatformConfig) -> dict[str, EksReferenceStack]:
    """Add the reference stacks of one environment to ``scope`` (an app or a stage) and return them by id.

    ``EksPlatform`` holds the platform without hybrid nodes; when ``hybrid`` is set, ``EksPlatformHybrid`` holds it
    again with hybrid nodes, on a cluster named ``<clusterName>-hybrid``.
    """
    stacks = {
        REFERENCE_STACK_NAME: EksReferenceStack(
            scope, REFERENCE_STACK_NAME, config=config.model_copy(update={"hybrid": None})  # no hybrid nodes here
        ),
    }
    if config.hybrid is not None:  # both shapes are synthesized (and snapshot-tested)
        hybrid = config.model_copy(update={"cluster_name": f"{config.cluster_name}{HYBRID_SUFFIX}"})
        stacks[HYBRID_STACK_NAME] = EksReferenceStack(scope, HYBRID_STACK_NAME, config=hybrid)
    return stacks


class PlatformStage(cdk.Stage):
    """One environment of a fleet: the reference stacks in the environment's account and region.

    The stage's id is the environment's name, so its stacks are named ``<environment>-EksPlatform`` (and
    ``<environment>-EksPlatformHybrid``) and its cloud assembly is ``cdk.out/assembly-<environment>``; cluster names
    come from the settings, which the fleet parser keeps unique across environments.

    Args:
        scope: the app (or an enclosing stage).
        construct_id: the environment's name.
        config: the environment's complete settings; its account and region become the stage's environment.
        **kwargs: ``cdk.Stage`` keyword arguments (``outdir``, ``permissions_boundary``, ...).

    Attributes:
        platform: the settings the stage was built from.
        stacks: the reference stacks by id (``EksPlatform``, ``EksPlatformHybrid``).
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: PlatformConfig, **kwargs: Any) -> None:
        kwargs.setdefault("env", cdk.Environment(account=config.account, region=config.region))
        super().__init__(scope, construct_id, **kwargs)
        self.platform = config
        self.stacks = build_reference_stacks(self, config)
