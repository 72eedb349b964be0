"""CloudFormation's 500-resources-per-template limit, checked at synth instead of at deploy time.

``apply_resource_limit(stack)`` (call it at the end of a stack's constructor):

* raises ``ConfigError("TooManyResources")`` right away when the stack already has more than 500 resources, with
  the count per top-level construct and how to split;
* adds a validation that, at synth, warns (``eks-platform:resource-limit``) once the stack passes 90 % of the limit
  and fails synth above it (for resources added after the constructor, by aspects or by the caller).

See: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
"""

from __future__ import annotations

from collections import Counter

from aws_cdk import Annotations, CfnResource, Stack
from constructs import IConstruct

from eks_platform._internal.synth_hooks import on_validate
from eks_platform._internal.tree import node_of, path_of
from eks_platform.errors import ConfigError

#: Resources per template (CloudFormation quota; older docs say 200, which is outdated).
CFN_RESOURCE_LIMIT = 500
#: Warn once a stack passes this share of the limit.
WARN_FRACTION = 0.9
WARNING_ID = "eks-platform:resource-limit"


def _owned_constructs(stack: Stack) -> list[IConstruct]:
    """Constructs whose resources land in ``stack``'s own template (nested stacks' contents excluded)."""
    everything = node_of(stack).find_all()
    nested = [c for c in everything[1:] if isinstance(c, Stack)]
    excluded: set[int] = set()
    for inner in nested:
        excluded.update(id(c) for c in inner.node.find_all())
    return [c for c in everything if id(c) not in excluded]


def count_resources(stack: Stack) -> int:
    """How many resources ``stack``'s template will have (CfnResources in the stack, not in nested stacks)."""
    return sum(1 for c in _owned_constructs(stack) if isinstance(c, CfnResource))


def _by_top_level(stack: Stack) -> Counter[str]:
    counts: Counter[str] = Counter()
    prefix = path_of(stack) + "/"
    for construct in _owned_constructs(stack):
        if isinstance(construct, CfnResource):
            relative = construct.node.path[len(prefix) :]
            counts[relative.split("/", 1)[0]] += 1
    return counts


def limit_message(stack_path: str, count: int, limit: int, largest: Counter[str] | None = None) -> str:
    """The error text: the count, the limit, the biggest contributors and how to split."""
    top = ""
    if largest:
        top = " Largest parts: " + ", ".join(f"{name} ({n})" for name, n in largest.most_common(5)) + "."
    return (
        f"stack {stack_path!r} has {count} CloudFormation resources; a template may have at most {limit} "
        f"(CloudFormation quota), so the deployment would fail.{top} Split it: move a feature (for example Pod "
        "Identity bindings or add-ons) into its own stack that takes the cluster (an eks.ICluster) as a parameter, "
        "or into a NestedStack, so each template stays under the limit."
    )


def warning_message(stack_path: str, count: int, limit: int) -> str:
    return (
        f"stack {stack_path!r} has {count} CloudFormation resources, {count * 100 // limit}% of the {limit}-resource "
        "template limit. Plan the split now (a separate stack per feature, taking the cluster as a parameter) "
        "before a deployment fails: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html"
    )


class _ResourceLimitValidation:
    """The synth-time check: a validation-phase hook owned by the stack (``synth_hooks.on_validate``)."""

    def __init__(self, stack: Stack, limit: int) -> None:
        self._stack = stack
        self._limit = limit

    def validate(self) -> list[str]:
        count = count_resources(self._stack)
        if count > self._limit:
            return [f"[TooManyResources] {limit_message(path_of(self._stack), count, self._limit)}"]
        if count > self._limit * WARN_FRACTION:
            Annotations.of(self._stack).add_warning_v2(
                WARNING_ID, warning_message(path_of(self._stack), count, self._limit)
            )
        return []


def apply_resource_limit(stack: Stack, *, limit: int = CFN_RESOURCE_LIMIT) -> int:
    """Check ``stack`` against the resource limit now, and again at synth. Returns the current count.

    Raises:
        ConfigError: ``TooManyResources`` when the stack already has more than ``limit`` resources.
    """
    count = count_resources(stack)
    if count > limit:
        raise ConfigError(
            "TooManyResources", limit_message(path_of(stack), count, limit, _by_top_level(stack)), path=path_of(stack)
        )
    on_validate(stack, _ResourceLimitValidation(stack, limit).validate)
    return count
