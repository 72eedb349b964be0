"""Rules for EKS Auto Mode node classes and node pools: pure functions returning problems, and the tables they use.

The constructs in ``eks_platform.constructs.node_pools`` and the ``nodePools`` cdk.json parser call the same functions,
so each rule has one wording; the parser passes its cdk.json path as ``setting``.

See: https://docs.aws.amazon.com/eks/latest/userguide/create-node-pool.html
See: https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from eks_platform._internal import validation as v

#: Auto Mode's built-in node pools (``computeConfig.nodePools`` of the cluster).
#: See: https://docs.aws.amazon.com/eks/latest/userguide/set-builtin-node-pools.html
BUILT_IN_NODE_POOLS: tuple[str, ...] = ("system", "general-purpose")
#: The built-in NodeClass of Auto Mode (present while the built-in node pools are enabled).
BUILT_IN_NODE_CLASS = "default"

# EKS Auto Mode supported instance reference (automode-learn-instances.adoc): the category is the part of the
# instance family before the generation number.
INSTANCE_CATEGORIES: tuple[str, ...] = (
    "c",
    "m",
    "r",
    "t",
    "x",
    "z",
    "i",
    "d",
    "im",
    "is",
    "p",
    "g",
    "gr",
    "inf",
    "trn",
    "hpc",
)
_RESTRICTED_LABEL_DOMAINS = ("kubernetes.io", "k8s.io", "karpenter.sh")
_LABEL_DOMAIN_EXCEPTIONS = (
    "kops.k8s.io",
    "node.kubernetes.io",
    "node-restriction.kubernetes.io",
    "node-role.kubernetes.io",
)
_RESTRICTED_LABELS = ("kubernetes.io/hostname", "karpenter.sh/nodepool")
_IAM_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)

def built_in_node_pool_problems(setting: str, names: Sequence[object]) -> list[str]:
    """``names`` is a subset of Auto Mode's built-in node pools, each listed once."""
    problems: list[str] = []
    seen: list[object] = []
    for i, name in enumerate(names):
        if name not in BUILT_IN_NODE_POOLS:
            problems.append(
                f"{setting}[{i}] {name!r} is not an Auto Mode built-in node pool; allowed: "
                f"{', '.join(BUILT_IN_NODE_POOLS)} (define other pools as custom NodePools)"
            )
        elif name in seen:
            problems.append(f"{setting} lists {name!r} twice; list each pool once")
        else:
            seen.append(name)
    return problems


def role_name_problems(setting: str, value: object, *, allow_unresolved: bool = False) -> list[str]:
    """An IAM role name (not an ARN), as a NodeClass's ``role`` carries it."""
    if isinstance(value, str) and ((allow_unresolved and v.is_unresolved(value)) or _IAM_ROLE_NAME.fullmatch(value)):
        return []
    return [f"{setting} {value!r} is not an IAM role name (1-64 of letters, digits, +=,.@_-)"]


def node_class_reference_problems(setting: str, node_class: object, defined: Iterable[str]) -> list[str]:
    """A NodePool's ``nodeClassRef`` names a NodeClass defined alongside it, or Auto Mode's built-in one."""
    known = list(defined)
    if node_class == BUILT_IN_NODE_CLASS or node_class in known:
        return []
    listed = ", ".join(repr(n) for n in known) or "none"
    return [
        f"{setting} {node_class!r} does not exist (node classes defined: {listed}); define the node class before "
        f"the pool or use {BUILT_IN_NODE_CLASS!r} (Auto Mode's built-in class)"
    ]


def label_key_problems(setting: str, key: object) -> list[str]:
    """A NodePool label key: a qualified name outside the domains Kubernetes, Karpenter and Auto Mode reserve."""
    problems = v.k8s_qualified_name(setting, key)
    if problems or not isinstance(key, str):
        return problems
    domain = key.rpartition("/")[0]
    if key in _RESTRICTED_LABELS:
        return [f"{setting} {key!r} is set by Auto Mode itself and cannot be a NodePool label; pick another key"]
    restricted = any(domain == d or domain.endswith("." + d) for d in _RESTRICTED_LABEL_DOMAINS)
    excepted = any(domain == d or domain.endswith("." + d) for d in _LABEL_DOMAIN_EXCEPTIONS)
    if restricted and not excepted:
        return [
            f"{setting} {key!r} is in a domain reserved for Kubernetes and Karpenter (kubernetes.io, k8s.io, "
            "karpenter.sh); use your own prefix such as example.com/team, or node-role.kubernetes.io/<role>"
        ]
    return []


def custom_pool_name_problems(setting: str, name: object) -> list[str]:
    """A custom NodePool may not take the name of a built-in one (EKS manages those and would fight the copy).

    See: https://docs.aws.amazon.com/eks/latest/userguide/set-builtin-node-pools.html
    """
    if isinstance(name, str) and name in BUILT_IN_NODE_POOLS:
        return [
            f"{setting} {name!r} is the name of an Auto Mode built-in node pool, which EKS manages; give the custom "
            "pool another name (or enable the built-in pool instead)"
        ]
    return []


def default_node_class_problems(setting: str, node_class: object, built_in_pools: Sequence[object]) -> list[str]:
    """``nodeClass: default`` needs the built-in node pools: Auto Mode creates the ``default`` NodeClass with them.

    See: https://docs.aws.amazon.com/eks/latest/userguide/create-node-class.html
    """
    if node_class == BUILT_IN_NODE_CLASS and not built_in_pools:
        return [
            f"{setting} 'default' is Auto Mode's built-in NodeClass, which exists only while built-in node pools are "
            "enabled, and none are; define a node class under nodeClasses and name it here, or enable builtInNodePools"
        ]
    return []
