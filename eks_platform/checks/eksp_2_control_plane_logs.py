"""EKSP-2: control-plane log types are missing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eks_platform.checks._rule import Finding, Level, Rule, RuleContext, as_list, get_path, is_intrinsic

#: The five control-plane log types EKS can send to CloudWatch Logs, in the order EKS documents them.
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


def check(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    """One finding per log type missing from ``Logging.ClusterLogging.EnabledTypes`` (finding id ``LogType::<t>``)."""
    raw = get_path(properties, "Logging", "ClusterLogging", "EnabledTypes")
    if is_intrinsic(raw) or is_intrinsic(get_path(properties, "Logging")):
        return []
    enabled = set()
    for item in as_list(raw):
        log_type = item.get("Type") if isinstance(item, Mapping) else None
        if isinstance(log_type, str):
            enabled.add(log_type)
        elif log_type is not None:  # an intrinsic: cannot tell which type it is
            return []
    return [
        Finding(
            finding_id=f"LogType::{log_type}",
            message=(
                f"Control-plane log type {log_type!r} is not enabled (Logging.ClusterLogging.EnabledTypes has "
                f"{sorted(enabled) or 'none'}). Enable it with AutoModeCluster logging_types (default: all five) or "
                f"eks.Cluster cluster_logging; acknowledge EKSP-2[LogType::{log_type}] with a reason if the "
                "CloudWatch Logs cost is not worth it."
            ),
        )
        for log_type in LOG_TYPES
        if log_type not in enabled
    ]


RULE = Rule(
    number=2,
    title="control-plane-logs-missing",
    resource_types=frozenset({"AWS::EKS::Cluster"}),
    level=Level.ERROR,
    info="The EKS cluster must send all five control-plane log types (api, audit, authenticator, controllerManager, "
    "scheduler) to CloudWatch Logs.",
    explanation=(
        "Without audit and authenticator logs nobody can tell who did what to the cluster after an incident; "
        "without api, controllerManager and scheduler logs control-plane failures are undiagnosable. Control-plane "
        "logs are off by default in EKS and in aws_eks_v2."
    ),
    check=check,
    see="https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html",
)
