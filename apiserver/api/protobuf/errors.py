"""The one error type of the protobuf decoder."""
from __future__ import annotations


class ProtobufDecodeError(ValueError):
    """A protobuf request body cannot be turned into an object; the message says what is wrong and where.

    The API layer answers it with 400 BadRequest: a body we cannot fully read must never be stored half-read.
    """
