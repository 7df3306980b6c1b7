"""Fixtures that run real API server processes against the real etcd cluster of tests/conftest.py."""
from __future__ import annotations

import ssl
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
import pytest

from cluster.replica import (
    ReplicaSpec,
    client_context,
    free_port,
    start_replica,
    stop_process,
    wait_ready,
)
from tests.polling import eventually

if TYPE_CHECKING:
    from tests.integration.rbac_tools import RbacCluster


class Replica:
    def __init__(self, spec: ReplicaSpec, process, prefix: str) -> None:
        self.spec = spec
        self.process = process
        self.prefix = prefix

    @property
    def url(self) -> str:
        return self.spec.url

    def stop(self) -> None:
        if self.process.poll() is None:
            stop_process(self.process.pid)
        self.process.wait(timeout=10)


class ReplicaFactory:
    """Starts API server processes; each gets its own --etcd-prefix unless one is given."""

    # a replica is ready once it has seen the default RBAC policy; on a busy machine the writes of it alone can
    # take more than half a minute
    READY_TIMEOUT = 90.0

    def __init__(self, pki, etcd_cluster, logs: Path) -> None:
        self.pki = pki
        self.etcd_cluster = etcd_cluster
        self.logs = logs
        self.started: list[Replica] = []

    def __call__(self, *flags: str, prefix: str | None = None, etcd_servers: str | None = None,
                 port: int | None = None, wait: bool = True) -> Replica:
        prefix = prefix or f"/registry-{uuid.uuid4().hex[:8]}"
        spec = ReplicaSpec(pki=self.pki, etcd_servers=etcd_servers or self.etcd_cluster.servers_flag,
                           port=port or free_port(), log_file=self.logs / f"apiserver-{len(self.started)}.log",
                           extra_flags=[f"--etcd-prefix={prefix}", *flags])
        process = start_replica(spec)
        replica = Replica(spec, process, prefix)
        self.started.append(replica)
        if wait:
            wait_ready(spec.url, self.pki, process, timeout=self.READY_TIMEOUT, log_file=spec.log_file)
        return replica


@pytest.fixture(scope="session")
def replica_factory(pki, etcd_cluster, tmp_path_factory) -> Iterator[ReplicaFactory]:
    factory = ReplicaFactory(pki, etcd_cluster, tmp_path_factory.mktemp("apiserver-logs"))
    yield factory
    for replica in factory.started:
        replica.stop()


@pytest.fixture(autouse=True)
def stop_the_tests_replicas(request: pytest.FixtureRequest) -> Iterator[None]:
    """Stops the replicas a test started when it ends (those of session and module fixtures are started before
    and stay). Each replica left running keeps renewing leases and following its watches: dozens of them slowed
    the later tests of a run past their timeouts."""
    if "replica_factory" not in request.fixturenames:
        yield
        return
    factory: ReplicaFactory = request.getfixturevalue("replica_factory")
    first = len(factory.started)
    yield
    for replica in factory.started[first:]:
        replica.stop()


@pytest.fixture(scope="session")
def apiserver(replica_factory) -> Replica:
    """The shared replica most tests talk to."""
    return replica_factory("--default-watch-cache-size=50")


class Api:
    """A small HTTP client for the tests: JSON in, (status, JSON) out, and watches as event lists."""

    def __init__(self, url: str, context: ssl.SSLContext | bool, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.context = context
        self.headers = headers or {}
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context))

    async def close(self) -> None:
        await self.session.close()

    async def request(self, method: str, path: str, body: Any = None, *, params: dict | None = None,
                      headers: dict[str, str] | None = None, data: bytes | None = None) -> tuple[int, Any]:
        hdrs = {**self.headers, **(headers or {})}
        if body is not None:
            data = orjson.dumps(body)
            hdrs.setdefault("Content-Type", "application/json")
        # with no Content-Type given, send none at all (aiohttp would add application/octet-stream)
        skip = () if "Content-Type" in hdrs else ("Content-Type",)
        async with self.session.request(method, self.url + path, data=data, params=params, headers=hdrs,
                                        skip_auto_headers=skip) as resp:
            raw = await resp.read()
            try:
                return resp.status, orjson.loads(raw) if raw else None
            except orjson.JSONDecodeError:
                return resp.status, raw.decode(errors="replace")

    async def get(self, path: str, **kw) -> tuple[int, Any]:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, body: Any, **kw) -> tuple[int, Any]:
        return await self.request("POST", path, body, **kw)

    async def put(self, path: str, body: Any, **kw) -> tuple[int, Any]:
        return await self.request("PUT", path, body, **kw)

    async def delete(self, path: str, body: Any = None, **kw) -> tuple[int, Any]:
        return await self.request("DELETE", path, body, **kw)

    async def watch(self, path: str, params: dict, until: Callable[[list[dict]], bool] | None = None,
                    timeout: float = 15.0) -> list[dict]:
        """Collects events until `until(events)` is true or the server ends the stream."""
        events: list[dict] = []
        params = {**params, "watch": "true"}
        async with self.session.get(self.url + path, params=params, headers=self.headers,
                                    timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            assert resp.status == 200, await resp.text()
            async for line in resp.content:
                if line.strip():
                    events.append(orjson.loads(line))
                    if until and until(events):
                        break
        return events

    async def stream(self, path: str, params: dict, timeout: float = 60.0) -> AsyncIterator[dict]:
        async with self.session.get(self.url + path, params={**params, "watch": "true"}, headers=self.headers,
                                    timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            assert resp.status == 200, await resp.text()
            async for line in resp.content:
                if line.strip():
                    yield orjson.loads(line)


@pytest.fixture
async def api(apiserver, pki) -> AsyncIterator[Api]:
    client = Api(apiserver.url, client_context(pki))
    yield client
    await client.close()


@pytest.fixture
async def client(pki):
    """client(replica) -> an Api for that replica, closed after the test."""
    clients: list[Api] = []

    def make(replica) -> Api:
        clients.append(Api(replica.url, client_context(pki)))
        return clients[-1]

    yield make
    for c in clients:
        await c.close()


@pytest.fixture
def new_ns() -> Callable[[], str]:
    return lambda: f"t-{uuid.uuid4().hex[:10]}"


async def make_namespace(api: Api, name: str) -> None:
    status, body = await api.post("/api/v1/namespaces", {"metadata": {"name": name}})
    assert status == 201, body


# every namespace's CA bundle, published by the root CA publisher as kube-controller-manager does
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"


async def root_ca_published(api: Api, namespace: str) -> None:
    """Waits for the namespace's kube-root-ca.crt, so that a test listing or watching the namespace's ConfigMaps
    sees it there from the start instead of arriving at a moment of its own."""
    async def published() -> bool:
        status, _ = await api.get(f"/api/v1/namespaces/{namespace}/configmaps/{ROOT_CA_CONFIGMAP}")
        return status == 200

    await eventually(published)


def configmap(name: str, data: dict | None = None, labels: dict | None = None) -> dict:
    meta: dict[str, Any] = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data or {"k": "v"}}


def write_token_file(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n")
    return path


def process_stopped(pid: int) -> bool:
    """Whether every thread of process `pid` is stopped. kill(SIGSTOP) returns before that: it wakes one thread
    to stop the others, and on a busy machine the rest of the process can go on answering for a while."""
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            continue   # a thread that has just exited
        if state not in ("T", "t"):
            return False
    return True


@pytest.fixture(scope="module")
async def cluster(replica_factory, pki, tmp_path_factory) -> AsyncIterator[RbacCluster]:
    """The RBAC replica of the requesting module (tests/integration/rbac_tools.py), one per module."""
    # a module-level import would be circular: rbac_tools builds on this module
    from tests.integration.rbac_tools import start_rbac_cluster
    c = await start_rbac_cluster(replica_factory, pki, tmp_path_factory.mktemp("rbac"))
    yield c
    await c.close()
    c.replica.stop()


@pytest.fixture
async def ns(cluster: RbacCluster) -> str:
    """A new namespace, made by the administrator of the module's RBAC replica."""
    from tests.integration.rbac_tools import new_namespace
    return await new_namespace(cluster)
