"""How a client turns rows of the test split into CSV request bodies (one row per request).

``numpy_floats`` is what the 2021 notebook did (``test_df[cols[1:]].sample(100).values``): one
float array, so one passenger arrived as ``1.0`` and Model Monitor's data_type_check failed.
``typed`` is the fix: every value written with its column's own type, so integers stay integers.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["SERIALISATIONS", "numpy_floats", "typed"]


def numpy_floats(rows: pd.DataFrame) -> list[str]:
    """One body per row, from the frame's ``.values`` (a float array when any column is float)."""
    return [",".join(str(x) for x in row) for row in rows.values]


def typed(rows: pd.DataFrame, integral: set[str] | None = None) -> list[str]:
    """One body per row, each value in its column's type (``1`` for an integer column).

    ``integral`` names the integer columns (say, those the baseline inferred as Integral); by
    default the frame's own dtypes decide.
    """
    integral = [name in integral if integral is not None else pd.api.types.is_integer_dtype(dtype)
                for name, dtype in rows.dtypes.items()]
    return [",".join(str(int(v)) if is_int else repr(float(v)) for v, is_int in zip(row, integral, strict=True))
            for row in rows.itertuples(index=False)]


SERIALISATIONS = {"numpy-floats": numpy_floats, "typed": typed}
