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
