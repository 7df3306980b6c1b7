"""From a storage write to what one watcher sees: the watch cache and direct watches share both steps.

`event_of` makes a write an ADDED, MODIFIED or DELETED event, the same for every watcher; `filter_event` then
applies one watcher's selector. An object that stops matching is a DELETED for that watcher, one that starts
matching is an ADDED. As in kube's cacheWatcher, the DELETED of an object leaving the selector carries its
previous state (the last one this watcher was allowed to see) stamped with the event's resourceVersion.
"""
from __future__ import annotations

from dataclasses import dataclass

from apiserver.storage.interface import Change, Obj, Predicate, WatchEvent


@dataclass(slots=True)
class KeyEvent:
    """A write to one key as every watcher sees it before its selector; never changed once built."""
    key: str
    type: str
    object: Obj
    prev: Obj | None
    revision: int


def event_of(change: Change, prev: Obj | None, created: bool) -> KeyEvent | None:
    """The event of a write whose key held `prev` before. A deletion carries that last state stamped with the
    revision of the deletion, and is no event at all when that state is unknown."""
    if change.object is None:
        if prev is None:
            return None
        return KeyEvent(change.key, "DELETED", _at_revision(prev, change.revision), prev, change.revision)
    return KeyEvent(change.key, "ADDED" if created else "MODIFIED", change.object, prev, change.revision)


def filter_event(event_type: str, obj: Obj, prev: Obj | None, revision: int,
                 predicate: Predicate) -> WatchEvent | None:
    if predicate.empty():
        return WatchEvent(event_type, obj, revision)
    if event_type == "DELETED":
        return WatchEvent("DELETED", obj, revision) if predicate.matches(prev or obj) else None
    now = predicate.matches(obj)
    before = prev is not None and predicate.matches(prev)
    if event_type == "ADDED" or prev is None:
        return WatchEvent("ADDED", obj, revision) if now else None
    if now and before:
        return WatchEvent("MODIFIED", obj, revision)
    if now:
        return WatchEvent("ADDED", obj, revision)
    if before:
        return WatchEvent("DELETED", _at_revision(prev, revision), revision)
    return None


def _at_revision(obj: Obj, revision: int) -> Obj:
    # a copy: the previous state is shared with the cache and with watchers
    return {**obj, "metadata": {**obj.get("metadata", {}), "resourceVersion": str(revision)}}
