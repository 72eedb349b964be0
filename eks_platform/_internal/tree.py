"""Facts about the construct tree that cannot change once a construct exists, read across jsii once.

Every property of an aws-cdk-lib or constructs object read from Python is a round trip to the jsii kernel (a JSON
message to the node process and back). A construct's ``node``, its ``node.path``, the tree's ``node.root`` and
``Stack.of(construct)`` are fixed when the construct is created (its scope and id are immutable), so they are read
once and kept on the construct's Python object. jsii hands back the same Python object for a construct made from
Python every time, so the facts live exactly as long as the construct; a construct aws-cdk-lib makes for itself comes
back as a new Python object from each read (``vpc.private_subnets``, ``node.find_all()``), so facts kept on it hold
only for the object they were kept on: keep such objects (as ``types.private_subnets_of`` does) to share them.

A construct this library creates can also record its scope and id (:func:`created`): its path, root, stack and
cdk8s chart then follow from the scope's when first asked, with no round trip at all.

Only facts that are immutable are kept here; anything that can change as the tree grows (children, ``find_all``,
dependencies, metadata) is always read afresh.

See: https://github.com/aws/jsii, ``packages/@jsii/python-runtime/src/jsii/_kernel/providers/process.py`` (each
call is one request line to the kernel's stdin and one answer line back).
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
_SCOPE = "_eks_platform_scope"
_ID = "_eks_platform_id"
_CHILDREN = "_eks_platform_children"


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


def created(construct: Any, scope: Any, construct_id: str) -> None:
    """Record that ``construct`` was just created as ``construct_id`` under ``scope`` (call it right after
    ``super().__init__(scope, construct_id)``): its path, root and chart then follow from the scope's when asked,
    without a round trip. Nothing is read now."""
    facts = _facts(construct)
    facts[_SCOPE] = scope
    facts[_ID] = construct_id
    _facts(scope).setdefault(_CHILDREN, {})[construct_id] = construct


def child_made(scope: Any, construct_id: str) -> Any:
    """The child ``construct_id`` of ``scope`` recorded by :func:`created`, or None (a child made without it, by a
    user or by aws-cdk-lib, is only known to jsii: ``scope.node.try_find_child``)."""
    children: dict[str, Any] = _facts(scope).get(_CHILDREN) or {}
    return children.get(construct_id)


def make_child(scope: Any, construct_id: str, make: Callable[[], T], *, accept: type[T]) -> T:
    """The child ``construct_id`` of ``scope``: ``make()`` (which creates it, and nothing after that can fail), or
    the child of that id ``scope`` already has when it is an ``accept`` (else the creation's error).

    Find-or-create in one round trip (the creation) instead of two (a ``try_find_child`` first): creating a second
    child with the same id fails in constructs' ``Node`` constructor before anything is added to the tree
    (https://github.com/aws/constructs/blob/10.x/src/construct.ts, ``Node.addChild``), so only then is the tree asked.
    A child recorded with :func:`created` is answered with no round trip at all."""
    known = child_made(scope, construct_id)
    if isinstance(known, accept):
        return known
    try:
        return make()
    except RuntimeError:
        found = node_of(scope).try_find_child(construct_id)
        if not isinstance(found, accept):
            raise
        return found


def scope_of(construct: Any) -> Any:
    """The scope recorded by :func:`created`, or None (then ask jsii: ``construct.node.scope``)."""
    return _facts(construct).get(_SCOPE)


def id_of(construct: Any) -> str:
    """``construct.node.id``, the recorded id or read once."""
    facts = _facts(construct)
    found = facts.get(_ID)
    if found is None:
        found = facts[_ID] = node_of(construct).id
    return str(found)


def node_of(construct: Any) -> Any:
    """``construct.node`` (a ``constructs.Node``), read once."""
    facts = _facts(construct)
    node = facts.get(_NODE)
    if node is None:
        node = facts[_NODE] = construct.node
    return node


def path_of(construct: Any) -> str:
    """``construct.node.path``, read once (or derived from the recorded scope's path)."""
    facts = _facts(construct)
    path = facts.get(_PATH)
    if path is None:
        scope = facts.get(_SCOPE)
        if scope is not None:
            path = child_path(scope, facts[_ID])
        else:  # an app is a root (it takes no scope): its path is empty
            path = "" if isinstance(construct, cdk.App) else node_of(construct).path
        facts[_PATH] = path
    return str(path)


def root_of(construct: Any) -> Any:
    """``construct.node.root`` (the app, or the outermost construct), read once (or the recorded scope's root)."""
    facts = _facts(construct)
    root = facts.get(_ROOT)
    if root is None:
        scope = facts.get(_SCOPE)
        if scope is not None:
            root = root_of(scope)
        else:  # an app is always the root of its tree (cdk.App takes no scope)
            root = construct if isinstance(construct, cdk.App) else node_of(construct).root
        facts[_ROOT] = root
    return root


def stack_of(construct: Any) -> cdk.Stack:
    """``cdk.Stack.of(construct)``, read once (or the recorded scope's, unless the construct is a stack itself)."""
    facts = _facts(construct)
    stack = facts.get(_STACK)
    if stack is None:
        scope = facts.get(_SCOPE)
        if scope is not None and not isinstance(construct, cdk.Stack):
            stack = scope if isinstance(scope, cdk.Stack) else stack_of(scope)
        else:
            stack = cdk.Stack.of(construct)
        facts[_STACK] = stack
    return stack


def region_of(construct: Any) -> str:
    """The region of ``construct``'s stack (a literal or the ``AWS::Region`` token), read once per stack."""
    stack = stack_of(construct)
    return str(remember(stack, "region", lambda: stack.region))


def account_of(construct: Any) -> str:
    """The account of ``construct``'s stack (a literal or the ``AWS::AccountId`` token), read once per stack."""
    stack = stack_of(construct)
    return str(remember(stack, "account", lambda: stack.account))


def partition_of(construct: Any) -> str:
    """The partition of ``construct``'s stack (a literal or the ``AWS::Partition`` token), read once per stack."""
    stack = stack_of(construct)
    return str(remember(stack, "partition", lambda: stack.partition))


def default_child_of(construct: Any) -> Any:
    """``construct.node.default_child``, read once (a construct's primary L1, such as an ``eks.Cluster``'s
    ``CfnCluster``, is made with it and not replaced)."""
    return remember(construct, "default_child", lambda: node_of(construct).default_child)


def stack_name_of(construct: Any) -> str:
    """The name of ``construct``'s stack, read once per stack (fixed when the stack is created)."""
    stack = stack_of(construct)
    return str(remember(stack, "stack_name", lambda: stack.stack_name))


def share_root(construct: Any, root: Any) -> None:
    """Record ``root`` as ``construct``'s root (for constructs found below a scope whose root is known)."""
    _facts(construct).setdefault(_ROOT, root)


def share_stack(construct: Any, stack: cdk.Stack) -> None:
    """Record ``stack`` as ``construct``'s stack (for constructs found below a scope, with no nested stack between)."""
    _facts(construct).setdefault(_STACK, stack)


def child_path(scope: Any, construct_id: str) -> str:
    """The path a child ``construct_id`` of ``scope`` has (or will have), without asking jsii."""
    parent = path_of(scope)
    return f"{parent}/{construct_id}" if parent else construct_id


def tags_of(construct: Any) -> cdk.Tags:
    """``cdk.Tags.of(construct)``, made once per construct: the handle only holds its scope (each ``add`` applies a
    new ``Tag`` aspect there), so one serves every tag added to the construct."""
    return remember(construct, "tags", lambda: cdk.Tags.of(construct))


def stage_of(construct: Any) -> cdk.Stage | None:
    """``cdk.Stage.of(construct)`` (the stage or app containing it), from the recorded scopes when every one up to
    the stage was recorded with :func:`created`, otherwise read once."""

    def read() -> cdk.Stage | None:
        scope = _facts(construct).get(_SCOPE)
        if scope is None:
            return cdk.Stage.of(construct)
        return scope if isinstance(scope, cdk.Stage) else stage_of(scope)

    return remember(construct, "stage", read)


def outdir_of(stage: cdk.Stage) -> str:
    """``stage.outdir``, read once per stage (fixed when the stage is created)."""
    return str(remember(stage, "outdir", lambda: stage.outdir))


def role_arn_of(role: Any) -> str:
    """``role.role_arn`` of an IAM role, read once per role (a role's ARN is fixed when it is made or imported)."""
    return str(remember(role, "role_arn", lambda: role.role_arn))


def role_name_of(role: Any) -> str:
    """``role.role_name`` of an IAM role, read once per role (fixed when it is made or imported)."""
    return str(remember(role, "role_name", lambda: role.role_name))
