"""Which objects each node may reach, kept up to date from the replica's watch caches (kube's node authorizer
graph): a pod scheduled on a node links it to the secrets, config maps, claims and service account the pod
references; a persistent volume bound to such a claim, and the secrets that volume names, follow; a volume
attachment links to its node. Requests are answered from memory, never from etcd.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from apiserver.api.meta.types import Obj
from apiserver.informers.informer import Informer
from apiserver.registry.registry import Registry

Key = tuple[str, str]          # (namespace, name)
# every volume source of a pod that names a secret, and where: (source, field holding the name, nested?)
_POD_VOLUME_SECRETS = (("secret", "secretName", False), ("azureFile", "secretName", False),
                       ("cephfs", "secretRef", True), ("cinder", "secretRef", True),
                       ("flexVolume", "secretRef", True), ("rbd", "secretRef", True),
                       ("scaleIO", "secretRef", True), ("iscsi", "secretRef", True),
                       ("storageos", "secretRef", True), ("csi", "nodePublishSecretRef", True))


@dataclass(frozen=True)
class PodEdges:
    node: str
    secrets: frozenset[str]
    configmaps: frozenset[str]
    claims: frozenset[str]
    service_account: str

    def references(self) -> Iterator[tuple[str, str]]:
        yield from (("secrets", name) for name in self.secrets)
        yield from (("configmaps", name) for name in self.configmaps)
        yield from (("persistentvolumeclaims", name) for name in self.claims)
        if self.service_account:
            yield "serviceaccounts", self.service_account


def _containers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for field in ("initContainers", "containers", "ephemeralContainers"):
        yield from spec.get(field) or []


def pod_edges(pod: Obj) -> PodEdges:
    spec = pod.get("spec") or {}
    secrets = {ref.get("name", "") for ref in spec.get("imagePullSecrets") or []}
    configmaps: set[str] = set()
    for container in _containers(spec):
        for source in container.get("envFrom") or []:
            secrets.add((source.get("secretRef") or {}).get("name", ""))
            configmaps.add((source.get("configMapRef") or {}).get("name", ""))
        for env in container.get("env") or []:
            value_from = env.get("valueFrom") or {}
            secrets.add((value_from.get("secretKeyRef") or {}).get("name", ""))
            configmaps.add((value_from.get("configMapKeyRef") or {}).get("name", ""))
    claims: set[str] = set()
    for volume in spec.get("volumes") or []:
        for source, field, nested in _POD_VOLUME_SECRETS:
            value = (volume.get(source) or {}).get(field)
            secrets.add((value or {}).get("name", "") if nested else (value or ""))
        configmaps.add((volume.get("configMap") or {}).get("name", ""))
        for projection in (volume.get("projected") or {}).get("sources") or []:
            secrets.add((projection.get("secret") or {}).get("name", ""))
            configmaps.add((projection.get("configMap") or {}).get("name", ""))
        claims.add((volume.get("persistentVolumeClaim") or {}).get("claimName", ""))
        if volume.get("ephemeral"):
            # a generic ephemeral volume's claim is named after the pod and the volume
            claims.add(f"{(pod.get('metadata') or {}).get('name', '')}-{volume.get('name', '')}")
    return PodEdges(node=spec.get("nodeName", ""), secrets=frozenset(secrets - {""}),
                    configmaps=frozenset(configmaps - {""}), claims=frozenset(claims - {""}),
                    service_account=spec.get("serviceAccountName", ""))


def _secret_refs(value: Any) -> Iterator[dict[str, Any]]:
    """Every `...secretRef` object inside a persistent volume's source, however deep."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key.lower().endswith("secretref") and isinstance(item, dict):
                yield item
            else:
                yield from _secret_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _secret_refs(item)


def volume_secrets(pv: Obj) -> frozenset[Key]:
    spec = pv.get("spec") or {}
    claim_namespace = (spec.get("claimRef") or {}).get("namespace", "")
    found = {(ref.get("namespace") or claim_namespace, ref.get("name", "")) for ref in _secret_refs(spec)}
    azure = spec.get("azureFile") or {}
    if azure.get("secretName"):
        found.add((azure.get("secretNamespace") or "default", azure["secretName"]))
    return frozenset(key for key in found if key[1])


def _key(obj: Obj) -> Key:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


class NodeGraph:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.pods: dict[Key, PodEdges] = {}
        # (resource, namespace, name) → the pods that reference it
        self.users: dict[tuple[str, str, str], set[Key]] = defaultdict(set)
        self.volume_claims: dict[str, Key] = {}
        self.volume_secrets: dict[str, frozenset[Key]] = {}
        self.secret_volumes: dict[Key, set[str]] = defaultdict(set)
        self.attachments: dict[str, str] = {}
        self._tasks: list[asyncio.Task] = []

    # --- feeding the graph ---
    def observe_pod(self, event: str, pod: Obj) -> None:
        key = _key(pod)
        old = self.pods.pop(key, None)
        if old is not None:
            for resource, name in old.references():
                users = self.users[(resource, key[0], name)]
                users.discard(key)
                if not users:
                    del self.users[(resource, key[0], name)]
        if event == "DELETED":
            return
        edges = pod_edges(pod)
        if not edges.node:
            return   # an unscheduled pod grants nothing yet
        self.pods[key] = edges
        for resource, name in edges.references():
            self.users[(resource, key[0], name)].add(key)

    def observe_volume(self, event: str, pv: Obj) -> None:
        name = pv["metadata"]["name"]
        self.volume_claims.pop(name, None)
        for secret in self.volume_secrets.pop(name, frozenset()):
            self.secret_volumes[secret].discard(name)
        if event == "DELETED":
            return
        claim = (pv.get("spec") or {}).get("claimRef") or {}
        if claim.get("name"):
            self.volume_claims[name] = (claim.get("namespace", ""), claim["name"])
        secrets = volume_secrets(pv)
        self.volume_secrets[name] = secrets
        for secret in secrets:
            self.secret_volumes[secret].add(name)

    def observe_attachment(self, event: str, attachment: Obj) -> None:
        name = attachment["metadata"]["name"]
        node = (attachment.get("spec") or {}).get("nodeName", "")
        if event == "DELETED" or not node:
            self.attachments.pop(name, None)
        else:
            self.attachments[name] = node

    # --- questions ---
    def _used_on(self, resource: str, namespace: str, name: str, node: str) -> bool:
        return any(self.pods[pod].node == node for pod in self.users.get((resource, namespace, name), ()))

    def reaches(self, node: str, resource: str, namespace: str, name: str) -> bool:
        """True when `node` runs a pod that leads to this object."""
        if resource == "pods":
            edges = self.pods.get((namespace, name))
            return edges is not None and edges.node == node
        if resource == "persistentvolumes":
            claim = self.volume_claims.get(name)
            return claim is not None and self._used_on("persistentvolumeclaims", *claim, node)
        if resource == "volumeattachments":
            return self.attachments.get(name) == node
        if self._used_on(resource, namespace, name, node):
            return True
        if resource == "secrets":
            return any(self.reaches(node, "persistentvolumes", "", volume)
                       for volume in self.secret_volumes.get((namespace, name), ()))
        return False

    # --- lifecycle ---
    async def start(self) -> None:
        feeds = ((("", "v1", "pods"), self.observe_pod), (("", "v1", "persistentvolumes"), self.observe_volume),
                 (("storage.k8s.io", "v1", "volumeattachments"), self.observe_attachment))
        for (group, version, plural), handler in feeds:
            store = self.registry.lookup(group, version, plural)
            if store is not None:
                self._tasks.append(asyncio.create_task(Informer(store, handler).run(),
                                                       name=f"node authorizer {plural}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
