"""HA failover with real processes: 3 replicas behind the real load balancer, killed with signals under load."""
from __future__ import annotations

import asyncio
import signal
import time
import uuid
from dataclasses import dataclass, field

import aiohttp
import pytest

from apiserver.storage.etcd_client import EtcdClient, EtcdClientConfig
from apiserver.storage.keys import prefix_end
from cluster.loadbalancer import LoadBalancerSpec, start_load_balancer, wait_serving
from cluster.replica import client_context, free_port, stop_process
from tests.integration.conftest import Api, configmap, make_namespace
from tests.polling import eventually

REPLICA_FLAGS = ("--shutdown-delay-duration=2s", "--endpoint-lease-ttl=3s", "--etcd-compaction-interval=0")


@dataclass
class HACluster:
    replicas: list
    lb_spec: LoadBalancerSpec
    lb_process: object
    prefix: str
    etcd: object

    @property
    def url(self) -> str:
        return self.lb_spec.url

    async def backends(self) -> list[dict]:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{self.lb_spec.admin_port}/backends") as resp:
                return await resp.json()


@pytest.fixture
def ha_factory(replica_factory, pki, tmp_path, etcd_cluster):
    started = []

    def make(etcd=None) -> HACluster:
        etcd = etcd or etcd_cluster
        prefix = f"/registry-{uuid.uuid4().hex[:8]}"
        replicas = [replica_factory(*REPLICA_FLAGS, prefix=prefix, etcd_servers=etcd.servers_flag)
                    for _ in range(3)]
        spec = LoadBalancerSpec(pki=pki, port=free_port(), admin_port=free_port(),
                                backends=[r.spec.port for r in replicas], log_file=tmp_path / "lb.log")
        process = start_load_balancer(spec)
        started.append((process, replicas))
        wait_serving(spec, process)
        return HACluster(replicas, spec, process, prefix, etcd)

    yield make
    for process, replicas in started:
        stop_process(process.pid)
        for replica in replicas:
            replica.stop()


@dataclass
class LoadLoop:
    """Writers and readers through the balancer; records what was acknowledged and when requests failed."""
    api: Api
    namespace: str
    acknowledged: dict[str, str] = field(default_factory=dict)
    failures: list[tuple[float, str]] = field(default_factory=list)
    successes: list[float] = field(default_factory=list)
    running: bool = True
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:4])

    async def writer(self, worker: int) -> None:
        i = 0
        while self.running:
            name = f"{self.tag}-w{worker}-{i}"
            i += 1
            try:
                status, body = await self.api.post(f"/api/v1/namespaces/{self.namespace}/configmaps",
                                                   configmap(name))
            except (TimeoutError, aiohttp.ClientError) as exc:
                self.failures.append((time.monotonic(), f"POST {name}: {type(exc).__name__} {exc}"))
                continue
            if status == 201:
                self.acknowledged[name] = body["metadata"]["uid"]
                self.successes.append(time.monotonic())
            else:
                self.failures.append((time.monotonic(), f"POST {name}: {status} {body}"))

    async def reader(self) -> None:
        while self.running:
            try:
                status, body = await self.api.get(f"/api/v1/namespaces/{self.namespace}/configmaps",
                                                  params={"limit": "5"})
            except (TimeoutError, aiohttp.ClientError) as exc:
                self.failures.append((time.monotonic(), f"LIST: {type(exc).__name__} {exc}"))
                continue
            if status != 200:
                self.failures.append((time.monotonic(), f"LIST: {status}"))
            else:
                self.successes.append(time.monotonic())

    def start(self, writers: int = 4, readers: int = 2) -> list[asyncio.Task]:
        return [asyncio.create_task(self.writer(w)) for w in range(writers)] + \
               [asyncio.create_task(self.reader()) for _ in range(readers)]

    async def stop(self, tasks: list[asyncio.Task]) -> None:
        self.running = False
        await asyncio.gather(*tasks)

    async def assert_nothing_lost(self, api: Api) -> None:
        status, body = await api.get(f"/api/v1/namespaces/{self.namespace}/configmaps")
        assert status == 200
        stored = {i["metadata"]["name"]: i["metadata"]["uid"] for i in body["items"]}
        missing = {n for n, uid in self.acknowledged.items() if stored.get(n) != uid}
        assert not missing, f"acknowledged writes lost: {sorted(missing)[:10]}"


def _backend_of(replica) -> str:
    return f"127.0.0.1:{replica.spec.port}"


async def test_kill_9_replica_under_load_loses_nothing(ha_factory, pki):
    ha = ha_factory()
    api = Api(ha.url, client_context(pki))
    try:
        ns = f"ha-{uuid.uuid4().hex[:6]}"
        await make_namespace(api, ns)
        loop = LoadLoop(api, ns)
        tasks = loop.start()
        await asyncio.sleep(2)
        victim = ha.replicas[1]
        killed_at = time.monotonic()
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        await asyncio.sleep(4)
        late = [f for t, f in loop.failures if t > killed_at + 1.0]
        assert not late, f"requests still failing more than 1 s after the kill: {late[:5]}"
        assert [s for s in loop.successes if s > killed_at + 1.0], "traffic continued after the kill"

        # the lease endpoints drop the dead replica within its 3 s lease TTL (+ the reconcile)
        async def endpoint_dropped() -> bool:
            status, ep = await api.get("/api/v1/namespaces/default/endpoints/kubernetes")
            ports = {s["ports"][0]["port"] for s in ep["subsets"]}
            return victim.spec.port not in ports and len(ports) == 2

        await eventually(endpoint_dropped)
        assert time.monotonic() - killed_at <= 3 + 2

        # restarted, it rejoins: cache synced (ready), endpoints back, the balancer sends it traffic
        from cluster.replica import start_replica, wait_ready
        victim.process = start_replica(victim.spec)
        wait_ready(victim.url, pki, victim.process, log_file=victim.spec.log_file)
        async def victim_serving() -> bool:
            backend = next(b for b in await ha.backends() if b["address"] == _backend_of(victim))
            assert backend["state"] == "up" and backend["total_connections"] > 0, backend
            return True

        await eventually(victim_serving, interval=0.2)
        await loop.stop(tasks)
        await loop.assert_nothing_lost(api)
        assert len(loop.acknowledged) > 50
    finally:
        await api.close()


async def test_sigterm_under_load_fails_no_request(ha_factory, pki):
    ha = ha_factory()
    api = Api(ha.url, client_context(pki))
    try:
        ns = f"drain-{uuid.uuid4().hex[:6]}"
        await make_namespace(api, ns)
        loop = LoadLoop(api, ns)
        tasks = loop.start()
        await asyncio.sleep(1.5)
        victim = ha.replicas[0]
        victim.process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(victim.process.wait, 20)
        await asyncio.sleep(1)
        await loop.stop(tasks)
        assert not loop.failures, loop.failures[:5]
        await loop.assert_nothing_lost(api)
    finally:
        await api.close()


async def test_watch_through_the_balancer_survives_its_replica(ha_factory, pki, etcd_cluster):
    ha = ha_factory()
    api = Api(ha.url, client_context(pki))
    watcher = Api(ha.url, client_context(pki))
    try:
        ns = f"hw-{uuid.uuid4().hex[:6]}"
        await make_namespace(api, ns)
        _, first = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("start"))
        start_rv = first["metadata"]["resourceVersion"]
        await api.close()   # only the watch holds a connection: the balancer shows which replica serves it
        api = Api(ha.url, client_context(pki))
        seen: list[tuple[str, str, str]] = []
        last_rv = start_rv
        breaks = 0
        done = asyncio.Event()

        async def watch_forever():
            nonlocal last_rv, breaks
            while not done.is_set():
                try:
                    async for event in watcher.stream(f"/api/v1/namespaces/{ns}/configmaps",
                                                      {"resourceVersion": last_rv, "allowWatchBookmarks": "true"}):
                        rv = event["object"]["metadata"]["resourceVersion"]
                        if event["type"] != "BOOKMARK":
                            seen.append((event["type"], event["object"]["metadata"]["name"], rv))
                        last_rv = rv
                except (TimeoutError, aiohttp.ClientError, AssertionError):
                    pass
                breaks += 1
                await asyncio.sleep(0.05)

        watch_task = asyncio.create_task(watch_forever())

        async def watch_connected() -> list[dict]:
            return [b for b in await ha.backends() if b["active_connections"] > 0]

        active = await eventually(watch_connected)
        assert len(active) == 1, active
        victim = next(r for r in ha.replicas if _backend_of(r) == active[0]["address"])

        async def write(i: int) -> None:
            for _ in range(20):
                try:
                    status, _ = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap(f"e{i}"))
                    if status in (201, 409):
                        return
                except (TimeoutError, aiohttp.ClientError):
                    pass
                await asyncio.sleep(0.1)

        for i in range(20):
            await write(i)
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        for i in range(20, 40):
            await write(i)
            await api.delete(f"/api/v1/namespaces/{ns}/configmaps/e{i - 20}")

        # the full history of the collection, read from etcd itself
        client = EtcdClient(EtcdClientConfig(endpoints=etcd_cluster.client_urls, ca_file=str(pki.etcd_ca_cert),
                                             cert_file=str(pki.etcd_client_cert), key_file=str(pki.etcd_client_key)))
        await client.connect()
        key = f"{ha.prefix}/configmaps/{ns}/".encode()
        history: list[tuple[str, str, str]] = []
        current = await client.current_revision()
        async for response in client.watch(key, prefix_end(key), start_revision=int(start_rv) + 1):
            for ev in response.events:
                name = ev.kv.key.decode().rsplit("/", 1)[1]
                kind = "DELETED" if ev.type == "DELETE" else ("ADDED" if ev.kv.version == 1 else "MODIFIED")
                history.append((kind, name, str(ev.kv.mod_revision)))
            if (response.events and response.events[-1].kv.mod_revision >= current) or \
                    (response.progress_notify and response.revision >= current):
                break
        await client.close()

        async def seen_everything() -> bool:
            assert seen == history
            return True

        try:
            await eventually(seen_everything, timeout=15)
        finally:
            done.set()
            watch_task.cancel()
        assert breaks >= 1, "the watch must have been cut by the kill"
    finally:
        await api.close()
        await watcher.close()


async def test_etcd_member_loss(ha_factory, etcd_cluster_factory, pki):
    etcd = etcd_cluster_factory(members=3)
    ha = ha_factory(etcd)
    api = Api(ha.url, client_context(pki))
    try:
        ns = f"etcd-{uuid.uuid4().hex[:6]}"
        await make_namespace(api, ns)
        loop = LoadLoop(api, ns)
        tasks = loop.start(writers=2, readers=1)
        await asyncio.sleep(1)
        follower = next(i for i in range(3) if i != etcd.leader_index())
        etcd.kill_member(follower)
        await asyncio.sleep(3)
        await loop.stop(tasks)
        assert not loop.failures, loop.failures[:5]

        # two members down: no quorum. Requests fail fast with a 5xx Status, /readyz turns false
        second = next(i for i in range(3) if i != follower and i != etcd.leader_index())
        etcd.kill_member(second)
        started = time.monotonic()
        status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("no-quorum"))
        assert status >= 500 and body["kind"] == "Status", body
        assert time.monotonic() - started < 15, "must fail, not hang"
        async def unready() -> bool:
            direct = Api(ha.replicas[0].url, client_context(pki))
            try:
                return (await direct.get("/readyz"))[0] != 200
            finally:
                await direct.close()

        await eventually(unready, timeout=10, interval=0.3, what="/readyz false without quorum")

        etcd.start_member(follower)
        etcd.start_member(second)
        loop2 = LoadLoop(api, ns)

        async def writes_again() -> bool:
            status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps",
                                          configmap(f"back-{uuid.uuid4().hex[:4]}"))
            assert status == 201, body
            return True

        await eventually(writes_again, interval=0.3)
        tasks = loop2.start(writers=2, readers=1)
        await asyncio.sleep(1)
        await loop2.stop(tasks)
        assert not loop2.failures, loop2.failures[:5]
        await loop.assert_nothing_lost(api)
        await loop2.assert_nothing_lost(api)
    finally:
        await api.close()
