"""Every pattern matches the whole string and only ASCII where the rule is ASCII.

``re.match`` with ``$`` admits a trailing newline (``"1.32\\n"``); ``\\d`` and ``\\w`` without ``re.ASCII`` admit
fullwidth digits (U+FF11) and Cyrillic letters. The contract below reads every ``re.compile`` of the package; the
table and property tests feed the validators exactly those inputs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eks_platform._internal import addons as cat
from eks_platform._internal import ebs, k8s_api
from eks_platform._internal import validation as v
from eks_platform._internal.node_pools import role_name_problems
from eks_platform._internal.pod_identity import managed_policy_reference_problems
from eks_platform._internal.versions import minor_version_shape_problems
from tests.support import REPO_ROOT

#: Patterns that are searched or iterated (not validators), or that judge Unicode text on purpose (AWS tags).
NOT_VALIDATORS = {
    ("eks_platform/_internal/tags.py", "_TAG_TEXT"),
    ("eks_platform/config/_base.py", "pattern"),
    ("eks_platform/constructs/hybrid/credentials.py", "_TAG_KEY"),
    ("eks_platform/_internal/hybrid/credentials.py", "_PEM_BLOCK"),
    ("eks_platform/_internal/k8s_api.py", "_DURATION_PART"),
    ("eks_platform/replacement.py", "_SUB_REFERENCE"),
    ("eks_platform/testing/templates.py", "_HASH"),
    ("eks_platform/testing/kubernetes.py", "_PRUNE_LABEL"),
}


def _compiled_patterns() -> list[tuple[str, str, ast.Call]]:
    found = []
    for path in sorted((REPO_ROOT / "eks_platform").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                call = node.value
                if isinstance(call.func, ast.Attribute) and call.func.attr == "compile":
                    name = node.targets[0].id if isinstance(node.targets[0], ast.Name) else "?"
                    found.append((str(path.relative_to(REPO_ROOT)), name, call))
    return found


PATTERNS = _compiled_patterns()


@pytest.mark.parametrize(("path", "name", "call"), PATTERNS, ids=[f"{p}:{n}" for p, n, _ in PATTERNS])
def test_every_validator_pattern_is_unanchored_and_ascii(path: str, name: str, call: ast.Call) -> None:
    if (path, name) in NOT_VALIDATORS:
        return
    pattern = ast.literal_eval(call.args[0])
    assert not pattern.startswith("^") and not pattern.endswith("$"), (
        f"{path}:{name} anchors with ^/$; drop them and call fullmatch ($ admits a trailing newline)"
    )
    flags = ast.unparse(call.args[1]) if len(call.args) > 1 else ""
    assert "re.ASCII" in flags, f"{path}:{name} needs re.ASCII (\\d and \\w accept fullwidth digits, Cyrillic)"


def test_no_module_calls_match_on_a_validator_pattern() -> None:
    offenders = []
    names = {name for path, name, _ in PATTERNS if (path, name) not in NOT_VALIDATORS}
    for path in sorted((REPO_ROOT / "eks_platform").rglob("*.py")):
        text = path.read_text()
        offenders += [f"{path.name}: {n}.match(" for n in names if re.search(rf"\b{n}\.match\(", text)]
    assert offenders == []


RULES: list[tuple[str, Callable[[str, object], list[str]], str]] = [
    ("account", v.aws_account, "111111111111"),
    ("cluster name", v.eks_cluster_name, "eks-platform"),
    ("DNS label", v.dns1123_label, "apps"),
    ("DNS subdomain", v.dns1123_subdomain, "reporting.apps"),
    ("role ARN", v.iam_role_arn, "arn:aws:iam::111111111111:role/x"),
    ("principal ARN", v.iam_principal_arn, "arn:aws:iam::111111111111:user/x"),
    ("label value", v.k8s_label_value, "batch"),
    ("qualified name", v.k8s_qualified_name, "example.com/team"),
    ("minor version", minor_version_shape_problems, "1.32"),
    ("add-on version", cat.version_problems, "v1.2.3-eksbuild.1"),
    ("hosted zones", lambda s, z: cat.hosted_zone_problems(s, [z]), "Z0123456789ABCDEFGHIJ"),
    ("KMS key", ebs.kms_key_arn_problems, "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-123456"),
    ("role name", role_name_problems, "nodes"),
    ("policy", managed_policy_reference_problems, "AmazonS3ReadOnlyAccess"),
    ("quantity", k8s_api.quantity_problems, "1024Gi"),
    ("duration", lambda s, d: k8s_api.duration_problems(s, d, allow_never=False), "336h"),
]
_FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + d) for d in range(10)))
_CYRILLIC = str.maketrans("aeopcx", "\u0430\u0435\u043e\u0440\u0441\u0445")  # Cyrillic look-alikes


@pytest.mark.parametrize(("label", "rule", "valid"), RULES, ids=[r[0] for r in RULES])
def test_a_valid_value_passes_and_its_near_misses_do_not(
    label: str, rule: Callable[[str, object], list[str]], valid: str
) -> None:
    assert rule("setting", valid) == [], label
    for near_miss in (valid + "\n", "\n" + valid, valid + " ", valid.translate(_FULLWIDTH), valid.translate(_CYRILLIC)):
        if near_miss != valid:
            assert rule("setting", near_miss), f"{label} accepted {near_miss!r}"


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(min_codepoint=0x80), min_size=1, max_size=20))
def test_non_ascii_text_is_never_an_account_a_cluster_name_or_a_label(text: str) -> None:
    for rule in (v.aws_account, v.eks_cluster_name, v.dns1123_label, v.k8s_label_value, v.iam_role_arn):
        assert rule("setting", text), (rule.__name__, text)


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("eusc-de-east-1", "aws-eusc"),
     ("us-isob-east-1", "aws-iso-b"), ("us-east-7", None)],
)
def test_regions_and_partitions_come_from_the_table(region: str, partition: str | None) -> None:
    assert v.partition_of_region(region) == partition
    assert (v.aws_region("region", region) == []) is (partition is not None)


def test_an_arn_must_be_of_the_partition_of_the_region() -> None:
    assert v.arn_partition_problems("arn", "arn:aws:iam::111111111111:role/x", "cn-north-1") == [
        "arn 'arn:aws:iam::111111111111:role/x' is in partition 'aws', but the stack's region cn-north-1 is in "
        "'aws-cn'; use an ARN that starts with arn:aws-cn:"
    ]
    assert v.arn_partition_problems("arn", "arn:aws-cn:iam::111111111111:role/x", "cn-north-1") == []


@pytest.mark.parametrize(
    ("arn", "region", "pattern"),
    [
        ("arn:aws:kms:us-east-1:111111111111:alias/ebs", None, "is an alias ARN; give the key ARN"),
        ("arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", "us-east-1", "KMS keys are"),
    ],
)
def test_a_kms_key_is_a_key_of_the_stack_region(arn: str, region: str | None, pattern: str) -> None:
    assert any(pattern in p for p in ebs.kms_key_arn_problems("kmsKeyArn", arn, region=region))
