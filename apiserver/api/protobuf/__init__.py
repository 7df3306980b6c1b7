"""Kubernetes protobuf (`application/vnd.kubernetes.protobuf`) in both directions.

kubectl's typed commands send only protobuf, and client-go asks for it in answers, so the server reads
and writes it. The field tables under `tables/` are generated from k8s.io/api and k8s.io/apimachinery
(see tools/protobuf_tables.py); decoding yields, and encoding takes, the same dict the JSON body would carry.
"""
from __future__ import annotations

from .decode import decode_body
from .encode import can_encode, encode_object, watch_frame
from .errors import ProtobufDecodeError, ProtobufEncodeError

__all__ = ["ProtobufDecodeError", "ProtobufEncodeError", "can_encode", "decode_body", "encode_object",
           "watch_frame"]
