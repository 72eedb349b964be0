"""One jsii aspect and one jsii validation per app or stage (eks_platform._internal.synth_hooks): each hook runs once
per synth, when its own stack is synthesized and in its phase, and its errors keep the path and place a validation of
its own would give."""

from __future__ import annotations

from collections import Counter
from typing import Any

import aws_cdk as cdk
import jsii
import pytest
from constructs import Construct, IConstruct, IValidation

from eks_platform._internal.synth_hooks import _Aspect, on_prepare, on_validate
from tests.support import new_app, new_stack


def _leaf(scope: Construct, construct_id: str) -> cdk.CfnResource:
    return cdk.CfnResource(scope, construct_id, type="AWS::SNS::Topic")


def _ours(construct: IConstruct) -> list[_Aspect]:
    return [a for a in cdk.Aspects.of(construct).all if isinstance(a, _Aspect)]


@jsii.implements(IValidation)
class _Fails:
    def __init__(self, message: str) -> None:
        self._message = message

    def validate(self) -> list[str]:
        return [self._message]


def _recorder(calls: list[str], label: str, result: Any = None) -> Any:
    def hook() -> Any:
        calls.append(label)
        return result

    return hook


def test_prepare_hooks_share_one_aspect_on_the_first_anchor() -> None:
    app = new_app()
    stack = new_stack(app, "Shared")
    first, second = _leaf(stack, "First"), _leaf(stack, "Second")
    calls: list[str] = []
    on_prepare(stack, first, _recorder(calls, "first"))
    on_prepare(stack, second, _recorder(calls, "second"))
    assert (len(_ours(first)), len(_ours(second))) == (1, 0)
    app.synth()
    assert calls == ["first", "second"]


def test_dependency_added_by_a_prepare_hook_reaches_the_template() -> None:
    app = new_app()
    stack = new_stack(app, "Prepared")
    dependent, dependency = _leaf(stack, "Dependent"), _leaf(stack, "Dependency")
    on_prepare(stack, dependent, lambda: dependent.node.add_dependency(dependency))
    template = app.synth().get_stack_by_name("Prepared").template
    assert template["Resources"]["Dependent"]["DependsOn"] == ["Dependency"]


def test_each_stack_nested_stack_and_stage_runs_its_own_hooks_once_per_synth() -> None:
    app = new_app()
    first = new_stack(app, "First")
    nested = cdk.NestedStack(first, "Nested")
    second = new_stack(app, "Second")
    stage = cdk.Stage(app, "Stage")
    staged = new_stack(stage, "Staged")  # type: ignore[arg-type]
    calls: list[str] = []
    for stack in (first, nested, second, staged):
        name = stack.node.id
        on_prepare(stack, _leaf(stack, "Anchor"), _recorder(calls, f"{name}:prepare"))
        on_validate(stack, _recorder(calls, f"{name}:validate", []))
    stage.synth()  # only the stage's stack
    assert calls == ["Staged:prepare", "Staged:validate"]
    app.synth()  # the stage's assembly is reused: its hooks do not run again
    assert Counter(calls) == {f"{n}:{p}": 1 for n in ("First", "Nested", "Second", "Staged")
                              for p in ("prepare", "validate")}
    for name in ("First", "Nested", "Second"):  # the aspect phase ends before validation starts
        assert calls.index(f"{name}:prepare") < min(calls.index(f"{n}:validate") for n in ("First", "Nested", "Second"))
    # one aspect for the app's stacks (on the first anchor), one for the stage's
    assert [len(_ours(s.node.find_child("Anchor"))) for s in (first, nested, second, staged)] == [1, 0, 0, 1]


def _error_lines(app: cdk.App) -> list[str]:
    with pytest.raises(RuntimeError, match="Validation failed with the following errors") as raised:
        app.synth()
    return [line.strip() for line in str(raised.value).splitlines() if line.strip().startswith("[")]


def _validated_app(*, hooks: bool, staged: bool = False) -> cdk.App:
    """The same errors from plain jsii validations (hooks=False) or from hooks (hooks=True)."""
    app = new_app()
    other = new_stack(app, "Other")
    stack = new_stack(cdk.Stage(app, "Stage") if staged else app, "Checked")  # type: ignore[arg-type]
    early = Construct(stack, "Early")
    owner = Construct(stack, "Owner")
    nested = cdk.NestedStack(stack, "Nested")
    inner = Construct(nested, "Inner")
    late = Construct(stack, "Late")
    early.node.add_validation(_Fails("early"))
    late.node.add_validation(_Fails("late"))
    for scope, message in ((inner, "inner"), (owner, "owned"), (other, "other"), (owner, "owned again"),
                           (stack, "stack")):
        if hooks:
            on_validate(scope, lambda message=message: [message])  # type: ignore[misc]
        else:
            scope.node.add_validation(_Fails(message))
    return app


def test_validation_errors_keep_the_path_and_order_of_a_validation_of_their_owner() -> None:
    expected = _error_lines(_validated_app(hooks=False))
    assert expected == ["[Other] other", "[Checked] stack", "[Checked/Early] early", "[Checked/Owner] owned",
                        "[Checked/Owner] owned again", "[Checked/Nested/Inner] inner", "[Checked/Late] late"]
    assert _error_lines(_validated_app(hooks=True)) == expected


def test_validation_errors_of_a_stage_are_reported_when_the_stage_is_synthesized() -> None:
    expected = _error_lines(_validated_app(hooks=False, staged=True))
    assert expected[0] == "[Stage/Checked] stack"  # the stage fails first: its assembly is made before the app's
    assert _error_lines(_validated_app(hooks=True, staged=True)) == expected


def test_apps_synthesized_twice_run_each_hook_once_per_synth_and_report_only_that_synths_errors() -> None:
    app = new_app()
    stack = new_stack(app, "Twice")
    owner = Construct(stack, "Owner")
    first, later = _leaf(stack, "First"), _leaf(stack, "Later")
    calls: list[str] = []
    errors = [["broken"]]
    on_prepare(stack, first, _recorder(calls, "prepare"))
    on_validate(owner, lambda: errors.pop() if errors else [])
    assert _error_lines(app) == ["[Twice/Owner] broken"]
    on_prepare(stack, later, _recorder(calls, "added later"))  # after the aspect ran: a new one, on its anchor
    assert (len(_ours(first)), len(_ours(later))) == (1, 1)
    app.synth(force=True)
    assert calls == ["prepare", "prepare", "added later"]


@pytest.mark.parametrize("stabilization", [True, False])
def test_hook_registered_by_another_aspect_during_synth_runs_once(stabilization: bool) -> None:
    app = new_app({"@aws-cdk/core:aspectStabilization": stabilization})
    stack = new_stack(app, "Late")
    trigger, anchor = _leaf(stack, "Trigger"), _leaf(stack, "Anchor")
    calls: list[str] = []

    @jsii.implements(cdk.IAspect)
    class Registers:
        def visit(self, node: IConstruct) -> None:
            if node is trigger and not calls:
                calls.append("registered")
                on_prepare(stack, anchor, _recorder(calls, "hook"))

    cdk.Aspects.of(trigger).add(Registers())
    app.synth()
    assert calls == ["registered", "hook"]
