"""cdk.json: the ``platform.teams`` section, validated into :class:`TeamConfig` entries (team name -> settings).

Example::

    "teams": {
      "payments": {
        "editors": ["arn:aws:iam::111111111111:role/PaymentsDevelopers"],
        "viewers": ["arn:aws:iam::111111111111:role/Auditors"],
        "serviceAccounts": {"orders-api": {"managedPolicies": ["AmazonSQSReadOnlyAccess"]}},
        "resourceQuota": {"requests.cpu": "20", "limits.memory": "64Gi"},
        "limitRange": {"default": {"cpu": "500m", "memory": "512Mi"}}
      }
    }
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from aws_cdk import aws_iam as iam
from pydantic import Field, field_validator, model_validator

from eks_platform._internal import managed_policies as mp
from eks_platform._internal import pod_identity as pi
from eks_platform._internal import teams as t
from eks_platform._internal import validation as v
from eks_platform.checks.acknowledgments import acknowledge_aws_managed_policies
from eks_platform.config._base import HERE, ConfigModel, check, section_problems
from eks_platform.config.pod_identity import PodIdentityBinding
from eks_platform.constructs.team import Team, TeamLimitRange
from eks_platform.constructs.types import ClusterLike


@dataclass(frozen=True, kw_only=True, slots=True)
class TeamConfig:
    """One ``teams`` entry: a team's namespace, access, service accounts and quotas (see :class:`Team`)."""

    name: str
    namespace: str
    editors: tuple[str, ...] = ()
    viewers: tuple[str, ...] = ()
    service_accounts: tuple[PodIdentityBinding, ...] = ()
    resource_quota: Mapping[str, str] | None = None
    limit_range: TeamLimitRange | None = None

    def apply(self, scope: Any, cluster: ClusterLike) -> Team:
        """Create the team (and its Pod Identity bindings) under ``scope``; what the reference stack does."""
        team = Team(
            scope,
            self.name,
            cluster=cluster,
            name=self.name,
            namespace=self.namespace,
            editors=self.editors,
            viewers=self.viewers,
            resource_quota=self.resource_quota,
            limit_range=self.limit_range,
        )
        for binding in self.service_accounts:
            bound = team.add_pod_identity(
                binding.service_account, managed_policies=binding.options(team)["managed_policies"]
            )
            names = [mp.qualified_name(name) for name in binding.managed_policies if not name.startswith("arn:")]
            if names and isinstance(bound.role, iam.Role):
                acknowledge_aws_managed_policies(
                    bound.role,
                    names,
                    f"chosen explicitly in the platform config (teams.{self.name}.serviceAccounts."
                    f"{binding.service_account}); the role is assumable only by that service account",
                )
        return team


_QUANTITIES = "an object of quantities such as {\"cpu\": \"500m\"}"


def _quantities(values: Mapping[str, str | int] | None) -> dict[str, str] | None:
    return None if values is None else {key: str(value) for key, value in values.items()}


class ServiceAccountSettings(ConfigModel):
    """``serviceAccounts.<name>``: a service account of the team's namespace with a Pod Identity role."""

    managed_policies: tuple[str, ...] = Field(
        default=(), description="AWS managed policy names (AmazonSQSReadOnlyAccess) or IAM policy ARNs for the role."
    )

    @field_validator("managed_policies")
    @classmethod
    def _policies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check([p for i, name in enumerate(value) for p in pi.managed_policy_reference_problems(f"{HERE}[{i}]", name)])
        return value


class LimitRangeSettings(ConfigModel):
    """``limitRange``: container defaults and bounds of the team's namespace (a ``LimitRange`` of type Container).

    See: https://kubernetes.io/docs/concepts/policy/limit-range/
    """

    shape_hints: ClassVar[dict[str, str]] = dict.fromkeys(("default", "defaultRequest", "max", "min"), _QUANTITIES)

    default: dict[str, str | int] | None = Field(default=None, description="Default limits (cpu, memory, ...).")
    default_request: dict[str, str | int] | None = Field(default=None, description="Default requests.")
    max: dict[str, str | int] | None = Field(default=None, description="The most a container may ask for.")
    min: dict[str, str | int] | None = Field(default=None, description="The least a container may ask for.")

    @field_validator("default", "default_request", "max", "min")
    @classmethod
    def _limits(cls, value: dict[str, str | int] | None) -> dict[str, str | int] | None:
        check(t.limit_problems(HERE, _quantities(value)))
        return value

    @model_validator(mode="after")
    def _something(self) -> LimitRangeSettings:
        if all(getattr(self, name) is None for name in ("default", "default_request", "max", "min")):
            check([f"{HERE} sets nothing; give at least one of default, defaultRequest, max, min"])
        return self

    def limit_range(self) -> TeamLimitRange:
        return TeamLimitRange(
            default=_quantities(self.default), default_request=_quantities(self.default_request),
            max=_quantities(self.max), min=_quantities(self.min),
        )


class TeamSettings(ConfigModel):
    """``teams.<name>``: one application team (see :class:`~eks_platform.constructs.team.Team`)."""

    shape_hints: ClassVar[dict[str, str]] = {
        "editors": "a list of IAM role or user ARNs",
        "viewers": "a list of IAM role or user ARNs",
        "resourceQuota": _QUANTITIES,
        "serviceAccounts": 'an object mapping service account names to settings, e.g. {"orders-api": '
        '{"managedPolicies": ["AmazonSQSReadOnlyAccess"]}}',
    }

    namespace: str | None = Field(default=None, description="The team's namespace (DNS-1123 label). Default: its name.")
    editors: tuple[str, ...] = Field(
        default=(), description="IAM role/user ARNs with edit rights in the namespace (AmazonEKSEditPolicy)."
    )
    viewers: tuple[str, ...] = Field(
        default=(), description="IAM role/user ARNs with view rights in the namespace (AmazonEKSViewPolicy)."
    )
    service_accounts: dict[str, ServiceAccountSettings | None] = Field(
        default_factory=dict, description="Service accounts of the namespace, each bound to a Pod Identity role."
    )
    resource_quota: dict[str, str | int] | None = Field(
        default=None, description="ResourceQuota spec.hard of the namespace (requests.cpu, limits.memory, pods, ...)."
    )
    limit_range: LimitRangeSettings | None = Field(default=None, description="LimitRange of the namespace.")

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        if value is not None:
            check(v.dns1123_label(HERE, value) + t.system_namespace_problems(HERE, value))
        return value

    @field_validator("editors", "viewers")
    @classmethod
    def _principals(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check(t.principal_problems(HERE, value))
        return value

    @field_validator("service_accounts")
    @classmethod
    def _accounts(cls, value: dict[str, ServiceAccountSettings | None]) -> dict[str, ServiceAccountSettings | None]:
        check([p for name in value for p in v.dns1123_subdomain(f"{HERE}.{name}", name)])
        return value

    @field_validator("resource_quota")
    @classmethod
    def _quota(cls, value: dict[str, str | int] | None) -> dict[str, str | int] | None:
        check(t.quota_problems(HERE, _quantities(value)))
        return value

    @model_validator(mode="after")
    def _overlap(self) -> TeamSettings:
        check(t.overlap_problems(
            self.editors, self.viewers, editors_setting=f"{HERE}.editors", viewers_setting=f"{HERE}.viewers"
        ))
        return self

    def config(self, name: str) -> TeamConfig:
        namespace = self.namespace or name
        return TeamConfig(
            name=name,
            namespace=namespace,
            editors=self.editors,
            viewers=self.viewers,
            service_accounts=tuple(
                PodIdentityBinding(
                    namespace=namespace,
                    service_account=account,
                    managed_policies=settings.managed_policies if settings is not None else (),
                )
                for account, settings in self.service_accounts.items()
            ),
            resource_quota=_quantities(self.resource_quota),
            limit_range=self.limit_range.limit_range() if self.limit_range is not None else None,
        )


#: What ``platform.teams`` must be when it is not an object.
SECTION_SHAPE = 'an object mapping team names to settings, e.g. {"payments": {"editors": [...]}}'


def team_problems(teams: Mapping[str, TeamSettings | None]) -> list[str]:
    """Rules across the teams (``HERE`` is ``platform.teams``): names, one namespace and one team per principal."""
    problems: list[str] = []
    principals: dict[str, str] = {}
    namespaces: dict[str, str] = {}
    for name, settings in teams.items():
        where = f"{HERE}.{name}"
        settings = settings or TeamSettings()
        problems += v.dns1123_label(where, name)
        namespace = settings.namespace or name
        if settings.namespace is None:  # the team's name is its namespace
            problems += t.system_namespace_problems(f"{where}.namespace", namespace)
        for arn in (*settings.editors, *settings.viewers):
            if arn in principals and principals[arn] != name:
                problems.append(
                    f"{arn} is in teams {principals[arn]} and {name}; EKS keeps one access entry per principal and "
                    "cluster, so a principal belongs to one team"
                )
            principals.setdefault(arn, name)
        if namespace in namespaces:
            problems.append(
                f"{where}.namespace {namespace!r} is also team {namespaces[namespace]}'s; give each its own"
            )
        namespaces.setdefault(namespace, name)
    return problems


def team_configs(teams: Mapping[str, TeamSettings | None]) -> tuple[TeamConfig, ...]:
    """The validated teams as the reference stack builds them, in declaration order."""
    return tuple((settings or TeamSettings()).config(name) for name, settings in teams.items())


class _Section(ConfigModel):
    shape_hints: ClassVar[dict[str, str]] = {"teams": SECTION_SHAPE}

    teams: dict[str, TeamSettings | None] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _across(self) -> _Section:
        check([p.replace(HERE, f"{HERE}.teams") for p in team_problems(self.teams)])
        return self


def parse_teams_config(setting: str, raw: Any, problems: list[str]) -> tuple[TeamConfig, ...]:
    """Validate ``platform.teams`` on its own (team name -> settings); problems are appended."""
    root = setting.removesuffix(".teams")
    section, found = section_problems(_Section, {"teams": raw}, root=root)
    problems += [p if root != setting else p.replace(f"{root}.teams", root, 1) for p in found]
    return team_configs(section.teams) if section is not None else ()
