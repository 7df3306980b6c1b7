"""The objects every cluster has: the system namespaces and the `kubernetes` Service. Each replica ensures them
at start; AlreadyExists from a peer is fine."""
from __future__ import annotations

import asyncio
import copy
import logging

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.registry.registry import Registry
from apiserver.registry.store import RegistryStore
from apiserver.storage.cacher import CacheNotReady
from apiserver.storage.etcd_client import EtcdError

log = logging.getLogger(__name__)

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def kubernetes_service(cluster_ip: str) -> dict:
    """kube's `default/kubernetes` Service, on the first address of the service range."""
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
                 "type": "ClusterIP", "sessionAffinity": "None", "clusterIP": cluster_ip},
    }


async def ensure_system_objects(registry: Registry, retry_delay: float = 1.0) -> None:
    services = registry.store("", "v1", "services")
    pending: list[tuple[RegistryStore, str, Obj]] = [
        (registry.namespaces, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        for name in SYSTEM_NAMESPACES]
    pending.append((services, "default", kubernetes_service(registry.service_network.first_ip())))
    while pending:
        store, namespace, obj = pending[0]
        try:
            await store.create(namespace, copy.deepcopy(obj))
        except StatusError as exc:
            if exc.reason != "AlreadyExists" and not await _exists(store, namespace, obj["metadata"]["name"]):
                if exc.reason != "Invalid":
                    raise
                # the address is taken: a peer creating the same Service right now, or a leak the repair loop frees
                log.warning("creating %s: %s; retrying", obj["metadata"]["name"], exc.message)
                await asyncio.sleep(retry_delay)
                continue
        except (EtcdError, CacheNotReady) as exc:
            log.warning("creating %s: %s; retrying", obj["metadata"]["name"], exc)
            await asyncio.sleep(retry_delay)
            continue
        pending.pop(0)


async def _exists(store: RegistryStore, namespace: str, name: str) -> bool:
    try:
        await store.get(namespace, name)
    except StatusError as exc:
        if exc.code == 404:
            return False
        raise
    return True
