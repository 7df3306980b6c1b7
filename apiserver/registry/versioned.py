"""A served version of a resource that is stored in another version.

It owns no storage: every call goes to the storage version's `RegistryStore` (one store and one watch cache
per resource), with the request's body converted in (request version → hub → storage version, after this
version's defaults) and every object that comes back converted out (storage version → hub → request
version): single objects, list items, deleted objects and watch events. Patches and server-side apply work
on the object in the request's version, as kube's do, and the result is converted back before the store
validates and writes it. Requests in the storage version never come here, so they convert nothing.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from apiserver.api.conversion.hub import converter
from apiserver.api.meta import errors
from apiserver.api.meta.fields import parse_field_selector
from apiserver.api.meta.labels import SelectorParseError
from apiserver.api.meta.types import Obj
from apiserver.registry import deletion
from apiserver.registry.admit import Admit
from apiserver.registry.catalogue import ResourceInfo
from apiserver.registry.store import RegistryStore, Served, WatchStart, check_identity
from apiserver.storage.interface import ListOptions, Predicate, Watch, WatchEvent

# events that carry an object of the resource (BOOKMARK and ERROR carry other things)
_OBJECT_EVENTS = ("ADDED", "MODIFIED", "DELETED")


class ReadMemo:
    """Conversions of the objects reads hand out, by the identity of the stored object. The watch cache gives
    every reader and watcher the same (never changed) dict for one state of an object, so a list of unchanged
    objects, or one event fanned out to many watchers, converts once. The memo holds the source object too,
    which keeps its id from being reused while the entry lives."""

    def __init__(self, convert: Callable[[Obj], Obj], size: int = 2048) -> None:
        self.convert = convert
        self.size = size
        self.entries: OrderedDict[int, tuple[Obj, Obj]] = OrderedDict()

    def __call__(self, obj: Obj) -> Obj:
        hit = self.entries.get(id(obj))
        if hit is not None:
            self.entries.move_to_end(id(obj))
            return hit[1]
        out = self.convert(obj)
        self.entries[id(obj)] = (obj, out)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return out


class ConvertedWatch:
    """A storage watch whose events reach the client in the request's version."""

    def __init__(self, watch: Watch, out: Callable[[Obj], Obj]) -> None:
        self.watch = watch
        self.out = out

    async def next(self, timeout: float) -> WatchEvent | None:
        event = await self.watch.next(timeout)
        if event is None or event.type not in _OBJECT_EVENTS:
            return event
        return WatchEvent(event.type, self.out(event.object), event.resource_version)

    def progress_revision(self) -> int:
        return self.watch.progress_revision()

    def stop(self) -> None:
        self.watch.stop()


class VersionedStore:
    def __init__(self, info: ResourceInfo, store: RegistryStore) -> None:
        self.info = info
        self.store = store
        self.served = Served(info, converter(store.info, info), converter(info, store.info))
        # reads only: what writes answer is converted afresh (a dry run's answer is not a stored state)
        self.read_out = ReadMemo(self.served.out)

    def out(self, obj: Obj) -> Obj:
        return self.served.out(obj)

    def into(self, obj: Obj, namespace: str, name: str | None) -> Obj:
        """A request body in this version, checked against the URL and defaulted as this version defaults,
        in the storage version."""
        check_identity(self.info, obj, namespace, name)
        self.info.strategy.default(obj)
        return self.served.into(obj)

    def printable(self, obj: Obj) -> Obj:
        """Table cells are computed from the storage version's shape (the hub's, which the printers read), as
        kube prints its internal object."""
        return self.served.into(obj)

    def _list_out(self, listed: Obj, out: Callable[[Obj], Obj]) -> Obj:
        return {**listed, "apiVersion": self.info.api_version, "items": [out(o) for o in listed["items"]]}

    # --- reads ----------------------------------------------------------------------------------------

    def predicate(self, label_selector: str, field_selector: str) -> Predicate:
        """Field selectors name this version's fields; they select on the stored object's."""
        labels = self.info.conversion.field_labels
        if labels is not None:
            try:
                field_selector = str(parse_field_selector(field_selector).relabel(labels))
            except SelectorParseError as exc:
                raise errors.bad_request(str(exc)) from None
        return self.store.predicate(label_selector, field_selector)

    async def get(self, namespace: str, name: str, resource_version: str = "") -> Obj:
        return self.read_out(await self.store.get(namespace, name, resource_version))

    async def list(self, namespace: str, options: ListOptions) -> Obj:
        return self._list_out(await self.store.list(namespace, options), self.read_out)

    async def watch(self, namespace: str, resource_version: str, predicate: Predicate,
                    send_initial_events: bool | None) -> WatchStart:
        start = await self.store.watch(namespace, resource_version, predicate, send_initial_events)
        return WatchStart([self.read_out(o) for o in start.initial], ConvertedWatch(start.watch, self.read_out),
                          start.revision)

    # --- writes ---------------------------------------------------------------------------------------

    async def create(self, namespace: str, obj: Obj, dry_run: bool = False, manager: str = "",
                     admit: Admit | None = None) -> Obj:
        return self.out(await self.store.create(namespace, self.into(obj, namespace, None), dry_run, manager, admit))

    async def update(self, namespace: str, name: str, obj: Obj, dry_run: bool = False,
                     manager: str = "", admit: Admit | None = None) -> tuple[Obj, bool]:
        result, created = await self.store.update(namespace, name, self.into(obj, namespace, name), dry_run,
                                                  manager, admit)
        return self.out(result), created

    async def update_subresource(self, namespace: str, name: str, subresource: str, obj: Obj,
                                 dry_run: bool = False, manager: str = "", admit: Admit | None = None) -> Obj:
        return self.out(await self.store.update_subresource(namespace, name, subresource,
                                                            self.into(obj, namespace, name), dry_run, manager, admit))

    async def patch(self, namespace: str, name: str, subresource: str, patch: Callable[[Obj], Obj],
                    dry_run: bool = False, manager: str = "", admit: Admit | None = None) -> Obj:
        def in_version(current: Obj) -> Obj:
            patched = patch(self.out(current))
            return self.into(patched, namespace, name) if isinstance(patched, dict) else patched

        return self.out(await self.store.patch(namespace, name, subresource, in_version, dry_run, manager, admit))

    async def apply(self, namespace: str, name: str, config: Obj, manager: str, force: bool,
                    dry_run: bool = False, subresource: str = "", admit: Admit | None = None) -> tuple[Obj, bool]:
        result, created = await self.store.apply(namespace, name, config, manager, force, dry_run, subresource,
                                                 admit, self.served)
        return self.out(result), created

    async def update_scale(self, namespace: str, name: str, change: Callable[[Obj], Obj],
                           dry_run: bool = False, manager: str = "", admit: Admit | None = None) -> Obj:
        # a Scale is autoscaling/v1 whatever version the resource is read in
        return await self.store.update_scale(namespace, name, change, dry_run, manager, admit)

    async def delete(self, namespace: str, name: str, options: deletion.DeleteOptions | None = None,
                     admit: Admit | None = None) -> tuple[Obj, bool]:
        obj, deleted = await self.store.delete(namespace, name, options, admit)
        return self.out(obj), deleted

    async def delete_collection(self, namespace: str, options: ListOptions,
                                delete_options: deletion.DeleteOptions, admit: Admit | None = None) -> Obj:
        return self._list_out(await self.store.delete_collection(namespace, options, delete_options, admit),
                              self.out)


AnyStore = RegistryStore | VersionedStore
