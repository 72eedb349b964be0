"""syrupy extensions: one readable JSON file per synthesized template, one YAML file per Kubernetes object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from eks_platform.testing.kubernetes import object_yaml
from eks_platform.testing.templates import normalize_template


class TemplateSnapshotExtension(JSONSnapshotExtension):
    """One ``.json`` file per snapshot assertion, holding the template normalised by
    :func:`~eks_platform.testing.normalize_template` (sorted keys, 64-hex asset hashes masked), indented by two
    spaces. A pull request that changes infrastructure therefore shows the CloudFormation diff line by line, and a
    dependency bump that only changes asset hashes shows nothing.

    Files live in ``__snapshots__/<test module>/<test name>.json`` next to the test (syrupy's layout for single-file
    extensions); parametrize the test by stack name to get one file per stack.
    """

    def serialize(self, data: Any, **kwargs: Any) -> Any:
        return super().serialize(normalize_template(data), **kwargs)


class KubernetesObjectSnapshotExtension(SingleFileSnapshotExtension):
    """One ``.yaml`` file per Kubernetes object (``apiVersion``, ``kind``, ``metadata`` first, keys sorted), so a
    reviewer sees the field of a changed tier or node pool instead of one changed line of escaped JSON."""

    _write_mode = WriteMode.TEXT
    file_extension = "yaml"

    def serialize(self, data: Any, **kwargs: Any) -> Any:
        return object_yaml(data) if isinstance(data, Mapping) else str(data)


class KubernetesObjectSnapshots:
    """What the ``eks_platform_k8s_snapshot`` fixture returns: ``assert_match(result.kubernetes_objects)`` compares
    every object with its own snapshot file ``<test>[<stack>.<logical id>.<Kind>.<ns>.<name>].yaml``.

    All objects are compared before the test fails, and the failure lists each changed, added or removed object.
    Update with ``pytest --snapshot-update`` (which also deletes the files of objects that are gone).
    """

    def __init__(self, snapshot: SnapshotAssertion) -> None:
        self._snapshot = snapshot.use_extension(KubernetesObjectSnapshotExtension)

    def assert_match(self, objects: Mapping[str, Mapping[str, Any]]) -> None:
        failed: list[str] = []
        for key in sorted(objects):
            try:
                assert objects[key] == self._snapshot(name=key)
            except AssertionError as error:
                failed.append(f"{key}:\n{error}")
        if failed:
            raise AssertionError(
                f"{len(failed)} Kubernetes object(s) differ from their snapshots:\n\n" + "\n\n".join(failed)
            )
