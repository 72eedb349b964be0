"""EKS Hybrid Nodes and the add-ons of their cluster, checked against the EKS user guide:

- webhook and APIService add-ons stay on cloud nodes unless the pod CIDRs are routable (hybrid-nodes-webhooks);
- CoreDNS spreads over compute types (hybrid-nodes-webhooks, "Configure CoreDNS replicas");
- add-on versions below the hybrid minimum are refused (hybrid-nodes-add-ons);
- webhook ports follow the installed add-ons (hybrid-nodes-networking);
- Cilium values are the documented ``cilium-values.yaml`` plus the pool, and the pool never changes (hybrid-nodes-cni);
- a synth warning when nothing routes the remote CIDRs (hybrid-nodes-networking).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsonschema
import kubernetes_validate
import pytest
from aws_cdk.assertions import Annotations, Match

from eks_platform import AutoModeCluster, ConfigError, HybridNetworks, HybridNodes
from eks_platform._internal.hybrid import DATA
from eks_platform._internal.hybrid.cilium import cilium_helm_values, leaf_paths
from eks_platform.config import parse_platform_config
from eks_platform.constructs.addons import ManagedAddon
from eks_platform.constructs.hybrid.nodes import ROUTING_WARNING
from eks_platform.stacks.app import HYBRID_STACK_NAME, REFERENCE_STACK_NAME
from tests.support import SCHEMAS_DIR, new_app, new_stack, resources_of, synth_stack

NODE = "192.168.100.0/24"
POD = "192.168.128.0/20"
TGW = "tgw-0123456789abcdef0"
CLOUD_ONLY = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
    {"matchExpressions": [{"key": "eks.amazonaws.com/compute-type", "operator": "NotIn", "values": ["hybrid"]}]}
]}}}
HYBRID_ONLY = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
    {"matchExpressions": [{"key": "eks.amazonaws.com/compute-type", "operator": "In", "values": ["hybrid"]}]}
]}}}
# The cilium-values.yaml of the EKS user guide, "Install Cilium on hybrid nodes"
# (https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-cni.html), with POD_CIDR and the mask filled in.
UG_CILIUM_VALUES = {
    "affinity": HYBRID_ONLY,
    "ipam": {"mode": "cluster-pool", "operator": {"clusterPoolIPv4MaskSize": 25, "clusterPoolIPv4PodCIDRList": [POD]}},
    "loadBalancer": {"serviceTopology": True},
    "operator": {"affinity": HYBRID_ONLY, "unmanagedPodWatcher": {"restart": False}},
    "envoy": {"enabled": False},
}
USER_AFFINITY = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
    {"matchExpressions": [{"key": "karpenter.sh/nodepool", "operator": "In", "values": ["system"]}]}
]}}}


def _addon(template: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [r["Properties"] for r in resources_of(template, "AWS::EKS::Addon").values()
                if r["Properties"]["AddonName"] == name]
    return found


def _configuration(template: dict[str, Any], name: str) -> dict[str, Any]:
    text = _addon(template, name).get("ConfigurationValues")
    loaded: dict[str, Any] = json.loads(text) if isinstance(text, str) else {}
    return loaded


def _webhook_egress(template: dict[str, Any]) -> list[tuple[str, int]]:
    rules = [r["Properties"] for k, r in resources_of(template, "AWS::EC2::SecurityGroupEgress").items()
             if k.startswith("HybridWebhookEgress")]
    return sorted((r["CidrIp"], r["FromPort"]) for r in rules)


def _pod_with(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probe"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}], **spec}}


# -- a mixed cluster whose pod CIDRs are not routable (the reference shape) -----------------------------------------
@pytest.fixture(scope="module")
def unroutable() -> dict[str, Any]:
    app = new_app()
    stack = new_stack(app, "HybridUnroutable")
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="edge", kubectl=True,
                              hybrid_networks=HybridNetworks(node_cidrs=[NODE], pod_cidrs=[POD]))
    before = {name: cluster.add_addon(name) for name in ("cert-manager", "metrics-server")}
    hybrid = HybridNodes(stack, "Hybrid", cluster=cluster)
    after = {
        "adot": cluster.add_addon("adot", configuration={"affinity": USER_AFFINITY}),
        "kube-state-metrics": cluster.add_addon("kube-state-metrics"),
        "amazon-cloudwatch-observability": cluster.add_addon("amazon-cloudwatch-observability"),
    }
    template = synth_stack(stack, label="hybrid-unroutable")
    return {"stack": stack, "hybrid": hybrid, "before": before, "after": after, "template": template}


def test_cert_manager_added_before_hybrid_nodes_is_kept_on_cloud_nodes(unroutable: dict[str, Any]) -> None:
    config = _configuration(unroutable["template"], "cert-manager")
    # the four places the user guide's cert-manager values put the affinity
    assert config == {"affinity": CLOUD_ONLY, "webhook": {"affinity": CLOUD_ONLY},
                      "cainjector": {"affinity": CLOUD_ONLY}, "startupapicheck": {"affinity": CLOUD_ONLY}}


def test_metrics_server_apiservice_is_kept_on_cloud_nodes(unroutable: dict[str, Any]) -> None:
    assert _configuration(unroutable["template"], "metrics-server") == {"affinity": CLOUD_ONLY}


def test_a_placement_the_user_set_is_kept(unroutable: dict[str, Any]) -> None:
    assert _configuration(unroutable["template"], "adot") == {"affinity": USER_AFFINITY}


def test_addons_without_webhooks_get_no_placement(unroutable: dict[str, Any]) -> None:
    for name in ("kube-state-metrics", "kube-proxy"):
        assert "ConfigurationValues" not in _addon(unroutable["template"], name), name
    assert _configuration(unroutable["template"], "eks-pod-identity-agent") == {
        "daemonsets": {"hybrid": {"create": True}}
    }


def test_coredns_spreads_over_compute_types(unroutable: dict[str, Any]) -> None:
    assert _configuration(unroutable["template"], "coredns") == {"topologySpreadConstraints": [{
        "labelSelector": {"matchLabels": {"k8s-app": "kube-dns"}}, "maxSkew": 1,
        "topologyKey": "eks.amazonaws.com/compute-type", "whenUnsatisfiable": "ScheduleAnyway",
    }]}


def test_coredns_configuration_passes_the_addon_configuration_schema(unroutable: dict[str, Any]) -> None:
    schema = json.loads((SCHEMAS_DIR / "eks-addon-coredns-v1.10.1-eksbuild.11.configuration.schema.json").read_text())
    validator = jsonschema.Draft6Validator(schema)
    validator.validate(_configuration(unroutable["template"], "coredns"))
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"topologySpreadConstraint": []})  # the oracle rejects a misspelt key


def test_rendered_placements_are_valid_kubernetes(unroutable: dict[str, Any]) -> None:
    template = unroutable["template"]
    cert_manager = _configuration(template, "cert-manager")
    specs = [{"affinity": cert_manager[k]["affinity"]} for k in ("webhook", "cainjector", "startupapicheck")]
    specs.append({"affinity": _configuration(template, "metrics-server")["affinity"]})
    specs.append({"topologySpreadConstraints": _configuration(template, "coredns")["topologySpreadConstraints"]})
    values = unroutable["hybrid"].cilium_values()
    specs += [{"affinity": values["affinity"]}, {"affinity": values["operator"]["affinity"]}]
    for spec in specs:
        assert kubernetes_validate.validate(_pod_with(spec), "1.32", strict=True) == "1.32"


def test_an_addon_that_cannot_be_placed_warns(unroutable: dict[str, Any]) -> None:
    annotations = Annotations.from_stack(unroutable["stack"])
    found = annotations.find_warning("*", Match.string_like_regexp("amazon-cloudwatch-observability serves"))
    assert len(found) == 1
    assert "containers-roadmap#2431" in str(found[0].entry.data)


def test_no_webhook_egress_when_webhooks_stay_on_cloud_nodes(unroutable: dict[str, Any]) -> None:
    assert _webhook_egress(unroutable["template"]) == []


def test_warns_once_when_nothing_routes_the_remote_networks(unroutable: dict[str, Any]) -> None:
    found = Annotations.from_stack(unroutable["stack"]).find_warning("*", Match.string_like_regexp("no route from"))
    assert len(found) == 1
    message = str(found[0].entry.data)
    assert NODE in message and POD in message
    assert "transit_gateway_id or virtual_private_gateway_id" in message and ROUTING_WARNING in message


def test_the_routing_warning_can_be_acknowledged() -> None:
    app = new_app()
    stack = new_stack(app, "HybridAck")
    cluster = AutoModeCluster(stack, "Cluster", kubectl=True,
                              hybrid_networks=HybridNetworks(node_cidrs=[NODE], pod_cidrs=[POD]))
    hybrid = HybridNodes(stack, "Hybrid", cluster=cluster)
    cdk.Annotations.of(hybrid).acknowledge_warning(ROUTING_WARNING, "routes come from our network team's stack")
    synth_stack(stack)
    assert Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("no route from")) == []


# -- routable pod CIDRs: webhooks may run on hybrid nodes, the control plane reaches their ports --------------------
@pytest.fixture(scope="module")
def routable() -> dict[str, Any]:
    app = new_app()
    stack = new_stack(app, "HybridRoutable")
    networks = HybridNetworks(node_cidrs=[NODE], pod_cidrs=[POD], pod_cidrs_routable=True)
    cluster = AutoModeCluster(stack, "Cluster", kubectl=True, hybrid_networks=networks)
    cluster.add_addon("cert-manager")
    HybridNodes(stack, "Hybrid", cluster=cluster, transit_gateway_id=TGW)
    cluster.add_addon("metrics-server", configuration={"containerPort": 4443})
    template = synth_stack(stack, label="hybrid-routable")
    return {"stack": stack, "template": template}


def test_routable_pod_cidrs_leave_webhooks_unplaced(routable: dict[str, Any]) -> None:
    assert "ConfigurationValues" not in _addon(routable["template"], "cert-manager")
    assert _configuration(routable["template"], "metrics-server") == {"containerPort": 4443}
    assert "topologySpreadConstraints" in _configuration(routable["template"], "coredns")


def test_webhook_egress_follows_the_installed_addons(routable: dict[str, Any]) -> None:
    # cert-manager's webhook listens on 10250; metrics-server was moved to 4443 by its containerPort setting.
    assert _webhook_egress(routable["template"]) == [(POD, 4443), (POD, 10250)]


def test_no_routing_warning_with_a_gateway(routable: dict[str, Any]) -> None:
    assert Annotations.from_stack(routable["stack"]).find_warning("*", Match.string_like_regexp("no route from")) == []


def test_fails_when_pod_cidrs_are_routable_without_pod_cidrs() -> None:
    with pytest.raises(ConfigError, match=r"pod_cidrs_routable is true but pod_cidrs is empty"):
        HybridNetworks(node_cidrs=[NODE], pod_cidrs_routable=True)


# -- hybrid minimums ------------------------------------------------------------------------------------------------
def _hybrid_cluster(name: str) -> tuple[cdk.Stack, AutoModeCluster]:
    stack = new_stack(new_app(), name)
    cluster = AutoModeCluster(stack, "Cluster", kubectl=True,
                              hybrid_networks=HybridNetworks(node_cidrs=[NODE], pod_cidrs=[POD]))
    return stack, cluster


def test_fails_when_an_addon_added_after_hybrid_nodes_is_below_the_hybrid_minimum() -> None:
    stack, cluster = _hybrid_cluster("MinimumAfter")
    HybridNodes(stack, "Hybrid", cluster=cluster)
    with pytest.raises(ConfigError, match=r"version v2\.15\.0-eksbuild\.3 of add-on kube-state-metrics is older than "
                                          r"v2\.15\.0-eksbuild\.4"):
        cluster.add_addon("kube-state-metrics", version="v2.15.0-eksbuild.3")


def test_fails_when_hybrid_nodes_join_a_cluster_with_an_addon_below_the_hybrid_minimum() -> None:
    stack, cluster = _hybrid_cluster("MinimumBefore")
    cluster.add_addon("metrics-server", version="v0.7.1-eksbuild.1")
    with pytest.raises(ConfigError, match=r"metrics-server is older than v0\.7\.2-eksbuild\.1"):
        HybridNodes(stack, "Hybrid", cluster=cluster)


def test_the_minimum_applies_only_with_hybrid_nodes() -> None:
    stack = new_stack(new_app(), "NoHybrid")
    cluster = AutoModeCluster(stack, "Cluster")
    addon = cluster.add_addon("kube-state-metrics", version="v2.15.0-eksbuild.3")
    assert isinstance(addon, ManagedAddon) and addon.addon_version == "v2.15.0-eksbuild.3"


# -- Cilium values and pool -----------------------------------------------------------------------------------------
def test_cilium_values_are_the_user_guides_plus_the_pool() -> None:
    assert cilium_helm_values([POD]) == UG_CILIUM_VALUES


def test_every_cilium_value_names_its_source() -> None:
    sources = DATA["cilium"]["values"]["sources"]
    assert sorted(leaf_paths(cilium_helm_values([POD]))) == sorted(sources)
    assert "envoy.enabled" in sources and "loadBalancer.serviceTopology" in sources


def test_fails_when_pod_cidrs_change_under_a_pinned_cilium_pool() -> None:
    stack = new_stack(new_app(), "PoolChanged")
    cluster = AutoModeCluster(stack, "Cluster", kubectl=True,
                              hybrid_networks=HybridNetworks(node_cidrs=[NODE], pod_cidrs=["192.168.144.0/20"]))
    with pytest.raises(ConfigError, match=r"cilium_pool_cidrs entry 192\.168\.128\.0/20 is not inside the remote pod "
                                          r"networks.*must not change once Cilium is deployed.*only append"):
        HybridNodes(stack, "Hybrid", cluster=cluster, cilium_pool_cidrs=[POD])


def test_an_appended_pod_cidr_keeps_the_pool_and_warns() -> None:
    stack = new_stack(new_app(), "PoolAppended")
    cluster = AutoModeCluster(stack, "Cluster", kubectl=True,
                              hybrid_networks=HybridNetworks(node_cidrs=[NODE], pod_cidrs=[POD, "192.168.144.0/20"]))
    hybrid = HybridNodes(stack, "Hybrid", cluster=cluster, cilium_pool_cidrs=[POD], transit_gateway_id=TGW)
    assert hybrid.cilium_values()["ipam"]["operator"]["clusterPoolIPv4PodCIDRList"] == [POD]
    warnings = [str(m.data) for m in hybrid.node.metadata if m.type == "aws:cdk:warning"]
    assert any("192.168.144.0/20" in w and "append them to the pool" in w for w in warnings)


def test_fails_when_the_cdk_json_pool_is_outside_the_pod_cidrs() -> None:
    hybrid = {"nodeCidrs": [NODE], "podCidrs": ["192.168.144.0/20"], "ciliumPoolCidrs": [POD]}
    with pytest.raises(ConfigError, match=r"platform\.hybrid\.ciliumPoolCidrs entry 192\.168\.128\.0/20 is not inside"):
        parse_platform_config({"hybrid": hybrid})


def test_fails_when_the_cdk_json_says_routable_without_pod_cidrs() -> None:
    with pytest.raises(ConfigError, match=r"platform\.hybrid\.podCidrsRoutable is true but platform\.hybrid\.podCidrs"):
        parse_platform_config({"hybrid": {"nodeCidrs": [NODE], "podCidrsRoutable": True, "cni": "none"}})


# -- the reference hybrid stack -------------------------------------------------------------------------------------
def test_reference_hybrid_stack_warns_about_routing_exactly_once(reference_app: Any) -> None:
    for name, expected in ((HYBRID_STACK_NAME, 1), (REFERENCE_STACK_NAME, 0)):
        found = Annotations.from_stack(reference_app["stacks"][name]).find_warning(
            "*", Match.string_like_regexp("no route from the VPC")
        )
        assert len(found) == expected, name


def test_reference_config_shows_the_routing_and_pool_settings() -> None:
    hybrid = json.loads((Path(__file__).resolve().parents[2] / "cdk.json").read_text())["context"]["platform"]["hybrid"]
    assert {"transitGatewayId", "virtualPrivateGatewayId", "podCidrsRoutable", "ciliumPoolCidrs"} <= set(hybrid)
    assert hybrid["ciliumPoolCidrs"] == hybrid["podCidrs"]


def test_reference_hybrid_stack_cilium_values_are_the_user_guides(reference_templates: dict[str, Any]) -> None:
    (chart,) = [r["Properties"] for r in reference_templates[HYBRID_STACK_NAME]["Resources"].values()
                if r["Type"] == "Custom::AWSCDK-EKS-HelmChart"]
    assert json.loads(chart["Values"]) == UG_CILIUM_VALUES


def test_reference_hybrid_stack_installs_no_addon_below_its_hybrid_minimum(
    reference_templates: dict[str, Any]
) -> None:
    ksm = _addon(reference_templates[HYBRID_STACK_NAME], "kube-state-metrics")
    assert ksm["AddonVersion"] == "v2.15.0-eksbuild.4"


def test_readme_describes_coredns_and_webhook_ports_as_the_user_guide_does() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    hybrid = readme[readme.index("## Hybrid nodes"):readme.index("## Pod Identity")]
    assert "DEGRADED" not in hybrid and "carry anti-affinity to Auto Mode nodes" not in hybrid
    assert "Auto Mode and hybrid nodes alike" in hybrid and "topologySpreadConstraints" in hybrid
    assert "`[443, 9443]`" not in hybrid and "cert-manager 10250, metrics-server 10251" in hybrid


def test_placement_never_overwrites_what_the_user_set() -> None:
    from eks_platform._internal import addons as cat
    from eks_platform._internal.hybrid.addons import hybrid_configuration

    entry = cat.catalog()["cert-manager"]
    given = {"webhook": "not an object", "cainjector": {"replicaCount": 2}, "affinity": USER_AFFINITY}
    placed = hybrid_configuration(entry, given, pod_cidrs_routable=False)
    assert placed == {"webhook": "not an object", "cainjector": {"replicaCount": 2, "affinity": CLOUD_ONLY},
                      "affinity": USER_AFFINITY, "startupapicheck": {"affinity": CLOUD_ONLY}}
    assert given == {"webhook": "not an object", "cainjector": {"replicaCount": 2}, "affinity": USER_AFFINITY}
    assert hybrid_configuration(entry, None, pod_cidrs_routable=True) is None
    assert hybrid_configuration(cat.catalog()["kube-state-metrics"], None, pod_cidrs_routable=False) is None
