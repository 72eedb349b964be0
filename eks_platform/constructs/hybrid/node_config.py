"""The node side of EKS Hybrid Nodes: kubelet settings and the nodeadm ``NodeConfig`` each node runs with.

``HybridNodes`` renders the document with :func:`node_config_document` (checked against nodeadm's own rules),
stores it in an SSM parameter and writes it, with placeholders and instructions, into the cloud assembly at synth
(:func:`write_node_config_file`, called from an aspect-phase hook).

See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-nodeadm.html
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from constructs import IConstruct

from eks_platform._internal import hybrid as h
from eks_platform._internal import validation as v
from eks_platform._internal.hybrid import CredentialProvider
from eks_platform._internal.tree import outdir_of, stage_of
from eks_platform.constructs.hybrid.credentials import HybridCredentials
from eks_platform.constructs.keywords import check_fields, checked_value
from eks_platform.errors import raise_if_problems

__all__ = [
    "HybridKubeletConfig",
    "node_config_document",
    "node_config_file_text",
    "write_node_config_file",
]


@checked_value("InvalidHybridKubelet")
@dataclass(frozen=True, kw_only=True, slots=True)
class HybridKubeletConfig:
    """Kubelet settings for the generated NodeConfig (``spec.kubelet``), validated against the kubelet's rules.

    Args:
        memory_manager_policy: ``"None"`` or ``"Static"`` (GA in Kubernetes 1.32). Default: - the kubelet's ``None``.
        reserved_memory: NUMA node -> memory reserved on it, e.g. ``{0: "1124Mi"}``. Required with ``Static``; the
            amounts must add up to kube-reserved + system-reserved + eviction-hard memory. Default: - none.
        kube_reserved_memory: ``kubeReserved.memory``. Required with ``Static`` (nodeadm otherwise derives it from each
            machine's RAM). Default: - nodeadm's per-machine value.
        system_reserved_memory: ``systemReserved.memory``. Default: - none (0).
        eviction_hard_memory: ``evictionHard["memory.available"]``. Default: - nodeadm's 100Mi.
        single_process_oom_kill: Kubernetes 1.32 ``singleProcessOOMKill``: kill only the process that ran out of
            memory instead of the whole container (cgroup v2; on cgroup v1 the kubelet forces true and rejects
            false). Default: - the kubelet's false on cgroup v2.
        flags: extra kubelet flags (``--name=value``); ``--hostname-override`` is rejected (nodeadm sets it).
            Default: - none.
        extra_config: more ``KubeletConfiguration`` fields, merged by nodeadm over its defaults. Default: - none.

    See: https://kubernetes.io/docs/tasks/administer-cluster/memory-manager/
    """

    memory_manager_policy: str | None = None
    reserved_memory: Mapping[int, str] | None = None
    kube_reserved_memory: str | None = None
    system_reserved_memory: str | None = None
    eviction_hard_memory: str | None = None
    single_process_oom_kill: bool | None = None
    flags: Sequence[str] = ()
    extra_config: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        check_fields(self, "InvalidHybridKubelet")
        problems: list[str] = []
        object.__setattr__(self, "flags", h.as_tuple("kubelet.flags", self.flags, problems))
        if isinstance(self.reserved_memory, Mapping):
            object.__setattr__(self, "reserved_memory", dict(self.reserved_memory))
        problems += h.kubelet_problems(self.inputs())
        raise_if_problems("InvalidHybridKubelet", problems)

    def inputs(self, kubernetes_version: str | None = None) -> h.KubeletInputs:
        return h.KubeletInputs(
            memory_manager_policy=self.memory_manager_policy,
            reserved_memory=self.reserved_memory,
            kube_reserved_memory=self.kube_reserved_memory,
            system_reserved_memory=self.system_reserved_memory,
            eviction_hard_memory=self.eviction_hard_memory,
            single_process_oom_kill=self.single_process_oom_kill,
            flags=tuple(self.flags),
            extra_config=self.extra_config,
            kubernetes_version=kubernetes_version,
        )

    def config_map(self) -> dict[str, Any]:
        """The ``spec.kubelet.config`` map."""
        return h.kubelet_config(self.inputs())

def node_config_document(
    *,
    credentials: HybridCredentials,
    kubelet: HybridKubeletConfig | None,
    cluster_name: str,
    region: str,
    role_arn: str,
    trust_anchor_arn: str | None,
    profile_arn: str | None,
    enable_credentials_file: bool,
    node_name: str | None = None,
    activation_id: str | None = None,
    activation_code: str | None = None,
    placeholders: bool = False,
    path: str | None = None,
) -> dict[str, Any]:
    """The nodeadm ``NodeConfig`` for one credential provider (see ``HybridNodes.node_config``).

    Raises:
        ConfigError: ``InvalidNodeConfig`` (at ``path``) for a bad node name or activation value.
    """
    provider = credentials.provider
    problems: list[str] = []
    if provider is CredentialProvider.SSM:
        if node_name is not None:
            problems.append("node_name applies to IAM Roles Anywhere; SSM names nodes after the managed instance")
        problems += h.ssm_activation_problems(
            activation_id if activation_id is not None else "00000000-0000-0000-0000-000000000000",
            activation_code if activation_code is not None else "x" * 20,
        )
    else:
        if activation_id is not None or activation_code is not None:
            problems.append("activation_id and activation_code apply to SSM credentials, not IAM Roles Anywhere")
        if node_name is not None:
            problems += h.node_name_problems("node_name", node_name)
    raise_if_problems("InvalidNodeConfig", problems, path=path)

    def value(token_or_literal: Any, placeholder: str) -> Any:
        if placeholders and v.is_unresolved(token_or_literal):
            return h.Placeholder.named(placeholder)
        return token_or_literal

    common: dict[str, Any] = {
        "cluster_name": value(cluster_name, "CLUSTER_NAME"),
        "region": value(region, "AWS_REGION"),
        "provider": provider,
        "enable_credentials_file": enable_credentials_file,
        "kubelet_config_map": kubelet.config_map() if kubelet else None,
        "kubelet_flags": tuple(kubelet.flags) if kubelet else (),
    }
    if provider is CredentialProvider.SSM:
        doc = h.render_node_config(
            **common,
            activation_code=activation_code or h.Placeholder.named("SSM_ACTIVATION_CODE"),
            activation_id=activation_id or h.Placeholder.named("SSM_ACTIVATION_ID"),
        )
    else:
        ira = credentials.iam_roles_anywhere
        assert ira is not None
        doc = h.render_node_config(
            **common,
            node_name=node_name or ira.node_name or h.Placeholder.named("NODE_NAME"),
            trust_anchor_arn=value(trust_anchor_arn, "TRUST_ANCHOR_ARN"),
            profile_arn=value(profile_arn, "PROFILE_ARN"),
            role_arn=value(role_arn, "HYBRID_NODES_ROLE_ARN"),
            certificate_path=ira.certificate_path,
            private_key_path=ira.private_key_path,
        )
    raise_if_problems("InvalidNodeConfig", h.node_config_problems(doc), path=path)
    return doc


def node_config_file_text(
    doc: Mapping[str, Any], *, provider: CredentialProvider, construct_path: str, kubernetes_version: str | None
) -> str:
    """A NodeConfig rendered with placeholders, headed by how to install nodeadm and fill the placeholders."""
    text = h.dump_node_config(doc)
    names = sorted(set(re.findall(r"\$\{([A-Z_]+)\}", text)))
    lines = [
        f"nodeadm NodeConfig for EKS Hybrid Nodes ({provider.value}), generated by cdk-eks-platform",
        f"from {construct_path}. Install: nodeadm install {kubernetes_version or '<k8s minor>'} "
        f"--credential-provider {provider.nodeadm_flag}",
        "Then: nodeadm init --config-source file://nodeConfig.yaml",
    ]
    per_node = {"SSM_ACTIVATION_CODE", "SSM_ACTIVATION_ID", "NODE_NAME"}
    deploy_time = [n for n in names if n not in per_node]
    if deploy_time:
        lines.append(
            "Known only after deploy: " + ", ".join(deploy_time) + ". The SSM parameter in stack output "
            "NodeConfigParameterName has them filled in."
        )
    if "SSM_ACTIVATION_ID" in names:
        lines.append(
            "SSM_ACTIVATION_ID/SSM_ACTIVATION_CODE: run the command in stack output SsmActivationCommand once."
        )
    if "NODE_NAME" in names:
        lines.append("NODE_NAME: this node's name, the CN of its certificate (at most 64 characters).")
    if names:
        lines.append("Fill them with: export NAME=value ...; envsubst < this-file > nodeConfig.yaml")
    return h.dump_node_config(doc, header="\n".join(lines))


def write_node_config_file(scope: IConstruct, file_name: str, text: str) -> str:
    """Write ``text`` to ``<cloud assembly of scope>/hybrid/<file_name>``; returns the path."""
    stage = stage_of(scope)
    outdir = outdir_of(stage) if stage is not None else "cdk.out"
    directory = os.path.join(outdir, "hybrid")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, file_name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path
