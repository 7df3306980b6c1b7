"""The replica's identity Lease in kube-system, renewed on a timer, and the clean-up of expired ones.

Like kube-apiserver's apiserver identity leases: `apiserver-<id>` labelled
`apiserver.kubernetes.io/identity=kube-apiserver`. A replica that dies stops renewing; the elected leader
deletes leases whose renewTime is older than their duration.
"""
from __future__ import annotations

import asyncio
import datetime
import logging
from dataclasses import dataclass

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.controllers.leaderelection import micro_time
from apiserver.registry.deletion import DeleteOptions
from apiserver.registry.store import RegistryStore
from apiserver.storage.etcd_client import EtcdError
from apiserver.storage.interface import ListOptions, Preconditions

log = logging.getLogger(__name__)

IDENTITY_LABEL = "apiserver.kubernetes.io/identity"
IDENTITY_VALUE = "kube-apiserver"
NAMESPACE = "kube-system"


@dataclass(frozen=True)
class IdentityConfig:
    lease_duration_seconds: int = 3600
    renew_interval_seconds: float = 10.0


def _parse_time(value: str) -> datetime.datetime | None:
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.datetime.strptime(value, fmt).replace(tzinfo=datetime.UTC)
        except ValueError:
            continue
    return None


class IdentityLease:
    def __init__(self, leases: RegistryStore, identity: str, hostname: str, config: IdentityConfig) -> None:
        self.leases = leases
        self.identity = identity
        self.name = f"apiserver-{identity}"
        self.hostname = hostname
        self.config = config

    async def run(self) -> None:
        while True:
            try:
                await self.renew()
            except (StatusError, EtcdError) as exc:
                log.warning("renewing identity lease %s: %s", self.name, exc)
            await asyncio.sleep(self.config.renew_interval_seconds)

    async def renew(self) -> None:
        lease: Obj = {
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": self.name, "labels": {IDENTITY_LABEL: IDENTITY_VALUE,
                                                       "kubernetes.io/hostname": self.hostname}},
            "spec": {"holderIdentity": self.name, "leaseDurationSeconds": self.config.lease_duration_seconds,
                     "renewTime": micro_time()},
        }
        try:
            current = await self.leases.get(NAMESPACE, self.name)
        except StatusError as exc:
            if exc.code != 404:
                raise
            await self.leases.create(NAMESPACE, lease)
            return
        spec = {**(current.get("spec") or {}), **lease["spec"]}
        await self.leases.update(NAMESPACE, self.name, {**current, "spec": spec})

    async def delete(self) -> None:
        try:
            await self.leases.delete(NAMESPACE, self.name)
        except (StatusError, EtcdError) as exc:
            log.warning("deleting identity lease %s: %s", self.name, exc)


async def collect_expired_identity_leases(leases: RegistryStore, interval: float) -> None:
    """Leader-only: remove identity leases of replicas that stopped renewing."""
    while True:
        try:
            listed = await leases.list(NAMESPACE, ListOptions(predicate=leases.predicate(
                f"{IDENTITY_LABEL}={IDENTITY_VALUE}", "")))
            now = datetime.datetime.now(datetime.UTC)
            for lease in listed["items"]:
                spec = lease.get("spec") or {}
                renewed = _parse_time(spec.get("renewTime") or "")
                duration = int(spec.get("leaseDurationSeconds") or 0)
                if renewed and (now - renewed).total_seconds() > duration:
                    meta = lease["metadata"]
                    try:
                        await leases.delete(NAMESPACE, meta["name"], DeleteOptions(
                            Preconditions(resource_version=meta["resourceVersion"])))
                        log.info("deleted expired identity lease %s", meta["name"])
                    except StatusError:
                        pass
        except (StatusError, EtcdError) as exc:
            log.warning("identity lease clean-up: %s", exc)
        await asyncio.sleep(interval)
