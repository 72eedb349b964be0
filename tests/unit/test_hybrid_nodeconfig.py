"""nodeadm NodeConfig rendering (golden files, checked against nodeadm's own rules), kubelet rules, CA bundle check.

The nodeadm oracle below is written from ``aws/eks-hybrid`` (``internal/node/hybrid/validator.go`` and
``api/v1alpha1/nodeconfig_types.go``) independently of ``eks_platform._internal.hybrid``. Set ``UPDATE_GOLDEN=1`` to
rewrite the golden files after a reviewed change.
"""

from __future__ import annotations

import base64
import os
import re
import string
from pathlib import Path
from typing import Any

import pytest
import yaml

from eks_platform import ConfigError, HybridCredentials, HybridKubeletConfig, IamRolesAnywhereOptions
from eks_platform._internal import hybrid as h

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "hybrid"
CA_PEM = (GOLDEN / "test-ca.pem").read_text()

# Field names per level, from api/v1alpha1/nodeconfig_types.go (NodeConfigSpec, ClusterDetails, KubeletOptions,
# ContainerdOptions, HybridOptions, SSM, IAMRolesAnywhere).
NODEADM_FIELDS: dict[str, set[str]] = {
    "spec": {"cluster", "containerd", "instance", "kubelet", "hybrid"},
    "cluster": {"name", "region", "apiServerEndpoint", "certificateAuthority", "cidr", "enableOutpost", "id"},
    "kubelet": {"config", "flags"},
    "hybrid": {"enableCredentialsFile", "nodeName", "region", "ssm", "iamRolesAnywhere"},
    "ssm": {"activationCode", "activationId"},
    "iamRolesAnywhere": {
        "nodeName", "trustAnchorArn", "profileArn", "roleArn", "awsConfigPath", "certificatePath", "privateKeyPath"
    },
}


def nodeadm_errors(doc: dict[str, Any], *, filled: bool) -> list[str]:
    """What nodeadm would reject. ``filled``: also apply the SSM activation value formats (after envsubst)."""
    errors = []
    if doc.get("apiVersion") != "node.eks.aws/v1alpha1" or doc.get("kind") != "NodeConfig":
        errors.append("type")
    spec = doc["spec"]
    for level, allowed in NODEADM_FIELDS.items():
        node = spec if level == "spec" else (
            spec.get(level) if level in ("cluster", "kubelet", "hybrid") else (spec.get("hybrid") or {}).get(level)
        )
        if isinstance(node, dict) and set(node) - allowed:
            errors.append(f"unknown fields in {level}: {set(node) - allowed}")
    if not spec.get("cluster", {}).get("name"):
        errors.append("Name is missing in cluster configuration")
    if not spec.get("cluster", {}).get("region"):
        errors.append("Region is missing in cluster configuration")
    if any(f.startswith("--hostname-override=") for f in spec.get("kubelet", {}).get("flags", [])):
        errors.append("hostname-override kubelet flag is not supported for hybrid nodes")
    hybrid = spec.get("hybrid", {})
    ssm, ira = hybrid.get("ssm"), hybrid.get("iamRolesAnywhere")
    if bool(ssm) == bool(ira):
        errors.append("exactly one of IAMRolesAnywhere or SSM")
    if ssm:
        if not ssm.get("activationCode") or not ssm.get("activationId"):
            errors.append("ActivationCode/ActivationID missing")
        if filled and not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                                       ssm["activationId"]):
            errors.append("activationId format")
        if filled and not 20 <= len(ssm["activationCode"]) <= 250:
            errors.append("activationCode length")
    if ira:
        for key in ("roleArn", "profileArn", "trustAnchorArn", "nodeName", "certificatePath", "privateKeyPath"):
            if not ira.get(key):
                errors.append(f"{key} missing")
        if len(ira.get("nodeName", "")) > 64:
            errors.append("NodeName can't be longer than 64 characters")
    return errors


KUBELET = HybridKubeletConfig(
    memory_manager_policy="Static",
    reserved_memory={0: "1124Mi"},
    kube_reserved_memory="1Gi",
    single_process_oom_kill=True,
    flags=["--node-labels=topology.kubernetes.io/zone=rack1"],
)
SAMPLES: dict[str, dict[str, Any]] = {
    "ssm": {
        "provider": h.CredentialProvider.SSM,
        "activation_code": h.Placeholder.named("SSM_ACTIVATION_CODE"),
        "activation_id": h.Placeholder.named("SSM_ACTIVATION_ID"),
    },
    "iam-ra": {
        "provider": h.CredentialProvider.IAM_ROLES_ANYWHERE,
        "node_name": h.Placeholder.named("NODE_NAME"),
        "trust_anchor_arn": (
            "arn:aws:rolesanywhere:eu-west-1:111111111111:trust-anchor/0a1b2c3d-1111-2222-3333-444455556666"
        ),
        "profile_arn": "arn:aws:rolesanywhere:eu-west-1:111111111111:profile/9f8e7d6c-1111-2222-3333-444455556666",
        "role_arn": "arn:aws:iam::111111111111:role/EksHybridNodesRole",
    },
}
FILLED = {
    "SSM_ACTIVATION_CODE": "Fjz3/sZfSvv78EXAMPLE+z9",
    "SSM_ACTIVATION_ID": "e488f2f6-e686-4afb-8a04-ef6df0a1b2c3",
    "NODE_NAME": "rack1-node07",
}


def _render(kind: str) -> str:
    doc = h.render_node_config(
        cluster_name="edge", region="eu-west-1", enable_credentials_file=True,
        kubelet_config_map=KUBELET.config_map(), kubelet_flags=tuple(KUBELET.flags), **SAMPLES[kind],
    )
    return h.dump_node_config(doc)


@pytest.mark.parametrize("kind", ["ssm", "iam-ra"])
def test_rendering_matches_the_golden_file(kind: str) -> None:
    path = GOLDEN / f"nodeconfig-{kind}.yaml"
    text = _render(kind)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text)
    assert text == path.read_text()


@pytest.mark.parametrize("kind", ["ssm", "iam-ra"])
def test_golden_file_passes_nodeadms_rules(kind: str) -> None:
    doc = yaml.safe_load((GOLDEN / f"nodeconfig-{kind}.yaml").read_text())
    assert nodeadm_errors(doc, filled=False) == []


@pytest.mark.parametrize("kind", ["ssm", "iam-ra"])
def test_golden_file_after_envsubst_passes_nodeadms_rules(kind: str) -> None:
    text = string.Template((GOLDEN / f"nodeconfig-{kind}.yaml").read_text()).substitute(FILLED)
    assert "${" not in text
    assert nodeadm_errors(yaml.safe_load(text), filled=True) == []


def test_golden_kubelet_settings_satisfy_the_static_memory_manager_sum() -> None:
    config = yaml.safe_load((GOLDEN / "nodeconfig-ssm.yaml").read_text())["spec"]["kubelet"]["config"]
    mib = {"Mi": 1, "Gi": 1024}
    def to_mib(q: str) -> int:
        return int(q[:-2]) * mib[q[-2:]]
    reserved = sum(to_mib(r["limits"]["memory"]) for r in config["reservedMemory"])
    eviction = to_mib(config.get("evictionHard", {}).get("memory.available", "100Mi"))
    assert reserved == to_mib(config["kubeReserved"]["memory"]) + eviction
    assert config["memoryManagerPolicy"] == "Static" and config["singleProcessOOMKill"] is True


def test_library_rules_agree_with_the_oracle_on_broken_documents() -> None:
    good = yaml.safe_load(_render("iam-ra"))
    broken = [
        {**good, "spec": {**good["spec"], "cluster": {"name": "", "region": "eu-west-1"}}},
        {**good, "spec": {**good["spec"], "hybrid": {"ssm": {"activationCode": "x" * 20, "activationId": "y"},
                                                     **good["spec"]["hybrid"]}}},
        {**good, "spec": {**good["spec"], "hybrid": {"iamRolesAnywhere": {
            **good["spec"]["hybrid"]["iamRolesAnywhere"], "nodeName": "n" * 65}}}},
        {**good, "spec": {**good["spec"], "kubelet": {"flags": ["--hostname-override=x"]}}},
    ]
    for doc in broken:
        assert nodeadm_errors(doc, filled=False) and h.node_config_problems(doc)
    assert h.node_config_problems(good) == []


# -- kubelet rules -----------------------------------------------------------------------------------------------------
def test_fails_when_memory_manager_policy_is_not_none_or_static() -> None:
    with pytest.raises(ConfigError, match=r"memory_manager_policy 'static' is not a kubelet memory manager policy; "
                                          r"allowed: 'None' \(default\) or 'Static'"):
        HybridKubeletConfig(memory_manager_policy="static")


def test_fails_when_static_without_reserved_memory() -> None:
    with pytest.raises(ConfigError, match=r"memory_manager_policy 'Static' needs reserved_memory"):
        HybridKubeletConfig(memory_manager_policy="Static", kube_reserved_memory="1Gi")


def test_fails_when_static_without_explicit_kube_reserved() -> None:
    with pytest.raises(ConfigError, match=r"needs kube_reserved_memory set explicitly"):
        HybridKubeletConfig(memory_manager_policy="Static", reserved_memory={0: "1124Mi"})


def test_fails_when_reserved_memory_does_not_add_up() -> None:
    with pytest.raises(ConfigError, match=r"reserved_memory adds up to 1Gi but must equal kube-reserved \(1Gi\) \+ "
                                          r"system-reserved \(512Mi\) \+ eviction-hard \(100Mi\) = 1636Mi"):
        HybridKubeletConfig(memory_manager_policy="Static", reserved_memory={0: "512Mi", 1: "512Mi"},
                            kube_reserved_memory="1Gi", system_reserved_memory="512Mi")


def test_reserved_memory_may_span_numa_nodes() -> None:
    config = HybridKubeletConfig(memory_manager_policy="Static", reserved_memory={1: "562Mi", 0: "562Mi"},
                                 kube_reserved_memory="1Gi")
    assert config.config_map()["reservedMemory"] == [
        {"numaNode": 0, "limits": {"memory": "562Mi"}}, {"numaNode": 1, "limits": {"memory": "562Mi"}}
    ]


def test_fails_when_reserved_memory_not_positive() -> None:
    with pytest.raises(ConfigError, match=r"reserved_memory\[0\] '0Mi' is not a positive memory quantity"):
        HybridKubeletConfig(reserved_memory={0: "0Mi"})


def test_fails_when_single_process_oom_kill_not_a_bool() -> None:
    with pytest.raises(ConfigError, match=r"single_process_oom_kill must be True or False, got str 'yes'"):
        HybridKubeletConfig(single_process_oom_kill="yes")  # type: ignore[arg-type]


def test_fails_when_hostname_override_flag() -> None:
    with pytest.raises(ConfigError, match=r"nodeadm rejects --hostname-override"):
        HybridKubeletConfig(flags=["--hostname-override=node1"])


def test_fails_when_extra_config_shadows_a_validated_setting() -> None:
    with pytest.raises(ConfigError, match=r"extra_config sets 'memoryManagerPolicy'"):
        HybridKubeletConfig(extra_config={"memoryManagerPolicy": "Static"})


def test_extra_config_is_merged() -> None:
    config = HybridKubeletConfig(single_process_oom_kill=False, extra_config={"shutdownGracePeriod": "30s"})
    assert config.config_map() == {"shutdownGracePeriod": "30s", "singleProcessOOMKill": False}


@pytest.mark.parametrize(
    ("text", "value"),
    [("1Gi", 1024**3), ("1124Mi", 1124 * 1024**2), ("5e3", 5000), ("1.5k", 1500), ("100M", 10**8), ("512", 512)],
)
def test_parses_kubernetes_quantities(text: str, value: int) -> None:
    assert h.parse_quantity(text) == value


@pytest.mark.parametrize("text", ["1 Gi", "Gi", "1GB", "", "1.2.3Mi", "-"])
def test_rejects_malformed_quantities(text: str) -> None:
    assert h.parse_quantity(text) is None


# -- credentials -------------------------------------------------------------------------------------------------------
def test_fails_when_both_credential_providers() -> None:
    with pytest.raises(ConfigError, match=r"credentials has both ssm and iam_roles_anywhere"):
        HybridCredentials(ssm=HybridCredentials.ssm_activations().ssm,
                          iam_roles_anywhere=IamRolesAnywhereOptions(ca_bundle_pem=CA_PEM))


def test_fails_when_neither_credential_provider() -> None:
    with pytest.raises(ConfigError, match=r"credentials has neither ssm nor iam_roles_anywhere"):
        HybridCredentials()


def test_fails_when_roles_anywhere_has_both_ca_and_anchor() -> None:
    with pytest.raises(ConfigError, match=r"exactly one of ca_bundle_pem .* got both"):
        IamRolesAnywhereOptions(
            ca_bundle_pem=CA_PEM,
            trust_anchor_arn="arn:aws:rolesanywhere:us-east-1:111111111111:trust-anchor/0a1b2c3d-1111-2222-3333-444455556666",
        )


def test_fails_when_roles_anywhere_has_neither() -> None:
    with pytest.raises(ConfigError, match=r"exactly one of ca_bundle_pem .* got neither"):
        IamRolesAnywhereOptions()


def test_fails_when_session_duration_over_12_hours() -> None:
    with pytest.raises(ConfigError, match=r"session_duration_seconds 43201 must be a whole number from 900 to 43200"):
        IamRolesAnywhereOptions(ca_bundle_pem=CA_PEM, session_duration_seconds=43201)


def test_fails_when_node_name_over_64_characters() -> None:
    with pytest.raises(ConfigError, match=r"node_name '.{65}' is 65 characters; nodeadm accepts at most 64"):
        IamRolesAnywhereOptions(ca_bundle_pem=CA_PEM, node_name="a" * 65)


def test_fails_when_node_name_is_not_a_node_name() -> None:
    with pytest.raises(ConfigError, match=r"node_name 'Rack1_Node' is not a DNS-1123 subdomain"):
        IamRolesAnywhereOptions(ca_bundle_pem=CA_PEM, node_name="Rack1_Node")


def test_fails_when_ssm_registration_limit_out_of_range() -> None:
    with pytest.raises(ConfigError, match=r"registration_limit 0 must be a whole number from 1 to 1000"):
        HybridCredentials.ssm_activations(registration_limit=0)


# -- CA bundle ---------------------------------------------------------------------------------------------------------
def _block(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode()
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"


def test_accepts_a_pem_ca_certificate_and_a_bundle() -> None:
    assert h.ca_bundle_problems("ca", CA_PEM) == []
    assert h.ca_bundle_problems("ca", CA_PEM + CA_PEM) == []


@pytest.mark.parametrize(
    ("pem", "message"),
    [
        ("/etc/pki/ca.pem", "is not a PEM certificate (it looks like a file path"),
        ("MIIBkTCB+wIJAK", "is not a PEM certificate"),
        (_block("PRIVATE KEY", b"\x30\x03\x02\x01\x00"), "is a PRIVATE KEY. Never put a private key in a template"),
        (_block("CERTIFICATE REQUEST", b"\x30\x03\x02\x01\x00"), "is a 'CERTIFICATE REQUEST', not a CERTIFICATE"),
        ("-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----", "not valid base64"),
        (_block("CERTIFICATE", b"hello, not DER"), "not a DER X.509 certificate"),
        (_block("CERTIFICATE", b"\x30\x03\x02\x01\x00"), "not a DER X.509 certificate"),
    ],
)
def test_fails_when_ca_bundle_is_not_a_pem_certificate(pem: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as error:
        IamRolesAnywhereOptions(ca_bundle_pem=pem)
    assert "iam_roles_anywhere.ca_bundle_pem" in str(error.value)


def test_fails_when_ca_bundle_is_truncated() -> None:
    lines = CA_PEM.strip().splitlines()
    truncated = "\n".join(lines[:5] + lines[-1:])
    assert h.ca_bundle_problems("ca", truncated)


def test_fails_when_ca_bundle_exceeds_8000_characters() -> None:
    problems = h.ca_bundle_problems("ca", CA_PEM * 7)
    assert any("IAM Roles Anywhere accepts at most 8000" in p for p in problems)
