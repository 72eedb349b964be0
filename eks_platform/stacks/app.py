"""Builds the reference app from ``cdk.json`` context. ``app.py`` at the repository root calls :func:`build_app`."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk

from eks_platform.config import CONTEXT_KEY, PlatformConfig
from eks_platform.config.environments import FleetConfig, parse_fleet_config
from eks_platform.context import date_from_context, keep_context, read_context
from eks_platform.errors import ConfigError
from eks_platform.stacks.stage import HYBRID_STACK_NAME, REFERENCE_STACK_NAME, build_reference_stacks

__all__ = ["HYBRID_STACK_NAME", "REFERENCE_STACK_NAME", "build_app", "load_config", "load_fleet_config", "main"]


def load_fleet_config(app: cdk.App) -> FleetConfig:
    """Parse the app's ``platform`` context once, environments and pipeline included (one ``ConfigError`` listing
    every problem)."""
    return _parse(read_context(app))


def _parse(context: Mapping[str, Any]) -> FleetConfig:
    return parse_fleet_config(context.get(CONTEXT_KEY), today=date_from_context(context))


def load_config(app: cdk.App) -> PlatformConfig:
    """The base ``platform`` settings (the single environment of an app without ``environments``)."""
    return load_fleet_config(app).base


def build_app(app: cdk.App) -> dict[str, cdk.Stack]:
    """Add the reference stacks to ``app`` and return them by stack name.

    Without ``platform.environments``: the reference stacks of the single environment. With it: one stage per
    environment (stacks ``<environment>-EksPlatform``, ...) and, with ``platform.pipeline``, the pipeline stack that
    deploys them.
    """
    context = read_context(app)
    config = _parse(context)
    # The stacks below are the app's first children, and no other code runs before them, so the app's context can no
    # longer change (constructs refuses set_context once a node has children): keep what was just read, so the
    # constructs' reads of app-level context (synth date, audit flag) need no round trip.
    keep_context(app, context)
    if config.environments:
        # lazy: the fleet's pipeline loads CDK Pipelines, CodePipeline and CodeBuild (about 0.3 s per process)
        from eks_platform.stacks.fleet import build_fleet

        return build_fleet(app, config).stacks
    return dict(build_reference_stacks(app, config.base))


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
