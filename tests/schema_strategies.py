"""Hypothesis strategies generated from a JSON Schema: the subset pydantic emits for the ``platform`` models.

Handles ``$ref`` into ``$defs``, ``type`` (one or a list), ``enum``, ``const``, ``anyOf``/``oneOf`` (the capability
types are a ``oneOf`` selected by a ``const`` ``type``), ``properties`` with ``required`` and ``additionalProperties``,
``propertyNames`` (an ``enum`` of keys), ``minProperties``, ``items`` and ``minimum``. Strings are drawn from words
that exercise the rules (CIDRs, ARNs, versions, quantities, durations, names) as well as arbitrary text, so generated
objects are often valid by type and then judged by the rules.

``off_schema`` (a probability) replaces a value by one of another JSON type now and then, so the error paths for
wrong types are generated from the schema too.

hypothesis-jsonschema 0.23.1 would be the library for this, but its object strategy calls ``many.more()``, which
Hypothesis 6.170 removed (``AttributeError: 'many' object has no attribute 'more'``); this module covers what the
committed schema uses.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

WORDS = [
    "", "x", "a" * 70, "1.29", "1.31", "1.32", "1.33", "1.36", "v1.32", "10.0.0.0/16", "0.0.0.0/0", "192.168.0.0/16",
    "192.168.100.0/24", "10.0.0.1/16", "172.16.0.0/12", "100.64.0.0/10", "::/0", "arn:aws:iam::111111111111:role/x",
    "arn:aws:iam::1:role/x", "arn:aws-cn:iam::111111111111:role/x", "private", "public", "system", "general-purpose",
    "kube-system", "default", "apps", "batch", "gp3", "io2", "NoSchedule", "20%", "10", "336h", "1h30m", "30s",
    "Never", "1024Gi", "256", "-1", "500m", "us-east-1", "eu-west-1", "cn-north-1", "111111111111",
    "AmazonS3ReadOnlyAccess", "metrics-server", "external-dns", "cert-manager", "fluent-bit", "subnet-0abc",
    "sg-0123456789abcdef0", "Z123", "tgw-0123456789abcdef0", "@daily", "0 9 * * 1-5", "example.com/team", "aws:x",
    "v1.0.0-eksbuild.1", "*", "\uff11\uff12", "\uff58", "a\n",
    # the capabilities, ingress, gitops, teams, environments and pipeline sections
    "arn:aws:sso:::instance/ssoins-1234567890abcdef", "906739b3-1234-5678-9abc-def012345678", "ADMIN", "VIEWER",
    "arn:aws:acm:us-east-1:111111111111:certificate/abc-1", "internet-facing", "internal", "dualstack",
    "https://github.com/example/platform.git", "manifests", "deploy/manifests", "/abs", "../x", "main", "HEAD",
    "s3:GetObject", "s3:*", "arn:aws:s3:::team-a-*", "Allow", "Deny", "sagemaker", "vpce-0123456789abcdef0",
    "arn:aws:ecr:us-east-1:111111111111:repository/charts", "payments", "requests.cpu", "limits.memory", "pods",
    "AmazonSQSReadOnlyAccess", "dev", "prod", "222222222222", "example/platform", "2.1100.0",
    "arn:aws:codeconnections:us-east-1:111111111111:connection/0a1b2c3d-1111-2222-3333-444455556666",
]
TEXT = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), st.text(max_size=12))
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False, allow_infinity=False), TEXT
)
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=6,
)


class SchemaStrategies:
    """Strategies for the schema ``root`` (its ``$defs`` are resolved locally)."""

    def __init__(self, root: dict[str, Any], *, off_schema: float = 0.01) -> None:
        self.root = root
        self.off_schema = off_schema

    def strategy(self, schema: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
        return self._for(self.root if schema is None else schema)

    def _for(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        inner = self._typed(schema)
        if not self.off_schema:
            return inner
        junk_weight = max(1, round(1 / self.off_schema))
        return st.integers(0, junk_weight - 1).flatmap(lambda n: ANY_JSON if n == 0 else inner)

    def _typed(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        if "$ref" in schema:
            name = schema["$ref"].rpartition("/")[2]
            return st.deferred(lambda: self._typed(self.root["$defs"][name]))
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        if "const" in schema:
            return st.just(schema["const"])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return st.one_of([self._typed(option) for option in schema[key]])
        kind = schema.get("type")
        if isinstance(kind, list):
            return st.one_of([self._typed({**schema, "type": k}) for k in kind])
        if kind == "string":
            return TEXT
        if kind == "integer":
            low = schema.get("minimum", -3)
            return st.one_of(st.integers(low, 100), st.integers(low, 10**6))
        if kind == "number":
            return st.floats(allow_nan=False, allow_infinity=False)
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        if kind == "array":
            return st.lists(self._for(schema.get("items", {})), max_size=4)
        if kind == "object" or "properties" in schema:
            return self._object(schema)
        return ANY_JSON

    def _object(self, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", ()))
        extra = schema.get("additionalProperties", True)
        if not properties:  # a map: names -> values
            values = self._for(extra) if isinstance(extra, dict) else ANY_JSON
            names = schema.get("propertyNames", {})
            keys = st.sampled_from(names["enum"]) if "enum" in names else TEXT
            return st.dictionaries(keys, values, min_size=schema.get("minProperties", 0), max_size=4)
        fixed = {name: self._for(properties[name]) for name in sorted(required)}
        optional = {name: self._for(sub) for name, sub in sorted(properties.items()) if name not in required}
        strategy = st.fixed_dictionaries(fixed, optional=optional)
        if extra is False:  # now and then an unknown key: a typo of a known one
            typo = st.sampled_from(sorted(properties)).map(lambda k: k.lower() if k.lower() != k else k + "s")
            maybe_typo = st.one_of(st.none(), st.none(), st.none(), st.none(), typo)
            strategy = st.tuples(strategy, maybe_typo).map(
                lambda pair: pair[0] if pair[1] is None else {**pair[0], pair[1]: True}
            )
        return strategy
