"""The one JSON writer: the bytes Model Monitor's container (Jackson) writes.

Jackson's ``DefaultPrettyPrinter``: objects indent two spaces per object level (arrays add
none), ``"key" : value``, arrays inline as ``[ a, b ]`` (empty ``[ ]``), empty objects ``{ }``,
no newline at the end. Doubles use Java's ``Double.toString`` (``java_double``); Python ints
are written plain. NaN and infinities are quoted (``"NaN"``), as Jackson does by default
(``QUOTE_NON_NUMERIC_NUMBERS``), and ``parse_json_value`` reads them back as floats.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["java_double", "java_doubles", "jackson_dumps", "compact_dumps"]

_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def java_double(x: float) -> str:
    """Format a double as Java's ``Double.toString`` does.

    Decimal notation with at least one fraction digit for 1e-3 <= |x| < 1e7, otherwise
    computerised scientific notation (``1.0E-4``, ``1.8463239666666668E7``). The digits are the
    shortest that round-trip (Python's ``repr``), which is what Java gives since JDK 19 and, for
    all values in the fixtures, what older JDKs gave too.
    """
    x = float(x)
    if x == 0.0 or 1e-3 <= abs(x) < 1e7:  # Python's shortest text is Java's here (see java_doubles)
        return repr(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    digits, exp10 = _shortest_digits(abs(x))
    # value = 0.d1d2d3... * 10**exp10 ; scientific exponent is exp10 - 1
    if 1e-3 <= abs(x) < 1e7:
        if exp10 <= 0:
            return f"{sign}0.{'0' * -exp10}{digits}"
        if exp10 >= len(digits):
            return f"{sign}{digits}{'0' * (exp10 - len(digits))}.0"
        return f"{sign}{digits[:exp10]}.{digits[exp10:]}"
    frac = digits[1:] or "0"
    return f"{sign}{digits[0]}.{frac}E{exp10 - 1}"


def java_doubles(values) -> list[str]:
    """``java_double`` of every value, in bulk: the same text, at about the cost of ``repr``.

    Python's shortest round-trip text (``repr``) is already Java's for zeros and for
    1e-3 <= |x| < 1e7 (numpy finds those at once); only the others (Java's scientific notation,
    non-finite values) are rewritten, from the digits and exponent in their ``repr``.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    texts = list(map(float.__repr__, x.tolist()))
    magnitude = np.abs(x)
    odd = ~((magnitude >= 1e-3) & (magnitude < 1e7)) & (x != 0)
    for i in np.flatnonzero(odd).tolist():
        text = texts[i]
        if text[-1].isdigit():
            texts[i] = _scientific(text[1:], "-") if text[0] == "-" else _scientific(text, "")
        else:
            texts[i] = java_double(float(x[i]))  # NaN, Infinity, -Infinity
    return texts


def _scientific(text: str, sign: str) -> str:
    """``d.dddE<n>`` from the ``repr`` of a positive finite double (``12345678.5``, ``1e-05``)."""
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        return f"{sign}{mantissa if '.' in mantissa else mantissa + '.0'}E{int(exponent)}"
    whole, _, frac = text.partition(".")
    if whole != "0":  # 1e7 <= x < 1e16
        digits, exp10 = (whole + frac).rstrip("0"), len(whole) - 1
    else:  # 1e-4 <= x < 1e-3
        digits = frac.lstrip("0")
        exp10 = len(digits) - len(frac) - 1
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exp10}"


def _shortest_digits(x: float) -> tuple[str, int]:
    """Shortest round-trip significant digits of x > 0 and e such that x = 0.DIGITS * 10**e."""
    mantissa, _, exponent = repr(x).partition("e")
    whole, _, frac = mantissa.partition(".")
    exp10 = int(exponent or 0) + len(whole)
    digits = (whole + frac).lstrip("0")
    exp10 -= len(whole + frac) - len((whole + frac).lstrip("0"))
    return digits.rstrip("0") or "0", exp10


def _string(s: str) -> str:
    if s.isprintable() and '"' not in s and "\\" not in s:  # most names and values: nothing to escape
        return f'"{s}"'
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif code < 0x20:
            out.append(_CONTROL_ESCAPES.get(ch, f"\\u{code:04X}"))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_CONTROL_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = java_double(value)
        return f'"{text}"' if text in _NON_FINITE else text
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON: {value!r}")


def jackson_dumps(value: Any, expand: Callable[[Any], dict] | None = None) -> str:
    """Serialise dicts, lists and scalars exactly as Jackson's default pretty printer.

    ``expand`` turns any other object into the dict to write in its place, as the writer
    reaches it: a document of 100k features is then never held whole as dicts.
    """
    return _text(value, 0, expand)


def _text(value: Any, nesting: int, expand) -> str:
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is float:
        return _double(value)
    if kind is int:
        return str(value)
    if value is None or kind is bool:
        return _scalar(value)
    if kind is dict or isinstance(value, dict):
        return _object(value, nesting, expand)
    if kind is list or kind is tuple or isinstance(value, (list, tuple)):
        if not value:
            return "[ ]"
        if all(type(item) is float for item in value):  # a sketch level: thousands of doubles
            texts = java_doubles(value)
            if not all(map(math.isfinite, value)):
                texts = [f'"{text}"' if text in _NON_FINITE else text for text in texts]
            return "[ " + ", ".join(texts) + " ]"
        return "[ " + ", ".join([_text(item, nesting, expand) for item in value]) + " ]"
    if expand is None or value is None or isinstance(value, (int, float, str)):
        return _scalar(value)
    return _object(expand(value), nesting, expand)


def _object(value: dict, nesting: int, expand) -> str:
    """An object, its scalar members written here: a wide document has millions of them, and a
    call of ``_text`` each cost a fifth of the writing. One join makes the text: a member may be
    100 MB (a wide document's features), and it is copied once."""
    if not value:
        return "{ }"
    inner = "  " * (nesting + 1)
    separator = ",\n" + inner
    parts = ["{\n" + inner]
    for key, item in value.items():
        kind = type(item)
        if kind is float:
            parts.append(_key(key) + (repr(item) if item == 0.0 or 1e-3 <= abs(item) < 1e7 else _double(item)))
        elif kind is str:
            parts.append(_key(key) + _string(item))
        elif kind is int:
            parts.append(_key(key) + str(item))
        else:
            parts.append(_key(key) + _text(item, nesting + 1, expand))
        parts.append(separator)
    parts[-1] = "\n" + "  " * nesting + "}"
    return "".join(parts)


@functools.lru_cache(maxsize=1024)
def _key(key: Any) -> str:
    """``"key" : `` (the few keys of a document recur millions of times in a wide one)."""
    return _string(str(key)) + " : "


def _double(value: float) -> str:
    if value == 0.0 or 1e-3 <= abs(value) < 1e7:  # the common case, as in java_double
        return repr(value)
    text = java_double(value)
    return f'"{text}"' if text in _NON_FINITE else text


def compact_dumps(value: Any) -> str:
    """One-line JSON as the data-capture writer produces it (no spaces, UTF-8 kept)."""
    import json

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def parse_json_value(value: Any) -> Any:
    """Turn Jackson's quoted non-finite doubles back into floats; leave anything else."""
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    return value
