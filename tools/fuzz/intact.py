"""That the run left the cluster's data alone: sentinel objects written before it read back the same after it, every
object outside the run's scope keeps its uid and (unless it is renewed by itself, as leases are) its
resourceVersion, and every replica is still ready. Then the clean-up of what the run wrote."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from tools.fuzz.scope import Document, Scope
from tools.fuzz.target import Target

# collections whose objects change by themselves (lease renewals, event series): compared by uid alone
SELF_RENEWING = ("/apis/coordination.k8s.io/v1/leases", "/api/v1/events", "/apis/events.k8s.io/v1/events")
FINALIZERS_CLEARED = {"metadata": {"finalizers": None}}
MERGE_PATCH = "application/merge-patch+json"

Key = tuple[str, str, str]     # collection path (all namespaces), namespace, name


def collections(documents: list[Document]) -> list[str]:
    """The path of each list operation: `/api/v1/namespaces/{namespace}/pods`, `/api/v1/nodes`."""
    return [op.path for document in documents for op in document.operations if op.action == "list"]


def everywhere(collection: str) -> str:
    """A namespaced collection across all namespaces: `/api/v1/namespaces/{namespace}/pods` → `/api/v1/pods`."""
    return collection.replace("/namespaces/{namespace}", "")


@dataclass
class Sentinels:
    """Objects of several groups, in a namespace of their own, in `default` and at cluster scope."""
    scope: Scope
    written: dict[str, Any] = field(default_factory=dict)      # object path → the object as created

    @property
    def namespace(self) -> str:
        return f"fuzz-{self.scope.run}-sentinel"

    @property
    def name(self) -> str:
        return f"fuzz-{self.scope.run}-sentinel"

    def objects(self) -> list[tuple[str, dict[str, Any]]]:
        ns, name = self.namespace, self.name
        meta = {"name": name, "labels": {"fuzz-sentinel": self.scope.run}}
        return [
            ("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
            (f"/api/v1/namespaces/{ns}/configmaps",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"a": "b"}}),
            (f"/api/v1/namespaces/{ns}/secrets",
             {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "stringData": {"password": "swordfish"}}),
            (f"/api/v1/namespaces/{ns}/services",
             {"apiVersion": "v1", "kind": "Service", "metadata": meta,
              "spec": {"ports": [{"port": 80}], "selector": {"app": "x"}}}),
            (f"/apis/apps/v1/namespaces/{ns}/deployments",
             {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
              "spec": {"selector": {"matchLabels": {"app": "x"}},
                       "template": {"metadata": {"labels": {"app": "x"}},
                                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}),
            (f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles",
             {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta,
              "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}),
            ("/api/v1/namespaces/default/configmaps",
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"c": "d"}}),
            ("/apis/rbac.authorization.k8s.io/v1/clusterroles",
             {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta,
              "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["list"]}]}),
            ("/apis/storage.k8s.io/v1/storageclasses",
             {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta,
              "provisioner": "example.com/fuzz"}),
        ]

    def create(self, target: Target) -> None:
        for collection, obj in self.objects():
            created = target.ok("POST", collection, obj)
            self.written[f"{collection}/{created['metadata']['name']}"] = created

    def changed(self, target: Target) -> list[str]:
        problems = []
        for path, before in self.written.items():
            answer = target.call("GET", path)
            if answer.code != 200:
                problems.append(f"sentinel {path}: {answer.code} {answer.body}")
            elif answer.body != before:
                problems.append(f"sentinel {path} changed: was {before}, is {answer.body}")
        return problems

    def remove(self, target: Target) -> None:
        for path in reversed(self.written):
            target.call("DELETE", path)


def snapshot(target: Target, documents: list[Document], scope: Scope) -> dict[Key, tuple[str, str]]:
    """(uid, resourceVersion) of every object outside the run's own namespaces."""
    objects = {}
    for collection in map(everywhere, collections(documents)):
        for item in target.ok("GET", collection)["items"]:
            meta = item["metadata"]
            namespace = meta.get("namespace", "")
            if scope.owns_namespace(namespace) or (collection == "/api/v1/namespaces"
                                                   and scope.owns_namespace(meta["name"])):
                continue
            objects[(collection, namespace, meta["name"])] = (meta["uid"], meta["resourceVersion"])
    return objects


def snapshot_changes(before: dict[Key, tuple[str, str]], after: dict[Key, tuple[str, str]]) -> list[str]:
    problems = []
    for key, (uid, version) in sorted(before.items()):
        now = after.get(key)
        if now is None:
            problems.append(f"{key} is gone")
        elif now[0] != uid:
            problems.append(f"{key} was replaced (uid {uid} → {now[0]})")
        elif now[1] != version and key[0] not in SELF_RENEWING:
            problems.append(f"{key} was modified (resourceVersion {version} → {now[1]})")
    return problems


def unready(target: Target) -> list[str]:
    """The replicas (and the balancer) that do not answer /readyz with 200."""
    problems = []
    for base in (target.url, *target.replica_urls):
        answer = target.call("GET", "/readyz", base=base)
        if answer.code != 200:
            problems.append(f"{base}/readyz: {answer.code} {answer.body}")
    return problems


def clean_up(target: Target, documents: list[Document], scope: Scope, created: list[tuple[str, str]]) -> None:
    """Deletes what the run wrote: its namespaces (after clearing the finalizers generated into the objects in
    them, which would hold the namespaces in Terminating forever) and its cluster-scoped objects."""
    cluster_scoped = [path for path in collections(documents) if "{namespace}" not in path]
    targets = {(path, name) for path in cluster_scoped for name in scope.names} | set(created)
    namespaces = {name for path, name in targets if path == "/api/v1/namespaces"} | {scope.namespace}
    for namespace in sorted(namespaces):
        for collection in collections(documents):
            if "{namespace}" not in collection:
                continue
            path = collection.replace("{namespace}", namespace)
            answer = target.call("GET", path)
            for item in answer.body.get("items", []) if answer.code == 200 else []:
                if item["metadata"].get("finalizers"):
                    target.call("PATCH", f"{path}/{quote(item['metadata']['name'], safe='')}", FINALIZERS_CLEARED,
                                MERGE_PATCH)
    for path, name in sorted(targets):
        # quoted: RBAC objects, for one, may have any name that is a path segment
        target.call("PATCH", f"{path}/{quote(name, safe='')}", FINALIZERS_CLEARED, MERGE_PATCH)
        target.call("DELETE", f"{path}/{quote(name, safe='')}")
    target.call("DELETE", f"/api/v1/namespaces/{scope.namespace}")

