"""An hourly monitoring run, as Model Monitor's schedule does it: one implementation for all.

The twin's schedule and the self-run job (``python -m helpers selfrun``, a SageMaker processing
job started hourly by EventBridge Scheduler) both call ``hourly.run_hour``: the same capture
window, the same analyzer, the same report layout and metrics. Only where objects live
(``objects``: S3 or the twin's folder) and where metrics go (``metrics``) differ between them.
Importing this package loads nothing: import the modules.
"""
