"""Turn a raw change (object before and after) into what one watcher with a selector should see.

An object that stops matching is a DELETED for that watcher, one that starts matching is an ADDED:
both the watch cache and direct etcd watches use this one rule.  As in kube's cacheWatcher, the DELETED
of an object leaving the selector carries its previous state (the last one this watcher was allowed to
see) stamped with the event's resourceVersion.
"""
from __future__ import annotations

from apiserver.storage.interface import Obj, Predicate, WatchEvent


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
    # a copy: the previous state is shared with the cache and with other watchers
    return {**obj, "metadata": {**obj.get("metadata", {}), "resourceVersion": str(revision)}}
