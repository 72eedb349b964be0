"""Hybrid rules against independent oracles: CIDR rules vs ``ipaddress``, kubelet memory sums vs integer arithmetic.

Invariant everywhere: invalid input raises ``ConfigError`` and nothing else.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import aws_cdk as cdk
from hypothesis import given, settings
from hypothesis import strategies as st

from eks_platform import ConfigError, HybridKubeletConfig, HybridNetworks, IamRolesAnywhereOptions

SETTINGS = settings(max_examples=200, deadline=None)
RFC1918 = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
TOKENS = [cdk.Token.as_string(cdk.Fn.import_value(f"RemoteCidr{i}")) for i in range(3)]


@st.composite
def network_text(draw: Any, space: ipaddress.IPv4Network | None = None) -> str:
    """A strict network (no host bits) inside ``space`` (any IPv4 when None)."""
    if space is None:
        prefix = draw(st.integers(min_value=0, max_value=32))
        address = draw(st.integers(min_value=0, max_value=2**32 - 1))
    else:
        prefix = draw(st.integers(min_value=space.prefixlen, max_value=32))
        address = int(space.network_address) + draw(st.integers(min_value=0, max_value=space.num_addresses - 1))
    return str(ipaddress.IPv4Network((address, prefix), strict=False))


private = st.sampled_from(RFC1918).flatmap(lambda space: network_text(space))
cidr_like = st.one_of(
    private,
    private,
    network_text(),  # public, CGNAT, anything
    network_text(ipaddress.IPv4Network("100.64.0.0/10")),
    private.map(lambda n: n.replace(".0/", ".1/", 1)),  # usually host bits set
    st.sampled_from(["fd00::/64", "2001:db8::/32", "10.0.0.0", "rack-1", "", "10.0.0.0/33", "300.1.1.0/24"]),
    st.sampled_from(TOKENS),
)
cidr_lists = st.lists(cidr_like, max_size=17)


def oracle_valid(nodes: list[str], pods: list[str]) -> bool:
    """Written from the EKS rules with ipaddress only."""
    if not nodes or len(nodes) > 15 or len(pods) > 15:
        return False
    groups: list[list[ipaddress.IPv4Network]] = []
    for values in (nodes, pods):
        nets = []
        for value in values:
            if value in TOKENS:
                continue
            try:
                net = ipaddress.ip_network(value, strict=True)
            except ValueError:
                return False
            if net.version != 4 or "/" not in value or str(net) != value:
                return False
            if not any(net.subnet_of(block) for block in RFC1918):  # also excludes CGNAT, public and < /8
                return False
            nets.append(net)
        groups.append(nets)
    every = groups[0] + groups[1]
    return not any(a.overlaps(b) for i, a in enumerate(every) for b in every[i + 1 :])


def _valid(nodes: list[str], pods: list[str]) -> bool:
    try:
        HybridNetworks(node_cidrs=nodes, pod_cidrs=pods)
    except ConfigError:
        return False
    return True


@SETTINGS
@given(nodes=cidr_lists, pods=cidr_lists)
def test_cidr_rules_match_the_ipaddress_oracle(nodes: list[str], pods: list[str]) -> None:
    assert _valid(nodes, pods) == oracle_valid(nodes, pods)


disjoint_lists = st.lists(st.integers(min_value=0, max_value=255), min_size=12, max_size=18, unique=True).map(
    lambda octets: [f"10.{o}.0.0/16" for o in octets]
)


@SETTINGS
@given(nodes=disjoint_lists, pods=st.lists(st.sampled_from(TOKENS), max_size=16))
def test_list_length_limit_matches_the_oracle(nodes: list[str], pods: list[str]) -> None:
    assert _valid(nodes, pods) == oracle_valid(nodes, pods)


@SETTINGS
@given(nodes=cidr_lists, pods=cidr_lists, data=st.data())
def test_validity_and_problem_count_do_not_depend_on_order(nodes: list[str], pods: list[str], data: Any) -> None:
    shuffled_nodes = data.draw(st.permutations(nodes))
    shuffled_pods = data.draw(st.permutations(pods))

    def problems(n: list[str], p: list[str]) -> int:
        try:
            HybridNetworks(node_cidrs=n, pod_cidrs=p)
        except ConfigError as error:
            return len(error.problems)
        return 0

    assert problems(nodes, pods) == problems(list(shuffled_nodes), list(shuffled_pods))
    # swapping the roles of the two lists never turns an overlap into a non-overlap
    if nodes and pods:
        assert _valid(nodes, pods) == _valid(list(shuffled_nodes), list(shuffled_pods))


@SETTINGS
@given(nodes=st.lists(private, min_size=1, max_size=4), token=st.sampled_from(TOKENS))
def test_tokens_pass_through_unjudged(nodes: list[str], token: str) -> None:
    with_token = [*nodes, token]
    assert _valid(with_token, []) == oracle_valid(nodes, [])
    if oracle_valid(nodes, []):
        assert HybridNetworks(node_cidrs=with_token).node_cidrs == tuple(with_token)


@SETTINGS
@given(node=private, vpc=private)
def test_vpc_overlap_matches_the_oracle(node: str, vpc: str) -> None:
    networks = HybridNetworks(node_cidrs=[node])
    problems = networks.cluster_problems(vpc_cidrs=[vpc], service_ipv4_cidr="192.0.2.0/24")
    overlaps = ipaddress.IPv4Network(node).overlaps(ipaddress.IPv4Network(vpc))
    assert any("overlaps the VPC CIDR" in p for p in problems) == overlaps


@SETTINGS
@given(pod=private, vpc=private)
def test_default_service_cidr_follows_the_vpc(pod: str, vpc: str) -> None:
    spare = ipaddress.IPv4Network("192.168.255.255/32")
    node = "10.255.255.255/32" if ipaddress.IPv4Network(pod).overlaps(spare) else str(spare)
    try:
        networks = HybridNetworks(node_cidrs=[node], pod_cidrs=[pod])
    except ConfigError:
        return  # node and pod overlap: judged elsewhere
    in_ten = ipaddress.IPv4Network(vpc).subnet_of(ipaddress.IPv4Network("10.0.0.0/8"))
    service = ipaddress.IPv4Network("172.20.0.0/16" if in_ten else "10.100.0.0/16")
    problems = networks.cluster_problems(vpc_cidrs=[vpc])
    expected = ipaddress.IPv4Network(pod).overlaps(service) or ipaddress.IPv4Network(node).overlaps(service)
    assert any("EKS default service CIDR" in p for p in problems) == expected


MIB = 1024**2
mib_amount = st.integers(min_value=0, max_value=4096)


@SETTINGS
@given(reserved=st.dictionaries(st.integers(min_value=0, max_value=3), mib_amount, min_size=1, max_size=4),
       kube=mib_amount, system=st.none() | mib_amount, evict=st.none() | mib_amount)
def test_static_memory_manager_sum_matches_integer_arithmetic(
    reserved: dict[int, int], kube: int, system: int | None, evict: int | None
) -> None:
    expected_total = kube + (system or 0) + (100 if evict is None else evict)
    oracle = all(v > 0 for v in reserved.values()) and sum(reserved.values()) == expected_total
    try:
        HybridKubeletConfig(
            memory_manager_policy="Static",
            reserved_memory={numa: f"{mib}Mi" for numa, mib in reserved.items()},
            kube_reserved_memory=f"{kube}Mi",
            system_reserved_memory=None if system is None else f"{system * MIB}",
            eviction_hard_memory=None if evict is None else f"{evict}Mi",
        )
        valid = True
    except ConfigError:
        valid = False
    assert valid == oracle


@SETTINGS
@given(text=st.text(max_size=300) | st.sampled_from(["-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----"]))
def test_arbitrary_text_is_never_a_ca_bundle_and_fails_only_with_config_error(text: str) -> None:
    try:
        IamRolesAnywhereOptions(ca_bundle_pem=text)
    except ConfigError as error:
        assert error.code == "InvalidHybridCredentials"
    else:
        raise AssertionError(f"accepted {text!r}")


# -- Cilium pool and routable pod CIDRs ------------------------------------------------------------------------------
def pool_oracle(pool: list[str], pods: list[str]) -> bool:
    """Every pool CIDR lies inside one of the pod CIDRs, none twice (written with ipaddress only)."""
    if not pool:
        return False
    try:
        pool_nets = [ipaddress.IPv4Network(p, strict=True) for p in pool]
    except ValueError:
        return False
    pod_nets = [ipaddress.IPv4Network(p) for p in pods]
    inside = all(any(n.subnet_of(pod) for pod in pod_nets) for n in pool_nets)
    return inside and len(set(pool_nets)) == len(pool_nets)


@SETTINGS
@given(pods=st.lists(network_text(ipaddress.IPv4Network("192.168.0.0/16")), min_size=1, max_size=3),
       pool=st.lists(st.one_of(network_text(ipaddress.IPv4Network("192.168.0.0/16")), cidr_like), max_size=4))
def test_cilium_pool_rule_matches_the_ipaddress_oracle(pods: list[str], pool: list[str]) -> None:
    from eks_platform._internal.hybrid.cilium import pool_problems

    pool = [p for p in pool if p not in TOKENS]
    assert (pool_problems("cilium_pool_cidrs", pool, pods) == []) == pool_oracle(pool, pods)


@SETTINGS
@given(routable=st.one_of(st.booleans(), st.none(), st.integers(), st.text(max_size=3)),
       pods=st.lists(private, max_size=2))
def test_routable_pod_cidrs_fail_only_with_config_error(routable: Any, pods: list[str]) -> None:
    try:
        networks = HybridNetworks(node_cidrs=["192.168.100.0/24"], pod_cidrs=pods, pod_cidrs_routable=routable)
    except ConfigError:
        return
    assert isinstance(routable, bool) and (pods or not routable)
    assert networks.pod_cidrs_routable is routable
