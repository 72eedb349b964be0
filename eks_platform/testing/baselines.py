"""The replacement guard for tests: would deploying this template replace or delete what is deployed now?

A *baseline* is the normalised template of a stack as it is deployed, committed next to the tests
(``tests/baselines/<stack>.json`` by default). Snapshots show every change for review; the guard fails only on changes
that make CloudFormation replace or delete a resource relative to the baseline. Record new baselines after a deploy
with ``pytest --eks-platform-update-baselines``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eks_platform.testing.templates import normalize_template

if TYPE_CHECKING:
    from eks_platform.replacement import ReplacementReport

UPDATE_OPTION = "--eks-platform-update-baselines"


def assert_no_replacement(
    old: Mapping[str, Any], new: Mapping[str, Any], *, resource_types: Iterable[str] | None = None
) -> ReplacementReport:
    """Fail (``AssertionError`` with the guard's report) if going from template ``old`` to ``new`` would make
    CloudFormation replace or delete a resource (of ``resource_types``, default any type); return the report otherwise.

    This is :func:`eks_platform.replacement.assert_no_replacement`, which decides from the ``createOnlyProperties``
    of the CloudFormation resource schemas that cfn-lint ships (no AWS call).
    """
    # lazy: the replacement guard loads cfn-lint's resource schemas
    from eks_platform.replacement import assert_no_replacement as guard

    try:
        return guard(old, new, resource_types=resource_types)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{added_and_removed(old, new)}") from None


def added_and_removed(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """The logical IDs (and types) going from ``old`` to ``new`` adds and removes, one per line, for a reviewer."""
    old_resources: Mapping[str, Any] = old.get("Resources") or {}
    new_resources: Mapping[str, Any] = new.get("Resources") or {}
    lines = []
    for label, ids, source in (
        ("Added", sorted(set(new_resources) - set(old_resources)), new_resources),
        ("Removed", sorted(set(old_resources) - set(new_resources)), old_resources),
    ):
        lines.append(f"{label} ({len(ids)}):" + ("" if ids else " none"))
        lines += [f"  {logical_id} ({source[logical_id].get('Type', '?')})" for logical_id in ids]
    return "\n".join(lines)


class Baselines:
    """The committed baselines of a test suite (what the ``eks_platform_baseline`` fixture returns).

    Args:
        directory: where ``<stack>.json`` files live.
        update: write the current template instead of comparing (``--eks-platform-update-baselines``).
    """

    def __init__(self, directory: str | Path, *, update: bool = False) -> None:
        self.directory = Path(directory)
        self.update = update

    def path(self, stack_name: str) -> Path:
        return self.directory / f"{stack_name}.json"

    def load(self, stack_name: str) -> dict[str, Any] | None:
        """The baseline of ``stack_name``, or ``None`` if none is committed."""
        path = self.path(stack_name)
        if not path.is_file():
            return None
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    def save(self, stack_name: str, template: Mapping[str, Any]) -> Path:
        """Write ``template`` (normalised, two-space indented, trailing newline) as the baseline of ``stack_name``."""
        path = self.path(stack_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(normalize_template(template), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    def review(self, stack_name: str, template: Mapping[str, Any]) -> str:
        """What deploying ``template`` over the baseline of ``stack_name`` does, as text for a pull request: the
        replacement guard's report (replaced, deleted, possibly replaced) and the resources added and removed."""
        # lazy: the guard loads cfn-lint's schemas only when used
        from eks_platform.replacement import compare_templates, format_report

        baseline = self.load(stack_name)
        if baseline is None:
            return f"{stack_name}: no baseline at {self.path(stack_name)}"
        current = normalize_template(template)
        report = compare_templates(baseline, current)
        return f"{format_report(report, title=stack_name)}\n{added_and_removed(baseline, current)}"

    def assert_no_replacement(
        self, stack_name: str, template: Mapping[str, Any], *, resource_types: Iterable[str] | None = None
    ) -> ReplacementReport | None:
        """Fail if deploying ``template`` over the committed baseline of ``stack_name`` would replace or delete a
        resource (of ``resource_types``, default any type).

        With ``--eks-platform-update-baselines`` the template becomes the new baseline instead (returns ``None``).
        A stack without a baseline fails with the command that records one.
        """
        if self.update:
            self.save(stack_name, template)
            return None
        baseline = self.load(stack_name)
        if baseline is None:
            raise AssertionError(
                f"no baseline for stack {stack_name!r} at {self.path(stack_name)}: record what is deployed with "
                f"`pytest {UPDATE_OPTION}` and commit the file"
            )
        return assert_no_replacement(baseline, normalize_template(template), resource_types=resource_types)
