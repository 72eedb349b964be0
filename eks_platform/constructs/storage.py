"""EBS storage as Kubernetes objects: a gp3 StorageClass, VolumeAttributesClass performance tiers, claims.

Two layers:

- cdk8s constructs, usable in any chart: :class:`Gp3StorageClass`, :class:`VolumeAttributesClass`,
  :class:`EbsVolumeClaim`, and :class:`StorageChart` that assembles a class and its tiers;
- :class:`EbsStorage`, a CDK construct that builds a ``StorageChart``, grants the driver a customer KMS key, and
  delivers the chart through a :class:`~eks_platform.constructs.manifests.ManifestDelivery`.

Moving a volume between tiers is a one-word change of its claim's ``volumeAttributesClassName``; the CSI driver then
modifies the EBS volume in place (type, IOPS, throughput), without detaching it. EBS allows the next modification of
a volume only after the previous one completed, and at most four per volume in a rolling 24 hours (older AWS
documentation: one every six hours).

See: https://kubernetes.io/docs/concepts/storage/volume-attributes-classes/
See: https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/modify-volume.md
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from eks_platform._internal import ebs, k8s_api, versions
from eks_platform._internal.ebs import VolumeType
from eks_platform._internal.k8s_api import new_api_object
from eks_platform._internal.tags import aws_tag_problems
from eks_platform._internal.tree import created, path_of, region_of
from eks_platform._internal.versions import is_minor_version, minor_of
from eks_platform.constructs.keywords import check_fields, checked_keywords, checked_value
from eks_platform.constructs.manifests import ManifestDelivery, PlatformChart
from eks_platform.errors import ConfigError, raise_if_problems

__all__ = [
    "EbsDriver",
    "EbsStorage",
    "EbsVolumeClaim",
    "FileSystemType",
    "Gp3StorageClass",
    "ReclaimPolicy",
    "StorageChart",
    "VolumeAttributesClass",
    "VolumeTier",
    "VolumeType",
]

DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
AUTO_MODE_TOPOLOGY_KEY = "eks.amazonaws.com/compute-type"


class EbsDriver(str, Enum):
    """The EBS CSI driver that provisions the volumes (the StorageClass ``provisioner``).

    The two drivers manage their volumes separately: a volume provisioned by one cannot be mounted through the other.
    See: https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html
    """

    AUTO_MODE = "ebs.csi.eks.amazonaws.com"
    """EKS Auto Mode's built-in block storage. VolumeAttributesClass support is not documented (a warning says so)."""
    ADDON = "ebs.csi.aws.com"
    """The ``aws-ebs-csi-driver`` EKS add-on (install it with its Pod Identity role, see the add-ons catalog)."""


class ReclaimPolicy(str, Enum):
    """What happens to the EBS volume when its claim is deleted."""

    RETAIN = "Retain"
    """The volume and its data stay (delete it yourself when done)."""
    DELETE = "Delete"
    """The volume is deleted with the claim."""


class FileSystemType(str, Enum):
    """``csi.storage.k8s.io/fstype`` (case-sensitive)."""

    EXT4 = "ext4"
    XFS = "xfs"
    EXT3 = "ext3"


# -- value object ------------------------------------------------------------------------------------------------
@checked_value("InvalidVolumeTier")
@dataclass(frozen=True, kw_only=True, slots=True)
class VolumeTier:
    """A named set of EBS volume attributes: one ``VolumeAttributesClass``.

    ``iops``/``throughput`` left as None are not set by the class (a new volume then gets the type's default, an
    existing one keeps its value). Ranges are checked against EBS's limits for the type (gp3: 3,000 to 80,000 IOPS,
    125 to 2,000 MiB/s and at most 0.25 MiB/s per IOPS; io2: 100 to 256,000 IOPS, no throughput; io1: 100 to 64,000
    IOPS). IOPS per GiB limits depend on the volume size and are checked by :class:`EbsVolumeClaim`.

    Args:
        name: the VolumeAttributesClass name (a DNS-1123 subdomain) that claims refer to.
        volume_type: EBS volume type. Default: - gp3.
        iops: provisioned IOPS. Default: - not set.
        throughput: provisioned throughput in MiB/s (gp3 only). Default: - not set.
        tags: EBS tags the driver adds or updates on the volume (``tagSpecification_N``). Default: - none.

    Raises:
        ConfigError: ``InvalidVolumeTier``.
    """

    name: str
    volume_type: VolumeType = VolumeType.GP3
    iops: int | None = None
    throughput: int | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    STANDARD_NAME: ClassVar[str] = "standard"
    FAST_NAME: ClassVar[str] = "fast"
    MAX_NAME: ClassVar[str] = "max"

    def __post_init__(self) -> None:
        check_fields(self, "InvalidVolumeTier")
        setting = f"volume tier {self.name!r}"
        problems = k8s_api.name_problems(f"{setting} name", self.name)
        type_problems = ebs.volume_type_problems(f"{setting} volume_type", self.volume_type)
        problems += type_problems
        if not type_problems:
            object.__setattr__(self, "volume_type", VolumeType(self.volume_type))
            problems += ebs.performance_problems(setting, self.volume_type, iops=self.iops, throughput=self.throughput)
        if not isinstance(self.tags, Mapping):
            problems.append(f"{setting} tags must be a mapping of strings, got {type(self.tags).__name__}")
        else:
            problems += aws_tag_problems(f"{setting} tags", self.tags)
            # the EBS CSI driver takes each tag as one "key=value" parameter (tagSpecification_N)
            problems += [
                f"{setting} tag key {key!r} contains '=', which the EBS CSI driver's key=value tag parameter cannot "
                "carry; rename the tag"
                for key in self.tags
                if isinstance(key, str) and "=" in key
            ]
        raise_if_problems("InvalidVolumeTier", problems, path=setting)
        object.__setattr__(self, "tags", dict(sorted(self.tags.items())))

    @classmethod
    def standard(cls, name: str = STANDARD_NAME) -> VolumeTier:
        """gp3 at its baseline: 3,000 IOPS and 125 MiB/s (included in the gp3 price). Any size fits."""
        return cls(name=name, volume_type=VolumeType.GP3, iops=3000, throughput=125)

    @classmethod
    def fast(cls, name: str = FAST_NAME) -> VolumeTier:
        """gp3 with 16,000 IOPS and 1,000 MiB/s (billed above the baseline). Needs volumes of 32 GiB or more."""
        return cls(name=name, volume_type=VolumeType.GP3, iops=16000, throughput=1000)

    @classmethod
    def max(cls, name: str = MAX_NAME) -> VolumeTier:
        """gp3 at its ceiling: 80,000 IOPS and 2,000 MiB/s. Needs volumes of 160 GiB or more."""
        return cls(name=name, volume_type=VolumeType.GP3, iops=80000, throughput=2000)

    def class_name(self, driver: EbsDriver) -> str:
        """The VolumeAttributesClass name of this tier for ``driver``: ``<name>-<8 hex of driver and parameters>``."""
        return k8s_api.content_name(self.name, {"driverName": driver.value, "parameters": self.parameters()})

    def parameters(self) -> dict[str, str]:
        """The VolumeAttributesClass ``parameters`` the EBS CSI drivers read (all values are strings)."""
        params = {"type": self.volume_type.value}
        if self.iops is not None:
            params["iops"] = str(self.iops)
        if self.throughput is not None:
            params["throughput"] = str(self.throughput)
        for i, (key, value) in enumerate(self.tags.items(), start=1):
            params[f"tagSpecification_{i}"] = f"{key}={value}"
        return params

    def minimum_size_gib(self) -> int:
        """The smallest volume (GiB) that can carry this tier's IOPS."""
        lim = ebs.limits(self.volume_type)
        floor = lim.size_gib.min
        if self.iops is not None and lim.max_iops_per_gib:
            floor = max(floor, -(-self.iops // lim.max_iops_per_gib))
        return floor


# -- cdk8s constructs --------------------------------------------------------------------------------------------
class Gp3StorageClass(Construct):
    """An encrypted gp3 ``StorageClass`` for one EBS CSI driver (a cdk8s construct; put it in a chart).

    What you get: ``provisioner`` = the driver, ``type: gp3``, ``encrypted: "true"``,
    ``volumeBindingMode: WaitForFirstConsumer`` (the volume is created in the zone of the first pod),
    ``allowVolumeExpansion: true``, ``reclaimPolicy: Retain``, and on Auto Mode ``allowedTopologies`` limited to
    Auto Mode nodes (``eks.amazonaws.com/compute-type: auto``).

    Kubernetes forbids changing ``parameters``, ``provisioner``, ``reclaimPolicy`` and ``volumeBindingMode`` of an
    existing class, so the object is named ``<name>-<8 hex>`` from exactly those fields (:attr:`name`): changing one
    (a KMS key, IOPS, the reclaim policy) creates a class under the new name, moves the default-class annotation to
    it and deletes the old class. Bound volumes keep working (a PersistentVolume does not need its class); new claims
    that name the class must use the new name, claims that use the default class need no change.

    Args:
        scope: a cdk8s chart (or a construct inside one).
        construct_id: construct id.
        name: the StorageClass name's stem (the object is ``<name>-<8 hex>``, see above).
        driver: the EBS CSI driver. Pick ``AUTO_MODE`` on an Auto Mode cluster.
        kms_key_arn: full ARN of a customer-managed KMS key (the driver needs the key's grants; ``EbsStorage``
            adds them). Default: - the account's default EBS key (``aws/ebs``).
        default_class: annotate the class as the cluster default. Default: - false.
        reclaim_policy: what happens to a volume when its claim is deleted. Default: - ``RETAIN``.
        allow_volume_expansion: let claims grow. Default: - true.
        iops: baseline IOPS of new volumes. Default: - gp3's 3,000.
        throughput: baseline throughput of new volumes, MiB/s. Default: - gp3's 125.
        file_system: file system created on new volumes. Default: - ext4.
        auto_mode_topology: restrict volumes to Auto Mode nodes. Default: - true for ``AUTO_MODE``, false otherwise.

    See: https://docs.aws.amazon.com/eks/latest/userguide/create-storage-class.html
    """

    @checked_keywords("InvalidStorageClass")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        driver: EbsDriver,
        kms_key_arn: str | None = None,
        default_class: bool = False,
        reclaim_policy: ReclaimPolicy = ReclaimPolicy.RETAIN,
        allow_volume_expansion: bool = True,
        iops: int | None = None,
        throughput: int | None = None,
        file_system: FileSystemType | None = None,
        auto_mode_topology: bool | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        created(self, scope, construct_id)
        problems = k8s_api.name_problems("name", name)
        if not isinstance(driver, EbsDriver):
            problems.append(f"driver {driver!r} is not an EbsDriver; use EbsDriver.AUTO_MODE or EbsDriver.ADDON")
        if not isinstance(reclaim_policy, ReclaimPolicy):
            problems.append(f"reclaim_policy {reclaim_policy!r} is not a ReclaimPolicy (RETAIN or DELETE)")
        if file_system is not None and not isinstance(file_system, FileSystemType):
            problems.append(f"file_system {file_system!r} is not a FileSystemType (EXT4, XFS or EXT3)")
        problems += ebs.kms_key_arn_problems("kms_key_arn", kms_key_arn)
        problems += ebs.performance_problems("storage class", VolumeType.GP3, iops=iops, throughput=throughput)
        raise_if_problems("InvalidStorageClass", problems, path=lambda: path_of(self))

        self.base_name = name
        self.driver = driver
        self.reclaim_policy = reclaim_policy
        params: dict[str, Any] = {"type": VolumeType.GP3.value, "encrypted": "true"}
        if kms_key_arn is not None:
            params["kmsKeyId"] = kms_key_arn
        if iops is not None:
            params["iops"] = str(iops)
        if throughput is not None:
            params["throughput"] = str(throughput)
        if file_system is not None:
            params["csi.storage.k8s.io/fstype"] = file_system.value
        self.parameters: dict[str, Any] = params
        self.name: str = k8s_api.content_name(
            name,
            {
                "provisioner": driver.value,
                "parameters": params,
                "reclaimPolicy": reclaim_policy.value,
                "volumeBindingMode": "WaitForFirstConsumer",
            },
        )
        """The object's name: the stem plus a digest of the immutable fields."""
        metadata: dict[str, Any] = {"name": self.name}
        if default_class:
            metadata["annotations"] = {DEFAULT_CLASS_ANNOTATION: "true"}
        manifest: dict[str, Any] = {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": metadata,
            "provisioner": driver.value,
            "parameters": params,
            "reclaimPolicy": reclaim_policy.value,
            "volumeBindingMode": "WaitForFirstConsumer",
            "allowVolumeExpansion": bool(allow_volume_expansion),
        }
        if auto_mode_topology if auto_mode_topology is not None else driver is EbsDriver.AUTO_MODE:
            manifest["allowedTopologies"] = [
                {"matchLabelExpressions": [{"key": AUTO_MODE_TOPOLOGY_KEY, "values": ["auto"]}]}
            ]
        self.api_object = new_api_object(self, "Resource", manifest)
        # node.default_child is left unset: the child with id "Resource" is the default child by convention
        # (constructs' Node.defaultChild, https://github.com/aws/constructs/blob/10.x/src/construct.ts).


def _resolve_version(construct: Construct, kubernetes_version: str | None) -> tuple[str | None, list[str]]:
    """The class's Kubernetes minor: its chart's (the cluster's); an explicit one must equal it."""
    chart = PlatformChart.find(construct)
    if kubernetes_version is None:
        return (chart.kubernetes_version, []) if chart is not None else (None, [])
    if not is_minor_version(kubernetes_version):
        return None, versions.minor_version_shape_problems("kubernetes_version", kubernetes_version)
    given, cluster = kubernetes_version, chart.kubernetes_version if chart is not None else None
    problems = versions.consistent_version_problems("kubernetes_version", given, cluster)
    return (None, problems) if problems else (kubernetes_version, [])


class VolumeAttributesClass(Construct):
    """A ``VolumeAttributesClass`` for a :class:`VolumeTier` (a cdk8s construct; put it in a chart).

    The apiVersion follows the cluster's Kubernetes minor: ``storage.k8s.io/v1beta1`` on 1.31 to 1.33 (EKS enables
    the beta API), ``storage.k8s.io/v1`` from 1.34. ``driverName`` must be the provisioner of the StorageClass whose
    volumes use the tier. Kubernetes forbids changing ``driverName`` and ``parameters`` of an existing class, so the
    object is named ``<tier>-<8 hex>`` from those fields (:attr:`name`, also :meth:`VolumeTier.class_name`):
    changing a tier's numbers creates a class under the new name and deletes the old one once no claim uses it
    (Kubernetes keeps a class in use); move the claims to the new name.

    Args:
        scope: a cdk8s chart (or a construct inside one).
        construct_id: construct id.
        tier: name and EBS attributes.
        driver: the EBS CSI driver. Default: - the driver of ``storage_class``.
        storage_class: the class whose volumes use this tier; its driver must equal ``driver``. Default: - none.
        kubernetes_version: the cluster's minor. Default: - the version of the enclosing :class:`PlatformChart`.

    Raises:
        ConfigError: ``InvalidVolumeAttributesClass`` (driver missing or different from the storage class's,
            Kubernetes version unknown or older than 1.31).

    See: https://kubernetes.io/docs/concepts/storage/volume-attributes-classes/
    """

    @checked_keywords("InvalidVolumeAttributesClass")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tier: VolumeTier,
        driver: EbsDriver | None = None,
        storage_class: Gp3StorageClass | None = None,
        kubernetes_version: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        created(self, scope, construct_id)
        problems: list[str] = []
        if not isinstance(tier, VolumeTier):
            problems.append(f"tier must be a VolumeTier, got {type(tier).__name__}")
        if driver is not None and not isinstance(driver, EbsDriver):
            problems.append(f"driver {driver!r} is not an EbsDriver; use EbsDriver.AUTO_MODE or EbsDriver.ADDON")
        chosen = driver or (storage_class.driver if storage_class is not None else None)
        if chosen is None:
            problems.append(
                "driver is not set and no storage_class was given; pass driver=EbsDriver.AUTO_MODE or ADDON"
            )
        elif storage_class is not None and driver is not None and storage_class.driver is not driver:
            problems.append(
                f"driver {driver.value} differs from the driver of storage class {storage_class.name!r} "
                f"({storage_class.driver.value}); a VolumeAttributesClass only applies to volumes of its own driver, "
                "so use the storage class's driver"
            )
        version, version_problems = _resolve_version(scope, kubernetes_version)
        problems += version_problems
        api_version: str | None = None
        if version is None and not version_problems:
            problems.append(
                "the Kubernetes version is unknown: put the class in a PlatformChart (ManifestDelivery.new_chart) "
                "or pass kubernetes_version"
            )
        elif version is not None:
            api_version = ebs.vac_api_version(minor_of(version))
            if api_version is None:
                problems.append(
                    f"VolumeAttributesClass needs Kubernetes 1.31 or later on EKS (beta API from 1.31, GA in 1.34); "
                    f"this cluster runs {version}. Upgrade the cluster or leave the tiers out"
                )
        raise_if_problems("InvalidVolumeAttributesClass", problems, path=lambda: path_of(self))
        assert chosen is not None and api_version is not None

        self.tier = tier
        self.name: str = tier.class_name(chosen)
        """The object's name: the tier's name plus a digest of driver and parameters."""
        self.driver: EbsDriver = chosen
        self.api_version: str = api_version
        self.api_object = new_api_object(
            self,
            "Resource",
            {
                "apiVersion": api_version,
                "kind": "VolumeAttributesClass",
                "metadata": {"name": self.name},
                "driverName": chosen.value,
                "parameters": tier.parameters(),
            },
        )
        # node.default_child is left unset: the child with id "Resource" is the default child by convention
        # (constructs' Node.defaultChild, https://github.com/aws/constructs/blob/10.x/src/construct.ts).


class EbsVolumeClaim(Construct):
    """A ``PersistentVolumeClaim`` for an EBS volume, optionally in a performance tier (a cdk8s construct).

    Change ``tier`` (one word, the ``volumeAttributesClassName``) to move the volume to another tier in place: the
    driver modifies type, IOPS and throughput without detaching the volume. EBS starts the next modification of a
    volume only after the previous one completed, at most four per volume in a rolling 24 hours (older AWS
    documentation: one every six hours); a change inside that window stays pending until EBS accepts it.

    Args:
        scope: a cdk8s chart (or a construct inside one).
        construct_id: construct id.
        name: claim name.
        storage_class: the StorageClass (construct, giving its content-derived name, or a name used as written).
        size_gib: requested size in GiB (checked against the tier's IOPS per GiB ceiling).
        namespace: claim namespace. Default: - the chart's namespace.
        tier: the VolumeAttributesClass (construct, :class:`VolumeTier`, or name). A construct, or a tier with a
            ``Gp3StorageClass``, gives the class's content-derived name; a string is used as written. Default: -
            none (the volume keeps the StorageClass's attributes).
        access_modes: Default: - ``["ReadWriteOnce"]`` (EBS volumes attach to one node).
        labels: claim labels. Default: - none.

    Raises:
        ConfigError: ``InvalidVolumeClaim`` (size outside the volume type's range or too small for the tier's IOPS,
            tier driver different from the storage class's, tiers on Kubernetes before 1.31).
    """

    @checked_keywords("InvalidVolumeClaim")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        storage_class: Gp3StorageClass | str,
        size_gib: int,
        namespace: str | None = None,
        tier: VolumeAttributesClass | VolumeTier | str | None = None,
        access_modes: Sequence[str] = ("ReadWriteOnce",),
        labels: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        created(self, scope, construct_id)
        problems = k8s_api.name_problems("name", name)
        if namespace is not None:
            problems += k8s_api.name_problems("namespace", namespace, label=True)
        class_name = storage_class.name if isinstance(storage_class, Gp3StorageClass) else storage_class
        problems += k8s_api.name_problems("storage_class", class_name)
        allowed_modes = ("ReadWriteOnce", "ReadWriteOncePod", "ReadOnlyMany", "ReadWriteMany")
        if isinstance(access_modes, str) or not isinstance(access_modes, Sequence):
            problems.append(f"access_modes must be a list such as ['ReadWriteOnce'], got {access_modes!r}")
            access_modes = ()
        for mode in access_modes:
            if mode not in allowed_modes:
                problems.append(f"access_modes has {mode!r}; allowed: {', '.join(allowed_modes)}")
        tier_spec = (
            tier.tier if isinstance(tier, VolumeAttributesClass) else tier if isinstance(tier, VolumeTier) else None
        )
        tier_name = (
            tier.name
            if isinstance(tier, VolumeAttributesClass)
            else tier.class_name(storage_class.driver)
            if isinstance(tier, VolumeTier) and isinstance(storage_class, Gp3StorageClass)
            else tier.name
            if isinstance(tier, VolumeTier)
            else tier
        )
        if tier_name is not None:
            problems += k8s_api.name_problems("tier", tier_name)
            chart = PlatformChart.find(self)
            if chart is not None and chart.kubernetes_minor < 31:
                problems.append(
                    f"tier {tier_name!r} needs VolumeAttributesClass, which EKS serves from Kubernetes 1.31; this "
                    f"chart targets {chart.kubernetes_version}"
                )
        if (
            isinstance(tier, VolumeAttributesClass)
            and isinstance(storage_class, Gp3StorageClass)
            and tier.driver is not storage_class.driver
        ):
            problems.append(
                f"tier {tier.name!r} belongs to driver {tier.driver.value} but storage class {storage_class.name!r} "
                f"provisions with {storage_class.driver.value}; use a tier of the same driver"
            )
        volume_type = tier_spec.volume_type if tier_spec is not None else VolumeType.GP3
        problems += ebs.size_problems(
            "size_gib", volume_type, size_gib, iops=tier_spec.iops if tier_spec is not None else None
        )
        raise_if_problems("InvalidVolumeClaim", problems, path=lambda: path_of(self))

        metadata: dict[str, Any] = {"name": name}
        if namespace is not None:
            metadata["namespace"] = namespace
        if labels:
            metadata["labels"] = dict(labels)
        spec: dict[str, Any] = {
            "accessModes": list(access_modes),
            "storageClassName": class_name,
            "resources": {"requests": {"storage": f"{size_gib}Gi"}},
        }
        if tier_name is not None:
            spec["volumeAttributesClassName"] = tier_name
        self.name = name
        self.tier_name = tier_name
        self.api_object = new_api_object(
            self, "Resource", {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": metadata, "spec": spec}
        )
        # node.default_child is left unset: the child with id "Resource" is the default child by convention
        # (constructs' Node.defaultChild, https://github.com/aws/constructs/blob/10.x/src/construct.ts).


class StorageChart(PlatformChart):
    """A chart with one gp3 StorageClass and its VolumeAttributesClass tiers, all for the same driver.

    Args:
        scope: a cdk8s app (for example ``ManifestDelivery.app``).
        construct_id: chart id. Default in :class:`EbsStorage`: ``Storage``.
        kubernetes_version: the cluster's minor (``"1.32"``).
        driver: the EBS CSI driver of the class and the tiers.
        storage_class_name: Default: - ``gp3``.
        default_class: make the class the cluster default. Default: - false.
        tiers: the VolumeAttributesClasses (names unique). Default: - none.
        kms_key_arn: customer KMS key ARN for the class. Default: - the account's ``aws/ebs`` key.
        reclaim_policy: Default: - ``RETAIN``.
        iops: baseline IOPS of new volumes. Default: - gp3's 3,000.
        throughput: baseline MiB/s of new volumes. Default: - gp3's 125.
        file_system: Default: - ext4.

    Attributes:
        storage_class: the :class:`Gp3StorageClass`.
        tiers: the :class:`VolumeAttributesClass` constructs by tier name.
    """

    @checked_keywords("InvalidStorageSettings")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kubernetes_version: str,
        driver: EbsDriver,
        storage_class_name: str = "gp3",
        default_class: bool = False,
        tiers: Sequence[VolumeTier] = (),
        kms_key_arn: str | None = None,
        reclaim_policy: ReclaimPolicy = ReclaimPolicy.RETAIN,
        iops: int | None = None,
        throughput: int | None = None,
        file_system: FileSystemType | None = None,
    ) -> None:
        super().__init__(scope, construct_id, kubernetes_version=kubernetes_version)
        if (
            isinstance(tiers, str)
            or not isinstance(tiers, Sequence)
            or not all(isinstance(t, VolumeTier) for t in tiers)
        ):
            raise ConfigError(
                "InvalidStorageSettings",
                f"tiers must be a list of VolumeTier values, got {tiers!r}",
                path=self.node.path,
            )
        raise_if_problems(
            "DuplicateObjectName", ebs.duplicate_tier_problems("tiers", [t.name for t in tiers]),
            path=lambda: path_of(self),
        )
        self.storage_class = Gp3StorageClass(
            self,
            "StorageClass",
            name=storage_class_name,
            driver=driver,
            kms_key_arn=kms_key_arn,
            default_class=default_class,
            reclaim_policy=reclaim_policy,
            iops=iops,
            throughput=throughput,
            file_system=file_system,
        )
        self.tiers: dict[str, VolumeAttributesClass] = {}
        for tier in tiers:
            self.tiers[tier.name] = VolumeAttributesClass(
                self, f"Tier-{tier.name}", tier=tier, storage_class=self.storage_class
            )


# -- CDK construct -----------------------------------------------------------------------------------------------
def kms_statements(key_arn: str) -> list[iam.PolicyStatement]:
    """What an EBS CSI driver needs on a customer-managed key to create and attach encrypted volumes.

    See: https://docs.aws.amazon.com/eks/latest/userguide/csi-iam-role.html (custom KMS key policy)
    """
    return [
        iam.PolicyStatement(
            sid="EbsCsiKmsGrants",
            actions=["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
            resources=[key_arn],
            conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
        ),
        iam.PolicyStatement(
            sid="EbsCsiKmsUse",
            actions=[  # the guide's kms:ReEncrypt* and kms:GenerateDataKey*, spelled out (no wildcard actions)
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:DescribeKey",
            ],
            resources=[key_arn],
        ),
    ]


class EbsStorage(Construct):
    """EBS storage for a cluster: a :class:`StorageChart`, KMS permissions for the driver, delivered as one chart.

    Example::

        storage = EbsStorage(stack, "Storage", delivery=cluster.manifests, default_class=True,
                             tiers=[VolumeTier.standard(), VolumeTier.fast()])

    With a customer KMS key, the driver's role gets the key's grant and use permissions (the EKS user guide's EBS
    CSI key policy): on Auto Mode that is the cluster role (EKS Auto Mode's block storage runs with it), with the
    add-on it is the add-on's Pod Identity role, which you pass as ``kms_key_users``. A key whose key policy does not
    delegate to IAM (CDK keys do) also needs those statements in its key policy.

    Args:
        scope: parent construct.
        construct_id: construct id.
        delivery: the cluster's manifest delivery.
        driver: Default: - ``EbsDriver.AUTO_MODE``.
        storage_class_name: Default: - ``gp3``.
        default_class: make it the cluster's default class. Default: - false.
        tiers: VolumeAttributesClass tiers. Default: - ``standard`` and ``fast``.
        kms_key: customer-managed key for the volumes. Changing it affects new volumes only: the key is one of the
            class's immutable parameters, so the class is created under a new name (``<name>-<8 hex>``) with the
            default-class annotation, and the old class is deleted; existing volumes keep their key.
            Default: - ``aws/ebs``.
        kms_key_users: principals granted the key. Default: - the cluster role on Auto Mode; required with ``ADDON``.
        reclaim_policy: Default: - ``RETAIN``.
        chart_id: id of the chart (names the YAML file and custom resource). Default: - ``Storage``.

    Attributes:
        chart: the :class:`StorageChart`.
        manifest: its custom resource (None in render-only mode).
    """

    @checked_keywords("InvalidStorageSettings")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        delivery: ManifestDelivery,
        driver: EbsDriver = EbsDriver.AUTO_MODE,
        storage_class_name: str = "gp3",
        default_class: bool = False,
        tiers: Sequence[VolumeTier] | None = None,
        kms_key: kms.IKey | None = None,
        kms_key_users: Sequence[iam.IGrantable] | None = None,
        reclaim_policy: ReclaimPolicy = ReclaimPolicy.RETAIN,
        chart_id: str = "Storage",
    ) -> None:
        super().__init__(scope, construct_id)
        users = list(kms_key_users or ())
        if kms_key is not None and not users:
            cluster_role = delivery.cluster.role if isinstance(delivery.cluster, eks.Cluster) else None
            if driver is EbsDriver.AUTO_MODE and cluster_role is not None:
                users = [cluster_role]
            else:
                raise_if_problems(
                    "InvalidStorageSettings",
                    ebs.kms_key_user_problems("kms_key", "kms_key_users", has_users=False),
                    path=self.node.path,
                )
        key_arn = kms_key.key_arn if kms_key is not None else None
        key_problems = [] if key_arn is None else ebs.kms_key_arn_problems("kms_key", key_arn, region=region_of(self))
        raise_if_problems("InvalidStorageSettings", key_problems, path=lambda: path_of(self))
        self.kms_key = kms_key
        self.chart = StorageChart(
            delivery.app,
            chart_id,
            kubernetes_version=delivery.kubernetes_version,
            driver=driver,
            storage_class_name=storage_class_name,
            default_class=default_class,
            tiers=[VolumeTier.standard(), VolumeTier.fast()] if tiers is None else list(tiers),
            kms_key_arn=key_arn,
            reclaim_policy=reclaim_policy,
        )
        dependencies: list[Any] = []
        if key_arn is not None:
            for user in users:
                for statement in kms_statements(key_arn):
                    result = user.grant_principal.add_to_principal_policy(statement)
                    if result.policy_dependable is not None:
                        dependencies.append(result.policy_dependable)
        self.manifest = delivery.add_chart(self.chart, depends_on=dependencies)

    @property
    def storage_class(self) -> Gp3StorageClass:
        return self.chart.storage_class

    @property
    def tiers(self) -> dict[str, VolumeAttributesClass]:
        return self.chart.tiers
