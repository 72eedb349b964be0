"""cdk.json parsing for the reference platform: one module per section, imported by ``eks_platform.stacks`` only.

- :mod:`~eks_platform.config.platform`: the ``platform`` object's top-level keys and :class:`PlatformConfig`.
- :mod:`~eks_platform.config.addons`: ``platform.addons``.
- :mod:`~eks_platform.config.pod_identity`: ``platform.podIdentities``.
- :mod:`~eks_platform.config.delivery`: ``platform.manifestDelivery``.
- :mod:`~eks_platform.config.capabilities`: ``platform.capabilities`` (EKS Capabilities).
- :mod:`~eks_platform.config.ingress`: ``platform.ingress`` (the ALB IngressClass).
- :mod:`~eks_platform.config.gitops`: ``platform.gitops`` (manifests folder, Argo CD Application).

The constructs never import this package: a team using ``AutoModeCluster`` directly does not carry the parser.
"""

from __future__ import annotations

from eks_platform.config.addons import AddonSettings, default_addon_settings, parse_addons_config
from eks_platform.config.delivery import parse_delivery_mode
from eks_platform.config.platform import (
    CONTEXT_KEY,
    PLACEHOLDER_ACCOUNT,
    PLACEHOLDER_REGION,
    PlatformConfig,
    context_keys,
    parse_platform_config,
)
from eks_platform.config.pod_identity import PodIdentityBinding, parse_pod_identities_config

__all__ = [
    "CONTEXT_KEY",
    "PLACEHOLDER_ACCOUNT",
    "PLACEHOLDER_REGION",
    "AddonSettings",
    "PlatformConfig",
    "PodIdentityBinding",
    "context_keys",
    "default_addon_settings",
    "parse_addons_config",
    "parse_delivery_mode",
    "parse_platform_config",
    "parse_pod_identities_config",
]
