"""AWS managed policy names and their paths, from the checked-in table ``data/aws_managed_policies.json``.

``iam.ManagedPolicy.from_aws_managed_policy_name(name)`` builds ``arn:<partition>:iam::aws:policy/<name>``, so a policy
AWS publishes under a path needs the path in ``name``: ``service-role/AmazonEBSCSIDriverPolicy``, but
``AmazonS3ReadOnlyAccess``. The table maps each name to its path; it is compiled from the AWS managed policy list (the
AWS Managed Policy Reference Guide, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html,
as recorded by https://github.com/iann0036/iam-dataset, MIT license) and regenerated with
``scripts/refresh_managed_policies.py``. Synth reads only the file. A policy newer than the table is passed by ARN.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources

#: Policies under this path belong to service-linked roles: "You can't attach <policy> to your IAM entities" (each
#: such page of the AWS Managed Policy Reference Guide).
SERVICE_LINKED_PATH = "/aws-service-role/"
NEWER_HINT = (
    "pass the policy ARN (arn:aws:iam::aws:policy/... or your account's customer managed policy ARN) if it is newer "
    "than our table"
)


@cache
def aws_managed_policies() -> Mapping[str, str]:
    """``{policy name: path}`` for every AWS managed policy in the table (path ``/``, ``/service-role/`` ...)."""
    text = resources.files("eks_platform._internal.data").joinpath("aws_managed_policies.json").read_text()
    policies: dict[str, str] = json.loads(text)["policies"]
    return policies


def split_name(reference: str) -> tuple[str, str]:
    """``("/service-role/", "AmazonEBSCSIDriverPolicy")`` for ``service-role/AmazonEBSCSIDriverPolicy``."""
    path, _, name = reference.rpartition("/")
    return (f"/{path}/" if path else "/"), name


def qualified_name(reference: str) -> str:
    """What ``from_aws_managed_policy_name`` needs for ``reference``: the name with its path when AWS publishes it
    under one (``AmazonEBSCSIDriverPolicy`` -> ``service-role/AmazonEBSCSIDriverPolicy``); unknown names unchanged."""
    _, name = split_name(reference)
    path = aws_managed_policies().get(name)
    if path is None:
        return reference
    return f"{path.strip('/')}/{name}" if path != "/" else name


def aws_managed_policy_name_problems(setting: str, reference: str) -> list[str]:
    """``reference`` (a name, optionally with its path) names an AWS managed policy a role can have.

    Unknown names get a did-you-mean when one is close and the way to pass a newer policy (its ARN); a path that is
    not the policy's is corrected; a service-linked role's policy is refused (IAM attaches it to that role only).
    """
    written_path, name = split_name(reference)
    table = aws_managed_policies()
    path = table.get(name)
    if path is None:
        close = difflib.get_close_matches(name, list(table), n=1, cutoff=0.8)
        mean = f"; did you mean {qualified_name(close[0])!r}?" if close else ""
        return [f"{setting} {reference!r} is not an AWS managed policy we know{mean} Otherwise {NEWER_HINT}"
                if mean else f"{setting} {reference!r} is not an AWS managed policy we know; {NEWER_HINT}"]
    if path == SERVICE_LINKED_PATH:
        return [
            f"{setting} {reference!r} is the policy of a service-linked role (path {SERVICE_LINKED_PATH}); IAM "
            "attaches it only to that service's own role, not to yours. Choose a policy meant for your roles"
        ]
    if written_path != "/" and written_path != path:
        return [
            f"{setting} {reference!r}: AWS publishes {name} at path {path}, not {written_path}; write "
            f"{qualified_name(name)!r}"
        ]
    return []
