"""Model Monitor's analyzer: baseline statistics, suggested constraints, monitoring checks.

Built on ``helpers.formats``; imports nothing above it. Entry points: ``baseline.run_baseline``
and ``monitor.run_monitor``.
"""
