"""Categorical order of today's container: Scala 2.12 immutable HashMap iteration (section 3b).

Expected orders are worked out here independently: String.hashCode as the polynomial sum over
UTF-16 code units, ``improve`` in numpy int32 arithmetic (wrapping like Java's int), and the
order by inserting keys into an explicit 32-way trie and walking it depth first. The real 2025
fixture's five-value bucket list is checked as it was written by the container.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers.analyzer.baseline import run_baseline
from helpers.formats.scala_order import hashmap_order, java_string_hash, scala_improve


def java_hash(text: str) -> int:
    units = [int.from_bytes(text.encode("utf-16-be")[i : i + 2], "big")
             for i in range(0, len(text.encode("utf-16-be")), 2)]
    return sum(u * 31 ** (len(units) - 1 - i) for i, u in enumerate(units)) % 2**32


def improve(hcode: int) -> int:
    with np.errstate(over="ignore"):
        h = np.array([hcode], dtype=np.uint32).view(np.int32)
        h = h + ~(h << np.int32(9))
        h = h ^ (h.view(np.uint32) >> np.uint32(14)).view(np.int32)
        h = h + (h << np.int32(4))
        h = h ^ (h.view(np.uint32) >> np.uint32(10)).view(np.int32)
    return int(h.view(np.uint32)[0])


def trie_walk(keys: list[str]) -> list[str]:
    root: dict = {}
    for key in keys:
        node, h = root, improve(java_hash(key))
        for level in range(7):
            node = node.setdefault((h >> (5 * level)) & 31, {})
        node.setdefault("leaf", []).append(key)  # a collision node keeps insertion order

    def walk(node: dict) -> list[str]:
        if "leaf" in node:
            return node["leaf"]
        return [k for chunk in sorted(node) for k in walk(node[chunk])]

    return walk(root)


def test_java_hash_code_known_values():
    assert java_string_hash("hello") == java_hash("hello") == 99162322
    assert java_string_hash("Aa") == java_string_hash("BB") == 2112  # Java's classic collision
    assert java_string_hash("日本") == java_hash("日本")
    assert java_string_hash("😀") == java_hash("😀")  # surrogate pairs hash as two units


@pytest.mark.parametrize("text", ["", "a", "hello", "stage2", "Well Above Normal", "-1.5e3", "日本"])
def test_improve_matches_int32_arithmetic(text):
    assert scala_improve(java_string_hash(text)) == improve(java_hash(text))


@pytest.mark.parametrize("n", [5, 17, 54, 83, 120])
def test_order_of_larger_maps_is_the_trie_walk(n):
    keys = [f"v{i}" for i in range(n)]
    assert hashmap_order(keys) == trie_walk(keys)
    assert hashmap_order(list(reversed(keys))) == trie_walk(keys)  # insertion order does not matter


def test_colliding_keys_keep_insertion_order():
    keys = ["Aa", "x1", "x2", "x3", "BB", "x4"]
    assert hashmap_order(keys) == trie_walk(keys)
    order = hashmap_order(keys)
    assert order.index("BB") == order.index("Aa") + 1
    swapped = hashmap_order(["BB", "x1", "x2", "x3", "Aa", "x4"])
    assert swapped.index("Aa") == swapped.index("BB") + 1


def test_maps_of_one_to_four_entries_keep_insertion_order():
    # Map1..Map4: the documented choice is the order given (first appearance in the data)
    for keys in (["b"], ["b", "a"], ["stage2", "normal", "stage1"], ["z", "y", "x", "w"]):
        assert hashmap_order(keys) == keys


def test_the_real_2025_buckets_are_in_hashmap_order(real):
    stats = json.loads((real / "current_format_2025_output_only" / "statistics.json").read_text())
    constraints = json.loads((real / "current_format_2025_output_only" / "constraints.json").read_text())
    feature = next(f for f in stats["features"] if f["name"] == "age_group")
    written = [b["value"] for b in feature["string_statistics"]["distribution"]["categorical"]["buckets"]]
    assert len(written) == 5
    assert hashmap_order(sorted(written)) == trie_walk(written) == written
    domain = next(f for f in constraints["features"] if f["name"] == "age_group")
    assert domain["string_constraints"]["domains"] == written


def test_baseline_buckets_and_domains_follow_the_generation():
    values = [f"c{i % 30}" for i in range(600)] + ["c0"] * 50  # 30 values, c0 the most frequent
    frame = pd.DataFrame({"cat": values, "x": range(len(values))})
    current = run_baseline(frame)  # today's container (the default)
    buckets = current.statistics.feature("cat").string_statistics.buckets
    assert [b.value for b in buckets] == trie_walk([f"c{i}" for i in range(30)])
    assert current.constraints.feature("cat").string_constraints.domains == [b.value for b in buckets]
    old = run_baseline(frame, container="2021")  # the 2021 layout: by count, ties by value
    old_buckets = old.statistics.feature("cat").string_statistics.buckets
    assert [b.value for b in old_buckets] == ["c0"] + sorted(f"c{i}" for i in range(1, 30))
    assert old.constraints.feature("cat").string_constraints.domains == [b.value for b in old_buckets]


def test_small_maps_in_a_baseline_keep_first_appearance():
    # generation: current; Map1..Map4 insertion order is the documented choice (first appearance)
    values = ["stage2", "normal", "stage2", "stage1", "elevated", "normal"] * 20
    result = run_baseline(pd.DataFrame({"bp": values}))
    expected = ["stage2", "normal", "stage1", "elevated"]
    assert [b.value for b in result.statistics.feature("bp").string_statistics.buckets] == expected
    assert result.constraints.feature("bp").string_constraints.domains == expected
