"""The nodeadm ``NodeConfig`` document (``node.eks.aws/v1alpha1``): rendering, nodeadm's checks, YAML output.

Pure functions only (no constructs). Source: nodeadm (``aws/eks-hybrid`` ``api/v1alpha1/nodeconfig_types.go`` and
``internal/node/hybrid/validator.go``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from eks_platform._internal.hybrid.credentials import NODE_NAME_MAX, CredentialProvider

# -- nodeadm NodeConfig ---------------------------------------------------------------------------------------------
NODEADM_API_VERSION = "node.eks.aws/v1alpha1"
NODEADM_KIND = "NodeConfig"
#: nodeadm's defaults for the IAM Roles Anywhere certificate and key (``internal/node/hybrid`` ``defaults.go``).
DEFAULT_CERTIFICATE_PATH = "/etc/iam/pki/server.pem"
DEFAULT_PRIVATE_KEY_PATH = "/etc/iam/pki/server.key"


def render_node_config(
    *,
    cluster_name: str,
    region: str,
    provider: CredentialProvider,
    activation_code: str | None = None,
    activation_id: str | None = None,
    node_name: str | None = None,
    trust_anchor_arn: str | None = None,
    profile_arn: str | None = None,
    role_arn: str | None = None,
    certificate_path: str | None = None,
    private_key_path: str | None = None,
    enable_credentials_file: bool = False,
    kubelet_config_map: Mapping[str, Any] | None = None,
    kubelet_flags: Sequence[str] = (),
) -> dict[str, Any]:
    """A nodeadm ``NodeConfig`` document (``node.eks.aws/v1alpha1``) for one credential provider."""
    spec: dict[str, Any] = {"cluster": {"name": cluster_name, "region": region}}
    kubelet: dict[str, Any] = {}
    if kubelet_config_map:
        kubelet["config"] = dict(kubelet_config_map)
    if kubelet_flags:
        kubelet["flags"] = list(kubelet_flags)
    if kubelet:
        spec["kubelet"] = kubelet
    hybrid: dict[str, Any] = {}
    if enable_credentials_file:
        hybrid["enableCredentialsFile"] = True
    if provider is CredentialProvider.SSM:
        hybrid["ssm"] = {"activationCode": activation_code, "activationId": activation_id}
    else:
        hybrid["iamRolesAnywhere"] = {
            "nodeName": node_name,
            "trustAnchorArn": trust_anchor_arn,
            "profileArn": profile_arn,
            "roleArn": role_arn,
            "certificatePath": certificate_path or DEFAULT_CERTIFICATE_PATH,
            "privateKeyPath": private_key_path or DEFAULT_PRIVATE_KEY_PATH,
        }
    spec["hybrid"] = hybrid
    return {"apiVersion": NODEADM_API_VERSION, "kind": NODEADM_KIND, "spec": spec}


def node_config_problems(doc: Mapping[str, Any]) -> list[str]:
    """nodeadm's own rules for a hybrid ``NodeConfig`` (``internal/node/hybrid/validator.go``).

    Cluster name and region are required; exactly one of ``ssm`` and ``iamRolesAnywhere``; SSM needs activation
    code and ID; IAM Roles Anywhere needs role, profile and trust anchor ARNs, a node name of at most 64 characters
    and certificate/key paths; ``--hostname-override`` is not allowed in kubelet flags.
    """
    problems = []
    spec = doc.get("spec") or {}
    cluster = spec.get("cluster") or {}
    if doc.get("apiVersion") != NODEADM_API_VERSION or doc.get("kind") != NODEADM_KIND:
        problems.append(f"NodeConfig must be apiVersion {NODEADM_API_VERSION}, kind {NODEADM_KIND}")
    if not cluster.get("name"):
        problems.append("NodeConfig spec.cluster.name is missing")
    if not cluster.get("region"):
        problems.append("NodeConfig spec.cluster.region is missing")
    for flag in (spec.get("kubelet") or {}).get("flags") or []:
        if str(flag).startswith("--hostname-override="):
            problems.append("NodeConfig kubelet flag --hostname-override is not supported for hybrid nodes")
    hybrid = spec.get("hybrid") or {}
    ssm, ira = hybrid.get("ssm"), hybrid.get("iamRolesAnywhere")
    if not ssm and not ira:
        problems.append("NodeConfig needs either spec.hybrid.ssm or spec.hybrid.iamRolesAnywhere")
    if ssm and ira:
        problems.append("NodeConfig must set only one of spec.hybrid.ssm and spec.hybrid.iamRolesAnywhere")
    if ssm:
        for key in ("activationCode", "activationId"):
            if not ssm.get(key):
                problems.append(f"NodeConfig spec.hybrid.ssm.{key} is missing")
    if ira:
        for key in ("roleArn", "profileArn", "trustAnchorArn", "nodeName", "certificatePath", "privateKeyPath"):
            if not ira.get(key):
                problems.append(f"NodeConfig spec.hybrid.iamRolesAnywhere.{key} is missing")
        if len(str(ira.get("nodeName") or "")) > NODE_NAME_MAX:
            problems.append(f"NodeConfig spec.hybrid.iamRolesAnywhere.nodeName is longer than {NODE_NAME_MAX}")
    return problems


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]  # libyaml: same YAML, faster
    pass


class Placeholder(str):
    """A value to be filled on the node (``${NAME}``, for ``envsubst``); always rendered double-quoted."""

    __slots__ = ()

    @classmethod
    def named(cls, name: str) -> Placeholder:
        return cls("${" + name + "}")


def _represent_placeholder(dumper: yaml.SafeDumper, data: Placeholder) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')


_Dumper.add_representer(Placeholder, _represent_placeholder)


def dump_node_config(doc: Mapping[str, Any], *, header: str = "") -> str:
    """YAML text of a NodeConfig, keys in the document's order, placeholders double-quoted."""
    body = yaml.dump(dict(doc), Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)
    if not header:
        return body
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + body

