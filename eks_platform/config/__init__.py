"""cdk.json validation for the reference platform: pydantic models, one module per section; imported by
``eks_platform.stacks`` only.

- :mod:`~eks_platform.config.platform`: the ``platform`` object's top-level keys and :class:`PlatformConfig`.
- :mod:`~eks_platform.config.addons`: ``platform.addons``.
- :mod:`~eks_platform.config.pod_identity`: ``platform.podIdentities``.
- :mod:`~eks_platform.config.hybrid`, :mod:`~eks_platform.config.storage`, :mod:`~eks_platform.config.node_pools`:
  the ``hybrid``, ``storage`` and ``nodePools`` sections.
- :mod:`~eks_platform.config.delivery`: ``platform.manifestDelivery``.
- :mod:`~eks_platform.config.capabilities`: ``platform.capabilities`` (EKS Capabilities).
- :mod:`~eks_platform.config.ingress`: ``platform.ingress`` (the ALB IngressClass).
- :mod:`~eks_platform.config.gitops`: ``platform.gitops`` (manifests folder, Argo CD Application).
- :mod:`~eks_platform.config.teams`: ``platform.teams`` (application teams on a shared cluster).
- :mod:`~eks_platform.config.environments`: ``platform.environments`` and ``platform.pipeline`` (a fleet).
- :mod:`~eks_platform.config.schema`: the JSON Schema of the ``platform`` object, generated from the models.

The constructs never import this package: a team using ``AutoModeCluster`` directly does not carry the parser.
"""

from __future__ import annotations

from eks_platform.config.addons import AddonSettings, default_addon_settings
from eks_platform.config.delivery import parse_delivery_mode
from eks_platform.config.environments import context_keys
from eks_platform.config.platform import (
    CONTEXT_KEY,
    PLACEHOLDER_ACCOUNT,
    PLACEHOLDER_REGION,
    PlatformConfig,
    context_object,
    parse_platform_config,
)
from eks_platform.config.pod_identity import PodIdentityBinding

__all__ = [
    "CONTEXT_KEY",
    "PLACEHOLDER_ACCOUNT",
    "PLACEHOLDER_REGION",
    "AddonSettings",
    "PlatformConfig",
    "PodIdentityBinding",
    "context_keys",
    "context_object",
    "default_addon_settings",
    "parse_delivery_mode",
    "parse_platform_config",
]
