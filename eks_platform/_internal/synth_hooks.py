"""The library's synth-time hooks: at most one jsii aspect and one jsii validation per stack.

Each jsii aspect or validation costs round trips to register (``Aspects.of`` + an object + ``add``, or an object +
``addValidation``) and a callback from the jsii kernel per visit at synth. Features therefore register plain Python
callables here; each stack gets one aspect and one validation, made on first use and found again on the stack's
Python object (no tree lookup), which call them.

Two phases, as aws-cdk-lib runs them (``core/lib/private/synthesis.ts``: ``invokeAspects``, then ``prepareApp``,
then ``validateTree``):

* :func:`on_prepare`: the aspect phase, for hooks that change the tree or its dependencies. Construct dependencies
  become ``DependsOn`` in ``prepareApp``, before validation, so such hooks must run here. The stack's aspect hangs
  on a leaf (the first hook's ``anchor``: an L1 or an output), so it is called back once, for that node, with the
  default priority (``AspectPriority.DEFAULT``), as each hook's own aspect was. Its hooks run in registration
  order. Once it has run, a later hook in that stack (one added by another aspect, or between two synths) gets a
  new aspect on its own anchor, so it still runs, and in the following synths too.
* :func:`on_validate`: the validation phase, after the tree is complete, for hooks that check it or write files
  into the cloud assembly. A hook returns error strings; aws-cdk-lib reports each as ``[<construct path>] message``
  with the path of the construct that holds the validation. The stack's validation runs the stack's own hooks
  first, then the others in registration order. The errors of a hook whose ``owner`` is another construct in the
  stack are handed to a validation on that owner, added on the first error only: aws-cdk-lib validates the tree
  in pre-order, the stack before everything in it, so the owner reports them in the same place, with the same
  path and in the same order as a validation of its own.

Stacks are kept apart: a nested stack, a stack in a nested ``cdk.Stage`` and every stack of an app have their own
aspect and validation, so each hook runs when its own stack is synthesized.

See: https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/core/lib/private/synthesis.ts and
https://docs.aws.amazon.com/cdk/v2/guide/aspects.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import jsii
from constructs import IConstruct, IValidation

from eks_platform._internal.tree import node_of, remember, stack_of

PrepareHook = Callable[[], object]
"""Called once per synth in the aspect phase; its return value is ignored."""
ValidateHook = Callable[[], list[str]]
"""Called once per synth in the validation phase; returns error messages (empty when all is well)."""


@jsii.implements(cdk.IAspect)
class _StackAspect:
    """Runs a stack's aspect-phase hooks when its anchor (a leaf) is visited."""

    def __init__(self, anchor: IConstruct) -> None:
        self.anchor = anchor
        self.hooks: list[PrepareHook] = []
        self.ran = False

    def visit(self, node: IConstruct) -> None:
        # jsii hands back the very Python object of a construct made in Python: identity, no round trip
        if node is not self.anchor:
            return
        self.ran = True  # from now on a new hook gets a new aspect: this one's visit is under way or over
        for hook in tuple(self.hooks):
            hook()


@jsii.implements(IValidation)
class _OwnerErrors:
    """The errors of one owner's hooks in this synth, reported by the owner (so with its path)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def validate(self) -> list[str]:
        return list(self.errors)


@jsii.implements(IValidation)
class _StackValidation:
    """Runs a stack's validation-phase hooks; errors are reported by the stack or handed to their owner."""

    def __init__(self, stack: cdk.Stack) -> None:
        self._stack = stack
        self.own: list[ValidateHook] = []
        self.owned: list[tuple[IConstruct, ValidateHook]] = []
        self._reporters: dict[int, _OwnerErrors] = {}

    def validate(self) -> list[str]:
        for reporter in self._reporters.values():  # a synth reports only its own errors
            reporter.errors.clear()
        errors: list[str] = []
        for hook in tuple(self.own):
            errors += hook()
        for owner, owned_hook in tuple(self.owned):
            found = owned_hook()
            if found:
                self._reporter(owner).errors.extend(found)
        return errors

    def _reporter(self, owner: IConstruct) -> _OwnerErrors:
        reporter = self._reporters.get(id(owner))
        if reporter is None:
            # validated after the stack (pre-order), in this very pass
            reporter = self._reporters[id(owner)] = _OwnerErrors()
            node_of(owner).add_validation(reporter)
        return reporter


class _StackHooks:
    """A stack's hooks: its current aspect and its validation, each made on first use."""

    def __init__(self, stack: cdk.Stack) -> None:
        self.stack = stack
        self.aspect: _StackAspect | None = None
        self.validation: _StackValidation | None = None


def _hooks_of(stack: cdk.Stack) -> _StackHooks:
    return remember(stack, "synth_hooks", lambda: _StackHooks(stack))


def _stack_of(construct: Any) -> cdk.Stack:
    return construct if isinstance(construct, cdk.Stack) else stack_of(construct)


def on_prepare(scope: IConstruct, anchor: IConstruct, hook: PrepareHook) -> None:
    """Call ``hook()`` at every synth, in the aspect phase of ``scope``'s stack.

    Args:
        scope: a construct in the stack the hook belongs to (the feature's own construct).
        anchor: a leaf construct of that stack with no children (an L1 or a ``CfnOutput``), in the tree for good:
            the stack's aspect is added on it when this is the stack's first hook (or the first since its aspect
            ran).
        hook: the callable; it may add dependencies, annotations or files.
    """
    hooks = _hooks_of(_stack_of(scope))
    aspect = hooks.aspect
    if aspect is None or aspect.ran:
        aspect = hooks.aspect = _StackAspect(anchor)
        cdk.Aspects.of(anchor).add(aspect)
    aspect.hooks.append(hook)


def on_validate(owner: IConstruct, hook: ValidateHook) -> None:
    """Call ``hook()`` at every synth, in the validation phase of ``owner``'s stack; its errors fail the synth,
    reported as ``[<owner path>] message``.

    Args:
        owner: the construct the hook validates for (a stack, or a construct in one): its path prefixes the errors.
        hook: the callable; it returns error messages, and may add annotations or write files.
    """
    stack = _stack_of(owner)
    hooks = _hooks_of(stack)
    validation = hooks.validation
    if validation is None:
        validation = hooks.validation = _StackValidation(stack)
        node_of(stack).add_validation(validation)
    if owner is stack:
        validation.own.append(hook)
    else:
        validation.owned.append((owner, hook))
