"""Check that requirements.lock still fits pyproject.toml: every declared requirement is locked inside its range.

    python scripts/check_lock.py requirements.lock

The runtime dependencies and the `testing` and `dev` extras are checked (what `make setup` installs). A requirement
that is missing from the lock or locked outside its range means pyproject.toml changed without `make lock`; exit
status 1 names it and the fix.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCKED_EXTRAS = ("testing", "dev")
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)")


def locked_versions(lock_text: str) -> dict[str, str]:
    """``{canonical name: version}`` of every ``name==version`` line of a requirements lock."""
    pins = {}
    for line in lock_text.splitlines():
        match = _PIN.match(line)
        if match:
            pins[canonicalize_name(match["name"])] = match["version"]
    return pins


def declared_requirements(pyproject: dict[str, object]) -> list[Requirement]:
    project = pyproject["project"]
    assert isinstance(project, dict)
    lines = list(project["dependencies"])
    for extra in LOCKED_EXTRAS:
        lines.extend(project["optional-dependencies"][extra])
    own_name = canonicalize_name(project["name"])
    return [r for r in map(Requirement, lines) if canonicalize_name(r.name) != own_name]


def lock_problems(pyproject: dict[str, object], lock_text: str) -> list[str]:
    pins = locked_versions(lock_text)
    problems = []
    for requirement in declared_requirements(pyproject):
        version = pins.get(canonicalize_name(requirement.name))
        if version is None:
            problems.append(f"{requirement.name} is declared in pyproject.toml but not locked")
        elif not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name}=={version} is locked, outside the declared '{requirement.specifier}'")
    return problems


def main(argv: list[str]) -> int:
    lock = Path(argv[1]) if len(argv) > 1 else REPO_ROOT / "requirements.lock"
    pyproject = tomllib.loads((lock.parent / "pyproject.toml").read_text())
    problems = lock_problems(pyproject, lock.read_text())
    if problems:
        print(f"{lock.name} does not match pyproject.toml (run `make lock` and commit the result):", file=sys.stderr)
        print("  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
