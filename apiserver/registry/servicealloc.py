"""A Service write's cluster IPs and node ports, as kube-apiserver allocates them.

Create takes what the new Service needs; update takes what it newly needs and, once the write committed,
frees what the old one held and the new one does not; delete frees everything. A write that fails gives back
what it took. A dry run takes nothing: it only checks, and shows the addresses a real write would likely get.
"""
from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from typing import Any

from apiserver.api.meta import errors
from apiserver.api.meta.errors import Cause
from apiserver.api.meta.goformat import quote as go_quote
from apiserver.api.meta.goformat import string_slice
from apiserver.api.meta.types import Obj
from apiserver.registry.allocator import (
    AlreadyAllocated,
    NotInRange,
    RangeAllocator,
    RangeFull,
)
from apiserver.registry.serviceranges import ServiceAllocators, family_name
from apiserver.registry.strategy import StoreContext, WriteEffects
from apiserver.storage.etcd_client import EtcdError

log = logging.getLogger(__name__)

Holding = tuple[RangeAllocator, int]

OTHER_FAMILY = {"IPv4": "IPv6", "IPv6": "IPv4"}


def spec_of(svc: Obj | None) -> Obj:
    spec = (svc or {}).get("spec")
    return spec if isinstance(spec, dict) else {}


def needs_cluster_ip(spec: Obj) -> bool:
    return spec.get("type", "ClusterIP") != "ExternalName"


def is_headless(spec: Obj) -> bool:
    return spec.get("clusterIP") == "None" or (spec.get("clusterIPs") or [""])[0] == "None"


def needs_node_ports(spec: Obj) -> bool:
    return spec.get("type") in ("NodePort", "LoadBalancer")


def allocates_node_ports(spec: Obj) -> bool:
    """A LoadBalancer may opt out of automatic node ports; explicit ones are still honoured."""
    return spec.get("type") == "NodePort" or (spec.get("type") == "LoadBalancer"
                                              and spec.get("allocateLoadBalancerNodePorts") is not False)


def needs_health_check(spec: Obj) -> bool:
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def held_ips(svc: Obj | None) -> dict[str, str]:
    """family → cluster IP that the stored Service holds."""
    spec = spec_of(svc)
    if not needs_cluster_ip(spec) or is_headless(spec):
        return {}
    pairs = zip(spec.get("ipFamilies") or [], spec.get("clusterIPs") or [], strict=False)
    return {family: ip for family, ip in pairs if ip}


def held_ports(svc: Obj | None) -> set[int]:
    spec = spec_of(svc)
    ports = {p.get("nodePort") for p in spec.get("ports") or [] if isinstance(p, dict)}
    ports.add(spec.get("healthCheckNodePort"))
    return {p for p in ports if isinstance(p, int) and not isinstance(p, bool) and p > 0}


def holdings(allocators: ServiceAllocators, svc: Obj | None) -> list[Holding]:
    """The (allocator, item) pairs a stored Service holds; IPs of a family no longer configured are skipped."""
    out: list[Holding] = []
    for family, ip in held_ips(svc).items():
        allocator = allocators.ips.get(family)
        if allocator is not None:
            try:
                out.append((allocator, allocator.items.parse(ip)))
            except ValueError:
                continue
    out.extend((allocators.ports, port) for port in sorted(held_ports(svc)))
    return out


def owner(svc: Obj) -> dict[str, str]:
    meta = svc.get("metadata") or {}
    return {"namespace": meta.get("namespace", ""), "name": meta.get("name", ""), "uid": meta.get("uid", "")}


def ip_family(ip: str) -> str:
    return family_name(ipaddress.ip_address(ip).version)


def _invalid(svc: Obj, causes: list[tuple[str, str, str]]) -> errors.StatusError:
    """422 with one FieldValueInvalid cause per (field, Go-rendered value, message)."""
    name = (svc.get("metadata") or {}).get("name", "")
    return errors.invalid("Service", "", name, [Cause("FieldValueInvalid", f"Invalid value: {rendered}: {message}",
                                                      field) for field, rendered, message in causes])


class ServiceAllocation(WriteEffects):
    def __init__(self, allocators: ServiceAllocators, dry_run: bool) -> None:
        self.allocators = allocators
        self.dry_run = dry_run
        self.taken: list[tuple[RangeAllocator, int, int]] = []   # (allocator, item, key revision)
        self.freed: list[Holding] = []
        self.owner_uid = ""

    async def prepare(self, new: Obj | None, old: Obj | None) -> None:
        await self._give_back()
        self.freed = []
        self.owner_uid = ((new or old or {}).get("metadata") or {}).get("uid", "")
        if new is None:
            self.freed = holdings(self.allocators, old)
            return
        spec = new.setdefault("spec", {})
        if needs_cluster_ip(spec):
            self._init_families(new, spec_of(old))
            if not is_headless(spec):
                await self._cluster_ips(new, held_ips(old))
        await self._node_ports(new, held_ports(old))
        kept = set(holdings(self.allocators, new))
        self.freed = [h for h in holdings(self.allocators, old) if h not in kept]

    async def finish(self, committed: bool) -> None:
        if not committed:
            await self._give_back()
            return
        if self.dry_run:
            return
        for allocator, item in self.freed:
            try:
                await allocator.release_owned(item, self.owner_uid)
            except EtcdError as exc:
                # the repair loop frees it later: nothing holds it any more
                log.warning("releasing %s: %s", allocator.key(item).decode(), exc)

    async def _give_back(self) -> None:
        taken, self.taken = self.taken, []
        for allocator, item, revision in taken:
            try:
                await allocator.release(item, revision)
            except EtcdError as exc:
                log.warning("giving back %s: %s", allocator.key(item).decode(), exc)

    async def _take(self, allocator: RangeAllocator, item: int, svc: Obj) -> None:
        if self.dry_run:
            await allocator.check_free(item)
            return
        revision = await allocator.allocate(item, owner(svc))
        self.taken.append((allocator, item, revision))

    async def _take_next(self, allocator: RangeAllocator, svc: Obj, exclude: set[int]) -> int:
        if self.dry_run:
            return await allocator.free_item(frozenset(exclude))
        item, revision = await allocator.allocate_next(owner(svc))
        self.taken.append((allocator, item, revision))
        return item

    # --- IP families (kube's initIPFamilyFields, for what this server supports) --------------------------

    def _init_families(self, svc: Obj, old_spec: Obj) -> None:
        spec = svc["spec"]
        network = self.allocators.network
        configured = self.allocators.ips
        if spec.get("clusterIP") and not spec.get("clusterIPs"):
            spec["clusterIPs"] = [spec["clusterIP"]]
        elif spec.get("clusterIPs") and not spec.get("clusterIP"):
            spec["clusterIP"] = spec["clusterIPs"][0]
        headless_selectorless = is_headless(spec) and not spec.get("selector")
        if not spec.get("ipFamilyPolicy"):
            spec["ipFamilyPolicy"] = (old_spec.get("ipFamilyPolicy") if needs_cluster_ip(old_spec)
                                      and old_spec.get("ipFamilyPolicy") else
                                      "RequireDualStack" if headless_selectorless else "SingleStack")
        policy = spec["ipFamilyPolicy"]
        ips = list(spec.get("clusterIPs") or [])
        families = list(spec.get("ipFamilies") or [])
        causes = []
        if policy == "SingleStack" and len(ips) == 2:
            causes.append(("spec.ipFamilyPolicy", go_quote(policy),
                           "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
        if policy == "SingleStack" and len(families) == 2:
            causes.append(("spec.ipFamilyPolicy", go_quote(policy),
                           "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"))
        for i, ip in enumerate(ips):
            if ip == "None":
                break
            family = ip_family(ip)
            if i >= len(families):
                if family in configured:
                    families.append(family)
                else:
                    causes.append((f"spec.clusterIPs[{i}]", string_slice(ips),
                                   f"{family} is not configured on this cluster"))
        if causes:
            raise _invalid(svc, causes)
        if headless_selectorless:
            families = families or [network.primary_family]
            if len(families) < 2 and policy != "SingleStack":
                families.append(OTHER_FAMILY[families[0]])
            spec["ipFamilies"] = families
            return
        if policy == "RequireDualStack" and len(configured) < 2:
            causes.append(("spec.ipFamilyPolicy", go_quote(policy), "this cluster is not configured for dual-stack "
                           "services"))
        for i, family in enumerate(families):
            if family not in configured:
                causes.append((f"spec.ipFamilies[{i}]", go_quote(family), "not configured on this cluster"))
        if causes:
            raise _invalid(svc, causes)
        families = families or [network.primary_family]
        if policy != "SingleStack" and len(families) == 1 and len(configured) == 2:
            families.append(OTHER_FAMILY[families[0]])
        spec["ipFamilies"] = families

    # --- cluster IPs ---------------------------------------------------------------------------------------

    async def _cluster_ips(self, svc: Obj, old_ips: dict[str, str]) -> None:
        spec = svc["spec"]
        requested = list(spec.get("clusterIPs") or [])
        ips = list(requested)
        for i, family in enumerate(spec["ipFamilies"]):
            wanted = ips[i] if i < len(ips) else ""
            if wanted and old_ips.get(family) == wanted:
                continue
            allocator = self.allocators.ips[family]
            if wanted:
                try:
                    await self._take(allocator, allocator.items.parse(wanted), svc)
                except AlreadyAllocated:
                    raise self._ip_error(svc, requested, wanted, "provided IP is already allocated") from None
                except (NotInRange, ValueError):
                    raise self._ip_error(svc, requested, wanted, "provided IP is not in the valid range. The range "
                                         f"of valid IPs is {allocator.items.description}") from None
            else:
                try:
                    item = await self._take_next(allocator, svc, set())
                except RangeFull as exc:
                    raise errors.internal_error(f"failed to allocate a serviceIP: {exc}") from None
                wanted = allocator.items.render(item)
            if i < len(ips):
                ips[i] = wanted
            else:
                ips.append(wanted)
        spec["clusterIPs"] = ips
        spec["clusterIP"] = ips[0]

    def _ip_error(self, svc: Obj, requested: list[str], ip: str, why: str) -> errors.StatusError:
        return _invalid(svc, [("spec.clusterIPs", string_slice(requested),
                                    f"failed to allocate IP {ip}: {why}")])

    # --- node ports ------------------------------------------------------------------------------------------

    async def _node_ports(self, svc: Obj, old_ports: set[int]) -> None:
        spec = svc["spec"]
        mine: set[int] = set(old_ports)
        if needs_node_ports(spec):
            # entries with the same port number (TCP and UDP of one service) share one node port, as in kube
            by_port: dict[Any, int] = {}
            for i, port in enumerate(spec.get("ports") or []):
                wanted = port.get("nodePort") or 0
                if not wanted and port.get("port") in by_port:
                    port["nodePort"] = by_port[port.get("port")]
                    continue
                if not wanted and not allocates_node_ports(spec):
                    continue
                if wanted:
                    if wanted not in mine:
                        await self._take_port(svc, f"spec.ports[{i}].nodePort", wanted)
                else:
                    port["nodePort"] = wanted = await self._next_port(mine, svc)
                mine.add(wanted)
                by_port[port.get("port")] = wanted
        if needs_health_check(spec):
            wanted = spec.get("healthCheckNodePort") or 0
            if wanted and wanted not in mine:
                await self._take_port(svc, "spec.healthCheckNodePort", wanted)
            elif not wanted:
                spec["healthCheckNodePort"] = await self._next_port(mine, svc)

    async def _take_port(self, svc: Obj, field: str, port: int) -> None:
        allocator = self.allocators.ports
        try:
            await self._take(allocator, port, svc)
        except AlreadyAllocated:
            raise _invalid(svc, [(field, str(port), "provided port is already allocated")]) from None
        except NotInRange:
            raise _invalid(svc, [(field, str(port), "provided port is not in the valid range. The range of "
                                  f"valid ports is {allocator.items.description}")]) from None

    async def _next_port(self, mine: set[int], svc: Obj) -> int:
        try:
            return await self._take_next(self.allocators.ports, svc, mine)
        except RangeFull as exc:
            raise errors.internal_error(f"failed to allocate a nodePort: {exc}") from None


def service_effects(context: StoreContext) -> Callable[[bool], WriteEffects]:
    """The Service strategy's effects: one set of etcd allocators per replica, one allocation per request."""
    allocators = ServiceAllocators(context.client, context.etcd_prefix, context.service_network)

    def begin(dry_run: bool) -> WriteEffects:
        return ServiceAllocation(allocators, dry_run)

    return begin
