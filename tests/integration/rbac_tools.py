"""Helpers shared by the RBAC tests: a replica under --authorization-mode=RBAC with static token users, and
clients for the administrator (a system:masters certificate) and for each token user."""
from __future__ import annotations

import ssl
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cluster.replica import client_context
from tests.integration.conftest import Api, Replica, make_namespace, write_token_file

RBAC = "/apis/rbac.authorization.k8s.io/v1"
# token,user,uid,"groups"
USERS = {
    "alice": 'alice-token,alice,uid-alice,"devs"',
    "bob": "bob-token,bob,uid-bob",
    "carol": "carol-token,carol,uid-carol",
    "dave": "dave-token,dave,uid-dave",
    "robot": "robot-token,system:serviceaccount:apps:robot,uid-robot",
}


@dataclass
class RbacCluster:
    replica: Replica
    admin: Api
    users: dict[str, Api]

    async def close(self) -> None:
        await self.admin.close()
        for client in self.users.values():
            await client.close()


async def start_rbac_cluster(replica_factory, pki, directory: Path, *flags: str, prefix: str | None = None
                             ) -> RbacCluster:
    tokens = write_token_file(directory / "tokens.csv", list(USERS.values()))
    replica = replica_factory("--authorization-mode=RBAC", f"--token-auth-file={tokens}", *flags, prefix=prefix)
    plain = ssl.create_default_context(cafile=str(pki.ca_cert))
    users = {name: Api(replica.url, plain, {"Authorization": f"Bearer {row.split(',')[0]}"})
             for name, row in USERS.items()}
    return RbacCluster(replica, Api(replica.url, client_context(pki)), users)


def rule(verbs: list[str], groups: list[str] | None = None, resources: list[str] | None = None,
         names: list[str] | None = None, urls: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"verbs": verbs}
    if groups is not None:
        out["apiGroups"] = groups
    if resources is not None:
        out["resources"] = resources
    if names is not None:
        out["resourceNames"] = names
    if urls is not None:
        out["nonResourceURLs"] = urls
    return out


def role(name: str, rules: list[dict], namespace: str | None = None, labels: dict | None = None) -> dict:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole" if namespace is None else "Role",
            "metadata": meta, "rules": rules}


def binding(name: str, role_kind: str, role_name: str, subjects: list[dict], namespace: str | None = None) -> dict:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding" if namespace is None else "RoleBinding", "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
            "subjects": subjects}


def user(name: str) -> dict:
    return {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": name}


async def create(api: Api, path: str, body: dict) -> dict:
    status, out = await api.post(path, body)
    assert status == 201, out
    return out


async def status_of(api: Api, method: str, path: str, body: Any = None) -> int:
    status, _ = await api.request(method, path, body)
    return status


async def new_namespace(cluster: RbacCluster) -> str:
    name = f"r-{uuid.uuid4().hex[:8]}"
    await make_namespace(cluster.admin, name)
    return name


async def grant(cluster: RbacCluster, ns: str, subject: dict, rules: list[dict]) -> str:
    """A Role with `rules` bound to `subject` in `ns`, created by the administrator; its name."""
    name = f"g-{uuid.uuid4().hex[:6]}"
    await create(cluster.admin, f"{RBAC}/namespaces/{ns}/roles", role(name, rules, ns))
    await create(cluster.admin, f"{RBAC}/namespaces/{ns}/rolebindings", binding(name, "Role", name, [subject], ns))
    return name
