"""cdk.json: ``platform.manifestDelivery``, how cdk8s charts reach the cluster."""

from __future__ import annotations

from typing import Any

from eks_platform.config._base import validate_type
from eks_platform.constructs.manifests import DeliveryMode
from eks_platform.errors import ConfigError


def parse_delivery_mode(setting: str, raw: Any, problems: list[str]) -> DeliveryMode | None:
    """Validate a ``manifestDelivery`` value (``"apply"``, ``"hand-over"``, ``"render-only"``); problems appended."""
    try:
        return validate_type(DeliveryMode, raw, root=setting)  # type: ignore[no-any-return]
    except ConfigError as error:
        problems += error.problems
        return None
