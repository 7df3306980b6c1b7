"""The objects every cluster has: the system namespaces and the `kubernetes` Service. Each replica ensures them
at start; AlreadyExists from a peer is fine."""
from __future__ import annotations

import asyncio
import copy
import logging

from apiserver.api.errors import StatusError
from apiserver.registry.registry import Registry
from apiserver.storage.cacher import CacheNotReady
from apiserver.storage.etcd_client import EtcdError

log = logging.getLogger(__name__)

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


KUBERNETES_SERVICE = {
    "apiVersion": "v1", "kind": "Service",
    "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
    "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
             "type": "ClusterIP", "sessionAffinity": "None"},
}


async def ensure_system_objects(registry: Registry, retry_delay: float = 1.0) -> None:
    services = registry.lookup("", "v1", "services")
    pending = [(registry.namespaces, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
               for name in SYSTEM_NAMESPACES]
    pending.append((services, "default", KUBERNETES_SERVICE))
    while pending:
        store, namespace, obj = pending[0]
        try:
            await store.create(namespace, copy.deepcopy(obj))
        except StatusError as exc:
            if exc.reason != "AlreadyExists":
                raise
        except (EtcdError, CacheNotReady) as exc:
            log.warning("creating %s: %s; retrying", obj["metadata"]["name"], exc)
            await asyncio.sleep(retry_delay)
            continue
        pending.pop(0)
