"""CloudFormation's 500-resources-per-template limit, checked at synth (eks_platform._internal.limits)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match

from eks_platform import ConfigError
from eks_platform._internal.limits import CFN_RESOURCE_LIMIT, WARNING_ID, apply_resource_limit, count_resources
from tests.support import new_app, new_stack


def topics(scope: cdk.Stack | cdk.NestedStack, count: int, prefix: str = "Topic") -> None:
    group = cdk.Resource(scope, f"{prefix}s")
    for i in range(count):
        cdk.CfnResource(group, f"{prefix}{i}", type="AWS::SNS::Topic")


def test_counts_the_resources_of_the_template() -> None:
    app = new_app()
    stack = new_stack(app, "Counted")
    topics(stack, 7)
    template = app.synth().get_stack_artifact(stack.artifact_id).template
    assert count_resources(stack) == len(template["Resources"]) == 7


def test_nested_stack_contents_are_not_counted() -> None:
    stack = new_stack(new_app(), "Parent")
    topics(stack, 3)
    topics(cdk.NestedStack(stack, "Child"), 40)
    assert count_resources(stack) == 3 + 1  # the AWS::CloudFormation::Stack resource itself


def test_fails_with_a_config_error_above_the_limit_naming_the_largest_parts() -> None:
    stack = new_stack(new_app(), "TooBig")
    topics(stack, CFN_RESOURCE_LIMIT + 1, prefix="Binding")
    with pytest.raises(ConfigError, match=r"TooManyResources.*501 CloudFormation resources.*Bindings \(501\).*Split"):
        apply_resource_limit(stack)


def test_warns_at_synth_past_ninety_percent() -> None:
    stack = new_stack(new_app(), "Crowded")
    topics(stack, int(CFN_RESOURCE_LIMIT * 0.9) + 1)
    assert apply_resource_limit(stack) == 451
    expected = Match.string_like_regexp(r"451 CloudFormation resources, 90%")
    Annotations.from_stack(stack).has_warning("/Crowded", expected)


def test_does_not_warn_at_ninety_percent() -> None:
    stack = new_stack(new_app(), "Roomy")
    topics(stack, int(CFN_RESOURCE_LIMIT * 0.9))
    apply_resource_limit(stack)
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(WARNING_ID))
    assert warnings == []


def test_fails_synth_when_resources_are_added_after_the_check() -> None:
    app = new_app()
    stack = new_stack(app, "Grown")
    apply_resource_limit(stack)
    topics(stack, CFN_RESOURCE_LIMIT + 1)
    with pytest.raises(RuntimeError, match=r"TooManyResources.*501 CloudFormation resources"):
        app.synth()
