"""Synthesize a CDK app the way its tests need it: the app's own ``cdk.json`` context, a fixed environment and a
fixed synth date, each distinct app once per test session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import json
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eks_platform._internal.versions import lifecycle_table
from eks_platform.testing.kubernetes import kubernetes_objects
from eks_platform.testing.templates import (
    FIXED_ACCOUNT,
    FIXED_REGION,
    FIXED_SYNTH_DATE,
    fixed_context,
    normalize_template,
)

if TYPE_CHECKING:
    import aws_cdk as cdk

#: What a test passes to the synth fixture: a function that adds the app's stacks to the ``cdk.App`` it is given.
AppBuilder = Callable[["cdk.App"], object]

#: What ``CDK_DEFAULT_ACCOUNT``/``CDK_DEFAULT_REGION`` (which app code reads to choose its stacks' environment) are
#: while the synth fixture builds an app, so a test run never depends on the shell or credentials it started with.
_PINNED_ENVIRON = {"CDK_DEFAULT_ACCOUNT": FIXED_ACCOUNT, "CDK_DEFAULT_REGION": FIXED_REGION}

#: Context ``cdk synth`` adds by default: each resource's construct path as ``Metadata.aws:cdk:path``, so snapshots
#: say which construct made each resource and the policy-pack helpers can match acknowledgments by path.
CLI_DEFAULT_CONTEXT: dict[str, Any] = {"aws:cdk:enable-path-metadata": True}


class SynthResult(Mapping[str, dict[str, Any]]):
    """The normalised templates of one synthesized app, by stack name (a read-only mapping).

    Attributes:
        app: the ``cdk.App`` that was synthesized (for ``Template.from_stack`` or ``Annotations`` assertions).
        raw: the templates exactly as synthesized (asset hashes not masked), by stack name.
        outdir: the cloud assembly directory.
    """

    def __init__(
        self, *, app: cdk.App, raw: Mapping[str, dict[str, Any]], templates: Mapping[str, dict[str, Any]], outdir: str
    ) -> None:
        self.app = app
        self.raw = dict(raw)
        self.outdir = outdir
        self._templates = dict(templates)

    def __getitem__(self, stack_name: str) -> dict[str, Any]:
        try:
            return self._templates[stack_name]
        except KeyError:
            raise KeyError(
                f"the app has no stack named {stack_name!r}; its stacks are {sorted(self._templates)}"
            ) from None

    @property
    def kubernetes_objects(self) -> dict[str, dict[str, Any]]:
        """Every Kubernetes object the app delivers, one entry each (see
        :func:`~eks_platform.testing.kubernetes.kubernetes_objects`): for ``eks_platform_k8s_snapshot``."""
        return kubernetes_objects(self._templates, self.outdir)

    @property
    def acknowledgments(self) -> tuple[Any, ...]:
        """The policy-pack acknowledgments made in the app (``eks_platform.checks.acknowledge``), for
        :func:`~eks_platform.testing.check_template`."""
        # lazy: checks.acknowledgments imports aws_cdk (jsii)
        from eks_platform.checks.acknowledgments import acknowledgments

        return acknowledgments(self.app)

    def __iter__(self) -> Iterator[str]:
        return iter(self._templates)

    def __len__(self) -> int:
        return len(self._templates)

    def __repr__(self) -> str:
        return f"SynthResult(stacks={sorted(self._templates)}, outdir={self.outdir!r})"


def cdk_json_context(directory: str | Path) -> dict[str, Any]:
    """The context ``cdk synth`` would use in ``directory``: ``cdk.json``'s ``context`` merged with the lookups cached
    in ``cdk.context.json`` (the CLI reads both). Missing files count as empty."""
    context: dict[str, Any] = {}
    for name, key in (("cdk.context.json", None), ("cdk.json", "context")):
        path = Path(directory) / name
        if not path.is_file():
            continue
        loaded = json.loads(path.read_text(encoding="utf-8"))
        section = loaded.get(key, {}) if key else loaded
        if not isinstance(section, dict):
            raise ValueError(f"{path}: {key or 'the file'} must be a JSON object")
        context.update(section)
    return context


def find_app_dir(build: AppBuilder, *, fallback: Path) -> Path:
    """The folder of the app ``build`` belongs to: the nearest folder at or above the file that defines ``build``
    holding a ``cdk.json`` (where ``cdk synth`` runs), else ``fallback``."""
    try:
        source = inspect.getsourcefile(build)
    except TypeError:
        source = None
    if source is not None:
        for folder in Path(source).resolve().parents:
            if (folder / "cdk.json").is_file():
                return folder
    return fallback


class SynthDateWarning(UserWarning):
    """The fixed synth date of the tests gives another support policy than today: ``cdk synth`` differs from them."""


def support_drift(
    templates: Mapping[str, Mapping[str, Any]], *, frozen: dt.date, today: dt.date
) -> list[str]:
    """For each EKS cluster in ``templates``, a sentence when its Kubernetes version is in another support phase
    (standard, extended, ended) on ``frozen`` than on ``today``: the tests then pass while ``cdk synth`` today would
    choose another upgrade policy (or refuse a version past extended support)."""
    table = lifecycle_table()
    found: list[str] = []
    for stack_name, template in sorted(templates.items()):
        for logical_id, resource in sorted((template.get("Resources") or {}).items()):
            if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::EKS::Cluster":
                continue
            version = (resource.get("Properties") or {}).get("Version")
            row = table.get(version) if isinstance(version, str) else None
            if row is None:
                continue
            then, now = row.phase_on(frozen), row.phase_on(today)
            if then != now:
                found.append(
                    f"{stack_name}/{logical_id}: Kubernetes {version} is in {then} support on the tests' synth date "
                    f"{frozen.isoformat()} but in {now} support today ({today.isoformat()}); `cdk synth` today "
                    + ("refuses the version" if now == "ended" else "chooses another upgrade policy")
                    + ". Upgrade the cluster, then move the synth date (context eks-platform:synthDate) forward"
                )
    return found


@contextlib.contextmanager
def fixed_environ() -> Iterator[None]:
    """Pin ``CDK_DEFAULT_ACCOUNT``/``CDK_DEFAULT_REGION`` to the fixed test environment while an app is built (app
    code reads them, as ``cdk synth`` sets them from the credentials); restore the previous values afterwards."""
    saved = {name: os.environ.get(name) for name in _PINNED_ENVIRON}
    os.environ.update(_PINNED_ENVIRON)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def synth_app(
    build: AppBuilder,
    *,
    outdir: str | Path,
    base_context: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
) -> SynthResult:
    """Build an app with ``build(app)`` and synthesize it once.

    Context, lowest precedence first: what ``cdk synth`` adds by default (path metadata), ``base_context`` (usually
    :func:`cdk_json_context`), the fixed synth date (``eks-platform:synthDate``), then ``context``.
    ``CDK_DEFAULT_ACCOUNT`` and ``CDK_DEFAULT_REGION`` are the fixed test account and region while ``build`` runs.
    """
    # lazy: importing eks_platform.testing must not start jsii
    import aws_cdk as cdk

    merged = {**CLI_DEFAULT_CONTEXT, **(base_context or {})}
    merged.update(fixed_context(context))
    with fixed_environ():
        app = cdk.App(context=merged, outdir=str(outdir))
        build(app)
        assembly = app.synth()
    raw = {stack.stack_name: stack.template for stack in assembly.stacks}
    frozen = merged.get("eks-platform:synthDate", FIXED_SYNTH_DATE)
    with contextlib.suppress(ValueError, TypeError):
        today = dt.datetime.now(dt.UTC).date()
        for sentence in support_drift(raw, frozen=dt.date.fromisoformat(str(frozen)), today=today):
            warnings.warn(SynthDateWarning(sentence), stacklevel=2)
    return SynthResult(
        app=app,
        raw=raw,
        templates={name: normalize_template(template) for name, template in raw.items()},
        outdir=str(outdir),
    )


class SynthCache:
    """Synthesizes each distinct (builder, context) pair once and hands out the same :class:`SynthResult` after.

    This is what the ``eks_platform_synth`` fixture returns; call it with the function that builds your app.
    """

    def __init__(
        self,
        *,
        outdir_factory: Callable[[str], Path],
        base_context: Mapping[str, Any] | None = None,
        app_dir: Callable[[AppBuilder], Path] | None = None,
    ) -> None:
        """Args:
            outdir_factory: a fresh cloud assembly directory per app.
            base_context: the context every app gets (a ``cdk.json``'s). Default: - read per app from the
                ``cdk.json`` of ``app_dir(build)``.
            app_dir: where an app's ``cdk.json`` is. Default: - the current directory.
        """
        self._outdir_factory = outdir_factory
        self._base_context = dict(base_context) if base_context is not None else None
        self._app_dir = app_dir or (lambda _build: Path.cwd())
        self._results: dict[tuple[AppBuilder, str], SynthResult] = {}

    def __call__(self, build: AppBuilder, *, context: Mapping[str, Any] | None = None) -> SynthResult:
        """The normalised templates of the app ``build`` makes, by stack name (synthesized on first use).

        Args:
            build: adds the app's stacks to the ``cdk.App`` it receives (its return value is ignored).
            context: extra context for this app, on top of ``cdk.json`` and the fixed synth date. Default: - none.
        """
        key = (build, json.dumps(dict(context or {}), sort_keys=True, default=str))
        if key not in self._results:
            name = getattr(build, "__name__", "app")
            base = self._base_context if self._base_context is not None else cdk_json_context(self._app_dir(build))
            self._results[key] = synth_app(build, outdir=self._outdir_factory(name), base_context=base, context=context)
        return self._results[key]
