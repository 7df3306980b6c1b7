"""The `kubernetes` Service endpoints: exactly the replicas whose etcd leases are live.

kube-apiserver's lease endpoint reconciler: each replica keeps a key under `<prefix>/masterleases/` attached to
an etcd lease with a TTL and renews it; a replica that dies stops renewing and etcd deletes its key. Every
replica watches that prefix and rewrites Endpoints and EndpointSlice `default/kubernetes` when the set of
live keys differs from what they list.

Replicas here may share one IP and differ by port (local processes, host networking), so the addresses are
grouped by port: one Endpoints subset and one EndpointSlice per port.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import orjson

from apiserver.api.meta.errors import StatusError
from apiserver.registry.registry import Registry
from apiserver.registry.store import RegistryStore
from apiserver.storage.etcd_client import EtcdClient, EtcdError
from apiserver.storage.interface import ListOptions
from apiserver.storage.keys import prefix_end

log = logging.getLogger(__name__)

SERVICE = "kubernetes"
NAMESPACE = "default"


@dataclass(frozen=True)
class EndpointConfig:
    ip: str
    port: int
    ttl_seconds: int = 15
    resync_seconds: float = 10.0


def _desired_subsets(members: set[tuple[str, int]]) -> list[dict[str, Any]]:
    by_port: dict[int, list[str]] = {}
    for ip, port in members:
        by_port.setdefault(port, []).append(ip)
    return [{"addresses": [{"ip": ip} for ip in sorted(ips)],
             "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}
            for port, ips in sorted(by_port.items())]


def _slice_name(index: int, port: int) -> str:
    return SERVICE if index == 0 else f"{SERVICE}-{port}"


class LeaseEndpointReconciler:
    def __init__(self, client: EtcdClient, registry: Registry, etcd_prefix: str, config: EndpointConfig) -> None:
        self.client = client
        self.config = config
        self.prefix = f"{etcd_prefix.rstrip('/')}/masterleases/".encode()
        self.key = self.prefix + f"{config.ip}:{config.port}".encode()
        self.endpoints = registry.store("", "v1", "endpoints")
        self.slices = registry.store("discovery.k8s.io", "v1", "endpointslices")
        self.lease_id = 0
        self._changed = asyncio.Event()

    async def run(self) -> None:
        tasks = [asyncio.create_task(self._keep_alive()), asyncio.create_task(self._follow())]
        try:
            while True:
                try:
                    async with asyncio.timeout(self.config.resync_seconds):
                        await self._changed.wait()
                except TimeoutError:
                    pass
                self._changed.clear()
                try:
                    await self.reconcile()
                except (StatusError, EtcdError) as exc:
                    log.warning("reconciling the kubernetes endpoints: %s", exc)
                    self._changed.set()
                    await asyncio.sleep(1)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _keep_alive(self) -> None:
        while True:
            try:
                if not self.lease_id or await self.client.lease_keepalive_once(self.lease_id) <= 0:
                    self.lease_id = await self.client.lease_grant(self.config.ttl_seconds)
                    value = orjson.dumps({"ip": self.config.ip, "port": self.config.port})
                    await self.client.put(self.key, value, lease=self.lease_id)
                    self._changed.set()
            except EtcdError as exc:
                log.warning("renewing the endpoint lease: %s", exc)
            await asyncio.sleep(max(self.config.ttl_seconds / 3, 1))

    async def _follow(self) -> None:
        while True:
            try:
                async for _ in self.client.watch(self.prefix, prefix_end(self.prefix), prev_kv=False):
                    self._changed.set()
            except EtcdError as exc:
                log.warning("watching %s: %s", self.prefix.decode(), exc)
                await asyncio.sleep(1)

    async def live_members(self) -> set[tuple[str, int]]:
        result = await self.client.range(self.prefix, prefix_end(self.prefix))
        members = set()
        for kv in result.kvs:
            data = orjson.loads(kv.value)
            members.add((data["ip"], int(data["port"])))
        return members

    async def reconcile(self) -> None:
        subsets = _desired_subsets(await self.live_members())
        await self._write_endpoints(subsets)
        await self._write_slices(subsets)

    async def _write_endpoints(self, subsets: list[dict[str, Any]]) -> None:
        desired: dict[str, Any] = {"apiVersion": "v1", "kind": "Endpoints",
                   "metadata": {"name": SERVICE, "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
                   "subsets": subsets}
        try:
            current = await self.endpoints.get(NAMESPACE, SERVICE)
        except StatusError as exc:
            if exc.code != 404:
                raise
            await self.endpoints.create(NAMESPACE, desired)
            return
        if (current.get("subsets") or []) != subsets:
            desired["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            await self.endpoints.update(NAMESPACE, SERVICE, desired)

    async def _write_slices(self, subsets: list[dict[str, Any]]) -> None:
        wanted: dict[str, dict[str, Any]] = {}
        for index, subset in enumerate(subsets):
            port = subset["ports"][0]["port"]
            name = _slice_name(index, port)
            wanted[name] = {
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": name, "labels": {"kubernetes.io/service-name": SERVICE}},
                "addressType": "IPv4",
                "endpoints": [{"addresses": [a["ip"]], "conditions": {"ready": True}} for a in subset["addresses"]],
                "ports": subset["ports"],
            }
        selector = self.slices.predicate(f"kubernetes.io/service-name={SERVICE}", "")
        existing = await self.slices.list(NAMESPACE, ListOptions(predicate=selector))
        for item in existing["items"]:
            name = item["metadata"]["name"]
            want = wanted.pop(name, None)
            if want is None:
                await _delete_ignoring_missing(self.slices, name)
            elif (item.get("endpoints"), item.get("ports")) != (want["endpoints"], want["ports"]):
                want["metadata"]["resourceVersion"] = item["metadata"]["resourceVersion"]
                await self.slices.update(NAMESPACE, name, want)
        for want in wanted.values():
            await self.slices.create(NAMESPACE, want)

    async def stop(self) -> None:
        """Gives up this replica's endpoint at once instead of waiting for the TTL."""
        if self.lease_id:
            try:
                await self.client.lease_revoke(self.lease_id, timeout=2)
                await self.reconcile()
            except (StatusError, EtcdError) as exc:
                log.warning("removing this replica from the kubernetes endpoints: %s", exc)


async def _delete_ignoring_missing(store: RegistryStore, name: str) -> None:
    try:
        await store.delete(NAMESPACE, name)
    except StatusError as exc:
        if exc.code != 404:
            raise
