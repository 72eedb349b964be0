"""`make bootstrap-fleet`: the `cdk bootstrap` commands a fleet's cross-account pipeline needs, from cdk.json.

Reads ``platform.environments`` and ``platform.pipeline`` (checked by the same parser as `cdk synth`, no AWS call),
then prints one command per account and region: the pipeline account in its region and in every region a stage
deploys to, and every environment account with ``--trust <pipeline account>``. With ``--run`` it runs them, each
with the AWS profile given for its account (``--profile ACCOUNT=PROFILE``; credentials of that account, with rights
to deploy the CDKToolkit stack).

Usage: python scripts/bootstrap_fleet.py [--cdk-json PATH] [--execution-policy ARN] [--run] [--profile ACCOUNT=NAME]...
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from eks_platform._internal.fleet import DEFAULT_EXECUTION_POLICY, bootstrap_commands  # noqa: E402
from eks_platform.config import CONTEXT_KEY  # noqa: E402
from eks_platform.config.environments import parse_fleet_config  # noqa: E402
from eks_platform.errors import ConfigError  # noqa: E402

CDK = ("npx", "--no-install", "cdk", "--no-notices", "--no-version-reporting")


def plan(cdk_json: Path, *, execution_policy: str) -> list[tuple[str, tuple[str, ...]]]:
    """The (account, arguments) of each ``cdk bootstrap`` the fleet in ``cdk_json`` needs."""
    context = json.loads(cdk_json.read_text(encoding="utf-8")).get("context", {})
    fleet = parse_fleet_config(context.get(CONTEXT_KEY), environ={})
    if fleet.pipeline is None:
        raise ConfigError(
            "InvalidPlatformConfig",
            f"{cdk_json}: {CONTEXT_KEY}.pipeline is not set; cross-account trust is for a fleet delivered by a "
            "pipeline (for a single account, run `make bootstrap`)",
        )
    targets = [(env.platform.account, env.platform.region) for env in fleet.environments]
    return bootstrap_commands(
        (fleet.pipeline.account, fleet.pipeline.region), targets, execution_policy=execution_policy
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cdk-json", type=Path, default=Path("cdk.json"))
    parser.add_argument("--execution-policy", default=DEFAULT_EXECUTION_POLICY,
                        help="managed policy ARN CloudFormation deploys with in each account (default: %(default)s)")
    parser.add_argument("--run", action="store_true", help="run the commands (default: print them)")
    parser.add_argument("--profile", action="append", default=[], metavar="ACCOUNT=PROFILE",
                        help="AWS profile to bootstrap ACCOUNT with (repeat per account)")
    args = parser.parse_args(argv)
    profiles = dict(item.split("=", 1) for item in args.profile if "=" in item)
    try:
        commands = plan(args.cdk_json, execution_policy=args.execution_policy)
    except ConfigError as error:
        print(f"eks-platform: configuration error\n{error}", file=sys.stderr)
        return 2
    for account, arguments in commands:
        profile = ("--profile", profiles[account]) if account in profiles else ()
        command = [*CDK, "bootstrap", *arguments, *profile]
        print(("" if profile or not args.run else f"# account {account}: no --profile given, default credentials\n")
              + shlex.join(command), flush=True)
        if args.run:
            done = subprocess.run(command, check=False, env=os.environ.copy())
            if done.returncode != 0:
                return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
