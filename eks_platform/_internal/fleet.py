"""Pure rules of a fleet (the platform in several accounts and regions): environment names, the layering of an
environment's overrides on the base settings, the pipeline's source and waves, names unique across environments.

Every function returns problems (sentences naming the setting, the value, what is allowed and the fix) and never
raises; the cdk.json parser prefixes the settings' paths and the constructs call the same rules.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from eks_platform._internal.validation import is_unresolved, partition_of_region

#: Longest environment name. It becomes the ``cdk.Stage`` id, the prefix of every stack name of the environment
#: (``<environment>-EksPlatform``, CloudFormation allows 128 characters) and the suffix of derived cluster names
#: (EKS allows 100), so it is kept short.
ENVIRONMENT_NAME_MAX = 32
_ENVIRONMENT_NAME = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?", re.ASCII)

#: A CodeConnections connection ARN (the service was named CodeStar Connections before 2024; both prefixes name the
#: same connection). See: https://docs.aws.amazon.com/dtconsole/latest/userguide/connections.html
_CONNECTION_ARN = re.compile(
    r"arn:aws(-cn|-us-gov)?:(codeconnections|codestar-connections):[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:"
    r"connection/[A-Za-z0-9-]+",
    re.ASCII,
)
#: ``owner/name`` (GitHub, Bitbucket) or ``group/subgroup/name`` (GitLab), as CodeConnections' ``FullRepositoryId``.
#: See: https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+", re.ASCII)
#: Characters git refuses in a branch name (``git check-ref-format``), plus whitespace; the refused starts and ends
#: are in :func:`branch_problems`.
_BAD_BRANCH = re.compile(r"[\s~^:?*\[\\]|\.\.|@\{", re.ASCII)


def environment_name_problems(setting: str, value: object, *, what: str = "environment name") -> list[str]:
    """An environment (or wave) name: lowercase letters, digits and '-', starting with a letter, at most 32 characters.

    Lowercase only, so two environments can never differ by case alone (their cloud assembly folders
    ``assembly-<name>`` would collide on a case-insensitive file system).
    """
    if not isinstance(value, str) or not value:
        return [f"{setting} must be a non-empty string, got {value!r}"]
    problems = []
    if len(value) > ENVIRONMENT_NAME_MAX:
        problems.append(
            f"{setting} {value!r} is {len(value)} characters; a {what} has at most {ENVIRONMENT_NAME_MAX}"
        )
    if not _ENVIRONMENT_NAME.fullmatch(value):
        problems.append(
            f"{setting} {value!r} is not a valid {what}: use lowercase letters, digits and '-', starting "
            "with a letter and ending with a letter or digit, for example 'prod-eu'"
        )
    return problems


def connection_arn_problems(setting: str, value: object) -> list[str]:
    """A CodeConnections connection ARN (``arn:aws:codeconnections:<region>:<account>:connection/<id>``)."""
    if is_unresolved(value):
        return []
    if not isinstance(value, str) or not _CONNECTION_ARN.fullmatch(value):
        return [
            f"{setting} {value!r} is not a CodeConnections connection ARN; create the connection in the pipeline "
            "account (console: Developer Tools > Settings > Connections) and copy its ARN, for example "
            "'arn:aws:codeconnections:us-east-1:123456789012:connection/EXAMPLE-1111-2222-3333-444444444444'"
        ]
    return []


def repository_problems(setting: str, value: object) -> list[str]:
    """A repository as CodeConnections names it: ``owner/name`` (or ``group/subgroup/name`` on GitLab)."""
    if is_unresolved(value):
        return []
    if not isinstance(value, str) or not _REPOSITORY.fullmatch(value):
        return [
            f"{setting} {value!r} is not a repository name; write 'owner/name' as in the repository's URL, for "
            "example 'example-org/eks-platform'"
        ]
    return []


def _bad_branch(value: str) -> bool:
    return (
        _BAD_BRANCH.search(value) is not None
        or value.startswith(("/", "-"))
        or value.endswith(("/", ".lock"))
        or any(c.isspace() for c in value)
    )


def branch_problems(setting: str, value: object) -> list[str]:
    """A git branch name (the rules of ``git check-ref-format --branch``, simplified)."""
    if is_unresolved(value):
        return []
    if not isinstance(value, str) or not value or _bad_branch(value):
        return [f"{setting} {value!r} is not a git branch name; write the branch the pipeline follows, e.g. 'main'"]
    return []


def wave_problems(
    setting: str,
    waves: Sequence[tuple[str, Sequence[str]]],
    environments: Sequence[str],
    *,
    members: str = "environments",
) -> list[str]:
    """Waves (name, environment names, in order): valid unique names, known environments, each in exactly one wave.

    Args:
        setting: where the waves are written (``platform.pipeline.waves``).
        waves: each wave's name and the environments it deploys, in pipeline order.
        environments: every environment of the fleet, in declaration order.
        members: what a wave lists, as the setting names it (``environments`` in cdk.json, ``stages`` in Python).
    """
    problems: list[str] = []
    if not waves:
        return [f"{setting} is empty; list at least one wave, e.g. [{{\"name\": \"dev\", \"environments\": "
                "[\"dev\"]}]"]
    seen_waves: dict[str, int] = {}
    placed: dict[str, str] = {}
    known = set(environments)
    for i, (name, wave_members) in enumerate(waves):
        problems += environment_name_problems(f"{setting}[{i}].name", name, what="wave name")
        if name in seen_waves:
            problems.append(
                f"{setting}[{i}].name {name!r} is also the name of {setting}[{seen_waves[name]}]; give each wave "
                "its own name"
            )
        seen_waves.setdefault(name, i)
        if not wave_members:
            problems.append(f"{setting}[{i}].{members} is empty; list the {members} wave {name!r} deploys")
        for j, member in enumerate(wave_members):
            where = f"{setting}[{i}].{members}[{j}]"
            if member not in known:
                problems.append(
                    f"{where} {member!r} is not an environment; the environments are "
                    f"{', '.join(map(repr, environments)) or '(none)'}"
                )
            elif member in placed:
                problems.append(
                    f"{where} {member!r} is already deployed by wave {placed[member]!r}; list each environment in "
                    "exactly one wave"
                )
            else:
                placed[member] = name
    missing = [name for name in environments if name not in placed]
    if missing:
        problems.append(
            f"{setting} does not deploy {', '.join(map(repr, missing))}; add each environment to one wave (or remove "
            "it from platform.environments)"
        )
    return problems


def duplicate_name_problems(setting: str, owners: Iterable[tuple[str, str]], *, what: str, fix: str) -> list[str]:
    """Names that two environments would both create (``what``: "cluster name", "stack name", ...).

    Args:
        setting: the path pattern of the setting, with ``{}`` where the environment name goes
            (``platform.environments.{}.clusterName``).
        owners: (environment, name) pairs, in declaration order.
        what: what the names are, for the message.
        fix: how to give the environment another name.
    """
    first: dict[str, str] = {}
    reported: set[tuple[str, str]] = set()
    problems = []
    for environment, name in owners:
        other = first.setdefault(name, environment)
        if other != environment and (environment, other) not in reported:
            reported.add((environment, other))
            problems.append(
                f"{setting.format(environment)} gives {what} {name!r}, which environment {other!r} already has; "
                f"every environment needs its own {what}: {fix}"
            )
    return problems


def merge_overrides(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The base settings with an environment's overrides laid on top, the way Helm merges values files.

    Objects merge key by key (recursively); lists, strings, numbers and booleans replace the base value whole; a
    ``null`` removes the key, so the setting takes its documented default (``"hybrid": null`` turns hybrid nodes
    off in one environment). Neither argument is modified.
    See: https://helm.sh/docs/chart_template_guide/values_files/
    """
    merged: dict[str, Any] = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_overrides(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


#: The CloudFormation execution policy ``cdk bootstrap`` gives the deployment role when none is named (CDK's own
#: default), in the region's partition. Name a narrower customer-managed policy where your organisation requires it.
#: See: https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-bootstrap.html
DEFAULT_EXECUTION_POLICY = "arn:{partition}:iam::aws:policy/AdministratorAccess"


def bootstrap_commands(
    pipeline: tuple[str, str], targets: Iterable[tuple[str, str]], *, execution_policy: str = DEFAULT_EXECUTION_POLICY
) -> list[tuple[str, tuple[str, ...]]]:
    """The ``cdk bootstrap`` invocations a cross-account fleet needs, as (account, arguments after ``bootstrap``).

    - The pipeline account, in its own region and in every region a stage deploys to (CDK Pipelines puts a
      replication bucket there, in a support stack of the pipeline account).
    - Every other (account, region) of an environment, with ``--trust <pipeline account>`` so the pipeline may
      assume the deployment roles, and the execution policy named explicitly.

    See: https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.pipelines/README.html#cdk-environment-bootstrapping

    Args:
        pipeline: the pipeline stack's (account, region).
        targets: every environment's (account, region), in declaration order.
        execution_policy: the managed policy ARN CloudFormation deploys with in the target accounts; ``{partition}``
            is replaced by the region's partition (aws, aws-cn, aws-us-gov).
    """
    pipeline_account, pipeline_region = pipeline
    ordered = list(dict.fromkeys(targets))
    regions = list(dict.fromkeys([pipeline_region, *(region for _, region in ordered)]))

    def policy(region: str) -> tuple[str, str]:
        partition = partition_of_region(region) or "aws"
        return "--cloudformation-execution-policies", execution_policy.replace("{partition}", partition)

    commands: list[tuple[str, tuple[str, ...]]] = [
        (pipeline_account, (f"aws://{pipeline_account}/{region}", *policy(region))) for region in regions
    ]
    commands += [
        (account, (f"aws://{account}/{region}", "--trust", pipeline_account, *policy(region)))
        for account, region in ordered
        if account != pipeline_account
    ]
    return commands


_COMPOUND_DIRECTIONS = {"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}


def az_id_prefix(region: str) -> str:
    """The prefix of a region's AZ IDs: ``us-east-1`` -> ``use1``, ``ap-southeast-2`` -> ``apse2``,
    ``us-gov-west-1`` -> ``usgw1`` (the area code, the first letter of each word, both letters of a compound
    direction, the number). See: https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html
    """
    parts = region.split("-")
    words = "".join(_COMPOUND_DIRECTIONS.get(word, word[:1]) for word in parts[1:-1])
    return f"{parts[0]}{words}{parts[-1]}"


def zones_of_region_problems(
    setting: str, region: str, zones: Sequence[str], *, inherited_from: str | None
) -> list[str]:
    """AZ names or IDs that belong to another region than the environment's (an environment in eu-west-1 that
    inherits the base's us-east-1 zones would fail at deploy time).

    Args:
        setting: the environment's ``availabilityZones`` path.
        region: the environment's region.
        zones: its zones (names such as ``eu-west-1a`` or IDs such as ``euw1-az1``).
        inherited_from: the base setting the zones came from, or None when the environment sets them.
    """
    if is_unresolved(region):
        return []
    prefix = az_id_prefix(region)
    foreign = [
        zone for zone in zones
        if isinstance(zone, str) and not is_unresolved(zone)
        and not (zone.startswith(f"{prefix}-az") if re.match(r"^[a-z]+\d+-az\d+$", zone) else
                 re.fullmatch(rf"{re.escape(region)}[a-z]", zone))
    ]
    if not foreign:
        return []
    origin = f" (inherited from {inherited_from})" if inherited_from else ""
    return [
        f"{setting} has {', '.join(foreign)}{origin}, which are not zones of {region}; set availabilityZones for this "
        f"environment to AZ IDs of {region} (they start with {prefix}-az) or to its AZ names, or to null for the "
        "first three zones of the region"
    ]


#: An AWS CDK CLI version as package.json writes it (``2.1100.0``).
_CLI_VERSION = re.compile(r"\d+\.\d+\.\d+", re.ASCII)


def cli_version_problems(setting: str, value: object) -> list[str]:
    """The CDK CLI version the pipeline installs: ``major.minor.patch``, as in package.json.

    See: https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.pipelines/CodePipeline.html (``cli_version``)
    """
    if not isinstance(value, str) or not _CLI_VERSION.fullmatch(value):
        return [f"{setting} {value!r} is not a version; write the CLI version as in package.json, for example "
                "\"2.1100.0\""]
    return []
