"""The capture decoder's two ways of reading single-row CSV payloads give the same columns.

Large captures take a C loop over Arrow's buffers (helpers/capture/arrow.py), small ones and
machines without a C compiler take Arrow's string kernels: both must agree cell for cell.
"""

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.capture.arrow import _columns, _kernels, _single_csv_rows

_CELLS = st.text(alphabet='ab1.,"é \n\r', max_size=6)


def _payloads(data: list[str | None], encodings: list[str | None]) -> pa.StructArray:
    return pa.StructArray.from_arrays([pa.array(data, pa.string()), pa.array(encodings, pa.string())],
                                      names=["data", "encoding"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), _CELLS), st.sampled_from(["CSV", "JSON", None])), max_size=30),
       st.integers(0, 3))
def test_the_c_loop_and_arrows_kernels_agree(records, skip):
    data = [d for d, _ in records]
    payload = _payloads(["x"] * skip + data, ["CSV"] * skip + [e for _, e in records]).slice(skip)
    answers = [_single_csv_rows(payload, escaped=True, compiled=compiled) for compiled in (False, True)]
    assert answers[0][0].tolist() == answers[1][0].tolist()
    assert answers[0][1].tolist() == answers[1][1].tolist()
    ok, width = answers[0]
    for chosen in {int(w) for w in width[ok]}:
        rows = np.flatnonzero(ok & (width == chosen))
        columns = [_columns(payload.field("data"), rows, chosen, compiled=compiled) for compiled in (False, True)]
        assert [c.to_pylist() for c in columns[0]] == [c.to_pylist() for c in columns[1]]
        expected = [[cell or None for cell in data[r].split(",")] for r in rows]  # "" is null
        assert [list(row) for row in zip(*[c.to_pylist() for c in columns[1]], strict=True)] == expected


def test_the_c_loop_is_built_where_a_compiler_is():
    """compiled=True falls back to Arrow's kernels without a C compiler: make sure the test
    above did exercise the C loop on this machine."""
    import shutil

    assert _kernels() is not None or (shutil.which("cc") is None and shutil.which("gcc") is None)
