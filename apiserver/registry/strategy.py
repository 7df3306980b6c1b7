"""Per-resource behaviour of the generic store, described as data plus small hooks.

A strategy says what the generic store must do beyond the common path: whether `metadata.generation`
follows spec changes, whether the resource has a status subresource (then the main resource keeps the
stored status on update and starts with an initial one on create), defaulting, extra validation, and
which fields the resource exposes to field selectors, and the side effects a write has outside the object's
own key (kube's BeginCreate/BeginUpdate/AfterDelete hooks: Service IPs and node ports).
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.types import Obj
from apiserver.api.validation.kinds import invalid
from apiserver.registry.deletion import GracePeriod, has_finalizers

if TYPE_CHECKING:
    from apiserver.registry.serviceranges import ServiceNetwork
    from apiserver.storage.etcd_client import EtcdClient

# how a write through a status-like subresource changes .status: (status sent, status stored) -> status kept
StatusWrite = Callable[[Obj | None, Obj | None], Obj | None]


class WriteEffects(Protocol):
    """One request's side effects. `prepare` runs once per attempt of the write (a retried read-modify-write
    calls it again with the fresh stored object, and it must first undo its previous attempt); it may change
    `new`. `finish` runs once, after the write committed or failed; dry runs must leave nothing behind."""

    async def prepare(self, new: Obj | None, old: Obj | None) -> None: ...

    async def finish(self, committed: bool) -> None: ...


class _NoEffects:
    async def prepare(self, new: Obj | None, old: Obj | None) -> None:
        return None

    async def finish(self, committed: bool) -> None:
        return None


def no_effects(dry_run: bool) -> WriteEffects:
    return _NoEffects()


@asynccontextmanager
async def finishing(effects: WriteEffects) -> AsyncIterator[None]:
    """Finishes `effects` as committed if the block completes, as failed if it raises."""
    try:
        yield
    except BaseException:
        await effects.finish(False)
        raise
    await effects.finish(True)


@dataclass(frozen=True)
class StoreContext:
    """What a strategy's effects may use: the replica's etcd client and cluster configuration."""
    client: EtcdClient
    etcd_prefix: str
    service_network: ServiceNetwork


def _no_fields(obj: Obj) -> dict[str, str]:
    return {}


def _no_defaults(obj: Obj) -> None:
    return None


def _no_validation(obj: Obj) -> list[Cause]:
    return []


def _no_delete_check(obj: Obj) -> None:
    return None


def _replace_status(sent: Obj | None, stored: Obj | None) -> Obj | None:
    return sent


@dataclass(frozen=True)
class Strategy:
    # generation starts at 1 and is bumped when anything outside metadata and status changes
    tracks_generation: bool = False
    # the status subresource owns .status: create resets it, update of the main resource keeps the old one
    has_status: bool = False
    initial_status: Callable[[Obj], Obj | None] = lambda obj: None
    default: Callable[[Obj], None] = _no_defaults
    validate: Callable[[Obj], list[Cause]] = _no_validation
    # kube's PrepareForCreate: what a create always sets, whatever the client sent
    prepare_create: Callable[[Obj], None] = _no_defaults
    # kube's PrepareForUpdate: fields an update of the main resource may not change, and server-owned values the
    # client left out, restored from the old object (before validation)
    prepare_update: Callable[[Obj, Obj], None] = lambda new, old: None
    # checks that need the stored object too, such as immutable fields
    validate_update: Callable[[Obj, Obj], list[Cause]] = lambda new, old: []
    # checks of creates only, where kube's update rules differ from its create rules (`validate` runs on both)
    validate_create: Callable[[Obj], list[Cause]] = _no_validation
    # checks of writes through the field-owning subresources (status, approval): kube's status strategies
    validate_status: Callable[[Obj, Obj], list[Cause]] = lambda new, old: []
    # kube's WarningsOnCreate / WarningsOnUpdate, sent with a write every check accepted (old: None on create)
    warnings: Callable[[Obj, Obj | None], list[str]] = lambda new, old: []
    # builds, once per replica, the factory of per-request side effects (given dry_run)
    effects: Callable[[StoreContext], Callable[[bool], WriteEffects]] | None = None
    # kube's per-resource field label conversion: the selectable fields beyond metadata.name/namespace
    selectable_fields: Callable[[Obj], dict[str, str]] = _no_fields
    allow_create_on_update: bool = False
    # spec.replicas is reachable through the autoscaling/v1 `scale` subresource
    scalable: bool = False
    # action subresources beyond status and scale (pods: binding, eviction)
    actions: tuple[str, ...] = ()
    # per field-owning subresource, how its writes change the part it owns where that is not "replace it"
    # (certificate approval adds conditions only)
    status_writes: tuple[tuple[str, StatusWrite], ...] = ()
    # DELETE answers the deleted object itself instead of a Success Status (pods do this)
    return_deleted_object: bool = False
    # graceful deletion (pods): the seconds a DELETE leaves the object in place; None deletes at once
    grace_period: GracePeriod | None = None
    # whether something still holds an object marked for deletion (metadata.finalizers; namespaces add theirs)
    pending_finalizers: Callable[[Obj], bool] = has_finalizers
    # what else changes when an object is first marked for deletion (a namespace goes Terminating)
    mark_deleting: Callable[[Obj], None] = _no_defaults
    # raises a StatusError for objects that may not be deleted at all
    check_delete: Callable[[Obj], None] = _no_delete_check
    # names are DNS-1123 subdomains unless a resource is stricter (label) or laxer (path segment)
    name_rule: str = "subdomain"

    @property
    def converts_field_labels(self) -> bool:
        """Whether the kind has field labels of its own (kube registers a conversion function for those)."""
        return self.selectable_fields is not _no_fields

    def status_write(self, subresource: str) -> StatusWrite:
        return dict(self.status_writes).get(subresource, _replace_status)


def immutable(*paths: tuple[str, ...]) -> Callable[[Obj, Obj], list[Cause]]:
    """An update check refusing changes to these fields once they are set."""
    def check(new: Obj, old: Obj) -> list[Cause]:
        causes = []
        for path in paths:
            before, after = _at(old, path), _at(new, path)
            if before not in (None, "") and after != before:
                causes.append(invalid(".".join(path), after, "field is immutable"))
        return causes

    return check


def _at(obj: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def warn_on_create(warnings: Callable[[Obj], list[str]]) -> Callable[[Obj, Obj | None], list[str]]:
    return lambda new, old: warnings(new) if old is None else []


def warn_on_every_write(warnings: Callable[[Obj], list[str]]) -> Callable[[Obj, Obj | None], list[str]]:
    return lambda new, old: warnings(new)


DEFAULT_STRATEGY = Strategy()
