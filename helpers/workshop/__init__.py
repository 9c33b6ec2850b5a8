"""The chapter's steps, written once against the session's clients: the twin or AWS.

One function per step that needs more than one call, grouped by what the step is about. Every
AWS failure comes out as one clear ``WorkshopAwsError`` (see ``helpers.aws``), never a bare
botocore traceback.
"""

from __future__ import annotations

from .alarms import (
    alarm_history,
    alarm_state,
    publish_drift_metric,
    read_metric,
    rule_targets,
    wait_for_alarm,
)
from .capture import (
    CaptureFile,
    capture_files,
    capture_files_by_hour,
    download_capture_hour,
    first_capture_record,
)
from .cleanup import PRICE_TABLE, delete_dashboard, running_costs
from .console import console_links
from .dashboard import create_dashboard, dashboard_series, dashboards, drift_history
from .focus import (
    REPORTED,
    ExecutionInFocus,
    StepNotReady,
    execution_in_focus,
    record_execution,
    state_file,
)
from .migrate import Migration, clone_alarm_to_namespace, migrate_to_selfrun
from .model import invoke_endpoint, model_predictions, send_requests
from .overview import EstateHistory, PipelineRun, estate_history
from .pipeline import (
    BaselineJob,
    JobNames,
    Stage,
    baseline_job,
    job_names,
    pipeline_execution_id,
    pipeline_execution_status,
    pipeline_executions_since,
    pipeline_stages,
    processing_job,
    production_names,
    schedules_on_endpoint,
    wait_for_retrain,
)
from .preflight import preflight
from .reports import (
    download_reports,
    load_constraints,
    load_statistics,
    load_violations,
    read_csv_split,
    read_s3_text,
    split_s3_uri,
)
from .schedule import (
    FINISHED,
    Execution,
    ScheduleInfo,
    SdkUnavailable,
    latest_execution,
    monitoring_executions,
    monitoring_schedule,
    report_uri,
    sdk_model_monitor,
    sdk_monitoring_execution,
    start_quiet_hour,
    wait_for_execution,
    wait_for_hour_report,
)
from .selfrun import SelfRunTarget, deploy_selfrun, ensure_selfrun, selfrun_schedule

__all__ = [
    "PRICE_TABLE",
    "running_costs",
    "capture_files_by_hour",
    "EstateHistory",
    "PipelineRun",
    "estate_history",
    "read_csv_split",
    "processing_job",
    "pipeline_execution_status",
    "invoke_endpoint",
    "send_requests",
    "dashboards",
    "rule_targets",
    "alarm_history",
    "FINISHED",
    "REPORTED",
    "ExecutionInFocus",
    "StepNotReady",
    "execution_in_focus",
    "record_execution",
    "state_file",
    "BaselineJob",
    "Stage",
    "CaptureFile",
    "Execution",
    "JobNames",
    "Migration",
    "ScheduleInfo",
    "SdkUnavailable",
    "SelfRunTarget",
    "alarm_state",
    "baseline_job",
    "capture_files",
    "clone_alarm_to_namespace",
    "console_links",
    "create_dashboard",
    "dashboard_series",
    "delete_dashboard",
    "deploy_selfrun",
    "download_capture_hour",
    "download_reports",
    "drift_history",
    "ensure_selfrun",
    "first_capture_record",
    "job_names",
    "latest_execution",
    "load_constraints",
    "load_statistics",
    "load_violations",
    "migrate_to_selfrun",
    "model_predictions",
    "monitoring_executions",
    "monitoring_schedule",
    "pipeline_execution_id",
    "pipeline_executions_since",
    "pipeline_stages",
    "preflight",
    "production_names",
    "publish_drift_metric",
    "read_metric",
    "read_s3_text",
    "report_uri",
    "schedules_on_endpoint",
    "sdk_model_monitor",
    "sdk_monitoring_execution",
    "selfrun_schedule",
    "split_s3_uri",
    "start_quiet_hour",
    "wait_for_alarm",
    "wait_for_execution",
    "wait_for_hour_report",
    "wait_for_retrain",
]
