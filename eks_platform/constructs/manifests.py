"""Deliver cdk8s charts to an EKS cluster: applied through the kubectl provider and written as YAML at every synth.

One :class:`ManifestDelivery` per cluster. Each chart handed to :meth:`ManifestDelivery.add_chart` becomes

- in ``DeliveryMode.APPLY``: one ``Custom::AWSCDK-EKS-KubernetesResource`` per object (keyed by kind, namespace and
  name), served by the cluster's kubectl provider, chained in the chart's order. An object removed from the chart
  removes its custom resource, whose deletion runs ``kubectl delete`` on it: removal always deletes. (One custom
  resource per chart would rely on ``kubectl apply --prune``, whose default allowlist has none of StorageClass,
  VolumeAttributesClass, NodeClass, NodePool or ServiceAccount, so removed objects would stay.)
- in every mode: ``<manifests folder>/[<stage>/]<cluster>/<ChartId>.k8s.yaml`` plus a ``kustomization.yaml`` listing
  the files in delivery order, for review and for GitOps tools (Argo CD, Flux) that apply that directory. The
  manifests folder is ``<cdk outdir>/manifests`` unless you choose one (``output_directory``, for example a folder of
  your repository that Argo CD syncs); the stage level appears for clusters inside a nested ``cdk.Stage``, so two
  stages with the same cluster name write two folders.

``DeliveryMode.RENDER_ONLY`` creates no custom resource and needs no kubectl provider: no Lambda function at all.
Both modes write the same objects, from the same constructs.

Switching between them goes through ``DeliveryMode.HAND_OVER``, one deployment each way: it applies like APPLY but
retains every custom resource (``DeletionPolicy: Retain``), so the next deployment, RENDER_ONLY, removes them
without ``kubectl delete`` and leaves the objects on the cluster for a GitOps tool to adopt (and removes the kubectl
provider with its cluster-admin access entry). A direct switch between APPLY and RENDER_ONLY would delete every
object (NodePools drain their nodes), so an SSM parameter of the same name in both modes makes CloudFormation refuse
it before anything is deleted: the new mode's parameter cannot be created while the old one exists.

Every chart is checked when it is added: objects must have explicit, unique names, and no object may use an API
version the cluster's Kubernetes minor no longer serves (``flowcontrol.apiserver.k8s.io/v1beta3`` on 1.32, ...).
That guard covers charts you write yourself, not only this library's.

See: https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.aws_eks_v2/README.html#cdk8s-charts
"""

from __future__ import annotations

import json
import os
import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import cdk8s
import yaml
from aws_cdk import aws_eks_v2 as eks
from constructs import Construct, IDependable

from eks_platform._internal import k8s_api
from eks_platform._internal import validation as v
from eks_platform._internal.ebs import vac_driver_support
from eks_platform._internal.synth_hooks import on_validate
from eks_platform._internal.tree import (
    child_path,
    created,
    default_child_of,
    id_of,
    node_of,
    outdir_of,
    path_of,
    remember,
    root_of,
    scope_of,
    stack_name_of,
    stack_of,
    stage_of,
)
from eks_platform._internal.versions import consistent_version_problems, minor_of, minor_version_shape_problems
from eks_platform.constructs.keywords import checked_keywords
from eks_platform.constructs.types import (
    ClusterLike,
    cfn_cluster_name_of,
    cluster_name_of,
    cluster_version,
    eks_cluster,
    kubectl_provider_of,
)
from eks_platform.errors import ConfigError, raise_if_problems

#: Sub-directory of the cdk outdir (``app.outdir``, normally ``cdk.out``) that holds the rendered charts.
MANIFESTS_DIRECTORY = "manifests"
#: Label the kubectl provider adds to every object it applies when pruning is on (absent from the YAML files).
PRUNE_LABEL_PREFIX = "aws.cdk.eks/prune-"
_KUSTOMIZATION = "kustomization.yaml"
_CHART_SUFFIX = ".k8s.yaml"


class DeliveryMode(str, Enum):
    """How charts reach the cluster."""

    APPLY = "apply"
    """Through the cluster's kubectl provider (two Lambda functions per cluster), one custom resource per object."""
    HAND_OVER = "hand-over"
    """APPLY with every custom resource retained: the step between APPLY and RENDER_ONLY, in either direction."""
    RENDER_ONLY = "render-only"
    """Only the YAML under ``cdk.out/manifests/<cluster>/``: your GitOps tool applies it. No kubectl provider."""

    @property
    def applies(self) -> bool:
        """Whether the kubectl provider applies the charts (APPLY and HAND_OVER)."""
        return self is not DeliveryMode.RENDER_ONLY


class PlatformChart(cdk8s.Chart):
    """A cdk8s chart that knows the Kubernetes version of the cluster it targets.

    Constructs that depend on the version (``VolumeAttributesClass`` picks its apiVersion from it) read it from the
    nearest ``PlatformChart`` above them.

    Args:
        scope: a ``cdk8s.App`` (for example ``ManifestDelivery.app``).
        construct_id: chart id; it names the YAML file (``<id>.k8s.yaml``) and the custom resource. Changing it
            deletes and re-creates the chart's objects.
        kubernetes_version: the cluster's Kubernetes minor, such as ``"1.32"``.
        namespace: default namespace of namespaced objects. Default: - none (objects set their own).
        labels: labels added to every object. Default: - none.
    """

    @checked_keywords("InvalidChartSettings")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kubernetes_version: str,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        problems = minor_version_shape_problems("kubernetes_version", kubernetes_version)
        if namespace is not None:
            problems += k8s_api.name_problems("namespace", namespace, label=True)
        raise_if_problems("InvalidChartSettings", problems, path=lambda: child_path(scope, construct_id))
        try:
            super().__init__(scope, construct_id, namespace=namespace, labels=dict(labels) if labels else None)
        except RuntimeError as error:  # jsii: an empty id, or one another chart of the app already has
            if "empty ID" not in str(error) and "already a Construct with name" not in str(error):
                raise
            raise ConfigError("InvalidChartSettings", [
                f"chart id (chart_id) {construct_id!r} is empty or already taken by another chart of this cdk8s app; "
                "give each chart its own non-empty id"]) from None
        created(self, scope, construct_id)
        k8s_api.new_chart_index(self)  # a new chart has no objects yet: nothing to read back from its tree
        remember(self, "namespace", lambda: namespace or "")  # what k8s_api reads as the chart's namespace
        self.kubernetes_version: str = kubernetes_version
        self.kubernetes_minor: int = minor_of(kubernetes_version)

    @staticmethod
    def find(construct: Construct) -> PlatformChart | None:
        """The nearest ``PlatformChart`` at or above ``construct``, or None (read once per construct)."""

        def read() -> PlatformChart | None:
            if isinstance(construct, PlatformChart):
                return construct
            scope = scope_of(construct)
            if scope is not None:
                return PlatformChart.find(scope)
            for above in reversed(node_of(construct).scopes):
                if isinstance(above, PlatformChart):
                    return above
            return None

        return remember(construct, "platform_chart", read)


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveredChart:
    """What :meth:`ManifestDelivery.add_chart` froze for one chart."""

    chart_id: str
    file_name: str
    objects: tuple[Mapping[str, Any], ...]
    """The rendered objects, exactly as applied (without the kubectl provider's prune label) and written."""
    manifest: eks.KubernetesManifest | None
    """The custom resource of the chart's last object, applied after all the others; None in render-only mode."""
    chart: cdk8s.Chart
    object_manifests: tuple[eks.KubernetesManifest, ...] = ()
    """One custom resource per object, in the chart's order (empty in render-only mode)."""
    in_kustomization: bool = True
    """Whether ``kustomization.yaml`` lists the file (false for bootstrap charts a GitOps tool must not own)."""


#: PyYAML's libyaml-backed safe dumper when PyYAML was built with it (the wheels are), else the pure-Python one: the
#: same YAML for the same data, several times faster (https://pyyaml.org/wiki/PyYAMLDocumentation, "CLoader and
#: CDumper").
_YAML_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Output directories claimed per app root, to refuse two deliveries writing the same directory.
_claimed: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def _literal_cluster_name(cluster: eks.ICluster | eks.Cluster) -> str | None:
    def read() -> str | None:
        child = default_child_of(cluster)
        if isinstance(child, eks.CfnCluster):
            name = cfn_cluster_name_of(child)
            if isinstance(name, str) and not v.is_unresolved(name):
                return name
        name = cluster_name_of(cluster)
        return None if v.is_unresolved(name) else name

    return remember(cluster, "literal_cluster_name", read)  # the name replaces the cluster: fixed once made


class ManifestDelivery(Construct):
    """Delivers cdk8s charts to one EKS cluster and writes them as YAML at every synth.

    Example::

        delivery = ManifestDelivery(stack, "Manifests", cluster=cluster.cluster, kubernetes_version="1.32")
        chart = delivery.new_chart("Apps")
        ...  # add objects to the chart
        delivery.add_chart(chart)

    A chart is rendered when it is added (like ``eks.Cluster.add_cdk8s_chart``): add its objects first. A chart that
    changes afterwards fails the synth instead of silently deploying a stale copy.

    The YAML is written while the app synthesizes (by a validation hook, so ``app.synth(skip_validation=True)``
    skips it) into ``<output_directory>/[<stage path>/]<output_name>/``; files of charts no longer delivered are
    removed.

    Args:
        scope: parent construct.
        construct_id: construct id.
        cluster: the target cluster.
        kubernetes_version: the cluster's Kubernetes minor (``"1.32"``); it drives the removed-API guard and
            version-dependent apiVersions.
        mode: ``APPLY`` or ``RENDER_ONLY``. Default: - ``APPLY`` when the cluster has a kubectl provider, otherwise
            ``RENDER_ONLY`` (with an info annotation saying nothing is applied).
        output_name: directory name of this cluster's charts. Default: - the cluster name when it is known at
            synth, otherwise ``<stack name>-<cluster construct id>``.
        output_directory: the manifests folder: each cluster writes to ``[<stage path>/]<output_name>/`` below it.
            A relative path is relative to the working directory (the project root under ``cdk synth``); commit the
            folder and point your GitOps tool at it. Default: - ``<cdk outdir>/manifests`` (regenerated at every
            synth, not committed).
        overwrite: apply with ``kubectl apply`` on create too, adopting objects that already exist (a re-run after
            a failed deployment then succeeds). Default: - true.

    See: https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.aws_eks_v2/KubernetesManifest.html
    """

    @checked_keywords("InvalidManifestDelivery")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ClusterLike,
        kubernetes_version: str,
        mode: DeliveryMode | None = None,
        output_name: str | None = None,
        output_directory: str | os.PathLike[str] | None = None,
        overwrite: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        created(self, scope, construct_id)
        problems = minor_version_shape_problems("kubernetes_version", kubernetes_version)
        problems += consistent_version_problems("kubernetes_version", kubernetes_version, cluster_version(cluster))
        cluster = eks_cluster(cluster)
        if mode is not None:
            problems += v.enum_member_problems("mode", mode, DeliveryMode)
        literal_name = _literal_cluster_name(cluster)
        name = output_name or literal_name or f"{cdk.Stack.of(cluster).stack_name}-{cluster.node.id}"
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}", name, re.ASCII):
            problems.append(
                f"output_name {name!r} is not a safe directory name; use 1-128 letters, digits, '.', '_' or '-'"
            )
        if output_directory is not None and (
            not isinstance(output_directory, (str, os.PathLike)) or not str(output_directory).strip()
        ):
            problems.append(
                f"output_directory {output_directory!r} must be a folder path such as 'manifests' (relative to the "
                "project root) or None for cdk.out/manifests"
            )
        has_provider = kubectl_provider_of(cluster) is not None
        if isinstance(mode, DeliveryMode) and mode.applies and not has_provider:
            problems.append(
                f"mode {mode.name} needs the cluster's kubectl provider, and this cluster has none; create the cluster "
                "with kubectl=True (AutoModeCluster) or kubectl_provider_options (eks.Cluster), or use "
                "DeliveryMode.RENDER_ONLY and apply the YAML with your GitOps tool"
            )
        raise_if_problems("InvalidManifestDelivery", problems, path=lambda: path_of(self))

        self.cluster: eks.ICluster = cluster
        self.cluster_name: str = literal_name or cluster_name_of(cluster)
        """The cluster name: a literal when known at synth, otherwise a deploy-time token."""
        self.kubernetes_version = kubernetes_version
        self.kubernetes_minor = minor_of(kubernetes_version)
        self.mode: DeliveryMode = mode or (DeliveryMode.APPLY if has_provider else DeliveryMode.RENDER_ONLY)
        self.output_name = name
        self._base_directory = Path(output_directory) if output_directory is not None else None
        stage = stage_of(self)
        self.stage_path: str = "" if stage is None or stage is root_of(self) else path_of(stage)
        """Path of the nested ``cdk.Stage`` holding the cluster ("" at the app root): a folder level."""
        self.overwrite = overwrite
        self.app = cdk8s.App()
        """The cdk8s app that :meth:`new_chart` creates charts in (charts from other cdk8s apps are accepted too)."""
        self.charts: dict[str, DeliveredChart] = {}
        """Delivered charts by chart id, in delivery order."""
        if mode is None and self.mode is DeliveryMode.RENDER_ONLY:
            cdk.Annotations.of(self).add_info(
                "The cluster has no kubectl provider, so charts are only written to "
                f"cdk.out/{MANIFESTS_DIRECTORY}/{name}/ (render-only); apply them with your GitOps tool."
            )
        self._claim_output_directory()
        self._add_mode_guard()
        on_validate(self, _WriteManifests(self).validate)

    # -- public API ----------------------------------------------------------------------------------------------
    @property
    def output_directory(self) -> Path:
        """Where the YAML is written: ``<manifests folder>/[<stage path>/]<output_name>``."""
        return self.manifests_directory / self.relative_directory

    @property
    def manifests_directory(self) -> Path:
        """The manifests folder (``output_directory``, or ``<root outdir>/manifests``)."""
        if self._base_directory is not None:
            return self._base_directory
        root = root_of(self)
        # an app's outdir is fixed when it is created: read once per app
        outdir = outdir_of(root) if isinstance(root, cdk.Stage) else cdk.Stage.of(self).outdir  # type: ignore[union-attr]
        return Path(outdir) / MANIFESTS_DIRECTORY

    @property
    def relative_directory(self) -> str:
        """This cluster's folder below the manifests folder: ``[<stage path>/]<output_name>`` (``/`` separators)."""
        return "/".join([*(p for p in self.stage_path.split("/") if p), self.output_name])

    @property
    def manifests(self) -> dict[str, eks.KubernetesManifest]:
        """The custom resources by chart id (empty in render-only mode)."""
        return {cid: d.manifest for cid, d in self.charts.items() if d.manifest is not None}

    def new_chart(
        self, construct_id: str, *, namespace: str | None = None, labels: Mapping[str, str] | None = None
    ) -> PlatformChart:
        """A new :class:`PlatformChart` for this cluster's Kubernetes version, in :attr:`app`. Add it when complete."""
        return PlatformChart(
            self.app, construct_id, kubernetes_version=self.kubernetes_version, namespace=namespace, labels=labels
        )

    def add_chart(
        self, chart: cdk8s.Chart, *, depends_on: Sequence[IDependable] = (), in_kustomization: bool = True
    ) -> eks.KubernetesManifest | None:
        """Render ``chart`` now, check it, and deliver it (a custom resource per object when applied; always the YAML).

        Args:
            chart: a complete cdk8s chart (this library's or yours).
            depends_on: CDK constructs the chart's custom resources must be created after and deleted before
                (IAM roles its objects name, for example). Ignored in render-only mode.
            in_kustomization: list the file in ``kustomization.yaml``. False for a bootstrap chart that a GitOps
                tool syncing the folder must not manage (it is still written, and applied in APPLY mode).
                Default: - true.

        Returns:
            The ``eks.KubernetesManifest`` of the chart's last object (created after, and deleted before, all the
            others: depend on it to wait for the whole chart) when applied, None in render-only mode.

        Raises:
            ConfigError: ``InvalidChart`` for a chart added twice or whose id clashes with another, objects without
                a name or with the same kind and name, an object using an API version removed in the cluster's
                Kubernetes version (the message names the object and the apiVersion to use), an object of a
                version-dependent kind rendered for another Kubernetes version, or a deploy-time value in
                render-only mode.
        """
        chart_id = id_of(chart)
        where = f"chart {chart_id!r}"
        objects = _render(chart)
        problems: list[str] = []
        if chart_id in self.charts:
            same = self.charts[chart_id].chart is chart
            problems.append(
                f"{where} was already added" if same else f"another chart with id {chart_id!r} was already added"
            )
            problems[-1] += "; add each chart once, with a unique id (the id names the YAML file and custom resource)"
        if isinstance(chart, PlatformChart) and chart.kubernetes_version != self.kubernetes_version:
            problems.append(
                f"{where} targets Kubernetes {chart.kubernetes_version} but this cluster runs "
                f"{self.kubernetes_version}; create it with ManifestDelivery.new_chart() or the same kubernetes_version"
            )
        problems += k8s_api.missing_name_problems(objects, where=where)
        problems += k8s_api.duplicate_problems(objects, where=where)
        problems += k8s_api.removed_api_problems(objects, self.kubernetes_version, where=where)
        if self.mode is DeliveryMode.RENDER_ONLY:
            for obj in objects:
                for path in k8s_api.unresolved_paths(obj):
                    problems.append(
                        f"{where}: {k8s_api.describe(obj)} field {path.lstrip('.')} is known only at deploy time (a "
                        "CloudFormation reference), so render-only YAML cannot contain it; pass a literal value or "
                        "use DeliveryMode.APPLY"
                    )
        raise_if_problems("InvalidChart", problems, path=lambda: f"{path_of(self)} ({where})")

        self._warn_about(chart_id, objects)
        manifest: eks.KubernetesManifest | None = None
        per_object: list[eks.KubernetesManifest] = []
        if self.mode.applies:
            for obj in objects:
                object_id = _object_id(chart_id, obj)
                current = eks.KubernetesManifest(
                    self,
                    object_id,
                    cluster=self.cluster,
                    manifest=[json.loads(json.dumps(obj))],
                    overwrite=self.overwrite,
                    removal_policy=cdk.RemovalPolicy.RETAIN if self.mode is DeliveryMode.HAND_OVER else None,
                )
                created(current, self, object_id)
                after = [*depends_on, per_object[-1]] if per_object else list(depends_on)
                if after:  # the chart's order: created after, deleted before; one call
                    node_of(current).add_dependency(*after)
                per_object.append(current)
            manifest = per_object[-1] if per_object else None
        self.charts[chart_id] = DeliveredChart(
            chart_id=chart_id,
            file_name=_file_name(chart_id),
            objects=tuple(objects),
            manifest=manifest,
            chart=chart,
            object_manifests=tuple(per_object),
            in_kustomization=in_kustomization,
        )
        return manifest

    def render_yaml(self, chart_id: str) -> str:
        """The YAML text written for a delivered chart (deploy-time values shown as ``${cfn:...}`` placeholders)."""
        delivered = self.charts[chart_id]
        objects = _resolve_for_yaml(self, delivered.objects)
        header = (
            f"# Rendered by eks-platform from cdk8s chart {chart_id!r} for cluster {self.output_name} "
            f"(Kubernetes {self.kubernetes_version}).\n"
            + (
                f"# Applied by the kubectl provider: one custom resource per object, {path_of(self)}/{chart_id}-*.\n"
                if delivered.manifest is not None
                else "# Render-only: nothing applies this file; point your GitOps tool at this directory.\n"
            )
            + (
                ""
                if delivered.in_kustomization
                else f"# Not listed in {_KUSTOMIZATION}: a GitOps tool syncing this directory does not manage it.\n"
            )
        )
        body = yaml.dump_all(objects, Dumper=_YAML_DUMPER, sort_keys=False, default_flow_style=False, width=120)
        return header + body

    # -- internals -----------------------------------------------------------------------------------------------
    def _add_mode_guard(self) -> None:
        """An SSM parameter whose name APPLY and RENDER_ONLY share (HAND_OVER has none): CloudFormation creates the
        new mode's parameter before deleting the old one, so a direct switch fails with "already exists" and rolls
        back before any custom resource is deleted."""
        if self.mode is DeliveryMode.HAND_OVER:
            return
        stack_name = stack_name_of(self)
        guard = "ApplyModeGuard" if self.mode is DeliveryMode.APPLY else "RenderOnlyModeGuard"
        guard_resource = cdk.CfnResource(
            self,
            guard,
            type="AWS::SSM::Parameter",
            properties={
                "Name": f"/eks-platform/manifest-delivery/{stack_name}/{self.output_name}",
                "Type": "String",
                "Value": self.mode.value,
                "Description": (
                    "manifestDelivery of this cluster. Switching between apply and render-only must go through "
                    "hand-over (one deployment each); a direct switch fails here, before anything is deleted"
                ),
            },
        )
        created(guard_resource, self, guard)
        remember(guard_resource, "cfn_resource_type", lambda: "AWS::SSM::Parameter")  # read by the readiness aspect

    def _claim_output_directory(self) -> None:
        root = root_of(self)
        try:
            claimed = _claimed.setdefault(root, {})
        except TypeError:  # pragma: no cover - every jsii object is weak-referenceable today
            return
        key = str(self.output_directory.resolve())
        other = claimed.get(key)
        if other is not None and other != path_of(self):
            raise ConfigError(
                "InvalidManifestDelivery",
                f"output_name {self.output_name!r} is already used by {other}; two deliveries would write the same "
                f"directory {key}. Give one of them another output_name or output_directory",
                path=path_of(self),
            )
        claimed[key] = path_of(self)

    def _warn_about(self, chart_id: str, objects: Sequence[Mapping[str, Any]]) -> None:
        for obj in objects:
            if obj.get("kind") != "VolumeAttributesClass":
                continue
            driver = str(obj.get("driverName", ""))
            confirmed, note = vac_driver_support(driver)
            if not confirmed:
                cdk.Annotations.of(self).add_warning_v2(
                    f"eks-platform:vac-unconfirmed:{chart_id}",
                    f"Chart {chart_id!r}: VolumeAttributesClass support by driver {driver} on Kubernetes "
                    f"{self.kubernetes_version} is not confirmed, so changing a claim's class may not modify its EBS "
                    f"volume. {note}",
                )
                return

    def _write(self) -> list[str]:
        directory = self.output_directory
        directory.mkdir(parents=True, exist_ok=True)
        wanted = {d.file_name for d in self.charts.values()}
        for existing in directory.iterdir():
            if existing.is_file() and existing.name.endswith(_CHART_SUFFIX) and existing.name not in wanted:
                existing.unlink()
        for chart_id, delivered in self.charts.items():
            (directory / delivered.file_name).write_text(self.render_yaml(chart_id))
        kustomization = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": [d.file_name for d in self.charts.values() if d.in_kustomization],
        }
        (directory / _KUSTOMIZATION).write_text(
            f"# Rendered by eks-platform: the charts of cluster {self.output_name} in delivery order.\n"
            + yaml.dump(kustomization, Dumper=_YAML_DUMPER, sort_keys=False)
        )
        return []

    def _check_unchanged(self) -> list[str]:
        errors = []
        for chart_id, delivered in self.charts.items():
            if _render(delivered.chart) != list(delivered.objects):
                errors.append(
                    f"chart {chart_id!r} changed after it was added to the delivery; add every object to a chart "
                    "before calling add_chart (the added copy is what gets deployed)"
                )
        return errors


class _WriteManifests:
    """Runs once per synth, after the construct tree is complete: checks charts did not change, writes the YAML."""

    def __init__(self, delivery: ManifestDelivery) -> None:
        self._delivery = delivery

    def validate(self) -> list[str]:
        errors = self._delivery._check_unchanged()
        if errors:
            return errors
        try:
            return self._delivery._write()
        except OSError as error:
            return [f"could not write the rendered manifests to {self._delivery.output_directory}: {error}"]


def _render(chart: cdk8s.Chart) -> list[dict[str, Any]]:
    rendered: list[dict[str, Any]] = json.loads(json.dumps(chart.to_json()))
    return rendered


def _object_id(chart_id: str, obj: Mapping[str, Any]) -> str:
    """The construct id of an object's custom resource: chart, kind, namespace and name (never a list position)."""
    metadata = obj.get("metadata") or {}
    parts = [chart_id, str(obj.get("kind", "")), str(metadata.get("namespace", "")), str(metadata.get("name", ""))]
    return "-".join(part for part in parts if part)


def _file_name(chart_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", chart_id) + _CHART_SUFFIX


def _placeholder(value: Any) -> Any:
    """Replace CloudFormation intrinsics (deploy-time values) with readable ``${cfn:...}`` strings."""
    if isinstance(value, Mapping):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key == "Ref" or key.startswith("Fn::"):
                if key == "Fn::Join" and isinstance(inner, list) and len(inner) == 2 and inner[0] == "":
                    return "".join(p if isinstance(p, str) else _placeholder(p) for p in inner[1])
                return "${cfn:" + json.dumps(value, sort_keys=True, separators=(",", ":")) + "}"
        return {k: _placeholder(item) for k, item in value.items()}
    if isinstance(value, list):
        return [_placeholder(item) for item in value]
    return value


def _resolve_for_yaml(scope: Construct, objects: Sequence[Mapping[str, Any]]) -> list[Any]:
    if not any(k8s_api.unresolved_paths(o) for o in objects):
        return [dict(o) for o in objects]
    resolved = stack_of(scope).resolve(json.loads(json.dumps(list(objects))))
    placeholders: list[Any] = _placeholder(resolved)
    return placeholders


def strip_prune_labels(objects: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The objects without the label the kubectl provider adds for pruning (for comparing applied and written)."""
    result = []
    for obj in json.loads(json.dumps(list(objects))):
        labels = (obj.get("metadata") or {}).get("labels")
        if isinstance(labels, dict):
            for key in [k for k in labels if k.startswith(PRUNE_LABEL_PREFIX)]:
                del labels[key]
            if not labels:
                del obj["metadata"]["labels"]
        result.append(obj)
    return result
