"""cdk.json: ``platform.manifestDelivery``, how cdk8s charts reach the cluster."""

from __future__ import annotations

from typing import Any

from eks_platform._internal import validation as v
from eks_platform.constructs.manifests import DeliveryMode


def parse_delivery_mode(setting: str, raw: Any, problems: list[str]) -> DeliveryMode | None:
    """Parse the ``manifestDelivery`` context value (``"apply"``, ``"hand-over"`` or ``"render-only"``); problems are
    appended."""
    found = v.one_of_problems(
        setting,
        raw,
        [m.value for m in DeliveryMode],
        hint=(
            " (apply through the kubectl provider; hand-over, the one-deployment step between the two; or only write "
            "the YAML for a GitOps tool)"
        ),
    )
    if found:
        problems += found
        return None
    return DeliveryMode(raw)
