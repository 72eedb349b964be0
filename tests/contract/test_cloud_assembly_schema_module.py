"""aws-cdk-lib and aws-cdk.cloud-assembly-schema both install ``aws_cdk/cloud_assembly_schema/__init__.py``.

Only aws-cdk-lib's copy registers the jsii types under the ``aws-cdk-lib.cloud_assembly_schema`` names that
aws-cdk-lib hands back (``Annotations.from_stack(...).find_warning`` returns ``MetadataEntry`` objects). When the
standalone package's copy lands last, every annotation assertion fails with "Unknown interface". The set-up installs
aws-cdk-lib last; this test fails if an environment was built another way.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def test_the_cloud_assembly_schema_module_on_disk_is_aws_cdk_libs() -> None:
    spec = importlib.util.find_spec("aws_cdk.cloud_assembly_schema")
    assert spec is not None and spec.origin is not None
    source = Path(spec.origin).read_text(encoding="utf-8")
    assert '"aws-cdk-lib.cloud_assembly_schema.' in source, (
        f"{spec.origin} is aws-cdk.cloud-assembly-schema's copy, not aws-cdk-lib's; reinstall aws-cdk-lib "
        "(`make setup` does: uv pip install --reinstall-package aws-cdk-lib)"
    )
