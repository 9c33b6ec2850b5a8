"""No notebook indexes a field the API marks optional: the notebooks run on stripped answers.

In the fake account of each variant (``fake_account``), the notebooks run in order with
backend="aws" as in ``test_fake_account``, while a hook removes from AWS's answers every member
that botocore's output shapes mark optional (STS is spared: without its account id nothing
starts, and ``test_optional_fields`` checks that sentence). Each notebook must finish or stop
with a sentence: a ``WorkshopAwsError`` (``AnswerMissing`` names the member), ``StepNotReady``
or another RuntimeError a notebook raises on purpose, a LookupError or TimeoutError of ours, an
analyzer input error, or the stop ``test_fake_account`` documents. A KeyError, IndexError,
TypeError or AttributeError (what indexing an absent member gives), or any other exception, is a
finding.

Two passes: with every answer stripped, most notebooks stop early (GetPipelineState without its
stages has no production execution), so the code after that is not reached. The second pass
strips one operation at a time: the notebooks run whole once, recording the operations each one
calls whose answers held an optional member; then, for each such operation, the notebooks that
called it run again with only that operation's answers stripped, which reaches every place that
reads that answer. (An operation whose answers held nothing optional would run unchanged.)
"""

from __future__ import annotations

import re
import time

import botocore.session
import pytest
from fake_account import LAYOUTS, answer_only_required, fake_environment, lay_out
from moto import mock_aws
from test_fake_account import STOPS, NotebookStopped, notebooks, run_in_process

from helpers.analyzer.monitor import AnalyzerInputError

# a stop the code raised on purpose, with a sentence (WorkshopAwsError and StepNotReady are
# RuntimeErrors; the notebooks raise RuntimeError for what the learner must do first)
SENTENCES = (RuntimeError, LookupError, TimeoutError, AnalyzerInputError)
# what indexing an absent member gives (KeyError and IndexError are LookupErrors too)
CRASHES = (KeyError, IndexError, TypeError, AttributeError, NotImplementedError, RecursionError)
PARAMETERS = {"backend": "aws"}


def finding(path, stop: NotebookStopped | None) -> str | None:
    """None when the notebook finished or stopped with a sentence; else what went wrong."""
    if stop is None:
        return None
    cause = stop.__cause__
    if isinstance(cause, SENTENCES) and not isinstance(cause, CRASHES):
        return None
    documented = STOPS.get(path.stem)
    if documented is not None and re.search(documented, str(stop)):
        return None
    return str(stop)


def run(path, tmp_path) -> NotebookStopped | None:
    try:
        run_in_process(path, PARAMETERS, tmp_path)
    except NotebookStopped as stop:
        return stop
    return None


class Stripping:
    """Installs the stripping hook on every botocore session made while it is on."""

    def __init__(self, monkeypatch):
        self.only: frozenset[str] | None = frozenset()  # nothing stripped until told
        self.seen: set[str] = set()
        original = botocore.session.get_session

        def get_session(*args, **kwargs):
            session = original(*args, **kwargs)
            answer_only_required(session, spare=frozenset({"sts"}), only=self.only, seen=self.seen)
            return session

        monkeypatch.setattr(botocore.session, "get_session", get_session)


def virtual_waits(monkeypatch) -> None:
    """Waiting costs no time: sleep moves a clock that time.monotonic and time.time follow.

    A stripped answer never shows what a step waits for, so every wait runs to its timeout.
    """
    slept = [0.0]
    real_monotonic, real_time = time.monotonic, time.time
    monkeypatch.setattr(time, "sleep", lambda seconds: slept.__setitem__(0, slept[0] + max(0.0, seconds)))
    monkeypatch.setattr(time, "monotonic", lambda: real_monotonic() + slept[0])
    monkeypatch.setattr(time, "time", lambda: real_time() + slept[0])


@pytest.fixture(params=sorted(LAYOUTS))
def stripped_account(request, tmp_path, monkeypatch):
    virtual_waits(monkeypatch)
    with mock_aws():
        monkeypatch.setenv("MPLBACKEND", "Agg")
        monkeypatch.chdir(tmp_path)
        answers = fake_environment(monkeypatch, tmp_path)
        lay_out(LAYOUTS[request.param], answers, tmp_path)
        yield Stripping(monkeypatch), tmp_path


@pytest.mark.slow
def test_no_notebook_indexes_an_optional_field(stripped_account):
    stripping, tmp_path = stripped_account
    calls: dict[str, set[str]] = {}
    for path in notebooks():  # whole answers: what each notebook calls
        stripping.seen = set()
        run(path, tmp_path)
        calls[path.stem] = set(stripping.seen)
    operations = sorted(set().union(*calls.values()))
    assert {"codepipeline.GetPipelineState", "sagemaker.DescribeMonitoringSchedule", "cloudwatch.GetDashboard",
            "cloudwatch.DescribeAlarms", "s3.ListObjectsV2"} <= set(operations), operations

    findings = {}
    stripping.only = None  # pass 1: every answer stripped
    for path in notebooks():
        problem = finding(path, run(path, tmp_path))
        if problem:
            findings[f"{path.stem} (all stripped)"] = problem
    for operation in operations:  # pass 2: one operation at a time
        stripping.only = frozenset({operation})
        for path in (p for p in notebooks() if operation in calls[p.stem]):
            problem = finding(path, run(path, tmp_path))
            if problem:
                findings[f"{path.stem} ({operation} stripped)"] = problem
    assert not findings, "\n".join(f"{k}: {v}" for k, v in findings.items())
