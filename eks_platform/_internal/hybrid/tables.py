"""The hybrid nodes data table (``_internal/data/hybrid.json``): Cilium chart pin and values, kubelet port."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def _load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("eks_platform._internal.data").joinpath("hybrid.json").read_text()
    )
    return data


#: The parsed ``hybrid.json`` (each section carries its public source).
DATA = _load()
