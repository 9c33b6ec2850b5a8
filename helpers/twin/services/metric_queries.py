"""GetMetricData's queries over the stored series: MetricStat, SEARCH and metric math.

``SEARCH('{Namespace,Dim1,Dim2} MetricName="X" Dim1="v" word', 'Stat', period)`` finds every
stored series of that namespace whose dimension names are exactly the schema's, then keeps
those matching every term (``key="value"`` exactly, a bare word as part of the name, namespace
or a dimension value); each match is one time series. The metric math the workshop's dashboard
uses is arithmetic (``+ - * /``) between ids and numbers and the functions SUM, AVG, MIN and
MAX over a SEARCH's series. Anything else is refused with a message naming the expression.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from datetime import datetime

from ..api import TwinError

__all__ = ["Series", "evaluate_math", "parse_search", "search_matches"]

_SEARCH = re.compile(r"""^\s*SEARCH\(\s*'(?P<query>[^']*)'\s*,\s*'(?P<stat>\w+)'\s*(?:,\s*(?P<period>\d+)\s*)?\)\s*$""")
_TERM = re.compile(r'(?P<key>[\w/.:-]+)\s*=\s*"(?P<quoted>[^"]*)"|(?P<key2>[\w/.:-]+)\s*=\s*(?P<bare>[^\s"]+)'
                   r'|"(?P<phrase>[^"]*)"|(?P<word>\S+)')


@dataclass
class Series:
    """One time series of a query's answer."""

    label: str
    points: dict[datetime, float]


@dataclass(frozen=True)
class Search:
    namespace: str
    dimension_names: frozenset[str]
    exact: tuple[tuple[str, str], ...]
    words: tuple[str, ...]
    stat: str
    period: int | None


def _refuse(expression: str, why: str) -> TwinError:
    return TwinError("ValidationError", f"The local twin cannot evaluate {expression!r}: {why}")


def parse_search(expression: str) -> Search | None:
    """The parts of a SEARCH expression, or None when the expression is not a SEARCH."""
    match = _SEARCH.match(expression)
    if match is None:
        if expression.lstrip().upper().startswith("SEARCH"):
            raise _refuse(expression, "expected SEARCH('{Namespace,Dim...} terms', 'Stat', period)")
        return None
    query = match["query"].strip()
    schema = re.match(r"^\{([^}]*)\}\s*(.*)$", query)
    if schema is None:
        raise _refuse(expression, "the twin's SEARCH needs a schema: {Namespace,DimensionName,...}")
    namespace, *dims = [part.strip() for part in schema.group(1).split(",")]
    exact, words = [], []
    for term in _TERM.finditer(schema.group(2)):
        if term["key"] or term["key2"]:
            exact.append((term["key"] or term["key2"], term["quoted"] if term["key"] else term["bare"]))
        elif (word := term["phrase"] or term["word"]).upper() in ("AND", "OR", "NOT", "(", ")"):
            raise _refuse(expression, "boolean operators are not supported; terms are ANDed")
        else:
            words.append(word)
    return Search(namespace.strip('"'), frozenset(dims), tuple(exact), tuple(words), match["stat"],
                  int(match["period"]) if match["period"] else None)


def search_matches(search: Search, namespace: str, name: str, dims_json: str) -> bool:
    """Whether one stored series (its dimensions as stored: sorted [name, value] pairs) matches."""
    dims = dict(json.loads(dims_json))
    if namespace != search.namespace or frozenset(dims) != search.dimension_names:
        return False
    fields = {"MetricName": name, "Namespace": namespace, **dims}
    if any(fields.get(key) != value for key, value in search.exact):
        return False
    text = " ".join([namespace, name, *dims.values()]).lower()
    return all(word.lower() in text for word in search.words)


def evaluate_math(expression: str, values: dict[str, list[Series]]) -> list[Series]:
    """Metric math over already answered queries (``values`` maps their ids to series)."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        raise _refuse(expression, "not a metric math expression") from None
    result = _eval(tree.body, values, expression)
    if isinstance(result, float):
        raise _refuse(expression, "the expression has no metric in it")
    return result


_OPERATORS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
              ast.Div: lambda a, b: a / b if b else float("nan")}
_FUNCTIONS = {"SUM": sum, "AVG": lambda v: sum(v) / len(v), "MIN": min, "MAX": max}


def _eval(node: ast.AST, values: dict[str, list[Series]], expression: str) -> list[Series] | float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise _refuse(expression, f"no query with id {node.id}")
        return values[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _combine(-1.0, _eval(node.operand, values, expression), _OPERATORS[ast.Mult])
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _combine(_eval(node.left, values, expression), _eval(node.right, values, expression),
                        _OPERATORS[type(node.op)])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS and len(node.args) == 1:
        series = _eval(node.args[0], values, expression)
        if isinstance(series, float):
            raise _refuse(expression, f"{node.func.id} needs metrics")
        times = sorted({t for s in series for t in s.points})
        reduce = _FUNCTIONS[node.func.id]
        return [Series(node.func.id, {t: reduce([s.points[t] for s in series if t in s.points]) for t in times})]
    raise _refuse(expression, "only + - * /, numbers, ids and SUM/AVG/MIN/MAX are supported")


def _combine(left, right, op) -> list[Series] | float:
    if isinstance(left, float) and isinstance(right, float):
        return op(left, right)
    if isinstance(left, float):
        return [Series(s.label, {t: op(left, v) for t, v in s.points.items()}) for s in right]
    if isinstance(right, float):
        return [Series(s.label, {t: op(v, right) for t, v in s.points.items()}) for s in left]
    if len(left) != 1 and len(right) != 1:
        raise TwinError("ValidationError", "Metric math between two arrays of time series is not supported")
    pairs = [(a, b) for a in left for b in right]
    return [Series(a.label if len(left) > 1 else b.label,
                   {t: op(a.points[t], b.points[t]) for t in a.points if t in b.points}) for a, b in pairs]
