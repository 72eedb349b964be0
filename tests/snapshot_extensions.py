"""syrupy extensions of the suite's own snapshot tests.

Kept apart from the test modules, which import aws-cdk-lib: under pytest-xdist the controller imports the module that
defines each extension used (to merge the workers' snapshot reports), and importing a test module there would start a
jsii kernel in the controller for nothing (https://github.com/syrupy-project/syrupy, ``session.py``).
"""

from __future__ import annotations

from typing import Any

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class YamlSnapshot(SingleFileSnapshotExtension):
    """One ``.yaml`` file per snapshot, stored as text so a review shows a readable diff."""

    file_extension = "yaml"
    _write_mode = WriteMode.TEXT

    def serialize(self, data: Any, **kwargs: Any) -> str:
        return str(data)
