"""Construct-tree facts read once (``eks_platform._internal.tree``) equal what jsii answers, and chart indexes."""

from __future__ import annotations

import aws_cdk as cdk
import cdk8s
import pytest
from constructs import Construct

from eks_platform._internal import k8s_api, tree
from eks_platform.errors import ConfigError


class _Recorded(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        tree.created(self, scope, construct_id)


def test_facts_equal_what_jsii_answers() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Facts", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    outer = _Recorded(stack, "Outer")
    inner = _Recorded(outer, "Inner")
    plain = Construct(inner, "Plain")
    assert tree.root_of(app) is app is app.node.root
    assert tree.path_of(app) == app.node.path == ""
    for construct in (stack, outer, inner, plain):
        assert tree.path_of(construct) == construct.node.path
        assert tree.root_of(construct) is construct.node.root
        assert tree.stack_of(construct) is cdk.Stack.of(construct)
        assert tree.id_of(construct) == construct.node.id
    assert tree.region_of(plain) == "eu-west-1"
    assert tree.account_of(inner) == "111111111111"
    assert tree.child_path(inner, "Next") == "Facts/Outer/Inner/Next"


def test_stack_of_a_nested_stack_child_is_the_nested_stack() -> None:
    stack = cdk.Stack(cdk.App(), "Parent")
    nested = cdk.NestedStack(stack, "Nested")
    child = _Recorded(nested, "Child")
    assert tree.stack_of(child) is nested
    assert tree.stack_of(nested) is nested


def test_a_chart_index_sees_objects_made_directly_only_after_a_rescan() -> None:
    chart = cdk8s.Chart(cdk8s.App(), "Index")
    k8s_api.new_api_object(chart, "First", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "first"}})
    cdk8s.ApiObject(chart, "Direct", api_version="v1", kind="ConfigMap", metadata={"name": "direct"})
    assert k8s_api.object_names(chart, group="", kind="ConfigMap") == ["first"]
    assert k8s_api.object_names(chart, group="", kind="ConfigMap", rescan=True) == ["first", "direct"]


def test_fails_when_an_object_name_repeats_in_a_chart() -> None:
    chart = cdk8s.Chart(cdk8s.App(), "Twice")
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "same", "namespace": "apps"}}
    k8s_api.new_api_object(chart, "One", manifest)
    k8s_api.new_api_object(chart, "OtherNamespace", {**manifest, "metadata": {"name": "same", "namespace": "ops"}})
    with pytest.raises(ConfigError, match=r"DuplicateObjectName.*already has ConfigMap 'same' in namespace 'apps' "
                                          r"\(at Twice/One\)"):
        k8s_api.new_api_object(chart, "Two", manifest)
