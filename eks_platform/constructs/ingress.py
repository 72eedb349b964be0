"""An ALB IngressClass for EKS Auto Mode: ``IngressClassParams`` (``eks.amazonaws.com/v1``) and ``IngressClass``.

Auto Mode runs the load balancer controller, but an ``Ingress`` gets an Application Load Balancer only through an
``IngressClass`` whose controller is ``eks.amazonaws.com/alb``, and the user guide leaves creating it to you
(https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html). :class:`AlbIngressClass` renders both
objects as one chart, delivered like the other charts (applied, or render-only for GitOps).

Defaults are the safe ones: an ``internal`` load balancer (``internet-facing`` needs ``allow_internet_facing``), not
the default class. Annotations on an IngressClass do not configure Auto Mode load balancers; every setting is a field
of the ``IngressClassParams``.

Lifecycle: both objects are cluster-scoped and keyed by name; changing a setting updates the params in place (the
controller reconciles the load balancers of the class). Renaming the class deletes the old objects, and the load
balancers of Ingresses that still name it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
import cdk8s
from aws_cdk import aws_eks_v2 as eks
from constructs import Construct

from eks_platform._internal import ingress as rules
from eks_platform._internal.k8s_api import new_api_object
from eks_platform._internal.pod_identity import tag_problems
from eks_platform.constructs.keywords import checked_keywords
from eks_platform.constructs.manifests import ManifestDelivery, PlatformChart
from eks_platform.errors import raise_if_problems


class AlbIngressChart(PlatformChart):
    """A chart with one ``IngressClassParams`` and the ``IngressClass`` that uses it (both named ``class_name``).

    Args: see :class:`AlbIngressClass`.

    Attributes:
        params: the ``IngressClassParams`` object.
        ingress_class: the ``IngressClass`` object.
    """

    @checked_keywords("InvalidIngressClassSettings")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kubernetes_version: str,
        class_name: str = "alb",
        scheme: str = "internal",
        allow_internet_facing: bool = False,
        default_class: bool = False,
        subnet_ids: Sequence[str] | None = None,
        certificate_arns: Sequence[str] | None = None,
        ip_address_type: str | None = None,
        group_name: str | None = None,
        tags: Mapping[str, str] | None = None,
        namespace_labels: Mapping[str, str] | None = None,
    ) -> None:
        problems = rules.class_name_problems("class_name", class_name)
        problems += rules.scheme_problems(
            "scheme", scheme, allow_internet_facing=allow_internet_facing, allow_setting="allow_internet_facing"
        )
        subnets = tuple(subnet_ids or ())
        for index, subnet in enumerate(subnets):
            problems += rules.subnet_id_problems(f"subnet_ids[{index}]", subnet)
        certificates = tuple(certificate_arns or ())
        for index, arn in enumerate(certificates):
            problems += rules.certificate_arn_problems(f"certificate_arns[{index}]", arn)
        if ip_address_type is not None:
            problems += rules.ip_address_type_problems("ip_address_type", ip_address_type)
        if group_name is not None:
            problems += rules.group_name_problems("group_name", group_name)
        problems += tag_problems("tags", tags)
        raise_if_problems("InvalidIngressClassSettings", problems, path=f"{scope.node.path}/{construct_id}")
        super().__init__(scope, construct_id, kubernetes_version=kubernetes_version)
        self.class_name = class_name
        self.scheme = scheme

        spec: dict[str, Any] = {"scheme": scheme}
        if ip_address_type is not None:
            spec["ipAddressType"] = ip_address_type
        if group_name is not None:
            spec["group"] = {"name": group_name}
        if subnets:
            spec["subnets"] = {"ids": list(subnets)}
        if certificates:
            spec["certificateARNs"] = list(certificates)
        if tags:
            spec["tags"] = [{"key": k, "value": val} for k, val in sorted(tags.items())]
        if namespace_labels:
            spec["namespaceSelector"] = {"matchLabels": dict(sorted(namespace_labels.items()))}
        self.params: cdk8s.ApiObject = new_api_object(self, "Params", {
            "apiVersion": rules.PARAMS_API_VERSION,
            "kind": "IngressClassParams",
            "metadata": {"name": class_name},
            "spec": spec,
        })
        self.ingress_class: cdk8s.ApiObject = new_api_object(self, "Class", {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": {
                "name": class_name,
                **({"annotations": {rules.DEFAULT_CLASS_ANNOTATION: "true"}} if default_class else {}),
            },
            "spec": {
                "controller": rules.ALB_CONTROLLER,
                "parameters": {"apiGroup": rules.PARAMS_API_GROUP, "kind": "IngressClassParams", "name": class_name},
            },
        })


class AlbIngressClass(Construct):
    """An EKS Auto Mode ALB IngressClass delivered to the cluster.

    Example::

        AlbIngressClass(stack, "Ingress", delivery=cluster.manifests, default_class=True,
                        certificate_arns=["arn:aws:acm:us-east-1:111111111111:certificate/abcd-1234"])

    Args:
        scope: parent construct.
        construct_id: construct id.
        delivery: the cluster's manifest delivery.
        class_name: name of the IngressClass and its IngressClassParams (what Ingresses put in
            ``spec.ingressClassName``). Changing it deletes the old class. Default: - ``alb``.
        scheme: ``internal`` or ``internet-facing``. Default: - ``internal``.
        allow_internet_facing: required to use ``internet-facing``. Default: - false.
        default_class: annotate the class ``ingressclass.kubernetes.io/is-default-class: "true"`` so Ingresses
            without a class use it. Default: - false.
        subnet_ids: subnets for the load balancers. Default: - Auto Mode picks subnets by their
            ``kubernetes.io/role/elb`` / ``kubernetes.io/role/internal-elb`` tags.
        certificate_arns: ACM certificates for HTTPS listeners. Default: - none.
        ip_address_type: ``ipv4``, ``dualstack`` or ``dualstack-without-public-ipv4``. Default: - the controller's
            (``ipv4``).
        group_name: IngressGroup: Ingresses of this class share one load balancer. Default: - one per Ingress.
        tags: AWS tags on the load balancers. Auto Mode's managed policies do not allow custom tags: the cluster
            role needs tagging permissions (a warning says so). Default: - none.
        namespace_labels: only namespaces with these labels may use the class. Default: - every namespace.
        chart_id: id of the chart (names the YAML file and custom resource). Default: - ``Ingress``.

    Attributes:
        chart: the :class:`AlbIngressChart`.
        manifest: its custom resource (None in render-only mode).

    See: https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html
    """

    @checked_keywords("InvalidIngressClassSettings")
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        delivery: ManifestDelivery,
        class_name: str = "alb",
        scheme: str = "internal",
        allow_internet_facing: bool = False,
        default_class: bool = False,
        subnet_ids: Sequence[str] | None = None,
        certificate_arns: Sequence[str] | None = None,
        ip_address_type: str | None = None,
        group_name: str | None = None,
        tags: Mapping[str, str] | None = None,
        namespace_labels: Mapping[str, str] | None = None,
        chart_id: str = "Ingress",
    ) -> None:
        super().__init__(scope, construct_id)
        self.chart = AlbIngressChart(
            delivery.app,
            chart_id,
            kubernetes_version=delivery.kubernetes_version,
            class_name=class_name,
            scheme=scheme,
            allow_internet_facing=allow_internet_facing,
            default_class=default_class,
            subnet_ids=subnet_ids,
            certificate_arns=certificate_arns,
            ip_address_type=ip_address_type,
            group_name=group_name,
            tags=tags,
            namespace_labels=namespace_labels,
        )
        if tags:
            cdk.Annotations.of(self).add_warning_v2(
                "eks-platform:alb-tags",
                "IngressClassParams tags need tagging permissions on the cluster IAM role: the EKS Auto Mode managed "
                "policies do not allow custom tags on load balancers "
                "(https://docs.aws.amazon.com/eks/latest/userguide/auto-cluster-iam-role.html#tag-prop).",
            )
        self.manifest: eks.KubernetesManifest | None = delivery.add_chart(self.chart)
