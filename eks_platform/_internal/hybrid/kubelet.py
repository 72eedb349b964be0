"""Kubernetes quantities and the kubelet rules of the hybrid nodes ``NodeConfig`` (``spec.kubelet``).

Pure functions only (no constructs); validators return lists of problems and skip unresolved CDK tokens.

See: https://kubernetes.io/docs/tasks/administer-cluster/memory-manager/
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from eks_platform._internal import validation as v

# -- Kubernetes quantities and kubelet rules ------------------------------------------------------------------------
_QUANTITY = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?", re.ASCII)
#: An eviction threshold may be a percentage of the resource (0-100 %).
#: See: https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/#eviction-thresholds
_PERCENTAGE = re.compile(r"(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)%", re.ASCII)
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


def parse_quantity(value: object) -> Fraction | None:
    """A Kubernetes resource quantity (``1Gi``, ``1100Mi``, ``5e8``, ``0.5G``) as an exact number, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if not isinstance(value, str):
        return None
    match = _QUANTITY.fullmatch(value.strip()) if value == value.strip() else None
    if not match:
        return None
    number = Fraction(match.group(1))
    suffix, exponent = match.group(2), match.group(3)
    if suffix in _BINARY:
        return number * Fraction(1024) ** _BINARY[suffix]
    if exponent is not None:
        return number * Fraction(10) ** int(exponent)
    return number * Fraction(10) ** _DECIMAL[suffix or ""]


def _fmt_bytes(n: Fraction) -> str:
    for unit, power in (("Gi", 3), ("Mi", 2), ("Ki", 1)):
        if n % 1024**power == 0 and n != 0:
            return f"{int(n // 1024**power)}{unit}"
    return str(int(n)) if n.denominator == 1 else str(float(n))


#: nodeadm's default ``evictionHard["memory.available"]`` (``internal/kubelet/config.go``).
NODEADM_EVICTION_HARD_MEMORY = "100Mi"
MEMORY_MANAGER_POLICIES = ("None", "Static")


@dataclass(frozen=True, kw_only=True, slots=True)
class KubeletInputs:
    """Plain inputs of the kubelet rules (the public value object converts to this)."""

    memory_manager_policy: object = None
    reserved_memory: Mapping[Any, Any] | None = None
    kube_reserved_memory: object = None
    system_reserved_memory: object = None
    eviction_hard_memory: object = None
    single_process_oom_kill: object = None
    flags: Sequence[object] = ()
    extra_config: Mapping[str, Any] | None = None
    kubernetes_version: str | None = None


_TYPED_KUBELET_KEYS = (
    "memoryManagerPolicy", "reservedMemory", "kubeReserved", "systemReserved", "evictionHard", "singleProcessOOMKill"
)


def _minor(version: str | None) -> int | None:
    if version is None or v.is_unresolved(version):
        return None
    match = re.match(r"v?1\.(\d+)", version, re.ASCII)
    return int(match.group(1)) if match else None


def kubelet_problems(k: KubeletInputs, *, prefix: str = "kubelet") -> list[str]:
    """Kubernetes 1.32 kubelet rules for the settings this library renders, plus nodeadm's flag rule.

    - ``memoryManagerPolicy`` is ``None`` or ``Static``. With ``Static``, ``reservedMemory`` must be given, every
      amount must be > 0, and their sum must equal kube-reserved + system-reserved + eviction-hard memory (the
      kubelet refuses to start otherwise). nodeadm computes kube-reserved memory from the machine's RAM, so with
      ``Static`` the kube-reserved memory must be set explicitly to make the sum checkable and true on every node.
    - ``singleProcessOOMKill`` is a boolean and exists from Kubernetes 1.32 (on cgroup v1 the kubelet forces it on,
      so ``False`` there fails at kubelet start: we cannot see the node's cgroup version at synth).
    - nodeadm rejects ``--hostname-override`` for hybrid nodes (it sets the node name itself).
    """
    problems: list[str] = []
    policy = k.memory_manager_policy
    if policy is not None and policy not in MEMORY_MANAGER_POLICIES:
        problems.append(
            f"{prefix}.memory_manager_policy {policy!r} is not a kubelet memory manager policy; allowed: "
            "'None' (default) or 'Static' (case-sensitive)"
        )
    reserved: dict[int, Fraction] = {}
    if k.reserved_memory is not None:
        if not isinstance(k.reserved_memory, Mapping) or not k.reserved_memory:
            problems.append(
                f"{prefix}.reserved_memory must map NUMA node numbers to memory amounts, e.g. {{0: '1124Mi'}}, "
                f"got {k.reserved_memory!r}"
            )
        else:
            for numa, amount in k.reserved_memory.items():
                if isinstance(numa, bool) or not isinstance(numa, int) or numa < 0:
                    problems.append(f"{prefix}.reserved_memory has NUMA node {numa!r}; use whole numbers from 0")
                    continue
                qty = parse_quantity(amount)
                if qty is None or qty <= 0:
                    problems.append(
                        f"{prefix}.reserved_memory[{numa}] {amount!r} is not a positive memory quantity such as "
                        "'1Gi' or '1124Mi'"
                    )
                    continue
                reserved[numa] = qty
    amounts: dict[str, Fraction | None] = {}
    for name, raw, default in (
        ("kube_reserved_memory", k.kube_reserved_memory, None),
        ("system_reserved_memory", k.system_reserved_memory, "0"),
        ("eviction_hard_memory", k.eviction_hard_memory, NODEADM_EVICTION_HARD_MEMORY),
    ):
        if raw is None:
            amounts[name] = parse_quantity(default) if default is not None else None
            continue
        if name == "eviction_hard_memory" and isinstance(raw, str) and _PERCENTAGE.fullmatch(raw):
            # the kubelet takes a share of the node's memory; the Static policy's sum needs an amount
            if policy == "Static":
                problems.append(
                    f"{prefix}.eviction_hard_memory {raw!r} is a percentage, but the Static memory manager's "
                    "reserved_memory sum needs an amount; give it as a quantity such as '100Mi'"
                )
            amounts[name] = None
            continue
        qty = parse_quantity(raw)
        if qty is None or qty < 0:
            hint = " or a percentage such as '5%'" if name == "eviction_hard_memory" else ""
            problems.append(f"{prefix}.{name} {raw!r} is not a memory quantity such as '512Mi' or '1Gi'{hint}")
        amounts[name] = qty
    if policy == "Static":
        if k.reserved_memory is None:
            problems.append(
                f"{prefix}.memory_manager_policy 'Static' needs reserved_memory (memory set aside per NUMA node, "
                "e.g. {0: '1124Mi'}); the kubelet refuses to start with the Static policy and no reserved memory"
            )
        if k.kube_reserved_memory is None:
            problems.append(
                f"{prefix}.memory_manager_policy 'Static' needs kube_reserved_memory set explicitly: nodeadm "
                "otherwise derives it from each machine's RAM, so the reserved_memory sum could not match on "
                "every node"
            )
        elif reserved and all(a is not None for a in amounts.values()):
            total = sum(reserved.values(), Fraction(0))
            kube, system, evict = (amounts["kube_reserved_memory"], amounts["system_reserved_memory"],
                                   amounts["eviction_hard_memory"])
            assert kube is not None and system is not None and evict is not None
            expected = kube + system + evict
            if total != expected:
                problems.append(
                    f"{prefix}.reserved_memory adds up to {_fmt_bytes(total)} but must equal kube-reserved "
                    f"({_fmt_bytes(kube)}) + system-reserved ({_fmt_bytes(system)}) + eviction-hard "
                    f"({_fmt_bytes(evict)}) = {_fmt_bytes(expected)} for the Static memory manager; adjust the "
                    "amounts so they match"
                )
    oom = k.single_process_oom_kill
    if oom is not None and not isinstance(oom, bool):
        problems.append(f"{prefix}.single_process_oom_kill must be true or false, got {oom!r}")
    problems += kubelet_version_problems(k, prefix=prefix)
    for i, flag in enumerate(k.flags):
        if not isinstance(flag, str) or not flag.startswith("--"):
            problems.append(f"{prefix}.flags[{i}] {flag!r} is not a kubelet flag; write --name=value")
        elif flag.split("=", 1)[0] == "--hostname-override":
            problems.append(
                f"{prefix}.flags[{i}] {flag!r}: nodeadm rejects --hostname-override for hybrid nodes (it names the "
                "node from the SSM managed instance ID or the IAM Roles Anywhere node_name); remove it"
            )
    if k.extra_config is not None:
        if not isinstance(k.extra_config, Mapping):
            problems.append(f"{prefix}.extra_config must be a KubeletConfiguration mapping, got {k.extra_config!r}")
        else:
            for key in k.extra_config:
                if key in _TYPED_KUBELET_KEYS:
                    problems.append(
                        f"{prefix}.extra_config sets {key!r}, which has its own validated setting; use that instead"
                    )
    return problems


def kubelet_version_problems(k: KubeletInputs, *, prefix: str = "kubelet") -> list[str]:
    """The rules that depend on the cluster's Kubernetes version (skipped when it is unknown)."""
    minor = _minor(k.kubernetes_version)
    if k.single_process_oom_kill is not None and minor is not None and minor < 32:
        return [
            f"{prefix}.single_process_oom_kill needs Kubernetes 1.32 or later (the kubelet field is new in 1.32); "
            f"the cluster runs {k.kubernetes_version}"
        ]
    return []


def kubelet_config(k: KubeletInputs) -> dict[str, Any]:
    """The ``spec.kubelet.config`` map (merged by nodeadm over its defaults) for valid inputs."""
    out: dict[str, Any] = dict(k.extra_config or {})
    if k.memory_manager_policy is not None:
        out["memoryManagerPolicy"] = k.memory_manager_policy
    if k.reserved_memory:
        out["reservedMemory"] = [
            {"numaNode": numa, "limits": {"memory": amount}} for numa, amount in sorted(k.reserved_memory.items())
        ]
    if k.kube_reserved_memory is not None:
        out["kubeReserved"] = {"memory": k.kube_reserved_memory}
    if k.system_reserved_memory is not None:
        out["systemReserved"] = {"memory": k.system_reserved_memory}
    if k.eviction_hard_memory is not None:
        out["evictionHard"] = {"memory.available": k.eviction_hard_memory}
    if k.single_process_oom_kill is not None:
        out["singleProcessOOMKill"] = k.single_process_oom_kill
    return out

