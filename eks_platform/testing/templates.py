"""Synthesize once, normalise for stable snapshots (sorted keys, asset hashes masked)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from eks_platform.context import SYNTH_DATE_CONTEXT_KEY

if TYPE_CHECKING:  # aws_cdk is imported only when a function needs it, so loading the pytest plugin stays cheap
    import aws_cdk as cdk

FIXED_ACCOUNT = "111111111111"
FIXED_REGION = "us-east-1"
#: The synth date tests use, so the upgrade policy (the only date-dependent output) is stable.
FIXED_SYNTH_DATE = "2026-11-27"

_HASH = re.compile(r"[0-9a-f]{64}")
ASSET_HASH_MASK = "<asset-hash>"


def fixed_context(extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """App context for tests: the fixed synth date plus ``extra``."""
    context: dict[str, Any] = {SYNTH_DATE_CONTEXT_KEY: FIXED_SYNTH_DATE}
    context.update(extra or {})
    return context


def normalize_template(value: Any) -> Any:
    """Sort mapping keys recursively and mask 64-hex asset hashes, so snapshots survive dependency bumps."""
    if isinstance(value, Mapping):
        return {key: normalize_template(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [normalize_template(item) for item in value]
    if isinstance(value, str):
        return _HASH.sub(ASSET_HASH_MASK, value)
    return value


def synth_templates(app: cdk.App) -> dict[str, dict[str, Any]]:
    """Synthesize ``app`` once and return every stack's template by stack name (nested stacks excluded)."""
    assembly = app.synth()
    return {stack.stack_name: stack.template for stack in assembly.stacks}
