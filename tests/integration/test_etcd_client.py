"""The project's etcd client against real mTLS etcd clusters (tests/conftest.py), plus fault injection where a
real failure cannot be timed precisely (a write that commits but whose answer is lost, a watch stream that
breaks right after a given response)."""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import logging
import signal
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from aetcd.rpc import kv_pb2, rpc_pb2
from grpc import aio

from apiserver.storage.etcd_client import (
    KEEPALIVE_TIME_MS,
    MAX_RECEIVE_MESSAGE_BYTES,
    CompactedError,
    EtcdClient,
    EtcdClientConfig,
    EtcdError,
    EtcdTimeoutError,
    KeyValue,
    UnavailableError,
    WatchEvent,
    WatchResponse,
    channel_options,
    channel_target,
    map_rpc_error,
    parse_endpoints,
    resolve_addresses,
)
from certs.pki import PkiPaths, issue_untrusted_client_cert
from etcd.launcher import EtcdCluster
from tests.integration.conftest import process_stopped
from tests.polling import eventually


def client_config(cluster: EtcdCluster, pki: PkiPaths, **overrides: Any) -> EtcdClientConfig:
    settings: dict[str, Any] = {"endpoints": list(cluster.client_urls), "ca_file": str(pki.etcd_ca_cert),
                                "cert_file": str(pki.etcd_client_cert), "key_file": str(pki.etcd_client_key),
                                **overrides}
    return EtcdClientConfig(**settings)


async def connected(config: EtcdClientConfig) -> EtcdClient:
    client = EtcdClient(config)
    await client.connect()
    return client


@pytest.fixture
async def client(etcd_cluster: EtcdCluster, pki: PkiPaths) -> AsyncIterator[EtcdClient]:
    c = await connected(client_config(etcd_cluster, pki))
    yield c
    await c.close()


@pytest.fixture
def prefix() -> bytes:
    return f"/etcd-client-test/{uuid.uuid4().hex[:10]}/".encode()


def prefix_end(prefix: bytes) -> bytes:
    return prefix[:-1] + bytes([prefix[-1] + 1])


def rpc_error(code: grpc.StatusCode, details: str) -> aio.AioRpcError:
    return aio.AioRpcError(code, aio.Metadata(), aio.Metadata(), details=details)


async def collect(stream: AsyncIterator[WatchResponse], events: int, timeout: float = 10.0) -> list[WatchEvent]:
    """The first `events` events of the stream (progress notifications skipped)."""
    seen: list[WatchEvent] = []

    async def run() -> None:
        async for response in stream:
            seen.extend(response.events)
            if len(seen) >= events:
                return

    await asyncio.wait_for(run(), timeout)
    return seen


# --- channel set-up ----------------------------------------------------------------------------------------

def test_one_channel_balances_over_every_endpoint() -> None:
    tls, hostports = parse_endpoints(["https://127.0.0.1:1", "https://127.0.0.1:2", "https://10.0.0.3"])
    assert tls and hostports == [("127.0.0.1", 1), ("127.0.0.1", 2), ("10.0.0.3", 2379)]
    addresses = [(ipaddress.ip_address(host), port) for host, port in hostports]
    assert channel_target(addresses) == "ipv4:127.0.0.1:1,127.0.0.1:2,10.0.0.3:2379"
    assert channel_target([(ipaddress.ip_address("::1"), 5)]) == "ipv6:[::1]:5"
    assert parse_endpoints(["http://127.0.0.1:1"])[0] is False


def test_channel_options() -> None:
    options = dict(channel_options(EtcdClientConfig(["https://127.0.0.1:1"], tls_server_name="etcd.local"), True))
    assert options["grpc.lb_policy_name"] == "round_robin"
    assert options["grpc.ssl_target_name_override"] == "etcd.local"
    assert options["grpc.max_receive_message_length"] == MAX_RECEIVE_MESSAGE_BYTES == 64 * 1024 * 1024
    assert options["grpc.initial_reconnect_backoff_ms"] == options["grpc.min_reconnect_backoff_ms"] == 100
    assert options["grpc.max_reconnect_backoff_ms"] == 1000
    assert options["grpc.keepalive_time_ms"] == KEEPALIVE_TIME_MS >= 5000
    plain = dict(channel_options(EtcdClientConfig(["http://127.0.0.1:1"]), False))
    assert "grpc.ssl_target_name_override" not in plain


@pytest.mark.parametrize("endpoints", [[], ["127.0.0.1:2379"], ["unix:///x"], ["http://a:1", "https://b:1"]])
def test_bad_endpoints_are_rejected(endpoints: list[str]) -> None:
    with pytest.raises(ValueError):
        EtcdClient(EtcdClientConfig(endpoints))


async def test_host_names_are_resolved_to_one_multi_address_target() -> None:
    addresses = await resolve_addresses([("localhost", 1), ("127.0.0.1", 2), ("localhost", 1)])
    assert addresses == [(ipaddress.ip_address("127.0.0.1"), 1), (ipaddress.ip_address("127.0.0.1"), 2)]


async def test_connects_by_host_name_over_several_members(etcd_cluster: EtcdCluster, pki: PkiPaths) -> None:
    urls = [url.replace("127.0.0.1", "localhost") for url in etcd_cluster.client_urls]
    c = await connected(client_config(etcd_cluster, pki, endpoints=urls))
    try:
        assert await c.current_revision() > 0
        assert await c.healthy()
    finally:
        await c.close()


async def test_plain_http_endpoint(tmp_path: Path) -> None:
    client_port, peer_port = free_ports(2)
    url = f"http://127.0.0.1:{client_port}"
    process = subprocess.Popen(
        ["etcd", "--name=plain", f"--data-dir={tmp_path / 'data'}", f"--listen-client-urls={url}",
         f"--advertise-client-urls={url}", f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
         f"--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}",
         f"--initial-cluster=plain=http://127.0.0.1:{peer_port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        c = await connected(EtcdClientConfig([url], dial_timeout=10))
        try:
            revision = await c.put(b"/plain", b"v")
            assert await c.get(b"/plain") == (KeyValue(b"/plain", b"v", revision, revision, 1), revision)
        finally:
            await c.close()
    finally:
        process.kill()
        process.wait()


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


async def test_client_without_certificate_cannot_connect(etcd_cluster: EtcdCluster, pki: PkiPaths) -> None:
    config = EtcdClientConfig(list(etcd_cluster.client_urls), ca_file=str(pki.etcd_ca_cert), dial_timeout=1.0)
    with pytest.raises(UnavailableError) as info:
        await EtcdClient(config).connect()
    assert etcd_cluster.client_urls[0] in str(info.value)


async def test_client_with_untrusted_certificate_cannot_connect(etcd_cluster: EtcdCluster, pki: PkiPaths,
                                                                tmp_path: Path) -> None:
    pair = issue_untrusted_client_cert(tmp_path, "intruder", "kube-apiserver-etcd-client")
    config = client_config(etcd_cluster, pki, cert_file=str(pair.cert), key_file=str(pair.key), dial_timeout=1.0)
    with pytest.raises(UnavailableError):
        await EtcdClient(config).connect()


async def test_unreachable_endpoints_fail_within_dial_timeout(pki: PkiPaths) -> None:
    config = EtcdClientConfig(["https://127.0.0.1:9", "https://127.0.0.1:11"], ca_file=str(pki.etcd_ca_cert),
                              cert_file=str(pki.etcd_client_cert), key_file=str(pki.etcd_client_key),
                              dial_timeout=0.5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(UnavailableError, match="127.0.0.1:9, https://127.0.0.1:11"):
        await EtcdClient(config).connect()
    assert loop.time() - started < 2.0


# --- error mapping and timeouts ----------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "details", "expected"), [
    (grpc.StatusCode.UNAVAILABLE, "etcdserver: request timed out", EtcdTimeoutError),
    (grpc.StatusCode.UNAVAILABLE, "etcdserver: request timed out, possibly due to previous leader failure",
     EtcdTimeoutError),
    (grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded", EtcdTimeoutError),
    (grpc.StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted", CompactedError),
    (grpc.StatusCode.UNAVAILABLE, "Stream removed", UnavailableError),
    (grpc.StatusCode.UNAVAILABLE, "etcdserver: no leader", UnavailableError),
    (grpc.StatusCode.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision", EtcdError),
    (grpc.StatusCode.INVALID_ARGUMENT, "etcdserver: key is not provided", EtcdError),
])
def test_error_mapping(code: grpc.StatusCode, details: str, expected: type[EtcdError]) -> None:
    assert type(map_rpc_error(rpc_error(code, details))) is expected


async def test_per_call_timeout(etcd_cluster_factory: Callable[..., EtcdCluster], pki: PkiPaths) -> None:
    cluster = etcd_cluster_factory(members=1)
    c = await connected(client_config(cluster, pki))
    loop = asyncio.get_running_loop()
    try:
        await asyncio.to_thread(cluster.kill_member, 0, signal.SIGSTOP)  # frozen: connected but silent
        await eventually(lambda: process_stopped(cluster.members[0].pid), what="etcd stopped")
        for call in (lambda: c.get(b"/k", timeout=0.5), lambda: c.put(b"/k", b"v", timeout=0.5),
                     lambda: c.create(b"/k", b"v", timeout=0.5)):
            started = loop.time()
            with pytest.raises(EtcdTimeoutError):
                await call()
            assert loop.time() - started < 1.5  # the create's confirming read has its own deadline
        assert not await c.healthy(timeout=0.5)
    finally:
        await asyncio.to_thread(cluster.kill_member, 0, signal.SIGCONT)
        await c.close()


async def test_future_revision_is_an_error(client: EtcdClient) -> None:
    with pytest.raises(EtcdError) as info:
        await client.get(b"x", revision=await client.current_revision() + 1000)
    assert not isinstance(info.value, (CompactedError, UnavailableError, EtcdTimeoutError))


# --- key-value operations ----------------------------------------------------------------------------------

async def test_create_update_delete_are_compare_and_swap(client: EtcdClient, prefix: bytes) -> None:
    key = prefix + b"k"
    created = await client.create(key, b"v1")
    assert created.succeeded and created.kv is None
    kv, revision = await client.get(key)
    assert kv == KeyValue(key, b"v1", created.revision, created.revision, 1)
    # the store's revision: the replicas of other tests write to this shared cluster at any time
    assert revision >= created.revision

    again = await client.create(key, b"other")
    assert not again.succeeded and again.kv == kv and again.revision >= created.revision

    stale = await client.update(key, b"v2", created.revision - 1)
    assert not stale.succeeded and stale.kv == kv
    updated = await client.update(key, b"v2", created.revision)
    assert updated.succeeded and updated.revision > created.revision
    kv2, _ = await client.get(key)
    assert kv2 == KeyValue(key, b"v2", created.revision, updated.revision, 2)

    assert (await client.delete(key, created.revision)).kv == kv2
    deleted = await client.delete(key, updated.revision)
    assert deleted.succeeded and deleted.kv == kv2 and deleted.revision > updated.revision
    kv, revision = await client.get(key)
    assert kv is None and revision >= deleted.revision

    gone = await client.delete(key, updated.revision)
    assert not gone.succeeded and gone.kv is None
    missing = await client.update(key, b"v3", updated.revision)
    assert not missing.succeeded and missing.kv is None
    assert (await client.delete(key, 0)).succeeded


async def test_unconditional_delete_and_plain_put(client: EtcdClient, prefix: bytes) -> None:
    key = prefix + b"p"
    first = await client.put(key, b"a")
    second = await client.put(key, b"b")
    assert second > first
    result = await client.delete(key, 0)
    assert result.succeeded and result.kv is not None and result.kv.value == b"b"


async def test_range_limit_more_and_revision(client: EtcdClient, prefix: bytes) -> None:
    revisions = [(await client.create(prefix + f"{i}".encode(), f"v{i}".encode())).revision for i in range(5)]
    end = prefix_end(prefix)

    page = await client.range(prefix, end, limit=2)
    assert [kv.key for kv in page.kvs] == [prefix + b"0", prefix + b"1"]
    assert page.more and page.count == 5 and page.revision >= revisions[-1]
    rest = await client.range(page.kvs[-1].key + b"\x00", end, revision=page.revision)
    assert [kv.value for kv in rest.kvs] == [b"v2", b"v3", b"v4"] and not rest.more

    past = await client.range(prefix, end, revision=revisions[2])
    assert [kv.value for kv in past.kvs] == [b"v0", b"v1", b"v2"] and past.count == 3

    keys = await client.range(prefix, end, keys_only=True)
    assert [kv.value for kv in keys.kvs] == [b""] * 5
    counted = await client.range(prefix, end, count_only=True)
    assert counted.kvs == [] and counted.count == 5
    stale_ok = await client.range(prefix, end, serializable=True)
    assert len(stale_ok.kvs) == 5

    assert await client.current_revision() >= revisions[-1]
    assert (await client.get(prefix + b"2", revision=revisions[1]))[0] is None
    assert (await client.get(prefix + b"2", revision=revisions[2]))[0] is not None


async def test_large_values_above_the_default_receive_limit(client: EtcdClient, prefix: bytes) -> None:
    value = b"x" * (1024 * 1024)
    for i in range(5):
        await client.put(prefix + f"{i}".encode(), value)
    result = await client.range(prefix, prefix_end(prefix))
    assert len(result.kvs) == 5 and all(kv.value == value for kv in result.kvs)


async def test_range_at_compacted_revision_raises(etcd_cluster_factory: Callable[..., EtcdCluster],
                                                  pki: PkiPaths) -> None:
    cluster = etcd_cluster_factory(members=1)
    c = await connected(client_config(cluster, pki))
    try:
        old = await c.put(b"/k", b"1")
        latest = await c.put(b"/k", b"2")
        await c.compact(latest)
        with pytest.raises(CompactedError):
            await c.range(b"/", b"0", revision=old)
        with pytest.raises(CompactedError):
            await c.get(b"/k", revision=old)
        assert (await c.get(b"/k", revision=latest))[0].value == b"2"
        with pytest.raises(CompactedError):
            await c.compact(old)
    finally:
        await c.close()


async def test_txn_escape_hatch(client: EtcdClient, prefix: bytes) -> None:
    key = prefix + b"lock"
    compare = [rpc_pb2.Compare(key=key, target=rpc_pb2.Compare.VERSION, result=rpc_pb2.Compare.EQUAL, version=0)]
    success = [rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key, value=b"me"))]
    first = await client.txn(compare, success, [])
    second = await client.txn(compare, success, [])
    assert first.succeeded and not second.succeeded


# --- writes with an unknown outcome ------------------------------------------------------------------------

class FlakyKV:
    """Stands in for the KV stub: Txn calls fail as configured (after or instead of reaching etcd)."""

    def __init__(self, real: Any, *, commit: bool, error: aio.AioRpcError, range_failures: int = 0) -> None:
        self.real = real
        self.commit = commit
        self.error = error
        self.range_failures = range_failures
        self.txn_calls = 0
        self.range_calls = 0

    async def Txn(self, request: rpc_pb2.TxnRequest, timeout: float | None = None) -> rpc_pb2.TxnResponse:
        self.txn_calls += 1
        if self.commit:
            await self.real.Txn(request, timeout=timeout)
        raise self.error

    async def Range(self, request: rpc_pb2.RangeRequest, timeout: float | None = None) -> rpc_pb2.RangeResponse:
        self.range_calls += 1
        if self.range_calls <= self.range_failures:
            raise rpc_error(grpc.StatusCode.UNAVAILABLE, "injected")
        return await self.real.Range(request, timeout=timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def inject_kv(client: EtcdClient, **kwargs: Any) -> FlakyKV:
    real = client._kv.real if isinstance(client._kv, FlakyKV) else client._kv
    flaky = FlakyKV(real, **kwargs)
    client._kv = flaky  # type: ignore[assignment]
    return flaky


STREAM_REMOVED = rpc_error(grpc.StatusCode.UNAVAILABLE, "Stream removed")
DEADLINE = rpc_error(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded")
SERVER_TIMEOUT = rpc_error(grpc.StatusCode.UNAVAILABLE, "etcdserver: request timed out")


@pytest.mark.parametrize("error", [STREAM_REMOVED, DEADLINE, SERVER_TIMEOUT])
async def test_committed_create_with_lost_answer_is_confirmed(client: EtcdClient, prefix: bytes,
                                                              error: aio.AioRpcError) -> None:
    key = prefix + b"c"
    flaky = inject_kv(client, commit=True, error=error)
    result = await client.create(key, b"mine")
    assert flaky.txn_calls == 1  # never retried
    kv, _ = await client.get(key)
    assert result.succeeded and kv is not None and result.revision == kv.mod_revision and kv.value == b"mine"


@pytest.mark.parametrize(("error", "raised"), [(STREAM_REMOVED, UnavailableError), (DEADLINE, EtcdTimeoutError),
                                               (SERVER_TIMEOUT, EtcdTimeoutError)])
async def test_lost_create_is_reported_not_retried(client: EtcdClient, prefix: bytes, error: aio.AioRpcError,
                                                   raised: type[EtcdError]) -> None:
    key = prefix + b"c"
    flaky = inject_kv(client, commit=False, error=error)
    with pytest.raises(raised):
        await client.create(key, b"mine")
    assert flaky.txn_calls == 1
    assert (await client.get(key))[0] is None


async def test_ambiguous_create_of_existing_key_with_other_value_is_reported(client: EtcdClient,
                                                                             prefix: bytes) -> None:
    key = prefix + b"c"
    await client.create(key, b"theirs")
    inject_kv(client, commit=True, error=STREAM_REMOVED)
    with pytest.raises(UnavailableError):
        await client.create(key, b"mine")


async def test_ambiguous_update(client: EtcdClient, prefix: bytes) -> None:
    key = prefix + b"u"
    base = (await client.create(key, b"v1")).revision
    inject_kv(client, commit=True, error=STREAM_REMOVED)
    result = await client.update(key, b"v2", base)
    kv, _ = await client.get(key)
    assert result.succeeded and kv is not None and result.revision == kv.mod_revision > base

    # Rewriting the same bytes that did not commit must not pass for a commit: the mod revision did not move.
    inject_kv(client, commit=False, error=STREAM_REMOVED)
    with pytest.raises(UnavailableError):
        await client.update(key, b"v2", kv.mod_revision)


async def test_ambiguous_delete(client: EtcdClient, prefix: bytes) -> None:
    key = prefix + b"d"
    revision = (await client.create(key, b"v")).revision
    inject_kv(client, commit=False, error=STREAM_REMOVED)
    with pytest.raises(UnavailableError):
        await client.delete(key, revision)
    flaky = inject_kv(client, commit=True, error=STREAM_REMOVED)
    result = await client.delete(key, revision)
    assert result.succeeded and flaky.txn_calls == 1
    assert (await client.get(key))[0] is None


async def test_confirmation_read_failing_reraises_the_write_error(client: EtcdClient, prefix: bytes) -> None:
    inject_kv(client, commit=True, error=DEADLINE, range_failures=2)
    with pytest.raises(EtcdTimeoutError):
        await client.create(prefix + b"c", b"v")


async def test_reads_are_retried_once_on_unavailable(client: EtcdClient, prefix: bytes) -> None:
    await client.put(prefix + b"r", b"v")
    flaky = inject_kv(client, commit=False, error=STREAM_REMOVED, range_failures=1)
    assert (await client.get(prefix + b"r"))[0] is not None
    assert flaky.range_calls == 2
    flaky = inject_kv(client, commit=False, error=STREAM_REMOVED, range_failures=2)
    with pytest.raises(UnavailableError):
        await client.get(prefix + b"r")
    assert flaky.range_calls == 2


# --- leases ------------------------------------------------------------------------------------------------

async def test_lease_grant_keepalive_revoke(client: EtcdClient, prefix: bytes) -> None:
    lease = await client.lease_grant(5)
    assert lease > 0
    key = prefix + b"leased"
    await client.create(key, b"v", lease=lease)
    assert (await client.get(key))[0].lease == lease
    assert 0 < await client.lease_keepalive_once(lease, timeout=5) <= 5
    await client.lease_revoke(lease)
    assert (await client.get(key))[0] is None
    assert await client.lease_keepalive_once(lease, timeout=5) == 0
    await client.lease_revoke(lease)  # already gone: still revoked


async def test_lease_expires_without_keepalive(client: EtcdClient, prefix: bytes) -> None:
    lease = await client.lease_grant(2)
    await client.put(prefix + b"short", b"v", lease=lease)

    async def key_expired() -> bool:
        # a read, unlike a keepalive, does not renew the lease
        return (await client.get(prefix + b"short"))[0] is None

    # the leader revokes an expired lease on its own schedule, through raft: poll rather than sleep the TTL
    await eventually(key_expired, timeout=15)
    assert await client.lease_keepalive_once(lease) == 0


# --- watch -------------------------------------------------------------------------------------------------

async def test_watch_delivers_events_in_order_with_prev_kv(client: EtcdClient, prefix: bytes) -> None:
    start = await client.current_revision() + 1
    key = prefix + b"w"
    created = (await client.create(key, b"v1")).revision
    updated = (await client.update(key, b"v2", created)).revision
    deleted = (await client.delete(key, updated)).revision
    await client.put(prefix_end(prefix), b"outside the range")

    stream = client.watch(prefix, prefix_end(prefix), start_revision=start)
    events = await collect(stream, 3)
    await stream.aclose()
    assert [(e.type, e.kv.mod_revision) for e in events] == [("PUT", created), ("PUT", updated),
                                                            ("DELETE", deleted)]
    assert events[0].prev_kv is None and events[0].kv.value == b"v1"
    assert events[1].prev_kv is not None and events[1].prev_kv.value == b"v1" and events[1].kv.version == 2
    assert events[2].prev_kv is not None and events[2].prev_kv.value == b"v2" and events[2].kv.key == key


async def test_watch_of_live_writes_without_prev_kv(client: EtcdClient, prefix: bytes) -> None:
    stream = client.watch(prefix, prefix_end(prefix), start_revision=await client.current_revision() + 1,
                          prev_kv=False)
    consumer = asyncio.create_task(collect(stream, 2))
    await client.put(prefix + b"a", b"1")
    await client.put(prefix + b"a", b"2")
    events = await consumer
    await stream.aclose()
    assert [e.kv.value for e in events] == [b"1", b"2"] and all(e.prev_kv is None for e in events)


async def test_watch_from_now_resumes_after_its_creation_revision(client: EtcdClient, prefix: bytes) -> None:
    """A watch from "now" that breaks before any event resumes from the revision it was created at."""
    written: list[int] = []

    async def write() -> None:
        written.append(await client.put(prefix + b"after", b"y"))

    breaking = BreakingWatch(client._watch, deliver=1, before_break=write)
    client._watch = breaking  # type: ignore[assignment]
    stream = client.watch(prefix, prefix_end(prefix))
    events = await collect(stream, 1)
    await stream.aclose()
    created = breaking.messages[0]
    assert created.created and breaking.start_revisions == [0, created.header.revision + 1]
    assert [e.kv.mod_revision for e in events] == written


async def test_progress_notifications_on_an_idle_watch(client: EtcdClient, prefix: bytes) -> None:
    start = await client.current_revision()
    stream = client.watch(prefix, prefix_end(prefix), start_revision=start + 1)
    try:
        response = await asyncio.wait_for(stream.__anext__(), 10)
    finally:
        await stream.aclose()
    assert response.progress_notify and response.events == [] and response.revision >= start


async def test_closing_the_watch_cancels_the_stream(client: EtcdClient, prefix: bytes) -> None:
    calls = record_watch_calls(client)
    stream = client.watch(prefix, prefix_end(prefix), start_revision=await client.current_revision() + 1)
    await asyncio.wait_for(stream.__anext__(), 10)
    await stream.aclose()
    assert len(calls) == 1 and calls[0].cancelled()

    async for _ in client.watch(prefix, prefix_end(prefix), start_revision=await client.current_revision() + 1):
        break
    # an abandoned generator is closed by the loop's async generator hooks, a few iterations later
    await eventually(lambda: len(calls) == 2 and calls[1].cancelled(), timeout=5, interval=0,
                     what="the abandoned watch's call cancelled")


async def test_watch_from_compacted_revision_raises(etcd_cluster_factory: Callable[..., EtcdCluster],
                                                    pki: PkiPaths) -> None:
    cluster = etcd_cluster_factory(members=1)
    c = await connected(client_config(cluster, pki))
    try:
        first = await c.put(b"/k", b"1")
        latest = await c.put(b"/k", b"2")
        await c.compact(latest)
        with pytest.raises(CompactedError) as info:
            await collect(c.watch(b"/", b"0", start_revision=first), 1)
        assert info.value.compact_revision == latest
        events = await collect(c.watch(b"/", b"0", start_revision=latest), 1)
        assert events[0].kv.value == b"2"
    finally:
        await c.close()


class BreakingWatch:
    """Stands in for the Watch stub: the first stream fails with UNAVAILABLE after `deliver` responses (the
    "created" one included), running `before_break` first. Records each stream's start revision and the
    first stream's responses."""

    def __init__(self, real: Any, deliver: int, before_break: Callable[[], Awaitable[None]]) -> None:
        self.real = real
        self.deliver = deliver
        self.before_break = before_break
        self.start_revisions: list[int] = []
        self.messages: list[rpc_pb2.WatchResponse] = []

    def Watch(self, metadata: Any = None) -> Any:
        return _BreakingCall(self, self.real.Watch(metadata=metadata), breaks=not self.start_revisions)


class _BreakingCall:
    def __init__(self, owner: BreakingWatch, call: Any, breaks: bool) -> None:
        self.owner, self.call, self.breaks = owner, call, breaks

    async def write(self, request: rpc_pb2.WatchRequest) -> None:
        self.owner.start_revisions.append(request.create_request.start_revision)
        await self.call.write(request)

    async def read(self) -> Any:
        if not self.breaks:
            return await self.call.read()
        if len(self.owner.messages) == self.owner.deliver:
            await self.owner.before_break()
            self.call.cancel()
            raise rpc_error(grpc.StatusCode.UNAVAILABLE, "injected: member went away")
        message = await self.call.read()
        self.owner.messages.append(message)
        return message

    def cancel(self) -> bool:
        return self.call.cancel()


def record_watch_calls(client: EtcdClient) -> list[Any]:
    real = client._watch
    calls: list[Any] = []

    class Recording:
        def Watch(self, metadata: Any = None) -> Any:
            calls.append(real.Watch(metadata=metadata))
            return calls[-1]

    client._watch = Recording()  # type: ignore[assignment]
    return calls


class ScriptedWatch:
    """Stands in for the Watch stub without etcd: each stream plays one script of responses and errors
    (then ends); the start revision of each stream is recorded."""

    def __init__(self, *scripts: list[rpc_pb2.WatchResponse | aio.AioRpcError]) -> None:
        self.scripts = list(scripts)
        self.start_revisions: list[int] = []

    def Watch(self, metadata: Any = None) -> Any:
        assert dict(metadata)["hasleader"] == "true"
        return _ScriptedCall(self, self.scripts.pop(0))


class _ScriptedCall:
    def __init__(self, owner: ScriptedWatch, script: list[rpc_pb2.WatchResponse | aio.AioRpcError]) -> None:
        self.owner, self.script = owner, list(script)

    async def write(self, request: rpc_pb2.WatchRequest) -> None:
        self.owner.start_revisions.append(request.create_request.start_revision)

    async def read(self) -> Any:
        if not self.script:
            return aio.EOF
        item = self.script.pop(0)
        if isinstance(item, aio.AioRpcError):
            raise item
        return item

    def cancel(self) -> bool:
        return True


def reply(revision: int, *event_revisions: int, **fields: Any) -> rpc_pb2.WatchResponse:
    events = [kv_pb2.Event(type=kv_pb2.Event.PUT, kv=kv_pb2.KeyValue(key=b"/k", mod_revision=r))
              for r in event_revisions]
    return rpc_pb2.WatchResponse(header=rpc_pb2.ResponseHeader(revision=revision), events=events, **fields)


def scripted_client(*scripts: list[rpc_pb2.WatchResponse | aio.AioRpcError]) -> tuple[EtcdClient, ScriptedWatch]:
    client = EtcdClient(EtcdClientConfig(["http://127.0.0.1:1"]))
    client._watch = ScriptedWatch(*scripts)  # type: ignore[assignment]
    return client, client._watch  # type: ignore[return-value]


async def test_watch_drops_progress_behind_delivered_events() -> None:
    client, stub = scripted_client(
        [reply(5, created=True), reply(20, 9, 10), rpc_error(grpc.StatusCode.UNAVAILABLE, "etcdserver: no leader")],
        [reply(8, created=True), reply(8), reply(10), reply(11, 11)],  # a lagging member, then caught up
    )
    stream = client.watch(b"/k", start_revision=6)
    responses = [await stream.__anext__() for _ in range(3)]
    await stream.aclose()
    assert [([e.kv.mod_revision for e in r.events], r.revision, r.progress_notify) for r in responses] == [
        ([9, 10], 20, False), ([], 10, True), ([11], 11, False)]
    assert stub.start_revisions == [6, 11]


async def test_watch_resumes_when_the_server_ends_the_stream() -> None:
    client, stub = scripted_client([reply(5, created=True), reply(7, 7)], [reply(7, created=True), reply(8, 8)])
    events = await collect(client.watch(b"/k", start_revision=3), 2)
    assert [e.kv.mod_revision for e in events] == [7, 8] and stub.start_revisions == [3, 8]


async def test_watch_created_then_canceled_for_compaction() -> None:
    client, _ = scripted_client([reply(9, created=True), reply(9, canceled=True, compact_revision=6)])
    with pytest.raises(CompactedError) as info:
        await collect(client.watch(b"/k", start_revision=2), 1)
    assert (info.value.compact_revision, info.value.current_revision) == (6, 9)


async def test_watch_canceled_for_another_reason_or_failing_for_good_raises() -> None:
    client, _ = scripted_client([reply(9, created=True), reply(9, canceled=True, cancel_reason="permission denied")])
    with pytest.raises(EtcdError, match="permission denied"):
        await collect(client.watch(b"/k", start_revision=2), 1)
    client, stub = scripted_client([rpc_error(grpc.StatusCode.PERMISSION_DENIED, "etcdserver: permission denied")])
    with pytest.raises(EtcdError, match="PERMISSION_DENIED"):
        await collect(client.watch(b"/k", start_revision=2), 1)
    assert stub.start_revisions == [2]


async def test_watch_resumes_after_last_event_not_header_revision(client: EtcdClient, prefix: bytes) -> None:
    start = await client.current_revision() + 1
    watched = [await client.put(prefix + f"{i}".encode(), b"v") for i in range(3)]
    for i in range(5):  # outside the range: moves the header revision past the last watched event
        await client.put(prefix_end(prefix) + f"{i}".encode(), b"v")

    async def write_more() -> None:
        watched.append(await client.put(prefix + b"late", b"v"))

    breaking = BreakingWatch(client._watch, deliver=2, before_break=write_more)
    client._watch = breaking  # type: ignore[assignment]
    stream = client.watch(prefix, prefix_end(prefix), start_revision=start)
    events = await collect(stream, 4)
    await stream.aclose()
    assert [e.kv.mod_revision for e in events] == watched  # each exactly once
    first_batch = breaking.messages[1]
    last_delivered = first_batch.events[-1].kv.mod_revision
    assert first_batch.header.revision > last_delivered + 1  # resuming from the header would lose events
    assert breaking.start_revisions == [start, last_delivered + 1]


async def test_watch_resume_from_compacted_revision_raises(etcd_cluster_factory: Callable[..., EtcdCluster],
                                                           pki: PkiPaths) -> None:
    cluster = etcd_cluster_factory(members=1)
    c = await connected(client_config(cluster, pki))
    try:
        first = await c.put(b"/k", b"1")

        async def write_and_compact() -> None:
            await c.put(b"/k", b"2")
            await c.compact(await c.put(b"/k", b"3"))

        c._watch = BreakingWatch(c._watch, deliver=2, before_break=write_and_compact)  # type: ignore[assignment]
        with pytest.raises(CompactedError) as info:
            await collect(c.watch(b"/k", start_revision=first), 10)
        assert info.value.compact_revision == first + 2
    finally:
        await c.close()


async def test_watch_survives_killing_every_member_in_turn(etcd_cluster_factory: Callable[..., EtcdCluster],
                                                           pki: PkiPaths, caplog: pytest.LogCaptureFixture) -> None:
    """Creates keep coming (>= 2000) while each member (so also the watcher's and the leader) is killed and
    restarted: the watcher sees every committed create exactly once, in revision order."""
    cluster = etcd_cluster_factory(members=3)
    caplog.set_level(logging.WARNING, logger="apiserver.storage.etcd_client")
    c = await connected(client_config(cluster, pki))
    try:
        start = await c.current_revision() + 1
        stream = c.watch(b"/load/", b"/load0", start_revision=start)
        events: list[WatchEvent] = []
        final_revision: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        watcher = asyncio.create_task(watch_until(stream, events, final_revision))
        kills_done = asyncio.Event()
        numbers = itertools.count()
        written: list[bytes] = []
        writers = [asyncio.create_task(write_until(c, numbers, written, kills_done, minimum=2000)) for _ in range(4)]
        for index in range(3):
            await asyncio.sleep(1.0)
            await asyncio.to_thread(cluster.kill_member, index)
            await asyncio.sleep(1.5)
            await asyncio.to_thread(cluster.start_member, index)
        kills_done.set()
        await asyncio.wait_for(asyncio.gather(*writers), 120)
        final_revision.set_result(await c.current_revision(timeout=10))
        await asyncio.wait_for(watcher, 60)
        await stream.aclose()

        revisions = [e.kv.mod_revision for e in events]
        assert revisions == sorted(set(revisions))
        assert sorted(e.kv.key for e in events) == sorted(written) and len(written) >= 2000
        assert all(e.type == "PUT" and e.kv.value == e.kv.key and e.prev_kv is None for e in events)
        assert (await c.range(b"/load/", b"/load0", count_only=True)).count == len(written)
        assert any("resuming at revision" in r.getMessage() for r in caplog.records)  # the stream did break
    finally:
        await c.close()


async def watch_until(stream: AsyncIterator[WatchResponse], events: list[WatchEvent],
                      final_revision: asyncio.Future[int]) -> None:
    """Collects events until a progress notification proves that everything up to final_revision arrived."""
    async for response in stream:
        events.extend(response.events)
        if response.progress_notify and final_revision.done() and response.revision >= final_revision.result():
            return


async def write_until(client: EtcdClient, numbers: Iterator[int], written: list[bytes], done: asyncio.Event,
                      minimum: int) -> None:
    while not done.is_set() or len(written) < minimum:
        key = f"/load/{next(numbers):06d}".encode()
        await create_once(client, key)
        written.append(key)
        await asyncio.sleep(0.01)


async def create_once(client: EtcdClient, key: bytes) -> None:
    """Creates the key (value = key); an outcome that stays unknown is retried and then finds the key present."""
    while True:
        try:
            result = await client.create(key, key, timeout=10)
        except (UnavailableError, EtcdTimeoutError):
            await asyncio.sleep(0.1)
            continue
        assert result.succeeded or (result.kv is not None and result.kv.value == key)
        return


async def test_watch_is_cancelled_by_a_member_without_leader_and_resumes(
        etcd_cluster_factory: Callable[..., EtcdCluster], pki: PkiPaths, caplog: pytest.LogCaptureFixture) -> None:
    cluster = etcd_cluster_factory(members=3)
    c = await connected(client_config(cluster, pki))
    caplog.set_level(logging.WARNING, logger="apiserver.storage.etcd_client")
    try:
        start = await c.put(b"/k", b"0")
        stream = c.watch(b"/k", start_revision=start)
        watcher = asyncio.create_task(collect(stream, 3, timeout=60))
        await asyncio.to_thread(cluster.kill_member, 1)
        await asyncio.to_thread(cluster.kill_member, 2)

        def no_leader_logged() -> bool:
            messages = [r.getMessage() for r in caplog.records]
            assert any("no leader" in m for m in messages), messages
            return True

        await eventually(no_leader_logged)
        await asyncio.to_thread(cluster.start_member, 1)
        await asyncio.to_thread(cluster.start_member, 2)
        await c.put(b"/k", b"1", timeout=10)
        await c.put(b"/k", b"2", timeout=10)
        events = await watcher
        await stream.aclose()
        assert [e.kv.value for e in events] == [b"0", b"1", b"2"]
    finally:
        await c.close()


async def test_reads_and_writes_survive_killing_the_leader(etcd_cluster_factory: Callable[..., EtcdCluster],
                                                           pki: PkiPaths) -> None:
    cluster = etcd_cluster_factory(members=3)
    c = await connected(client_config(cluster, pki))
    try:
        leader = cluster.leader_index()
        assert leader is not None
        await asyncio.to_thread(cluster.kill_member, leader)
        await create_once(c, b"/after-leader-kill")
        assert (await c.get(b"/after-leader-kill", timeout=10))[0] is not None
        assert await c.healthy(timeout=5)
        await asyncio.to_thread(cluster.start_member, leader)
    finally:
        await c.close()
