"""An hourly monitoring run, as Model Monitor's schedule does it, for the self-run job.

The self-run job (``python -m helpers selfrun``, a SageMaker processing job started hourly by
EventBridge Scheduler) calls ``hourly.run_hour``: the same analyzer, report layout and metrics as
the twin's schedule. The twin's schedule keeps its own path (``twin.schedule``) because it records
the execution and its metrics in one transaction (each hour exactly once); ``objects`` says where
objects live and ``metrics`` where metrics go.
Importing this package loads nothing: import the modules.
"""
