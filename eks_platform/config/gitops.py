"""cdk.json: the ``platform.gitops`` section (where rendered manifests go, and the Argo CD Application that syncs
them), validated into :class:`GitOpsSettings`.

Shape::

    "gitops": {
      "manifestsDirectory": "manifests",
      "application": {"repositoryUrl": "https://github.com/example/platform.git", "targetRevision": "main"}
    }

``application.path`` defaults to ``<manifestsDirectory>/<clusterName>`` (the folder the cluster writes to, relative
to the repository root), so it needs a relative ``manifestsDirectory``. The Application needs an ``ARGOCD`` entry in
``platform.capabilities``; the ``platform`` model checks that across sections. The rules are the ones the constructs
apply (``eks_platform._internal.gitops``).

See: https://argo-cd.readthedocs.io/en/stable/user-guide/application-specification/
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from eks_platform._internal import gitops as rules
from eks_platform._internal import validation as v
from eks_platform.config._base import HERE, ConfigModel, check, ruled, section_problems

__all__ = ["ApplicationSettings", "GitOpsSettings", "parse_gitops_config"]


class ApplicationSettings(ConfigModel):
    """``platform.gitops.application``: the Argo CD ``Application`` that syncs the cluster's folder."""

    repository_url: Annotated[str, ruled(rules.repository_url_problems)] = Field(
        description="Git repository (https://host/owner/repo(.git) or git@host:owner/repo)."
    )
    path: str | None = Field(
        default=None,
        description="Folder in the repository, relative to its root. Default: <manifestsDirectory>/<cluster folder>.",
    )
    target_revision: Annotated[str, ruled(rules.revision_problems)] = Field(
        default="HEAD", description="Branch, tag or commit to sync."
    )
    project: Annotated[str, ruled(v.dns1123_subdomain)] = Field(
        default="default", description="Argo CD project (DNS-1123 subdomain)."
    )
    automated: bool = Field(default=True, description="Sync automatically.")
    prune: bool = Field(default=True, description="Delete objects removed from the folder (automated sync).")
    self_heal: bool = Field(default=True, description="Revert changes made in the cluster (automated sync).")

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None:
            check(rules.repository_path_problems(HERE, value))
        return value

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


class GitOpsSettings(ConfigModel):
    """``platform.gitops``: the folder the YAML goes to and the Argo CD Application that syncs it."""

    manifests_directory: str | None = Field(
        default=None,
        description="Folder the rendered YAML goes to (one sub-folder per cluster and stage). Default: "
        "cdk.out/manifests (not committed).",
    )
    application: ApplicationSettings | None = Field(
        default=None, description="The Argo CD Application that syncs the folder (needs an ARGOCD capability)."
    )

    @field_validator("manifests_directory")
    @classmethod
    def _directory(cls, value: str | None) -> str | None:
        if value is not None:
            check(rules.output_directory_problems(HERE, value))
        return value

    @model_validator(mode="after")
    def _default_path(self) -> GitOpsSettings:
        """Without ``application.path`` the Application syncs ``<manifestsDirectory>/<cluster>``: a relative path."""
        directory = self.manifests_directory
        if self.application is None or self.application.path is not None or directory is None:
            return self
        if PurePosixPath(directory).is_absolute():
            check([
                f"{HERE}.application.path is needed because {HERE}.manifestsDirectory {directory!r} is absolute: give "
                "the folder's path relative to the repository root"
            ])
        check(rules.repository_path_problems(f"{HERE}.manifestsDirectory", directory))
        return self


def parse_gitops_config(setting: str, raw: Any, problems: list[str]) -> GitOpsSettings | None:
    """Validate ``platform.gitops`` on its own; problems (each naming ``<setting>.<key>``) are appended."""
    config, found = section_problems(GitOpsSettings, raw, root=setting)
    problems += found
    return config
