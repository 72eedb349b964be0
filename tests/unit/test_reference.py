"""PlatformClusterReference and the cluster contract: every check that guards an AutoModeCluster guards a reference."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match

from eks_platform._internal import addons as cat
from eks_platform._internal import contract as c
from eks_platform.constructs.addons import ManagedAddon
from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.hybrid.networks import HybridNetworks
from eks_platform.constructs.pod_identity import PodIdentity
from eks_platform.constructs.reference import ClusterContract, PlatformClusterReference
from eks_platform.constructs.types import PlatformCluster
from eks_platform.errors import ConfigError
from eks_platform.stacks.base import HermeticStack
from eks_platform.testing import cfn_lint_findings
from tests import support

NAME = "platform-prod"
KUBECTL_ROLE = "arn:aws:iam::111111111111:role/platform-kubectl"
HYBRID = HybridNetworks(node_cidrs=["192.168.100.0/24"], pod_cidrs=["192.168.128.0/20"])


def _reference(stack: cdk.Stack, construct_id: str = "Platform", **kwargs: Any) -> PlatformClusterReference:
    kwargs.setdefault("cluster_name", NAME)
    kwargs.setdefault("kubernetes_version", "1.33")
    return PlatformClusterReference(stack, construct_id, **kwargs)


def _contract(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema": c.SCHEMA,
        "clusterName": NAME,
        "clusterArn": f"arn:aws:eks:{support.FIXED_REGION}:{support.FIXED_ACCOUNT}:cluster/{NAME}",
        "account": support.FIXED_ACCOUNT,
        "region": support.FIXED_REGION,
        "kubernetesVersion": "1.33",
        "autoMode": True,
        "hybrid": None,
        "kubectlRoleArn": None,
    }
    document.update(overrides)
    return document


# -- the reference is a platform cluster -----------------------------------------------------------------------------
def test_reference_satisfies_the_platform_cluster_protocol() -> None:
    ref = _reference(support.new_stack())
    assert isinstance(ref, PlatformCluster)
    assert (ref.version_string, ref.auto_mode, ref.hybrid, ref.kubectl_enabled) == ("1.33", True, False, False)
    assert ref.cluster_arn == f"arn:aws:eks:{support.FIXED_REGION}:{support.FIXED_ACCOUNT}:cluster/{NAME}"
    assert ref.cluster.cluster_name == NAME


def test_fails_when_the_reference_is_in_another_account() -> None:
    with pytest.raises(ConfigError, match="account '222222222222' differs from the stack's account"):
        _reference(support.new_stack(), account="222222222222")


def test_fails_when_the_reference_version_is_not_a_minor() -> None:
    with pytest.raises(ConfigError, match=r"kubernetes_version '1\.33\.2' is not a Kubernetes minor"):
        _reference(support.new_stack(), kubernetes_version="1.33.2")


# -- check 1: Auto Mode built-in add-ons -----------------------------------------------------------------------------
BUILT_IN = ["coredns", "kube-proxy", "vpc-cni", "aws-ebs-csi-driver", "eks-pod-identity-agent"]


@pytest.mark.parametrize("builtin", BUILT_IN)
def test_fails_when_a_team_adds_an_auto_mode_builtin_to_a_reference(builtin: str) -> None:
    ref = _reference(support.new_stack())
    with pytest.raises(ConfigError, match=f"add-on {builtin} is built into EKS Auto Mode"):
        ref.add_addon(builtin)


def test_fails_when_an_auto_mode_builtin_is_added_through_managed_addon_on_a_reference() -> None:
    stack = support.new_stack()
    ref = _reference(stack)
    with pytest.raises(ConfigError, match="add-on coredns is built into EKS Auto Mode"):
        ManagedAddon(stack, "CoreDns", cluster=ref, name="coredns")


def test_builtin_addons_are_accepted_on_a_reference_without_auto_mode() -> None:
    stack = support.new_stack()
    addon = _reference(stack, auto_mode=False).add_addon("coredns")
    assert addon.addon.addon_version == cat.catalog()["coredns"].pins["1.33"].version


# -- check 2: version pins for the referenced minor ------------------------------------------------------------------
@pytest.mark.parametrize("minor", ["1.32", "1.33", "1.34"])
def test_reference_addons_are_pinned_for_the_referenced_minor(minor: str) -> None:
    stack = support.new_stack()
    addon = _reference(stack, kubernetes_version=minor).add_addon("metrics-server")
    assert addon.addon.addon_version == cat.catalog()["metrics-server"].pins[minor].version


def test_an_addon_unpinned_for_the_referenced_minor_leaves_the_version_to_eks_and_says_so() -> None:
    stack = support.new_stack()
    addon = _reference(stack).add_addon("aws-efs-csi-driver")
    assert addon.addon.addon_version is None
    Annotations.from_stack(stack).has_info(
        "*", Match.string_like_regexp(r"aws-efs-csi-driver has no pinned version for Kubernetes 1\.33")
    )


# -- check 3: duplicate bindings and add-ons within the app ----------------------------------------------------------
def test_fails_when_a_reference_binds_what_the_platform_cluster_in_the_same_app_binds() -> None:
    app = support.new_app()
    platform = AutoModeCluster(support.new_stack(app, "Platform"), "Cluster", cluster_name=NAME)
    platform.add_pod_identity("payments", "api")
    ref = _reference(support.new_stack(app, "Team"))
    with pytest.raises(ConfigError, match="payments/api is already bound on cluster Platform/Cluster"):
        ref.add_pod_identity("payments", "api")


def test_fails_when_two_references_to_one_cluster_bind_the_same_service_account() -> None:
    app = support.new_app()
    first = _reference(support.new_stack(app, "TeamA"))
    second = _reference(support.new_stack(app, "TeamB"))
    PodIdentity(first, "Api", cluster=first, namespace="payments", service_account="api")
    with pytest.raises(ConfigError, match="payments/api is already bound"):
        PodIdentity(second, "Api", cluster=second, namespace="payments", service_account="api")


def test_fails_when_two_references_install_the_same_addon() -> None:
    app = support.new_app()
    _reference(support.new_stack(app, "TeamA")).add_addon("metrics-server")
    with pytest.raises(ConfigError, match="add-on metrics-server is already installed"):
        _reference(support.new_stack(app, "TeamB")).add_addon("metrics-server")


def test_clusters_of_the_same_name_in_other_accounts_do_not_share_bindings() -> None:
    app = support.new_app()
    other = cdk.Environment(account="222222222222", region=support.FIXED_REGION)
    _reference(support.new_stack(app, "Dev")).add_pod_identity("payments", "api")
    binding = _reference(HermeticStack(app, "Prod", env=other)).add_pod_identity("payments", "api")
    assert binding.namespace == "payments"


# -- check 4: hybrid minimums ----------------------------------------------------------------------------------------
def test_fails_when_a_builtin_installed_for_hybrid_nodes_is_below_the_hybrid_minimum_on_a_reference() -> None:
    ref = _reference(support.new_stack(), hybrid_networks=HYBRID)
    with pytest.raises(ConfigError, match=r"older than v1\.25\.14-eksbuild\.2, the first version the EKS user guide"):
        ref.add_addon("kube-proxy", version="v1.25.6-eksbuild.1")


def test_fails_when_a_builtin_installed_for_hybrid_nodes_is_below_the_hybrid_minimum_on_an_auto_mode_cluster() -> None:
    cluster = AutoModeCluster(support.new_stack(), "Cluster", hybrid_networks=HYBRID)
    with pytest.raises(ConfigError, match=r"older than v1\.3\.3-eksbuild\.1"):
        cluster.add_addon("eks-pod-identity-agent", version="v1.3.2-eksbuild.2")


def test_an_explicit_version_below_the_hybrid_minimum_warns_for_addons_that_run_elsewhere_too() -> None:
    stack = support.new_stack()
    _reference(stack, hybrid_networks=HYBRID).add_addon("kube-state-metrics", version="v2.15.0-eksbuild.3")
    Annotations.from_stack(stack).has_warning(
        "*", Match.string_like_regexp(r"older than v2\.15\.0-eksbuild\.4.*given explicitly.*other nodes")
    )


def test_a_pin_below_the_hybrid_minimum_warns_on_a_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    # The catalog's pins all meet the hybrid minimums (a catalog test checks it); an older pin is simulated.
    entries = dict(cat.catalog())
    ksm = entries["kube-state-metrics"]
    old = cat.VersionPin(version="v2.15.0-eksbuild.3", basis="cluster-config", source="gh-1.32-tf-c")
    entries["kube-state-metrics"] = dataclasses.replace(ksm, pins={**ksm.pins, "1.32": old})
    monkeypatch.setattr(cat, "catalog", lambda: entries)
    stack = support.new_stack()
    _reference(stack, kubernetes_version="1.32", hybrid_networks=HYBRID).add_addon("kube-state-metrics")
    Annotations.from_stack(stack).has_warning(
        "*", Match.string_like_regexp(r"older than v2\.15\.0-eksbuild\.4.*the catalog pins v2\.15\.0-eksbuild\.3")
    )


def test_hybrid_minimum_applies_only_to_clusters_with_hybrid_nodes() -> None:
    addon = _reference(support.new_stack()).add_addon("kube-state-metrics", version="v2.15.0-eksbuild.3")
    assert addon.addon.addon_version == "v2.15.0-eksbuild.3"


def test_hybrid_builtins_are_accepted_on_a_hybrid_reference_and_the_others_refused() -> None:
    ref = _reference(support.new_stack(), hybrid_networks=HYBRID)
    assert ref.add_addon("kube-proxy").addon.addon_version == cat.catalog()["kube-proxy"].pins["1.33"].version
    with pytest.raises(ConfigError, match="not hybrid-compatible"):
        ref.add_addon("vpc-cni")


# -- kubectl: create_service_account and manifests -------------------------------------------------------------------
def test_fails_when_create_service_account_is_asked_of_a_reference_without_kubectl_role() -> None:
    ref = _reference(support.new_stack())
    with pytest.raises(ConfigError, match="create_service_account=True needs the cluster's kubectl provider"):
        ref.add_pod_identity("payments", "api", create_service_account=True)


def test_a_reference_with_a_kubectl_role_applies_the_service_account() -> None:
    stack = support.new_stack()
    ref = _reference(stack, kubectl_role_arn=KUBECTL_ROLE)
    binding = ref.add_pod_identity("payments", "api", create_service_account=True)
    assert binding.service_account_manifest is not None
    template = support.synth_stack(stack, label="reference-kubectl")
    (manifest,) = support.resources_of(template, "Custom::AWSCDK-EKS-KubernetesResource").values()
    assert '"kind":"ServiceAccount"' in json.dumps(manifest["Properties"]["Manifest"]).replace("\\", "")
    assert ref.kubectl_enabled


def test_plainest_pod_identity_on_a_reference_has_no_redundant_depends_on() -> None:
    stack = support.new_stack()
    ref = _reference(stack)
    ref.add_pod_identity("payments", "plain")
    granted = ref.add_pod_identity("payments", "granted")
    granted.role.add_to_principal_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=["*"]))
    template = support.synth_stack(stack, label="reference-plain")
    associations = support.resources_of(template, "AWS::EKS::PodIdentityAssociation")
    depends = {a["Properties"]["ServiceAccount"]: a.get("DependsOn", []) for a in associations.values()}
    assert depends["plain"] == []
    assert len(depends["granted"]) == 1 and "DefaultPolicy" in depends["granted"][0]
    assert [f for f in cfn_lint_findings(template) if f.rule == "W3005"] == []


# -- cross-account target roles in one phase -------------------------------------------------------------------------
def test_target_role_binding_on_a_reference_has_a_deterministic_role_and_a_literal_trust_policy() -> None:
    stack = support.new_stack()
    ref = _reference(stack)
    binding = ref.add_pod_identity("payments", "reports", target_role="arn:aws:iam::222222222222:role/reports")
    assert binding.association_role_name == "eks-pi-platform-prod-payments-reports"
    assert binding.association_role_arn == (
        f"arn:aws:iam::{support.FIXED_ACCOUNT}:role/eks-pi-platform-prod-payments-reports"
    )
    document = stack.resolve(binding.target_trust_policy().to_json())
    text = json.dumps(document)
    assert "Ref" not in text and "Fn::" not in text, text
    (statement,) = document["Statement"]
    assert statement["Condition"]["ArnEquals"]["aws:PrincipalArn"] == binding.association_role_arn
    assert statement["Condition"]["StringEquals"]["aws:RequestTag/eks-cluster-arn"] == ref.cluster_arn
    template = support.synth_stack(stack, label="reference-target")
    roles = support.resources_of(template, "AWS::IAM::Role")
    assert [r["Properties"].get("RoleName") for r in roles.values()] == ["eks-pi-platform-prod-payments-reports"]


def test_long_association_role_names_keep_64_characters_and_stay_distinct() -> None:
    from eks_platform._internal import pod_identity as pi

    first = pi.association_role_name("a-very-long-platform-cluster-name", "payments-backend", "reports-writer-1")
    second = pi.association_role_name("a-very-long-platform-cluster-name", "payments-backend", "reports-writer-2")
    assert len(first) == len(second) == 64 and first != second


def test_bindings_without_a_target_role_keep_a_generated_role_name() -> None:
    binding = _reference(support.new_stack()).add_pod_identity("payments", "api")
    assert binding.association_role_name is None


# -- the contract file -----------------------------------------------------------------------------------------------
def test_platform_app_writes_the_contract_and_a_team_app_loads_it(tmp_path: Path) -> None:
    app = cdk.App(context=support.fixed_context(), outdir=str(tmp_path / "platform.out"))
    stack = support.new_stack(app, "Platform")
    cluster = AutoModeCluster(stack, "Cluster", cluster_name=NAME, version="1.33", hybrid_networks=HYBRID)
    ClusterContract(stack, "Contract", cluster=cluster, kubectl_role_arn=KUBECTL_ROLE)
    app.synth()
    written = tmp_path / "platform.out" / "contracts" / f"{NAME}.json"
    document = json.loads(written.read_text())
    assert document == _contract(
        hybrid={"nodeCidrs": ["192.168.100.0/24"], "podCidrs": ["192.168.128.0/20"]},
        kubectlRoleArn=KUBECTL_ROLE,
        clusterSecurityGroupId=None,
    )
    ref = PlatformClusterReference.from_contract_file(support.new_stack(), "Platform", written)
    assert ref.hybrid_networks == HYBRID and ref.kubectl_role_arn == KUBECTL_ROLE and ref.version_string == "1.33"


def test_fails_when_the_platform_cluster_has_a_generated_name() -> None:
    stack = support.new_stack()
    cluster = AutoModeCluster(stack, "Cluster")
    with pytest.raises(ConfigError, match="no literal cluster_name"):
        ClusterContract(stack, "Contract", cluster=cluster)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"schema": "v0"}, "is not 'eks-platform/cluster-contract/v1'"),
        ({"kubernetesVersion": "1.33.1"}, "kubernetesVersion '1.33.1' is not a Kubernetes minor"),
        ({"autoMode": "yes"}, "autoMode"),
        ({"clusterArn": "arn:aws:eks:us-east-1:111111111111:cluster/other"}, "does not match clusterName"),
        ({"hybrid": {"nodeCidrs": ["not-a-cidr"]}}, "hybrid.nodeCidrs"),
        ({"extra": 1}, "extra"),
    ],
)
def test_fails_when_the_contract_is_invalid(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        PlatformClusterReference.from_contract(support.new_stack(), "Platform", _contract(**overrides))


def test_fails_when_the_contract_lacks_a_required_key() -> None:
    document = _contract()
    del document["kubernetesVersion"]
    with pytest.raises(ConfigError, match=r"contract\.kubernetesVersion is required"):
        PlatformClusterReference.from_contract(support.new_stack(), "Platform", document)


def test_fails_when_the_contract_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        PlatformClusterReference.from_contract_file(support.new_stack(), "Platform", tmp_path / "absent.json")


def test_fails_when_the_contract_file_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not JSON"):
        PlatformClusterReference.from_contract_file(support.new_stack(), "Platform", path)


def test_hybrid_nodes_work_on_a_reference_with_hybrid_networks_and_a_security_group() -> None:
    from eks_platform.constructs.hybrid import HybridCni, HybridNodes

    stack = support.new_stack()
    ref = _reference(stack, hybrid_networks=HYBRID, cluster_security_group_id="sg-0123456789abcdef0")
    hybrid = HybridNodes(stack, "Hybrid", cluster=ref, cni=HybridCni.NONE)
    assert set(hybrid.addons) == {"eks-pod-identity-agent", "kube-proxy", "coredns"}
    template = support.synth_stack(stack, label="reference-hybrid")
    ingress = support.resources_of(template, "AWS::EC2::SecurityGroupIngress").values()
    assert {r["Properties"]["GroupId"] for r in ingress} == {"sg-0123456789abcdef0"}


def test_reference_platform_app_writes_its_cluster_contract(tmp_path: Path) -> None:
    from eks_platform.stacks.app import build_app

    app = cdk.App(context={**support.fixed_context(), **support.cdk_json_context()}, outdir=str(tmp_path))
    build_app(app)
    app.synth()
    document = json.loads((tmp_path / "contracts" / "eks-platform.json").read_text())
    assert (document["clusterName"], document["autoMode"]) == ("eks-platform", True)
    assert document["kubernetesVersion"] == "1.32"


def test_a_builtin_addon_on_a_plain_imported_cluster_warns_that_auto_mode_was_not_checked() -> None:
    from aws_cdk import aws_eks_v2 as eks

    stack = support.new_stack()
    imported = eks.Cluster.from_cluster_attributes(stack, "Imported", cluster_name=NAME)
    ManagedAddon(stack, "CoreDns", cluster=imported, name="coredns", kubernetes_version="1.33")
    Annotations.from_stack(stack).has_warning(
        "*", Match.string_like_regexp("is imported, so the library cannot tell whether it runs Auto Mode")
    )
