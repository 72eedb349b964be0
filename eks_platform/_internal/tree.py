"""Facts about the construct tree that cannot change once a construct exists, read across jsii once.

Every property of an aws-cdk-lib or constructs object read from Python is a round trip to the jsii kernel (a JSON
message to the node process and back). A construct's ``node``, its ``node.path``, the tree's ``node.root`` and
``Stack.of(construct)`` are fixed when the construct is created (its scope and id are immutable), so they are read
once and kept on the construct's Python object. jsii hands back the same Python object for the same construct every
time, so the facts live exactly as long as the construct.

Only facts that are immutable are kept here; anything that can change as the tree grows (children, ``find_all``,
dependencies, metadata) is always read afresh.

See: https://aws.github.io/jsii/user-guides/language-support/ (the jsii kernel and its host processes)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import aws_cdk as cdk

T = TypeVar("T")

_NODE = "_eks_platform_node"
_PATH = "_eks_platform_path"
_ROOT = "_eks_platform_root"
_STACK = "_eks_platform_stack"


def _facts(construct: Any) -> dict[str, Any]:
    try:
        facts: dict[str, Any] = vars(construct)
    except TypeError:  # an object without a __dict__: nothing is kept, every read goes to jsii
        return {}
    return facts


def remember(construct: Any, key: str, read: Callable[[], T]) -> T:
    """``read()`` once per construct, for an immutable fact named ``key`` (such as the cdk8s chart it is in)."""
    facts = _facts(construct)
    name = f"_eks_platform_{key}"
    if name in facts:
        return facts[name]  # type: ignore[no-any-return]
    value = facts[name] = read()
    return value


def node_of(construct: Any) -> Any:
    """``construct.node`` (a ``constructs.Node``), read once."""
    facts = _facts(construct)
    node = facts.get(_NODE)
    if node is None:
        node = facts[_NODE] = construct.node
    return node


def path_of(construct: Any) -> str:
    """``construct.node.path``, read once."""
    facts = _facts(construct)
    path = facts.get(_PATH)
    if path is None:
        path = facts[_PATH] = node_of(construct).path
    return str(path)


def root_of(construct: Any) -> Any:
    """``construct.node.root`` (the app, or the outermost construct), read once."""
    facts = _facts(construct)
    root = facts.get(_ROOT)
    if root is None:
        root = facts[_ROOT] = node_of(construct).root
    return root


def stack_of(construct: Any) -> cdk.Stack:
    """``cdk.Stack.of(construct)``, read once."""
    facts = _facts(construct)
    stack = facts.get(_STACK)
    if stack is None:
        stack = facts[_STACK] = cdk.Stack.of(construct)
    return stack


def child_path(scope: Any, construct_id: str) -> str:
    """The path a child ``construct_id`` of ``scope`` has (or will have), without asking jsii."""
    parent = path_of(scope)
    return f"{parent}/{construct_id}" if parent else construct_id


def adopt(construct: Any, scope: Any, construct_id: str) -> None:
    """Record what is known of a construct just created as ``construct_id`` under ``scope``: its path and root, from
    the scope's (call it right after ``super().__init__(scope, construct_id)``)."""
    facts = _facts(construct)
    facts[_PATH] = child_path(scope, construct_id)
    facts[_ROOT] = root_of(scope)
