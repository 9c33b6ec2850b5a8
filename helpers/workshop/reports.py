"""Steps 4, 5, 10, 11, 13b and 13c: Model Monitor's files on S3, read as typed objects or downloaded."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..aws import NotFound, guarded
from ..backends import WorkshopSession
from ..formats import Constraints, ConstraintViolations, Statistics
from ..monitoring.objects import save_object


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


@guarded("reading from S3 (s3:GetObject)")
def read_s3_text(sess: WorkshopSession, uri: str) -> str:
    bucket, key = split_s3_uri(uri)
    return sess.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def load_statistics(sess: WorkshopSession, uri: str) -> Statistics:
    """Step 4: a statistics.json from S3 as a typed object."""
    return Statistics.from_string(read_s3_text(sess, uri), source=uri)


def load_constraints(sess: WorkshopSession, uri: str) -> Constraints:
    """Step 5: a constraints.json from S3 as a typed object."""
    return Constraints.from_string(read_s3_text(sess, uri), source=uri)


def load_violations(sess: WorkshopSession, uri: str) -> ConstraintViolations:
    return ConstraintViolations.from_string(read_s3_text(sess, uri), source=uri)


# the service's wording of a drift violation (the analyzer's baseline_drift.describe); Java doubles
_DRIFT = re.compile(r"Baseline drift distance: ([-+0-9.Ee]+) exceeds threshold: ([-+0-9.Ee]+)")


@dataclass(frozen=True)
class Drift:
    """A fired baseline_drift_check: the distance and the threshold it exceeded."""

    feature: str
    distance: float
    threshold: float


def drift_of(violations: ConstraintViolations, feature: str) -> Drift | None:
    """Step 13c: the drift the report states for ``feature``; None when its drift check did not
    fire. A description in another wording is an error quoting it, never a silent None."""
    found = [v for v in violations.by_check("baseline_drift_check") if v.feature_name == feature]
    if not found:
        return None
    match = _DRIFT.search(found[0].description)
    if match is None:
        raise ValueError(f"the baseline_drift_check of {feature} does not state a distance and a threshold "
                         f"as expected ('Baseline drift distance: D exceeds threshold: T'): {found[0].description!r}")
    return Drift(feature, float(match.group(1)), float(match.group(2)))


@dataclass(frozen=True)
class FeatureDrift:
    """One numeric feature's drift distance between a baseline and a report, as the
    baseline_drift_check measures it (the constraints' method and threshold)."""

    feature: str
    distance: float  # by the constraints' method
    threshold: float
    method: str  # "Robust" or "Simple"
    gap: float  # the Simple distance: the largest gap between the two rank maps

    @property
    def drifted(self) -> bool:
        return self.distance > self.threshold


def numeric_drift(baseline: Statistics, report: Statistics, constraints: Constraints) -> list[FeatureDrift]:
    """Step 13b: the drift distance of every numeric feature both files describe, from their
    KLL sketches, with the method and threshold the drift check reads from ``constraints``
    (a report with no drift violation has every distance at or under its threshold)."""
    from ..analyzer.checks import ResolvedConfig
    from ..analyzer.distance import numerical_distance
    from ..analyzer.kll import KLLState

    config = ResolvedConfig.of(constraints.monitoring_config)
    in_report = {f.name: f for f in report.features}
    found = []
    for feature in baseline.features:
        base, now = feature.numerical_statistics, in_report.get(feature.name)
        now = now.numerical_statistics if now is not None else None
        if not _has_sketch(base) or not _has_sketch(now):  # the check says "not evaluated" there
            continue
        sketches = [KLLState.from_data(s.kll.sketch.data, s.min, s.max) for s in (base, now)]
        distance = numerical_distance(*sketches)
        found.append(FeatureDrift(feature.name, distance.by_method(config.comparison_method),
                                  config.comparison_threshold, config.comparison_method, distance.simple))
    return found


def _has_sketch(numbers) -> bool:
    return numbers is not None and numbers.kll is not None and numbers.kll.sketch is not None \
        and any(numbers.kll.sketch.data)


@guarded("downloading the reports (s3:ListObjectsV2, s3:GetObject)")
def download_reports(sess: WorkshopSession, uri: str, folder: str | Path) -> list[Path]:
    """Step 11: every file under the report location, into a local folder that holds only them.

    The files land in a staging folder that then replaces ``folder``, so files left from an
    earlier execution can never pass for this one's, and an interrupted download leaves the
    old folder whole.
    """
    bucket, prefix = split_s3_uri(uri.rstrip("/") + "/")
    s3 = sess.client("s3")
    folder = Path(folder)
    staging = folder.with_name(f".{folder.name}.downloading")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    keys = [obj["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for obj in page.get("Contents", []) if obj.get("Key")]
    if not keys:
        raise NotFound(f"no report files under {uri}: the execution has not written its reports there (yet), "
                       "or the listing answered none; check the location in the S3 console")
    for key in keys:
        save_object(s3, bucket, key, staging / key[len(prefix):])
    shutil.rmtree(folder, ignore_errors=True)
    staging.replace(folder)
    return [folder / key[len(prefix):] for key in keys]


def read_csv_split(sess: WorkshopSession, uri: str, columns: list[str]):
    """A data split the pipeline uploaded, with or without a header (the real pipeline writes
    test.csv without one, baseline.csv with one): a first row that names ``columns`` is the header."""
    import io

    import pandas as pd

    text = read_s3_text(sess, uri)
    first = text.split("\n", 1)[0].strip().split(",")
    if first == columns:
        return pd.read_csv(io.StringIO(text))
    return pd.read_csv(io.StringIO(text), header=None, names=columns)
