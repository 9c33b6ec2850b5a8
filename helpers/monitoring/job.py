"""``python -m helpers selfrun``: the self-run hourly job, in a processing job or on a laptop.

EventBridge Scheduler starts it every hour as a SageMaker processing job (assets/
selfrun-schedule.template.json) with its settings in the environment; each option below can
also be given on the command line, which wins. It runs ``run_hour`` against S3 and CloudWatch
(or, with ``--workspace``, against the local twin's), writes the run's exit message where
DescribeProcessingJob's ExitMessage reads it (``/opt/ml/output/message``), and exits 0 when the
hour completed (with or without violations), 3 when it had no data, 2 when the input could not
be used (a setting, or a baseline object that is gone or refused).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analyzer.metrics import DATA_METRICS_NAMESPACE

if TYPE_CHECKING:  # the analyzer is imported when the job runs, not when the CLI parses
    from .hourly import HourlyRun, HourOutcome

__all__ = ["ENVIRONMENT", "add_arguments", "main"]

MESSAGE_FILE = "/opt/ml/output/message"
MESSAGE_LIMIT = 1024  # DescribeProcessingJob's ExitMessage holds the file's first 1 KB

# option -> (environment variable, required, help)
ENVIRONMENT: dict[str, tuple[str, bool, str]] = {
    "scheduled_time": ("SCHEDULED_TIME", True, "when the schedule fired (ISO 8601, e.g. 2021-06-07T10:00:00Z)"),
    "endpoint": ("ENDPOINT_NAME", True, "the endpoint whose capture is analysed"),
    "variant": ("VARIANT_NAME", True, "its production variant (a folder of the capture layout)"),
    "schedule": ("SCHEDULE_NAME", True, "the schedule's name (a folder of the reports layout)"),
    "capture_uri": ("CAPTURE_S3_URI", True, "the endpoint's capture destination, s3://bucket/prefix"),
    "statistics_uri": ("BASELINE_STATISTICS_S3_URI", True, "the baseline statistics.json"),
    "constraints_uri": ("BASELINE_CONSTRAINTS_S3_URI", True, "the baseline constraints.json"),
    "reports_uri": ("REPORTS_S3_URI", True, "where reports go, above <endpoint>/<schedule>/"),
    "publish": ("PUBLISH_CLOUDWATCH_METRICS", False, "Enabled (default) or Disabled"),
    "namespace": ("METRIC_NAMESPACE", False, f"CloudWatch namespace (default {DATA_METRICS_NAMESPACE})"),
    "metric_endpoint": ("METRIC_ENDPOINT_DIMENSION", False, "value of the Endpoint dimension (default: endpoint)"),
    "metric_schedule": ("METRIC_SCHEDULE_DIMENSION", False,
                        "value of the MonitoringSchedule dimension (default: schedule)"),
    "container": ("CONTAINER_GENERATION", False, "Model Monitor's output generation: current (default) or 2021"),
    "message_file": ("MESSAGE_FILE", False, f"where the exit message goes (default {MESSAGE_FILE})"),
}


class JobSettingError(ValueError):
    """A setting of the job is missing or malformed (names the option and its variable)."""


@dataclass(frozen=True)
class JobSettings:
    run: HourlyRun
    scheduled: datetime
    message_file: Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for option, (variable, required, text) in ENVIRONMENT.items():
        flag = "--" + option.replace("_", "-")
        parser.add_argument(flag, dest=option, help=f"{text}; environment {variable}"
                            + ("" if not required else " (required)"))
    parser.add_argument("--workspace", type=Path, help="run against the local twin in this folder, not AWS")


def settings(args: argparse.Namespace, environ: dict[str, str] | None = None) -> JobSettings:
    """The job's settings: command-line options first, then the environment."""
    environ = os.environ if environ is None else environ
    values = {}
    for option, (variable, required, _) in ENVIRONMENT.items():
        value = getattr(args, option, None) or environ.get(variable, "")
        if required and not value:
            raise JobSettingError(f"missing setting: --{option.replace('_', '-')} or the environment "
                                  f"variable {variable}")
        values[option] = value
    publish = values.pop("publish") or "Enabled"
    if publish not in ("Enabled", "Disabled"):
        raise JobSettingError(f"PUBLISH_CLOUDWATCH_METRICS must be Enabled or Disabled, not {publish!r}")
    from .hourly import HourlyRun

    scheduled = _parse_time(values.pop("scheduled_time"))
    message = Path(values.pop("message_file") or MESSAGE_FILE)
    run = HourlyRun(publish_metrics=publish == "Enabled", container=_container(values.pop("container")),
                    namespace=values.pop("namespace") or DATA_METRICS_NAMESPACE, **values)
    for field in ("capture_uri", "statistics_uri", "constraints_uri", "reports_uri"):
        if not getattr(run, field).startswith("s3://"):
            variable = ENVIRONMENT[field][0]
            raise JobSettingError(f"{variable} must be an s3:// URI, not {getattr(run, field)!r}")
    return JobSettings(run, scheduled, message)


def _container(text: str) -> str:
    from ..formats.generation import parse_container

    try:
        return parse_container(text or None).value
    except ValueError as err:
        raise JobSettingError(f"CONTAINER_GENERATION: {err}") from None


def _parse_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise JobSettingError(f"SCHEDULED_TIME must be an ISO 8601 time like 2021-06-07T10:00:00Z, "
                              f"not {text!r}") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def clients(workspace: Path | None) -> tuple[Any, Any, Any]:
    """(S3 client, CloudWatch client, clock): the twin's, or AWS's from the standard chain."""
    if workspace is not None:
        from ..twin.estate import Twin

        twin = Twin.open(workspace)
        return twin.client("s3"), twin.client("cloudwatch"), twin.ws.now
    import boto3

    from ..aws import retrying_config

    session = boto3.session.Session()
    config = retrying_config()
    return session.client("s3", config=config), session.client("cloudwatch", config=config), None


def write_message(path: Path, message: str) -> None:
    """The exit message, cut to the 1 KB that ExitMessage holds (on a character boundary)."""
    data = message.encode("utf-8")[:MESSAGE_LIMIT].decode("utf-8", errors="ignore")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data, encoding="utf-8")


def main(args: argparse.Namespace) -> int:
    from .hourly import run_hour
    from .metrics import CloudWatchPublisher
    from .objects import S3Store

    job = settings(args)
    try:
        s3, cloudwatch, clock = clients(args.workspace)
        outcome = run_hour(job.run, job.scheduled, S3Store(s3), CloudWatchPublisher(cloudwatch, clock))
    except Exception as err:
        err = _explained(err)
        write_message(job.message_file, f"Error: {err}")
        raise err from None
    write_message(job.message_file, outcome.message if outcome.failure != "input" else f"Error: {outcome.message}")
    print(summary(job, outcome))
    if outcome.exit_code == 2:  # a baseline gone or refused: the job fails, saying why
        print(f"error: {outcome.message}", file=sys.stderr)
    return outcome.exit_code


def _explained(err: Exception) -> Exception:
    """botocore's errors as one clear sentence (what failed, what to do); others unchanged."""
    from botocore.exceptions import BotoCoreError, ClientError

    from ..aws import explain

    if isinstance(err, (BotoCoreError, ClientError)):
        return explain(err, "running the self-run monitoring hour")
    return err


def summary(job: JobSettings, outcome: HourOutcome) -> str:
    start, end = outcome.window
    lines = [f"hour        {start:%Y-%m-%d %H:%M} to {end:%H:%M} UTC of {job.run.endpoint}",
             f"reports     {outcome.report_uri}"]
    if outcome.reused:
        lines.append("already run: the report set was there, nothing analysed or published again")
    else:
        lines.append(f"capture     {outcome.capture_files} files, {outcome.outside_window} rows of other hours left out")
        if outcome.result is not None:
            problems = outcome.result.problems
            lines.append(f"rows        {outcome.result.profile.item_count} analysed, {len(problems)} records could not be used")
            lines.extend(f"  {p}" for p in problems[:20])
            published = len(outcome.result.metrics) if job.run.publish_metrics else 0
            lines.append(f"metrics     {published} published to {job.run.namespace}")
        elif outcome.detail:
            lines.append(f"why         {outcome.detail}")
    lines.append(outcome.message)
    return "\n".join(lines)

