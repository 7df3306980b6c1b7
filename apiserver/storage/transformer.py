"""Value transformers between the encoded object and the bytes stored in etcd (kube's storage/value).

A transformer turns plaintext into stored bytes and back; the etcd key is passed as the context, which
authenticated ciphers bind into the ciphertext so that a value copied to another key fails to decrypt.
Reading also says whether the value is *stale*: read with anything but the transformer that writes, so a
rewrite (the storage migration) would change what is stored.
"""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from apiserver.api.meta.goformat import aggregate

ENCRYPTED_PREFIX = b"k8s:enc:"


class TransformError(Exception):
    """A value could not be read or written by the configured transformers; the message is kube's wording."""


class KeyFetchNeeded(Exception):
    """Raised by a read that needs a key only a remote service can give (a KMS plugin decrypting a DEK seed).

    Transformers stay synchronous, so the local ciphers cost no coroutine per value; the storage layer, which
    is async, awaits `fetch()` (it raises TransformError when the key cannot be had) and reads again, which
    then finds the key in the transformer's cache. Writes never raise it: a KMS provider prepares its write
    key ahead of time.
    """

    def __init__(self, fetch: Callable[[], Awaitable[None]]) -> None:
        super().__init__("a key must be fetched before this value can be read")
        self.fetch = fetch


class Transformer(Protocol):
    def from_storage(self, data: bytes, context: bytes) -> tuple[bytes, bool]:
        """(plaintext, stale); raises TransformError."""
        ...

    def to_storage(self, data: bytes, context: bytes) -> bytes: ...


# (transformation_type, transformer_prefix, seconds, error or None): where the storage metrics come from
TransformRecorder = Callable[[str, str, float, BaseException | None], None]


def no_recording(kind: str, prefix: str, seconds: float, error: BaseException | None) -> None:
    """The recorder of tools that keep no metrics (the storage migration)."""


class IdentityTransformer:
    """Stores plaintext; refuses to hand out a value that is plainly encrypted (kube's encrypt-check identity)."""

    def from_storage(self, data: bytes, context: bytes) -> tuple[bytes, bool]:
        if data.startswith(ENCRYPTED_PREFIX):
            raise TransformError("identity transformer tried to read encrypted data")
        return data, False

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        return data


IDENTITY = IdentityTransformer()


@dataclass(frozen=True)
class PrefixTransformer:
    prefix: bytes
    transformer: Transformer


class PrefixTransformers:
    """Writes with the first transformer, its prefix in front; reads with the first whose prefix matches.

    A matching transformer that fails does not end the search: two aescbc providers share one prefix
    while a key is being rotated, and an empty-prefix identity matches everything. Every read that does not
    use the first transformer is stale.
    """

    def __init__(self, transformers: Sequence[PrefixTransformer], no_match: str,
                 record: TransformRecorder = no_recording) -> None:
        if not transformers:
            raise ValueError("at least one transformer is required")
        self.transformers = tuple(transformers)
        self.no_match = no_match
        self.record = record

    def from_storage(self, data: bytes, context: bytes) -> tuple[bytes, bool]:
        start = time.perf_counter()
        errors: list[str] = []
        for i, candidate in enumerate(self.transformers):
            if not data.startswith(candidate.prefix):
                continue
            label = candidate.prefix.decode() if candidate.prefix else "identity"
            try:
                out, stale = candidate.transformer.from_storage(data[len(candidate.prefix):], context)
            except TransformError as exc:
                if candidate.prefix:
                    self.record("from_storage", label, time.perf_counter() - start, exc)
                    errors.append(str(exc))
                continue
            self.record("from_storage", label, time.perf_counter() - start, None)
            return out, stale or i != 0
        if errors:
            raise TransformError(aggregate(errors))
        error = TransformError(self.no_match)
        self.record("from_storage", "unknown", time.perf_counter() - start, error)
        raise error

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        start = time.perf_counter()
        first = self.transformers[0]
        try:
            out = first.prefix + first.transformer.to_storage(data, context)
        except TransformError as exc:
            self.record("to_storage", first.prefix.decode(), time.perf_counter() - start, exc)
            raise
        self.record("to_storage", first.prefix.decode(), time.perf_counter() - start, None)
        return out
