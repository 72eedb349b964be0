"""Normalised JSON snapshot of the reference app's hybrid stack (EksPlatformHybrid). Review a change like code."""

from __future__ import annotations

from typing import Any

from syrupy.assertion import SnapshotAssertion

from eks_platform.stacks.app import HYBRID_STACK_NAME
from eks_platform.testing import normalize_template


def test_hybrid_stack_snapshot(reference_templates: dict[str, Any], snapshot_json: SnapshotAssertion) -> None:
    assert normalize_template(reference_templates[HYBRID_STACK_NAME]) == snapshot_json
