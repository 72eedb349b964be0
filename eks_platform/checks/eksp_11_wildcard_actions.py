"""EKSP-11: an IAM policy allows every action, or every action of a service."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from eks_platform.checks._rule import Finding, Level, Rule, RuleContext, as_list, is_intrinsic, statements

IAM_POLICY_TYPES = frozenset(
    {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"}
)


def _documents(properties: Mapping[str, Any]) -> Iterator[object]:
    if "PolicyDocument" in properties:  # AWS::IAM::Policy, AWS::IAM::ManagedPolicy
        yield properties["PolicyDocument"]
    for inline in as_list(properties.get("Policies")):  # inline policies of roles, users and groups
        if isinstance(inline, Mapping):
            yield inline.get("PolicyDocument")


def is_wildcard_action(action: str) -> bool:
    """``*``, ``*:*`` or ``<service>:*``."""
    return action == "*" or action.endswith(":*")


def check(properties: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    """One finding per wildcard action in an Allow statement (``Action::<action>``), and one per Allow statement
    with ``NotAction`` (``NotAction::<first action>``)."""
    findings: dict[str, Finding] = {}
    for document in _documents(properties):
        if is_intrinsic(document):
            continue
        for statement in statements(document):
            if statement.get("Effect") != "Allow":
                continue
            for action in as_list(statement.get("Action")):
                if isinstance(action, str) and is_wildcard_action(action):
                    key = f"Action::{action}"
                    findings.setdefault(
                        key,
                        Finding(
                            finding_id=key,
                            message=(
                                f"An Allow statement grants {action!r}: every "
                                f"{'action of every service' if action in ('*', '*:*') else 'action of the service'}"
                                ", including ones added in the future. List the actions the workload calls (IAM "
                                "Access Analyzer can generate them from CloudTrail), or acknowledge "
                                f"EKSP-11[{key}] on this policy with the reason."
                            ),
                        ),
                    )
            not_actions = [a for a in as_list(statement.get("NotAction")) if isinstance(a, str)]
            if not_actions:
                key = f"NotAction::{not_actions[0]}"
                findings.setdefault(
                    key,
                    Finding(
                        finding_id=key,
                        message=(
                            f"An Allow statement uses NotAction {not_actions}: it grants every other action of every "
                            "service. Replace it with an explicit Action list."
                        ),
                    ),
                )
    return list(findings.values())


RULE = Rule(
    number=11,
    title="iam-wildcard-action",
    resource_types=IAM_POLICY_TYPES,
    level=Level.ERROR,
    info="IAM policies must not allow '*' or '<service>:*' actions.",
    explanation=(
        "A wildcard action grants today's and tomorrow's actions, including destructive and privilege-escalating "
        "ones, so a leaked pod credential or a compromised function can do far more than its job. "
        "AwsSolutions-IAM5 flags every wildcard (also in resources); this rule singles out whole-service grants, "
        "which are never needed by the platform's own roles. KMS key policies are resource policies and are not "
        "checked here."
    ),
    check=check,
    see="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
)
