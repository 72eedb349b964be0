"""The `platform` context parser: defaults, environment, and one ConfigError listing every problem."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from eks_platform import ConfigError, EndpointAccess, PlatformConfig, parse_platform_config
from eks_platform.config import context_keys
from tests.support import cdk_json_context


def test_cdk_json_platform_object_parses() -> None:
    config = parse_platform_config(cdk_json_context()["platform"], environ={})
    assert config.cluster_name == "eks-platform"
    assert config.kubernetes_version == "1.32"
    assert config.admin_principal_arns == ("arn:aws:iam::111111111111:role/PlatformAdmin",)


def test_defaults_when_empty() -> None:
    config = parse_platform_config({}, environ={})
    assert config == PlatformConfig()
    assert config.account == "111111111111"
    assert config.region == "us-east-1"
    assert config.endpoint_public_cidrs == ()
    assert config.built_in_node_pools == ("system", "general-purpose")


def test_account_and_region_from_cdk_default_environment() -> None:
    environ = {"CDK_DEFAULT_ACCOUNT": "222222222222", "CDK_DEFAULT_REGION": "eu-west-1"}
    config = parse_platform_config({}, environ=environ)
    assert (config.account, config.region) == ("222222222222", "eu-west-1")


def test_explicit_account_region_win_over_environment() -> None:
    config = parse_platform_config(
        {"account": "333333333333", "region": "ap-southeast-2"}, environ={"CDK_DEFAULT_ACCOUNT": "222222222222"}
    )
    assert (config.account, config.region) == ("333333333333", "ap-southeast-2")


def test_typed_values() -> None:
    config = parse_platform_config(
        {"endpointAccess": "public-and-private", "endpointPublicCidrs": ["203.0.113.0/24"], "tags": {"a": "b"}},
        environ={},
    )
    assert config.endpoint_access is EndpointAccess.PUBLIC_AND_PRIVATE
    assert config.endpoint_public_cidrs == ("203.0.113.0/24",)
    assert dict(config.tags) == {"a": "b"}


def test_config_is_frozen() -> None:
    config = parse_platform_config({}, environ={})
    with pytest.raises(AttributeError):
        config.cluster_name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "pattern"),
    [
        ({"clustrName": "x"}, r"platform has an unknown key 'clustrName'; did you mean 'clusterName'\?"),
        ({"kubernetesVersion": 1.32}, r"platform.kubernetesVersion 1.32 is not a Kubernetes minor version"),
        ({"kubernetesVersion": "v1.32"}, r"platform.kubernetesVersion 'v1.32'"),
        ({"kubernetesVersion": "1.32.0"}, r"platform.kubernetesVersion '1.32.0'"),
        ({"kubernetesVersion": "1.3"}, r"platform.kubernetesVersion '1.3'"),
        ({"kubernetesVersion": ""}, r"platform.kubernetesVersion ''"),
        ({"endpointPublicCidrs": ["10.0.0.1/8"]}, r"platform.endpointPublicCidrs\[0\] '10.0.0.1/8' has host bits set"),
        ({"endpointPublicCidrs": ["fd00::/8"]}, r"platform.endpointPublicCidrs\[0\] 'fd00::/8' is an IPv6 range"),
        ({"endpointPublicCidrs": "10.0.0.0/8"}, r"platform.endpointPublicCidrs must be a list of strings, got string"),
        (
            {"adminPrincipalArns": ["arn:aws:iam::1:role/x"]},
            r"platform.adminPrincipalArns\[0\].*not an IAM role or user ARN",
        ),
        ({"clusterName": "_x"}, r"platform.clusterName '_x' breaks the EKS naming rule"),
        ({"builtInNodePools": ["gpu"]}, r"platform.builtInNodePools\[0\] 'gpu' is not an Auto Mode built-in node pool"),
        ({"endpointAccess": "open"}, r"platform.endpointAccess 'open' is not one of"),
        ({"deletionProtection": "yes"}, r"platform.deletionProtection must be true or false"),
        ({"natGateways": True}, r"platform.natGateways True must be a whole number"),
        ({"account": "12345"}, r"platform.account '12345' is not a 12-digit AWS account ID"),
        ({"region": "moon-1"}, r"platform.region 'moon-1' is not an AWS region"),
        ({"region": "us-east-7"}, r"platform.region 'us-east-7' is not an AWS region; did you mean"),
        ({"tags": {"a": 1}}, r"platform.tags.a must be a string"),
    ],
)
def test_fails_when_context_is_invalid(raw: dict[str, Any], pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern) as info:
        parse_platform_config(raw, environ={})
    assert info.value.code == "InvalidPlatformConfig"


def test_fails_when_version_is_past_extended_support() -> None:
    with pytest.raises(ConfigError, match=r"platform.kubernetesVersion '1.31' left EKS extended support on 2026-11-26"):
        parse_platform_config({"kubernetesVersion": "1.31"}, environ={}, today=dt.date(2026, 11, 27))


def test_version_in_extended_support_is_accepted() -> None:
    config = parse_platform_config({"kubernetesVersion": "1.32"}, environ={}, today=dt.date(2026, 11, 27))
    assert config.kubernetes_version == "1.32"


def test_fails_with_one_error_listing_every_problem() -> None:
    raw = {"clustrName": "x", "kubernetesVersion": "v1", "endpointPublicCidrs": ["nope"], "account": "1"}
    with pytest.raises(ConfigError) as info:
        parse_platform_config(raw, environ={})
    assert len(info.value.problems) == 4
    for setting in ("clustrName", "kubernetesVersion", "endpointPublicCidrs[0]", "platform.account"):
        assert setting in str(info.value)


def test_fails_when_platform_is_not_an_object() -> None:
    with pytest.raises(ConfigError, match="must be a JSON object"):
        parse_platform_config(["x"], environ={})


def test_every_key_is_documented_in_readme() -> None:
    from tests.support import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text()
    missing = [key for key in context_keys() if f"`{key}`" not in readme]
    assert missing == []


def test_fails_when_the_default_version_is_past_extended_support() -> None:
    """Without kubernetesVersion the default (1.32) is checked too: its extended support ends 2027-03-23."""
    with pytest.raises(ConfigError, match=r"platform.kubernetesVersion '1.32'"):
        parse_platform_config({}, environ={}, today=dt.date(2027, 3, 24))


@pytest.mark.parametrize("region", [[798], {"a": 1}, 7, None])
def test_a_region_of_the_wrong_type_is_a_config_error(region: object) -> None:
    """Found by the schema fuzzer: the region also decides the partition of every ARN, so it is read early."""
    with pytest.raises(ConfigError, match=r"platform\.region"):
        parse_platform_config({"region": region, "adminPrincipalArns": ["arn:aws:iam::111111111111:role/x"]},
                              environ={})
