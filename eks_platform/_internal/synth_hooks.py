"""The library's synth-time hooks: one jsii aspect and one jsii validation per synthesis (the app, or a nested stage).

Each jsii aspect or validation costs round trips to register (``Aspects.of`` + an object + ``add``, or an object +
``addValidation``) and a callback from the jsii kernel per visit at synth. Features therefore register plain Python
callables here. Each unit that aws-cdk-lib synthesizes on its own, an app or a ``cdk.Stage`` in it, gets one aspect
and one validation, made on first use and found again on the stage's Python object (no tree lookup), which call
them; so every stack has at most one of each, and a stage of many stacks pays for one.

Two phases, as aws-cdk-lib runs them for each stage (``core/lib/private/synthesis.ts``: ``invokeAspects``, then
``prepareApp``, then ``validateTree``; each skips the nested stages, which are synthesized first, on their own):

* :func:`on_prepare`: the aspect phase, for hooks that change the tree or its dependencies. Construct dependencies
  become ``DependsOn`` in ``prepareApp``, before validation, so such hooks must run here. The stage's aspect hangs
  on a leaf (the first hook's ``anchor``: an L1 or an output), so it is called back once, for that node, with the
  default priority (``AspectPriority.DEFAULT``), as each hook's own aspect was. Its hooks run in registration
  order. Once it has run, a later hook (one added by another aspect, or between two synths) gets a new aspect on
  its own anchor, so it still runs, and in the following synths too.
* :func:`on_validate`: the validation phase, after the tree is complete, for hooks that check it or write files
  into the cloud assembly. A hook returns error strings; aws-cdk-lib reports each as ``[<construct path>] message``
  with the path of the construct that holds the validation, visiting the tree in pre-order. The stage's validation
  is on the stage, which comes first; it runs every hook (in registration order) and hands a hook's errors to a
  validation on the hook's ``owner`` (a stack, or a construct in one), added on the first error only. The owner is
  visited later in the same pass, so it reports them with its own path, in its own place in the order, as a
  validation of its own did.

See: https://github.com/aws/aws-cdk/blob/main/packages/aws-cdk-lib/core/lib/private/synthesis.ts and
https://docs.aws.amazon.com/cdk/v2/guide/aspects.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import jsii
from constructs import IConstruct, IValidation

from eks_platform._internal.tree import node_of, remember, stack_of, stage_of

PrepareHook = Callable[[], object]
"""Called once per synth in the aspect phase; its return value is ignored."""
ValidateHook = Callable[[], list[str]]
"""Called once per synth in the validation phase; returns error messages (empty when all is well)."""


@jsii.implements(cdk.IAspect)
class _Aspect:
    """Runs aspect-phase hooks when its anchor (a leaf) is visited."""

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
class _Validation:
    """Runs validation-phase hooks; hands each hook's errors to its owner, which reports them."""

    def __init__(self) -> None:
        self.hooks: list[tuple[IConstruct, ValidateHook]] = []
        self._reporters: dict[int, _OwnerErrors] = {}

    def validate(self) -> list[str]:
        for reporter in self._reporters.values():  # a synth reports only its own errors
            reporter.errors.clear()
        for owner, hook in tuple(self.hooks):
            found = hook()
            if found:
                self._reporter(owner).errors.extend(found)
        return []

    def _reporter(self, owner: IConstruct) -> _OwnerErrors:
        reporter = self._reporters.get(id(owner))
        if reporter is None:
            # validated after the stage (pre-order), in this very pass
            reporter = self._reporters[id(owner)] = _OwnerErrors()
            node_of(owner).add_validation(reporter)
        return reporter


class _Hooks:
    """One stage's hooks: its current aspect and its validation, each made on first use."""

    def __init__(self) -> None:
        self.aspect: _Aspect | None = None
        self.validation: _Validation | None = None


def _unit_of(construct: Any) -> IConstruct:
    """The stage (an app or a ``cdk.Stage``) that synthesizes ``construct``'s stack; the stack when it has none."""
    stack = construct if isinstance(construct, cdk.Stack) else stack_of(construct)
    stage = stage_of(stack)
    return stack if stage is None else stage


def _hooks_of(unit: IConstruct) -> _Hooks:
    return remember(unit, "synth_hooks", _Hooks)


def on_prepare(scope: IConstruct, anchor: IConstruct, hook: PrepareHook) -> None:
    """Call ``hook()`` at every synth, in the aspect phase of the stage that synthesizes ``scope``.

    Args:
        scope: a construct in the stack the hook belongs to (the feature's own construct).
        anchor: a leaf construct of that stack with no children (an L1 or a ``CfnOutput``), in the tree for good:
            the stage's aspect is added on it when this is the stage's first hook (or the first since its aspect
            ran).
        hook: the callable; it may add dependencies, annotations or files.
    """
    hooks = _hooks_of(_unit_of(scope))
    aspect = hooks.aspect
    if aspect is None or aspect.ran:
        aspect = hooks.aspect = _Aspect(anchor)
        cdk.Aspects.of(anchor).add(aspect)
    aspect.hooks.append(hook)


def on_validate(owner: IConstruct, hook: ValidateHook) -> None:
    """Call ``hook()`` at every synth, in the validation phase of the stage that synthesizes ``owner``; its errors
    fail the synth, reported as ``[<owner path>] message``.

    Args:
        owner: the construct the hook validates for (a stack, or a construct in one): its path prefixes the errors.
        hook: the callable; it returns error messages, and may add annotations or write files.
    """
    unit = _unit_of(owner)
    hooks = _hooks_of(unit)
    validation = hooks.validation
    if validation is None:
        validation = hooks.validation = _Validation()
        node_of(unit).add_validation(validation)
    validation.hooks.append((owner, hook))
