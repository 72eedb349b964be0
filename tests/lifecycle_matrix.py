"""The lifecycle matrix: every kind of change to the reference platform, as a pair of configurations to judge.

Each row names a change, builds the ``platform`` object before and after from the reference ``cdk.json`` (the main
stack's shape: everything but ``hybrid``, which has its own rows) and states the expected outcome: ``in place``,
``replaces <types>``, ``refused: <ConfigError code>``, ``refused at deploy: ...`` (CloudFormation rolls the update
back before deleting anything) or ``stack deleted``. ``tests/lifecycle/test_lifecycle_matrix.py`` synthesizes
each distinct configuration once per run, judges every pair with :func:`eks_platform.lifecycle.judge` and fails on
any finding or on an outcome other than the expected one. ``scripts/lifecycle_table.py`` prints the README table
from the same rows and their judged effects.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eks_platform.config import CONTEXT_KEY
from tests import support

Platform = dict[str, Any]
Mutation = Callable[[Platform], None]

DESTROY = "destroy"
SECOND_ADMIN = "arn:aws:iam::111111111111:role/SecondAdmin"
PUBLIC_CIDR = "203.0.113.0/24"


def reference_platform() -> Platform:
    """The reference ``platform`` object of ``cdk.json`` without ``hybrid`` (the main stack's configuration)."""
    raw: Platform = copy.deepcopy(support.cdk_json_context()[CONTEXT_KEY])
    raw.pop("hybrid", None)
    return raw


def hybrid_section() -> dict[str, Any]:
    section: dict[str, Any] = copy.deepcopy(support.cdk_json_context()[CONTEXT_KEY]["hybrid"])
    return section


@dataclass(frozen=True, kw_only=True)
class Transition:
    """One row: the change, the configurations before and after (mutations of the reference), the expected outcome.

    Attributes:
        change: what a person does, as the README table says it.
        group: the table section (version, feature, entry, endpoint, delivery, destroy).
        before: mutations giving the deployed configuration. Default: - the reference as is.
        after: mutations giving the new configuration, or ``DESTROY`` for ``cdk destroy``.
        expect: ``in place``, ``replaces <types>``, ``refused: <code>``, ``refused at deploy: ...`` or
            ``stack deleted``.
        handed_over: the Kubernetes objects that leave the template must stay on the cluster (GitOps hand-over).
    """

    change: str
    group: str
    after: tuple[Mutation, ...] | str
    expect: str
    before: tuple[Mutation, ...] = ()
    handed_over: bool = False

    def before_config(self) -> Platform:
        return build(self.before)

    def after_config(self) -> Platform | None:
        if isinstance(self.after, str):
            return None
        return build(self.before + self.after)


def build(mutations: tuple[Mutation, ...]) -> Platform:
    raw = reference_platform()
    for mutate in mutations:
        mutate(raw)
    return raw


def key_of(raw: Platform | None) -> str:
    """A stable key of a configuration (each distinct configuration is synthesized once)."""
    return DESTROY if raw is None else json.dumps(raw, sort_keys=True)


# -- mutations --------------------------------------------------------------------------------------------------------


def setting(name: str, value: Any) -> Mutation:
    def mutate(raw: Platform) -> None:
        raw[name] = copy.deepcopy(value)

    mutate.__name__ = f"{name}={value}"
    return mutate


def without(name: str) -> Mutation:
    def mutate(raw: Platform) -> None:
        raw.pop(name, None)

    return mutate


def version(minor: str) -> Mutation:
    return setting("kubernetesVersion", minor)


def with_hybrid(raw: Platform) -> None:
    raw["hybrid"] = hybrid_section()


def no_addons(raw: Platform) -> None:
    raw["addons"] = {}


def add_admin(raw: Platform) -> None:
    raw["adminPrincipalArns"] = [*raw["adminPrincipalArns"], SECOND_ADMIN]


def no_admins(raw: Platform) -> None:
    raw["adminPrincipalArns"] = []


def rename_admin(raw: Platform) -> None:
    raw["adminPrincipalArns"] = [SECOND_ADMIN]


def add_binding(raw: Platform) -> None:
    raw["podIdentities"] = [
        *raw["podIdentities"],
        {"namespace": "apps", "serviceAccount": "exporter", "managedPolicies": ["AmazonS3ReadOnlyAccess"]},
    ]


def rename_binding(raw: Platform) -> None:
    raw["podIdentities"][0]["serviceAccount"] = "reports"


def add_addon(raw: Platform) -> None:
    raw["addons"]["snapshot-controller"] = {}


def remove_addon(raw: Platform) -> None:
    raw["addons"].pop("cert-manager")


def add_tier(raw: Platform) -> None:
    raw["storage"]["tiers"] = [*raw["storage"]["tiers"], "max"]


def remove_tier(raw: Platform) -> None:
    raw["storage"]["tiers"] = ["standard"]


def rename_class(raw: Platform) -> None:
    raw["storage"]["storageClassName"] = "gp3-encrypted"


def encrypt_class(raw: Platform) -> None:
    raw["storage"]["kmsKeyArn"] = "arn:aws:kms:us-east-1:111111111111:key/0b7c1f4e-3f7e-4c52-9a53-1f0d8c1e2a9b"
    raw["storage"]["kmsKeyUserRoleArns"] = ["arn:aws:iam::111111111111:role/EbsCsiDriver"]


def change_tier_iops(raw: Platform) -> None:
    raw["storage"]["tiers"] = ["standard", {"name": "fast", "iops": 12000, "throughput": 1000}]


def no_charts(raw: Platform) -> None:
    raw.pop("storage")
    raw.pop("nodePools")


def add_pool(raw: Platform) -> None:
    pools = raw["nodePools"]["pools"]
    pools["batch-x86"] = {**copy.deepcopy(pools["batch"]), "architectures": ["amd64"]}


def remove_pool(raw: Platform) -> None:
    raw["nodePools"]["pools"].pop("batch")
    raw["nodePools"]["pools"]["other"] = {"nodeClass": "batch", "cpuLimit": 16}


def rename_pool(raw: Platform) -> None:
    pools = raw["nodePools"]["pools"]
    pools["batch-spot"] = pools.pop("batch")


def change_pool_limit(raw: Platform) -> None:
    raw["nodePools"]["pools"]["batch"]["cpuLimit"] = 512


def public_and_private(raw: Platform) -> None:
    raw["endpointPublicCidrs"] = [PUBLIC_CIDR]


def public_only(raw: Platform) -> None:
    raw["endpointPublicCidrs"] = [PUBLIC_CIDR]
    raw["endpointAccess"] = "public"


def render_only(raw: Platform) -> None:
    raw["manifestDelivery"] = "render-only"


def hand_over(raw: Platform) -> None:
    raw["manifestDelivery"] = "hand-over"


# -- the rows ---------------------------------------------------------------------------------------------------------

SECTIONS = ("podIdentities", "addons", "storage", "nodePools")


def _feature_rows() -> list[Transition]:
    rows = []
    for section in SECTIONS:
        off = no_addons if section == "addons" else without(section)
        rows.append(Transition(change=f"`{section}` off", group="feature", after=(off,), expect="in place"))
        rows.append(
            Transition(change=f"`{section}` on", group="feature", before=(off,), after=(_restore(section),),
                       expect="in place")
        )
    rows.append(
        Transition(change="`storage` and `nodePools` off (the last charts)", group="feature", after=(no_charts,),
                   expect="in place")
    )
    rows.append(Transition(change="`hybrid` on", group="feature", after=(with_hybrid,), expect="in place"))
    rows.append(Transition(change="`hybrid` off", group="feature", before=(with_hybrid,), after=(without("hybrid"),),
                           expect="in place"))
    return rows


def _restore(section: str) -> Mutation:
    def mutate(raw: Platform) -> None:
        raw[section] = copy.deepcopy(reference_platform()[section])

    return mutate


MATRIX: tuple[Transition, ...] = (
    Transition(change="Kubernetes 1.32 → 1.33", group="version", after=(version("1.33"),), expect="in place"),
    Transition(change="Kubernetes 1.33 → 1.34", group="version", before=(version("1.33"),),
               after=(version("1.34"),), expect="in place"),
    Transition(change="Kubernetes 1.34 → 1.35", group="version", before=(version("1.34"),),
               after=(version("1.35"),), expect="in place"),
    *_feature_rows(),
    Transition(change="admin added", group="entry", after=(add_admin,), expect="in place"),
    Transition(change="admin removed", group="entry", after=(no_admins,), expect="in place"),
    Transition(change="admin replaced by another ARN", group="entry", after=(rename_admin,), expect="in place"),
    Transition(change="Pod Identity binding added", group="entry", after=(add_binding,), expect="in place"),
    Transition(change="Pod Identity binding removed", group="entry", before=(add_binding,),
               after=(lambda raw: raw["podIdentities"].pop(),), expect="in place"),
    Transition(change="Pod Identity binding renamed (service account)", group="entry", after=(rename_binding,),
               expect="in place"),
    Transition(change="add-on added", group="entry", after=(add_addon,), expect="in place"),
    Transition(change="add-on removed", group="entry", after=(remove_addon,), expect="in place"),
    Transition(change="storage tier added", group="entry", after=(add_tier,), expect="in place"),
    Transition(change="storage tier removed", group="entry", after=(remove_tier,), expect="in place"),
    Transition(change="storage class renamed", group="entry", after=(rename_class,), expect="in place"),
    Transition(change="storage class gets a KMS key (immutable parameters)", group="entry", after=(encrypt_class,),
               expect="in place"),
    Transition(change="storage tier IOPS changed (immutable parameters)", group="entry", after=(change_tier_iops,),
               expect="in place"),
    Transition(change="node pool added", group="entry", after=(add_pool,), expect="in place"),
    Transition(change="node pool replaced by another", group="entry", after=(remove_pool,), expect="in place"),
    Transition(change="node pool renamed", group="entry", after=(rename_pool,), expect="in place"),
    Transition(change="node pool limit changed", group="entry", after=(change_pool_limit,), expect="in place"),
    Transition(change="endpoint private → public-and-private", group="endpoint", after=(public_and_private,),
               expect="in place"),
    Transition(change="endpoint public-and-private → private", group="endpoint", before=(public_and_private,),
               after=(setting("endpointPublicCidrs", []),), expect="in place"),
    Transition(change="endpoint private → public", group="endpoint", after=(public_only,), expect="in place"),
    Transition(change="`manifestDelivery` apply → hand-over", group="delivery", after=(hand_over,),
               expect="in place"),
    Transition(change="`manifestDelivery` hand-over → render-only", group="delivery", before=(hand_over,),
               after=(render_only,), expect="in place", handed_over=True),
    Transition(change="`manifestDelivery` apply → render-only (without hand-over)", group="delivery",
               after=(render_only,), expect="refused at deploy: SSM::Parameter name taken", handed_over=True),
    Transition(change="`manifestDelivery` render-only → hand-over", group="delivery", before=(render_only,),
               after=(hand_over,), expect="in place"),
    Transition(change="`manifestDelivery` hand-over → apply", group="delivery", before=(hand_over,),
               after=(setting("manifestDelivery", "apply"),), expect="in place"),
    Transition(change="`manifestDelivery` render-only → apply (without hand-over)", group="delivery",
               before=(render_only,), after=(setting("manifestDelivery", "apply"),),
               expect="refused at deploy: SSM::Parameter name taken"),
    Transition(change="`cdk destroy`", group="destroy", after=DESTROY, expect="stack deleted"),
)


# -- the README table -------------------------------------------------------------------------------------------------

TABLE_BEGIN = "<!-- lifecycle-table:begin (generated by scripts/lifecycle_table.py from tests/lifecycle_matrix.py) -->"
TABLE_END = "<!-- lifecycle-table:end -->"


def _short(rtype: str) -> str:
    return rtype.removeprefix("AWS::").removeprefix("Custom::AWSCDK-EKS-")


def _types(resources: dict[str, Any], ids: set[str]) -> str:
    return ", ".join(sorted({_short(str(resources[lid]["Type"])) for lid in ids}))


def effects(before: dict[str, Any], after: dict[str, Any], report: Any) -> str:
    """What the deployment does, in a few words: resources added, deleted, kept; what kubectl does."""
    from eks_platform.replacement import Action

    old, new = before.get("Resources", {}), after.get("Resources", {})
    if report.refused_at_deploy:
        return "CloudFormation rolls the update back before deleting anything (deploy `hand-over` first)"
    parts = []
    added = set(report.replacement.added)
    deleted = {c.logical_id for c in report.replacement.by_action(Action.DELETE) if not c.retained}
    kept = {c.logical_id for c in report.replacement.by_action(Action.DELETE) if c.retained}
    if added:
        parts.append(f"adds {_types(new, added)}")
    if deleted and new:
        parts.append(f"deletes {_types(old, deleted)}")
    if kept:
        parts.append(f"leaves (retained) {_types(old, kept)}")
    if report.replacement.harmless:
        parts.append("publishes a new kubectl layer version")
    k8s: dict[str, list[str]] = {}
    for line in report.kubernetes:
        verb, _, what = line.partition(": ")
        k8s.setdefault(verb, []).append(what.split(" ", 1)[0].split(".", 1)[0] + " " + what.rsplit(" ", 1)[-1])
    for verb in ("created", "updated", "deleted", "handed over", "applied then deleted", "left on the cluster"):
        if verb in k8s:
            parts.append(f"kubectl: {verb} {', '.join(k8s[verb])}")
    if not new:
        parts.insert(0, "deletes everything else")
    return "; ".join(parts) or "updates in place"


def table(results: list[tuple[Transition, str, str]]) -> str:
    """The README table: one row per transition (change, outcome, what happens)."""
    lines = [TABLE_BEGIN, "| Change | Outcome | What the deployment does |", "| --- | --- | --- |"]
    for row, outcome, what in results:
        lines.append(f"| {row.change} | {outcome} | {what} |")
    lines.append(TABLE_END)
    return "\n".join(lines)
