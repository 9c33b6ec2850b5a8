"""Typed dataclasses <-> Model Monitor JSON, with errors that name the field path.

Every model is a dataclass deriving from ``Model``. Decoding checks each field against its type
hint and reports the first problem as ``features[3].numerical_statistics.mean: expected a
number, got string``. Keys the model does not know are kept in ``extra`` and the original key
order in ``key_order``, so a file round-trips byte for byte through ``Document.to_json``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from .bulk import collector_paused
from .jsonfmt import jackson_dumps, parse_json_value

__all__ = ["FormatError", "Model", "Document"]

T = TypeVar("T", bound="Model")
D = TypeVar("D", bound="Document")
_INTERNAL = ("extra", "key_order")


class FormatError(ValueError):
    """A Model Monitor file that cannot be read: names the source, and the field or position."""

    def __init__(self, source: str, where: str, problem: str):
        self.source, self.where, self.problem = source, where, problem
        super().__init__(f"{source}: {where}: {problem}" if where else f"{source}: {problem}")


@dataclass
class Model:
    """Base of every file model: unknown keys and key order survive a round trip."""

    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, kw_only=True)
    key_order: tuple[str, ...] = field(default=(), repr=False, compare=False, kw_only=True)

    @classmethod
    def decode(cls: type[T], data: Any, path: str = "", source: str = "<string>") -> T:
        if not isinstance(data, dict):
            raise FormatError(source, path or "(top level)", f"expected an object, got {_kind(data)}")
        values: dict[str, Any] = {}
        specs = _field_specs(cls)
        for name, key, hint, required in specs:
            sub = f"{path}.{key}" if path else key
            if key in data:
                values[name] = _decode(hint, data[key], sub, source)
            elif required:
                raise FormatError(source, sub, f"required field is missing ({_describe(hint)} expected)")
        known = {key for _, key, _, _ in specs}
        extra = {k: v for k, v in data.items() if k not in known}
        return cls(**values, extra=extra, key_order=tuple(data.keys()))

    def encode(self, deep: bool = True) -> dict[str, Any]:
        """The JSON object: original key order first, then new fields, then unknown keys.

        ``deep=False`` leaves nested models as they are, for a writer that encodes each one
        as it reaches it (``Document.to_json``), so a whole document is never held as dicts.
        """
        present: dict[str, Any] = {}
        for name, key in _json_keys(type(self)):
            value = getattr(self, name)
            if value is not None:
                present[key] = _encode(value) if deep else value
        if self.extra:
            present.update({k: v for k, v in self.extra.items() if k not in present})
        if not self.key_order:
            return present
        ordered = {k: present[k] for k in self.key_order if k in present}
        ordered.update({k: v for k, v in present.items() if k not in ordered})
        return ordered


@functools.cache
def _json_keys(cls: type) -> tuple[tuple[str, str], ...]:
    """(attribute, JSON key) per field, in declaration order; computed once per class."""
    return tuple((f.name, f.metadata.get("key", f.name)) for f in dataclasses.fields(cls) if f.name not in _INTERNAL)


@functools.cache
def _field_specs(cls: type) -> tuple[tuple[str, str, Any, bool], ...]:
    """(attribute, JSON key, type hint, required) per field; computed once per class."""
    hints = typing.get_type_hints(cls)
    return tuple(
        (f.name, f.metadata.get("key", f.name), hints[f.name],
         f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
        for f in dataclasses.fields(cls) if f.name not in _INTERNAL
    )


class Document(Model):
    """A whole file (statistics.json, constraints.json, constraint_violations.json)."""

    file_kind: ClassVar[str] = "JSON document"
    # where the document was read from (a path or URI), for errors found after decoding;
    # a plain attribute, so it takes no part in equality, repr or the JSON written
    source: ClassVar[str | None] = None

    @classmethod
    def from_string(cls: type[D], text: str, source: str = "<string>") -> D:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise FormatError(
                source, f"line {err.lineno} column {err.colno}", f"not valid JSON ({err.msg})"
            ) from None
        document = cls.decode(data, "", source)
        document.source = source
        return document

    @classmethod
    def from_file(cls: type[D], path: str | Path) -> D:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise FormatError(str(path), f"byte {err.start}", "not UTF-8 text") from None
        return cls.from_string(text, source=str(path))

    def to_dict(self) -> dict[str, Any]:
        return self.encode()

    @collector_paused()
    def to_json(self) -> str:
        """The container's exact bytes (Jackson pretty printer, Java doubles, no final newline)."""
        return jackson_dumps(self.encode(deep=False), expand=_shallow)

    def write(self, path: str | Path) -> Path:
        """Write atomically (temp file, then rename), so readers never see half a report."""
        from .layout import atomic_write_text

        return atomic_write_text(path, self.to_json())


def _decode(tp: Any, value: Any, path: str, source: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _decode(args[0], value, path, source)
    if tp is Any:
        return value
    if origin is list:
        if not isinstance(value, list):
            raise FormatError(source, path, f"expected a list, got {_kind(value)}")
        (item_tp,) = typing.get_args(tp)
        if item_tp is float and all(type(v) is float or type(v) is int for v in value):
            return value  # a sketch level: thousands of numbers, all as they should be
        return [_decode(item_tp, v, f"{path}[{i}]", source) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise FormatError(source, path, f"expected an object, got {_kind(value)}")
        return value
    if isinstance(tp, type) and issubclass(tp, Model):
        return tp.decode(value, path, source)
    return _decode_scalar(tp, value, path, source)


def _decode_scalar(tp: Any, value: Any, path: str, source: str) -> Any:
    if tp is float:
        value = parse_json_value(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value  # an int stays an int, so it is written back as written
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is bool or tp is str:
        if isinstance(value, tp):
            return value
    else:  # pragma: no cover - a model declared a type the codec does not know
        raise TypeError(f"unsupported field type {tp!r} at {path}")
    raise FormatError(source, path, f"expected {_describe(tp)}, got {_kind(value)}")


def _shallow(value: Any) -> dict[str, Any]:
    if isinstance(value, Model):
        if value.extra or value.key_order:  # a model read from a file: its keys as they were
            return value.encode(deep=False)
        # a model built here (100k of them in a wide statistics.json): no key order to follow
        return {key: item for name, key in _json_keys(type(value)) if (item := getattr(value, name)) is not None}
    raise TypeError(f"cannot write {type(value).__name__} as JSON: {value!r}")


def _encode(value: Any) -> Any:
    if isinstance(value, Model):
        return value.encode()
    if isinstance(value, list):
        if all(type(v) is float for v in value):
            return value  # nothing to encode in a list of doubles (a sketch level)
        return [_encode(v) for v in value]
    return value


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _describe([a for a in typing.get_args(tp) if a is not type(None)][0])
    if origin is list:
        return "a list"
    if origin is dict or (isinstance(tp, type) and issubclass(tp, Model)):
        return "an object"
    return {float: "a number", int: "an integer", bool: "true or false", str: "a string"}.get(
        tp, str(tp)
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {value[:40]!r}"
    return {list: "a list", dict: "an object"}.get(type(value), type(value).__name__)
