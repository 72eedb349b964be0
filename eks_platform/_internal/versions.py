"""The checked-in EKS version lifecycle table and the support-policy decision built on it."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources

#: The EKS user guide page with the release calendar and what extended support costs.
VERSIONS_URL = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html"
_VERSION = re.compile(r"1\.(\d{2})", re.ASCII)


class SupportType(str, Enum):
    """``UpgradePolicy.SupportType`` of ``AWS::EKS::Cluster``."""

    STANDARD = "STANDARD"
    EXTENDED = "EXTENDED"


@dataclass(frozen=True, kw_only=True, slots=True)
class VersionLifecycle:
    version: str
    released: dt.date
    end_of_standard: dt.date
    end_of_extended: dt.date
    confidence: str

    def phase_on(self, day: dt.date) -> str:
        """``standard``, ``extended`` or ``ended`` on ``day`` (support ends at the start of the end date)."""
        if day < self.end_of_standard:
            return "standard"
        if day < self.end_of_extended:
            return "extended"
        return "ended"


@cache
def _table() -> dict[str, object]:
    text = resources.files("eks_platform._internal.data").joinpath("eks_versions.json").read_text()
    data: dict[str, object] = json.loads(text)
    return data


def prices() -> dict[str, float]:
    """USD per cluster-hour, keyed ``standard`` and ``extended``."""
    raw = _table()["prices_usd_per_cluster_hour"]
    assert isinstance(raw, dict)
    return {str(k): float(v) for k, v in raw.items()}


@cache
def lifecycle_table() -> dict[str, VersionLifecycle]:
    raw = _table()["versions"]
    assert isinstance(raw, dict)
    return {
        version: VersionLifecycle(
            version=version,
            released=dt.date.fromisoformat(row["released"]),
            end_of_standard=dt.date.fromisoformat(row["end_of_standard"]),
            end_of_extended=dt.date.fromisoformat(row["end_of_extended"]),
            confidence=row["confidence"],
        )
        for version, row in raw.items()
    }


def supported_versions() -> tuple[str, ...]:
    return tuple(sorted(lifecycle_table(), key=minor_of))


def is_minor_version(value: object) -> bool:
    """True for a Kubernetes minor version string of the form ``"1.NN"``."""
    return isinstance(value, str) and _VERSION.fullmatch(value) is not None


def minor_of(version: str) -> int:
    match = _VERSION.fullmatch(version)
    if not match:
        raise ValueError(f"not a Kubernetes minor version: {version!r}")
    return int(match.group(1))


def version_problems(setting: str, version: object, *, today: dt.date) -> list[str]:
    """Shape, table membership and end-of-life problems of a Kubernetes version string such as ``"1.32"``."""
    if not isinstance(version, str) or not version:
        return [f"{setting} must be a Kubernetes minor version such as '1.32', got {version!r}"]
    if not _VERSION.fullmatch(version):
        return [
            f"{setting} {version!r} is not a Kubernetes minor version; write major.minor with no 'v' and no patch, "
            "for example '1.32'"
        ]
    table = lifecycle_table()
    if version not in table:
        return [
            f"{setting} {version!r} is not in the EKS version table (known: {', '.join(supported_versions())}); "
            "pick one of those or refresh eks_platform/_internal/data/eks_versions.json"
        ]
    row = table[version]
    if row.phase_on(today) == "ended":
        newest_ok = [v for v in supported_versions() if table[v].phase_on(today) != "ended"]
        return [
            f"{setting} {version!r} left EKS extended support on {row.end_of_extended.isoformat()} (synth date "
            f"{today.isoformat()}); EKS would auto-upgrade it. Use one of {', '.join(newest_ok)}"
        ]
    return []


@dataclass(frozen=True, kw_only=True, slots=True)
class SupportDecision:
    support_type: SupportType
    phase: str
    lifecycle: VersionLifecycle
    warning: str | None


def decide_support(
    version: str, *, today: dt.date, requested: SupportType | None
) -> tuple[SupportDecision | None, list[str]]:
    """Choose the upgrade policy for ``version`` on ``today``.

    STANDARD while the version is in standard support (no surprise extended-support bill), EXTENDED once it is in
    extended support (EKS cannot disable extended support for such a cluster), with a cost warning.
    Returns the decision and the problems (a STANDARD request for a version in extended support is a problem).
    """
    problems = version_problems("version", version, today=today)
    if problems:
        return None, problems
    row = lifecycle_table()[version]
    phase = row.phase_on(today)
    price = prices()
    if phase == "standard":
        chosen = requested or SupportType.STANDARD
        warning = None
        if chosen is SupportType.EXTENDED:
            warning = (
                f"Kubernetes {version} leaves standard support on {row.end_of_standard.isoformat()}; with upgrade "
                f"policy EXTENDED the cluster stays on it until {row.end_of_extended.isoformat()} at "
                f"${price['extended']:.2f} instead of ${price['standard']:.2f} per cluster-hour "
                f"(+${price['extended'] - price['standard']:.2f}/h). See {VERSIONS_URL}"
            )
        return SupportDecision(support_type=chosen, phase=phase, lifecycle=row, warning=warning), []
    if requested is SupportType.STANDARD:
        return None, [
            f"upgrade policy STANDARD was asked for Kubernetes {version}, which has been in extended support since "
            f"{row.end_of_standard.isoformat()}; EKS cannot disable extended support for such a cluster. Remove the "
            "setting (EXTENDED is then chosen, with a cost warning) or pick a version in standard support"
        ]
    warning = (
        f"Kubernetes {version} is in EKS extended support until {row.end_of_extended.isoformat()} (then EKS upgrades "
        f"the control plane), at ${price['extended']:.2f} instead of ${price['standard']:.2f} per cluster-hour "
        f"(+${price['extended'] - price['standard']:.2f}/h, about "
        f"${(price['extended'] - price['standard']) * 730:.0f} a month per cluster). Upgrade to a version in standard "
        f"support to stop the surcharge: {VERSIONS_URL}"
    )
    return SupportDecision(support_type=SupportType.EXTENDED, phase=phase, lifecycle=row, warning=warning), []


def minor_version_shape_problems(setting: str, value: object) -> list[str]:
    """The ``1.NN`` shape of a Kubernetes minor version (no lifecycle check): the one wording every caller uses."""
    if is_minor_version(value):
        return []
    return [
        f"{setting} {value!r} is not a Kubernetes minor version; write major.minor as a string with no 'v' and no "
        "patch, for example \"1.32\""
    ]


def consistent_version_problems(setting: str, given: object, cluster_version: object) -> list[str]:
    """An explicit Kubernetes version on a peer of a cluster (add-on, hybrid nodes, charts) must be the cluster's.

    Skipped when either is unknown at synth (None or a token): an imported cluster does not say its version.
    """
    # plain strings only: a token ("${Token[...]}") cannot be judged, and importing aws_cdk here would make this
    # module (loaded by the pytest plugin) pull in jsii
    if not isinstance(given, str) or not isinstance(cluster_version, str) or "{Token[" in given + cluster_version:
        return []
    if given != cluster_version:
        return [
            f"{setting} {given!r} differs from the cluster's Kubernetes version {cluster_version!r}; everything on "
            "one cluster runs its version. Remove the setting (it defaults to the cluster's) or upgrade the cluster"
        ]
    return []
