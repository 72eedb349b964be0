"""The kubectl Lambda layer for a cluster's Kubernetes minor (kubectl must be within one minor of the server)."""

from __future__ import annotations

import importlib
from typing import Any

from constructs import Construct

from eks_platform.errors import ConfigError


def kubectl_layer(scope: Construct, construct_id: str, version: str) -> Any:
    """A ``KubectlV<NN>Layer`` from the ``aws-cdk.lambda-layer-kubectl-v<NN>`` package for ``version`` ("1.32")."""
    minor = version.split(".")[-1]
    module_name = f"aws_cdk.lambda_layer_kubectl_v{minor}"
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ConfigError(
            "KubectlLayerMissing",
            f"the kubectl provider for Kubernetes {version} needs the kubectl layer package "
            f"aws-cdk.lambda-layer-kubectl-v{minor}, which is not installed; install it with the extra "
            f"'cdk-eks-platform[kubectl-v{minor}]' (or pin the package yourself), or use render-only manifests "
            "(no kubectl provider)",
            path=scope.node.path,
        ) from None
    layer_cls = getattr(module, f"KubectlV{minor}Layer")
    return layer_cls(scope, construct_id)
