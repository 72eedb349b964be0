"""A typed reference to a platform cluster that another app created, and the contract file that describes it.

An application team adds its Pod Identity bindings, add-ons, access entries and namespaces to the platform team's
cluster. :class:`PlatformClusterReference` gives its constructs what they need to know about that cluster at synth
(name, ARN, account, region, Kubernetes version, Auto Mode, hybrid networks, the kubectl role if the platform exposes
one), either as typed arguments or from a *cluster contract*: a small JSON file the platform app writes into its
cloud assembly with :class:`ClusterContract` and the team commits. Nothing is looked up: synth stays hermetic.

Every construct that takes a cluster accepts a reference, and runs the same checks it runs for an
``AutoModeCluster``: add-ons Auto Mode already provides are refused, add-on versions are pinned for the referenced
minor, hybrid-compatible minimum versions are enforced when the cluster has hybrid nodes, and bindings are counted
per cluster name across the whole app.

See: https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.aws_eks_v2/Cluster.html#aws_cdk.aws_eks_v2.Cluster.from_cluster_attributes
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from eks_platform._internal import contract as c
from eks_platform._internal import validation as v
from eks_platform._internal.kubectl_layers import kubectl_layer
from eks_platform._internal.synth_hooks import on_validate
from eks_platform._internal.tree import (
    account_of,
    created,
    default_child_of,
    path_of,
    region_of,
    remember,
    root_of,
    stack_of,
)
from eks_platform._internal.versions import is_minor_version
from eks_platform.checks.cdk_internals import acknowledge_cdk_internal_findings
from eks_platform.constructs.attachments import ClusterAttachments
from eks_platform.constructs.hybrid.networks import HybridNetworks
from eks_platform.constructs.keywords import checked_keywords
from eks_platform.constructs.manifests import DeliveryMode, ManifestDelivery
from eks_platform.constructs.types import PlatformCluster, cfn_cluster_name_of, cluster_name_of
from eks_platform.errors import ConfigError, raise_if_problems

#: The construct id of a reference's ``ManifestDelivery`` (the same as ``AutoModeCluster``'s).
MANIFESTS_ID = "Manifests"


class PlatformClusterReference(ClusterAttachments, Construct):
    """A platform cluster created by another app, as the constructs of an application-team app see it.

    Example::

        platform = PlatformClusterReference.from_contract_file(stack, "Platform", "platform-prod.cluster.json")
        PodIdentity(stack, "Reports", cluster=platform, namespace="payments", service_account="reports")
        ManagedAddon(stack, "Efs", cluster=platform, name="aws-efs-csi-driver")

    The stack must be in the cluster's account and region (access entries, Pod Identity associations and add-ons
    are created there).

    Args:
        scope: parent construct.
        construct_id: construct id (creates no resource; the imported cluster is its child ``Default``).
        cluster_name: the EKS cluster name.
        kubernetes_version: the cluster's Kubernetes minor, e.g. ``"1.33"``; it picks add-on pins and the
            removed-API guard of manifests. Update it with the platform (the contract file carries it).
        auto_mode: the cluster runs EKS Auto Mode (its built-in add-ons are then refused). Default: - true.
        account: the cluster's account. Default: - the stack's account (must be literal when given).
        region: the cluster's region. Default: - the stack's region.
        hybrid_networks: the cluster's remote node and pod networks, when it has hybrid nodes. Default: - none.
        kubectl_role_arn: an IAM role the platform maps to cluster admin for kubectl; with it the reference gets
            its own kubectl provider (a Lambda in this stack that assumes the role), so charts can be applied.
            Default: - none: manifests are rendered for GitOps only, and ``create_service_account`` is refused.
        cluster_security_group_id: the EKS cluster security group (``HybridNodes`` adds its rules there).
            Default: - unknown.

    See: https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html
    """

    @checked_keywords("InvalidClusterReference")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster_name: str,
        kubernetes_version: str,
        auto_mode: bool = True,
        account: str | None = None,
        region: str | None = None,
        hybrid_networks: HybridNetworks | None = None,
        kubectl_role_arn: str | None = None,
        cluster_security_group_id: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        problems = v.eks_cluster_name("cluster_name", cluster_name)
        if v.is_unresolved(cluster_name):
            problems.append(
                "cluster_name must be a literal name (a reference is resolved at synth); take it from the cluster "
                "contract or the platform team"
            )
        if not is_minor_version(kubernetes_version):
            problems.append(
                f"kubernetes_version {kubernetes_version!r} is not a Kubernetes minor; write it like '1.33' (the "
                "platform's cluster contract carries it)"
            )
        if not isinstance(auto_mode, bool):
            problems.append(f"auto_mode must be true or false, got {auto_mode!r}")
        if account is not None:
            problems += v.aws_account("account", account)
        if region is not None:
            problems += v.aws_region("region", region)
        for setting, given, own in (("account", account, stack.account), ("region", region, stack.region)):
            if given is not None and not v.is_unresolved(own) and not v.is_unresolved(given) and given != own:
                problems.append(
                    f"{setting} {given!r} differs from the stack's {setting} {own!r}; access entries, Pod Identity "
                    f"associations and add-ons are created in the cluster's {setting}, so deploy this stack there"
                )
        if hybrid_networks is not None and not isinstance(hybrid_networks, HybridNetworks):
            problems.append(f"hybrid_networks must be a HybridNetworks, got {type(hybrid_networks).__name__}")
        if kubectl_role_arn is not None:
            problems += v.iam_role_arn("kubectl_role_arn", kubectl_role_arn)
        raise_if_problems("InvalidClusterReference", problems, path=self.node.path)

        self.cluster_name: str = cluster_name
        self.version_string: str = kubernetes_version
        self.auto_mode: bool = auto_mode
        self.hybrid_networks: HybridNetworks | None = hybrid_networks
        self.account: str = account or stack.account
        self.region: str = region or stack.region
        self.kubectl_role_arn: str | None = kubectl_role_arn
        self.kubectl_role: iam.IRole | None = (
            iam.Role.from_role_arn(self, "KubectlRole", kubectl_role_arn, mutable=False)
            if kubectl_role_arn is not None
            else None
        )
        provider: eks.IKubectlProvider | None = None
        if self.kubectl_role is not None:
            # aws_eks_v2's imported cluster ignores kubectl_provider_options, so the provider is created here, for a
            # first import of the cluster, and handed to the import everything else uses.
            bare = eks.Cluster.from_cluster_attributes(self, "ProviderTarget", cluster_name=cluster_name)
            provider = eks.KubectlProvider(
                self,
                "KubectlProvider",
                cluster=bare,
                kubectl_layer=kubectl_layer(self, "KubectlLayer", kubernetes_version),
                role=self.kubectl_role,
            )
            # aws_eks_v2 adds a HasEcrPublic condition next to the provider for the ECR Public pull grant of a cluster
            # it creates; an imported cluster gets no such grant, so the condition is unused (cfn-lint W8001).
            condition = self.node.try_find_child("HasEcrPublic")
            if isinstance(condition, cdk.CfnCondition):
                self.node.try_remove_child("HasEcrPublic")
            acknowledge_cdk_internal_findings(
                provider,
                "created by aws_eks_v2 for the kubectl provider of an imported cluster: aws-cdk-lib chooses the Lambda "
                "runtime, the AWS managed policies and the lambda:InvokeFunction grant on its own handler",
            )
        self.kubectl_provider: eks.IKubectlProvider | None = provider
        self.cluster: eks.ICluster = eks.Cluster.from_cluster_attributes(
            self,
            "Default",
            cluster_name=cluster_name,
            cluster_security_group_id=cluster_security_group_id,
            kubectl_provider=provider,
        )
        self.node.default_child = self.cluster

    # -- the PlatformCluster protocol -------------------------------------------------------------------------------
    @property
    def kubectl_enabled(self) -> bool:
        """Whether charts can be applied (a kubectl role was given), not only rendered."""
        return self.kubectl_role is not None

    @property
    def hybrid(self) -> bool:
        """Whether the cluster has hybrid nodes (remote networks)."""
        return self.hybrid_networks is not None

    @property
    def partition(self) -> str:
        """The AWS partition of the cluster's region (``aws`` when the region is a token)."""
        return v.partition_of_region(self.region) or cdk.Aws.PARTITION

    @property
    def cluster_arn(self) -> str:
        """The cluster's ARN, literal when account and region are."""
        return c.cluster_arn(self.partition, self.region, self.account, self.cluster_name)

    # -- what a team adds to the cluster: add_pod_identity and add_addon, as on AutoModeCluster (attachments.py) -----
    def _attachment_cluster(self) -> PlatformClusterReference:
        return self

    def _addon_defaults(self, *, kubernetes_version: str | None, hybrid_nodes: bool | None) -> dict[str, Any]:
        """The add-on reads the version, Auto Mode and hybrid networks from this reference (the contract)."""
        return {"kubernetes_version": kubernetes_version, "hybrid_nodes": hybrid_nodes}

    def add_manifest_delivery(
        self,
        *,
        mode: DeliveryMode | None = None,
        output_name: str | None = None,
        output_directory: str | os.PathLike[str] | None = None,
        overwrite: bool = True,
    ) -> ManifestDelivery:
        """Create the reference's one ``ManifestDelivery`` (id ``Manifests``): APPLY through the kubectl provider
        when the reference has a kubectl role, otherwise render-only YAML under ``cdk.out/manifests/<cluster>/``."""
        existing = self.node.try_find_child(MANIFESTS_ID)
        if existing is not None:
            raise ConfigError(
                "DuplicateManifestDelivery",
                f"cluster reference {self.node.path} already has a ManifestDelivery ({existing.node.path}); one "
                "delivery per cluster: use reference.manifests",
                path=self.node.path,
            )
        return ManifestDelivery(
            self,
            MANIFESTS_ID,
            cluster=self.cluster,
            kubernetes_version=self.version_string,
            mode=mode,
            output_name=output_name,
            output_directory=output_directory,
            overwrite=overwrite,
        )

    @property
    def manifests(self) -> ManifestDelivery:
        """The ``ManifestDelivery`` of :meth:`add_manifest_delivery` (or the one a ``Team`` created)."""
        existing = self.node.try_find_child(MANIFESTS_ID)
        if not isinstance(existing, ManifestDelivery):
            raise ConfigError(
                "NoManifestDelivery",
                f"cluster reference {self.node.path} has no ManifestDelivery yet; call add_manifest_delivery() first",
                path=self.node.path,
            )
        return existing

    # -- from a contract ---------------------------------------------------------------------------------------------
    @classmethod
    def from_contract(
        cls, scope: Construct, construct_id: str, contract: Mapping[str, Any], *, source: str = "contract"
    ) -> PlatformClusterReference:
        """A reference built from a parsed cluster contract (see :class:`ClusterContract` for the schema).

        Args:
            scope: parent construct.
            construct_id: construct id.
            contract: the JSON object.
            source: how messages name the contract. Default: - ``contract``.
        """
        facts, problems = c.parse_contract(source, contract)
        if facts is None:
            raise ConfigError("InvalidClusterContract", problems, path=f"{scope.node.path}/{construct_id}")
        networks = (
            HybridNetworks(node_cidrs=facts.hybrid_node_cidrs, pod_cidrs=facts.hybrid_pod_cidrs)
            if facts.hybrid_node_cidrs is not None
            else None
        )
        return cls(
            scope,
            construct_id,
            cluster_name=facts.cluster_name,
            kubernetes_version=facts.kubernetes_version,
            auto_mode=facts.auto_mode,
            account=facts.account,
            region=facts.region,
            hybrid_networks=networks,
            kubectl_role_arn=facts.kubectl_role_arn,
            cluster_security_group_id=facts.cluster_security_group_id,
        )

    @classmethod
    def from_contract_file(
        cls, scope: Construct, construct_id: str, path: str | Path
    ) -> PlatformClusterReference:
        """A reference built from a committed cluster contract file (what ``ClusterContract`` writes).

        Args:
            scope: parent construct.
            construct_id: construct id.
            path: the JSON file; a relative path is relative to the working directory (``cdk synth`` runs in the
                app's folder).
        """
        file = Path(path)
        where = f"{scope.node.path}/{construct_id}"
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(
                "InvalidClusterContract",
                f"cluster contract {str(file)!r} cannot be read ({error.strerror}); commit the file the platform app "
                f"writes to cdk.out/{c.CONTRACTS_DIRECTORY}/<cluster>.json next to your app",
                path=where,
            ) from None
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(
                "InvalidClusterContract", f"cluster contract {str(file)!r} is not JSON ({error})", path=where
            ) from None
        return cls.from_contract(scope, construct_id, raw, source=str(file))


def _literal(value: str | None) -> str | None:
    return None if value is None or v.is_unresolved(value) else value


class _WriteContract:
    """Writes the contract file once per synth, after the tree is complete."""

    def __init__(self, owner: ClusterContract) -> None:
        self._owner = owner

    def validate(self) -> list[str]:
        try:
            self._owner.output_path.parent.mkdir(parents=True, exist_ok=True)
            self._owner.output_path.write_text(self._owner.text, encoding="utf-8")
        except OSError as error:
            return [f"could not write the cluster contract to {self._owner.output_path}: {error}"]
        return []


class ClusterContract(Construct):
    """Writes a platform cluster's contract into the cloud assembly: ``cdk.out/contracts/<cluster name>.json``.

    Application teams commit the file and build a :class:`PlatformClusterReference` from it, so their apps know the
    cluster's version, Auto Mode and hybrid networks without a lookup. Creates no resource.

    The cluster needs a literal ``cluster_name`` and the stack a literal account and region (``env=``): a generated
    name is known only after deployment.

    Args:
        scope: parent construct.
        construct_id: construct id.
        cluster: the platform cluster (``AutoModeCluster``).
        kubectl_role_arn: a role the platform maps to cluster admin for team kubectl providers. Default: - none.
        cluster_security_group_id: the EKS cluster security group id, for teams that add hybrid nodes (a literal:
            the id is known after the first deployment). Default: - not in the contract.
    """

    @checked_keywords("InvalidClusterContract")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: PlatformCluster,
        kubectl_role_arn: str | None = None,
        cluster_security_group_id: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        created(self, scope, construct_id)
        inner = cluster.cluster
        # The platform cluster keeps its L1 (AutoModeCluster.cfn_cluster): no node.default_child read.
        cfn = getattr(cluster, "cfn_cluster", None)
        if not isinstance(cfn, eks.CfnCluster):
            cfn = default_child_of(inner)
        literal = cfn_cluster_name_of(cfn) if isinstance(cfn, eks.CfnCluster) else cluster_name_of(inner)
        name = _literal(literal)
        stack = stack_of(inner)
        account, region = _literal(account_of(inner)), _literal(region_of(inner))
        problems = []
        if name is None:
            problems.append(
                "the cluster has no literal cluster_name (CloudFormation generates one at deploy time), so its "
                "contract cannot name it; set cluster_name"
            )
        if account is None or region is None:
            problems.append(
                f"stack {stack.stack_name} has no literal account and region; give it env=cdk.Environment(account=..., "
                "region=...) so the contract can name the cluster's ARN"
            )
        if kubectl_role_arn is not None:
            problems += v.iam_role_arn("kubectl_role_arn", kubectl_role_arn)
        if cluster_security_group_id is not None:
            problems += c.security_group_problems("cluster_security_group_id", cluster_security_group_id)
        raise_if_problems("InvalidClusterContract", problems, path=path_of(self))
        assert name is not None and account is not None and region is not None
        networks = cluster.hybrid_networks
        self.facts = c.ContractFacts(
            cluster_name=name,
            account=account,
            region=region,
            kubernetes_version=cluster.version_string,
            auto_mode=cluster.auto_mode,
            hybrid_node_cidrs=tuple(networks.node_cidrs) if networks is not None else None,
            hybrid_pod_cidrs=tuple(networks.pod_cidrs) if networks is not None else (),
            kubectl_role_arn=kubectl_role_arn,
            cluster_security_group_id=cluster_security_group_id,
        )
        self.document: dict[str, Any] = c.contract_document(self.facts)
        self.text: str = json.dumps(self.document, indent=2) + "\n"
        on_validate(self, _WriteContract(self).validate)

    @property
    def output_path(self) -> Path:
        """``<root outdir>/contracts/<cluster name>.json``."""
        root = root_of(self)
        # an app's outdir is fixed when it is created: read once per app
        outdir = (
            remember(root, "outdir", lambda: root.outdir)
            if isinstance(root, cdk.Stage)
            else cdk.Stage.of(self).outdir  # type: ignore[union-attr]
        )
        return Path(outdir) / c.CONTRACTS_DIRECTORY / f"{self.facts.cluster_name}.json"
