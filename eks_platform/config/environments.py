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
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import Field, create_model, field_validator

from eks_platform._internal import fleet as rules
from eks_platform._internal import validation as v
from eks_platform.config._base import HERE, ConfigModel, check, ruled, section_problems
from eks_platform.config.platform import CONTEXT_KEY, PlatformConfig, context_object, parse_platform_config
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


class WaveSettings(ConfigModel):
    """``platform.pipeline.waves[i]``: environments deployed in parallel, after an optional manual approval."""

    name: str = Field(description="The wave's name (lowercase letters, digits and '-').")
    environments: tuple[str, ...] = Field(description="Names of the environments the wave deploys.")
    approval: bool = Field(default=False, description="Wait for a manual approval before the wave.")


class PipelineSettings(ConfigModel):
    """``platform.pipeline``: the CDK Pipelines pipeline that delivers the environments in waves.

    The waves are judged against ``platform.environments`` by :func:`parse_fleet_config`.
    """

    missing_hints: ClassVar[dict[str, str]] = {
        key: f" ({PIPELINE_KEYS[key]})" for key in ("account", "region", "connectionArn", "repository")
    }

    account: Annotated[str, ruled(v.aws_account)] = Field(description=PIPELINE_KEYS["account"] + " (12 digits).")
    region: Annotated[str, ruled(v.aws_region)] = Field(description=PIPELINE_KEYS["region"] + ".")
    connection_arn: Annotated[str, ruled(rules.connection_arn_problems)] = Field(
        description=PIPELINE_KEYS["connectionArn"] + " (arn:aws:codeconnections:...)."
    )
    repository: Annotated[str, ruled(rules.repository_problems)] = Field(description=PIPELINE_KEYS["repository"] + ".")
    branch: Annotated[str, ruled(rules.branch_problems)] = Field(
        default="main", description=PIPELINE_KEYS["branch"] + "."
    )
    waves: tuple[WaveSettings, ...] | None = Field(
        default=None, description=PIPELINE_KEYS["waves"] + ". Default: one wave per environment, in declaration order."
    )
    cli_version: str | None = Field(
        default=None, description=PIPELINE_KEYS["cliVersion"] + ". Default: the CDK Pipelines default."
    )

    @field_validator("cli_version")
    @classmethod
    def _cli_version(cls, value: str | None) -> str | None:
        if value is not None:
            check(rules.cli_version_problems(HERE, value))
        return value


def _environment_model() -> type[ConfigModel]:
    """The keys of one ``platform.environments`` entry: ``account`` and ``region`` (required), ``retired`` and every
    other ``platform`` key, where ``null`` restores the default.

    An entry is validated as the base settings with its overrides on top (:func:`parse_fleet_config`), so this model
    describes its shape (the JSON Schema); the rules run on the merged settings.
    """
    overrides: dict[str, Any] = {
        name: (
            typing.Optional[field.annotation],  # noqa: UP045 (a type built at run time)
            Field(default=None, alias=field.alias, description=field.description),
        )
        for name, field in PlatformConfig.model_fields.items()
    }
    for name in ("account", "region"):  # every environment names where it deploys
        field = PlatformConfig.model_fields[name]
        overrides[name] = (str, Field(alias=field.alias, description=f"{field.description} Required."))
    return create_model(
        "EnvironmentSettings",
        __base__=ConfigModel,
        __doc__="One environment of a fleet: its account, region and overrides of the base settings.",
        retired=(bool, Field(default=False, description="The environment left the fleet: the pipeline deletes its "
                             "stacks (data is retained). Remove the entry once the pipeline has run.")),
        **overrides,
    )


#: One entry of ``platform.environments`` (for the JSON Schema; see :func:`_environment_model`).
EnvironmentSettings = _environment_model()


class FleetSections(ConfigModel):
    """The fleet's keys of the ``platform`` object, next to the keys of :class:`PlatformConfig`."""

    environments: dict[str, EnvironmentSettings] | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Name -> `account`, `region` and overrides of any other setting: one stage per environment; see "
        "\"Fleet\".",
        json_schema_extra={"minProperties": 1, "defaultText": "absent (one environment)"},
    )
    pipeline: PipelineSettings | None = Field(
        default=None,
        description="CDK Pipelines delivering the environments in waves; see \"Fleet\".",
        json_schema_extra={"defaultText": "absent"},
    )


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


def context_keys() -> dict[str, str]:
    """Every recognised key of the ``platform`` object with its description (used by docs and tests)."""
    fields = [*PlatformConfig.model_fields.items(), *FleetSections.model_fields.items()]
    return {f.alias or name: f.description or "" for name, f in fields}


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
        zones_from = None if "availabilityZones" in overrides else f"{CONTEXT_KEY}.availabilityZones"
        try:
            platform = parse_platform_config(
                merged, environ={}, today=today, setting=where, zones_inherited_from=zones_from
            )
        except ConfigError as error:
            inherited = {_at(problem, where) for problem in base_problems}
            problems += [problem for problem in error.problems if problem not in inherited]
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
    # a function, not a replacement string: an environment's name is user text (a backslash is no escape)
    return re.sub(rf"(?<![\w.-]){re.escape(CONTEXT_KEY)}\.", lambda _match: f"{where}.", problem)


def _parse_pipeline(
    raw: Any, environments: list[str] | None, retired: list[str], problems: list[str]
) -> PipelineConfig | None:
    if raw is None:
        return None
    settings, found = section_problems(PipelineSettings, raw, root=_PIPELINE)
    problems += found
    if settings is None:
        return None
    # Waves are judged against the declared environments (none declared: reported once, by the caller).
    waves = _waves(settings.waves, environments, retired, problems) if environments is not None else ()
    return PipelineConfig(
        account=settings.account,
        region=settings.region,
        connection_arn=settings.connection_arn,
        repository=settings.repository,
        branch=settings.branch,
        waves=waves,
        cli_version=settings.cli_version,
    )


def _waves(
    settings: tuple[WaveSettings, ...] | None, environments: list[str], retired: list[str], problems: list[str]
) -> tuple[WaveConfig, ...]:
    setting = f"{_PIPELINE}.waves"
    if settings is None:  # one wave per environment, in declaration order
        return tuple(WaveConfig(name=name, environments=(name,)) for name in environments)
    waves = tuple(WaveConfig(name=w.name, environments=w.environments, approval=w.approval) for w in settings)
    found = [
        f"{setting}[{i}].environments[{j}] {member!r} is retired: the pipeline deletes its stacks in its last wave; "
        "remove it from the waves"
        for i, wave in enumerate(waves)
        for j, member in enumerate(wave.environments)
        if member in retired
    ]
    found = found or rules.wave_problems(setting, [(w.name, w.environments) for w in waves], environments)
    problems += found
    return waves


def _default(name: str) -> Any:
    """A ``PlatformConfig`` field's default."""
    return PlatformConfig.model_fields[name].default
