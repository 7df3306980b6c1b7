"""A storage in this process's memory that keeps etcd's contract, for tests and for running without etcd.

One `MemoryStorage` is one keyspace with one revision counter, as an etcd cluster is: every write (create,
update, delete) takes the next revision, which becomes the object's resourceVersion; updates and deletes are
compare-and-swaps on the key's mod revision, a create on its absence. Every write is kept in a log, from which
reads and lists at a past revision are rebuilt and watches replay, until `compact` drops it: reads, lists and
watches from before the compacted revision are then Expired (410). Values are stored as the codec encodes
them, as `Etcd3Storage` stores them, so every read returns a fresh object with its resourceVersion stamped
the same way, and an update that changes no byte writes nothing.
"""
from __future__ import annotations

import asyncio
import bisect
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from apiserver.storage import codec
from apiserver.storage.direct_watch import DirectWatch
from apiserver.storage.interface import (
    Change,
    Changes,
    DeleteValidator,
    Expired,
    KeyExists,
    KeyNotFound,
    ListOptions,
    ListResult,
    Obj,
    Preconditions,
    Predicate,
    TooLargeResourceVersion,
    UpdateFunc,
    Watch,
    parse_resource_version,
)
from apiserver.storage.listing import compacted, continue_after, list_start


@dataclass(frozen=True, slots=True)
class _Value:
    data: bytes
    revision: int  # the mod revision


@dataclass(frozen=True, slots=True)
class _Write:
    key: str
    revision: int
    value: _Value | None  # None: the key was deleted
    prev: _Value | None  # None: the write created the key


def _revision_of(write: _Write) -> int:
    return write.revision


class MemoryStorage:
    def __init__(self, media_type: str = codec.JSON) -> None:
        self.media_type = media_type
        # an empty etcd is at revision 1 too; the first write is 2
        self.revision = 1
        self.compacted = 0
        self.written = 0
        self._values: dict[str, _Value] = {}
        self._log: list[_Write] = []  # every write from the compacted revision on, in revision order
        self._wake = asyncio.Event()  # set (and replaced) by every write, for the feeds waiting on it

    # --- the one write path -------------------------------------------------------------------------

    def _swap(self, key: str, expected: int, data: bytes | None) -> int | None:
        """Writes `data` (None deletes) if the key's mod revision is still `expected` (0: the key is absent);
        returns the write's revision, None when the comparison failed."""
        prev = self._values.get(key)
        if (prev.revision if prev else 0) != expected:
            return None
        self.revision += 1
        value = _Value(data, self.revision) if data is not None else None
        if value is None:
            del self._values[key]
        else:
            self._values[key] = value
        self._log.append(_Write(key, self.revision, value, prev))
        self.written = self.revision
        wake, self._wake = self._wake, asyncio.Event()
        wake.set()
        return self.revision

    def compact(self, revision: int) -> None:
        """Forgets the history before `revision`, as etcd's compaction does; its state at `revision` stays."""
        if revision > self.revision:
            raise TooLargeResourceVersion(revision, self.revision)
        if revision > self.compacted:
            self.compacted = revision
            del self._log[:bisect.bisect_left(self._log, revision, key=_revision_of)]

    # --- reads --------------------------------------------------------------------------------------

    def _decode(self, value: _Value) -> Obj:
        return codec.decode(value.data, value.revision)

    def _state_at(self, revision: int) -> dict[str, _Value]:
        """Every key's value at `revision` (0: now): the present with the later writes undone."""
        if not revision or revision == self.revision:
            return self._values
        if revision > self.revision:
            raise TooLargeResourceVersion(revision, self.revision)
        if revision < self.compacted:
            raise Expired(f"too old resource version: {revision} ({self.compacted})")
        state = dict(self._values)
        for write in reversed(self._log):
            if write.revision <= revision:
                break
            if write.prev is None:
                del state[write.key]
            else:
                state[write.key] = write.prev
        return state

    async def get(self, key: str, resource_version: str = "") -> Obj:
        revision = parse_resource_version(resource_version) if resource_version else 0
        value = self._state_at(revision).get(key)
        if value is None:
            raise KeyNotFound(key)
        return self._decode(value)

    async def get_list(self, prefix: str, options: ListOptions) -> ListResult:
        start = list_start(prefix, options)
        revision = start.revision or self.revision
        if start.minimum > revision:
            raise TooLargeResourceVersion(start.minimum, revision)
        if revision < self.compacted:
            raise compacted(options, revision, self.compacted)
        state = self._state_at(revision)
        keys = sorted(key for key in state if key.startswith(prefix) and key >= start.key)
        predicate, limit = options.predicate, options.limit
        items: list[Obj] = []
        for i, key in enumerate(keys):
            obj = self._decode(state[key])
            if predicate.matches(obj):
                items.append(obj)
            if limit and len(items) == limit and i < len(keys) - 1:
                left = len(keys) - (i + 1)
                return ListResult(items, revision, continue_after(revision, key, prefix),
                                  left if predicate.empty() else None)
        return ListResult(items, revision)

    async def current_revision(self) -> int:
        return self.revision

    def holds_own_writes(self) -> bool:
        return True

    def normalize(self, obj: Obj) -> Obj:
        return codec.normalize(obj, self.media_type)

    # --- writes -------------------------------------------------------------------------------------

    async def create(self, key: str, obj: Obj) -> Obj:
        data = codec.encode(obj, self.media_type)
        revision = self._swap(key, 0, data)
        if revision is None:
            raise KeyExists(key)
        return codec.decode(data, revision)

    async def guaranteed_update(self, key: str, update: UpdateFunc, preconditions: Preconditions | None = None,
                                allow_create: bool = False) -> tuple[Obj, bool]:
        while True:
            value = self._values.get(key)
            if value is None:
                if not allow_create:
                    raise KeyNotFound(key)
                data = codec.encode(await update(None), self.media_type)
                revision = self._swap(key, 0, data)
                if revision is not None:
                    return codec.decode(data, revision), True
                continue
            current = self._decode(value)
            if preconditions:
                preconditions.check(key, current)
            data = codec.encode(await update(current), self.media_type)
            if data == value.data:
                # nothing changed: no write, the resourceVersion stays (as Etcd3Storage does)
                return current, False
            revision = self._swap(key, value.revision, data)
            if revision is not None:
                return codec.decode(data, revision), False

    async def delete(self, key: str, preconditions: Preconditions | None = None,
                     validate: DeleteValidator | None = None) -> Obj:
        while True:
            value = self._values.get(key)
            if value is None:
                raise KeyNotFound(key)
            current = self._decode(value)
            if preconditions:
                preconditions.check(key, current)
            if validate:
                await validate(current)
            if self._swap(key, value.revision, None) is not None:
                return current

    # --- watching -----------------------------------------------------------------------------------

    async def watch(self, prefix: str, resource_version: int, predicate: Predicate) -> Watch:
        return DirectWatch(self.changes(prefix, resource_version, with_prev=True), resource_version, predicate,
                           f"memory watch {prefix}")

    async def contents(self, prefix: str) -> tuple[list[Change], int]:
        found = [Change(key, value.revision, self._decode(value))
                 for key, value in sorted(self._values.items()) if key.startswith(prefix)]
        return found, self.revision

    async def changes(self, prefix: str, after: int, with_prev: bool = False) -> AsyncGenerator[Changes, None]:
        seen = after
        while True:
            wake = self._wake
            # the compacted revision's own writes are kept: a watch may start there, as etcd's may
            if seen + 1 < self.compacted:
                raise Expired(f"too old resource version: {after} ({self.compacted})")
            if self.revision > seen:
                first = bisect.bisect_right(self._log, seen, key=_revision_of)
                found = [self._change(write, with_prev) for write in self._log[first:] if write.key.startswith(prefix)]
                seen = self.revision
                yield Changes(found, seen)
            await wake.wait()

    def _change(self, write: _Write, with_prev: bool) -> Change:
        prev = self._decode(write.prev) if with_prev and write.prev is not None else None
        obj = self._decode(write.value) if write.value is not None else None
        return Change(write.key, write.revision, obj, prev, write.prev is None)
