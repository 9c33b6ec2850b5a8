"""Amazon CloudWatch: metrics stored in SQLite, alarms evaluated as data arrives, dashboards."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta
from typing import Any

from ..alarms import Datapoint, aggregate, evaluate_alarm, period_start
from ..api import TwinError
from ..store import Workspace, iso, parse_iso
from .metric_queries import Search, Series, evaluate_math, parse_search, search_matches
from .pagination import page

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


def dimensions_key(dimensions: list[dict] | None) -> str:
    """How a metric's dimensions are stored: sorted (name, value) pairs, so order never matters."""
    return json.dumps(sorted((d["Name"], d["Value"]) for d in dimensions or []))


class CloudWatch:
    def __init__(self, workspace: Workspace, on_alarm_change=None):
        self.ws = workspace
        self.on_alarm_change = on_alarm_change  # EventBridge's delivery of state-change events

    # -- metrics ----------------------------------------------------------------------------
    def PutMetricData(self, params: dict) -> dict:
        data = params.get("MetricData") or []
        if not data:
            raise TwinError("MissingParameter", "The parameter MetricData is required.")
        namespace = params["Namespace"]
        if namespace.startswith("AWS/"):
            raise TwinError("InvalidParameterValue", f"The value {namespace} for parameter Namespace is invalid.")
        rows = []
        for i, datum in enumerate(data, start=1):
            stamp = datum.get("Timestamp") or self.ws.now()
            if isinstance(stamp, str):
                stamp = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
            rows.append((namespace, datum["MetricName"], dimensions_key(datum.get("Dimensions")), iso(stamp),
                         *_statistic_values(datum, i), datum.get("Unit", "None")))
        self.record(rows)
        return {}

    def record(self, rows: list[tuple], db=None) -> None:
        """Store datapoints (also used for the service's own AWS/ metrics), inside the caller's
        transaction when given one (``db``). Alarms see them at their next evaluation
        (``next_evaluation``), not at once, as CloudWatch does."""
        if db is not None:
            db.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            return
        with self.ws.transaction() as tx:
            tx.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _points(self, namespace: str, name: str, dims: str, start: datetime, end: datetime) -> list[Datapoint]:
        rows = self.ws.db.execute(
            "SELECT ts, sample_count, sum, minimum, maximum FROM metrics WHERE namespace = ? AND name = ? "
            "AND dims = ? AND ts >= ? AND ts < ? ORDER BY ts", (namespace, name, dims, iso(start), iso(end))).fetchall()
        return [Datapoint(parse_iso(r[0]), *r[1:]) for r in rows]

    def _series(self, namespace, name, dimensions, start, end, period) -> dict[datetime, list[Datapoint]]:
        grouped: dict[datetime, list[Datapoint]] = {}
        for p in self._points(namespace, name, dimensions_key(dimensions), start, end):
            grouped.setdefault(period_start(p.timestamp, period), []).append(p)
        return grouped

    def GetMetricStatistics(self, params: dict) -> dict:
        stats = params.get("Statistics") or []
        if not stats and not params.get("ExtendedStatistics"):
            raise TwinError("InvalidParameterCombination",
                            "Must specify either Statistics or ExtendedStatistics, but not both.")
        period = params["Period"]
        series = self._series(params["Namespace"], params["MetricName"], params.get("Dimensions"),
                              params["StartTime"], params["EndTime"], period)
        datapoints = []
        for start, points in sorted(series.items()):
            point: dict[str, Any] = {"Timestamp": start}
            for stat in stats:
                point[stat] = aggregate(points, stat)
            point["Unit"] = params.get("Unit", "None")
            datapoints.append(point)
        return {"Label": params["MetricName"], "Datapoints": datapoints}

    def GetMetricData(self, params: dict) -> dict:
        """MetricStat queries, SEARCH expressions (one result per series found, all with the
        query's Id) and metric math over other queries' ids."""
        queries = {q["Id"]: q for q in params["MetricDataQueries"]}
        answered: dict[str, list[Series]] = {}

        def answer(query_id: str, visiting: frozenset = frozenset()) -> list[Series]:
            if query_id in answered:
                return answered[query_id]
            if query_id in visiting:
                raise TwinError("ValidationError", f"Metric math expression {query_id} refers to itself")
            query = queries[query_id]
            if "MetricStat" in query:
                series = [self._stat_series(query["MetricStat"], params["StartTime"], params["EndTime"])]
            elif (search := parse_search(query["Expression"])) is not None:
                series = self._search(search, query.get("Period"), params["StartTime"], params["EndTime"])
            else:
                for name in set(re.findall(r"[A-Za-z_]\w*", query["Expression"])) & set(queries):
                    answer(name, visiting | {query_id})
                series = evaluate_math(query["Expression"], answered)
            answered[query_id] = series
            return series

        descending = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
        results = []
        for query_id, query in queries.items():
            series = answer(query_id)
            if not query.get("ReturnData", True):
                continue
            for one in series:
                label = query.get("Label") if query.get("Label") and len(series) == 1 else \
                    " ".join(filter(None, [query.get("Label"), one.label]))
                ordered = sorted(one.points.items(), reverse=descending)
                results.append({"Id": query_id, "Label": label, "Timestamps": [t for t, _ in ordered],
                                "Values": [v for _, v in ordered], "StatusCode": "Complete"})
        return {"MetricDataResults": results, "Messages": []}

    def _stat_series(self, stat: dict, start: datetime, end: datetime) -> Series:
        metric = stat["Metric"]
        grouped = self._series(metric["Namespace"], metric["MetricName"], metric.get("Dimensions"), start, end,
                               stat["Period"])
        return Series(metric["MetricName"], {t: aggregate(p, stat["Stat"]) for t, p in grouped.items()})

    def _search(self, search: Search, period: int | None, start: datetime, end: datetime) -> list[Series]:
        """Every stored series the SEARCH matches (label: metric name and dimension values) [inferred]."""
        rows = self.ws.db.execute("SELECT DISTINCT name, dims FROM metrics WHERE namespace = ? ORDER BY name, dims",
                                  (search.namespace,)).fetchall()
        found = []
        for name, dims in rows:
            if search_matches(search, search.namespace, name, dims):
                pairs = json.loads(dims)
                grouped: dict[datetime, list[Datapoint]] = {}
                for p in self._points(search.namespace, name, dims, start, end):
                    grouped.setdefault(period_start(p.timestamp, search.period or period or 300), []).append(p)
                found.append(Series(" ".join([name, *(v for _, v in pairs)]),
                                    {t: aggregate(points, search.stat) for t, points in grouped.items()}))
        return found

    def ListMetrics(self, params: dict) -> dict:
        rows = self.ws.db.execute("SELECT DISTINCT namespace, name, dims FROM metrics ORDER BY namespace, name").fetchall()
        metrics = []
        for namespace, name, dims in rows:
            if params.get("Namespace") not in (None, namespace) or params.get("MetricName") not in (None, name):
                continue
            metrics.append({"Namespace": namespace, "MetricName": name,
                            "Dimensions": [{"Name": n, "Value": v} for n, v in json.loads(dims)]})
        return {"Metrics": metrics}

    # -- alarms -----------------------------------------------------------------------------
    def PutMetricAlarm(self, params: dict) -> dict:
        name = params["AlarmName"]
        stat = params.get("Statistic")
        if stat is None and not params.get("ExtendedStatistic") and not params.get("Metrics"):
            raise TwinError("ValidationError", "Statistic or ExtendedStatistic must be specified.")
        if stat is not None and stat not in STATISTICS:
            raise TwinError("ValidationError", f"Statistic must be one of {', '.join(STATISTICS)}.")
        now = self.ws.now()
        old = self.ws.resource("alarm", name)
        alarm = {
            "AlarmName": name,
            "AlarmArn": f"arn:aws:cloudwatch:{self.ws.region}:{self.ws.account_id}:alarm:{name}",
            "AlarmConfigurationUpdatedTimestamp": now,
            "ActionsEnabled": params.get("ActionsEnabled", True),
            "OKActions": params.get("OKActions", []), "AlarmActions": params.get("AlarmActions", []),
            "InsufficientDataActions": params.get("InsufficientDataActions", []),
            "StateValue": old["StateValue"] if old else "INSUFFICIENT_DATA",
            "StateReason": old["StateReason"] if old else "Unchecked: Initial alarm creation",
            "StateUpdatedTimestamp": old["StateUpdatedTimestamp"] if old else now,
            "StateTransitionedTimestamp": old["StateTransitionedTimestamp"] if old else now,
            "MetricName": params.get("MetricName"), "Namespace": params.get("Namespace"),
            "Statistic": stat, "Dimensions": params.get("Dimensions", []),
            "Period": params.get("Period"), "EvaluationPeriods": params["EvaluationPeriods"],
            "Threshold": params.get("Threshold"), "ComparisonOperator": params["ComparisonOperator"],
        }
        for optional in ("DatapointsToAlarm", "TreatMissingData"):  # AWS echoes these only when set
            if optional in params:
                alarm[optional] = params[optional]
        if "AlarmDescription" in params:  # AWS leaves the key out when there is none
            alarm["AlarmDescription"] = params["AlarmDescription"]
        self.ws.put_resource("alarm", name, alarm)
        verb = "updated" if old else "created"
        self._history(name, "ConfigurationUpdate", f'Alarm "{name}" {verb}',
                      {"version": "1.0", "type": "Create" if not old else "Update"})
        self.evaluate(name)
        return {}

    def next_evaluation(self) -> datetime | None:
        """The next period boundary at which an alarm's window gains or loses a datapoint.

        An alarm looks at its last EvaluationPeriods *complete* periods; with a 60-second
        period a datapoint counts from the end of its minute for EvaluationPeriods minutes,
        then the alarm has no data again (INSUFFICIENT_DATA when missing data is "missing").
        """
        now = self.ws.now()
        due = []
        for alarm in self.ws.resources("alarm"):
            period, count = int(alarm["Period"]), int(alarm["EvaluationPeriods"])
            span = timedelta(seconds=period * (count + 1))
            for point in self._points(alarm["Namespace"], alarm["MetricName"], dimensions_key(alarm.get("Dimensions")),
                                      now - span, now + timedelta(days=1)):
                start = period_start(point.timestamp, period)
                due += [t for t in (start + timedelta(seconds=period), start + span) if t > now]
        return min(due) if due else None

    def evaluate(self, name: str) -> None:
        """Re-evaluate one alarm at the virtual now over its complete periods; record and
        announce a state change."""
        alarm = self.ws.resource("alarm", name)
        now = self.ws.now()
        period = int(alarm["Period"])
        last = now - timedelta(seconds=period)  # the newest complete period contains this moment
        start = period_start(last, period) - timedelta(seconds=period * (int(alarm["EvaluationPeriods"]) - 1))
        points = self._points(alarm["Namespace"], alarm["MetricName"], dimensions_key(alarm.get("Dimensions")),
                              start, period_start(last, period) + timedelta(seconds=period))
        result = evaluate_alarm(alarm, points, last)
        if result.state == alarm["StateValue"]:
            return
        old_state = alarm["StateValue"]
        alarm.update(StateValue=result.state, StateReason=result.reason, StateUpdatedTimestamp=now,
                     StateTransitionedTimestamp=now,
                     StateReasonData=json.dumps({"version": "1.0", "queryDate": iso(now),
                                                 "statistic": alarm["Statistic"], "period": period,
                                                 "recentDatapoints": [v for _, v in result.values],
                                                 "threshold": alarm["Threshold"]}))
        self.ws.put_resource("alarm", name, alarm)
        self._history(name, "StateUpdate", f"Alarm updated from {old_state} to {result.state}",
                      {"version": "1.0", "oldState": {"stateValue": old_state},
                       "newState": {"stateValue": result.state, "stateReason": result.reason}})
        if self.on_alarm_change is not None:
            self.on_alarm_change(alarm, old_state)

    def evaluate_all(self) -> None:
        for alarm in self.ws.resources("alarm"):
            self.evaluate(alarm["AlarmName"])

    def _history(self, name: str, item_type: str, summary: str, data: dict) -> None:
        with self.ws.transaction() as db:
            db.execute("INSERT INTO alarm_history VALUES (?, ?, ?, ?, ?)",
                       (name, iso(self.ws.now()), item_type, summary, json.dumps(data)))

    def DescribeAlarms(self, params: dict) -> dict:
        alarms = self.ws.resources("alarm")
        if params.get("AlarmNames"):
            alarms = [a for a in alarms if a["AlarmName"] in params["AlarmNames"]]
        if params.get("AlarmNamePrefix"):
            alarms = [a for a in alarms if a["AlarmName"].startswith(params["AlarmNamePrefix"])]
        if params.get("StateValue"):
            alarms = [a for a in alarms if a["StateValue"] == params["StateValue"]]
        alarms.sort(key=lambda a: a["AlarmName"])
        chunk, token = page(alarms, params.get("MaxRecords", 100), params.get("NextToken"))
        response = {"MetricAlarms": chunk, "CompositeAlarms": []}
        if token:
            response["NextToken"] = token
        return response

    def DescribeAlarmHistory(self, params: dict) -> dict:
        query, args = "SELECT alarm, ts, item_type, summary, data FROM alarm_history WHERE 1=1", []
        if params.get("AlarmName"):
            query += " AND alarm = ?"
            args.append(params["AlarmName"])
        if params.get("HistoryItemType"):
            query += " AND item_type = ?"
            args.append(params["HistoryItemType"])
        order = "ASC" if params.get("ScanBy") == "TimestampAscending" else "DESC"
        rows = self.ws.db.execute(f"{query} ORDER BY ts {order}, rowid {order}", args).fetchall()
        items = [{"AlarmName": r[0], "AlarmType": "MetricAlarm", "Timestamp": parse_iso(r[1]),
                  "HistoryItemType": r[2], "HistorySummary": r[3], "HistoryData": r[4]} for r in rows]
        chunk, token = page(items, params.get("MaxRecords", 100), params.get("NextToken"))
        return {"AlarmHistoryItems": chunk, **({"NextToken": token} if token else {})}

    # -- dashboards -------------------------------------------------------------------------
    def PutDashboard(self, params: dict) -> dict:
        try:
            body = json.loads(params["DashboardBody"])
        except ValueError as err:
            raise TwinError("InvalidParameterInput", f"The field DashboardBody must be a valid JSON object ({err})") from None
        if not isinstance(body, dict) or not isinstance(body.get("widgets", []), list):
            raise TwinError("InvalidParameterInput", "The field DashboardBody must be a valid JSON object")
        name = params["DashboardName"]
        self.ws.put_resource("dashboard", name, {
            "DashboardName": name, "DashboardBody": params["DashboardBody"],
            "DashboardArn": f"arn:aws:cloudwatch::{self.ws.account_id}:dashboard/{name}",
            "LastModified": self.ws.now(), "Size": len(params["DashboardBody"].encode())})
        return {"DashboardValidationMessages": []}

    def GetDashboard(self, params: dict) -> dict:
        board = self.ws.resource("dashboard", params["DashboardName"])
        if board is None:
            raise TwinError("ResourceNotFound", "Dashboard does not exist", 404)
        return {k: board[k] for k in ("DashboardArn", "DashboardBody", "DashboardName")}

    def ListDashboards(self, params: dict) -> dict:
        prefix = params.get("DashboardNamePrefix", "")
        entries = [{k: b[k] for k in ("DashboardName", "DashboardArn", "LastModified", "Size")}
                   for b in self.ws.resources("dashboard") if b["DashboardName"].startswith(prefix)]
        return {"DashboardEntries": sorted(entries, key=lambda e: e["DashboardName"])}

    def DeleteDashboards(self, params: dict) -> dict:
        for name in params["DashboardNames"]:
            if self.ws.resource("dashboard", name) is None:
                raise TwinError("ResourceNotFound", f"Dashboard {name} does not exist", 404)
            self.ws.delete_resource("dashboard", name)
        return {}


def _statistic_values(datum: dict, index: int) -> tuple[float, float, float, float]:
    if "StatisticValues" in datum:
        s = datum["StatisticValues"]
        return float(s["SampleCount"]), float(s["Sum"]), float(s["Minimum"]), float(s["Maximum"])
    if "Values" in datum:
        values = datum["Values"]
        counts = datum.get("Counts") or [1.0] * len(values)
        total = sum(v * c for v, c in zip(values, counts, strict=True))
        return float(sum(counts)), total, float(min(values)), float(max(values))
    if "Value" not in datum:
        raise TwinError("InvalidParameterCombination",
                        f"The parameters MetricData.member.{index}.Value, MetricData.member.{index}.StatisticValues "
                        f"and MetricData.member.{index}.Values are mutually exclusive and you have specified none.")
    value = float(datum["Value"])
    if math.isnan(value) or math.isinf(value):
        raise TwinError("InvalidParameterValue",
                        f"The value {datum['Value']} for parameter MetricData.member.{index}.Value is invalid.")
    return 1.0, value, value, value
