"""The kubectl Lambda layer for a cluster's Kubernetes minor.

kubectl is supported within one minor of the API server (Kubernetes version skew policy:
https://kubernetes.io/releases/version-skew-policy/#kubectl). The layers of every supported minor (1.32-1.35) are
ordinary dependencies of the package, so the layer of the cluster's own minor is normally there; when it is not, the
nearest installed layer within one minor is used.
"""

from __future__ import annotations

import importlib
from typing import Any

from constructs import Construct

from eks_platform.errors import ConfigError

#: The minors whose kubectl layer ships with the package (``aws-cdk.lambda-layer-kubectl-v<NN>`` dependencies).
BUNDLED_LAYER_MINORS = (32, 33, 34, 35)


def _layer_class(minor: int) -> Any:
    try:
        module = importlib.import_module(f"aws_cdk.lambda_layer_kubectl_v{minor}")
    except ImportError:
        return None
    return getattr(module, f"KubectlV{minor}Layer", None)


def kubectl_layer(scope: Construct, construct_id: str, version: str) -> Any:
    """A ``KubectlV<NN>Layer`` for ``version`` ("1.32"): the cluster's own minor, else one within kubectl's skew."""
    minor = int(version.split(".")[-1])
    for candidate in (minor, minor - 1, minor + 1):
        layer_cls = _layer_class(candidate)
        if layer_cls is not None:
            return layer_cls(scope, construct_id)
    raise ConfigError(
        "KubectlLayerMissing",
        f"the kubectl provider for Kubernetes {version} needs a kubectl layer within one minor of it "
        f"(aws-cdk.lambda-layer-kubectl-v{minor - 1}, -v{minor} or -v{minor + 1}), and none is installed; install "
        f"aws-cdk.lambda-layer-kubectl-v{minor} (this package ships the layers of 1.{BUNDLED_LAYER_MINORS[0]}-1."
        f"{BUNDLED_LAYER_MINORS[-1]}), or use render-only manifests (no kubectl provider)",
        path=scope.node.path,
    )
