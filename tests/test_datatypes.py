import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.analyzer.datatypes import CellType, classify, classify_text, column_type

CASES = {
    "1": CellType.INTEGRAL, " 1": CellType.INTEGRAL, "- 1": CellType.INTEGRAL, "+1": CellType.INTEGRAL,
    "1 ": CellType.STRING, "3.0": CellType.FRACTIONAL, "1e5": CellType.FRACTIONAL,
    "1E-05": CellType.FRACTIONAL, ".5": CellType.STRING, "1.": CellType.STRING, ".": CellType.STRING,
    "-": CellType.STRING, " ": CellType.STRING, "true": CellType.BOOLEAN, "True": CellType.STRING,
    "TRUE": CellType.STRING, "NaN": CellType.STRING, "Infinity": CellType.STRING,
    "1,000": CellType.STRING, "١٢": CellType.STRING, None: CellType.UNKNOWN,
}


@pytest.mark.parametrize(("cell", "expected"), CASES.items())
def test_deequ_regex_table(cell, expected):
    assert classify_text(cell) == expected
    for compiled in (False, True):  # Arrow's kernels, and the C loop large inputs take
        assert classify(pa.array([cell], type=pa.string()), compiled=compiled)[0][0] == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789+-. eEtrufalsx", max_size=12), max_size=40))
def test_compiled_classifier_agrees_with_the_regexes(cells):
    for compiled in (False, True):
        types, values = classify(pa.array(cells, type=pa.string()), compiled=compiled)
        assert [CellType(t) for t in types] == [classify_text(c) for c in cells]
        for cell, t, v in zip(cells, types, values, strict=True):
            if t in (CellType.FRACTIONAL, CellType.INTEGRAL):
                assert v == float(cell.replace(" ", "", 1))


_NUMBERISH = st.one_of(
    st.from_regex(r"[-+]? ?[0-9]{1,20}(\.[0-9]{0,4})?([eE][-+]?[0-9]{0,3})?", fullmatch=True),
    st.text(alphabet="0123456789+-.eEnaifINF", max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _NUMBERISH), max_size=40), st.integers(0, 3))
def test_number_columns_agree_with_the_regexes(cells, skip):
    """Mostly-number columns take Arrow's parser; every cell still answers as the regexes do."""
    column = pa.array(["x"] * skip + cells, type=pa.string()).slice(skip)  # a sliced array too
    for array, compiled in ((column, False), (column, True), (column.cast(pa.large_string()), None)):
        types, values = classify(array, compiled=compiled)
        assert [CellType(t) for t in types] == [classify_text(c) for c in cells]
        for cell, t, v in zip(cells, types, values, strict=True):
            if t in (CellType.FRACTIONAL, CellType.INTEGRAL):
                assert v == float(cell.replace(" ", "", 1))


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parsing_is_exactly_rounded(x):
    for text in (repr(x), f"{x:.17e}", f"{x:.6f}"):
        for compiled in (False, True):
            assert classify(pa.array([text]), compiled=compiled)[1][0] == float(text)


def test_numbers_arrows_parser_refuses_are_parsed_exactly():
    """An exponent of thirty digits is Deequ's Fractional; Arrow's parser refuses it, Python's reads it."""
    cells = ["1e" + "0" * 30 + "5", "- 2.5", "7"]
    for compiled in (False, True):
        types, values = classify(pa.array(cells), compiled=compiled)
        assert types.tolist() == [CellType.FRACTIONAL, CellType.FRACTIONAL, CellType.INTEGRAL]
        assert values.tolist() == [1e5, -2.5, 7.0]


def test_the_c_classifier_is_built_where_a_compiler_is():
    """compiled=True falls back to Arrow's kernels without a C compiler: make sure the tests
    above did exercise the C loop on this machine."""
    import shutil

    from helpers.analyzer.datatypes import _kernel

    assert _kernel() is not None or (shutil.which("cc") is None and shutil.which("gcc") is None)


def test_column_decision():
    def counts(**k):
        return np.array([k.get(n, 0) for n in ("null", "frac", "int", "bool", "str")])
    assert column_type(counts(null=3)) == "Unknown"
    assert column_type(counts(int=3, frac=1)) == "Fractional"
    assert column_type(counts(int=3, null=2)) == "Integral"
    assert column_type(counts(bool=2, int=1)) == "String"
    assert column_type(counts(bool=2, null=1)) == "Boolean"
    assert column_type(counts(str=1, int=10)) == "String"
