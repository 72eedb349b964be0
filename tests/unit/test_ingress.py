"""The EKS Auto Mode ALB IngressClass: IngressClassParams + IngressClass, internal unless explicitly allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cdk8s
import pytest
import yaml
from aws_cdk.assertions import Annotations, Match

from eks_platform.constructs.cluster import AutoModeCluster
from eks_platform.constructs.ingress import AlbIngressChart, AlbIngressClass
from eks_platform.constructs.manifests import DeliveryMode, ManifestDelivery
from eks_platform.errors import ConfigError
from tests.support import new_app, new_stack, resources_of, synth_stack

CERT = "arn:aws:acm:us-east-1:111111111111:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"


def chart(**kwargs: Any) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = AlbIngressChart(cdk8s.App(), "Ingress", kubernetes_version="1.32",
                                                    **kwargs).to_json()
    return objects


def test_defaults_are_an_internal_non_default_class() -> None:
    params, ingress_class = chart()
    assert params == {
        "apiVersion": "eks.amazonaws.com/v1",
        "kind": "IngressClassParams",
        "metadata": {"name": "alb"},
        "spec": {"scheme": "internal"},
    }
    assert ingress_class == {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {"name": "alb"},
        "spec": {
            "controller": "eks.amazonaws.com/alb",
            "parameters": {"apiGroup": "eks.amazonaws.com", "kind": "IngressClassParams", "name": "alb"},
        },
    }


def test_every_setting_lands_in_the_params() -> None:
    params, ingress_class = chart(
        class_name="public", scheme="internet-facing", allow_internet_facing=True, default_class=True,
        subnet_ids=["subnet-0a1b2c3d"], certificate_arns=[CERT], ip_address_type="dualstack", group_name="apps",
        tags={"team": "web", "env": "prod"}, namespace_labels={"ingress": "public"},
    )
    assert params["spec"] == {
        "scheme": "internet-facing",
        "ipAddressType": "dualstack",
        "group": {"name": "apps"},
        "subnets": {"ids": ["subnet-0a1b2c3d"]},
        "certificateARNs": [CERT],
        "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "web"}],
        "namespaceSelector": {"matchLabels": {"ingress": "public"}},
    }
    assert ingress_class["metadata"] == {
        "name": "public", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}}
    assert ingress_class["spec"]["parameters"]["name"] == "public"


def test_fails_when_internet_facing_is_not_allowed() -> None:
    with pytest.raises(ConfigError, match=r"scheme is 'internet-facing'.*set allow_internet_facing to true"):
        chart(scheme="internet-facing")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scheme": "public"}, "scheme 'public' is not a load balancer scheme"),
        ({"subnet_ids": ["sn-1"]}, r"subnet_ids\[0\] 'sn-1'"),
        ({"certificate_arns": ["arn:aws:iam::1:server-certificate/x"]}, r"certificate_arns\[0\]"),
        ({"ip_address_type": "ipv6"}, "ip_address_type 'ipv6'"),
        ({"group_name": "Apps"}, "group_name 'Apps'"),
        ({"tags": {"aws:owner": "x"}}, "starts with 'aws:'"),
        ({"class_name": "ALB"}, "class_name"),
    ],
)
def test_fails_on_malformed_settings(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        chart(**kwargs)


@pytest.fixture(scope="module")
def delivered() -> dict[str, Any]:
    app = new_app()
    stack = new_stack(app, "Ingress")
    cluster = AutoModeCluster(stack, "Cluster", cluster_name="demo", version="1.32", kubectl=True)
    delivery = ManifestDelivery(stack, "Manifests", cluster=cluster.cluster, kubernetes_version="1.32",
                                mode=DeliveryMode.APPLY)
    construct = AlbIngressClass(stack, "Alb", delivery=delivery, tags={"team": "web"})
    template = synth_stack(stack, label="ingress")
    return {"stack": stack, "template": template, "construct": construct, "outdir": app.outdir}


def test_the_chart_is_one_custom_resource_per_object_and_one_yaml_file(delivered: dict[str, Any]) -> None:
    manifests = resources_of(delivered["template"], "Custom::AWSCDK-EKS-KubernetesResource")
    assert len(manifests) == 2  # IngressClassParams, then the IngressClass that names it
    assert delivered["construct"].manifest is not None
    folder = Path(delivered["outdir"]) / "manifests" / "demo"
    kinds = [o["kind"] for o in yaml.safe_load_all((folder / "Ingress.k8s.yaml").read_text())]
    assert kinds == ["IngressClassParams", "IngressClass"]
    assert yaml.safe_load((folder / "kustomization.yaml").read_text())["resources"] == ["Ingress.k8s.yaml"]


def test_tags_warn_that_the_cluster_role_needs_tagging_permissions(delivered: dict[str, Any]) -> None:
    Annotations.from_stack(delivered["stack"]).has_warning(
        "/Ingress/Alb", Match.string_like_regexp("cluster IAM role")
    )
