"""Amazon S3: the object folder of the workspace, laid out bucket/key as S3 lays it out."""

from __future__ import annotations

import base64
import io
import zlib
from typing import Any
from urllib.parse import quote

from botocore.response import StreamingBody

from ..api import TwinError
from ..store import Workspace
from .pagination import page


def _no_bucket(bucket: str) -> TwinError:
    return TwinError("NoSuchBucket", "The specified bucket does not exist", 404, BucketName=bucket)


class S3:
    def __init__(self, workspace: Workspace):
        self.ws = workspace

    def _bucket(self, bucket: str) -> str:
        if not self.ws.bucket_exists(bucket):
            raise _no_bucket(bucket)
        return bucket

    def ListBuckets(self, params: dict) -> dict:
        buckets = sorted(p.name for p in self.ws.objects.iterdir() if p.is_dir())
        return {"Buckets": [{"Name": b, "CreationDate": self.ws.now()} for b in buckets],
                "Owner": {"ID": self.ws.account_id}}

    def HeadBucket(self, params: dict) -> dict:
        if not self.ws.bucket_exists(params["Bucket"]):
            raise TwinError("404", "Not Found", 404)
        return {}

    def CreateBucket(self, params: dict) -> dict:
        self.ws.create_bucket(params["Bucket"])
        return {"Location": f"/{params['Bucket']}"}

    def ListObjectsV2(self, params: dict) -> dict:
        bucket = self._bucket(params["Bucket"])
        prefix = params.get("Prefix", "")
        delimiter = params.get("Delimiter")
        limit = params.get("MaxKeys", 1000)
        start_after = params.get("StartAfter")
        entries: list[tuple[str, Any]] = []  # (key or common prefix, info or None)
        seen_prefixes = set()
        for info in self.ws.list_objects(bucket, prefix):
            if start_after and info.key.encode() <= start_after.encode():
                continue
            if delimiter and delimiter in info.key[len(prefix):]:
                common = info.key[: len(prefix) + info.key[len(prefix):].index(delimiter) + len(delimiter)]
                if common not in seen_prefixes:
                    seen_prefixes.add(common)
                    entries.append((common, None))
                continue
            entries.append((info.key, info))
        chunk, token = page(entries, limit, params.get("ContinuationToken"), "continuation token")
        # boto3 asks for url-encoded keys and decodes them again, as S3 answers
        encode = (lambda k: quote(k, safe="/")) if params.get("EncodingType", "url") == "url" else (lambda k: k)
        response: dict[str, Any] = {
            "IsTruncated": token is not None,
            "Name": bucket, "Prefix": encode(prefix), "MaxKeys": limit,
            "EncodingType": "url", "KeyCount": len(chunk),
        }
        contents = [{"Key": encode(k), "LastModified": i.last_modified, "ETag": i.etag,
                     "ChecksumAlgorithm": ["CRC32"], "ChecksumType": "FULL_OBJECT", "Size": i.size,
                     "StorageClass": "STANDARD"} for k, i in chunk if i is not None]
        if contents:
            response["Contents"] = contents
        prefixes = [{"Prefix": encode(k)} for k, i in chunk if i is None]
        if prefixes:
            response["CommonPrefixes"] = prefixes
        if delimiter:
            response["Delimiter"] = delimiter
        if params.get("ContinuationToken"):
            response["ContinuationToken"] = params["ContinuationToken"]
        if start_after:
            response["StartAfter"] = start_after
        if token:
            response["NextContinuationToken"] = token
        return response

    def _info(self, params: dict):
        bucket = self._bucket(params["Bucket"])
        info = self.ws.head_object(bucket, params["Key"])
        return bucket, info

    def HeadObject(self, params: dict) -> dict:
        _, info = self._info(params)
        if info is None:
            raise TwinError("404", "Not Found", 404)
        response = {"AcceptRanges": "bytes", "LastModified": info.last_modified, "ContentLength": info.size,
                    "ETag": info.etag, "ContentType": _content_type(info.key), "Metadata": {}}
        if params.get("ChecksumMode") == "ENABLED":
            response.update(ChecksumCRC32=_crc32(self.ws.get_object(params["Bucket"], params["Key"]) or b""),
                            ChecksumType="FULL_OBJECT")
        return response

    def GetObject(self, params: dict) -> dict:
        bucket, info = self._info(params)
        if info is None:
            raise TwinError("NoSuchKey", "The specified key does not exist.", 404, Key=params["Key"])
        data = self.ws.get_object(bucket, params["Key"]) or b""
        response: dict[str, Any] = {"AcceptRanges": "bytes", "LastModified": info.last_modified,
                                    "ETag": info.etag, "ContentType": _content_type(info.key),
                                    "Metadata": {}}
        if params.get("Range"):
            first, last = _range(params["Range"], len(data))
            data = data[first : last + 1]
            response["ContentRange"] = f"bytes {first}-{last}/{info.size}"
        elif params.get("ChecksumMode") == "ENABLED":
            response.update(ChecksumCRC32=_crc32(data), ChecksumType="FULL_OBJECT")
        response["ContentLength"] = len(data)
        response["Body"] = StreamingBody(io.BytesIO(data), len(data))
        return response

    def PutObject(self, params: dict) -> dict:
        bucket = self._bucket(params["Bucket"])
        body = params.get("Body", b"")
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode("utf-8")
        info = self.ws.put_object(bucket, params["Key"], bytes(body))
        return {"ETag": info.etag, "ChecksumCRC32": _crc32(bytes(body)), "ChecksumType": "FULL_OBJECT"}

    def DeleteObject(self, params: dict) -> dict:
        self.ws.delete_object(self._bucket(params["Bucket"]), params["Key"])
        return {}


def _crc32(data: bytes) -> str:
    """S3's CRC32 checksum: the big-endian CRC, base64-encoded."""
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def _content_type(key: str) -> str:
    if key.endswith(".json"):
        return "application/json"
    if key.endswith(".csv"):
        return "text/csv"
    return "binary/octet-stream"


def _range(header: str, size: int) -> tuple[int, int]:
    try:
        unit, _, spec = header.partition("=")
        first_text, _, last_text = spec.partition("-")
        if unit != "bytes":
            raise ValueError
        if first_text == "":
            return max(0, size - int(last_text)), size - 1
        first = int(first_text)
        last = min(int(last_text), size - 1) if last_text else size - 1
    except ValueError:
        raise TwinError("InvalidArgument", f"Invalid range header: {header}") from None
    if first >= size:
        raise TwinError("InvalidRange", "The requested range is not satisfiable", 416)
    return first, last
