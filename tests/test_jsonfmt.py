import math

import pytest

from helpers.formats.jsonfmt import jackson_dumps, java_double


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2048.0, "2048.0"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0e-4, "1.0E-4"),
        (1.8463239666666668e7, "1.8463239666666668E7"),
        (1.0e7, "1.0E7"),
        (9999999.0, "9999999.0"),
        (0.001, "0.001"),
        (0.00099, "9.9E-4"),
        (0.8330066026148891, "0.8330066026148891"),
        (123456.789, "123456.789"),
        (-2.5e-10, "-2.5E-10"),
        (1.7976931348623157e308, "1.7976931348623157E308"),
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
    ],
)
def test_java_double(value, text):
    assert java_double(value) == text


def test_jackson_layout():
    doc = {"a": 1, "b": [], "c": {}, "d": [{"x": 1.5}, {"y": [1.0, 2.0]}], "e": "q\"\\\n\x01"}
    assert jackson_dumps(doc) == (
        '{\n  "a" : 1,\n  "b" : [ ],\n  "c" : { },\n  "d" : [ {\n    "x" : 1.5\n  }, {\n'
        '    "y" : [ 1.0, 2.0 ]\n  } ],\n  "e" : "q\\"\\\\\\n\\u0001"\n}'
    )


def test_non_finite_doubles_are_quoted_like_jackson():
    assert jackson_dumps({"m": math.nan, "n": -math.inf}) == '{\n  "m" : "NaN",\n  "n" : "-Infinity"\n}'


def _awkward_doubles() -> list[float]:
    """Random doubles of every magnitude and bit pattern, and the edges of Java's two notations."""
    import numpy as np

    rng = np.random.default_rng(14)
    edges = [0.0, -0.0, math.nan, math.inf, -math.inf, 5e-324, -5e-324, 2.2250738585072014e-308,
             2.225073858507201e-308, 1.7976931348623157e308, 1e-3, -1e-3, 1e7, -1e7, 1e-4, 1e16,
             1e17, 1e22, 1e23, 9999999.999999998, 0.00099, 1.5e-4, 0.1, 0.3, 4.35]
    edges += [float(np.nextafter(b, t)) for b in (1e-3, 1e7) for t in (0.0, 1e300)]
    parts = [
        rng.standard_normal(20_000) * 10.0 ** rng.integers(-15, 15, 20_000),
        np.frombuffer(rng.bytes(8 * 20_000), dtype=np.float64),  # every bit pattern, NaNs too
        rng.integers(-10**9, 10**9, 5_000).astype(float),  # integers as doubles
        rng.integers(-10**18, 10**18, 5_000).astype(float),
        np.round(rng.random(5_000) * 100, 2),
    ]
    return edges + np.concatenate(parts).tolist()


def test_bulk_formatting_equals_the_scalar_formatter():
    from helpers.formats.jsonfmt import java_doubles

    values = _awkward_doubles()
    assert java_doubles(values) == [java_double(v) for v in values]


def test_a_list_of_doubles_is_written_as_one_at_a_time():
    from helpers.formats.jsonfmt import _scalar

    values = _awkward_doubles()[:3000]
    assert jackson_dumps({"data": [values]}) == (
        '{\n  "data" : [ [ ' + ", ".join(_scalar(v) for v in values) + " ] ]\n}")


def test_strings_are_escaped_as_jackson_does_with_or_without_the_plain_fast_path():
    from helpers.formats.jsonfmt import jackson_dumps

    assert jackson_dumps(["plain é 😀", 'q"b\\s', "t\tn\nc\x01", "\x7f\u2028"]) == (
        '[ "plain é 😀", "q\\"b\\\\s", "t\\tn\\nc\\u0001", "\x7f\u2028" ]')
