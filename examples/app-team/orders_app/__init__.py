"""The orders team's workloads on a shared EKS cluster, built from cdk-eks-platform's constructs."""

from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk

from orders_app.stack import STACK_NAME, OrdersSettings, OrdersStack

__all__ = ["APP_DIR", "STACK_NAME", "OrdersSettings", "OrdersStack", "build"]

#: The app's folder: cdk.json and the committed cluster contract live here.
APP_DIR = Path(__file__).resolve().parent.parent


def build(app: cdk.App) -> dict[str, cdk.Stack]:
    """Add the team's stack to ``app``: settings from the ``orders`` context, environment from the CDK CLI."""
    settings = OrdersSettings.from_context(app.node.try_get_context("orders"), base=APP_DIR)
    env = cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION"))
    return {STACK_NAME: OrdersStack(app, STACK_NAME, settings=settings, env=env)}
