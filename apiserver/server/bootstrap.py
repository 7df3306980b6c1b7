"""The objects every cluster has: the system namespaces, the `kubernetes` Service and the system priority
classes. Each replica ensures them at start; AlreadyExists from a peer is fine."""
from __future__ import annotations

import asyncio
import copy
import logging

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.api.validation.cluster import SYSTEM_PRIORITY_CLASSES
from apiserver.registry.registry import Registry
from apiserver.registry.store import RegistryStore
from apiserver.storage.cacher import CacheNotReady
from apiserver.storage.etcd_client import EtcdError

log = logging.getLogger(__name__)

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
# kube's scheduling bootstrap makes the system priority classes (their values are validation's) with these words
PRIORITY_CLASS_DESCRIPTIONS = {
    "system-node-critical": "Used for system critical pods that must not be moved from their current node.",
    "system-cluster-critical": "Used for system critical pods that must run in the cluster, but can be moved to "
                               "another node if necessary.",
}


def system_priority_class(name: str) -> Obj:
    return {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
            "value": SYSTEM_PRIORITY_CLASSES[name], "description": PRIORITY_CLASS_DESCRIPTIONS[name]}


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
    classes = registry.store("scheduling.k8s.io", "v1", "priorityclasses")
    pending += [(classes, "", system_priority_class(name)) for name in PRIORITY_CLASS_DESCRIPTIONS]
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
