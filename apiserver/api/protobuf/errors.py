"""The error types of the protobuf codec."""
from __future__ import annotations


class ProtobufDecodeError(ValueError):
    """A protobuf request body cannot be turned into an object; the message says what is wrong and where.

    The API layer answers it with 400 BadRequest: a body we cannot fully read must never be stored half-read.
    """


class ProtobufEncodeError(ValueError):
    """An object cannot be written as protobuf: no table covers its kind, or it holds a field or value the
    Go type could not hold. The API layer then answers in JSON when the client accepts it."""
