"""Replicas coordinate only through etcd: identity leases, the kubernetes endpoints, leader election,
compaction, and each replica's watch cache following the others' writes."""
from __future__ import annotations

import asyncio
import base64
import json
import signal
import time
import uuid

from cluster.replica import client_context
from tests.integration.conftest import Api, configmap, make_namespace, root_ca_published
from tests.integration.etcd_tools import etcdctl
from tests.polling import eventually

FAST = ("--endpoint-lease-ttl=3s", "--identity-lease-duration-seconds=4",
        "--identity-lease-renew-interval-seconds=1", "--leader-elect-lease-duration=3s",
        "--leader-elect-renew-deadline=2s", "--leader-elect-retry-period=500ms")


def _ports(endpoints: dict) -> set[int]:
    return {s["ports"][0]["port"] for s in endpoints.get("subsets") or []}


async def test_endpoints_leases_and_leader_follow_live_replicas(replica_factory, pki):
    prefix = f"/registry-{uuid.uuid4().hex[:8]}"
    replicas = [replica_factory(*FAST, "--etcd-compaction-interval=0", prefix=prefix) for _ in range(2)]
    api = Api(replicas[0].url, client_context(pki))
    try:
        ports = {r.spec.port for r in replicas}

        async def endpoints_are(expected):
            status, body = await api.get("/api/v1/namespaces/default/endpoints/kubernetes")
            return status == 200 and _ports(body) == expected and body

        endpoints = await eventually(lambda: endpoints_are(ports), what="an endpoint per replica")
        assert all(s["addresses"] == [{"ip": "127.0.0.1"}] for s in endpoints["subsets"])

        async def slices_are(expected: set[int]) -> bool:
            # written after the Endpoints, so a moment behind them
            status, slices = await api.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
                                           params={"labelSelector": "kubernetes.io/service-name=kubernetes"})
            return status == 200 and {s["ports"][0]["port"] for s in slices["items"]} == expected

        await eventually(lambda: slices_are(ports), what="an endpoint slice port per replica")
        status, service = await api.get("/api/v1/namespaces/default/services/kubernetes")
        assert status == 200 and service["spec"]["ports"][0]["port"] == 443

        async def identity_leases():
            status, body = await api.get("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases",
                                         params={"labelSelector": "apiserver.kubernetes.io/identity=kube-apiserver"})
            assert status == 200, body
            return {i["metadata"]["name"] for i in body["items"]}

        names = await eventually(lambda: _count(identity_leases, 2), what="two identity leases")

        async def leader():
            status, body = await api.get("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/"
                                         "kube-apiserver-leader")
            return status == 200 and body["spec"].get("holderIdentity") and body
        first = await eventually(leader)
        assert first["spec"]["holderIdentity"] in names
        assert first["spec"]["leaseDurationSeconds"] == 3

        # SIGKILL the leader: its endpoint, identity lease and leadership all go to the survivor
        holder = first["spec"]["holderIdentity"]
        victim = next(r for r in replicas if holder.endswith(_identity_of(r)))
        survivor = next(r for r in replicas if r is not victim)
        await api.close()
        api = Api(survivor.url, client_context(pki))
        killed_at = time.monotonic()
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        await eventually(lambda: endpoints_are({survivor.spec.port}), timeout=10, what="only the survivor's endpoint")
        assert time.monotonic() - killed_at <= 3 + 2, "endpoint must drop within its lease TTL (+ reconcile)"

        async def new_leader():
            body = await leader()
            return body and body["spec"]["holderIdentity"] != holder and body
        moved = await eventually(new_leader, timeout=10)
        assert time.monotonic() - killed_at <= 3 + 2
        assert moved["spec"]["leaseTransitions"] == first["spec"]["leaseTransitions"] + 1
        remaining = await eventually(lambda: _count(identity_leases, 1), timeout=15, what="one identity lease")
        assert holder in remaining or len(remaining) == 1
    finally:
        await api.close()
        for r in replicas:
            r.stop()


async def _count(fetch, n):
    got = await fetch()
    return got if len(got) == n else None


def _identity_of(replica) -> str:
    from apiserver.controllers.manager import replica_identity
    from apiserver.options.flags import parse_flags
    return replica_identity(parse_flags(replica.spec.command()[3:]))


async def test_sigterm_hands_over_at_once(replica_factory, pki):
    prefix = f"/registry-{uuid.uuid4().hex[:8]}"
    slow = ("--endpoint-lease-ttl=60s", "--leader-elect-lease-duration=60s", "--leader-elect-renew-deadline=40s",
            "--leader-elect-retry-period=500ms", "--etcd-compaction-interval=0", "--shutdown-delay-duration=1s")
    a = replica_factory(*slow, prefix=prefix)
    b = replica_factory(*slow, prefix=prefix)
    api = Api(b.url, client_context(pki))
    try:
        async def both():
            status, body = await api.get("/api/v1/namespaces/default/endpoints/kubernetes")
            return status == 200 and len(_ports(body)) == 2
        await eventually(both)
        a.process.send_signal(signal.SIGTERM)
        assert a.process.wait(timeout=15) == 0
        # far sooner than the 60s TTL: the stopping replica removed itself
        async def only_b():
            status, body = await api.get("/api/v1/namespaces/default/endpoints/kubernetes")
            return _ports(body) == {b.spec.port}
        await eventually(only_b, timeout=5)
    finally:
        await api.close()
        a.stop()
        b.stop()


async def test_write_on_one_replica_is_seen_in_order_by_a_watch_on_another(replica_factory, pki):
    prefix = f"/registry-{uuid.uuid4().hex[:8]}"
    a, b = (replica_factory(prefix=prefix) for _ in range(2))
    writer, reader = Api(a.url, client_context(pki)), Api(b.url, client_context(pki))
    try:
        ns = "cross"
        await make_namespace(writer, ns)
        # its kube-root-ca.crt first, so that the watch sees only the test's writes
        await root_ca_published(writer, ns)
        _, start = await writer.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("c0"))
        watch = asyncio.create_task(reader.watch(f"/api/v1/namespaces/{ns}/configmaps",
                                                 {"resourceVersion": start["metadata"]["resourceVersion"]},
                                                 until=lambda ev: len(ev) == 20))
        written = []
        for i in range(1, 21):
            _, obj = await writer.post(f"/api/v1/namespaces/{ns}/configmaps", configmap(f"c{i}"))
            written.append((obj["metadata"]["name"], obj["metadata"]["resourceVersion"]))
        events = await asyncio.wait_for(watch, 20)
        seen = [(e["object"]["metadata"]["name"], e["object"]["metadata"]["resourceVersion"]) for e in events]
        assert seen == written
    finally:
        await writer.close()
        await reader.close()
        a.stop()
        b.stop()


async def test_compaction_runs_once_per_interval_and_moves_with_the_leader(replica_factory, etcd_cluster_factory,
                                                                         pki):
    etcd = etcd_cluster_factory(members=1)
    flags = (*FAST, "--etcd-compaction-interval=1s")
    replicas = [replica_factory(*flags, etcd_servers=etcd.servers_flag) for _ in range(2)]
    api = Api(replicas[0].url, client_context(pki))

    def compact_key() -> tuple[int, int]:
        kvs = json.loads(etcdctl(etcd, pki, "get", "compact_rev_key", "-w", "json")).get("kvs") or []
        return (kvs[0]["version"], int(base64.b64decode(kvs[0]["value"]))) if kvs else (0, 0)

    try:
        await make_namespace(api, "compaction")
        # counted from here: the leader has been recording since it started, however long the replicas took
        before, started = compact_key()[0], time.monotonic()
        for i in range(30):
            await api.post("/api/v1/namespaces/compaction/configmaps", configmap(f"c{i}"))
            await asyncio.sleep(0.1)
        version, recorded = compact_key()
        elapsed = time.monotonic() - started
        assert version >= 2, "the leader records a revision every interval"
        assert version - before <= elapsed / 1.0 + 3, \
            f"never twice per interval: {version - before} records in {elapsed:.1f}s"
        status, body = await api.get("/api/v1/namespaces/compaction/configmaps",
                                     params={"resourceVersion": "2", "resourceVersionMatch": "Exact"})
        assert status == 410, "history before the recorded revisions was compacted"

        status, lease = await api.get("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/"
                                      "kube-apiserver-leader")
        holder = lease["spec"]["holderIdentity"]
        victim = next(r for r in replicas if holder.endswith(_identity_of(r)))
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        killed_at = time.monotonic()
        before = compact_key()[0]

        async def compacting_again():
            return compact_key()[0] > before + 1
        await eventually(compacting_again, timeout=10)
        # one lease duration (3s) to take over, then one interval to record and one to compact
        assert time.monotonic() - killed_at <= 3 + 2 + 1.5
    finally:
        await api.close()
        for r in replicas:
            r.stop()


async def test_garbage_collector_and_namespace_controller_move_with_leadership(replica_factory, pki):
    """Deletions started under one leader finish under the next after a SIGKILL."""
    prefix = f"/registry-{uuid.uuid4().hex[:8]}"
    replicas = [replica_factory(*FAST, "--etcd-compaction-interval=0", prefix=prefix) for _ in range(2)]
    api = Api(replicas[0].url, client_context(pki))
    try:
        await make_namespace(api, "gc")
        _, owner = await api.post("/api/v1/namespaces/gc/configmaps", configmap("owner"))
        held = configmap("held")
        held["metadata"]["finalizers"] = ["example.com/hold"]
        held["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                                                "uid": owner["metadata"]["uid"], "blockOwnerDeletion": True}]
        await api.post("/api/v1/namespaces/gc/configmaps", held)
        status, _ = await api.delete("/api/v1/namespaces/gc/configmaps/owner",
                                     {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"})
        assert status == 200

        async def leader():
            status, body = await api.get("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/"
                                         "kube-apiserver-leader")
            return status == 200 and body["spec"].get("holderIdentity")
        holder = await eventually(leader)
        victim = next(r for r in replicas if holder.endswith(_identity_of(r)))
        survivor = next(r for r in replicas if r is not victim)
        await api.close()
        api = Api(survivor.url, client_context(pki))
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()

        # the foreground deletion waits on the held dependent; releasing it lets the new leader finish
        status, body = await api.request("PATCH", "/api/v1/namespaces/gc/configmaps/held",
                                         [{"op": "remove", "path": "/metadata/finalizers"}],
                                         headers={"Content-Type": "application/json-patch+json"})
        assert status == 200

        async def gone(path):
            status, _ = await api.get(path)
            return status == 404
        await eventually(lambda: gone("/api/v1/namespaces/gc/configmaps/owner"), timeout=15, what="owner deleted")
        await api.post("/api/v1/namespaces/gc/configmaps", configmap("content"))
        status, _ = await api.delete("/api/v1/namespaces/gc")
        assert status == 200
        await eventually(lambda: gone("/api/v1/namespaces/gc"), timeout=15, what="namespace gc deleted")
    finally:
        await api.close()
        for r in replicas:
            r.stop()
