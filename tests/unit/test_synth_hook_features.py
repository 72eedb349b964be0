"""The library's synth-time checks and dependencies as users see them: every error names the construct it is about,
and team stacks, nested stacks and a second synth keep every dependency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from eks_platform._internal.k8s_api import new_api_object
from eks_platform._internal.limits import CFN_RESOURCE_LIMIT, apply_resource_limit
from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.manifests import DeliveryMode
from eks_platform.constructs.pod_identity import PodIdentity
from eks_platform.constructs.reference import ClusterContract, PlatformClusterReference
from eks_platform.testing import fixed_context
from tests import support

NAME = "platform-hooks"


def _error_lines(app: cdk.App, **options: Any) -> list[str]:
    with pytest.raises(RuntimeError, match="Validation failed with the following errors") as raised:
        app.synth(**options)
    return [line.strip() for line in str(raised.value).splitlines() if line.strip().startswith("[")]


def test_each_synth_error_names_the_construct_it_is_about(tmp_path: Path) -> None:
    app = cdk.App(context=fixed_context(), outdir=str(tmp_path / "cdk.out"))
    stack = support.new_stack(app, "Platform")
    cluster = AutoModeCluster(stack, "Cluster", cluster_name=NAME, version="1.33")
    ClusterContract(stack, "Contract", cluster=cluster)  # its hook is registered first, its error reported second
    delivery = cluster.add_manifest_delivery(mode=DeliveryMode.RENDER_ONLY)
    chart = delivery.new_chart("Late")
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late", "namespace": "default"}}
    new_api_object(chart, "Settings", config)
    delivery.add_chart(chart)
    new_api_object(chart, "Later", {**config, "metadata": {"name": "later", "namespace": "default"}})
    (tmp_path / "cdk.out").mkdir(exist_ok=True)  # the app made it
    (tmp_path / "cdk.out" / "contracts").write_text("a file where the contracts folder goes")
    lines = _error_lines(app)
    assert [line.split("] ", 1)[0] + "]" for line in lines] == [
        f"[{delivery.node.path}]", "[Platform/Contract]"]
    assert delivery.node.path == "Platform/Cluster/Manifests"
    assert "chart 'Late' changed after it was added" in lines[0]
    assert lines[1].startswith("[Platform/Contract] could not write the cluster contract to ")
    (tmp_path / "cdk.out" / "contracts").unlink()  # fixed: the next synth reports only the chart
    assert _error_lines(app, force=True) == lines[:1]
    assert (tmp_path / "cdk.out" / "contracts" / f"{NAME}.json").is_file()


def test_resource_limit_error_names_the_stack() -> None:
    app = support.new_app()
    stack = support.new_stack(app, "Grown")
    apply_resource_limit(stack)
    for i in range(CFN_RESOURCE_LIMIT + 1):
        cdk.CfnResource(stack, f"Topic{i}", type="AWS::SNS::Topic")
    (line,) = _error_lines(app)
    assert line.startswith("[Grown] [TooManyResources] stack 'Grown' has 501 CloudFormation resources")


def _depends_on(template: dict[str, Any]) -> dict[str, list[str]]:
    associations = support.resources_of(template, "AWS::EKS::PodIdentityAssociation")
    return {a["Properties"]["ServiceAccount"]: a.get("DependsOn", []) for a in associations.values()}


def test_team_and_nested_stack_bindings_wait_for_their_inline_policy_in_every_synth() -> None:
    app = support.new_app()
    team = support.new_stack(app, "Team")
    other = support.new_stack(app, "OtherTeam")
    nested = cdk.NestedStack(team, "Nested")
    cluster = PlatformClusterReference(team, "Platform", cluster_name=NAME, kubernetes_version="1.33")
    statement = iam.PolicyStatement(actions=["sqs:SendMessage"], resources=["*"])
    cluster.add_pod_identity("payments", "plain")
    cluster.add_pod_identity("payments", "granted").role.add_to_principal_policy(statement)
    PodIdentity(team, "Inline", cluster=cluster, namespace="payments", service_account="inline",
                policy_statements=[statement])
    PodIdentity(nested, "Nested", cluster=cluster, namespace="payments", service_account="nested",
                policy_statements=[statement])
    elsewhere = PodIdentity(other, "Elsewhere", cluster=cluster, namespace="payments", service_account="elsewhere")
    elsewhere.role.add_to_principal_policy(statement)  # after the binding: found at synth

    def templates() -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
        assembly = app.synth(force=True)
        nested_template = json.loads((Path(assembly.directory) / nested.template_file).read_text())
        return (_depends_on(assembly.get_stack_by_name("Team").template), _depends_on(nested_template),
                _depends_on(assembly.get_stack_by_name("OtherTeam").template))

    first = templates()
    own, inner, elsewhere_depends = first
    assert own["plain"] == []
    assert [len(own[k]) for k in ("granted", "inline")] == [1, 1]
    assert all("DefaultPolicy" in own[k][0] for k in ("granted", "inline"))
    assert len(inner["nested"]) == 1 and "DefaultPolicy" in inner["nested"][0]
    assert len(elsewhere_depends["elsewhere"]) == 1 and "DefaultPolicy" in elsewhere_depends["elsewhere"][0]
    assert templates() == first

