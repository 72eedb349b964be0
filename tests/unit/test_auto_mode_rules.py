"""Auto Mode's built-in names: custom pools may not take them, and `nodeClass: default` needs the built-in pools."""

from __future__ import annotations

from typing import Any

import pytest

from eks_platform import ConfigError
from eks_platform.config import parse_platform_config
from eks_platform.constructs.node_pools import NodePoolSpec


@pytest.mark.parametrize("name", ["system", "general-purpose"])
def test_fails_when_a_custom_pool_takes_a_built_in_name(name: str) -> None:
    with pytest.raises(ConfigError, match=rf"name '{name}' is the name of an Auto Mode built-in node pool"):
        NodePoolSpec(name=name, node_class="batch")


def test_the_config_names_the_pool_that_takes_a_built_in_name() -> None:
    with pytest.raises(ConfigError, match=r"platform\.nodePools\.pools\.system: node pool 'system' name 'system'"):
        parse_platform_config({"nodePools": {"pools": {"system": {"nodeClass": "default"}}}}, environ={})


@pytest.mark.parametrize(
    ("built_in", "ok"), [([], False), (["system"], True), (["general-purpose"], True), (None, True)]
)
def test_node_class_default_needs_the_built_in_pools(built_in: list[str] | None, ok: bool) -> None:
    raw: dict[str, Any] = {"nodePools": {"pools": {"batch": {"nodeClass": "default"}}}}
    if built_in is not None:
        raw["builtInNodePools"] = built_in
    if ok:
        assert parse_platform_config(raw, environ={}).node_pools is not None
    else:
        with pytest.raises(ConfigError, match=r"platform\.nodePools\.pools\.batch\.nodeClass 'default' is Auto Mode's "
                           r"built-in NodeClass, which exists only while built-in node pools are enabled"):
            parse_platform_config(raw, environ={})


def test_a_custom_node_class_works_without_built_in_pools() -> None:
    pools = {"nodeClasses": {"batch": {}}, "pools": {"batch": {"nodeClass": "batch"}}}
    raw = {"builtInNodePools": [], "nodePools": pools}
    assert parse_platform_config(raw, environ={}).node_pools is not None
