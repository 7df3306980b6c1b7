"""Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`).

kubectl's typed commands send only protobuf and never fall back to JSON, so the server must read it.
The field tables under `tables/` cover every kind those commands send; the result is the same dict
the equivalent JSON body would have produced.
"""
from __future__ import annotations

from .decode import decode_body
from .errors import ProtobufDecodeError

__all__ = ["ProtobufDecodeError", "decode_body"]
