"""The storage interface on etcd v3: compare-and-swap writes keyed on the mod revision.

Every write is one transaction: create compares the key's create revision with 0, update and delete
compare its mod revision with the one read just before. The revision of the write becomes the object's
resourceVersion.
"""
from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing

from apiserver.storage import codec
from apiserver.storage.direct_watch import DirectWatch
from apiserver.storage.etcd_client import CompactedError, EtcdClient, KeyValue
from apiserver.storage.interface import (
    Change,
    Changes,
    CorruptObject,
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
    UnreadableObject,
    UnwritableObject,
    UpdateFunc,
    Watch,
    parse_resource_version,
)
from apiserver.storage.keys import prefix_end
from apiserver.storage.listing import compacted, continue_after, list_start
from apiserver.storage.transformer import (
    IDENTITY,
    KeyFetchNeeded,
    Transformer,
    TransformError,
)

log = logging.getLogger(__name__)

# etcd rejects requests above ~1.5 MiB and gRPC replies are capped: read big collections in pages
PAGE_SIZE = 1000


def _decode(key: bytes, data: bytes, revision: int) -> Obj:
    try:
        return codec.decode(data, revision)
    except codec.DecodeError as exc:
        raise CorruptObject(key.decode(errors="replace"), str(exc)) from None


# a read that still misses its key after this many fetches is given up (the key cache is thrashing)
KEY_FETCHES = 3


class Etcd3Storage:
    """One resource's storage: its transformer (encryption at rest) sits between the codec and etcd, with the
    etcd key as the authenticated data, on every path in and out. Writes encode in `media_type`; reads take
    whatever encoding a value was written in.

    The transformers are synchronous; a read whose key must first come from a KMS plugin raises
    KeyFetchNeeded, which is awaited here and the read repeated, so only those reads leave the fast path."""

    def __init__(self, client: EtcdClient, transformer: Transformer = IDENTITY,
                 media_type: str = codec.JSON) -> None:
        self.client = client
        self.transformer = transformer
        self.media_type = media_type
        # the revision of this replica's latest write to the resource: reads that must see their own writes
        # compare the watch cache with it
        self.written = 0

    def _wrote(self, revision: int) -> int:
        self.written = max(self.written, revision)
        return revision

    async def plaintext(self, kv: KeyValue, in_list: bool = False) -> tuple[bytes, bool]:
        """The stored value as the codec wrote it, and whether a rewrite would store it differently."""
        for _ in range(KEY_FETCHES):
            try:
                return self.transformer.from_storage(kv.value, kv.key)
            except KeyFetchNeeded as needed:
                fetch = needed.fetch
            except TransformError as exc:
                raise UnreadableObject(kv.key.decode(errors="replace"), str(exc), in_list) from None
            try:
                await fetch()
            except TransformError as exc:
                raise UnreadableObject(kv.key.decode(errors="replace"), str(exc), in_list) from None
        raise UnreadableObject(kv.key.decode(errors="replace"), "the decrypted key was evicted before use", in_list)

    async def decode(self, kv: KeyValue, in_list: bool = False) -> Obj:
        try:
            # the common case inline: one coroutine per value rather than two (lists decode thousands)
            plain = self.transformer.from_storage(kv.value, kv.key)[0]
        except KeyFetchNeeded:
            plain = (await self.plaintext(kv, in_list))[0]
        except TransformError as exc:
            raise UnreadableObject(kv.key.decode(errors="replace"), str(exc), in_list) from None
        return _decode(kv.key, plain, kv.mod_revision)

    def normalize(self, obj: Obj) -> Obj:
        return codec.normalize(obj, self.media_type)

    def encrypt(self, key: str, data: bytes) -> bytes:
        try:
            return self.transformer.to_storage(data, key.encode())
        except TransformError as exc:
            raise UnwritableObject(key, str(exc)) from None

    async def create(self, key: str, obj: Obj) -> Obj:
        data = codec.encode(obj, self.media_type)
        result = await self.client.create(key.encode(), self.encrypt(key, data))
        if not result.succeeded:
            raise KeyExists(key)
        return codec.decode(data, self._wrote(result.revision))

    async def get(self, key: str, resource_version: str = "") -> Obj:
        revision = parse_resource_version(resource_version) if resource_version else 0
        try:
            kv, _ = await self.client.get(key.encode(), revision=revision)
        except CompactedError as exc:
            raise Expired(f"too old resource version: {revision} ({exc.compact_revision})") from None
        if kv is None:
            raise KeyNotFound(key)
        return await self.decode(kv)

    async def current_revision(self) -> int:
        return await self.client.current_revision()

    def holds_own_writes(self) -> bool:
        # every read is served by etcd itself
        return True

    async def get_list(self, prefix: str, options: ListOptions) -> ListResult:
        start = list_start(prefix, options)
        predicate, limit, minimum = options.predicate, options.limit, start.minimum
        items: list[Obj] = []
        list_revision = start.revision
        remaining: int | None = None
        more = False
        last_examined: bytes | None = None

        def page_size() -> int:
            page = PAGE_SIZE if not limit else max(limit - len(items), 1)
            if limit and not predicate.empty():
                page = max(page, min(PAGE_SIZE, limit * 2))
            return page

        pages = self.client.range_pages(start.key.encode(), prefix_end(prefix.encode()), revision=start.revision,
                                        limit=page_size)
        try:
            async with aclosing(pages):
                async for result in pages:
                    if not list_revision:
                        list_revision = result.revision
                        if minimum and list_revision < minimum:
                            raise TooLargeResourceVersion(minimum, list_revision)
                    for i, kv in enumerate(result.kvs):
                        last_examined = kv.key
                        # one unreadable value fails the whole list, as in kube-apiserver
                        obj = await self.decode(kv, in_list=True)
                        if predicate.matches(obj):
                            items.append(obj)
                        if limit and len(items) == limit:
                            more = i < len(result.kvs) - 1 or result.more
                            if more and predicate.empty():
                                remaining = result.count - (i + 1)
                            break
                    if limit and len(items) == limit:
                        break
        except CompactedError as exc:
            raise compacted(options, list_revision, exc.compact_revision) from None
        token = ""
        if more and last_examined is not None:
            token = continue_after(list_revision, last_examined.decode(), prefix)
        return ListResult(items, list_revision, token, remaining if remaining and remaining > 0 else None)

    async def guaranteed_update(self, key: str, update: UpdateFunc, preconditions: Preconditions | None = None,
                                allow_create: bool = False) -> tuple[Obj, bool]:
        kv, _ = await self.client.get(key.encode())
        while True:
            if kv is None:
                if not allow_create:
                    raise KeyNotFound(key)
                new = await update(None)
                data = codec.encode(new, self.media_type)
                result = await self.client.create(key.encode(), self.encrypt(key, data))
                if result.succeeded:
                    return codec.decode(data, self._wrote(result.revision)), True
                kv = result.kv
                continue
            stored, stale = await self.plaintext(kv)
            current = _decode(kv.key, stored, kv.mod_revision)
            if preconditions:
                preconditions.check(key, current)
            new = await update(current)
            data = codec.encode(new, self.media_type)
            if data == stored and not stale:
                # nothing changed: kube-apiserver skips the write and keeps the resourceVersion; a stale value
                # (read with an older key or provider) is rewritten, which is what the storage migration relies on
                return current, False
            result = await self.client.update(key.encode(), self.encrypt(key, data), kv.mod_revision)
            if result.succeeded:
                return codec.decode(data, self._wrote(result.revision)), False
            kv = result.kv

    async def delete(self, key: str, preconditions: Preconditions | None = None,
                     validate: DeleteValidator | None = None) -> Obj:
        kv, _ = await self.client.get(key.encode())
        while True:
            if kv is None:
                raise KeyNotFound(key)
            current = await self.decode(kv)
            if preconditions:
                preconditions.check(key, current)
            if validate:
                await validate(current)
            result = await self.client.delete(key.encode(), kv.mod_revision)
            if result.succeeded:
                self._wrote(result.revision)
                return current
            kv = result.kv

    async def watch(self, prefix: str, resource_version: int, predicate: Predicate) -> Watch:
        return DirectWatch(self.changes(prefix, resource_version, with_prev=True), resource_version, predicate,
                           f"etcd watch {prefix}")

    async def contents(self, prefix: str) -> tuple[list[Change], int]:
        key = prefix.encode()
        found: list[Change] = []
        revision = 0
        async for page in self.client.range_pages(key, prefix_end(key), limit=PAGE_SIZE):
            revision = revision or page.revision
            for kv in page.kvs:
                found.append(await self._change(kv))
        return found, revision

    async def changes(self, prefix: str, after: int, with_prev: bool = False) -> AsyncGenerator[Changes, None]:
        key = prefix.encode()
        # without prev_kv etcd sends less, and a watch cache knows the previous states itself
        stream = self.client.watch(key, prefix_end(key), start_revision=after + 1, prev_kv=with_prev)
        try:
            async with aclosing(stream):
                async for response in stream:
                    yield Changes([await self._change(ev.kv, ev.prev_kv, ev.type == "DELETE")
                                   for ev in response.events],
                                  response.revision if response.progress_notify else 0)
        except CompactedError as exc:
            raise Expired(f"too old resource version: {after} ({exc.compact_revision})") from None

    async def _change(self, kv: KeyValue, prev_kv: KeyValue | None = None, deleted: bool = False) -> Change:
        """An etcd value (and the one before it) as a change of its key: the one translation of etcd's events."""
        key = kv.key.decode()
        try:
            prev = await self.decode(prev_kv) if prev_kv is not None else None
            obj = None if deleted else await self.decode(kv)
        except CorruptObject as exc:
            return Change(key, kv.mod_revision, None, error=exc)
        return Change(key, kv.mod_revision, obj, prev, kv.create_revision == kv.mod_revision)
