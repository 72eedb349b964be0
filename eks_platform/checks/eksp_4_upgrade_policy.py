"""EKSP-4: the cluster pays for extended support it does not need, or has no upgrade policy at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eks_platform._internal.versions import lifecycle_table, prices
from eks_platform.checks._rule import Finding, Level, Rule, RuleContext, get_path, is_intrinsic


def check(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    """Non-compliant when ``UpgradePolicy`` is absent (EKS then defaults to EXTENDED), or when it is EXTENDED for a
    ``Version`` that is still in standard support on ``context.today`` (per the checked-in version table)."""
    price = prices()
    surcharge = price["extended"] - price["standard"]
    policy = properties.get("UpgradePolicy")
    if is_intrinsic(policy):
        return []
    if policy is None:
        return [
            Finding(
                message=(
                    "The cluster has no UpgradePolicy, so EKS applies its default SupportType EXTENDED: when the "
                    "version leaves standard support the cluster stays on it and costs "
                    f"${price['extended']:.2f} instead of ${price['standard']:.2f} per cluster-hour "
                    f"(+${surcharge:.2f}/h, about ${surcharge * 730:.0f} a month). Set UpgradePolicy.SupportType "
                    "explicitly: AutoModeCluster does (STANDARD while the version is in standard support); with "
                    "eks.Cluster set it on the CfnCluster (cluster.node.default_child.upgrade_policy)."
                )
            )
        ]
    support = get_path(policy, "SupportType")
    if is_intrinsic(support):
        return []
    if (support or "EXTENDED") != "EXTENDED":
        return []
    version = properties.get("Version")
    row = lifecycle_table().get(version) if isinstance(version, str) else None
    if row is None or row.phase_on(context.today) != "standard":
        return []
    return [
        Finding(
            message=(
                f"UpgradePolicy.SupportType is EXTENDED but Kubernetes {version} is in standard support until "
                f"{row.end_of_standard.isoformat()} (checked on {context.today.isoformat()}). After that date the "
                f"cluster stays on {version} at ${price['extended']:.2f} instead of ${price['standard']:.2f} per "
                f"cluster-hour (+${surcharge:.2f}/h) until {row.end_of_extended.isoformat()}. Use STANDARD "
                "(AutoModeCluster's default for such versions), or acknowledge EKSP-4 with the reason you need the "
                "extra year."
            )
        )
    ]


RULE = Rule(
    number=4,
    title="upgrade-policy-cost",
    resource_types=frozenset({"AWS::EKS::Cluster"}),
    level=Level.ERROR,
    info="The EKS cluster must set UpgradePolicy, and must not choose EXTENDED support for a version still in "
    "standard support.",
    explanation=(
        "EKS defaults to extended support: a cluster left on an old version silently moves to the extended-support "
        "price (six times the standard price per cluster-hour). Choosing STANDARD makes EKS upgrade the control "
        "plane at the end of standard support instead; choose EXTENDED only on purpose."
    ),
    check=check,
    see="https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html",
)
