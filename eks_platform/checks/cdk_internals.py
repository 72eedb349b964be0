"""Acknowledging AwsSolutions findings on resources that aws-cdk-lib creates for itself (the kubectl provider's
Lambda functions and roles), where the user cannot change what is reported.

:func:`acknowledge_cdk_internal` computes the exact finding IDs cdk-nag 3.0.2 would report for IAM4 (AWS managed
policies), IAM5 (wildcards) and L1 (Lambda runtime) with the same formatting as cdk-nag
(``utils/flatten-cfn-reference.js`` and ``rules/iam/*``), and acknowledges each on the L1 resource itself, the
narrowest scope there is. Nothing else is acknowledged: any other rule still reports, and a permission aws-cdk-lib adds
after the call (a later grant) is reported too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

from eks_platform._internal.tree import node_of, path_of, root_of, share_root, share_stack, stack_of
from eks_platform.checks.acknowledgments import acknowledge_all

_RUNTIME = re.compile(r"([a-z]+)(\d+(\.?\d+|\.x)?)?.*", re.ASCII)


def flatten_cfn_reference(value: object) -> str:
    """cdk-nag's ``flattenCfnReference``: ``{"Fn::GetAtt": ["X", "Arn"]}`` -> ``<X.Arn>``, ``${X}`` -> ``<X>``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, Mapping):
        if value.get("Fn::Join"):
            delimiter, items = value["Fn::Join"]
            return str(delimiter).join(flatten_cfn_reference(item) for item in items)
        if value.get("Fn::Sub"):
            return flatten_cfn_reference(value["Fn::Sub"])
        if value.get("Fn::GetAtt"):
            resource, attribute = value["Fn::GetAtt"]
            return f"<{flatten_cfn_reference(resource)}.{flatten_cfn_reference(attribute)}>"
        if value.get("Fn::ImportValue"):
            return flatten_cfn_reference(value["Fn::ImportValue"])
        if value.get("Ref"):
            return f"<{flatten_cfn_reference(value['Ref'])}>"
    return json.dumps(value, separators=(",", ":"))


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value]


def iam4_finding_ids(managed_policy_arns: Iterable[object] | None) -> list[str]:
    """``AwsSolutions-IAM4[Policy::<arn>]`` for each AWS managed policy (resolved values)."""
    found: list[str] = []
    for arn in managed_policy_arns or ():
        flat = flatten_cfn_reference(arn)
        if ":iam::aws:" in flat and f"AwsSolutions-IAM4[Policy::{flat}]" not in found:
            found.append(f"AwsSolutions-IAM4[Policy::{flat}]")
    return found


def iam5_finding_ids(document: object) -> list[str]:
    """``AwsSolutions-IAM5[Action::...]`` and ``[Resource::...]`` for wildcards in Allow statements."""
    found: list[str] = []
    statements = document.get("Statement", []) if isinstance(document, Mapping) else []
    for statement in _as_list(statements):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        for action in _as_list(statement.get("Action")):
            if isinstance(action, str) and "*" in action:
                found.append(f"AwsSolutions-IAM5[Action::{action}]")
        for resource in _as_list(statement.get("Resource")):
            flat = flatten_cfn_reference(resource)
            if "*" in flat:
                found.append(f"AwsSolutions-IAM5[Resource::{flat}]")
    return list(dict.fromkeys(found))


@cache
def _latest_runtimes() -> dict[str, str]:
    """Latest runtime name per family among those aws-cdk-lib knows (cdk-nag's definition of "latest")."""
    by_family: dict[str, list[tuple[list[int | str], str]]] = {}
    for runtime in lambda_.Runtime.ALL:
        name = runtime.to_string()
        match = _RUNTIME.fullmatch(name)
        if not match:
            continue
        version = match.group(2) or "0"
        key: list[int | str] = [int(p) if p.isdigit() else p for p in re.split(r"[.]", version)]
        by_family.setdefault(match.group(1), []).append((key, name))
    return {
        family: max(items, key=lambda item: [str(p).zfill(8) for p in item[0]])[1]
        for family, items in by_family.items()
    }


def l1_finding_ids(runtime: object, latest: Mapping[str, str]) -> list[str]:
    """``AwsSolutions-L1`` when a non-container function's runtime is not the newest of its family."""
    if not isinstance(runtime, str):
        return []
    match = _RUNTIME.fullmatch(runtime)
    if not match or match.group(1) == "provided":
        return []
    newest = latest.get(match.group(1))
    return ["AwsSolutions-L1"] if newest is not None and runtime != newest else []


def internal_finding_ids(scope: IConstruct) -> dict[IConstruct, list[str]]:
    """L1 resource -> the IAM4/IAM5/L1 finding IDs cdk-nag reports for it, for every L1 under ``scope``."""
    constructs = node_of(scope).find_all()
    root = root_of(scope)
    # Without a nested stack below ``scope`` every construct found is in the scope's stack: one Stack.of for all
    one_stack = not any(isinstance(c, Stack) for c in constructs[1:])
    # The properties to judge, resolved in one call per stack (not one per property)
    pending: dict[int, tuple[Stack, list[tuple[IConstruct, str, Any]]]] = {}
    for construct in constructs:
        share_root(construct, root)
        if one_stack:
            share_stack(construct, stack_of(scope))
        value: Any
        if isinstance(construct, (iam.CfnRole, iam.CfnUser, iam.CfnGroup)):
            # both properties in one read (CfnResource.cfnProperties), not one each
            properties = construct._cfn_properties
            kind, value = "principal", {"managed": properties.get("managedPolicyArns"),
                                        "policies": properties.get("policies")}
        elif isinstance(construct, (iam.CfnPolicy, iam.CfnManagedPolicy)):
            kind, value = "policy", construct.policy_document
        elif isinstance(construct, lambda_.CfnFunction):
            kind, value = "function", construct.runtime
        else:
            continue
        stack = stack_of(construct)
        pending.setdefault(id(stack), (stack, []))[1].append((construct, kind, value))
    found: dict[int, list[str]] = {}
    latest: dict[str, str] | None = None
    for stack, items in pending.values():
        # keyed, not a list: resolving drops undefined values, which would shift a list
        values = stack.resolve({str(i): value for i, (_, _, value) in enumerate(items)}) or {}
        for i, (construct, kind, _) in enumerate(items):
            resolved = values.get(str(i))
            ids: list[str] = []
            if kind == "principal":
                resolved = resolved or {}
                ids += iam4_finding_ids(resolved.get("managed"))
                for policy in resolved.get("policies") or []:
                    ids += iam5_finding_ids(policy.get("policyDocument") or policy.get("PolicyDocument"))
            elif kind == "policy":
                ids += iam5_finding_ids(resolved)
            else:
                latest = latest if latest is not None else _latest_runtimes()
                ids += l1_finding_ids(resolved, latest)
            if ids:
                found[id(construct)] = list(dict.fromkeys(ids))
    return {c: found[id(c)] for c in constructs if id(c) in found}  # in tree order


def acknowledge_cdk_internal(scope: IConstruct, reason: str) -> list[str]:
    """Acknowledge the IAM4/IAM5/L1 findings of every resource under ``scope``, each on its L1 resource.

    Args:
        scope: a construct aws-cdk-lib created for its own use (for example ``eks.Cluster.kubectl_provider``).
        reason: why the findings are accepted (who owns the resource and why it cannot change).

    Returns:
        the acknowledged rule IDs, ``"<rule id> at <construct path>"``.
    """
    done = []
    for construct, ids in acknowledge_cdk_internal_findings(scope, reason).items():
        path = path_of(construct)
        done += [f"{rule_id} at {path}" for rule_id in ids]
    return done


def acknowledge_cdk_internal_findings(scope: IConstruct, reason: str) -> dict[IConstruct, list[str]]:
    """:func:`acknowledge_cdk_internal` returning the acknowledged IDs per L1 resource (no construct paths read)."""
    found = internal_finding_ids(scope)
    for construct, ids in found.items():
        acknowledge_all(construct, ids, reason)
    return found
