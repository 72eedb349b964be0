"""Helpers shared by the hybrid rules, and the label every hybrid node carries."""

from __future__ import annotations

from typing import Any


def as_tuple(setting: str, value: object, problems: list[str]) -> tuple[Any, ...]:
    """``value`` as a tuple (None -> empty); appends a problem and returns ``()`` when it is not a list or tuple."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        problems.append(f"{setting} must be a list, got {type(value).__name__} {value!r}")
        return ()
    return tuple(value)


#: The label nodeadm puts on every hybrid node (aws/eks-hybrid ``internal/kubelet/config.go``).
HYBRID_NODE_LABEL = ("eks.amazonaws.com/compute-type", "hybrid")


def hybrid_node_affinity(operator: str = "In") -> dict[str, Any]:
    """A required node affinity for (``In``) or away from (``NotIn``) hybrid nodes."""
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [
                        {"key": HYBRID_NODE_LABEL[0], "operator": operator, "values": [HYBRID_NODE_LABEL[1]]}
                    ]}
                ]
            }
        }
    }
