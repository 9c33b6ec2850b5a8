"""One capture line decoded into rows: output columns first, then input columns.

Every way a line can fail raises ``CaptureError`` with a reason (what, and where in the record)
and a short fixed ``kind`` to count failures by. A record without ``endpointOutput`` is refused:
its inputs would otherwise move one column left and be read as the model's output.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import sys

from ..formats.codec import FormatError
from .records import CaptureError, CapturePayload, CaptureRecord

__all__ = ["decode_line", "record_rows"]

# a capture payload is one field of one JSON line: any length is valid CSV, so the csv
# module's 128 KB guard against runaway fields does not apply to it
csv.field_size_limit(sys.maxsize)


def decode_line(raw: bytes, source: str) -> tuple[CaptureRecord, list[list[str | None]]]:
    """The record of one line (bytes without meaning to the caller) and the rows it gives."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CaptureError(f"byte {err.start + 1} is not UTF-8 text", kind="not UTF-8 text") from None
    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise CaptureError(f"not valid JSON at column {err.colno} ({err.msg})", kind="not valid JSON") from None
    except RecursionError:
        raise CaptureError("not valid JSON (nested too deeply)", kind="not valid JSON") from None
    if not isinstance(data, dict) or "captureData" not in data:
        raise CaptureError("no captureData in the record", kind="not a capture record")
    try:
        record = CaptureRecord.decode(data, "", source)
    except FormatError as err:
        raise CaptureError(f"{err.where}: {err.problem}", kind=f"bad field {err.where}") from None
    if record.event_metadata.is_shadow:
        return record, []  # a shadow variant's record gives no rows (today's container skips it)
    return record, record_rows(record)


def record_rows(record: CaptureRecord) -> list[list[str | None]]:
    """The rows of one record: each output row followed by its input row."""
    output = record.capture_data.endpoint_output
    if output is None:
        raise CaptureError("captureData.endpointOutput: missing (without the model's output the inputs "
                           "cannot be placed on the baseline's columns)", kind="no endpointOutput")
    inputs = _payload_rows(record.capture_data.endpoint_input, "endpointInput")
    outputs = _payload_rows(output, "endpointOutput")
    if len(outputs) != len(inputs):
        raise CaptureError(f"{len(inputs)} input rows but {len(outputs)} output rows",
                           kind="input and output row counts differ")
    return [out + inp for out, inp in zip(outputs, inputs, strict=True)]


def _payload_rows(payload: CapturePayload, where: str) -> list[list[str | None]]:
    encoding = payload.encoding.upper()
    text = payload.data
    if encoding == "BASE64":
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as err:
            raise CaptureError(f"{where}.data: BASE64 payload cannot be decoded ({err})",
                               kind="BASE64 payload cannot be decoded") from None
        encoding = "JSON" if "json" in payload.observed_content_type.lower() else "CSV"
    if encoding == "CSV":
        rows = _csv_rows(text, where)
    elif encoding == "JSON":
        rows = _json_rows(text, where)
    else:
        raise CaptureError(f"{where}.encoding: expected CSV, JSON or BASE64, got {payload.encoding!r}",
                           kind="unknown encoding")
    if not rows:
        raise CaptureError(f"{where}.data: empty payload", kind="empty payload")
    return rows


def _csv_rows(text: str, where: str) -> list[list[str | None]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise CaptureError(f"{where}.data: CSV payload cannot be parsed ({err})",
                           kind="CSV payload cannot be parsed") from None
    return [[cell if cell != "" else None for cell in row] for row in rows if row]


def _json_rows(text: str, where: str) -> list[list[str | None]]:
    def refuse_constant(name: str):
        raise CaptureError(f"{where}.data: JSON payload holds {name}, which JSON does not allow",
                           kind="NaN or Infinity in a JSON payload")

    try:
        # numbers keep their text, so "1" and "1.0" infer as Integral and Fractional
        value = json.loads(text, parse_float=str, parse_int=str, parse_constant=refuse_constant)
    except json.JSONDecodeError as err:
        raise CaptureError(f"{where}.data: JSON payload cannot be decoded ({err.msg})",
                           kind="JSON payload cannot be decoded") from None
    except RecursionError:
        raise CaptureError(f"{where}.data: JSON payload nested too deeply",
                           kind="JSON payload cannot be decoded") from None
    while isinstance(value, dict) and len(value) == 1:  # {"instances": [...]}, {"predictions": ...}
        (value,) = value.values()
    if isinstance(value, list) and value and all(isinstance(v, (list, dict)) for v in value):
        return [_json_cells(v, where) for v in value]
    return [_json_cells(value, where)]


def _json_cells(value: object, where: str) -> list[str | None]:
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        value = [value]
    cells: list[str | None] = []
    for item in value:
        if isinstance(item, (list, dict)):
            raise CaptureError(f"{where}.data: nested JSON values cannot be flattened into columns",
                               kind="nested JSON values")
        cells.append(None if item is None else str(item).lower() if isinstance(item, bool) else item)
    return cells
