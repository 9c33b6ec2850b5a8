"""HyperLogLog++ distinct counts (both container generations use the same estimator).

The expected values come from a reference written here from the published algorithm
(deequ-algorithms.md section 5): registers from the ``xxhash`` package and bit strings, the
bias as the mean of the 6 table entries nearest by distance (chosen by sorting, not by Spark's
window walk), and Java's half-up rounding through ``decimal``. Only the published p = 9 tables
are shared with the implementation.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pyarrow as pa
import pytest
import xxhash

from helpers.analyzer.hll import HyperLogLog, estimate_from_registers, java_math_round
from helpers.analyzer.hll_bias import BIAS_P9, RAW_ESTIMATES_P9

M = 512
CARDINALITIES = [1, 22, 23, 100, 300, *range(400, 2601, 100), 5000, 100_000]


def reference_registers(values: list[str]) -> list[int]:
    registers = [0] * M
    for value in values:
        bits = format(xxhash.xxh64_intdigest(value.encode("utf-8"), seed=42), "064b")
        index, rest = int(bits[:9], 2), bits[9:]
        rank = rest.index("1") + 1 if "1" in rest else len(rest) + 1
        registers[index] = max(registers[index], rank)
    return registers


def reference_estimate(registers: list[int], corrected: bool = True) -> int:
    zeros = registers.count(0)
    if zeros and M * math.log(M / zeros) <= 400:
        estimate = M * math.log(M / zeros)
    else:
        estimate = (0.7213 / (1 + 1.079 / M)) * M * M / math.fsum(2.0 ** -r for r in registers)
        if corrected and estimate < 5 * M:
            nearest = sorted(range(len(RAW_ESTIMATES_P9)),
                             key=lambda i: (abs(estimate - RAW_ESTIMATES_P9[i]), i))[:6]
            estimate -= math.fsum(BIAS_P9[i] for i in nearest) / 6
    return int(Decimal(estimate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def values_of(n: int) -> list[str]:
    return [f"value-{i}" for i in range(n)]


@pytest.mark.parametrize("n", CARDINALITIES)
def test_estimate_matches_the_reference_across_the_range(n):
    values = values_of(n)
    registers = reference_registers(values)
    for compiled in (False, True):  # the xxhash package on small data, the C loop on large
        hll = HyperLogLog()
        hll.add_text(pa.array(values + values[: n // 2] + [None]), compiled=compiled)  # repeats, nulls
        assert hll.registers.tolist() == registers
        assert hll.estimate() == reference_estimate(registers)


def test_the_bias_correction_changes_counts_between_linear_counting_and_5m():
    changed = [n for n in range(400, 2601, 100)
               if reference_estimate(reference_registers(values_of(n)), corrected=False)
               != reference_estimate(reference_registers(values_of(n)))]
    assert len(changed) >= 10  # so the test above would catch a missing correction


def test_the_compiled_hash_is_xxh64_for_every_length():
    # lengths 0 to 80 cross every branch of XXH64 (32-byte stripes, 8-, 4- and 1-byte tails)
    values = ["".join(chr(65 + (i * 7 + k) % 26) for k in range(n)) for n in range(81) for i in range(9)]
    values += ["é", "日本", "-0.0", "1.0E7"]
    compiled = HyperLogLog()
    compiled.add_text(pa.array(values).slice(1), compiled=True)  # an offset slice, as chunks are
    assert compiled.registers.tolist() == reference_registers(values[1:])


def test_linear_counting_is_exact_up_to_22_distinct_registers():
    # spec: without register collisions the estimate equals n up to 22; 23 gives 23.53 -> 24
    for n, expected in [(1, 1), (22, 22), (23, 24)]:
        registers = np.zeros(M, dtype=np.uint8)
        registers[:n] = 1
        assert estimate_from_registers(registers) == expected
    assert round(M * math.log(M / (M - 23)), 2) == 23.53


def test_merge_takes_the_register_maximum():
    a, b, both = HyperLogLog(), HyperLogLog(), HyperLogLog()
    a.add(values_of(800)[:500])
    b.add(values_of(800)[300:])
    both.add(values_of(800))
    assert a.merge(b).registers.tolist() == both.registers.tolist()


def test_java_math_round_is_half_up_and_exact():
    assert [java_math_round(x) for x in (2.5, 3.5, 2.4999999999999996, 0.49999999999999994)] == [3, 4, 2, 0]
    assert java_math_round(1983.5) == 1984 and java_math_round(1982.4999) == 1982


def test_the_c_hash_loop_is_built_where_a_compiler_is():
    """compiled=True falls back to the xxhash package without a C compiler: make sure the tests
    above did exercise the C loop on this machine."""
    import shutil

    from helpers.analyzer.hll import _kernel

    assert _kernel() is not None or (shutil.which("cc") is None and shutil.which("gcc") is None)
