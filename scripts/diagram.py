"""Draw the reference architecture from the synthesized reference app (``make diagram``).

Writes ``docs/architecture.dot`` (Graphviz source, deterministic: the same app always gives the same bytes) and
renders ``docs/architecture.png`` with Graphviz ``dot``, stamping the PNG with the SHA-256 of the DOT source it was
rendered from. ``tests/contract/test_diagram.py`` regenerates the DOT text from the reference app and compares it with
the committed file, and checks the PNG's stamp, so CI needs no Graphviz.

The picture is a summary, not a dump: resources are grouped by what they are for (network, control plane, Auto Mode
compute, add-ons, Pod Identity, Kubernetes manifests, hybrid nodes, kubectl provider), plumbing such as route tables
is folded into the node it serves, and an arrow ``A -> B`` means "B references A" (B is built on A).

Usage: ``python scripts/diagram.py [--check]`` (``--check`` exits 1 if the committed DOT is out of date).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DOT_PATH = REPO_ROOT / "docs" / "architecture.dot"
PNG_PATH = REPO_ROOT / "docs" / "architecture.png"

#: Groups in drawing order: (key, title, fill colour).
GROUPS: tuple[tuple[str, str, str], ...] = (
    ("network", "Network (VPC)", "#eef5ff"),
    ("control", "EKS control plane", "#fff4e5"),
    ("compute", "Auto Mode compute", "#effaf0"),
    ("addons", "EKS add-ons", "#f4efff"),
    ("pod_identity", "Pod Identity", "#ffeef3"),
    ("manifests", "Kubernetes manifests (storage, node pools)", "#eefaf9"),
    ("hybrid", "Hybrid nodes", "#fdf6e3"),
    ("kubectl", "kubectl provider (Lambda)", "#f2f2f2"),
    ("other", "Other", "#ffffff"),
)
_GROUP_KEYS = {key for key, _, _ in GROUPS}
_HASH_SUFFIX = re.compile(r"[0-9A-F]{8}$")
_SUBNET_SEGMENT = re.compile(r"^(?P<name>.+)Subnet\d+$")
_NETWORK_PLUMBING = {
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::EIP",
    "AWS::EC2::NatGateway",
}
_MANIFEST_TYPES = ("Custom::AWSCDK-EKS-KubernetesResource", "Custom::AWSCDK-EKS-HelmChart")


@dataclass(frozen=True, kw_only=True, slots=True)
class Resource:
    """One CloudFormation resource with the construct path that made it (``path`` excludes the stack)."""

    stack: str
    logical_id: str
    type: str
    properties: Mapping[str, Any]
    path: str

    @property
    def segments(self) -> list[str]:
        return [part for part in self.path.split("/") if part]


@dataclass(kw_only=True, slots=True)
class Unit:
    """One box of the picture: one or more resources that serve one purpose."""

    key: str
    group: str
    label_lines: list[str]
    members: list[Resource]


# -- input ------------------------------------------------------------------------------------------------------------


def resources_of_app(app: Any, templates: Mapping[str, Mapping[str, Any]]) -> list[Resource]:
    """Every resource of ``templates`` (by stack name) with its construct path from ``app``'s tree."""
    import aws_cdk as cdk

    paths: dict[tuple[str, str], str] = {}
    for construct in app.node.find_all():
        if isinstance(construct, cdk.CfnResource):
            stack = cdk.Stack.of(construct)
            logical_id = str(stack.resolve(construct.logical_id))
            full = construct.node.path
            paths[(stack.stack_name, logical_id)] = full.split("/", 1)[1] if "/" in full else full
    found = []
    for stack_name in sorted(templates):
        for logical_id, resource in sorted(templates[stack_name].get("Resources", {}).items()):
            found.append(
                Resource(
                    stack=stack_name,
                    logical_id=logical_id,
                    type=str(resource.get("Type", "")),
                    properties=resource.get("Properties") or {},
                    path=paths.get((stack_name, logical_id), logical_id),
                )
            )
    return found


def references(value: Any) -> Iterator[str]:
    """Logical IDs that ``value`` references through Ref, Fn::GetAtt or Fn::Sub."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str) and not item.startswith("AWS::"):
                yield item
            elif key == "Fn::GetAtt" and isinstance(item, list) and item and isinstance(item[0], str):
                yield item[0]
            elif key == "Fn::Sub":
                text = item[0] if isinstance(item, list) and item else item
                if isinstance(text, str):
                    for name in re.findall(r"\$\{([^}!.][^}.]*)(?:\.[^}]*)?\}", text):
                        if not name.startswith("AWS::"):
                            yield name
                if isinstance(item, list) and len(item) > 1:
                    yield from references(item[1])
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


# -- classification ---------------------------------------------------------------------------------------------------


def _readable(logical_id: str) -> str:
    return _HASH_SUFFIX.sub("", logical_id) or logical_id


def _tag(properties: Mapping[str, Any], key: str) -> str | None:
    for tag in properties.get("Tags") or []:
        if isinstance(tag, Mapping) and tag.get("Key") == key and isinstance(tag.get("Value"), str):
            return str(tag["Value"])
    return None


def _literal(value: Any, default: str = "?") -> str:
    return str(value) if isinstance(value, str | int | float | bool) else default


def _manifest_objects(value: Any) -> list[Mapping[str, Any]]:
    """The Kubernetes objects of a KubernetesManifest ``Manifest`` property (a JSON string or an Fn::Join)."""
    if isinstance(value, Mapping) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        value = separator.join(part if isinstance(part, str) else "TOKEN" for part in parts)
    if not isinstance(value, str):
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        return []
    items = parsed if isinstance(parsed, list) else [parsed]
    return [item for item in items if isinstance(item, Mapping)]


class _Classifier:
    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources = resources
        self.by_id = {(r.stack, r.logical_id): r for r in resources}
        self.cluster_roles: dict[tuple[str, str], str] = {}
        for resource in resources:
            if resource.type == "AWS::EKS::Cluster":
                for target in references(resource.properties.get("RoleArn")):
                    self.cluster_roles[(resource.stack, target)] = "cluster role"
                compute = resource.properties.get("ComputeConfig") or {}
                for target in references(compute.get("NodeRoleArn")):
                    self.cluster_roles[(resource.stack, target)] = "node role"
        self.subnet_kinds: dict[tuple[str, str], str] = {}
        for resource in resources:
            if resource.type == "AWS::EC2::Subnet":
                kind = (_tag(resource.properties, "aws-cdk:subnet-type") or "Private").lower()
                parent = "/".join(resource.segments[:-1])
                self.subnet_kinds[(resource.stack, parent)] = kind

    def _subnet_kind(self, resource: Resource) -> str | None:
        segments = resource.segments
        for depth in range(len(segments), 0, -1):
            kind = self.subnet_kinds.get((resource.stack, "/".join(segments[:depth])))
            if kind:
                return kind
        return None

    def classify(self, resource: Resource) -> tuple[str, str]:
        """``(group, unit key)`` of a resource; the unit key is unique within its stack."""
        segments = resource.segments
        top = segments[0] if segments else resource.logical_id
        kind = resource.type
        role_kind = self.cluster_roles.get((resource.stack, resource.logical_id))
        if "KubectlReadyBarrier" in segments:  # a wait condition of aws_eks_v2.Cluster, kubectl or not
            return "control", "cluster"
        if any(part.startswith("Kubectl") for part in segments) or kind in ("AWS::Lambda::Function",
                                                                              "AWS::Lambda::LayerVersion"):
            return "kubectl", "kubectl-provider"
        if top.startswith("Hybrid"):
            return "hybrid", f"{top}|{kind}"
        if top.startswith("NodePool"):  # custom NodeClasses' node role and its EC2 access entry
            return "compute", f"{top}|{kind}"
        if "Addons" in segments[:-1]:
            name = segments[segments.index("Addons") + 1]
            return "addons", f"addon:{name}"
        if "PodIdentities" in segments[:-1]:
            name = segments[segments.index("PodIdentities") + 1]
            return "pod_identity", f"pod-identity:{name}"
        if kind == "AWS::EKS::PodIdentityAssociation":
            return "pod_identity", "pod-identity:" + "/".join(segments[:-2] or segments)
        if kind in _MANIFEST_TYPES or kind.startswith("Custom::"):
            return "manifests", f"manifest:{resource.path}"
        if kind == "AWS::EKS::Cluster":
            return "control", "cluster"
        if role_kind == "node role":
            return "compute", "node-role"
        if role_kind == "cluster role":
            return "control", "cluster-role"
        if kind == "AWS::KMS::Key" and top == "Cluster":
            return "control", "secrets-key"
        if kind == "AWS::EKS::AccessEntry":
            return "control", f"access-entries:{top}"
        if kind == "AWS::EC2::SecurityGroup" and "ControlPlaneSecurityGroup" in segments:
            return "control", "control-plane-sg"
        if kind.startswith("AWS::EC2::"):
            subnet_kind = self._subnet_kind(resource)
            if kind == "AWS::EC2::Subnet" or (subnet_kind and kind in _NETWORK_PLUMBING):
                return "network", f"subnets:{subnet_kind or 'private'}"
            if kind in _NETWORK_PLUMBING or kind in ("AWS::EC2::VPC", "AWS::EC2::InternetGateway",
                                                     "AWS::EC2::VPCGatewayAttachment"):
                return "network", "vpc"
            return "network", f"ec2:{kind}"
        return "other", f"{top}|{kind}"


# -- labels -----------------------------------------------------------------------------------------------------------


def _construct_name(resource: Resource) -> str:
    """The construct path of a resource without its stack-level owner and CDK's ``Resource``/``Default`` leaves."""
    segments = resource.segments[1:]
    while segments and segments[-1] in ("Resource", "Default"):
        segments = segments[:-1]
    return "/".join(segments) or _readable(resource.logical_id)


def _chart_name(resource: Resource) -> str:
    """The chart a manifest resource applies: the construct after ``Manifests`` (else its construct name)."""
    segments = resource.segments
    if "Manifests" in segments[:-1]:
        return segments[segments.index("Manifests") + 1]
    return _construct_name(resource)


def _count(members: Sequence[Resource], resource_type: str) -> int:
    return sum(1 for member in members if member.type == resource_type)


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _label(key: str, group: str, members: Sequence[Resource]) -> list[str]:
    first = members[0]
    if key == "cluster":
        props = first.properties
        vpc_config = props.get("ResourcesVpcConfig") or {}
        public = vpc_config.get("EndpointPublicAccess")
        private = vpc_config.get("EndpointPrivateAccess")
        endpoint = {(True, True): "public + private", (True, False): "public", (False, True): "private"}.get(
            (bool(public), bool(private)), "?"
        )
        auto_mode = (props.get("ComputeConfig") or {}).get("Enabled") is True
        policy = (props.get("UpgradePolicy") or {}).get("SupportType", "default")
        auth = _literal((props.get("AccessConfig") or {}).get("AuthenticationMode"))
        lines = [f"EKS cluster {_literal(props.get('Name'), '(generated name)')}",
                 f"Kubernetes {_literal(props.get('Version'))}{' · Auto Mode' if auto_mode else ''}",
                 f"endpoint: {endpoint} · auth: {auth}",
                 f"upgrade policy: {policy}"]
        if props.get("DeletionProtection") is True:
            lines.append("deletion protection on")
        return lines
    if key == "cluster-role":
        return ["cluster IAM role"]
    if key == "node-role":
        return ["Auto Mode node IAM role"]
    if key == "secrets-key":
        rotation = " (rotation on)" if first.properties.get("EnableKeyRotation") is True else ""
        return [f"KMS key for secrets{rotation}"]
    if key.startswith("access-entries:"):
        names = sorted(
            {
                arn.rsplit("/", 1)[-1] if isinstance(arn := m.properties.get("PrincipalArn"), str)
                else _construct_name(m).rsplit("/", 1)[-1]
                for m in members
            }
        )
        return [_plural(len(members), "access entry", "access entries"), ", ".join(names)]
    if key == "control-plane-sg":
        return ["control plane security group"]
    if key == "vpc":
        cidr = next((_literal(m.properties.get("CidrBlock")) for m in members if m.type == "AWS::EC2::VPC"), "?")
        extras = []
        if _count(members, "AWS::EC2::InternetGateway"):
            extras.append("internet gateway")
        return [f"VPC {cidr}", *extras]
    if key.startswith("subnets:"):
        kind = key.split(":", 1)[1]
        lines = [_plural(_count(members, "AWS::EC2::Subnet"), f"{kind} subnet")]
        nat = _count(members, "AWS::EC2::NatGateway")
        if nat:
            lines.append(_plural(nat, "NAT gateway"))
        return lines
    if key.startswith("addon:"):
        addon = next((m for m in members if m.type == "AWS::EKS::Addon"), first)
        version = _literal(addon.properties.get("AddonVersion"), "default version")
        lines = [f"add-on {_literal(addon.properties.get('AddonName'), key.split(':', 1)[1])}", version]
        if _count(members, "AWS::EKS::PodIdentityAssociation") or addon.properties.get("PodIdentityAssociations"):
            lines.append("Pod Identity role")
        return lines
    if key.startswith("pod-identity:"):
        association = next((m for m in members if m.type == "AWS::EKS::PodIdentityAssociation"), None)
        if association is None:
            return [key.split(":", 1)[1], _plural(len(members), "resource")]
        props = association.properties
        lines = [f"{_literal(props.get('Namespace'))}/{_literal(props.get('ServiceAccount'))}"]
        roles = _count(members, "AWS::IAM::Role")
        lines.append("association + IAM role" if roles else "association (existing role)")
        if props.get("TargetRoleArn") is not None:
            lines.append("cross-account target role")
        return lines
    if key.startswith("manifest:"):
        if first.type == "Custom::AWSCDK-EKS-HelmChart":
            return [f"Helm chart {_literal(first.properties.get('Chart'))}",
                    f"release {_literal(first.properties.get('Release'), '-')}"]
        objects = _manifest_objects(first.properties.get("Manifest"))
        if objects:
            names = sorted(
                f"{_literal(o.get('kind'))} {_literal((o.get('metadata') or {}).get('name'), '')}".strip()
                for o in objects
            )
            shown = names[:6] + ([f"... {len(names) - 6} more"] if len(names) > 6 else [])
            return [f"manifest {_chart_name(first)}", *shown]
        return [f"{first.type} {_readable(first.logical_id)}"]
    if key == "kubectl-provider":
        return [
            "kubectl provider",
            f"{_plural(_count(members, 'AWS::Lambda::Function'), 'function')} · "
            f"{_plural(_count(members, 'AWS::Lambda::LayerVersion'), 'layer')} · "
            f"{_plural(_count(members, 'AWS::IAM::Role'), 'role')}",
        ]
    # Grouped by construct and type: hybrid resources and anything not recognised above.
    short = first.type.split("::", 1)[1] if "::" in first.type else first.type
    if len(members) == 1:
        return [f"{first.segments[0]}/{_construct_name(first)}" if first.segments else first.logical_id, short]
    top = key.split("|", 1)[0]
    return [f"{len(members)} x {short}", f"({top})"]


# -- PNG stamp: which DOT source the committed picture was rendered from ---------------------------------------------

PNG_STAMP_KEY = "eks-platform-dot-sha256"


def dot_digest(dot_text: str) -> str:
    return hashlib.sha256(dot_text.encode("utf-8")).hexdigest()


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        yield kind, data[offset + 8 : offset + 8 + length]
        offset += 12 + length


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def stamp_png(path: Path, digest: str) -> None:
    """Set the ``tEXt`` chunk ``eks-platform-dot-sha256=<digest>`` (replacing an earlier stamp; viewers ignore it)."""
    out = b"\x89PNG\r\n\x1a\n"
    for kind, body in _png_chunks(path.read_bytes()):
        if kind == b"tEXt" and body.partition(b"\0")[0] == PNG_STAMP_KEY.encode("latin-1"):
            continue
        if kind == b"IEND":
            out += _chunk(b"tEXt", PNG_STAMP_KEY.encode("latin-1") + b"\0" + digest.encode("latin-1"))
        out += _chunk(kind, body)
    path.write_bytes(out)


def png_stamp(path: Path) -> str | None:
    """The DOT digest stamped into ``path`` by :func:`stamp_png`, if any."""
    for kind, body in _png_chunks(path.read_bytes()):
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            if key.decode("latin-1") == PNG_STAMP_KEY:
                return value.decode("latin-1")
    return None


# -- output -----------------------------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _node_id(stack: str, key: str) -> str:
    return _quote(f"{stack}/{key}")


def build_units(resources: Sequence[Resource]) -> tuple[dict[tuple[str, str], Unit], set[tuple[str, str, str]]]:
    """Units by (stack, key), and edges (stack, from key, to key) meaning "to references from"."""
    classifier = _Classifier(resources)
    units: dict[tuple[str, str], Unit] = {}
    unit_of: dict[tuple[str, str], str] = {}
    for resource in resources:
        group, key = classifier.classify(resource)
        assert group in _GROUP_KEYS, group
        unit = units.setdefault((resource.stack, key), Unit(key=key, group=group, label_lines=[], members=[]))
        unit.members.append(resource)
        unit_of[(resource.stack, resource.logical_id)] = key
    for (_, key), unit in units.items():
        unit.label_lines = _label(key, unit.group, unit.members)
    edges: set[tuple[str, str, str]] = set()
    for resource in resources:
        source = unit_of[(resource.stack, resource.logical_id)]
        for target_id in references(resource.properties):
            target = unit_of.get((resource.stack, target_id))
            if target is not None and target != source:
                edges.add((resource.stack, target, source))
    # Auto Mode's built-in node pools are a cluster setting, not a resource: draw them as their own box.
    for resource in resources:
        compute = resource.properties.get("ComputeConfig") if resource.type == "AWS::EKS::Cluster" else None
        if isinstance(compute, Mapping) and compute.get("Enabled") is True:
            pools = [p for p in compute.get("NodePools") or [] if isinstance(p, str)]
            units[(resource.stack, "node-pools")] = Unit(
                key="node-pools",
                group="compute",
                label_lines=["built-in node pools", ", ".join(pools) if pools else "none (custom pools only)"],
                members=[],
            )
            edges.add((resource.stack, "cluster", "node-pools"))
            if (resource.stack, "node-role") in units:
                edges.add((resource.stack, "node-role", "node-pools"))
    return units, edges


def architecture_dot(resources: Iterable[Resource], *, title: str = "cdk-eks-platform reference architecture") -> str:
    """The Graphviz DOT source of the picture (deterministic)."""
    ordered = sorted(resources, key=lambda r: (r.stack, r.logical_id))
    units, edges = build_units(ordered)
    lines = [
        "// Generated by scripts/diagram.py from the synthesized reference app (make diagram). Do not edit.",
        "digraph architecture {",
        f"  label={_quote(title)};",
        '  labelloc="t"; fontname="Helvetica"; fontsize=18; rankdir="LR"; newrank=true; nodesep=0.25; ranksep=0.6;',
        '  node [shape="box", style="rounded,filled", fillcolor="white", fontname="Helvetica", fontsize=11];',
        '  edge [color="#777777", arrowsize=0.6];',
    ]
    for stack in sorted({stack for stack, _ in units}):
        count = sum(len(unit.members) for (s, _), unit in units.items() if s == stack)
        lines.append(f"  subgraph {_quote('cluster_' + stack)} {{")
        lines.append(f"    label={_quote(f'stack {stack} ({count} resources)')}; style=\"dashed\"; fontsize=14;")
        for group, group_title, colour in GROUPS:
            members = sorted(
                (unit for (s, _), unit in units.items() if s == stack and unit.group == group), key=lambda u: u.key
            )
            if not members:
                continue
            lines.append(f"    subgraph {_quote(f'cluster_{stack}_{group}')} {{")
            style = f'style="rounded,filled"; fillcolor="{colour}"; fontsize=12;'
            lines.append(f"      label={_quote(group_title)}; {style}")
            for unit in members:
                label = "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in unit.label_lines)
                lines.append(f'      {_node_id(stack, unit.key)} [label="{label}"];')
            lines.append("    }")
        lines.append("  }")
    for stack, source, target in sorted(edges):
        lines.append(f"  {_node_id(stack, source)} -> {_node_id(stack, target)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def reference_resources() -> list[Resource]:
    """Build and synthesize the reference app exactly as the test suite does (``cdk.json`` context, fixed date)."""
    from eks_platform.stacks.app import build_app
    from eks_platform.testing.synth import cdk_json_context, synth_app

    with tempfile.TemporaryDirectory(prefix="eks-platform-diagram-") as outdir:
        result = synth_app(build_app, outdir=outdir, base_context=cdk_json_context(REPO_ROOT))
        return resources_of_app(result.app, result.raw)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/architecture.dot is out of date")
    args = parser.parse_args(argv)
    dot_text = architecture_dot(reference_resources())
    if args.check:
        current = DOT_PATH.read_text(encoding="utf-8") if DOT_PATH.exists() else ""
        if current != dot_text:
            print(f"{DOT_PATH.relative_to(REPO_ROOT)} is out of date: run `make diagram`", file=sys.stderr)
            return 1
        return 0
    DOT_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOT_PATH.write_text(dot_text, encoding="utf-8")
    print(f"wrote {DOT_PATH.relative_to(REPO_ROOT)}")
    dot = shutil.which("dot")
    if dot is None:
        print("Graphviz `dot` not found: install it (apt-get install graphviz, brew install graphviz) to render "
              f"{PNG_PATH.relative_to(REPO_ROOT)}", file=sys.stderr)
        return 1
    subprocess.run([dot, "-Tpng", "-Gdpi=80", "-o", str(PNG_PATH), str(DOT_PATH)], check=True)
    stamp_png(PNG_PATH, dot_digest(dot_text))
    print(f"wrote {PNG_PATH.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
