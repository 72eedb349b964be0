"""Acknowledging a finding: at the narrowest scope, always with a reason, and recorded for the audit table.

``acknowledge(scope, rule_id, reason)`` wraps CDK's ``Validations.of(scope).acknowledge(...)`` (what cdk-nag 3
reads) and refuses what makes acknowledgments dangerous: an empty reason, or a stack/app/stage scope that would
silence the rule for every resource below it, including ones added later.

The audit (``make audit``) lists every acknowledgment with its reason, and flags the ones that no longer match a
finding (stale), so they can be removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aws_cdk import Acknowledgment, Stack, Stage, Validations
from constructs import IConstruct

from eks_platform._internal.tree import path_of, root_of
from eks_platform.context import ignore_acknowledgments
from eks_platform.errors import ConfigError

_REGISTRY_ATTRIBUTE = "_eks_platform_acknowledgments"
_IGNORE_ATTRIBUTE = "_eks_platform_ignore_acknowledgments"
_MIN_REASON_LENGTH = 10


@dataclass(frozen=True, kw_only=True, slots=True)
class Acknowledged:
    """One acknowledgment: which rule, where, and why."""

    rule_id: str
    path: str
    reason: str

    def covers(self, rule_id: str, construct_path: str) -> bool:
        """Whether it hides ``rule_id`` on the construct at ``construct_path`` (itself or a descendant)."""
        return _bare(rule_id) == _bare(self.rule_id) and (
            construct_path == self.path or construct_path.startswith(self.path + "/")
        )


def _bare(rule_id: str) -> str:
    """``EksPlatform::EKSP-1`` and ``Annotation::EKSP-1`` name the same rule as ``EKSP-1``."""
    head, sep, tail = rule_id.partition("::")
    if sep and "[" not in head:
        return tail
    return rule_id


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge ``rule_id`` (``AwsSolutions-IAM4[Policy::...]``, ``EKSP-8``, ``EKSP-11[Action::s3:*]``) on
    ``scope`` and everything below it.

    Args:
        scope: the construct the finding is on, or the L2 that owns it. Not a Stack, Stage or App: acknowledge
            where the finding is, so new resources are still checked.
        rule_id: the full rule ID as the report prints it, including any ``[finding]`` suffix.
        reason: why the finding is accepted, for the reviewer reading the audit table (at least 10 characters).

    Raises:
        ConfigError: ``InvalidAcknowledgment`` when the rule ID or reason is missing, or the scope is a stack, stage
            or app.
    """
    acknowledge_all(scope, [rule_id], reason)


def acknowledge_all(scope: IConstruct, rule_ids: Iterable[str], reason: str) -> None:
    """:func:`acknowledge` for several rule IDs on one scope with one reason (one call into CDK: cheaper)."""
    ids = list(rule_ids)
    _acknowledge(scope, [(rule_id, reason) for rule_id in ids], ids, [reason])


def acknowledge_each(scope: IConstruct, acknowledged: Iterable[tuple[str, str]]) -> None:
    """:func:`acknowledge` for several ``(rule_id, reason)`` pairs on one scope, each with its own reason, in one
    call into CDK (``Validations.acknowledge`` takes any number of acknowledgments)."""
    pairs = list(acknowledged)
    reasons: list[object] = []
    for _, text in pairs:
        if not any(text is seen or text == seen for seen in reasons):
            reasons.append(text)
    _acknowledge(scope, pairs, [rule_id for rule_id, _ in pairs], reasons)


def _acknowledge(scope: IConstruct, pairs: list[tuple[str, str]], ids: list[str], reasons: list[object]) -> None:
    problems = []
    for rule_id in ids:
        if not isinstance(rule_id, str) or not rule_id.strip():
            problems.append(f"acknowledgment rule_id must be a rule ID such as 'EKSP-8', got {rule_id!r}")
    for text in reasons:
        if not isinstance(text, str) or len(text.strip()) < _MIN_REASON_LENGTH:
            problems.append(
                f"acknowledgment of {', '.join(map(repr, ids))} needs a reason of at least {_MIN_REASON_LENGTH} "
                f"characters saying why the finding is accepted, got {text!r}"
            )
    if isinstance(scope, (Stack, Stage)):
        kind = "stage or app" if isinstance(scope, Stage) else "stack"
        problems.append(
            f"acknowledgment of {', '.join(map(repr, ids))} is on the {kind} {path_of(scope) or '<app>'!r}, which "
            "would also hide the finding on every resource added later; acknowledge it on the resource (or the "
            "construct that owns it) instead"
        )
    if problems:
        raise ConfigError("InvalidAcknowledgment", problems, path=path_of(scope) or None)
    if not pairs:
        return
    root = root_of(scope)
    # (scope, rule ids, reason) in the order made; the paths are read only when the audit asks (acknowledgments())
    registry: list[tuple[IConstruct, tuple[str, ...], str]] | None = getattr(root, _REGISTRY_ATTRIBUTE, None)
    if registry is None:
        registry = []
        setattr(root, _REGISTRY_ATTRIBUTE, registry)
        ignore = ignore_acknowledgments(root)
        setattr(root, _IGNORE_ATTRIBUTE, ignore)
    registry += [(scope, (rule_id,), text.strip()) for rule_id, text in pairs]
    if getattr(root, _IGNORE_ATTRIBUTE, False):
        return
    Validations.of(scope).acknowledge(*(Acknowledgment(id=rule_id, reason=text.strip()) for rule_id, text in pairs))


def acknowledge_aws_managed_policies(role: IConstruct, policy_names: Iterable[str], reason: str) -> None:
    """Acknowledge ``AwsSolutions-IAM4`` for each AWS managed policy (by name, e.g. ``AmazonEKSClusterPolicy``)
    attached to ``role``: one acknowledgment per policy, so a policy added later is still reported."""
    acknowledge_all(role, [managed_policy_rule_id(name) for name in policy_names], reason)


def managed_policy_rule_id(policy_name: str) -> str:
    """The ``AwsSolutions-IAM4`` finding ID of the AWS managed policy ``policy_name`` (``AmazonEKSClusterPolicy``)."""
    return f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{policy_name}]"


def acknowledgments(root: IConstruct) -> tuple[Acknowledged, ...]:
    """Every acknowledgment made through :func:`acknowledge` in ``root``'s app, in the order they were made."""
    made = getattr(root_of(root), _REGISTRY_ATTRIBUTE, None) or ()
    return tuple(
        Acknowledged(rule_id=rule_id, path=path_of(scope), reason=text) for scope, ids, text in made for rule_id in ids
    )
