"""The replacement guard on the reference app: upgrading Kubernetes 1.32 -> 1.33 and switching each feature of the
reference config on or off must not replace or delete a cluster, KMS key, node role, Pod Identity association or VPC.

Variants are derived from cdk.json's ``platform`` object, so features added later are covered without editing this
file: every object/list section (``podIdentities``, ``addons``, ``storage``, ``nodePools``, ...) is removed in turn,
``hybrid`` is switched on for the main stack's cluster, and the boolean switches are flipped. A rename of the cluster
is the positive control: the guard must see that one.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from eks_platform._internal.addons import catalog
from eks_platform.config import CONTEXT_KEY, parse_platform_config
from eks_platform.replacement import Action, ReplacementReport, compare_templates, references
from eks_platform.stacks.app import HYBRID_STACK_NAME, REFERENCE_STACK_NAME, build_app
from eks_platform.stacks.reference import EksReferenceStack
from eks_platform.testing import FIXED_SYNTH_DATE, synth_templates
from tests import support

GUARDED_TYPES = frozenset(
    {"AWS::EKS::Cluster", "AWS::KMS::Key", "AWS::EC2::VPC", "AWS::EKS::PodIdentityAssociation"}
)
#: Sections that are settings of the core platform rather than features.
NOT_FEATURES = frozenset(
    {"tags", "adminPrincipalArns", "endpointPublicCidrs", "availabilityZones", "builtInNodePools", "hybrid"}
)
SWITCHES = {"deletionProtection": False, "zonalShift": True}
#: Feature modes that are strings: the other value to switch to.
ALTERNATIVES = {"manifestDelivery": "render-only"}


def platform() -> dict[str, Any]:
    return copy.deepcopy(support.cdk_json_context()[CONTEXT_KEY])


def parse(raw: dict[str, Any]) -> Any:
    return parse_platform_config(raw, environ={}, today=dt.date.fromisoformat(FIXED_SYNTH_DATE))


def synth_app(platform_context: dict[str, Any]) -> dict[str, dict[str, Any]]:
    context = support.cdk_json_context()
    context[CONTEXT_KEY] = platform_context
    app = support.new_app(context)
    build_app(app)
    return synth_templates(app)


def core_ids(template: dict[str, Any]) -> set[str]:
    """Each cluster and what it stands on: cluster role, node role, secrets key, and the VPC of its subnets."""
    resources = template["Resources"]
    core: set[str] = set()
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::EKS::Cluster":
            continue
        props = resource.get("Properties", {})
        core |= {logical_id} | references(props.get("RoleArn")) | references(props.get("EncryptionConfig"))
        core |= references(props.get("ComputeConfig", {}).get("NodeRoleArn"))
        for subnet in references(props.get("ResourcesVpcConfig", {}).get("SubnetIds")):
            core |= references(resources.get(subnet, {}).get("Properties", {}).get("VpcId"))
    return core


def guarded(template: dict[str, Any]) -> set[str]:
    return {lid for lid, r in template["Resources"].items() if r["Type"] in GUARDED_TYPES} | core_ids(template)


def violations(old: dict[str, Any], new: dict[str, Any], *, deletions_allowed: bool = False) -> list[str]:
    """Guarded resources replaced (or possibly replaced), or deleted; with ``deletions_allowed`` (a feature was
    switched off) only the core's deletion counts, since the feature's own associations and keys go with it."""
    report: ReplacementReport = compare_templates(old, new)
    protected = guarded(old)
    core = core_ids(old)
    found = []
    for change in report.changes:
        if change.logical_id not in protected:
            continue
        if change.action is Action.DELETE and deletions_allowed and change.logical_id not in core:
            continue
        found.append(f"{change.action.value} {change.logical_id} ({change.resource_type}): {'; '.join(change.reasons)}")
    return found


@pytest.fixture(scope="module")
def baseline(reference_templates: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return reference_templates


def both_ways(name: str, baseline: dict[str, Any], variant: dict[str, Any]) -> list[str]:
    """Switching a feature on (variant -> baseline) and off (baseline -> variant) for every stack in both."""
    problems = []
    for stack in sorted(set(baseline) & set(variant)):
        problems += [f"{name} on, {stack}: {v}" for v in violations(variant[stack], baseline[stack])]
        problems += [
            f"{name} off, {stack}: {v}" for v in violations(baseline[stack], variant[stack], deletions_allowed=True)
        ]
    return problems


def feature_sections() -> list[str]:
    return sorted(
        key for key, value in platform().items() if isinstance(value, (dict, list)) and key not in NOT_FEATURES
    )


def test_the_guard_sees_a_cluster_rename(baseline: dict[str, Any]) -> None:
    renamed = platform()
    renamed["clusterName"] = "eks-platform-renamed"
    variant = synth_app(renamed)
    found = violations(baseline[REFERENCE_STACK_NAME], variant[REFERENCE_STACK_NAME])
    assert any(v.startswith("replace ClusterEB0386A7 (AWS::EKS::Cluster): create-only property Name") for v in found)


def upgraded_to_1_33(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The full reference config (add-ons, applied manifests, hybrid) at 1.33.

    An add-on whose catalog has no 1.33 pin keeps its 1.32 version, written explicitly: what an operator does
    when the catalog lags (EKS rejects the deploy if that build does not support 1.33; synth cannot know). An add-on
    pinned for neither minor stays on EKS's default version (no ``AddonVersion``).
    Returns the upgraded config and the add-ons carried that way.
    """
    upgraded = copy.deepcopy(raw)
    upgraded["kubernetesVersion"] = "1.33"
    carried: dict[str, str] = {}
    for name, settings in upgraded.get("addons", {}).items():
        entry = catalog()[name]
        if "1.33" not in entry.pins and "1.32" in entry.pins and "version" not in settings:
            carried[name] = entry.pins["1.32"].version
            settings["version"] = carried[name]
    return upgraded, carried


def test_kubernetes_upgrade_1_32_to_1_33_replaces_nothing(baseline: dict[str, Any]) -> None:
    upgraded, carried = upgraded_to_1_33(platform())
    new = synth_app(upgraded)
    assert set(new) == set(baseline) and HYBRID_STACK_NAME in new  # both shapes, every feature on
    for stack, old in baseline.items():
        cluster = new[stack]["Resources"]["ClusterEB0386A7"]
        assert cluster["Properties"]["Version"] == "1.33"
        assert violations(old, new[stack]) == []
    # the add-ons stay, at their 1.33 pins (or carried explicitly), and the kubectl layer follows the minor
    addons = [r for r in new[REFERENCE_STACK_NAME]["Resources"].values() if r["Type"] == "AWS::EKS::Addon"]
    assert len(addons) == len(platform()["addons"])
    for name, version in carried.items():
        assert any(a["Properties"]["AddonName"] == name and a["Properties"]["AddonVersion"] == version for a in addons)


def test_upgrade_needs_no_trimming_of_the_reference_config() -> None:
    """Every add-on of the reference config is pinned for 1.33 or carried; nothing is dropped."""
    upgraded, carried = upgraded_to_1_33(platform())
    assert set(upgraded["addons"]) == set(platform()["addons"])
    assert all(name in catalog() for name in carried)


def test_reference_config_has_feature_sections() -> None:
    # the parametrized test below derives its cases from cdk.json; make sure it has something to derive
    assert feature_sections(), "cdk.json platform has no feature sections to toggle"


@pytest.mark.parametrize("section", feature_sections())
def test_switching_a_feature_section_replaces_nothing(baseline: dict[str, Any], section: str) -> None:
    # Off means absent; where absent means "the defaults" (add-ons), off means empty.
    without = platform()
    empty = type(without.pop(section))()
    if parse(without) == parse(platform()):
        without[section] = empty
    variant = synth_app(without)
    assert any(variant.get(stack) != template for stack, template in baseline.items()), (
        f"switching {section} off changed no template; teach this test how to switch it off"
    )
    assert both_ways(section, baseline, variant) == []


@pytest.mark.parametrize("key,value", sorted(ALTERNATIVES.items()))
def test_switching_a_feature_mode_replaces_nothing(baseline: dict[str, Any], key: str, value: Any) -> None:
    raw = platform()
    if raw.get(key, value) == value:
        pytest.skip(f"the reference config does not set {key} to something other than {value!r}")
    raw[key] = value
    assert both_ways(f"{key}={value}", baseline, synth_app(raw)) == []


def test_switching_hybrid_nodes_on_the_main_cluster_replaces_nothing(baseline: dict[str, Any]) -> None:
    raw = platform()
    if "hybrid" not in raw:
        pytest.skip("the reference config has no hybrid section")
    config = parse(raw)
    app = support.new_app(support.cdk_json_context())
    EksReferenceStack(app, REFERENCE_STACK_NAME, config=config)  # the main stack, now with hybrid nodes
    with_hybrid = synth_templates(app)
    assert "RemoteNetworkConfig" in with_hybrid[REFERENCE_STACK_NAME]["Resources"]["ClusterEB0386A7"]["Properties"]
    assert both_ways("hybrid", {REFERENCE_STACK_NAME: baseline[REFERENCE_STACK_NAME]}, with_hybrid) == []


def test_flipping_the_core_switches_replaces_nothing(baseline: dict[str, Any]) -> None:
    flipped = platform()
    for key, value in SWITCHES.items():
        assert flipped.get(key, not value) != value, f"reference config already has {key}={value}"
        flipped[key] = value
    assert both_ways("switches", baseline, synth_app(flipped)) == []

