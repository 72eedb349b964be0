"""The README's quick-start and deploy commands work as written.

Every command in the ``bash`` blocks of "Quick start" and "Deploy" must be known here. Those that need no AWS
credentials run for real, through the real CDK CLI (one `cdk synth`, two `cdk diff --app cdk.out`, about 30 s): the
synth exactly as `make synth` does it, the offline review diff exactly as written. Those that need credentials
(`make bootstrap`, `make diff`, `make deploy`) are checked with `make -n`: the target exists and runs the CLI with the
virtualenv on PATH (which `npx cdk bootstrap` alone lacks: the CLI runs `python3 app.py`).

`make` runs with ``SETUP=`` and ``VENV=`` pointing at the interpreter running the tests, so nothing is installed.
The CLI runs without AWS credentials or the EC2 metadata endpoint, as on a fresh machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.support import REPO_ROOT

README = REPO_ROOT / "README.md"
SECTIONS = ("Quick start", "Deploy")
#: run as written, in README order (no credentials needed)
RUN = [
    "make synth",
    "cp cdk.out/EksPlatform.template.json /tmp/EksPlatform.base.json",
    "npx cdk diff --app cdk.out --template /tmp/EksPlatform.base.json EksPlatform",
]
#: need AWS credentials or a second checkout: checked with `make -n` or not run, with the reason
NOT_RUN = {
    "make test": "the suite this test is part of",
    "make bootstrap": "needs credentials; checked with make -n",
    "make diff": "needs credentials; checked with make -n",
    "make deploy": "needs credentials; checked with make -n",
    "aws sso login --profile platform-admin": "needs an AWS account",
    "export AWS_PROFILE=platform-admin": "names a profile of the reader's AWS configuration",
    "git switch my-branch": "needs a second branch",
}
CREDENTIAL_TARGETS = ("bootstrap", "diff", "deploy")


def _section(markdown: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", markdown, re.MULTILINE | re.DOTALL)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def readme_commands() -> list[str]:
    """The commands of the bash blocks in the quick-start and deploy sections (comments dropped, `&&` split)."""
    markdown = README.read_text()
    commands = []
    for title in SECTIONS:
        for block in re.findall(r"```bash\n(.*?)```", _section(markdown, title), re.DOTALL):
            for line in block.splitlines():
                code = line.split("#", 1)[0].strip()
                commands.extend(part.strip() for part in code.split("&&") if part.strip())
    return commands


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_DEFAULT_"))}
    env.update(
        AWS_EC2_METADATA_DISABLED="true",  # no instance-metadata lookups
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        CDK_DISABLE_VERSION_CHECK="true",
        CDK_DISABLE_CLI_TELEMETRY="true",
    )
    return env


def _make_overrides() -> list[str]:
    return ["SETUP=", f"VENV={sys.prefix}"]


def _run(command: str) -> subprocess.CompletedProcess[str]:
    args = command.split()
    if args[0] == "make":
        args = [*args, *_make_overrides()]
    return subprocess.run(args, cwd=REPO_ROOT, env=_env(), capture_output=True, text=True, timeout=600, check=False)


def test_every_readme_command_is_known() -> None:
    commands = readme_commands()
    assert "make synth" in commands and "make deploy" in commands
    unknown = [c for c in commands if c not in RUN and c not in NOT_RUN]
    assert unknown == [], "add these README commands to RUN or NOT_RUN (with the reason)"
    assert not [c for c in commands if re.match(r"npx cdk (bootstrap|deploy|synth)\b", c)], (
        "the CLI runs `python3 app.py`: without the virtualenv on PATH that fails with No module named 'aws_cdk'"
    )


@pytest.mark.parametrize("target", CREDENTIAL_TARGETS)
def test_credential_targets_run_the_cli_with_the_virtualenv_on_path(target: str) -> None:
    result = subprocess.run(
        ["make", "-n", target, *_make_overrides()], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert f'PATH="{Path(sys.prefix).resolve()}/bin:' in result.stdout or f'PATH="{sys.prefix}/bin:' in result.stdout
    assert f"npx --no-install cdk --no-notices --no-version-reporting {target}" in result.stdout


@pytest.mark.skipif(not (REPO_ROOT / "node_modules" / ".bin" / "cdk").exists(), reason="no CDK CLI: run `make setup`")
def test_quick_start_and_offline_review_commands_work_as_written() -> None:
    assert set(RUN) <= set(readme_commands())
    shutil.rmtree(REPO_ROOT / "cdk.out", ignore_errors=True)

    synth = _run("make synth")
    assert synth.returncode == 0, synth.stdout[-3000:] + synth.stderr[-3000:]
    out = synth.stdout + synth.stderr
    assert "Stack EksPlatform (aws://111111111111/us-east-1)" in out, out[-2000:]
    # Each warning is printed once per construct, by the CLI only: the summary counts them instead of repeating them.
    printed = Counter(re.findall(r"^WARNING (.+)$", out, re.MULTILINE))
    assert printed, out[-2000:]
    stacks = len(re.findall(r"^Stack ", out, re.MULTILINE))
    assert [w for w, n in printed.items() if n > stacks] == []
    assert "WARNING:" not in out
    assert "printed above by cdk synth" in out

    for command in RUN[1:]:
        result = _run(command)
        assert result.returncode == 0, command + "\n" + result.stdout[-3000:] + result.stderr[-3000:]
    assert "There were no differences" in result.stdout + result.stderr

    # The same diff shows a change a reviewer must see: renaming the cluster replaces it.
    base = Path("/tmp/EksPlatform.base.json")
    template = json.loads(base.read_text())
    (cluster_id,) = [k for k, v in template["Resources"].items() if v["Type"] == "AWS::EKS::Cluster"]
    template["Resources"][cluster_id]["Properties"]["Name"] = "renamed"
    base.write_text(json.dumps(template))
    changed = _run(RUN[-1])
    assert changed.returncode == 0, changed.stderr[-3000:]
    assert "requires replacement" in changed.stdout + changed.stderr
