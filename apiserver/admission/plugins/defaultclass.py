"""The default class among StorageClasses or IngressClasses: those an annotation marks as default; when several
are, the newest (by creation time, to the second as stored), and among equally new ones the first by name, as
kube 1.32 picks."""
from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from apiserver.api.meta.types import Obj
from apiserver.registry.store import RegistryStore
from apiserver.storage.interface import ListOptions

_EPOCH = datetime.datetime.fromtimestamp(0, datetime.UTC)


def _created(obj: Obj) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(obj["metadata"].get("creationTimestamp") or "")
    except ValueError:
        return _EPOCH


def newest_default(classes: Iterable[Obj], is_default: Callable[[Obj], bool]) -> Obj | None:
    defaults = [c for c in classes if is_default(c)]
    if not defaults:
        return None
    newest = max(_created(c) for c in defaults)
    return min((c for c in defaults if _created(c) == newest), key=lambda c: c["metadata"]["name"])


async def cached_classes(store: RegistryStore) -> list[Obj]:
    """Every class as the replica's watch cache holds it (kube reads its informer's lister)."""
    listed = await store.list("", ListOptions(resource_version="0"))
    return list(listed.get("items") or [])


def annotation_is_true(obj: Obj, *keys: str) -> bool:
    annotations = obj["metadata"].get("annotations") or {}
    return any(annotations.get(key) == "true" for key in keys)
