"""The storage interface every resource goes through, and the values that cross it.

`Storage` is what the registry's store calls. `WatchableStorage` adds what a watch cache needs beneath it: a
consistent listing and a feed of changes from a revision. `Etcd3Storage` (etcd) and `MemoryStorage` (a
process's memory) are watchable storages; `Cacher` is a `Storage` that puts a watch cache in front of any
watchable one, serving watches and resourceVersion="0" reads from memory and passing everything else on.
Objects are plain JSON-shaped dicts; `metadata.resourceVersion` is always the mod revision of the object's key.
"""
from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from apiserver.api.meta.fields import FieldSelector, parse_field_selector
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.labels import LabelSelector, parse_label_selector
from apiserver.api.meta.types import Obj

# The attributes a predicate looks at: (labels, fields). Fields always hold metadata.name and,
# for namespaced resources, metadata.namespace, plus whatever the resource's strategy exposes.
AttrsFunc = Callable[[Obj], tuple[dict[str, str], dict[str, str]]]


class StorageError(Exception):
    """Base of the errors the storage layer raises; the registry turns them into Status errors."""


class InvalidListRequest(ValueError):
    """A resourceVersion or continue token the storage cannot read (400 Bad Request)."""


def parse_resource_version(value: str) -> int:
    try:
        rv = int(value)
    except ValueError:
        raise InvalidListRequest(f"invalid resource version: {value!r}") from None
    if rv < 0:
        raise InvalidListRequest(f"invalid resource version: {value!r}")
    return rv


class KeyNotFound(StorageError):
    pass


class KeyExists(StorageError):
    pass


@dataclass
class ResourceVersionConflict(StorageError):
    """A precondition or the compare-and-swap failed; `current` is what is stored now."""
    message: str
    current: Obj | None = None

    def __str__(self) -> str:
        return self.message


@dataclass
class Expired(StorageError):
    """The revision asked for was compacted (410 Gone)."""
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class TooLargeResourceVersion(StorageError):
    requested: int
    current: int

    def __str__(self) -> str:
        return f"Too large resource version: {self.requested}, current: {self.current}"


@dataclass
class CorruptObject(StorageError):
    key: str
    reason: str

    def __str__(self) -> str:
        return f"failed to decode the object stored at {self.key}: {self.reason}"


@dataclass
class UnreadableObject(CorruptObject):
    """No configured transformer could read the stored value (a key missing from the encryption config).

    Worded as kube-apiserver's storage InternalError: the transformer's message alone for one object, with
    the key in front when it breaks a list.
    """
    in_list: bool = False

    def __str__(self) -> str:
        return f"unable to transform key {quote(self.key)}: {self.reason}" if self.in_list else self.reason


@dataclass
class UnwritableObject(StorageError):
    """The transformer could not encrypt a value (a KMS plugin unreachable for too long): kube's storage
    InternalError, whose message is the transformer's alone."""
    key: str
    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass
class Predicate:
    label: LabelSelector = field(default_factory=lambda: parse_label_selector(""))
    field: FieldSelector = field(default_factory=lambda: parse_field_selector(""))
    attrs: AttrsFunc | None = None

    def empty(self) -> bool:
        return self.label.empty() and self.field.empty()

    def matches(self, obj: Obj) -> bool:
        if self.empty() or self.attrs is None:
            return True
        labels, fields = self.attrs(obj)
        return self.label.matches(labels) and self.field.matches(fields)


@dataclass(frozen=True)
class Preconditions:
    uid: str | None = None
    resource_version: str | None = None

    def check(self, key_name: str, obj: Obj) -> None:
        meta = obj.get("metadata") or {}
        if self.uid and meta.get("uid") != self.uid:
            raise ResourceVersionConflict(
                f"Precondition failed: UID in precondition: {self.uid}, UID in object meta: {meta.get('uid', '')}", obj)
        if self.resource_version and meta.get("resourceVersion") != self.resource_version:
            raise ResourceVersionConflict(
                f"Precondition failed: ResourceVersion in precondition: {self.resource_version}, "
                f"ResourceVersion in object meta: {meta.get('resourceVersion', '')}", obj)


@dataclass(frozen=True)
class ListOptions:
    resource_version: str = ""
    resource_version_match: str = ""
    limit: int = 0
    continue_token: str = ""
    predicate: Predicate = field(default_factory=Predicate)


@dataclass
class ListResult:
    items: list[Obj]
    resource_version: int
    continue_token: str = ""
    remaining_item_count: int | None = None


@dataclass(frozen=True)
class WatchEvent:
    """What a watch yields: ADDED / MODIFIED / DELETED with an object, BOOKMARK with a revision,
    ERROR with a Status dict."""
    type: str
    object: Obj
    resource_version: int = 0


# Receives the current object (None when absent, for create-on-update) and returns the new one.
UpdateFunc = Callable[[Obj | None], Awaitable[Obj]]
# Called with the stored object just before a delete; raises to refuse the deletion.
DeleteValidator = Callable[[Obj], Awaitable[None]]


class WatchClosed(Exception):
    """The watch ended on the server side (cache relisted, watcher too slow, shutdown): the client re-watches."""


class Watch(Protocol):
    async def next(self, timeout: float) -> WatchEvent | None:
        """The next event, None if none came within `timeout`; raises WatchClosed at the end, Expired when
        the start revision is gone."""
        ...

    def progress_revision(self) -> int:
        """A revision up to which every matching event has been yielded (for bookmarks)."""
        ...

    def stop(self) -> None: ...


class Storage(Protocol):
    """What the registry's store calls: `Etcd3Storage`, `MemoryStorage` and `Cacher` are storages."""

    async def create(self, key: str, obj: Obj) -> Obj: ...

    async def get(self, key: str, resource_version: str = "") -> Obj: ...

    async def get_list(self, prefix: str, options: ListOptions) -> ListResult: ...

    async def guaranteed_update(self, key: str, update: UpdateFunc, preconditions: Preconditions | None = None,
                                allow_create: bool = False) -> tuple[Obj, bool]:
        """Read-modify-write with retries on conflict; returns (object, created)."""
        ...

    async def delete(self, key: str, preconditions: Preconditions | None = None,
                     validate: DeleteValidator | None = None) -> Obj: ...

    async def watch(self, prefix: str, resource_version: int, predicate: Predicate) -> Watch:
        """Every change under `prefix` after `resource_version`; Expired (410) once that revision is compacted."""
        ...

    async def current_revision(self) -> int:
        """The store's latest revision (a linearizable read): where a watch "from now" starts."""
        ...

    def holds_own_writes(self) -> bool:
        """Whether reads at resourceVersion "0" (any recent state) already show every write made through this
        storage; a cache may lag them, the store itself never does."""
        ...

    def normalize(self, obj: Obj) -> Obj:
        """`obj` as a read would return it once stored (resourceVersion aside): what an update's new object is
        compared with the stored one as."""
        ...


# Change, Changes and the cache's KeyEvent are built for every event and never changed after: not frozen, since
# a frozen dataclass costs about twice as much to build
@dataclass(slots=True)
class Change:
    """One write as a storage reports it: the key's new state at `revision`, None once deleted or when the new
    value cannot be read (`error` then says why, and the reader decides what that costs). `prev` is the state
    before, when the feed was asked for it; `created` says that the write created the key."""
    key: str
    revision: int
    object: Obj | None
    prev: Obj | None = None
    created: bool = False
    error: CorruptObject | None = None


@dataclass(slots=True)
class Changes:
    """What a change feed yields at once: writes in revision order, and `progress`, a revision up to which every
    write under the prefix has been yielded (0: no news of that)."""
    changes: list[Change]
    progress: int = 0


class WatchableStorage(Storage, Protocol):
    """A storage a watch cache can follow. Values that cannot be read are reported key by key, so that one of
    them never stops the cache."""
    # the revision of the latest write made through this storage; a cache that has reached it holds them all
    written: int

    async def contents(self, prefix: str) -> tuple[list[Change], int]:
        """Every key under `prefix` in key order, read at one revision, and that revision."""
        ...

    def changes(self, prefix: str, after: int, with_prev: bool = False) -> AsyncGenerator[Changes, None]:
        """Every write under `prefix` after revision `after`, as it happens, with the states before them if
        `with_prev`; raises Expired (410) when `after` is compacted."""
        ...
