"""Every object the ingress and GitOps charts render is valid: built-in kinds under ``kubernetes-validate --strict``
for each supported Kubernetes minor, ``IngressClassParams`` and Argo CD ``Application`` against the schemas vendored
in ``tests/schemas`` (provenance in ``tests/schemas/README.md``)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import cdk8s
import jsonschema
import kubernetes_validate
import pytest
import yaml

from eks_platform.constructs.gitops import ArgoCdBootstrapChart
from eks_platform.constructs.ingress import AlbIngressChart
from tests.k8s_support import strictify
from tests.support import SCHEMAS_DIR

SCHEMAS = SCHEMAS_DIR
PARAMS_SCHEMA = SCHEMAS / "eks.amazonaws.com_ingressclassparams.schema.json"
APPLICATION_CRD = SCHEMAS / "argoproj.io_applications.yaml"
CERT = "arn:aws:acm:us-east-1:111111111111:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"
VERSIONS = ["1.31", "1.32", "1.33", "1.34", "1.35"]


@cache
def params_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(PARAMS_SCHEMA.read_text())
    return schema


@cache
def application_schema() -> dict[str, Any]:
    # libyaml's parser (same safe constructor, same objects) reads the 400 KB CRD in a seventh of the time
    crd = yaml.load(APPLICATION_CRD.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1"]
    schema: dict[str, Any] = strictify(version["schema"]["openAPIV3Schema"])
    return schema


def check(obj: dict[str, Any], version: str) -> None:
    key = (obj["apiVersion"], obj["kind"])
    if key == ("eks.amazonaws.com/v1", "IngressClassParams"):
        jsonschema.Draft202012Validator(params_schema()).validate(obj)
    elif key == ("argoproj.io/v1alpha1", "Application"):
        jsonschema.Draft202012Validator(application_schema()).validate(obj)
    else:
        assert kubernetes_validate.validate(obj, version, strict=True) == version


def ingress_objects(version: str, **kwargs: Any) -> list[dict[str, Any]]:
    chart = AlbIngressChart(cdk8s.App(), "Ingress", kubernetes_version=version, **kwargs)
    objects: list[dict[str, Any]] = chart.to_json()
    return objects


def bootstrap_objects(version: str) -> list[dict[str, Any]]:
    synced = [
        *ingress_objects(version),
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "reporting", "namespace": "apps"}},
        {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "batch"}},
    ]
    chart = ArgoCdBootstrapChart(
        cdk8s.App(), "GitOps", kubernetes_version=version, argocd_namespace="argocd",
        principal_arn="arn:aws:iam::111111111111:role/eksp-demo-argocd",
        cluster_arn="arn:aws:eks:us-east-1:111111111111:cluster/demo", name="demo",
        repository_url="https://github.com/example/platform.git", path="manifests/demo", synced_objects=synced,
    )
    objects: list[dict[str, Any]] = chart.to_json()
    return objects


def test_the_vendored_schemas_are_present() -> None:
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    for path in (PARAMS_SCHEMA, APPLICATION_CRD):
        assert path.is_file(), path
        assert f"`{path.name}`" in readme, f"{path.name} has no row (source, version, license) in the README"
    assert "tests/schemas/argoproj.io_applications.yaml" in (SCHEMAS.parent.parent / "NOTICE").read_text()
    jsonschema.Draft202012Validator.check_schema(params_schema())


@pytest.mark.parametrize("version", VERSIONS)
def test_every_ingress_setting_renders_valid_objects(version: str) -> None:
    for kwargs in ({}, {
        "class_name": "public", "scheme": "internet-facing", "allow_internet_facing": True, "default_class": True,
        "subnet_ids": ["subnet-0a1b2c3d"], "certificate_arns": [CERT], "ip_address_type": "dualstack",
        "group_name": "apps", "tags": {"team": "web"}, "namespace_labels": {"ingress": "public"},
    }):
        for obj in ingress_objects(version, **kwargs):
            check(obj, version)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_bootstrap_object_is_valid(version: str) -> None:
    objects = bootstrap_objects(version)
    assert sorted({o["kind"] for o in objects}) == [
        "Application", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Secret"]
    for obj in objects:
        check(obj, version)


def test_the_oracles_reject_unknown_fields() -> None:
    params = ingress_objects("1.32")[0]
    params["spec"]["certificateArn"] = [CERT]  # the v1beta1 name Auto Mode renamed
    with pytest.raises(jsonschema.ValidationError):
        check(params, "1.32")
    application = next(o for o in bootstrap_objects("1.32") if o["kind"] == "Application")
    application["spec"]["source"]["repoUrl"] = "https://example.com"
    with pytest.raises(jsonschema.ValidationError):
        check(application, "1.32")
    ingress_class = ingress_objects("1.32")[1]
    ingress_class["spec"]["controler"] = "x"
    with pytest.raises(kubernetes_validate.ValidationError):
        check(ingress_class, "1.32")
