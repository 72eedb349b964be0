"""A team's EKS platform built from cdk-eks-platform's constructs (an example of importing the package)."""

from __future__ import annotations

import os

import aws_cdk as cdk

from team_app.stack import STACK_NAME, TeamPlatformStack, TeamSettings

__all__ = ["STACK_NAME", "TeamPlatformStack", "TeamSettings", "build"]


def build(app: cdk.App) -> dict[str, cdk.Stack]:
    """Add the team's stacks to ``app``: settings from the ``team`` context, environment from the CDK CLI."""
    settings = TeamSettings.from_context(app.node.try_get_context("team"))
    env = cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION"))
    return {STACK_NAME: TeamPlatformStack(app, STACK_NAME, settings=settings, env=env)}
