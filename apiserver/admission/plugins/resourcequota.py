"""ResourceQuota: a create (or an update that grows a claim or a service) in a namespace with quotas is charged
against every quota that covers it, and refused when a hard limit would be passed. The charge is written into
each quota's status.used before the object is written, as a compare-and-swap on the quota's resourceVersion,
so replicas admitting at once never pass a limit together: the one that loses the swap re-reads the quota and
checks again. Within a replica, writes to one namespace are charged one at a time (kube's evaluator batches
them per namespace), which keeps the swaps from colliding. A dry run is checked, never charged. The quota
controller (controllers/resourcequota.py) computes status.used for new quotas and gives back what deleted
objects held."""
from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from typing import Any
from weakref import WeakValueDictionary

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.controllers.quotausage import (
    Evaluator,
    ResourceList,
    ScopeSelector,
    add,
    as_json,
    evaluator_for,
    mask,
    parse_list,
    pretty,
    quota_scopes,
    subtract_non_negative,
)
from apiserver.options.errors import ConfigError
from apiserver.registry.store import RegistryStore
from apiserver.storage.interface import ListOptions

MANAGER = "kube-apiserver"
# attempts at the compare-and-swap before the conflict is the answer (kube tries 4 times; replicas contend more)
_ATTEMPTS = 10
CONFIG_KINDS = ("ResourceQuotaConfiguration",)


@dataclass(frozen=True)
class LimitedResource:
    """A kind whose use of some resources needs a covering quota (kube's limitedResources)."""
    api_group: str
    resource: str
    match_contains: tuple[str, ...] = ()
    match_scopes: tuple[ScopeSelector, ...] = ()


def parse_config(config: dict[str, Any] | None) -> tuple[LimitedResource, ...]:
    """kube's ResourceQuotaConfiguration from --admission-control-config-file."""
    if not config:
        return ()
    if config.get("kind") not in CONFIG_KINDS:
        raise ConfigError(f"ResourceQuota: unexpected configuration kind {config.get('kind')!r}")
    out = []
    for i, entry in enumerate(config.get("limitedResources") or []):
        if not isinstance(entry, dict) or not entry.get("resource"):
            raise ConfigError(f"ResourceQuota: limitedResources[{i}].resource: Required value")
        scopes = tuple(ScopeSelector(str(s.get("scopeName", "")), str(s.get("operator", "")),
                                     tuple(str(v) for v in s.get("values") or []))
                       for s in entry.get("matchScopes") or [] if isinstance(s, dict))
        out.append(LimitedResource(str(entry.get("apiGroup") or ""), str(entry["resource"]),
                                   tuple(str(m) for m in entry.get("matchContains") or []), scopes))
    return tuple(out)


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


class ResourceQuota(Plugin):
    name = "ResourceQuota"
    operations = operations(Operation.CREATE, Operation.UPDATE)

    def __init__(self, store: RegistryStore, limited: tuple[LimitedResource, ...] = ()) -> None:
        self.store = store
        self.limited = limited
        # held only while some write of the namespace is charged, so namespaces that come and go leave none behind
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    def handles(self, attrs: Attributes) -> bool:
        return super().handles(attrs) and not attrs.subresource and bool(attrs.namespace)

    async def quotas(self, namespace: str) -> list[Obj]:
        """The namespace's quotas from the watch cache, or from etcd while the cache lags this replica's own
        writes (a charge just made here): a charge then starts from the latest status this replica knows."""
        fresh = "0" if self.store.storage.holds_own_writes() else ""
        listed = await self.store.list(namespace, ListOptions(resource_version=fresh))
        return listed["items"]

    async def validate(self, attrs: Attributes) -> None:
        evaluator = evaluator_for(attrs.group, attrs.resource)
        if evaluator is None or attrs.obj is None:
            return
        if attrs.operation is Operation.UPDATE and not evaluator.updates_charge:
            return
        if not self.limited and not await self.quotas(attrs.namespace):
            return
        lock = self._locks.get(attrs.namespace) or self._locks.setdefault(attrs.namespace, asyncio.Lock())
        async with lock:
            # read again under the lock: the write charged before this one is in it
            await self._charge(attrs, evaluator, await self.quotas(attrs.namespace))

    async def _charge(self, attrs: Attributes, evaluator: Evaluator, quotas: list[Obj]) -> None:
        conflict: errors.StatusError | None = None
        for _ in range(_ATTEMPTS):
            charged = check_request(attrs, evaluator, quotas, self.limited)
            if attrs.dry_run or not charged:
                return
            failed: list[str] = []
            for quota, used in charged:
                try:
                    await self._write(quota, used)
                except errors.StatusError as exc:
                    if exc.reason != "Conflict":
                        raise
                    conflict = exc
                    failed.append(_name(quota))
            if not failed:
                return
            # only the quotas whose swap failed are checked again, against what etcd holds now
            quotas = []
            for name in failed:
                try:
                    current = await self.store.get(attrs.namespace, name)
                except errors.StatusError as exc:
                    if exc.code == 404:
                        continue  # deleted meanwhile: it limits nothing any more
                    raise
                quotas.append(current)
        assert conflict is not None
        raise conflict

    async def _write(self, quota: Obj, used: ResourceList) -> Obj:
        """status.used, if the quota is still the version the charge was computed from."""
        new = copy.deepcopy(quota)
        new.setdefault("status", {})["used"] = as_json(used)
        meta = quota["metadata"]
        return await self.store.update_subresource(meta.get("namespace", ""), meta["name"], "status", new,
                                                   manager=MANAGER)


def _nonzero(values: ResourceList) -> ResourceList:
    return {name: value for name, value in values.items() if value.value != 0}


def _limited_names(usage: ResourceList, limited: list[LimitedResource]) -> set[str]:
    """kube's limitedByDefault: resources the object uses that some limitedResources entry names."""
    return {name for entry in limited for name, value in usage.items()
            if value.value > 0 and any(part in name for part in entry.match_contains)}


def check_request(attrs: Attributes, evaluator: Evaluator, quotas: list[Obj],
                  limited: tuple[LimitedResource, ...]) -> list[tuple[Obj, ResourceList]]:
    """kube's CheckRequest: each quota the write changes, with its new status.used; raises the refusal when the
    write does not fit."""
    obj = attrs.obj
    assert obj is not None
    limited_scopes = [s for entry in limited for s in entry.match_scopes if evaluator.in_scope(s, obj)]
    for_kind = [entry for entry in limited if (entry.api_group, entry.resource) == (attrs.group, attrs.resource)]
    limited_names = _limited_names(evaluator.usage(obj), for_kind) if for_kind else set()

    interesting: list[Obj] = []
    covered: set[str] = set()
    covered_scopes: list[ScopeSelector] = []
    for quota in quotas:
        covered_scopes += [s for s in quota_scopes(quota) if evaluator.in_scope(s, obj)]
        if not evaluator.matches(quota, obj):
            continue
        status = quota.get("status") or {}
        tracked = evaluator.matching(status.get("hard") or {})
        problem = evaluator.constraints(tracked, obj)
        if problem:
            raise forbidden(attrs, f"failed quota: {_name(quota)}: {problem}")
        used = status.get("used") or {}
        if any(name not in used for name in tracked):
            raise forbidden(attrs, f"status unknown for quota: {_name(quota)}, resources: "
                                   f"{','.join(sorted(tracked))}")
        interesting.append(quota)
        covered.update(tracked)

    usage = evaluator.usage(obj)
    negative = sorted(name for name, value in usage.items() if value.value < 0)
    if negative:
        raise forbidden(attrs, f"quota usage is negative for resource(s): {','.join(negative)}")

    deltas: dict[str, ResourceList] = {_name(q): usage for q in interesting}
    unmatched_delta = usage if attrs.operation is Operation.CREATE else {}
    if attrs.operation is Operation.UPDATE and attrs.old is not None:
        if (attrs.old.get("metadata") or {}).get("resourceVersion"):
            delta = subtract_non_negative(usage, evaluator.usage(attrs.old))
            unmatched_delta = delta
            for quota in interesting:
                if evaluator.matches(quota, attrs.old):
                    deltas[_name(quota)] = delta
        else:
            unmatched_delta = usage
    deltas = {name: nonzero for name, delta in deltas.items() if (nonzero := _nonzero(delta))}
    if not (deltas if interesting else _nonzero(unmatched_delta)):
        return []

    uncovered = sorted(limited_names - covered)
    if uncovered:
        raise forbidden(attrs, f"insufficient quota to consume: {','.join(uncovered)}")
    uncovered_scopes = [s for s in limited_scopes if all(c.scope != s.scope for c in covered_scopes)]
    if uncovered_scopes:
        # kube returns this one as a plain error, which reaches the client as an unknown 500
        raise errors.StatusError(500, "Unknown", "insufficient quota to match these scopes: "
                                                 f"[{' '.join(s.go() for s in uncovered_scopes)}]")

    charged: list[tuple[Obj, ResourceList]] = []
    for quota in interesting:
        if _name(quota) not in deltas:
            continue
        delta = deltas[_name(quota)]
        status = quota.get("status") or {}
        hard, used = parse_list(status.get("hard")), parse_list(status.get("used"))
        requested = mask(delta, hard)
        if not requested:
            continue
        new_used = add(used, requested)
        exceeded = sorted(name for name in requested if new_used[name].value > hard[name].value)
        if exceeded:
            raise forbidden(attrs, f"exceeded quota: {_name(quota)}, requested: {pretty(mask(requested, exceeded))}, "
                                   f"used: {pretty(mask(used, exceeded))}, limited: {pretty(mask(hard, exceeded))}")
        charged.append((quota, new_used))
    return charged
