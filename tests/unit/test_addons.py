"""ManagedAddon / AutoModeCluster.add_addon: pinned AWS::EKS::Addon resources, IAM wiring, ordering, errors."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam

from eks_platform._internal import addons as cat
from eks_platform.config import parse_platform_config
from eks_platform.config.addons import DEFAULT_ADDONS, AddonSettings
from eks_platform.constructs.addons import (
    AddonName,
    AddonPodIdentity,
    ManagedAddon,
    ResolveConflicts,
    add_pod_identity_agent,
)
from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.pod_identity import PodIdentity
from eks_platform.errors import ConfigError
from eks_platform.testing import cfn_lint_findings, normalize_template
from tests import support

RAW: dict[str, Any] = json.loads((Path(cat.__file__).parent / "data" / "addons.json").read_text())
ZONES = ["Z1D633PJN98FT9", "Z2FDTNDATAQYW2"]
EXPLICIT = "v9.9.9-eksbuild.1"  # an obviously synthetic explicit version: tests only check it is passed through


def _logical_id(construct: Any) -> str:
    stack = cdk.Stack.of(construct)
    return str(stack.resolve(stack.get_logical_id(construct)))


def _warnings(scope: Any) -> list[str]:
    return [str(e.data) for c in scope.node.find_all() for e in c.node.metadata if e.type == "aws:cdk:warning"]


# -- every pin of the catalog synthesizes ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def every_pin() -> dict[str, Any]:
    """One imported (non-Auto-Mode) cluster per catalog minor with every add-on pinned for it."""
    app = support.new_app()
    stack = support.new_stack(app, "EveryPin")
    installed: dict[tuple[str, str], ManagedAddon] = {}
    for minor in RAW["minors"]:
        cluster_id = f"Cluster{minor.replace('.', '')}"
        cluster = eks.Cluster.from_cluster_attributes(stack, cluster_id, cluster_name=f"c{minor}")
        for name, entry in RAW["addons"].items():
            if minor not in entry["versions"]:
                continue
            extra = {"hosted_zone_ids": ZONES} if name == "external-dns" else {}
            installed[(name, minor)] = ManagedAddon(
                stack, f"{name}-{minor}", cluster=cluster, name=name, kubernetes_version=minor, auto_mode=False, **extra
            )
    template = support.synth_stack(stack, label="addons-every-pin")
    return {"stack": stack, "installed": installed, "template": template}


def test_every_catalog_pin_synthesizes_to_an_addon_with_that_version(every_pin: dict[str, Any]) -> None:
    expected = {(n, m): e["versions"][m]["version"] for n, e in RAW["addons"].items() for m in e["versions"]}
    found = {}
    for key, addon in every_pin["installed"].items():
        props = every_pin["template"]["Resources"][_logical_id(addon.addon)]["Properties"]
        assert props["AddonName"] == key[0]
        found[key] = props["AddonVersion"]
    assert found == expected


def test_every_pin_template_is_cfn_lint_clean(every_pin: dict[str, Any]) -> None:
    assert [str(f) for f in cfn_lint_findings(every_pin["template"], allow=support.CFN_LINT_ALLOW)] == []


# -- an Auto Mode cluster with the reference defaults and more -------------------------------------------------------
@pytest.fixture(scope="module")
def auto_mode() -> dict[str, Any]:
    app = support.new_app()
    stack = support.new_stack(app, "Addons")
    cluster = AutoModeCluster(stack, "Cluster")
    addons = {name: cluster.add_addon(name) for name in DEFAULT_ADDONS}
    addons["external-dns"] = cluster.add_addon(AddonName.EXTERNAL_DNS, hosted_zone_ids=ZONES, version=EXPLICIT)
    addons["snapshot-controller"] = cluster.add_addon(
        "snapshot-controller",
        configuration={"nodeSelector": {"karpenter.sh/nodepool": "system"}, "a": [1, 2.5, True, None]},
        resolve_conflicts=ResolveConflicts.PRESERVE,
        preserve_on_delete=True,
        tags={"team": "platform"},
    )
    addons["fluent-bit"] = cluster.add_addon(
        "fluent-bit", version=EXPLICIT, cloudwatch_log_group_prefix="/aws/eks/platform/fluent-bit"
    )
    addons["adot"] = cluster.add_addon("adot", version=EXPLICIT)
    agent = add_pod_identity_agent(cluster)
    template = support.synth_stack(stack, label="addons-auto-mode")
    return {"stack": stack, "cluster": cluster, "addons": addons, "agent": agent, "template": template}


def _props(built: dict[str, Any], name: str) -> dict[str, Any]:
    resource: dict[str, Any] = built["template"]["Resources"][_logical_id(built["addons"][name].addon)]
    return resource


def test_default_addons_are_eks_addons_with_pinned_versions(auto_mode: dict[str, Any]) -> None:
    for name in DEFAULT_ADDONS:
        resource = _props(auto_mode, name)
        assert resource["Type"] == "AWS::EKS::Addon"
        pin = RAW["addons"][name]["versions"].get("1.32")
        if pin is None:  # a gap: EKS's default version for the minor
            assert "AddonVersion" not in resource["Properties"], name
        else:
            assert resource["Properties"]["AddonVersion"] == pin["version"], name


def test_addons_need_no_helm_chart_lambda_or_custom_resource(auto_mode: dict[str, Any]) -> None:
    types = {r["Type"] for r in auto_mode["template"]["Resources"].values()}
    assert "AWS::Lambda::Function" not in types
    assert not [t for t in types if t.startswith("Custom::")]


def test_addon_defaults_overwrite_conflicts_and_do_not_preserve(auto_mode: dict[str, Any]) -> None:
    props = _props(auto_mode, "metrics-server")["Properties"]
    assert props["ResolveConflicts"] == "OVERWRITE"
    assert props["PreserveOnDelete"] is False
    assert props["ClusterName"] == {"Ref": _logical_id(auto_mode["cluster"].cfn_cluster)}
    assert "ConfigurationValues" not in props


def test_conflicts_preserve_and_tags_are_configurable(auto_mode: dict[str, Any]) -> None:
    props = _props(auto_mode, "snapshot-controller")["Properties"]
    assert props["ResolveConflicts"] == "PRESERVE"
    assert props["PreserveOnDelete"] is True
    assert props["Tags"] == [{"Key": "team", "Value": "platform"}]


def test_configuration_is_serialised_to_sorted_json(auto_mode: dict[str, Any]) -> None:
    text = _props(auto_mode, "snapshot-controller")["Properties"]["ConfigurationValues"]
    assert json.loads(text) == {"a": [1, 2.5, True, None], "nodeSelector": {"karpenter.sh/nodepool": "system"}}
    assert text.index('"a"') < text.index('"nodeSelector"')


def test_explicit_version_wins_over_the_catalog(auto_mode: dict[str, Any]) -> None:
    assert _props(auto_mode, "fluent-bit")["Properties"]["AddonVersion"] == EXPLICIT


def test_addons_without_aws_permissions_get_no_role(auto_mode: dict[str, Any]) -> None:
    for name in ("metrics-server", "kube-state-metrics", "prometheus-node-exporter", "cert-manager"):
        assert "PodIdentityAssociations" not in _props(auto_mode, name)["Properties"]
        assert auto_mode["addons"][name].roles == {}


def test_external_dns_gets_a_pod_identity_role_scoped_to_the_zones(auto_mode: dict[str, Any]) -> None:
    addon = auto_mode["addons"]["external-dns"]
    role = addon.roles["external-dns"]
    role_id = _logical_id(role.node.default_child)
    props = _props(auto_mode, "external-dns")["Properties"]
    assert props["PodIdentityAssociations"] == [{"RoleArn": {"Fn::GetAtt": [role_id, "Arn"]},
                                                 "ServiceAccount": "external-dns"}]
    policies = [p for p in support.resources_of(auto_mode["template"], "AWS::IAM::Policy").values()
                if {"Ref": role_id} in p["Properties"]["Roles"]]
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    change = next(s for s in statements if "route53:ChangeResourceRecordSets" in s["Action"])
    assert change["Resource"] == [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":route53:::hostedzone/{zone}"]]} for zone in ZONES
    ]
    assert all(s["Resource"] == "*" for s in statements if s is not change)
    assert all(s["Action"] == "route53:ListHostedZones" for s in statements if s is not change)
    role_props = auto_mode["template"]["Resources"][role_id]["Properties"]
    assert "ManagedPolicyArns" not in role_props  # not AmazonRoute53FullAccess
    trust = role_props["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"]
    assert trust["aws:RequestTag/kubernetes-namespace"] == "external-dns"


def test_fluent_bit_gets_cloudwatch_logs_rights_under_the_prefix(auto_mode: dict[str, Any]) -> None:
    role_id = _logical_id(auto_mode["addons"]["fluent-bit"].roles["fluent-bit"].node.default_child)
    (policy,) = [p for p in support.resources_of(auto_mode["template"], "AWS::IAM::Policy").values()
                 if {"Ref": role_id} in p["Properties"]["Roles"]]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert "logs:PutLogEvents" in statement["Action"]
    assert all("/aws/eks/platform/fluent-bit*" in json.dumps(r) for r in statement["Resource"])


def test_pod_identity_agent_carries_the_hybrid_daemonset_configuration(auto_mode: dict[str, Any]) -> None:
    agent = auto_mode["agent"]
    props = auto_mode["template"]["Resources"][_logical_id(agent.addon)]["Properties"]
    assert props["AddonName"] == "eks-pod-identity-agent"
    assert json.loads(props["ConfigurationValues"]) == {"daemonsets": {"hybrid": {"create": True}}}
    assert agent.node.path.endswith("/Cluster/Addons/eks-pod-identity-agent")


def test_addon_that_requires_another_depends_on_it(auto_mode: dict[str, Any]) -> None:
    adot = _props(auto_mode, "adot")
    assert _logical_id(auto_mode["addons"]["cert-manager"].addon) in adot.get("DependsOn", [])


def test_inferred_pins_warn(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = dict(cat.catalog())
    entry = entries["metrics-server"]
    inferred = cat.VersionPin(version="v0.8.0-eksbuild.6", basis="inferred", source="ug-hybrid-addons", note="a test")
    entries["metrics-server"] = dataclasses.replace(entry, pins={**entry.pins, "1.32": inferred})
    monkeypatch.setattr(cat, "catalog", lambda: entries)
    stack, cluster = _imported()
    ManagedAddon(stack, "Inferred", cluster=cluster, name="metrics-server", kubernetes_version="1.32")
    ManagedAddon(stack, "Pinned", cluster=cluster, name="kube-state-metrics", kubernetes_version="1.32")
    warnings = _warnings(stack)
    assert any("metrics-server v0.8.0-eksbuild.6" in w and "inferred pin" in w for w in warnings)
    assert not any("kube-state-metrics" in w and "inferred pin" in w for w in warnings)


def test_unpinned_default_addons_fall_back_to_the_eks_default_and_acknowledge_eksp_9(
    auto_mode: dict[str, Any]
) -> None:
    from eks_platform.checks.acknowledgments import acknowledgments

    for name in ("cert-manager", "prometheus-node-exporter"):
        addon = auto_mode["addons"][name]
        assert addon.addon_version is None
        infos = [str(m.data) for m in addon.node.metadata if m.type == "aws:cdk:info"]
        assert len(infos) == 1 and "EKS installs its default version" in infos[0], name
        acks = [a for a in acknowledgments(addon) if a.rule_id == "EKSP-9" and a.path.startswith(addon.node.path)]
        assert [a.path for a in acks] == [addon.addon.node.path], name
    pinned = auto_mode["addons"]["metrics-server"].node.path
    assert not [a for a in acknowledgments(auto_mode["stack"]) if a.rule_id == "EKSP-9" and a.path.startswith(pinned)]


def test_addon_construct_ids_are_the_addon_names(auto_mode: dict[str, Any]) -> None:
    assert _logical_id(auto_mode["addons"]["metrics-server"].addon).startswith("ClusterAddonsmetricsserver")


def test_auto_mode_template_is_cfn_lint_clean(auto_mode: dict[str, Any]) -> None:
    assert [str(f) for f in cfn_lint_findings(auto_mode["template"], allow=support.CFN_LINT_ALLOW)] == []


# -- compute readiness -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def with_nodegroup() -> dict[str, Any]:
    app = support.new_app()
    stack = support.new_stack(app, "Compute")
    cluster = AutoModeCluster(stack, "Cluster", admin_principal_arns=["arn:aws:iam::111111111111:role/Admin"])
    metrics = cluster.add_addon("metrics-server")  # needs nodes; added before the compute on purpose
    agent = add_pod_identity_agent(cluster, hybrid_nodes=False)  # a DaemonSet: must not wait for nodes
    nodegroup = cluster.cluster.add_nodegroup_capacity("Workers", min_size=1)
    cluster.cluster.grant_access(
        "HybridNodes", "arn:aws:iam::111111111111:role/Hybrid", [], access_entry_type=eks.AccessEntryType.HYBRID_LINUX
    )
    (hybrid_entry,) = [c for c in cluster.node.find_all()
                       if isinstance(c, eks.CfnAccessEntry) and c.type == "HYBRID_LINUX"]
    marker = cdk.CfnResource(stack, "CustomNodePool", type="AWS::SSM::Parameter",
                             properties={"Type": "String", "Value": "x"})
    ksm = cluster.add_addon("kube-state-metrics", compute=[marker])
    template = support.synth_stack(stack, label="addons-compute")
    return {"template": template, "metrics": metrics, "agent": agent, "nodegroup": nodegroup,
            "hybrid_entry": hybrid_entry, "marker": marker, "ksm": ksm, "cluster": cluster}


def test_addon_that_needs_nodes_waits_for_the_cluster_compute(with_nodegroup: dict[str, Any]) -> None:
    depends = with_nodegroup["template"]["Resources"][_logical_id(with_nodegroup["metrics"].addon)]["DependsOn"]
    assert _logical_id(with_nodegroup["nodegroup"].node.default_child) in depends
    assert _logical_id(with_nodegroup["hybrid_entry"]) in depends


def test_addon_does_not_wait_for_admin_access_entries(with_nodegroup: dict[str, Any]) -> None:
    depends = with_nodegroup["template"]["Resources"][_logical_id(with_nodegroup["metrics"].addon)]["DependsOn"]
    admin = next(iter(with_nodegroup["cluster"].admin_access_entries.values()))
    assert _logical_id(admin.node.default_child) not in depends


def test_daemonset_addon_does_not_wait_for_compute(with_nodegroup: dict[str, Any]) -> None:
    resource = with_nodegroup["template"]["Resources"][_logical_id(with_nodegroup["agent"].addon)]
    assert _logical_id(with_nodegroup["nodegroup"].node.default_child) not in resource.get("DependsOn", [])


def test_explicit_compute_dependencies_are_added(with_nodegroup: dict[str, Any]) -> None:
    depends = with_nodegroup["template"]["Resources"][_logical_id(with_nodegroup["ksm"].addon)]["DependsOn"]
    assert _logical_id(with_nodegroup["marker"]) in depends


def test_addon_requirement_missing_from_the_app_warns() -> None:
    stack = support.new_stack(support.new_app())
    cluster = AutoModeCluster(stack, "Cluster")
    cluster.add_addon("adot", version=EXPLICIT)
    support.synth_stack(stack, label="adot-alone")
    assert any("adot needs cert-manager" in w for w in _warnings(stack))


# -- cert-manager DNS-01 and user pod identities ---------------------------------------------------------------------
def test_cert_manager_dns01_uses_a_standalone_association() -> None:
    stack = support.new_stack(support.new_app())
    cluster = AutoModeCluster(stack, "Cluster")
    addon = cluster.add_addon("cert-manager", hosted_zone_ids=ZONES[:1])
    template = support.synth_stack(stack, label="cert-manager-dns01")
    assert "PodIdentityAssociations" not in template["Resources"][_logical_id(addon.addon)]["Properties"]
    assert isinstance(addon.dns_pod_identity, PodIdentity)
    association = template["Resources"][_logical_id(addon.dns_pod_identity.association)]["Properties"]
    assert (association["Namespace"], association["ServiceAccount"]) == ("cert-manager", "cert-manager")
    role_id = _logical_id(addon.dns_pod_identity.role.node.default_child)
    (policy,) = [p for p in support.resources_of(template, "AWS::IAM::Policy").values()
                 if {"Ref": role_id} in p["Properties"]["Roles"]]
    actions = {a for s in policy["Properties"]["PolicyDocument"]["Statement"] for a in
               ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert actions == {"route53:GetChange", "route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets",
                       "route53:ListHostedZonesByName"}


def test_built_in_addon_is_accepted_with_extra_capacity_and_gets_its_role() -> None:
    stack = support.new_stack(support.new_app())
    cluster = AutoModeCluster(stack, "Cluster")
    addon = cluster.add_addon("vpc-cni", extra_capacity=True)
    template = support.synth_stack(stack, label="vpc-cni")
    role_id = _logical_id(addon.roles["aws-node"].node.default_child)
    assert template["Resources"][role_id]["Properties"]["ManagedPolicyArns"] == [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonEKS_CNI_Policy"]]}
    ]


def test_user_pod_identities_are_added_to_the_addon() -> None:
    stack = support.new_stack(support.new_app())
    cluster = AutoModeCluster(stack, "Cluster")
    addon = cluster.add_addon(
        "adot",
        version=EXPLICIT,
        pod_identities=[AddonPodIdentity(
            service_account="adot-col-prom-metrics",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonPrometheusRemoteWriteAccess")],
        )],
    )
    template = support.synth_stack(stack, label="adot-pod-identity")
    props = template["Resources"][_logical_id(addon.addon)]["Properties"]
    assert [a["ServiceAccount"] for a in props["PodIdentityAssociations"]] == ["adot-col-prom-metrics"]


def test_hybrid_cluster_accepts_hybrid_compatible_built_ins_only() -> None:
    stack = support.new_stack(support.new_app())
    cluster = eks.Cluster.from_cluster_attributes(stack, "C", cluster_name="c")
    ManagedAddon(stack, "KubeProxy", cluster=cluster, name="kube-proxy", kubernetes_version="1.32", auto_mode=True,
                 hybrid_nodes=True)
    with pytest.raises(ConfigError, match="hybrid nodes cannot run it either"):
        ManagedAddon(stack, "Cni", cluster=cluster, name="vpc-cni", kubernetes_version="1.32", auto_mode=True,
                     hybrid_nodes=True)


# -- reference stack -------------------------------------------------------------------------------------------------
def test_reference_stack_installs_the_four_defaults(reference_templates: dict[str, Any]) -> None:
    template = reference_templates["EksPlatform"]
    names = sorted(r["Properties"]["AddonName"] for r in support.resources_of(template, "AWS::EKS::Addon").values())
    assert names == sorted(DEFAULT_ADDONS)


def test_reference_stack_addons_match_snapshot(reference_templates: dict[str, Any], snapshot_json: Any) -> None:
    addons = support.resources_of(reference_templates["EksPlatform"], "AWS::EKS::Addon")
    assert normalize_template(addons) == snapshot_json


def test_default_config_installs_the_four_defaults() -> None:
    assert dict(parse_platform_config({}).addons) == {name: AddonSettings() for name in DEFAULT_ADDONS}


# -- bad input -------------------------------------------------------------------------------------------------------
def _imported(region: str = "us-east-1") -> tuple[cdk.Stack, eks.ICluster]:
    app = support.new_app()
    stack = support.new_stack(app, "Bad") if region == "us-east-1" else cdk.Stack(
        app, "Bad", env=cdk.Environment(account="111111111111", region=region)
    )
    return stack, eks.Cluster.from_cluster_attributes(stack, "C", cluster_name="c")


def test_fails_when_the_addon_name_is_unknown_and_suggests_one() -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match="'metric-server' is not in the catalog; did you mean 'metrics-server'") as e:
        ManagedAddon(stack, "M", cluster=cluster, name="metric-server", kubernetes_version="1.32")
    assert e.value.code == "UnknownAddon"


@pytest.mark.parametrize("version", ["0.8.0-eksbuild.6", "v0.8.0", "v0.8-eksbuild.1", "v0.8.0-eksbuild.", "latest",
                                     "v0.8.0-eksbuild.6 ", "v01.2.3-eksbuild.1"])
def test_fails_when_the_version_is_not_eksbuild_form(version: str) -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match=r"is not an EKS add-on version; write vX\.Y\.Z-eksbuild\.N"):
        ManagedAddon(stack, "M", cluster=cluster, name="metrics-server", version=version)


@pytest.mark.parametrize(("name", "minor"), [("kube-state-metrics", "1.35"), ("metrics-server", "1.31"),
                                             ("fluent-bit", "1.32")])
def test_omits_the_version_with_a_notice_when_none_is_pinned_for_the_minor(name: str, minor: str) -> None:
    stack, cluster = _imported()
    addon = ManagedAddon(stack, "M", cluster=cluster, name=name, kubernetes_version=minor)
    template = support.synth_stack(stack)
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::EKS::Addon"]
    assert "AddonVersion" not in resource["Properties"]
    assert addon.pin is None
    infos = [m.data for m in addon.node.metadata if m.type == "aws:cdk:info"]
    assert any(f"{name} has no pinned version for Kubernetes {minor}" in str(i) and "EKS installs its default" in
               str(i) for i in infos)


def test_fails_when_neither_minor_nor_version_is_known() -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match="Kubernetes version is unknown"):
        ManagedAddon(stack, "M", cluster=cluster, name="metrics-server")


@pytest.mark.parametrize("name", ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver", "eks-pod-identity-agent"])
def test_fails_when_an_auto_mode_built_in_is_added_to_an_auto_mode_only_cluster(name: str) -> None:
    stack = support.new_stack(support.new_app())
    cluster = AutoModeCluster(stack, "Cluster")
    with pytest.raises(ConfigError, match=f"add-on {name} is built into EKS Auto Mode"):
        cluster.add_addon(name)


def test_fails_when_the_same_addon_is_added_twice() -> None:
    stack = support.new_stack(support.new_app())
    cluster = AutoModeCluster(stack, "Cluster")
    cluster.add_addon("metrics-server")
    with pytest.raises(ConfigError, match="add-on metrics-server is already installed") as err:
        cluster.add_addon(AddonName.METRICS_SERVER)
    assert err.value.code == "DuplicateAddon"


def test_fails_when_the_same_addon_is_added_twice_in_different_scopes() -> None:
    stack, cluster = _imported()
    ManagedAddon(stack, "One", cluster=cluster, name="metrics-server", kubernetes_version="1.32")
    with pytest.raises(ConfigError, match="already installed"):
        ManagedAddon(stack, "Two", cluster=cluster, name="metrics-server", kubernetes_version="1.32")


@pytest.mark.parametrize(
    ("configuration", "message"),
    [
        ({"replicas": {1, 2}}, "not JSON-serialisable"),
        ({"limit": float("nan")}, "not JSON-serialisable"),
        ({1: "a"}, "is not a string"),
        ({"when": object()}, "not JSON-serialisable"),
        (["a"], "must be a mapping"),
    ],
)
def test_fails_when_configuration_is_not_json(configuration: Any, message: str) -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match=message):
        ManagedAddon(stack, "M", cluster=cluster, name="metrics-server", kubernetes_version="1.32",
                     configuration=configuration)


def test_fails_when_configuration_is_circular() -> None:
    stack, cluster = _imported()
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(ConfigError, match="circular"):
        ManagedAddon(stack, "M", cluster=cluster, name="metrics-server", kubernetes_version="1.32", configuration=loop)


def test_fails_when_external_dns_has_no_hosted_zones() -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match="external-dns needs hosted_zone_ids"):
        ManagedAddon(stack, "D", cluster=cluster, name="external-dns", kubernetes_version="1.33")


@pytest.mark.parametrize("zone", ["/hostedzone/Z1D633PJN98FT9", "z1d633", "Z1D6-33", ""])
def test_fails_when_a_hosted_zone_id_is_malformed(zone: str) -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match=r"hosted_zone_ids\[0\]"):
        ManagedAddon(stack, "D", cluster=cluster, name="external-dns", kubernetes_version="1.33",
                     hosted_zone_ids=[zone])


def test_fails_when_hosted_zones_are_given_to_an_addon_that_does_not_use_them() -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match="hosted_zone_ids are only used by external-dns and cert-manager"):
        ManagedAddon(stack, "M", cluster=cluster, name="metrics-server", kubernetes_version="1.32",
                     hosted_zone_ids=ZONES)


def test_fails_when_a_log_group_prefix_is_given_to_another_addon() -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match="cloudwatch_log_group_prefix is only used by fluent-bit"):
        ManagedAddon(stack, "M", cluster=cluster, name="metrics-server", kubernetes_version="1.32",
                     cloudwatch_log_group_prefix="/x")


@pytest.mark.parametrize("region", ["cn-north-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1"])
def test_fails_when_a_community_addon_is_used_outside_the_aws_partition(region: str) -> None:
    stack, cluster = _imported(region)
    with pytest.raises(ConfigError, match=f"metrics-server \\(community\\) is not offered in region {region}"):
        ManagedAddon(stack, "M", cluster=cluster, name="metrics-server", kubernetes_version="1.32")


def test_aws_addon_is_not_partition_checked() -> None:
    stack, cluster = _imported("cn-north-1")
    ManagedAddon(stack, "S", cluster=cluster, name="snapshot-controller", kubernetes_version="1.32")


@pytest.mark.parametrize(
    ("tags", "message"),
    [({"team": ""}, "allowed 1 to 255"), ({"k" * 128: "v"}, "allowed 1 to 127"),
     ({"aws:x": "v"}, "starts with 'aws:'")],
)
def test_fails_when_addon_tags_break_limits(tags: dict[str, str], message: str) -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match=message):
        ManagedAddon(stack, "M", cluster=cluster, name="metrics-server", kubernetes_version="1.32", tags=tags)


def test_fails_when_a_service_account_is_bound_twice_on_an_addon() -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match="binds service account external-dns twice"):
        ManagedAddon(stack, "D", cluster=cluster, name="external-dns", kubernetes_version="1.33", hosted_zone_ids=ZONES,
                     pod_identities=[AddonPodIdentity(service_account="external-dns")])


def test_fails_when_an_addon_service_account_is_already_bound_by_a_pod_identity() -> None:
    stack, cluster = _imported()
    PodIdentity(stack, "P", cluster=cluster, namespace="external-dns", service_account="external-dns")
    with pytest.raises(ConfigError, match="external-dns/external-dns is already bound"):
        ManagedAddon(stack, "D", cluster=cluster, name="external-dns", kubernetes_version="1.33", hosted_zone_ids=ZONES)


def test_fails_when_resolve_conflicts_is_not_the_enum() -> None:
    stack, cluster = _imported()
    with pytest.raises(ConfigError, match=r"resolve_conflicts 'overwrite' is not a ResolveConflicts; use one of"):
        ManagedAddon(stack, "M", cluster=cluster, name="metrics-server", kubernetes_version="1.32",
                     resolve_conflicts="overwrite")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"service_account": "Bad_SA"}, "not a DNS-1123 subdomain"),
        ({"service_account": "sa", "role": "r"}, r"AddonPodIdentity.role must be an aws_iam.IRole, got str 'r'"),
        ({"service_account": "sa", "managed_policies": ["x"]},
         r"AddonPodIdentity.managed_policies\[0\] must be an aws_iam.IManagedPolicy, got str 'x'"),
    ],
)
def test_fails_when_an_addon_pod_identity_is_malformed(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        AddonPodIdentity(**kwargs)


def test_fails_when_an_addon_pod_identity_has_a_role_and_policies() -> None:
    stack, _ = _imported()
    role = iam.Role.from_role_arn(stack, "Existing", "arn:aws:iam::111111111111:role/existing")
    policy = iam.ManagedPolicy.from_aws_managed_policy_name("AmazonS3ReadOnlyAccess")
    with pytest.raises(ConfigError, match="role together with"):
        AddonPodIdentity(service_account="sa", role=role, managed_policies=[policy])


# -- config section --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("addons", "message"),
    [
        ({"metric-server": {}}, "did you mean 'metrics-server'"),
        ({"metrics-server": {"versoin": "v0.8.0-eksbuild.6"}}, "unknown key 'versoin'; did you mean 'version'"),
        ({"metrics-server": {"version": "0.8.0"}}, "platform.addons.metrics-server.version '0.8.0' is not"),
        ({"external-dns": {}}, "platform.addons.external-dns.hostedZoneIds is required"),
        ({"metrics-server": {"hostedZoneIds": ["Z1"]}}, "only used by external-dns and cert-manager"),
        ({"metrics-server": {"cloudWatchLogGroupPrefix": "/x"}}, "only used by fluent-bit"),
        ({"metrics-server": {"configuration": "replicas=2"}}, "must be a mapping"),
        ({"metrics-server": {"preserveOnDelete": "yes"}}, "must be true or false"),
        ({"metrics-server": []}, r"platform\.addons\.metrics-server must be an object, got array \[\]"),
        (["metrics-server"], r"platform\.addons must be a mapping \(JSON object\), got array"),
    ],
)
def test_fails_when_the_addons_config_is_bad(addons: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_platform_config({"addons": addons})


def test_addons_config_builds_the_settings() -> None:
    config = parse_platform_config(
        {"addons": {"external-dns": {"hostedZoneIds": ZONES, "version": EXPLICIT, "preserveOnDelete": True}}}
    )
    assert config.addons == {"external-dns": AddonSettings(hosted_zone_ids=tuple(ZONES), version=EXPLICIT,
                                                           preserve_on_delete=True)}


# -- policy packs -------------------------------------------------------------------------------------------------
def test_iam_wired_addons_pass_the_policy_packs() -> None:
    from eks_platform.checks.audit import run_packs
    from eks_platform.config.pod_identity import PodIdentityBinding

    app = support.new_app()
    stack = support.new_stack(app, "Packs")
    cluster = AutoModeCluster(stack, "Cluster")
    cluster.add_addon("external-dns", hosted_zone_ids=ZONES, version=EXPLICIT)
    cluster.add_addon("cert-manager", hosted_zone_ids=ZONES)
    cluster.add_addon("fluent-bit", version=EXPLICIT, cloudwatch_log_group_prefix="/aws/eks/platform")
    cluster.add_addon("vpc-cni", extra_capacity=True)
    cluster.add_addon("aws-ebs-csi-driver", extra_capacity=True)
    cluster.add_addon("amazon-cloudwatch-observability", version=EXPLICIT)
    PodIdentityBinding(namespace="apps", service_account="reporting",
                       managed_policies=("AmazonS3ReadOnlyAccess",)).apply(cluster)
    cluster.add_pod_identity("apps", "exporter", target_role="arn:aws:iam::222222222222:role/exporter")
    mine = [row for row in run_packs(app) if "/Addons/" in row.path or "/PodIdentities/" in row.path]
    assert [f"{row.rule_id} {row.path}" for row in mine] == []
