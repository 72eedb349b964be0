"""Exact jsii round-trip counts and CPU (Python + the jsii node processes) of a block of code, in this process.

Every call from Python into aws-cdk-lib, cdk8s or constructs crosses to a ``node`` child process: the jsii Python
runtime writes one JSON request line to the kernel's stdin and blocks on the answer (``jsii._kernel.providers.
process._NodeProcess.send``, https://github.com/aws/jsii/blob/main/packages/%40jsii/python-runtime/src/jsii/_kernel/
providers/process.py). ``Meter`` wraps that one method, so the counts are exact and free of noise:

* ``create`` (``new`` of a jsii class), ``get``/``set`` (instance properties), ``sget``/``sset`` (static),
  ``invoke``/``sinvoke`` (methods), ``complete`` (the answer to a callback), ``delete``, ``load``...;
* ``callbacks``: answers that are a callback into Python (an aspect's ``visit``, a ``Lazy`` producer, a validation)
  rather than a result; each one costs one more ``complete`` round trip.

With ``sites=True`` it also records, per request, the innermost frame in ``eks_platform`` (or the benchmark's own
``plain_app``) and the jsii member asked for, to show where the traffic comes from. That walk costs Python time:
keep it off in timed runs.

CPU: this process's user+system time (``time.process_time``) plus the run time of every thread of the ``node``
processes below it, in nanoseconds from ``/proc/<pid>/task/<tid>/schedstat`` (Linux; falls back to the 10 ms ticks
of ``/proc/<pid>/stat``). The jsii kernel does the work while Python waits, so wall time hides half of it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = {
    "CreateRequest": "create",
    "GetRequest": "get",
    "SetRequest": "set",
    "StaticGetRequest": "sget",
    "StaticSetRequest": "sset",
    "InvokeRequest": "invoke",
    "StaticInvokeRequest": "sinvoke",
    "_CompleteRequest": "complete",
    "CompleteRequest": "complete",
    "DeleteRequest": "delete",
    "LoadRequest": "load",
    "BeginRequest": "begin",
    "StaticBeginRequest": "sbegin",
    "EndRequest": "end",
    "CallbacksRequest": "callbacks-poll",
    "StatsRequest": "stats",
}
_TICK_NS = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
_SITE_MARKERS = ("/eks_platform/", "/bench/plain_app.py")
_SKIPPED = "/eks_platform/_internal/tree.py"


# -- CPU of the node processes -----------------------------------------------------------------------------------------


def _children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def node_descendants(root: int | None = None) -> list[int]:
    """PIDs of the ``node`` processes below ``root`` (default: this process): jsii's runtime and its kernel."""
    tree, found, todo = _children_of(), [], [root or os.getpid()]
    while todo:
        for child in tree.get(todo.pop(), []):
            todo.append(child)
            with contextlib.suppress(OSError):
                if Path(f"/proc/{child}/comm").read_text().strip().startswith("node"):
                    found.append(child)
    return found


def process_cpu_ns(pid: int) -> int:
    """CPU time of every live thread of ``pid`` (schedstat, ns), or utime+stime from /proc/pid/stat (ticks)."""
    total, seen = 0, False
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                total += int((task / "schedstat").read_text().split()[0])
                seen = True
    if seen:
        return total
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * _TICK_NS
    return 0


@dataclass
class CpuClock:
    """Python CPU (``time.process_time_ns``) and node CPU, sampled together."""

    nodes: list[int] = field(default_factory=list)

    def sample(self) -> tuple[int, int, int]:
        """(wall ns, Python CPU ns, node CPU ns)."""
        if not self.nodes:
            self.nodes = node_descendants()
        return time.perf_counter_ns(), time.process_time_ns(), sum(process_cpu_ns(p) for p in self.nodes)


# -- round trips -------------------------------------------------------------------------------------------------------


def _member(request: Any) -> str:
    """The jsii member a request asks for: ``fqn`` of a create, property of a get/set, method of an invoke."""
    inner = getattr(request, "complete", None) if type(request).__name__ == "_CompleteRequest" else request
    for attr in ("fqn", "property", "method"):
        value = getattr(inner, attr, None)
        if value:
            return str(value)
    return type(inner).__name__


def _site() -> str:
    frame = sys._getframe(3)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.endswith(_SKIPPED):  # the tree-facts cache: charge its reads to the caller
            frame = frame.f_back  # type: ignore[assignment]
            continue
        for marker in _SITE_MARKERS:
            if marker in name:
                short = name[name.index(marker) + 1:]
                return f"{short}:{frame.f_lineno} {frame.f_code.co_name}"
        frame = frame.f_back  # type: ignore[assignment]
    return "(outside the library)"


@dataclass
class Counts:
    """Round trips of one measured block."""

    kinds: Counter[str] = field(default_factory=Counter)
    members: Counter[tuple[str, str]] = field(default_factory=Counter)
    sites: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    callbacks: int = 0

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def as_dict(self, top: int = 0) -> dict[str, Any]:
        data: dict[str, Any] = {"total": self.total, "callbacks": self.callbacks,
                                "kinds": dict(self.kinds.most_common())}
        if top:
            data["members"] = [[k, m, n] for (k, m), n in self.members.most_common(top)]
            data["sites"] = [[s, k, m, n] for (s, k, m), n in self.sites.most_common(top)]
        return data


class Meter:
    """Counts jsii round trips while active (``with Meter() as m: ...``); ``m.counts`` holds the result."""

    _active: Meter | None = None

    def __init__(self, *, sites: bool = False) -> None:
        self.sites = sites
        self.counts = Counts()
        self._original: Callable[..., Any] | None = None

    def __enter__(self) -> Meter:
        from jsii._kernel.providers import process  # lazy: importing jsii starts nothing, but keep bench imports cheap

        if Meter._active is not None:
            raise RuntimeError("one Meter at a time")
        Meter._active = self
        node_process = process._NodeProcess
        original = node_process.send
        self._original = original
        counts, with_sites = self.counts, self.sites
        callback_type = process.Callback

        def send(self_: Any, request: Any, response_type: Any) -> Any:
            kind = KINDS.get(type(request).__name__, type(request).__name__)
            counts.kinds[kind] += 1
            member = _member(request)
            counts.members[(kind, member)] += 1
            if with_sites:
                counts.sites[(_site(), kind, member)] += 1
            response = original(self_, request, response_type)
            if isinstance(response, callback_type):
                counts.callbacks += 1
                counts.members[("callback", str(getattr(response, "cookie", "")))] += 1
            return response

        node_process.send = send  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        from jsii._kernel.providers import process

        process._NodeProcess.send = self._original  # type: ignore[method-assign]
        Meter._active = None


@dataclass
class Measured:
    """One measured run: round trips, wall and CPU seconds."""

    counts: Counts
    wall_s: float
    python_cpu_s: float
    node_cpu_s: float
    result: Any = None

    @property
    def cpu_s(self) -> float:
        return self.python_cpu_s + self.node_cpu_s

    def as_dict(self, top: int = 0) -> dict[str, Any]:
        return {"round_trips": self.counts.as_dict(top), "wall_s": self.wall_s, "cpu_s": self.cpu_s,
                "python_cpu_s": self.python_cpu_s, "node_cpu_s": self.node_cpu_s}


_CLOCK = CpuClock()


def measure(fn: Callable[[], Any], *, sites: bool = False) -> Measured:
    """Run ``fn`` once under a ``Meter``: exact round trips, wall time and CPU of Python and of jsii's node."""
    meter = Meter(sites=sites)
    wall0, py0, node0 = _CLOCK.sample()
    with meter:
        result = fn()
    wall1, py1, node1 = _CLOCK.sample()
    return Measured(meter.counts, (wall1 - wall0) / 1e9, (py1 - py0) / 1e9, (node1 - node0) / 1e9, result)


@contextlib.contextmanager
def counting(sites: bool = False) -> Iterator[Counts]:
    """``with counting() as counts: ...`` - round trips only."""
    meter = Meter(sites=sites)
    with meter:
        yield meter.counts
