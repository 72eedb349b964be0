"""cdk.json: the ``platform.gitops`` section (where rendered manifests go, and the Argo CD Application that syncs
them), parsed into :class:`GitOpsSettings`.

Shape::

    "gitops": {
      "manifestsDirectory": "manifests",
      "application": {"repositoryUrl": "https://github.com/example/platform.git", "targetRevision": "main"}
    }

``application.path`` defaults to ``<manifestsDirectory>/<clusterName>`` (the folder the cluster writes to, relative
to the repository root), so it needs a relative ``manifestsDirectory``. The Application needs an ``ARGOCD`` entry in
``platform.capabilities``; the stack checks that across sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from eks_platform._internal import gitops as rules
from eks_platform._internal import validation as v

_KEYS = ("manifestsDirectory", "application")
_APPLICATION_KEYS = ("repositoryUrl", "path", "targetRevision", "project", "automated", "prune", "selfHeal")

#: The JSON Schema of the section (its keys; the rules are judged at synth).
GITOPS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Where the rendered manifests go, and the Argo CD Application that syncs them.",
    "properties": {
        "manifestsDirectory": {"type": "string"},
        "application": {
            "type": "object",
            "properties": {key: {} for key in _APPLICATION_KEYS},
            "required": ["repositoryUrl"],
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class ApplicationSettings:
    repository_url: str
    path: str | None = None
    target_revision: str = "HEAD"
    project: str = "default"
    automated: bool = True
    prune: bool = True
    self_heal: bool = True

    def options(self, *, manifests_directory: str | None, cluster_folder: str) -> dict[str, Any]:
        """Keyword arguments of ``ArgoCdBootstrap``; ``path`` defaults to ``<manifests_directory>/<cluster_folder>``
        (the delivery's ``relative_directory``: ``[<stage>/]<cluster>``)."""
        path = self.path or str(PurePosixPath(manifests_directory or "manifests") / cluster_folder)
        return {
            "repository_url": self.repository_url,
            "path": path,
            "target_revision": self.target_revision,
            "project": self.project,
            "automated": self.automated,
            "prune": self.prune,
            "self_heal": self.self_heal,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class GitOpsSettings:
    manifests_directory: str | None = None
    """Default: - ``cdk.out/manifests`` (not committed)."""
    application: ApplicationSettings | None = None


def parse_gitops_config(setting: str, raw: Any, problems: list[str]) -> GitOpsSettings | None:
    """Parse ``platform.gitops``; problems are appended, never raised."""
    if not isinstance(raw, dict):
        problems.append(f"{setting} must be an object, got {raw!r}")
        return None
    before = len(problems)
    problems += v.unknown_keys(setting, raw.keys(), list(_KEYS))
    directory = raw.get("manifestsDirectory")
    if directory is not None:
        problems += rules.output_directory_problems(f"{setting}.manifestsDirectory", directory)
    application: ApplicationSettings | None = None
    body = raw.get("application")
    if body is not None:
        where = f"{setting}.application"
        if not isinstance(body, dict):
            problems.append(f"{where} must be an object with at least repositoryUrl, got {body!r}")
        else:
            problems += v.unknown_keys(where, body.keys(), list(_APPLICATION_KEYS))
            problems += rules.repository_url_problems(f"{where}.repositoryUrl", body.get("repositoryUrl"))
            if "path" in body:
                problems += rules.repository_path_problems(f"{where}.path", body["path"])
            elif isinstance(directory, str) and PurePosixPath(directory).is_absolute():
                problems.append(
                    f"{where}.path is needed because {setting}.manifestsDirectory {directory!r} is absolute: give "
                    "the folder's path relative to the repository root"
                )
            elif isinstance(directory, str):
                problems += rules.repository_path_problems(f"{setting}.manifestsDirectory", directory)
            if "targetRevision" in body:
                problems += rules.revision_problems(f"{where}.targetRevision", body["targetRevision"])
            if "project" in body:
                problems += v.dns1123_subdomain(f"{where}.project", body["project"])
            for key in ("automated", "prune", "selfHeal"):
                if key in body:
                    problems += v.expect_type(f"{where}.{key}", body[key], bool, "true or false")
            if len(problems) == before:
                application = ApplicationSettings(
                    repository_url=body["repositoryUrl"],
                    path=body.get("path"),
                    target_revision=body.get("targetRevision", "HEAD"),
                    project=body.get("project", "default"),
                    automated=body.get("automated", True),
                    prune=body.get("prune", True),
                    self_heal=body.get("selfHeal", True),
                )
    if len(problems) > before:
        return None
    return GitOpsSettings(manifests_directory=directory, application=application)
