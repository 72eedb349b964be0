"""Facts kept or shared on the Python side to save jsii round trips, and that they agree with what jsii reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
import cdk8s
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template
from constructs import Construct

from eks_platform._internal import k8s_api, values
from eks_platform._internal.tree import (
    account_of,
    created,
    make_child,
    path_of,
    region_of,
    role_arn_of,
    role_name_of,
    stack_name_of,
    stack_of,
    stage_of,
    tags_of,
)
from eks_platform.constructs.addons import addons_scope
from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.manifests import PlatformChart
from eks_platform.constructs.storage import EbsDriver, Gp3StorageClass
from eks_platform.context import (
    IGNORE_ACKNOWLEDGMENTS_CONTEXT_KEY,
    SYNTH_DATE_CONTEXT_KEY,
    app_context,
    ignore_acknowledgments,
    read_context,
    synth_date,
)
from eks_platform.stacks.app import build_app
from eks_platform.stacks.base import HermeticStack
from eks_platform.testing import FIXED_SYNTH_DATE, fixed_context


def _classes(chart: cdk8s.Chart) -> list[dict[str, object]]:
    return [o for o in chart.to_json() if o["kind"] == "StorageClass"]


def test_objects_with_the_same_field_share_one_json_patch_and_render_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[tuple[str, object]] = []
    real_add = cdk8s.JsonPatch.add

    def counted_add(path: str, value: object) -> cdk8s.JsonPatch:
        made.append((path, value))
        return real_add(path, value)

    monkeypatch.setattr(cdk8s.JsonPatch, "add", staticmethod(counted_add))
    first = PlatformChart(cdk8s.App(), "First", kubernetes_version="1.32")
    second = PlatformChart(cdk8s.App(), "Second", kubernetes_version="1.32")  # another cdk8s app: shared too
    Gp3StorageClass(first, "Sc", name="gp3", driver=EbsDriver.AUTO_MODE)
    Gp3StorageClass(second, "Sc", name="gp3", driver=EbsDriver.AUTO_MODE)
    Gp3StorageClass(second, "Fast", name="fast", driver=EbsDriver.AUTO_MODE, iops=16000)
    cache = k8s_api.json_patch_cache()
    # three objects with one provisioner: made at most once (not at all when an earlier chart of the process did)
    assert [path for path, _ in made].count("/provisioner") <= 1
    assert ("/provisioner", '"ebs.csi.eks.amazonaws.com"') in cache
    # two distinct parameter sets, each made at most once
    assert [path for path, _ in made].count("/parameters") <= 2
    assert len(made) == len({(path, repr(value)) for path, value in made})
    (gp3_first,) = _classes(first)
    rendered_second = {str(o["metadata"]["name"]).split("-")[0]: o for o in _classes(second)}  # type: ignore[index]
    assert gp3_first == rendered_second["gp3"]
    assert list(gp3_first) == ["apiVersion", "kind", "metadata", "provisioner", "parameters", "reclaimPolicy",
                               "volumeBindingMode", "allowVolumeExpansion", "allowedTopologies"]
    assert rendered_second["fast"]["parameters"]["iops"] == "16000"  # type: ignore[index]


def test_a_patch_changed_on_one_object_leaves_the_other_alone() -> None:
    app = cdk8s.App()
    chart = PlatformChart(app, "Chart", kubernetes_version="1.32")
    one = Gp3StorageClass(chart, "One", name="one", driver=EbsDriver.AUTO_MODE)
    Gp3StorageClass(chart, "Two", name="two", driver=EbsDriver.AUTO_MODE)
    one.api_object.add_json_patch(cdk8s.JsonPatch.replace("/parameters/type", "io2"))
    by_name = {str(o["metadata"]["name"]).split("-")[0]: o for o in _classes(chart)}  # type: ignore[index]
    assert by_name["one"]["parameters"]["type"] == "io2"  # type: ignore[index]
    assert by_name["two"]["parameters"]["type"] == "gp3"  # type: ignore[index]


def test_values_that_are_not_plain_json_are_never_shared() -> None:
    cache: dict[tuple[str, str], cdk8s.JsonPatch] = {}
    k8s_api._json_patch_add(cache, "/data", {1: "int key"})
    k8s_api._json_patch_add(cache, "/data", {"a": cdk8s.Duration.seconds(1)})  # a jsii object
    assert cache == {}
    k8s_api._json_patch_add(cache, "/data", {"a": [1, True, None, 1.5]})
    assert list(cache) == [("/data", '{"a": [1, true, null, 1.5]}')]


def test_tags_of_is_one_handle_per_construct_and_still_tags() -> None:
    stack = cdk.Stack(cdk.App(), "S")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0,
                  subnet_configuration=[ec2.SubnetConfiguration(name="P", subnet_type=ec2.SubnetType.PUBLIC)])
    subnet = vpc.public_subnets[0]
    assert tags_of(subnet) is tags_of(subnet)
    tags_of(subnet).add("a", "1")
    tags_of(subnet).add("b", "2")
    template = cdk.assertions.Template.from_stack(stack)
    subnets = template.find_resources("AWS::EC2::Subnet")
    (properties,) = [r["Properties"] for r in subnets.values()]
    assert {"Key": "a", "Value": "1"} in properties["Tags"]
    assert {"Key": "b", "Value": "2"} in properties["Tags"]


def test_stage_of_follows_the_recorded_scopes_and_agrees_with_jsii() -> None:
    app = cdk.App()
    stage = cdk.Stage(app, "Prod")
    stack = cdk.Stack(stage, "S")
    created(stack, stage, "S")
    inner = Construct(stack, "Inner")
    created(inner, stack, "Inner")
    unrecorded = Construct(inner, "Unrecorded")
    assert stage_of(inner) is stage
    assert stage_of(stage) is cdk.Stage.of(stage)  # a stage's own stage is the one around it (the app)
    assert stage_of(unrecorded) is cdk.Stage.of(unrecorded) is stage


def test_role_arn_and_name_are_read_once_and_match_jsii() -> None:
    stack = cdk.Stack(cdk.App(), "S")
    role = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("ssm.amazonaws.com"))
    assert role_arn_of(role) == role.role_arn
    assert role_name_of(role) == role.role_name
    assert vars(role)["_eks_platform_role_arn"] == role.role_arn  # kept on the construct, not read again


def test_a_hermetic_stack_knows_its_literal_region_and_account_and_reads_the_rest() -> None:
    app = cdk.App()
    fixed = HermeticStack(app, "Fixed", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    assert region_of(fixed) == fixed.region == "eu-west-1"
    assert account_of(fixed) == fixed.account == "111111111111"
    agnostic = HermeticStack(app, "Agnostic", env=cdk.Environment(region="us-east-1"))
    assert region_of(agnostic) == "us-east-1"
    assert account_of(agnostic) == agnostic.account  # the AWS::AccountId token, read from the stack
    assert cdk.Token.is_unresolved(account_of(agnostic))
    assert stack_of(fixed) is fixed
    assert path_of(fixed) == "Fixed"
    assert vars(fixed)["_eks_platform_stack_name"] == fixed.stack_name == "Fixed"  # kept, and what jsii answers
    named = HermeticStack(app, "Named", stack_name="other-name")
    assert stack_name_of(named) == named.stack_name == "other-name"
    staged = HermeticStack(cdk.Stage(app, "Dev"), "Inner")
    assert stack_name_of(staged) == staged.stack_name == "Dev-Inner"


def test_app_context_is_read_once_per_app_and_agrees_with_jsii() -> None:
    app = cdk.App(context={SYNTH_DATE_CONTEXT_KEY: "2026-11-27", IGNORE_ACKNOWLEDGMENTS_CONTEXT_KEY: "true"})
    cdk.Stack(app, "S")  # a child: the app's context can no longer change
    values = app_context(app)
    assert values[SYNTH_DATE_CONTEXT_KEY] == app.node.try_get_context(SYNTH_DATE_CONTEXT_KEY)
    assert app_context(app) is values  # kept on the app, not read again
    assert synth_date(app) == dt.date(2026, 11, 27)
    assert ignore_acknowledgments(app) is True
    assert ignore_acknowledgments(cdk.App()) is False


def test_build_app_keeps_the_context_it_parsed_for_the_constructs() -> None:
    app = cdk.App(context=fixed_context({"platform": {"clusterName": "ctx", "kubernetesVersion": "1.32"}}))
    stacks = build_app(app)
    assert stacks
    kept = vars(app)["_eks_platform_context"]
    assert kept == read_context(app)  # what jsii answers now, after the stacks were added
    assert synth_date(app).isoformat() == FIXED_SYNTH_DATE


def test_make_child_creates_once_and_takes_a_child_made_without_the_library() -> None:
    stack = cdk.Stack(cdk.App(), "S")
    made: list[Construct] = []

    def make(scope: Construct, construct_id: str) -> Construct:
        child = Construct(scope, construct_id)
        created(child, scope, construct_id)
        made.append(child)
        return child

    first = make_child(stack, "Holder", lambda: make(stack, "Holder"), accept=Construct)
    assert make_child(stack, "Holder", lambda: make(stack, "Holder"), accept=Construct) is first  # no second create
    assert made == [first] and stack.node.find_child("Holder") is first
    users = Construct(stack, "Users")  # made without the library: the creation fails, the tree is asked
    assert make_child(stack, "Users", lambda: make(stack, "Users"), accept=Construct) is users
    with pytest.raises(RuntimeError, match="There is already a Construct with name 'Users'"):
        make_child(stack, "Users", lambda: make(stack, "Users"), accept=cdk.Stack)  # type: ignore[arg-type, return-value]  # not the kind asked for


def test_the_platform_scopes_reuse_what_a_user_made_with_their_ids() -> None:
    cluster = AutoModeCluster(HermeticStack(cdk.App(context=fixed_context()), "Ids", env=cdk.Environment(
        account="111111111111", region="us-east-1")), "Cluster")
    addons = Construct(cluster, "Addons")
    pods = Construct(cluster, "PodIdentities")
    assert addons_scope(cluster) is addons
    assert cluster._pod_identities_scope() is pods


def test_value_objects_made_once_per_process_render_as_fresh_ones_in_every_app() -> None:


    assert values.aws_managed_policy("AmazonS3ReadOnlyAccess") is values.aws_managed_policy("AmazonS3ReadOnlyAccess")
    assert values.access_policy("AmazonEKSViewPolicy", eks.AccessScopeType.NAMESPACE, ("a",)) is not (
        values.access_policy("AmazonEKSViewPolicy", eks.AccessScopeType.NAMESPACE, ("b",)))

    def rendered(region: str, *, shared: bool) -> Mapping[str, Any]:
        stack = cdk.Stack(cdk.App(), "S", env=cdk.Environment(account="111111111111", region=region))
        iam.Role(
            stack, "Role",
            assumed_by=values.service_principal("ec2.amazonaws.com") if shared else iam.ServicePrincipal(
                "ec2.amazonaws.com"),
            managed_policies=[values.aws_managed_policy("AmazonS3ReadOnlyAccess") if shared
                              else iam.ManagedPolicy.from_aws_managed_policy_name("AmazonS3ReadOnlyAccess")],
        )
        return Template.from_stack(stack).to_json()

    for region in ("us-east-1", "cn-north-1", "us-east-1"):
        assert rendered(region, shared=True) == rendered(region, shared=False), region


def test_shared_json_patches_stop_growing_at_their_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = k8s_api.json_patch_cache()
    monkeypatch.setattr(k8s_api, "JSON_PATCHES_KEPT", len(cache))
    before = dict(cache)
    patch = k8s_api._json_patch_add(cache, "/data", {"only-in-this-test": "x"})
    assert isinstance(patch, cdk8s.JsonPatch)
    assert cache == before  # made for its object, not kept
