"""One normalised JSON snapshot per reference stack. A change here is an infrastructure change: review it."""

from __future__ import annotations

from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from eks_platform.stacks.app import REFERENCE_STACK_NAME
from eks_platform.testing import normalize_template


@pytest.mark.parametrize("stack_name", [REFERENCE_STACK_NAME])
def test_reference_stack_snapshot(
    reference_templates: dict[str, Any], snapshot_json: SnapshotAssertion, stack_name: str
) -> None:
    assert normalize_template(reference_templates[stack_name]) == snapshot_json
