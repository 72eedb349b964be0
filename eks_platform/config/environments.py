"""A fleet in ``cdk.json``: ``platform.environments`` (one entry per account and region) and ``platform.pipeline``.

Without ``environments`` the ``platform`` object describes one environment, exactly as before. With it, the
``platform`` object holds the settings every environment shares and each environment lays its own on top
(:func:`~eks_platform._internal.fleet.merge_overrides`: objects merge key by key, lists and values replace, ``null``
restores the default). Each environment's merged settings are parsed by the same parser as the single platform, so
they are checked by the same rules and every problem names the path the user wrote
(``platform.environments.prod.nodePools.pools.batch.cpuLimit``).

Names are unique by construction: an environment's cluster is ``<clusterName>-<environment>`` unless it sets its
own ``clusterName``, and a cluster name given to two environments is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eks_platform._internal import fleet as rules
from eks_platform._internal import validation as v
from eks_platform.config import CONTEXT_KEY, PlatformConfig, context_object, parse_platform_config
from eks_platform.errors import ConfigError

ENVIRONMENTS_KEY = "environments"
PIPELINE_KEY = "pipeline"
#: Key of an environment that left the fleet (its stacks are deleted by the pipeline).
RETIRED_KEY = "retired"
#: Suffix of the cluster of an environment's hybrid-nodes stack (the reference app builds both shapes).
HYBRID_SUFFIX = "-hybrid"

_ENVIRONMENTS = f"{CONTEXT_KEY}.{ENVIRONMENTS_KEY}"
_PIPELINE = f"{CONTEXT_KEY}.{PIPELINE_KEY}"
#: Keys of ``platform.pipeline`` with their one-line descriptions (README "Fleet").
PIPELINE_KEYS: dict[str, str] = {
    "account": "AWS account of the pipeline stack",
    "region": "AWS region of the pipeline stack",
    "connectionArn": "CodeConnections connection to the repository",
    "repository": "repository the pipeline builds (owner/name)",
    "branch": "branch the pipeline follows",
    "waves": "deployment order: waves of environments, with optional manual approval",
    "cliVersion": "AWS CDK CLI version the pipeline's own deploy steps install",
}
_WAVE_KEYS = ("name", "environments", "approval")


@dataclass(frozen=True, kw_only=True, slots=True)
class EnvironmentConfig:
    """One environment of a fleet: a name and the complete platform settings it is built from.

    Attributes:
        name: the environment's name (the ``cdk.Stage`` id and the prefix of its stack names).
        platform: its settings: the base ``platform`` object with the environment's overrides on top.
        retired: ``"retired": true``: the environment left the fleet; no stage is built and the pipeline deletes
            its stacks (data is retained). Remove the entry once the pipeline has run.
    """

    name: str
    platform: PlatformConfig
    retired: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class WaveConfig:
    """A wave of the pipeline: environments deployed in parallel, after an optional manual approval."""

    name: str
    environments: tuple[str, ...]
    approval: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class PipelineConfig:
    """``platform.pipeline``: where the pipeline lives, what it builds, and the order it deploys in."""

    account: str
    region: str
    connection_arn: str
    repository: str
    branch: str = "main"
    waves: tuple[WaveConfig, ...] = ()
    cli_version: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class FleetConfig:
    """The whole ``platform`` object: the base settings, the environments (if any) and the pipeline (if any).

    Attributes:
        base: the ``platform`` object without ``environments`` and ``pipeline``; the single environment when there
            are no environments.
        environments: the environments in declaration order; empty for a single-environment app.
        pipeline: the pipeline settings, or None (stages are then added to the app directly).
    """

    base: PlatformConfig
    environments: tuple[EnvironmentConfig, ...] = ()
    pipeline: PipelineConfig | None = None

    @property
    def active(self) -> tuple[EnvironmentConfig, ...]:
        """The environments that are deployed (not retired), in declaration order."""
        return tuple(e for e in self.environments if not e.retired)

    @property
    def retired(self) -> tuple[EnvironmentConfig, ...]:
        """The environments whose stacks the pipeline deletes."""
        return tuple(e for e in self.environments if e.retired)

    def environment(self, name: str) -> EnvironmentConfig:
        """The environment called ``name`` (``KeyError`` naming the known ones otherwise)."""
        for environment in self.environments:
            if environment.name == name:
                return environment
        raise KeyError(f"no environment {name!r}; the environments are {[e.name for e in self.environments]}")


def cluster_names(config: PlatformConfig) -> tuple[str, ...]:
    """The EKS clusters one environment creates: its cluster, and the hybrid-nodes cluster when ``hybrid`` is set."""
    if config.hybrid is None:
        return (config.cluster_name,)
    return (config.cluster_name, f"{config.cluster_name}{HYBRID_SUFFIX}")


def parse_fleet_config(
    raw: Any, *, today: dt.date | None = None, environ: Mapping[str, str] | None = None
) -> FleetConfig:
    """Parse the ``platform`` context object, with its optional ``environments`` and ``pipeline`` sections.

    Args:
        raw: the ``platform`` context value.
        today: the synth date; a Kubernetes version past the end of extended support is reported when given.
        environ: where the single environment reads ``CDK_DEFAULT_ACCOUNT``/``CDK_DEFAULT_REGION``. Default: -
            ``os.environ``. Environments of a fleet never read them: each names its account and region.

    Raises:
        ConfigError: ``InvalidPlatformConfig`` listing every problem of the base, the environments and the
            pipeline at once, each named by its path.
    """
    raw = context_object(raw)  # None is {}, a JSON string (cdk synth -c) is parsed, a non-object refused
    base_raw = {k: val for k, val in raw.items() if k not in (ENVIRONMENTS_KEY, PIPELINE_KEY)}
    problems: list[str] = []
    base: PlatformConfig | None = None
    base_problems: tuple[str, ...] = ()
    try:
        base = parse_platform_config(base_raw, environ=environ, today=today)
    except ConfigError as error:
        base_problems = error.problems
        problems += base_problems

    environments = _parse_environments(raw.get(ENVIRONMENTS_KEY), base_raw, base_problems, today, problems)
    declared = raw.get(ENVIRONMENTS_KEY)
    names = retired = None
    if isinstance(declared, dict):
        retired = [str(n) for n, e in declared.items() if isinstance(e, dict) and e.get(RETIRED_KEY) is True]
        names = [str(n) for n in declared if str(n) not in retired]
    pipeline = _parse_pipeline(raw.get(PIPELINE_KEY), names, retired or [], problems)
    if retired and raw.get(PIPELINE_KEY) is None:
        problems.append(
            f"{_ENVIRONMENTS}: {', '.join(map(repr, retired))} retired, but there is no {_PIPELINE} to delete their "
            "stacks; without a pipeline, run `npx cdk destroy '<environment>/*'` before you remove the entry, and "
            f"do not mark it {RETIRED_KEY}"
        )
    if raw.get(PIPELINE_KEY) is not None and declared is None:
        problems.append(
            f"{_PIPELINE} deploys environments, but {_ENVIRONMENTS} is not set; describe at least one environment "
            "(name -> account, region and overrides), or remove the pipeline section"
        )
    if problems or base is None:
        raise ConfigError("InvalidPlatformConfig", problems, path=CONTEXT_KEY)
    return FleetConfig(base=base, environments=tuple(environments), pipeline=pipeline)


def _parse_environments(
    raw: Any, base_raw: Mapping[str, Any], base_problems: tuple[str, ...], today: dt.date | None, problems: list[str]
) -> list[EnvironmentConfig]:
    if raw is None:
        return []
    if not isinstance(raw, dict) or not raw:
        problems.append(
            f"{_ENVIRONMENTS} must be a non-empty object of environment name -> settings, got {raw!r}; for example "
            '{"dev": {"account": "123456789012", "region": "eu-west-1"}}'
        )
        return []
    base_name = base_raw.get("clusterName") or _default("cluster_name")  # a null base is refused by the base parse
    derive = not v.eks_cluster_name("clusterName", base_name)
    environments: list[EnvironmentConfig] = []
    for name, overrides in raw.items():
        where = f"{_ENVIRONMENTS}.{name}"
        name_problems = rules.environment_name_problems(f"{_ENVIRONMENTS} key", name)
        problems += name_problems
        if not isinstance(overrides, dict):
            problems.append(
                f"{where} must be an object with at least account and region, got {type(overrides).__name__} "
                f"{overrides!r}"
            )
            continue
        retired = overrides.get(RETIRED_KEY, False)
        problems += v.expect_type(f"{where}.{RETIRED_KEY}", retired, bool, "true or false")
        overrides = {k: val for k, val in overrides.items() if k != RETIRED_KEY}
        missing = [key for key in ("account", "region") if overrides.get(key) is None]
        problems += [
            f"{where}.{key} is required: every environment names the AWS {key} it deploys to"
            + (" (12 digits)" if key == "account" else " (for example eu-west-1)")
            for key in missing
        ]
        merged = rules.merge_overrides(base_raw, overrides)
        if overrides.get("clusterName") is None and derive:
            merged["clusterName"] = f"{base_name}-{name}"
        try:
            platform = parse_platform_config(merged, environ={}, today=today, setting=where)
        except ConfigError as error:
            inherited = {_at(problem, where) for problem in base_problems}
            problems += [problem for problem in error.problems if problem not in inherited]
            continue
        if platform.availability_zones:
            zone_problems = rules.zones_of_region_problems(
                f"{where}.availabilityZones", platform.region, platform.availability_zones,
                inherited_from=None if "availabilityZones" in overrides else f"{CONTEXT_KEY}.availabilityZones",
            )
            problems += zone_problems
            if zone_problems:
                continue
        if not missing and not name_problems:
            environments.append(EnvironmentConfig(name=name, platform=platform, retired=retired is True))
    problems += rules.duplicate_name_problems(
        f"{_ENVIRONMENTS}.{{}}.clusterName",
        [(e.name, cluster) for e in environments for cluster in cluster_names(e.platform)],
        what="cluster name",
        fix="give it another clusterName, or leave clusterName out to get '<clusterName>-<environment>'",
    )
    return environments


def _at(problem: str, where: str) -> str:
    """A base problem as the same inherited value reports it inside environment ``where`` (to report it once)."""
    return re.sub(rf"(?<![\w.-]){re.escape(CONTEXT_KEY)}\.", f"{where}.", problem)


def _parse_pipeline(
    raw: Any, environments: list[str] | None, retired: list[str], problems: list[str]
) -> PipelineConfig | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(f"{_PIPELINE} must be an object, got {type(raw).__name__} {raw!r}")
        return None
    found = v.unknown_keys(_PIPELINE, raw.keys(), list(PIPELINE_KEYS))
    for key in ("account", "region", "connectionArn", "repository"):
        if raw.get(key) is None:
            found.append(f"{_PIPELINE}.{key} is required ({PIPELINE_KEYS[key]})")
    if raw.get("account") is not None:
        found += v.aws_account(f"{_PIPELINE}.account", raw["account"])
    if raw.get("region") is not None:
        found += v.aws_region(f"{_PIPELINE}.region", raw["region"])
    if raw.get("connectionArn") is not None:
        found += rules.connection_arn_problems(f"{_PIPELINE}.connectionArn", raw["connectionArn"])
    if raw.get("repository") is not None:
        found += rules.repository_problems(f"{_PIPELINE}.repository", raw["repository"])
    branch = raw.get("branch", "main")
    found += rules.branch_problems(f"{_PIPELINE}.branch", branch)
    cli_version = raw.get("cliVersion")
    if cli_version is not None and not (isinstance(cli_version, str) and re.fullmatch(r"\d+\.\d+\.\d+", cli_version)):
        found.append(f"{_PIPELINE}.cliVersion {cli_version!r} is not a version; write the CLI version as in "
                     "package.json, for example \"2.1100.0\"")
    # Waves are judged against the declared environments (none declared: reported once, by the caller).
    waves = _parse_waves(raw.get("waves"), environments, retired, found) if environments is not None else ()
    problems += found
    if found:
        return None
    return PipelineConfig(
        account=raw["account"],
        region=raw["region"],
        connection_arn=raw["connectionArn"],
        repository=raw["repository"],
        branch=branch,
        waves=waves,
        cli_version=cli_version,
    )


def _parse_waves(
    raw: Any, environments: list[str], retired: list[str], problems: list[str]
) -> tuple[WaveConfig, ...]:
    setting = f"{_PIPELINE}.waves"
    if raw is None:  # one wave per environment, in declaration order
        return tuple(WaveConfig(name=name, environments=(name,)) for name in environments)
    if not isinstance(raw, list):
        problems.append(f"{setting} must be a list of waves, got {type(raw).__name__} {raw!r}")
        return ()
    waves: list[WaveConfig] = []
    shapes_ok = True
    for i, item in enumerate(raw):
        where = f"{setting}[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object with name and environments, got {item!r}")
            shapes_ok = False
            continue
        found = v.unknown_keys(where, item.keys(), list(_WAVE_KEYS))
        members = item.get("environments")
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            found.append(f"{where}.environments must be a list of environment names, got {members!r}")
            members = []
        approval = item.get("approval", False)
        found += v.expect_type(f"{where}.approval", approval, bool, "true or false")
        if not isinstance(item.get("name"), str):
            found.append(f"{where}.name must be a string, got {item.get('name')!r}")
        problems += found
        shapes_ok = shapes_ok and not found
        waves.append(WaveConfig(name=str(item.get("name")), environments=tuple(members), approval=approval is True))
    for i, wave in enumerate(waves):
        for j, member in enumerate(wave.environments):
            if member in retired:
                problems.append(
                    f"{setting}[{i}].environments[{j}] {member!r} is retired: the pipeline deletes its stacks in its "
                    "last wave; remove it from the waves"
                )
                shapes_ok = False
    if shapes_ok:
        problems += rules.wave_problems(setting, [(w.name, w.environments) for w in waves], environments)
    return tuple(waves)


def _default(name: str) -> Any:
    """A ``PlatformConfig`` field's default."""
    return PlatformConfig.model_fields[name].default
