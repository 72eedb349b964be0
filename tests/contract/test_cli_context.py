"""``cdk synth -c platform='<json>'`` through the real CDK CLI: the CLI passes ``-c`` values as strings.

One CLI run (it starts Node, the CLI and the Python app: tens of seconds); the refusals are checked through
``CDK_CONTEXT_JSON``, which is how the CLI hands context to the app.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eks_platform.config import context_object, parse_platform_config
from eks_platform.errors import ConfigError
from tests.support import REPO_ROOT, only_resource


def _env(**extra: str) -> dict[str, str]:
    return dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        PYTHONPATH=str(REPO_ROOT),
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        CDK_DISABLE_VERSION_CHECK="true",
        CDK_DISABLE_CLI_TELEMETRY="true",
        **extra,
    )


@pytest.mark.slow
def test_cdk_cli_synthesizes_a_platform_object_given_with_dash_c(tmp_path: Path) -> None:
    platform = {"clusterName": "from-the-cli", "natGateways": 1, "tags": {"team": "cli"}}
    result = subprocess.run(
        [
            "npx", "--no-install", "cdk", "synth", "--quiet", "--no-notices", "--no-version-reporting",
            "--output", str(tmp_path / "cdk.out"), "-c", f"platform={json.dumps(platform)}",
            "-c", "eks-platform:synthDate=2026-11-27",
        ],
        cwd=REPO_ROOT, env=_env(), capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    template: dict[str, Any] = json.loads((tmp_path / "cdk.out" / "EksPlatform.template.json").read_text())
    assert only_resource(template, "AWS::EKS::Cluster")["Properties"]["Name"] == "from-the-cli"
    assert len([r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::NatGateway"]) == 1
    # the object given with -c replaces cdk.json's: no hybrid section, so no hybrid stack
    assert not (tmp_path / "cdk.out" / "EksPlatformHybrid.template.json").exists()


def test_app_refuses_a_platform_string_that_is_not_json() -> None:
    env = _env(
        CDK_CONTEXT_JSON=json.dumps({"platform": "{clusterName: x}"}), CDK_OUTDIR=str(REPO_ROOT / ".pytest-cdk-out")
    )
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "context 'platform' is a string that is not JSON" in result.stderr


def test_a_json_string_is_parsed_like_the_object() -> None:
    raw = {"clusterName": "dev", "endpointAccess": "public", "endpointPublicCidrs": ["203.0.113.0/24"]}
    assert parse_platform_config(json.dumps(raw), environ={}) == parse_platform_config(raw, environ={})


@pytest.mark.parametrize(
    ("raw", "pattern"),
    [
        ("{clusterName: x}", r"context 'platform' is a string that is not JSON .*cdk synth -c platform="),
        ('["a"]', r"context 'platform' must be a JSON object, got list \['a'\]"),
        ("true", r"context 'platform' must be a JSON object, got bool True"),
        ('{"clusterName": 7}', r"platform\.clusterName must be a string, got number 7"),
    ],
)
def test_fails_when_the_platform_string_is_not_a_json_object(raw: str, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        parse_platform_config(raw, environ={})


def test_an_absent_platform_is_the_defaults() -> None:
    assert context_object(None) == {}
