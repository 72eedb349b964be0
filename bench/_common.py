"""Shared helpers of the benchmark scripts: app builders, clocks, memory of this process and of the jsii node child."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
# aws-cdk-lib's built-in template validation (a WebAssembly CloudFormation validator run inside every synth) costs the
# reference and the plain app the same and is not the library's: off unless a benchmark asks for it. It must be set
# before jsii starts its node process, which reads it (aws-cdk-lib core/lib/private/synthesis-validation.js).
os.environ.setdefault("CDK_VALIDATION", "false")
REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / ".bench-tmp"
FIXED_SYNTH_DATE = "2026-11-27"
for path in (str(REPO_ROOT), str(REPO_ROOT / "bench")):
    if path not in sys.path:
        sys.path.insert(0, path)


def cdk_json_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    context["eks-platform:synthDate"] = FIXED_SYNTH_DATE
    return context


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def spread(values: Iterable[float]) -> dict[str, float]:
    """min / median / max of a series of runs."""
    data = sorted(values)
    return {"min": data[0], "median": statistics.median(data), "max": data[-1]}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def histogram(templates: dict[str, dict[str, Any]]) -> dict[str, Counter[str]]:
    return {name: Counter(r["Type"] for r in t.get("Resources", {}).values()) for name, t in templates.items()}


# -- memory -----------------------------------------------------------------------------------------------------------


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def _kib(value: str | None) -> int:
    return int(value.split()[0]) if value else 0


def node_children() -> list[int]:
    """PIDs of the ``node`` processes below this process (jsii's runtime wrapper and the kernel it spawns)."""
    parents: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        status = _status(int(entry.name))
        if not status:
            continue
        pid = int(entry.name)
        names[pid] = status.get("Name", "").strip()
        parents.setdefault(int(status.get("PPid", "0").strip() or 0), []).append(pid)
    found, todo = [], [os.getpid()]
    while todo:
        for child in parents.get(todo.pop(), []):
            todo.append(child)
            if names.get(child, "").startswith("node"):
                found.append(child)
    return found


def memory_mib() -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of this process and of its node children, in MiB."""
    me = _status(os.getpid())
    nodes = [_status(pid) for pid in node_children()]
    return {
        "python_peak_rss_mib": _kib(me.get("VmHWM")) / 1024,
        "python_rss_mib": _kib(me.get("VmRSS")) / 1024,
        "node_peak_rss_mib": sum(_kib(s.get("VmHWM")) for s in nodes) / 1024,
        "node_rss_mib": sum(_kib(s.get("VmRSS")) for s in nodes) / 1024,
    }


def reset_peaks() -> None:
    """Reset VmHWM of this process and its node children (Linux ``clear_refs`` 5); silently skipped if refused."""
    for pid in [os.getpid(), *node_children()]:
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")


# -- machine and versions ---------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = _kib(dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines()).get("MemTotal"))
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def versions() -> dict[str, str]:
    from importlib.metadata import version

    found = {"python": platform.python_version()}
    for package in ("aws-cdk-lib", "constructs", "cdk8s", "jsii", "cdk-nag", "cfn-lint", "hypothesis", "pytest"):
        try:
            found[package] = version(package)
        except Exception:
            found[package] = "not installed"
    try:
        node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
        found["node"] = node.stdout.strip()
    except OSError:
        found["node"] = "unknown"
    return found


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def read_result(name: str) -> dict[str, Any] | None:
    path = RESULTS_DIR / f"{name}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", text.title())
