"""Benchmark 4: the template budget of each reference stack against CloudFormation's quotas.

Synthesizes the reference app from cdk.json (the fixed synth date) into a temp directory and reports, per stack:
resources (quota 500), Lambda functions, custom resources, outputs (quota 200), parameters (quota 200) and the
template size as written to cdk.out (quota 1 MB through S3, 51,200 bytes inline).

Usage: python bench/template_budget.py
"""

from __future__ import annotations

import os
from typing import Any

import aws_cdk as cdk
from _common import cdk_json_context, write_result

from eks_platform.stacks.app import build_app

QUOTAS = {"resources": 500, "outputs": 200, "parameters": 200, "bytes_s3": 1_000_000, "bytes_inline": 51_200}


def budget() -> dict[str, Any]:
    app = cdk.App(context=cdk_json_context())
    build_app(app)
    assembly = app.synth()
    stacks = {}
    for artifact in assembly.stacks_recursively:
        template = artifact.template
        resources = template.get("Resources", {})
        types = [r["Type"] for r in resources.values()]
        stacks[artifact.hierarchical_id] = {
            "resources": len(resources),
            "lambda_functions": sum(t in ("AWS::Lambda::Function", "AWS::Serverless::Function") for t in types),
            "custom_resources": sum(t.startswith("Custom::") or t == "AWS::CloudFormation::CustomResource"
                                    for t in types),
            "outputs": len(template.get("Outputs", {})),
            "parameters": len(template.get("Parameters", {})),
            "template_bytes": os.path.getsize(artifact.template_full_path),
        }
    return {"stacks": stacks, "quotas": QUOTAS}


def main() -> dict[str, Any]:
    result = budget()
    write_result("template_budget", result)
    for name, row in result["stacks"].items():
        print(name, row)
    return result


if __name__ == "__main__":
    main()
