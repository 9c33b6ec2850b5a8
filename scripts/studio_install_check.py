"""Does `%pip install -r requirements.txt` install cleanly in SageMaker Studio's kernels?

SageMaker Studio's JupyterLab runs the SageMaker Distribution images. This script emulates a
few of them: a venv on the image's Python (major.minor), with the versions that the image's
release notes (aws/sagemaker-distribution, ``build_artifacts/vX/vX.Y/vX.Y.Z/RELEASE.md``, CPU
column) give for the packages requirements.txt names, installed from PyPI; then it runs
``pip install -r requirements.txt`` there, as a learner would, and compares ``pip freeze``
before and after. The images install with conda (``py-xgboost-cpu`` is the ``xgboost``
distribution, ``sagemaker-python-sdk`` is ``sagemaker``); pip sees the same names and versions.

For each image it checks that numpy, pandas and xgboost are kept when the image's version is
in requirements.txt's range (and says so when it is not, so it had to change), that the image's
SageMaker SDK is neither downgraded nor upgraded, that no distribution is installed twice
(``xgboost`` next to ``xgboost-cpu``), that ``pip check`` finds nothing new, and that the
workshop's analyzer and XGBoost model run on the result. It needs the package index, so it is
not part of ``make test`` or CI: ``make studio-check``, run by hand (about 50 minutes).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WATCHED = ("numpy", "pandas", "xgboost")  # the kernel's own: must not move when in range


@dataclass(frozen=True)
class Image:
    """A SageMaker Distribution image: its Python and what its release notes list."""

    name: str
    python: str  # major.minor (the image's exact patch release is in the comment)
    notes: str  # where the versions come from
    packages: dict[str, str] = field(default_factory=dict)


NOTES = "aws/sagemaker-distribution build_artifacts/{}/RELEASE.md"
IMAGES = (
    # the last Python 3.10 image (3.10.16): pandas 2.1 and xgboost 1.7
    Image("SageMaker Distribution 1.14.0", "3.10", NOTES.format("v1/v1.14/v1.14.0"), {
        "numpy": "1.26.4", "pandas": "2.1.4", "scipy": "1.11.4", "matplotlib": "3.10.1", "ipywidgets": "8.1.6",
        "boto3": "1.34.162", "sagemaker": "2.228.0", "xgboost": "1.7.6"}),
    # Python 3.11 (3.11.11)
    Image("SageMaker Distribution 2.8.0", "3.11", NOTES.format("v2/v2.8/v2.8.0"), {
        "numpy": "1.26.4", "pandas": "2.2.3", "scipy": "1.15.2", "matplotlib": "3.10.3", "ipywidgets": "8.1.7",
        "seaborn": "0.13.2", "boto3": "1.38.27", "sagemaker": "2.245.0", "xgboost": "2.1.4"}),
    # the first Python 3.12 image (3.12.7)
    Image("SageMaker Distribution 3.0.0", "3.12", NOTES.format("v3/v3.0/v3.0.0"), {
        "numpy": "1.26.4", "pandas": "2.2.3", "scipy": "1.14.1", "matplotlib": "3.9.2", "ipywidgets": "8.1.5",
        "boto3": "1.34.162", "sagemaker": "2.227.0", "xgboost": "2.1.2"}),
    # Python 3.12 (3.12.13) with the SageMaker SDK v3
    Image("SageMaker Distribution 4.3.0", "3.12", NOTES.format("v4/v4.3/v4.3.0"), {
        "numpy": "1.26.4", "pandas": "2.3.3", "scipy": "1.16.3", "matplotlib": "3.10.9", "ipywidgets": "8.1.8",
        "seaborn": "0.13.2", "boto3": "1.43.0", "sagemaker": "3.12.0", "xgboost": "2.1.4"}),
)

SMOKE = """
import sys
sys.path.insert(0, {repo!r})
import numpy, pandas, xgboost
from helpers.analyzer.baseline import run_baseline
from helpers.datasets import nyc_taxi_trips
from helpers.twin.model import train_artifact
trips = nyc_taxi_trips(600, seed=1)
base = run_baseline(trips)
artifact, _ = train_artifact(trips.head(400), trips.tail(200))
assert base.statistics.features and artifact
print("numpy", numpy.__version__, "pandas", pandas.__version__, "xgboost", xgboost.__version__)
"""


def interpreter(version: str) -> str:
    """A python of that major.minor: on PATH, else one pyenv keeps."""
    candidates = [shutil.which(f"python{version}")] + sorted(str(p) for p in Path.home().glob(
        f".pyenv/versions/{version}.*/bin/python{version}"))
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    raise SystemExit(f"studio-check: no Python {version} here (python{version} on PATH or under ~/.pyenv/versions)")


def pip(venv: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", *args],
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)} failed in {venv}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def freeze(venv: Path) -> dict[str, list[str]]:
    """Distribution name -> versions installed (a list: two copies of one name is a finding)."""
    listing = json.loads(pip(venv, "list", "--format", "json").stdout)
    found: dict[str, list[str]] = {}
    for item in listing:
        found.setdefault(canonical(item["name"]), []).append(item["version"])
    return found


def problems(venv: Path) -> set[str]:
    """`pip check`'s complaints, one per line."""
    return {line for line in pip(venv, "check", check=False).stdout.splitlines() if line.strip()
            and not line.startswith("No broken requirements")}


def allowed(requirement: str, version: str) -> bool:
    """Whether requirements.txt's range for ``requirement`` admits ``version``."""
    from packaging.requirements import Requirement

    for line in (REPO / "requirements.txt").read_text().splitlines():
        text = line.split("#", 1)[0].strip()
        if text and canonical(Requirement(text).name) == requirement:
            return Requirement(text).specifier.contains(version, prereleases=True)
    return True  # not a requirement: anything is fine


@dataclass
class Outcome:
    image: Image
    before: dict[str, list[str]]
    after: dict[str, list[str]]
    new_problems: set[str]
    smoke: str
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def judge(outcome: Outcome) -> Outcome:
    """The findings (failures) and notes (expected changes) of one image."""
    before, after = outcome.before, outcome.after
    for name in WATCHED:
        old, new = before.get(name, ["-"])[0], after.get(name, ["-"])[0]
        if old == new:
            continue
        if allowed(name, old):
            outcome.findings.append(f"{name} {old} is in requirements.txt's range but was changed to {new}")
        else:
            outcome.notes.append(f"{name} {old} is outside requirements.txt's range: pip installed {new}")
    for name in sorted(set(outcome.image.packages) - {*WATCHED, "sagemaker"}):  # the image's others: said, not judged
        old, new = before.get(name, ["-"])[0], after.get(name, ["-"])[0]
        if old != new:
            outcome.notes.append(f"the image's {name} {old} was changed to {new} (requirements.txt's range)")
    sdk_old, sdk_new = before.get("sagemaker", ["-"])[0], after.get("sagemaker", ["-"])[0]
    if sdk_old != sdk_new:
        outcome.findings.append(f"the image's SageMaker SDK {sdk_old} was replaced by {sdk_new}")
    twice = {n: v for n, v in after.items() if len(v) > 1}
    if twice or ("xgboost" in after and "xgboost-cpu" in after):
        outcome.findings.append(f"installed twice: {twice or {'xgboost': after['xgboost'], 'xgboost-cpu': after['xgboost-cpu']}}")
    outcome.findings += [f"pip check: {p}" for p in sorted(outcome.new_problems)]
    if not outcome.smoke.startswith("numpy "):
        outcome.findings.append(f"the workshop does not run on the result: {outcome.smoke}")
    return outcome


def check(image: Image, root: Path) -> Outcome:
    venv = root / re.sub(r"\W+", "-", image.name.lower())
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([interpreter(image.python), "-m", "venv", str(venv)], check=True)
    print(f"== {image.name} (Python {image.python}): installing the image's versions ({image.notes})", flush=True)
    pip(venv, "install", "-q", "--no-compile", *(f"{n}=={v}" for n, v in image.packages.items()))
    before, problems_before = freeze(venv), problems(venv)
    print(f"== {image.name}: pip install -r requirements.txt", flush=True)
    pip(venv, "install", "-q", "--no-compile", "-r", str(REPO / "requirements.txt"), "--report", str(venv / "report.json"))
    after = freeze(venv)
    smoke = subprocess.run([str(venv / "bin" / "python"), "-c", SMOKE.format(repo=str(REPO))],
                           capture_output=True, text=True)
    said = smoke.stdout.strip().splitlines()[-1:] if smoke.returncode == 0 else [smoke.stderr.strip()[-600:]]
    return judge(Outcome(image, before, after, problems(venv) - problems_before, " ".join(said)))


def report(outcomes: list[Outcome]) -> int:
    print(f"\n{'image':32} {'python':6} " + " ".join(f"{n:>20}" for n in (*WATCHED, "sagemaker")) + "  result")
    for o in outcomes:
        cells = [f"{o.before.get(n, ['-'])[0]}->{o.after.get(n, ['-'])[0]}" if o.before.get(n) != o.after.get(n)
                 else f"{o.after.get(n, ['-'])[0]} kept" for n in (*WATCHED, "sagemaker")]
        print(f"{o.image.name:32} {o.image.python:6} " + " ".join(f"{c:>20}" for c in cells)
              + ("  FAIL" if o.findings else "  ok"))
        for line in o.findings:
            print(f"    FAIL: {line}")
        for line in o.notes:
            print(f"    note: {line}")
        print(f"    smoke: {o.smoke}")
    failed = sum(1 for o in outcomes if o.findings)
    print(f"studio-check: {len(outcomes) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=REPO / "build" / "studio-check", help="where the venvs go")
    parser.add_argument("--image", action="append", help="only these images (e.g. 1.14.0); default all")
    args = parser.parse_args(argv)
    chosen = [i for i in IMAGES if not args.image or any(i.name.endswith(v) for v in args.image)]
    args.root.mkdir(parents=True, exist_ok=True)
    outcomes = [check(image, args.root) for image in chosen]
    (args.root / "summary.json").write_text(json.dumps([
        {"image": o.image.name, "python": o.image.python, "before": o.before, "after": o.after,
         "findings": o.findings, "notes": o.notes, "smoke": o.smoke} for o in outcomes], indent=1))
    return report(outcomes)


if __name__ == "__main__":
    sys.exit(main())
