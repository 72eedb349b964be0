"""cdk.json: the ``platform.teams`` section, parsed into :class:`TeamConfig` entries (team name -> settings).

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
from typing import Any

from aws_cdk import aws_iam as iam

from eks_platform._internal import pod_identity as pi
from eks_platform._internal import teams as t
from eks_platform._internal import validation as v
from eks_platform.checks.acknowledgments import acknowledge_aws_managed_policies
from eks_platform.config.pod_identity import PodIdentityBinding
from eks_platform.constructs.team import Team, TeamLimitRange
from eks_platform.constructs.types import ClusterLike

_TEAM_KEYS = ("namespace", "editors", "viewers", "serviceAccounts", "resourceQuota", "limitRange")
_ACCOUNT_KEYS = ("managedPolicies",)
_LIMIT_KEYS = {"default": "default", "defaultRequest": "default_request", "max": "max", "min": "min"}

#: The JSON Schema of the section (team names -> their keys; the rules are judged at synth).
TEAMS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Application teams by name.",
    "additionalProperties": {
        "type": "object",
        "properties": {key: {} for key in _TEAM_KEYS},
        "additionalProperties": False,
    },
}


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
            names = [name for name in binding.managed_policies if not name.startswith("arn:")]
            if names and isinstance(bound.role, iam.Role):
                acknowledge_aws_managed_policies(
                    bound.role,
                    names,
                    f"chosen explicitly in the platform config (teams.{self.name}.serviceAccounts."
                    f"{binding.service_account}); the role is assumable only by that service account",
                )
        return team


def _strings(setting: str, raw: object, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        problems.append(f"{setting} must be a list of IAM role or user ARNs, got {raw!r}")
        return ()
    return tuple(raw)


def _string_map(setting: str, raw: object, problems: list[str]) -> dict[str, str] | None:
    if not isinstance(raw, dict) or not all(isinstance(x, str | int) and not isinstance(x, bool) for x in raw.values()):
        problems.append(f"{setting} must be an object of quantities such as {{\"cpu\": \"500m\"}}, got {raw!r}")
        return None
    return {k: str(val) for k, val in raw.items()}


def _limit_range(setting: str, raw: object, problems: list[str]) -> TeamLimitRange | None:
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be an object with default, defaultRequest, max and/or min, got {raw!r}")
        return None
    found = v.unknown_keys(setting, raw.keys(), list(_LIMIT_KEYS))
    values: dict[str, dict[str, str] | None] = {}
    for key, attr in _LIMIT_KEYS.items():
        if key in raw:
            values[attr] = _string_map(f"{setting}.{key}", raw[key], found)
            found += t.limit_problems(f"{setting}.{key}", values[attr])
    if not values:
        found.append(f"{setting} sets nothing; give at least one of {', '.join(_LIMIT_KEYS)}")
    if found:
        problems += found
        return None
    return TeamLimitRange(**values)


def _service_accounts(setting: str, namespace: str, raw: object, problems: list[str]) -> tuple[
    PodIdentityBinding, ...
]:
    if not isinstance(raw, dict):
        problems.append(
            f"{setting} must be an object mapping service account names to settings, e.g. "
            f"{{\"orders-api\": {{\"managedPolicies\": [\"AmazonSQSReadOnlyAccess\"]}}}}; got {raw!r}"
        )
        return ()
    bindings = []
    for name, item in raw.items():
        where = f"{setting}.{name}"
        item = {} if item is None else item
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object with managedPolicies, got {item!r}")
            continue
        found = v.unknown_keys(where, item.keys(), list(_ACCOUNT_KEYS))
        found += v.dns1123_subdomain(where, name)
        policies = item.get("managedPolicies", [])
        if not isinstance(policies, list):
            found.append(f"{where}.managedPolicies must be a list of policy names or ARNs, got {policies!r}")
            policies = []
        for index, policy in enumerate(policies):
            found += pi.managed_policy_reference_problems(f"{where}.managedPolicies[{index}]", policy)
        if found:
            problems += found
            continue
        bindings.append(
            PodIdentityBinding(namespace=namespace, service_account=name, managed_policies=tuple(policies))
        )
    return tuple(bindings)


def parse_teams_config(setting: str, raw: Any, problems: list[str]) -> tuple[TeamConfig, ...]:
    """Parse ``platform.teams`` (team name -> settings); append problems, never raise."""
    if not isinstance(raw, dict):
        problems.append(
            f"{setting} must be an object mapping team names to settings, e.g. {{\"payments\": {{\"editors\": "
            f"[...]}}}}; got {type(raw).__name__} {raw!r}"
        )
        return ()
    teams: list[TeamConfig] = []
    principals: dict[str, str] = {}
    namespaces: dict[str, str] = {}
    for name, item in raw.items():
        where = f"{setting}.{name}"
        item = {} if item is None else item
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object of settings ({', '.join(_TEAM_KEYS)}), got {item!r}")
            continue
        found: list[str] = v.unknown_keys(where, item.keys(), list(_TEAM_KEYS))
        found += v.dns1123_label(where, name)
        namespace = item.get("namespace", name)
        found += v.dns1123_label(f"{where}.namespace", namespace)
        found += t.system_namespace_problems(f"{where}.namespace", namespace)
        editors = _strings(f"{where}.editors", item.get("editors", []), found)
        viewers = _strings(f"{where}.viewers", item.get("viewers", []), found)
        found += t.principal_problems(f"{where}.editors", editors)
        found += t.principal_problems(f"{where}.viewers", viewers)
        found += t.overlap_problems(
            editors, viewers, editors_setting=f"{where}.editors", viewers_setting=f"{where}.viewers"
        )
        for arn in (*editors, *viewers):
            if arn in principals and principals[arn] != name:
                found.append(
                    f"{arn} is in teams {principals[arn]} and {name}; EKS keeps one access entry per principal and "
                    "cluster, so a principal belongs to one team"
                )
            principals.setdefault(arn, name)
        if isinstance(namespace, str) and namespace in namespaces:
            found.append(f"{where}.namespace {namespace!r} is also team {namespaces[namespace]}'s; give each its own")
        if isinstance(namespace, str):
            namespaces.setdefault(namespace, name)
        quota = None
        if "resourceQuota" in item:
            quota = _string_map(f"{where}.resourceQuota", item["resourceQuota"], found)
            found += t.quota_problems(f"{where}.resourceQuota", quota) if quota is not None else []
        limits = _limit_range(f"{where}.limitRange", item["limitRange"], found) if "limitRange" in item else None
        accounts = _service_accounts(
            f"{where}.serviceAccounts", str(namespace), item.get("serviceAccounts", {}), found
        ) if not found else ()
        if found:
            problems += found
            continue
        teams.append(
            TeamConfig(
                name=name,
                namespace=str(namespace),
                editors=editors,
                viewers=viewers,
                service_accounts=accounts,
                resource_quota=quota,
                limit_range=limits,
            )
        )
    return tuple(teams)
