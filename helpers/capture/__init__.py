"""Data capture: the JSONL files an endpoint writes, read into rows as Model Monitor does.

One capture line becomes one row (or several, for a multi-line CSV or a batch JSON payload):
the output columns first, then the input columns, mapped by position onto the baseline's
column names. A line that cannot be used is never dropped silently: it is counted and listed
in ``CaptureRows.problems`` (file, line, reason); with ``strict=True`` the first one raises.

Writing follows the real key order (``captureData{endpointInput, endpointOutput}``,
``eventMetadata{eventId, inferenceId?, inferenceTime}``, ``eventVersion``) and file layout
(``<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<mmm>-<uuid>.jsonl``).
"""

from .records import (
    CaptureError,
    CapturePayload,
    CaptureRecord,
    format_inference_time,
    write_capture_file,
)
from .rows import METADATA_COLUMNS, CaptureProblem, CaptureRows, capture_files, read_capture

__all__ = [
    "METADATA_COLUMNS",
    "CaptureError",
    "CapturePayload",
    "CaptureProblem",
    "CaptureRecord",
    "CaptureRows",
    "capture_files",
    "format_inference_time",
    "read_capture",
    "write_capture_file",
]
