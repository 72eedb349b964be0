"""EKSP-9: an EKS add-on without a pinned version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eks_platform.checks._rule import Finding, Level, Rule, RuleContext, is_intrinsic


def check(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    """Non-compliant when ``AddonVersion`` is absent or empty."""
    version = properties.get("AddonVersion")
    if is_intrinsic(version) or (isinstance(version, str) and version.strip()):
        return []
    name = properties.get("AddonName")
    shown = name if isinstance(name, str) else "this add-on"
    return [
        Finding(
            message=(
                f"Add-on {shown!r} has no AddonVersion, so EKS installs whatever its default version is on the day of "
                "the deployment: the same template gives different clusters, and a later redeploy can change nothing "
                "while the cluster runs another version than you tested. Pin AddonVersion (for example "
                "'v1.3.4-eksbuild.1') from the checked-in add-on catalog, which is refreshed with "
                "`aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>`."
            )
        )
    ]


RULE = Rule(
    number=9,
    title="addon-version-unpinned",
    resource_types=frozenset({"AWS::EKS::Addon"}),
    level=Level.ERROR,
    info="Every EKS add-on must pin AddonVersion.",
    explanation=(
        "An unpinned add-on resolves to EKS's default version at deploy time, so synthesis is no longer a complete "
        "description of what runs, environments drift apart, and an upgrade happens without a reviewed change."
    ),
    check=check,
    see="https://docs.aws.amazon.com/eks/latest/userguide/updating-an-add-on.html",
)
