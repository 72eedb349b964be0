"""pytest plugin for apps built with eks_platform (registered through the ``pytest11`` entry point).

Installing ``cdk-eks-platform[testing]`` makes these fixtures available in every test suite, with no conftest:

``eks_platform_synth`` (session)
    ``eks_platform_synth(build, context=None)`` builds an app with ``build(app)``, synthesizes it once per session
    with the context of the app's ``cdk.json`` (and ``cdk.context.json``) -- found in the nearest folder at or above
    the file that defines ``build``, so feature flags apply wherever pytest was started -- the fixed synth date and
    the fixed environment (``CDK_DEFAULT_ACCOUNT=111111111111``, ``CDK_DEFAULT_REGION=us-east-1``), and returns the
    normalised templates by stack name (a :class:`~eks_platform.testing.synth.SynthResult`). When the fixed synth
    date puts a cluster's Kubernetes version in another support phase than today, it warns
    (:class:`~eks_platform.testing.synth.SynthDateWarning`): ``cdk synth`` today would differ from the tests.
``eks_platform_snapshot``
    syrupy's ``snapshot`` with :class:`~eks_platform.testing.snapshots.TemplateSnapshotExtension`: one readable
    JSON file per assertion, so a pull request shows the infrastructure diff.
``eks_platform_k8s_snapshot``
    ``eks_platform_k8s_snapshot.assert_match(result.kubernetes_objects)``: one readable YAML file per Kubernetes
    object the app delivers, so a changed storage tier or node pool shows the field that changed.
``eks_platform_baseline`` (session)
    the committed baselines (``tests/baselines/<stack>.json``) and the replacement guard:
    ``eks_platform_baseline.assert_no_replacement(stack_name, template)``.

Settings (``[tool.pytest.ini_options]`` or ``pytest.ini``): ``eks_platform_app_dir`` (where ``cdk.json`` is, relative
to the rootdir; default: the app's folder, found from ``build``, else the rootdir) and ``eks_platform_baselines``
(default: ``tests/baselines``). Option:
``--eks-platform-update-baselines`` writes the current templates as the new baselines.

The plugin module imports only pytest and the standard library: syrupy, cfn-lint and the synth helpers load when a
fixture or helper is first used. (Python imports the ``eks_platform`` package first, and its ``__init__`` currently
imports aws-cdk-lib eagerly.)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from syrupy.assertion import SnapshotAssertion

    from eks_platform.testing.baselines import Baselines
    from eks_platform.testing.snapshots import KubernetesObjectSnapshots
    from eks_platform.testing.synth import SynthCache

APP_DIR_INI = "eks_platform_app_dir"
BASELINES_INI = "eks_platform_baselines"
UPDATE_BASELINES_OPTION = "--eks-platform-update-baselines"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("eks-platform", "eks_platform (CDK templates, snapshots, replacement guard)")
    group.addoption(
        UPDATE_BASELINES_OPTION,
        action="store_true",
        default=False,
        help="write the synthesized templates as the new replacement-guard baselines (after a deploy)",
    )
    parser.addini(
        APP_DIR_INI,
        "directory holding the app's cdk.json (relative to the rootdir); default: found from the app's build function",
        default="",
    )
    parser.addini(BASELINES_INI, "directory of replacement-guard baselines (relative to the rootdir)",
                  default="tests/baselines")


def _from_rootdir(config: pytest.Config, ini_name: str) -> Path:
    value = config.getini(ini_name)
    return (Path(str(config.rootpath)) / str(value)).resolve()


@pytest.fixture(scope="session")
def eks_platform_synth(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SynthCache:
    """Synthesize an app once per session: ``eks_platform_synth(build)["StackName"]`` is that stack's normalised
    template (sorted keys, asset hashes masked), built with the project's ``cdk.json`` context, the fixed synth date
    and the fixed environment."""
    # lazy: loading the pytest plugin must not start jsii
    from eks_platform.testing.synth import SynthCache, cdk_json_context, find_app_dir

    def outdir(name: str) -> Path:
        return tmp_path_factory.mktemp(f"cdk-{name}")

    if request.config.getini(APP_DIR_INI):
        context = cdk_json_context(_from_rootdir(request.config, APP_DIR_INI))
        return SynthCache(outdir_factory=outdir, base_context=context)
    rootdir = Path(str(request.config.rootpath))
    return SynthCache(outdir_factory=outdir, app_dir=lambda build: find_app_dir(build, fallback=rootdir))


@pytest.fixture
def eks_platform_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """syrupy's ``snapshot`` storing each assertion as one normalised, readable JSON file:
    ``assert template == eks_platform_snapshot``. Update with ``pytest --snapshot-update``."""
    # lazy: syrupy is needed only by tests that use the fixture
    from eks_platform.testing.snapshots import TemplateSnapshotExtension

    return snapshot.use_extension(TemplateSnapshotExtension)


@pytest.fixture
def eks_platform_k8s_snapshot(snapshot: SnapshotAssertion) -> KubernetesObjectSnapshots:
    """One readable YAML snapshot per Kubernetes object:
    ``eks_platform_k8s_snapshot.assert_match(eks_platform_synth(build).kubernetes_objects)``."""
    # lazy: syrupy is needed only by tests that use the fixture
    from eks_platform.testing.snapshots import KubernetesObjectSnapshots

    return KubernetesObjectSnapshots(snapshot)


@pytest.fixture(scope="session")
def eks_platform_baseline(request: pytest.FixtureRequest) -> Baselines:
    """The committed baselines and the replacement guard:
    ``eks_platform_baseline.assert_no_replacement("StackName", template)`` fails if deploying ``template`` over the
    baseline would replace or delete a resource."""
    # lazy: the baselines load cfn-lint's schemas only when used
    from eks_platform.testing.baselines import Baselines

    update = bool(request.config.getoption(UPDATE_BASELINES_OPTION))
    return Baselines(_from_rootdir(request.config, BASELINES_INI), update=update)
