"""The one generic REST store: every resource's create, read, update, delete and watch goes through here.

What a resource does differently comes from its catalogue row and strategy; storage errors become
Kubernetes Status errors here, named after the resource.
"""
from __future__ import annotations

import copy
import datetime
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from apiserver.api.conversion.hub import Convert
from apiserver.api.meta import errors
from apiserver.api.meta.fields import parse_field_selector
from apiserver.api.meta.goformat import string_slice
from apiserver.api.meta.labels import SelectorParseError, parse_label_selector
from apiserver.api.patch import fieldmanager
from apiserver.api.schema import openapi
from apiserver.api.validation.metadata import validate_metadata
from apiserver.registry import deletion
from apiserver.registry.admit import Admit
from apiserver.registry.catalogue import ResourceInfo
from apiserver.registry.scale import scale_of, with_replicas
from apiserver.registry.semantic import spec_changed
from apiserver.registry.strategy import WriteEffects, finishing, no_effects
from apiserver.request.warnings import add_warning
from apiserver.storage.interface import (
    CorruptObject,
    Expired,
    InvalidListRequest,
    KeyExists,
    KeyNotFound,
    ListOptions,
    Obj,
    Preconditions,
    Predicate,
    ResourceVersionConflict,
    Storage,
    TooLargeResourceVersion,
    UnwritableObject,
    UpdateFunc,
    Watch,
)
from apiserver.storage.keys import storage_root

# kube-apiserver's alphabet for generateName suffixes: no vowels, no look-alike characters
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_GENERATE_NAME_ATTEMPTS = 8
# the one part of an object each field-owning subresource may change
OWNED_PATHS: dict[str, tuple[str, ...]] = {"status": ("status",), "approval": ("status",),
                                           "finalize": ("spec", "finalizers")}


def now_rfc3339() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_identity(r: ResourceInfo, obj: Obj, namespace: str, name: str | None) -> None:
    """The body names the URL's kind, version, namespace and name (filled in where it leaves them out)."""
    kind, api_version = obj.get("kind"), obj.get("apiVersion")
    if kind and kind != r.kind:
        raise errors.bad_request(f"the kind in the data ({kind}) does not match the expected kind ({r.kind})")
    if api_version and api_version != r.api_version:
        raise errors.bad_request(f"the API version in the data ({api_version}) does not match the expected "
                                 f"API version ({r.api_version})")
    obj["kind"], obj["apiVersion"] = r.kind, r.api_version
    meta = obj.get("metadata")
    if meta is None:
        meta = obj["metadata"] = {}
    if not isinstance(meta, dict):
        raise errors.bad_request("metadata must be an object")
    if r.namespaced:
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent "
                                     "on the request")
        meta["namespace"] = namespace
    else:
        meta.pop("namespace", None)
    if name is not None and meta.get("name") != name:
        raise errors.bad_request(f"the name of the object ({meta.get('name', '')}) does not match the name on "
                                 f"the URL ({name})")


@dataclass(frozen=True)
class Served:
    """A version of a resource other than its storage version: its row and its conversions."""
    info: ResourceInfo
    out: Convert  # storage version → this version
    into: Convert  # this version → storage version


@dataclass(frozen=True)
class WatchStart:
    """How a client watch begins: the objects to send as ADDED first, then the live watch."""
    initial: list[Obj]
    watch: Watch
    revision: int


class RegistryStore:
    def __init__(self, info: ResourceInfo, storage: Storage, etcd_prefix: str,
                 find_namespace: Callable[[str], Awaitable[Obj | None]] | None = None,
                 effects: Callable[[bool], WriteEffects] = no_effects) -> None:
        self.info = info
        self.storage = storage
        self.root = storage_root(etcd_prefix, info.storage_prefix)
        self.find_namespace = find_namespace
        self.effects = effects

    def printable(self, obj: Obj) -> Obj:
        """The object table columns are computed from: printers read the storage version's shape."""
        return obj

    # --- keys and selectors -----------------------------------------------------------------------------

    def key(self, namespace: str, name: str) -> str:
        return f"{self.root}{namespace}/{name}" if self.info.namespaced else f"{self.root}{name}"

    async def find(self, namespace: str, name: str) -> Obj | None:
        """The object from the watch cache; the cache may lag one written a moment ago, so a miss is confirmed
        by a consistent read from etcd, and while the cache lags this replica's own writes to the resource
        (a namespace just marked Terminating here, say) etcd is read at once, as kube's namespace lifecycle
        check looks a namespace deleted through its own server up live."""
        versions = ("0", "") if self.storage.holds_own_writes() else ("",)
        for resource_version in versions:
            try:
                return await self.storage.get(self.key(namespace, name), resource_version)
            except KeyNotFound:
                pass
        return None

    def prefix(self, namespace: str) -> str:
        return f"{self.root}{namespace}/" if self.info.namespaced and namespace else self.root

    def attrs(self, obj: Obj) -> tuple[dict[str, str], dict[str, str]]:
        meta = obj.get("metadata") or {}
        fields = {"metadata.name": meta.get("name", "")}
        strategy = self.info.strategy
        # kube's default field label conversion takes metadata.namespace even for cluster-scoped kinds (it matches
        # the empty namespace); the kinds with conversions of their own name it only when they are namespaced
        if self.info.namespaced or not strategy.converts_field_labels:
            fields["metadata.namespace"] = meta.get("namespace", "")
        fields.update(strategy.selectable_fields(obj))
        return meta.get("labels") or {}, fields

    def predicate(self, label_selector: str, field_selector: str) -> Predicate:
        try:
            label = parse_label_selector(label_selector)
            field = parse_field_selector(field_selector)
        except SelectorParseError as exc:
            raise errors.bad_request(str(exc)) from None
        allowed = set(self.attrs({"metadata": {}})[1])
        for name in field.fields():
            if name not in allowed:
                raise errors.bad_request(self._unknown_field_label(name))
        return Predicate(label, field, self.attrs)

    def _unknown_field_label(self, name: str) -> str:
        """kube's words differ between its default field label conversion and the kinds' own."""
        if self.info.strategy.converts_field_labels:
            return f"field label not supported: {name}"
        return f'"{name}" is not a known field selector: only "metadata.name", "metadata.namespace"'

    # --- errors ---------------------------------------------------------------------------------------

    @contextmanager
    def _errors(self, name: str = "") -> Iterator[None]:
        r = self.info
        try:
            yield
        except KeyNotFound:
            raise errors.not_found(r.plural, r.group, name) from None
        except KeyExists:
            raise errors.already_exists(r.plural, r.group, name) from None
        except ResourceVersionConflict as exc:
            raise errors.conflict(r.plural, r.group, name, exc.message) from None
        except Expired as exc:
            raise errors.gone(exc.message) from None
        except TooLargeResourceVersion as exc:
            raise errors.StatusError(504, "Timeout", f"Timeout: Too large resource version: {exc.requested}, "
                                     f"current: {exc.current}", causes=[errors.Cause(
                                         "ResourceVersionTooLarge", "Too large resource version")],
                                     retry_after_seconds=1) from None
        except InvalidListRequest as exc:
            raise errors.bad_request(str(exc)) from None
        except (CorruptObject, UnwritableObject) as exc:
            raise errors.internal_error(str(exc)) from None

    # --- reads ----------------------------------------------------------------------------------------

    async def get(self, namespace: str, name: str, resource_version: str = "") -> Obj:
        with self._errors(name):
            return await self.storage.get(self.key(namespace, name), resource_version)

    async def list(self, namespace: str, options: ListOptions) -> Obj:
        with self._errors():
            result = await self.storage.get_list(self.prefix(namespace), options)
        meta: dict[str, Any] = {"resourceVersion": str(result.resource_version)}
        if result.continue_token:
            meta["continue"] = result.continue_token
        if result.remaining_item_count is not None:
            meta["remainingItemCount"] = result.remaining_item_count
        return {"kind": self.info.list_kind, "apiVersion": self.info.api_version, "metadata": meta,
                "items": result.items}

    def _watch_prefix(self, namespace: str, predicate: Predicate) -> str:
        """A watch pinned to one name listens on that key alone, so fan-out skips it for other objects."""
        name = predicate.field.exact_match("metadata.name")
        if name and (namespace or not self.info.namespaced):
            return self.key(namespace, name)
        return self.prefix(namespace)

    async def watch(self, namespace: str, resource_version: str, predicate: Predicate,
                    send_initial_events: bool | None) -> WatchStart:
        prefix = self._watch_prefix(namespace, predicate)
        with self._errors():
            if send_initial_events or (send_initial_events is None and resource_version in ("", "0")):
                listed = await self.storage.get_list(self.prefix(namespace), ListOptions(
                    resource_version=resource_version, predicate=predicate))
                initial, revision = listed.items, listed.resource_version
            else:
                initial = []
                revision = (int(resource_version) if resource_version
                            else await self.storage.current_revision())
            watch = await self.storage.watch(prefix, revision, predicate)
        return WatchStart(initial, watch, revision)

    # --- writes ---------------------------------------------------------------------------------------

    def _check_identity(self, obj: Obj, namespace: str, name: str | None) -> None:
        check_identity(self.info, obj, namespace, name)

    def _validate(self, obj: Obj, old: Obj | None = None) -> None:
        r = self.info
        # a kind whose update rules come before its whole-object rules (kube's order varies by kind) says so with
        # validate_create and a validate_update that ends with the whole-object rules
        causes = validate_metadata(obj, r.strategy.name_rule, r.namespaced) + r.strategy.validate(obj)
        if old is None:
            causes += r.strategy.validate_create(obj)
        else:
            causes += r.strategy.validate_update(obj, old) + _no_new_finalizers(obj, old)
        if causes:
            raise errors.invalid(r.kind, r.group, (obj.get("metadata") or {}).get("name", ""), causes)
        for text in r.strategy.warnings(obj, old):
            add_warning(text)

    def _prepare_create(self, obj: Obj) -> None:
        meta = obj["metadata"]
        if meta.get("resourceVersion"):
            raise errors.bad_request("resourceVersion should not be set on objects to be created")
        for system_field in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                             "selfLink"):
            meta.pop(system_field, None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        strategy = self.info.strategy
        if strategy.tracks_generation:
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        if strategy.has_status:
            status = strategy.initial_status(obj)
            if status is None:
                obj.pop("status", None)
            else:
                obj["status"] = status
        strategy.prepare_create(obj)
        strategy.default(obj)

    async def _check_namespace(self, namespace: str, name: str) -> None:
        """New objects written without an admission chain (by the replica's own controllers) get the check of
        kube's NamespaceLifecycle, which holds its controllers' API writes to it."""
        if self.info.namespaced and self.find_namespace:
            check_namespace_open(await self.find_namespace(namespace), namespace, self.info.plural, self.info.group,
                                 name, creating=True)

    async def _new_object(self, namespace: str, obj: Obj, manager: str, admit: Admit | None) -> None:
        """What every object created (by POST or by an update that creates) goes through before its write, after
        the mutating admission; validation comes first, so a missing name is a 422 before anything reads it."""
        self._prepare_create(obj)
        self._validate(obj)
        self._track(obj, None, manager)
        if admit:
            await admit.validate(obj, None)
        else:
            await self._check_namespace(namespace, obj["metadata"]["name"])

    async def _mutate(self, admit: Admit | None, namespace: str, name: str | None, new: Obj,
                      old: Obj | None) -> None:
        """The mutating admission; a mutation may not move the object to another namespace or name."""
        if admit:
            await admit.mutate(new, old)
            self._check_identity(new, namespace, name)

    def _track(self, new: Obj, current: Obj | None, manager: str, subresource: str = "") -> None:
        """Records in managedFields which fields `manager` set with this write."""
        schema = openapi.schema_for(self.info)
        if manager and schema:
            fieldmanager.record_update(new, current, manager, self.info.api_version, schema, subresource)

    async def create(self, namespace: str, obj: Obj, dry_run: bool = False, manager: str = "",
                     admit: Admit | None = None) -> Obj:
        self._check_identity(obj, namespace, None)
        # as in kube, the mutating admission sees a generateName object still without its name
        await self._mutate(admit, namespace, None, obj, None)
        meta = obj["metadata"]
        generate = meta.get("generateName") if not meta.get("name") else None
        if generate:
            meta["name"] = generate + "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(5))
        await self._new_object(namespace, obj, manager, admit)
        effects = self.effects(dry_run)
        async with finishing(effects):
            await effects.prepare(obj, None)
            if dry_run:
                return obj
            for attempt in range(_GENERATE_NAME_ATTEMPTS):
                try:
                    with self._errors(meta["name"]):
                        return await self.storage.create(self.key(namespace, meta["name"]), obj)
                except errors.StatusError as exc:
                    # a generated name that collides is retried with a fresh suffix, as kube-apiserver does
                    if not (generate and exc.reason == "AlreadyExists" and attempt < _GENERATE_NAME_ATTEMPTS - 1):
                        raise
                    meta["name"] = generate + "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(5))
        raise AssertionError("unreachable")

    def _merge_update(self, new: Obj, old: Obj) -> Obj:
        """Carry the system-owned parts of the stored object into the client's new version."""
        strategy = self.info.strategy
        new_meta, old_meta = new["metadata"], old["metadata"]
        for system_field in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                             "generation"):
            if system_field in old_meta:
                new_meta[system_field] = old_meta[system_field]
            else:
                new_meta.pop(system_field, None)
        if strategy.has_status:
            if "status" in old:
                new["status"] = old["status"]
            else:
                new.pop("status", None)
        strategy.default(new)
        # `old` is in the form storage reads back: so is `new` from here on, or every comparison below would see
        # what that form leaves out (a protobuf-stored container without the `resources: {}` defaults add)
        new = self.storage.normalize(new)
        new_meta = new["metadata"]
        strategy.prepare_update(new, old)
        if strategy.tracks_generation and spec_changed(new, old):
            new_meta["generation"] = int(old_meta.get("generation") or 0) + 1
        new_meta["resourceVersion"] = old_meta.get("resourceVersion")
        return new

    async def _updated(self, namespace: str, name: str, new: Obj, current: Obj | None, wanted_rv: str,
                       manager: str = "", admit: Admit | None = None) -> Obj:
        """The object an update stores: the client's version with the system-owned parts carried over."""
        if current is None:
            new["metadata"].pop("resourceVersion", None)
            await self._mutate(admit, namespace, name, new, None)
            await self._new_object(namespace, new, manager, admit)
            return new
        if wanted_rv and wanted_rv != current["metadata"].get("resourceVersion"):
            raise errors.conflict(self.info.plural, self.info.group, name, errors.OBJECT_MODIFIED)
        await self._mutate(admit, namespace, name, new, current)
        new = self._merge_update(new, current)
        self._validate(new, current)
        self._track(new, current, manager)
        if admit:
            await admit.validate(new, current)
        return new

    async def _subresource_updated(self, subresource: str, namespace: str, name: str, new: Obj, current: Obj,
                                   wanted_rv: str, manager: str = "", admit: Admit | None = None) -> Obj:
        """A field-owning subresource (status, a namespace's finalize) changes its part and nothing else."""
        if wanted_rv and wanted_rv != current["metadata"].get("resourceVersion"):
            raise errors.conflict(self.info.plural, self.info.group, name, errors.OBJECT_MODIFIED)
        await self._mutate(admit, namespace, name, new, current)
        result = copy.deepcopy(current)
        *parents, leaf = OWNED_PATHS[subresource]
        source: Any  # what the client sent at this path, if anything
        source, target = new, result
        for part in parents:
            source = source.get(part) if isinstance(source, dict) else None
            target = target.setdefault(part, {})
        sent = source.get(leaf) if isinstance(source, dict) else None
        value = self.info.strategy.status_write(subresource)(sent, target.get(leaf))
        if value is None:
            target.pop(leaf, None)
        else:
            target[leaf] = value
        causes = self.info.strategy.validate_status(result, current)
        if causes:
            raise errors.invalid(self.info.kind, self.info.group, name, causes)
        self._track(result, current, manager, subresource)
        if admit:
            await admit.validate(result, current)
        return result

    async def read_modify_write(self, namespace: str, name: str, apply: UpdateFunc, dry_run: bool,
                                allow_create: bool) -> tuple[Obj, bool]:
        key = self.key(namespace, name)
        effects = self.effects(dry_run)

        async def apply_with_effects(current: Obj | None) -> Obj:
            new = await apply(current)
            await effects.prepare(new, current)
            return new

        async with finishing(effects):
            if dry_run:
                with self._errors(name):
                    try:
                        current = await self.storage.get(key)
                    except KeyNotFound:
                        if not allow_create:
                            raise
                        current = None
                return await apply_with_effects(current), current is None
            with self._errors(name):
                result, created = await self.storage.guaranteed_update(key, apply_with_effects,
                                                                       allow_create=allow_create)
        return await self._finish_pending_deletion(namespace, name, result), created

    async def update(self, namespace: str, name: str, obj: Obj, dry_run: bool = False,
                     manager: str = "", admit: Admit | None = None) -> tuple[Obj, bool]:
        self._check_identity(obj, namespace, name)
        wanted_rv = obj["metadata"].get("resourceVersion") or ""

        async def apply(current: Obj | None) -> Obj:
            return await self._updated(namespace, name, copy.deepcopy(obj), current, wanted_rv, manager, admit)

        return await self.read_modify_write(namespace, name, apply, dry_run,
                                            self.info.strategy.allow_create_on_update)

    async def update_subresource(self, namespace: str, name: str, subresource: str, obj: Obj,
                                 dry_run: bool = False, manager: str = "", admit: Admit | None = None) -> Obj:
        self._check_identity(obj, namespace, name)
        wanted_rv = obj["metadata"].get("resourceVersion") or ""

        async def apply(current: Obj | None) -> Obj:
            assert current is not None
            return await self._subresource_updated(subresource, namespace, name, copy.deepcopy(obj), current,
                                                   wanted_rv, manager, admit)

        result, _ = await self.read_modify_write(namespace, name, apply, dry_run, False)
        return result

    async def patch(self, namespace: str, name: str, subresource: str, patch: Callable[[Obj], Obj],
                    dry_run: bool = False, manager: str = "", admit: Admit | None = None) -> Obj:
        """Applies `patch` to the stored object; a resourceVersion inside the patch is a precondition."""
        async def apply(current: Obj | None) -> Obj:
            assert current is not None
            patched = patch(copy.deepcopy(current))
            if not isinstance(patched, dict):
                raise errors.bad_request("the patch must produce an object")
            self._check_identity(patched, namespace, name)
            wanted_rv = patched["metadata"].get("resourceVersion") or ""
            if wanted_rv == current["metadata"].get("resourceVersion"):
                wanted_rv = ""
            if subresource in OWNED_PATHS:
                return await self._subresource_updated(subresource, namespace, name, patched, current, wanted_rv,
                                                       manager, admit)
            return await self._updated(namespace, name, patched, current, wanted_rv, manager, admit)

        result, _ = await self.read_modify_write(namespace, name, apply, dry_run, False)
        return result

    async def apply(self, namespace: str, name: str, config: Obj, manager: str, force: bool,
                    dry_run: bool = False, subresource: str = "", admit: Admit | None = None,
                    served: Served | None = None) -> tuple[Obj, bool]:
        """Server-side apply: creates the object when absent, merges and tracks ownership otherwise. On a
        field-owning subresource (status) only that part is applied, to an object that must exist. With
        `served`, the merge happens in the request's version, as kube applies: the live object is converted to
        it and the result back."""
        info = served.info if served else self.info
        check_identity(info, config, namespace, name)
        schema = openapi.schema_for(info)
        if schema is None:
            raise errors.StatusError(415, "UnsupportedMediaType", "server-side apply needs a schema for "
                                     f"{info.kind}")
        owned = ("f:" + OWNED_PATHS[subresource][0],) if subresource else ()
        if subresource:
            def scope(path: tuple[str, ...]) -> bool:
                return path[:1] == owned
        elif self.info.strategy.has_status:
            def scope(path: tuple[str, ...]) -> bool:
                return path[:1] != ("f:status",)
        else:
            def scope(path: tuple[str, ...]) -> bool:
                return True

        async def apply(current: Obj | None) -> Obj:
            live = served.out(current) if served and current is not None else current
            merged = fieldmanager.apply(live, copy.deepcopy(config), manager, force, info.api_version,
                                        schema, subresource, scope)
            if served:
                merged = served.into(merged)
            if not subresource:
                return await self._updated(namespace, name, merged, current, "", admit=admit)
            assert current is not None
            managed = merged["metadata"].get("managedFields") or []
            result = await self._subresource_updated(subresource, namespace, name, merged, current, "",
                                                     admit=admit)
            result["metadata"]["managedFields"] = managed
            return result

        return await self.read_modify_write(namespace, name, apply, dry_run, not subresource)

    async def update_scale(self, namespace: str, name: str, change: Callable[[Obj], Obj],
                           dry_run: bool = False, manager: str = "", admit: Admit | None = None) -> Obj:
        """Writes the replica count of the Scale that `change` makes from the current one; answers a Scale.
        Admission sees the Scale, as kube's does for a scale subresource."""
        async def apply(current: Obj | None) -> Obj:
            assert current is not None
            scale = change(scale_of(current))
            if admit and isinstance(scale, dict):
                await admit.mutate(scale, scale_of(current))
            replicas = (scale.get("spec") or {}).get("replicas", 0) if isinstance(scale, dict) else None
            if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
                raise errors.invalid("Scale", "autoscaling", name, [errors.Cause(
                    "FieldValueInvalid", f"Invalid value: {replicas!r}: must be greater than or equal to 0",
                    "spec.replicas")])
            wanted_rv = (scale.get("metadata") or {}).get("resourceVersion") or ""
            updated = await self._updated(namespace, name, with_replicas(current, scale), current, wanted_rv, manager)
            if admit:
                await admit.validate(scale_of(updated), scale_of(current))
            return updated

        result, _ = await self.read_modify_write(namespace, name, apply, dry_run, False)
        return scale_of(result)

    async def _finish_pending_deletion(self, namespace: str, name: str, obj: Obj) -> Obj:
        """An object marked for deletion goes away once nothing holds it any more."""
        meta = obj["metadata"]
        if meta.get("deletionTimestamp") and not self.info.strategy.pending_finalizers(obj):
            with self._errors(name):
                try:
                    deleted = await self.storage.delete(self.key(namespace, name),
                                                        Preconditions(resource_version=meta["resourceVersion"]))
                except (KeyNotFound, ResourceVersionConflict):
                    return obj
            await self._after_delete(deleted)
            return deleted
        return obj

    async def _after_delete(self, obj: Obj) -> None:
        """Undoes what the object's writes did outside its key (frees a Service's IPs and node ports)."""
        effects = self.effects(False)
        async with finishing(effects):
            await effects.prepare(None, obj)

    async def delete(self, namespace: str, name: str, options: deletion.DeleteOptions | None = None,
                     admit: Admit | None = None) -> tuple[Obj, bool]:
        """Returns (object, deleted now). An object that finalizers or a grace period hold is only marked
        for deletion; the mark is written in a compare-and-swap on the revision the decision was made on."""
        options = options or deletion.DeleteOptions()
        key = self.key(namespace, name)
        strategy = self.info.strategy
        while True:
            with self._errors(name):
                current = await self.storage.get(key)
                options.preconditions.check(key, current)
                strategy.check_delete(current)
                if admit:
                    await admit.mutate(None, current)
                    await admit.validate(None, current)
                decision = deletion.decide(current, options, strategy.grace_period, strategy.pending_finalizers)
                if options.dry_run or decision.outcome is deletion.Outcome.PENDING:
                    return decision.obj, decision.outcome is deletion.Outcome.DELETE_NOW
                revision = Preconditions(uid=options.preconditions.uid,
                                         resource_version=current["metadata"]["resourceVersion"])
                try:
                    if decision.outcome is deletion.Outcome.DELETE_NOW:
                        deleted = await self.storage.delete(key, revision)
                        break
                    marked = decision.obj
                    strategy.mark_deleting(marked)

                    async def mark(_: Obj | None, marked: Obj = marked) -> Obj:
                        return marked

                    stored, _ = await self.storage.guaranteed_update(key, mark, revision)
                    return stored, False
                except ResourceVersionConflict:
                    # changed since it was read: decide again on the new state, unless the client pinned a version
                    if options.preconditions.resource_version:
                        raise
        await self._after_delete(deleted)
        return deleted, True

    async def delete_collection(self, namespace: str, options: ListOptions,
                                delete_options: deletion.DeleteOptions, admit: Admit | None = None) -> Obj:
        listed = await self.list(namespace, ListOptions(predicate=options.predicate))
        deleted = []
        for item in listed["items"]:
            meta = item["metadata"]
            try:
                obj, _ = await self.delete(meta.get("namespace", ""), meta["name"], delete_options, admit)
            except errors.StatusError as exc:
                # an object deleted meanwhile by someone else is not an error for the collection
                if exc.code == 404:
                    continue
                raise
            deleted.append(obj)
        listed["items"] = deleted
        return listed


def check_namespace_open(found: Obj | None, namespace: str, resource: str, group: str, name: str,
                         creating: bool) -> None:
    """kube's NamespaceLifecycle on content: no write in a namespace that does not exist, no new object in one
    being terminated."""
    if found is None:
        raise errors.not_found("namespaces", "", namespace)
    if creating and (found.get("status") or {}).get("phase") == "Terminating":
        raise errors.forbidden_on(resource, group, name, f"unable to create new content in namespace {namespace} "
                                  "because it is being terminated", [
                                      errors.Cause("NamespaceTerminating", f"namespace {namespace} is being "
                                                   "terminated", "metadata.namespace")])


def _no_new_finalizers(new: Obj, old: Obj) -> list[errors.Cause]:
    """Once an object is being deleted, its finalizers can only go away."""
    if not old["metadata"].get("deletionTimestamp"):
        return []
    before = set(old["metadata"].get("finalizers") or [])
    added = [f for f in new["metadata"].get("finalizers") or [] if f not in before]
    if not added:
        return []
    return [errors.Cause("FieldValueForbidden", "Forbidden: no new finalizers can be added if the object is being "
                         f"deleted, found new finalizers {string_slice(added)}", "metadata.finalizers")]


