"""The reference app: what `cdk synth` builds from cdk.json, and how it fails on bad context."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from eks_platform.stacks.app import REFERENCE_STACK_NAME
from tests.support import REPO_ROOT, only_resource


def test_reference_cluster_matches_the_done_criteria(reference_templates: dict[str, Any]) -> None:
    props = only_resource(reference_templates[REFERENCE_STACK_NAME], "AWS::EKS::Cluster")["Properties"]
    assert props["Version"] == "1.32"
    assert props["ComputeConfig"]["Enabled"] is True and "NodeRoleArn" in props["ComputeConfig"]
    assert props["StorageConfig"]["BlockStorage"]["Enabled"] is True
    assert props["KubernetesNetworkConfig"]["ElasticLoadBalancing"]["Enabled"] is True
    assert props["AccessConfig"]["AuthenticationMode"] == "API"
    assert props["UpgradePolicy"]["SupportType"] == "EXTENDED"
    assert props["DeletionProtection"] is True
    assert props["EncryptionConfig"][0]["Provider"]["KeyArn"]
    assert len(props["Logging"]["ClusterLogging"]["EnabledTypes"]) == 5
    assert props["ResourcesVpcConfig"]["EndpointPublicAccess"] is False


def test_reference_stack_needs_no_az_lookup(reference_app: dict[str, Any]) -> None:
    outdir = Path(reference_app["app"].outdir)
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert "missing" not in manifest


def _run_app(context: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CDK_CONTEXT_JSON=json.dumps(context), CDK_OUTDIR=str(REPO_ROOT / ".pytest-cdk-out"))
    return subprocess.run(
        [sys.executable, "app.py"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_app_exits_non_zero_with_every_problem_and_no_traceback() -> None:
    result = _run_app(
        {"platform": {"clustrName": "x", "kubernetesVersion": "1.31", "endpointPublicCidrs": ["0.0.0.0/0"]}}
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "jsii" not in result.stderr.lower()
    assert "unknown key 'clustrName'" in result.stderr
    assert "kubernetesVersion '1.31' left EKS extended support" in result.stderr
    assert "0.0.0.0/0" in result.stderr


def test_main_prints_a_failed_node_validation_without_a_stack_trace(
    monkeypatch: Any, capsys: Any
) -> None:
    import jsii
    from constructs import IValidation

    from eks_platform.stacks import app as app_module

    @jsii.implements(IValidation)
    class _Fails:
        def validate(self) -> list[str]:
            return ["TooManyResources: stack has 501 resources; split it"]

    def build(app: Any) -> dict[str, Any]:
        stack = app_module.cdk.Stack(app, "Broken")
        app_module.cdk.CfnResource(stack, "R", type="AWS::SNS::Topic")
        stack.node.add_validation(_Fails())
        return {"Broken": stack}

    monkeypatch.setattr(app_module, "build_app", build)
    monkeypatch.setenv("CDK_OUTDIR", str(REPO_ROOT / ".pytest-cdk-out" / "validation"))
    assert app_module.main() == 2
    err = capsys.readouterr().err
    assert "TooManyResources: stack has 501 resources; split it" in err
    assert "Traceback" not in err and "    at " not in err
