"""The floors a wheel declares, as pip/uv constraints, and a check that an environment got exactly those.

    python scripts/floor_constraints.py dist/cdk_eks_platform-X-py3-none-any.whl --extra testing > floors.txt
    uv pip install --constraint floors.txt "dist/...whl[testing]"
    python scripts/floor_constraints.py dist/...whl --extra testing --check .venv-lowest/bin/python

Every requirement of the wheel (the runtime ones, plus those of each ``--extra``) must have a floor (``>=``) and a
ceiling (``<``): a requirement without a floor cannot be tested at its lowest version, and one without a ceiling lets
a team app pick up the next major, which may break it. Exit status 1 names the requirement that lacks one, or the
installed version that is not the floor.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def wheel_requirements(wheel: Path, extras: list[str]) -> list[Requirement]:
    """The wheel's ``Requires-Dist`` entries that apply without an extra or with one of ``extras``."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(name).decode())
    project = canonicalize_name(metadata["Name"])
    selected = []
    for line in metadata.get_all("Requires-Dist") or []:
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) == project:
            continue  # an extra that includes another extra of this package
        if requirement.marker is None or any(requirement.marker.evaluate({"extra": e}) for e in ["", *extras]):
            selected.append(requirement)
    return selected


def floors(requirements: list[Requirement]) -> tuple[dict[str, str], list[str]]:
    """``{name: floor}`` and the problems (a requirement without a ``>=`` floor or a ``<`` ceiling)."""
    found: dict[str, str] = {}
    problems = []
    for requirement in requirements:
        lower = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        upper = [spec.version for spec in requirement.specifier if spec.operator == "<"]
        if len(lower) != 1 or not upper:
            problems.append(f"{requirement}: needs one floor '>=X' and a ceiling '<Y' (the next major)")
            continue
        found[canonicalize_name(requirement.name)] = lower[0]
    return found, problems


def installed_versions(python: str, names: list[str]) -> dict[str, str | None]:
    """The versions of ``names`` installed for the interpreter ``python`` (None: not installed)."""
    script = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: out[n] = None\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run([python, "-c", script, *names], capture_output=True, text=True, check=True)
    versions: dict[str, str | None] = json.loads(result.stdout)
    return versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path)
    parser.add_argument("--extra", action="append", default=[], help="also the requirements of this extra")
    parser.add_argument("--check", metavar="PYTHON", help="check that PYTHON's environment has exactly the floors")
    args = parser.parse_args(argv)

    found, problems = floors(wheel_requirements(args.wheel, args.extra))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if args.check is None:
        print("\n".join(f"{name}=={version}" for name, version in sorted(found.items())))
        return 0
    installed = installed_versions(args.check, sorted(found))
    wrong = [f"{name}: floor {found[name]}, installed {version}" for name, version in installed.items()
             if version != found[name]]
    if wrong:
        print("not at the declared floor:\n  " + "\n  ".join(wrong), file=sys.stderr)
        return 1
    print(f"{len(found)} dependencies at their floors: " + ", ".join(f"{n} {v}" for n, v in sorted(found.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
