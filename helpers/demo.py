"""The workshop's main job for ``make workshop``, with what the package can run today.

1. Reproduce the real Model Monitor baseline fixture byte for byte (when ../shared is present).
2. Baseline a seeded synthetic NYC-taxi training set, as the pipeline's baseline job does.
3. Monitor the held-out test trips: same distribution, so no violations are expected.
4. Monitor the same trips sent the way the 2021 notebook sent them (every value a float), which
   turns ``passenger_count`` into ``1.0`` and trips the data-type check, as it did for real.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .analyzer.baseline import run_baseline
from .analyzer.monitor import run_monitor
from .datasets import nyc_taxi_trips, split_trips

__all__ = ["run_workshop"]

_FIXTURE = Path(__file__).resolve().parents[2] / "shared/fixtures/sagemaker-real/sdk_pipeline_quality_check_data_quality"


def run_workshop(build: Path, fresh: bool = False) -> int:
    out = Path(build) / "workshop"
    if fresh and out.exists():
        shutil.rmtree(out)
    _step("1. Reproduce a real baseline job's output")
    if (_FIXTURE / "baseline_dataset.csv").is_file():
        result = run_baseline(_FIXTURE / "baseline_dataset.csv", header=False)
        written = result.write(out / "fixture")
        for path, name in zip(written, ("statistics.json", "good_cases_constraints.json"), strict=True):
            same = path.read_bytes() == (_FIXTURE / name).read_bytes()
            print(f"   {path.name}: {'byte-identical to' if same else 'DIFFERS from'} the real container's {name}")
    else:
        print(f"   skipped: the real fixtures are not at {_FIXTURE}")

    _step("2. Baseline the training trips")
    train, _validation, test = split_trips(nyc_taxi_trips(60_000, seed=2018))
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    train.to_csv(data / "train.csv", index=False)
    base = run_baseline(data / "train.csv")
    base.write(out / "baseline")
    print(base.statistics.to_frame()[["inferred_type", "num_present", "mean", "std_dev", "min", "max"]].to_string())

    _step("3. Monitor held-out trips (same distribution)")
    test.to_csv(data / "test.csv", index=False)
    same = run_monitor(base.statistics, base.constraints, dataset=data / "test.csv")
    same.write(out / "monitor-test")
    print(f"   {same.exit_message}")
    for name, dist in same.distances.items():
        print(f"   {name:18s} drift {dist.robust:.4f} (plain {dist.simple:.4f})")

    _step("4. Monitor trips sent as floats, as the 2021 notebook sent them")
    test.astype(float).to_csv(data / "test-as-floats.csv", index=False)
    floats = run_monitor(base.statistics, base.constraints, dataset=data / "test-as-floats.csv")
    floats.write(out / "monitor-floats")
    print(f"   {floats.exit_message}")
    for v in floats.violations.violations:
        print(f"   {v.feature_name}: {v.constraint_check_type}: {v.description}")
    print(f"\nReports are under {out}/")
    return 0


def _step(title: str) -> None:
    print(f"\n{title}")
