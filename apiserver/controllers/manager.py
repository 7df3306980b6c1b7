"""Starts and stops the replica's background work: its identity lease, its endpoint lease, one reconciliation
of the default RBAC policy at start (kube's post-start hook runs on every replica, so a replica that starts
after a default object was deleted brings it back), and — on the one replica elected leader — the jobs only
one replica may run (etcd compaction, expired identity lease clean-up, the garbage collector, the namespace
controller, the end of pods' grace periods, the repair of Service IP and node port allocations, the
aggregation of ClusterRoles, the `default` ServiceAccount and `kube-root-ca.crt` ConfigMap of every namespace,
the removal of the StorageObjectInUseProtection finalizers from unused claims and volumes being deleted, and the
usage in ResourceQuotas' status)."""
from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
from collections.abc import Awaitable, Callable

from apiserver.controllers.clusterroleaggregation import ClusterRoleAggregator
from apiserver.controllers.compaction import Compactor
from apiserver.controllers.endpoints import EndpointConfig, LeaseEndpointReconciler
from apiserver.controllers.garbagecollector import GarbageCollector
from apiserver.controllers.identity import (
    IdentityConfig,
    IdentityLease,
    collect_expired_identity_leases,
)
from apiserver.controllers.leaderelection import LeaderElectionConfig, LeaderElector
from apiserver.controllers.namespace import NamespaceController
from apiserver.controllers.podtermination import PodTerminator
from apiserver.controllers.rbacbootstrap import PolicyReconciler
from apiserver.controllers.resourcequota import ResourceQuotaController
from apiserver.controllers.rootcapublisher import RootCAFiles, RootCAPublisher
from apiserver.controllers.serviceaccounts import ServiceAccountsController
from apiserver.controllers.servicerepair import ServiceAllocationRepair
from apiserver.controllers.storageprotection import StorageProtection
from apiserver.options.flags import ServerConfig
from apiserver.registry.registry import Registry
from apiserver.registry.serviceranges import ServiceAllocators
from apiserver.storage.etcd_client import EtcdClient

log = logging.getLogger(__name__)

LEADER_LEASE = "kube-apiserver-leader"


def replica_identity(config: ServerConfig) -> str:
    """Stable across restarts of the same replica (same host, address and port), distinct between replicas."""
    seed = f"{socket.gethostname()}/{config.coordination.advertise_address}:{config.serving.secure_port}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


class ControllerManager:
    def __init__(self, config: ServerConfig, client: EtcdClient, registry: Registry) -> None:
        self.identity = replica_identity(config)
        coordination, etcd = config.coordination, config.etcd
        leases = registry.store("coordination.k8s.io", "v1", "leases")
        self.identity_lease = IdentityLease(leases, self.identity, socket.gethostname(), IdentityConfig(
            coordination.identity_lease_duration_seconds, coordination.identity_lease_renew_interval_seconds))
        self.endpoints = (LeaseEndpointReconciler(client, registry, etcd.prefix, EndpointConfig(
            coordination.advertise_address, config.serving.secure_port, int(coordination.endpoint_lease_ttl)))
            if coordination.endpoint_reconciler_type == "lease" else None)
        self.compactor = Compactor(client, etcd.compaction_interval) if etcd.compaction_interval else None
        self.elector = LeaderElector(leases, "kube-system", LEADER_LEASE, f"apiserver-{self.identity}",
                                     LeaderElectionConfig(coordination.leader_elect_lease_duration,
                                                          coordination.leader_elect_renew_deadline,
                                                          coordination.leader_elect_retry_period), self._lead)
        self.service_repair = ServiceAllocationRepair(
            registry.store("", "v1", "services"),
            ServiceAllocators(client, etcd.prefix, registry.service_network),
            config.service_network.repair_interval)
        self.gc_interval = max(coordination.identity_lease_renew_interval_seconds, 1)
        self.leases = leases
        self.registry = registry
        self.root_ca_files = RootCAFiles.of(config)
        self._tasks: list[asyncio.Task] = []

    def _leader_jobs(self) -> list[Callable[[], Awaitable[None]]]:
        pods = self.registry.store("", "v1", "pods")
        # built afresh on each election: a new leader starts from the current state, not a stale graph
        jobs: list[Callable[[], Awaitable[None]]] = [
            lambda: collect_expired_identity_leases(self.leases, self.gc_interval), self.service_repair.run,
            GarbageCollector(self.registry).run, NamespaceController(self.registry).run, PodTerminator(pods).run,
            ClusterRoleAggregator(self.registry).run, ServiceAccountsController(self.registry).run,
            StorageProtection(self.registry).run, ResourceQuotaController(self.registry).run,
            RootCAPublisher(self.registry, self.root_ca_files).run]
        if self.compactor:
            jobs.append(self.compactor.run)
        return jobs

    async def _lead(self) -> None:
        await asyncio.gather(*(job() for job in self._leader_jobs()))

    def start(self) -> None:
        runs = [self.identity_lease.run, self.elector.run, PolicyReconciler(self.registry).run]
        runs += [self.endpoints.run] if self.endpoints else []
        self._tasks = [asyncio.create_task(run(), name=f"controller {run.__qualname__}") for run in runs]

    async def stop(self) -> None:
        """Gives up leadership, the endpoint and the identity lease, so peers take over without waiting."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.elector.release()
        if self.endpoints:
            await self.endpoints.stop()
        await self.identity_lease.delete()
