"""An hourly monitoring run, as Model Monitor's schedule does it: one implementation, two estates.

``hourly.run_hour`` reads the previous hour's capture, analyses it, publishes the metrics and
writes the report set, with what it touches given to it: ``objects`` says where objects live
(S3, or the twin's folder), ``metrics`` where metrics go (CloudWatch, or the twin's table), and
the caller's ``finish`` what the effects happen in (the twin: the transaction that records the
execution, so each hour runs once). The self-run job (``job``: ``python -m helpers selfrun``, a
SageMaker processing job started hourly by EventBridge Scheduler) and the twin's schedule
(``helpers.twin.schedule``) both call it.
Importing this package loads nothing: import the modules.
"""
