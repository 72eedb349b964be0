"""AWS tag rules, shared by every place that accepts tags (stack, cluster, node classes, tiers, bindings).

- Key: 1 to 128 Unicode characters, value: 0 to 256; at most 50 user tags per resource.
- Letters, numbers and spaces representable in UTF-8, and ``_ . : / = + - @``.
- The ``aws:`` prefix, in any combination of upper and lower case, is reserved for AWS use.

See: https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions
See: https://docs.aws.amazon.com/general/latest/gr/aws_tagging.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from eks_platform._internal import validation as v

TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
MAX_TAGS = 50
#: Unicode letters and digits (``\w`` without ``re.ASCII``, plus ``_``), whitespace and the allowed punctuation.
_TAG_TEXT = re.compile(r"[\w\s.:/=+\-@]*")


def aws_tag_problems(
    setting: str,
    tags: object,
    *,
    key_max: int = TAG_KEY_MAX,
    value_max: int = TAG_VALUE_MAX,
    value_min: int = 0,
    max_tags: int = MAX_TAGS,
) -> list[str]:
    """Every AWS tag rule for one tag map; tokens are skipped."""
    if tags is None:
        return []
    if not isinstance(tags, Mapping):
        return [f"{setting} must be a mapping of tag key to value, got {type(tags).__name__} {tags!r}"]
    problems: list[str] = []
    if len(tags) > max_tags:
        problems.append(f"{setting} has {len(tags)} tags; AWS allows at most {max_tags} per resource")
    for key, value in tags.items():
        if not isinstance(key, str) or not isinstance(value, str):
            problems.append(f"{setting} entry {key!r}: {value!r} must map a string key to a string value")
            continue
        if v.is_unresolved(key) or v.is_unresolved(value):
            continue
        if not 1 <= len(key) <= key_max:
            problems.append(f"{setting} key {key!r} is {len(key)} characters; allowed 1 to {key_max}")
        if key.lower().startswith("aws:"):
            problems.append(f"{setting} key {key!r} starts with 'aws:', which AWS reserves; rename the tag")
        if not value_min <= len(value) <= value_max:
            problems.append(
                f"{setting} value of {key!r} is {len(value)} characters; allowed {value_min} to {value_max}"
            )
        for part, text in (("key", key), ("value", value)):
            if not _TAG_TEXT.fullmatch(text):
                problems.append(
                    f"{setting} {part} {text!r} has characters AWS tags do not allow; use letters, digits, spaces "
                    "and _ . : / = + - @"
                )
    return problems
