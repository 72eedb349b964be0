"""Builds the reference app from ``cdk.json`` context. ``app.py`` at the repository root calls :func:`build_app`."""

from __future__ import annotations

import sys

import aws_cdk as cdk

from eks_platform.config import CONTEXT_KEY, PlatformConfig, parse_platform_config
from eks_platform.context import synth_date
from eks_platform.errors import ConfigError
from eks_platform.stacks.reference import EksReferenceStack

REFERENCE_STACK_NAME = "EksPlatform"
#: The reference platform again, with EKS Hybrid Nodes, when the `hybrid` context section is present.
HYBRID_STACK_NAME = "EksPlatformHybrid"


def load_config(app: cdk.App) -> PlatformConfig:
    """Parse the app's ``platform`` context once (raises one ``ConfigError`` listing every problem)."""
    return parse_platform_config(app.node.try_get_context(CONTEXT_KEY), today=synth_date(app))


def build_app(app: cdk.App) -> dict[str, cdk.Stack]:
    """Add the reference stacks to ``app`` and return them by name."""
    config = load_config(app)
    stacks: dict[str, cdk.Stack] = {
        REFERENCE_STACK_NAME: EksReferenceStack(
            app, REFERENCE_STACK_NAME, config=config.model_copy(update={"hybrid": None})  # no hybrid nodes here
        ),
    }
    if config.hybrid is not None:  # both shapes are synthesized (and snapshot-tested)
        hybrid = config.model_copy(update={"cluster_name": f"{config.cluster_name}-hybrid"})
        stacks[HYBRID_STACK_NAME] = EksReferenceStack(app, HYBRID_STACK_NAME, config=hybrid)
    return stacks


def main() -> int:
    """Entry point of ``app.py``: synth, or print the ``ConfigError`` (no traceback) and exit 2."""
    app = cdk.App()
    try:
        build_app(app)
        app.synth()
    except ConfigError as error:
        print(f"eks-platform: configuration error\n{error}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        # Rules judged on the complete tree (node validations) fail inside aws-cdk-lib's synth and arrive through
        # jsii as a RuntimeError; print their message, not a jsii stack trace.
        message = str(error)
        if "Validation failed" not in message:
            raise
        print(f"eks-platform: synth validation failed\n{message.split(chr(10) + '    at ')[0]}", file=sys.stderr)
        return 2
    return 0
