"""The iteration order of a Scala 2.12 immutable ``HashMap`` of strings (model-monitor-compat 3b).

Today's container lists categorical buckets and domains as its Scala map iterates them:
- 5 or more entries (a ``HashTrieMap``): the key's Java ``String.hashCode`` goes through
  ``HashMap.improve``; the trie is walked by 5-bit chunks of that number, least significant
  chunk first, so the order sorts by (bits 0-4, bits 5-9, ..., bits 30-31). Keys whose improved
  hashes are equal share a ``HashMapCollision1`` node, a ``ListMap`` that iterates in insertion
  order; the sort is stable, so they keep the order they were given in.
- 1 to 4 entries are ``Map1``..``Map4``, which iterate in insertion order. The container's
  insertion order is not public [inferred]: our documented choice is the order the caller gives
  (the analyzer gives first appearance in the data).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["SMALL_MAP_MAX", "hashmap_order", "java_string_hash", "scala_improve"]

SMALL_MAP_MAX = 4
_MASK32 = 0xFFFFFFFF


def java_string_hash(text: str) -> int:
    """Java's ``String.hashCode`` (over UTF-16 code units), as an unsigned 32-bit number."""
    h = 0
    data = text.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & _MASK32
    return h


def scala_improve(hcode: int) -> int:
    """Scala 2.12 ``HashMap.improve``, in 32-bit int arithmetic (unsigned result)."""
    h = (hcode + (~(hcode << 9) & _MASK32)) & _MASK32
    h ^= h >> 14
    h = (h + (h << 4)) & _MASK32
    return h ^ (h >> 10)


def _trie_path(key: str) -> tuple[int, ...]:
    h = scala_improve(java_string_hash(key))
    return tuple((h >> shift) & 31 for shift in range(0, 32, 5))


def hashmap_order(keys: Iterable[str]) -> list[str]:
    """The keys in the order an immutable Scala 2.12 Map built from them (in this order) iterates."""
    keys = list(dict.fromkeys(keys))
    if len(keys) <= SMALL_MAP_MAX:
        return keys
    return sorted(keys, key=_trie_path)
