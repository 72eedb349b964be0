"""A syrupy extension that stores one readable JSON file per synthesized template."""

from __future__ import annotations

from typing import Any

from syrupy.extensions.json import JSONSnapshotExtension

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
