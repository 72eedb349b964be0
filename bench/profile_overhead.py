"""Where the reference app's synth time goes: cProfile of one warm build + synth, grouped by eks_platform module.

Cumulative time per eks_platform function is inclusive (a constructor includes the aws-cdk-lib calls it makes), so the
table ranks the library's own entry points by what they cost, not what their own Python lines cost.

Usage: python bench/profile_overhead.py [--top 15]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from typing import Any

from _common import REPO_ROOT, write_result
from synth_overhead import plain_run, reference_run


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    reference_run()
    plain_run()
    profiler = cProfile.Profile()
    profiler.enable()
    reference_run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (filename, line, function), (_, calls, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "/eks_platform/" not in filename or function.startswith("<"):
            continue
        module = filename.split(str(REPO_ROOT) + "/", 1)[-1]
        rows.append({"function": f"{module}:{line} {function}", "calls": calls, "cumulative_s": cumulative})
    rows.sort(key=lambda row: -row["cumulative_s"])
    result = {"profiled_total_s": total, "top": rows[: args.top]}
    write_result("profile", result)
    for row in result["top"]:
        print(f"{row['cumulative_s']:7.3f} s {row['calls']:6d}  {row['function']}")
    return result


if __name__ == "__main__":
    main()
