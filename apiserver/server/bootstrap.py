"""The namespaces every cluster has. Each replica ensures them at start; AlreadyExists from a peer is fine."""
from __future__ import annotations

import asyncio
import logging

from apiserver.api.errors import StatusError
from apiserver.registry.registry import Registry
from apiserver.storage.etcd_client import EtcdError

log = logging.getLogger(__name__)

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


async def ensure_system_namespaces(registry: Registry, retry_delay: float = 1.0) -> None:
    pending = list(SYSTEM_NAMESPACES)
    while pending:
        name = pending[0]
        try:
            await registry.namespaces.create("", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        except StatusError as exc:
            if exc.reason != "AlreadyExists":
                raise
        except EtcdError as exc:
            log.warning("creating namespace %s: %s; retrying", name, exc)
            await asyncio.sleep(retry_delay)
            continue
        pending.pop(0)
