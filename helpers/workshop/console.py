"""AWS console links for what a step looks at, printed by the notebooks on the aws backend.

On the twin there is no console: ``console_links`` returns nothing, so the notebooks print
nothing. The instructor notes (docs/instructor-notes.md) list which step opens which page.
"""

from __future__ import annotations

from urllib.parse import quote

from ..backends import WorkshopSession
from .reports import split_s3_uri

__all__ = ["console_links"]


def _sagemaker(region: str, fragment: str) -> str:
    return f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/{fragment}"


def console_links(sess: WorkshopSession, *, endpoint: str | None = None, processing_job: str | None = None,
                  s3_uri: str | None = None, alarm: str | None = None, pipeline: str | None = None,
                  dashboard: str | None = None) -> dict[str, str]:
    """Console pages for the resources named (empty on the twin)."""
    if sess.backend != "aws":
        return {}
    r = sess.region
    links = {}
    if endpoint and sess.monitoring == "self":  # the endpoint's Monitoring tab lists Model Monitor's schedules only
        links["the endpoint"] = _sagemaker(r, f"endpoints/{quote(endpoint)}")
        links["the self-run schedule (EventBridge Scheduler)"] = (
            f"https://{r}.console.aws.amazon.com/scheduler/home?region={r}#schedules/default/{quote(sess.names.schedule_name)}")
    elif endpoint:
        links["endpoint (its Monitoring tab lists the schedule's runs)"] = _sagemaker(r, f"endpoints/{quote(endpoint)}")
    if processing_job:
        links["the execution's processing job"] = _sagemaker(r, f"processing-jobs/{quote(processing_job)}")
    if s3_uri:
        bucket, key = split_s3_uri(s3_uri)
        links["the reports on S3"] = (f"https://s3.console.aws.amazon.com/s3/buckets/{bucket}?region={r}"
                                      f"&prefix={quote(key.rstrip('/') + '/')}")
    if alarm:
        links["the drift alarm"] = f"https://{r}.console.aws.amazon.com/cloudwatch/home?region={r}#alarmsV2:alarm/{quote(alarm)}"
    if pipeline:
        links["the pipeline"] = f"https://{r}.console.aws.amazon.com/codesuite/codepipeline/pipelines/{quote(pipeline)}/view?region={r}"
    if dashboard:
        links["the dashboard"] = f"https://{r}.console.aws.amazon.com/cloudwatch/home?region={r}#dashboards/dashboard/{quote(dashboard)}"
    return links
