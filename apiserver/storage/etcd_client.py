"""The project's own thin async etcd v3 client, on grpc.aio and the etcd stubs generated in `aetcd.rpc`.

Why the project owns this client: every ready-made Python client failed something the API server relies on.
etcd3aio resumes a broken watch from the response header's revision (silently losing events) and retries
writes that may have committed; aetcd has no TLS, takes one endpoint, drops progress notifications and has no
limit/revision on range; etcd3 is synchronous and ignores limit/revision; etcd3-py's async watch is broken and
it goes through the slow JSON gateway. Only aetcd's generated protobuf/gRPC modules are used here.

What this client guarantees:
- one gRPC channel over every endpoint (round robin), mTLS, a 64 MiB receive limit;
- writes are compare-and-swap transactions and are never retried blindly: when their fate is unknown the key
  is read back to find out whether they committed;
- a watch survives member failures and resumes from the revision after the last event it delivered, so no
  event is lost or repeated; compaction surfaces as `CompactedError`;
- gRPC failures become `UnavailableError` (503), `EtcdTimeoutError` (504), `CompactedError` (410) or `EtcdError`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlsplit

import grpc
from aetcd.rpc import kv_pb2, rpc_pb2, rpc_pb2_grpc
from grpc import aio

log = logging.getLogger(__name__)

DEFAULT_PORT = 2379
MAX_RECEIVE_MESSAGE_BYTES = 64 * 1024 * 1024  # gRPC's 4 MiB default breaks large lists
RECONNECT_BACKOFF_MIN_MS = 100
RECONNECT_BACKOFF_MAX_MS = 1000
# etcd closes connections that ping more often than --grpc-keepalive-min-time (5 s) with "too_many_pings".
KEEPALIVE_TIME_MS = 10_000
KEEPALIVE_TIMEOUT_MS = 5_000
# Asks the member to cancel the watch stream when it loses its leader; otherwise the watch hangs silently.
REQUIRE_LEADER_METADATA = (("hasleader", "true"),)
WATCH_BACKOFF_MIN = 0.1
WATCH_BACKOFF_MAX = 1.0
READ_RETRY_DELAY = 0.1
CONNECT_RETRY_DELAY = 0.1
# A single key read with count_only: the cheapest request that still returns the store's revision.
REVISION_PROBE_KEY = b"\x00"

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
T = TypeVar("T")


@dataclass(frozen=True)
class EtcdClientConfig:
    endpoints: list[str]
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    dial_timeout: float = 5.0
    tls_server_name: str = "localhost"
    # the deadline of a unary call made without one: without quorum etcd holds writes and linearizable reads,
    # and a request must fail within seconds rather than hang
    call_timeout: float = 5.0


@dataclass(frozen=True, slots=True)
class KeyValue:
    key: bytes
    value: bytes
    create_revision: int
    mod_revision: int
    version: int
    lease: int = 0


@dataclass(frozen=True, slots=True)
class RangeResult:
    kvs: list[KeyValue]
    more: bool
    count: int
    revision: int


@dataclass(frozen=True, slots=True)
class TxnResult:
    """The outcome of a create/update/delete.

    succeeded: revision is the revision of the write; kv is None, except for a delete answered by etcd, where
    it is the deleted value.
    failed compare: revision is the store's revision; kv is the key's current value (None when absent).
    """
    succeeded: bool
    revision: int
    kv: KeyValue | None


@dataclass(frozen=True, slots=True)
class WatchEvent:
    type: Literal["PUT", "DELETE"]
    kv: KeyValue
    prev_kv: KeyValue | None


@dataclass(frozen=True, slots=True)
class WatchResponse:
    events: list[WatchEvent]
    revision: int
    progress_notify: bool


class EtcdError(Exception):
    """Any failure talking to etcd."""


class CompactedError(EtcdError):
    """The requested revision has been compacted away. Either revision is 0 when etcd did not say."""

    def __init__(self, compact_revision: int = 0, current_revision: int = 0) -> None:
        detail = f" (compacted at {compact_revision})" if compact_revision else ""
        super().__init__(f"required revision has been compacted{detail}")
        self.compact_revision = compact_revision
        self.current_revision = current_revision


class UnavailableError(EtcdError):
    """No member answered, or the member has no leader."""


class EtcdTimeoutError(EtcdError):
    """The deadline passed, or etcd gave up on the request ("request timed out")."""


def map_rpc_error(err: aio.AioRpcError) -> EtcdError:
    code, details = err.code(), err.details() or ""
    # etcd reports its own timeouts with code UNAVAILABLE, so the text decides first.
    if "request timed out" in details or code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return EtcdTimeoutError(f"etcd: {details or code.name}")
    if code == grpc.StatusCode.OUT_OF_RANGE and "compacted" in details:
        return CompactedError()
    if code == grpc.StatusCode.UNAVAILABLE:
        return UnavailableError(f"etcd unavailable: {details}")
    return EtcdError(f"etcd: {code.name}: {details}")


# --- the channel -------------------------------------------------------------------------------------------

def parse_endpoints(urls: Sequence[str]) -> tuple[bool, list[tuple[str, int]]]:
    """Returns (uses TLS, [(host, port)]). All endpoints must share one scheme: they share one channel."""
    if not urls:
        raise ValueError("no etcd endpoints given")
    schemes: set[str] = set()
    hostports: list[tuple[str, int]] = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"etcd endpoint {url!r} is not an http:// or https:// URL")
        schemes.add(parts.scheme)
        hostports.append((parts.hostname, parts.port or DEFAULT_PORT))
    if len(schemes) > 1:
        raise ValueError(f"etcd endpoints mix http and https: {list(urls)}")
    return schemes == {"https"}, hostports


def channel_target(addresses: Sequence[tuple[IpAddress, int]]) -> str:
    """A gRPC target naming every member, so that one channel balances over all of them."""
    versions = {ip.version for ip, _ in addresses}
    if len(versions) != 1:
        raise ValueError("etcd endpoints must all be IPv4 or all be IPv6")
    if versions == {4}:
        return "ipv4:" + ",".join(f"{ip}:{port}" for ip, port in addresses)
    return "ipv6:" + ",".join(f"[{ip}]:{port}" for ip, port in addresses)


def channel_options(config: EtcdClientConfig, tls: bool) -> list[tuple[str, str | int]]:
    options: list[tuple[str, str | int]] = [
        ("grpc.lb_policy_name", "round_robin"),
        ("grpc.max_receive_message_length", MAX_RECEIVE_MESSAGE_BYTES),
        ("grpc.initial_reconnect_backoff_ms", RECONNECT_BACKOFF_MIN_MS),
        ("grpc.min_reconnect_backoff_ms", RECONNECT_BACKOFF_MIN_MS),
        ("grpc.max_reconnect_backoff_ms", RECONNECT_BACKOFF_MAX_MS),
        ("grpc.keepalive_time_ms", KEEPALIVE_TIME_MS),
        ("grpc.keepalive_timeout_ms", KEEPALIVE_TIMEOUT_MS),
        # etcd's enforcement policy forbids pings without an active stream.
        ("grpc.keepalive_permit_without_calls", 0),
        # Long idle watches must keep being probed, not only the first two pings.
        ("grpc.http2.max_pings_without_data", 0),
    ]
    if tls:
        # The target holds IP addresses of several members: verify them all against one SAN of their certs.
        options.append(("grpc.ssl_target_name_override", config.tls_server_name))
    return options


def channel_credentials(config: EtcdClientConfig) -> grpc.ChannelCredentials:
    if bool(config.cert_file) != bool(config.key_file):
        raise ValueError("etcd client certificate and key must be given together")

    def read(path: str | None) -> bytes | None:
        return Path(path).read_bytes() if path else None

    return grpc.ssl_channel_credentials(root_certificates=read(config.ca_file),
                                        private_key=read(config.key_file),
                                        certificate_chain=read(config.cert_file))


async def resolve_addresses(hostports: Sequence[tuple[str, int]]) -> list[tuple[IpAddress, int]]:
    """Turns host names into addresses once, at connect time: the multi-address target takes only IPs."""
    addresses: list[tuple[IpAddress, int]] = []
    for host, port in hostports:
        for ip in await _host_addresses(host, port):
            if (ip, port) not in addresses:
                addresses.append((ip, port))
    return addresses


async def _host_addresses(host: str, port: int) -> list[IpAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnavailableError(f"cannot resolve etcd endpoint {host}:{port}: {exc}") from None
    ips = [ipaddress.ip_address(info[4][0]) for info in infos]
    ipv4 = [ip for ip in ips if ip.version == 4]
    return list(dict.fromkeys(ipv4 or ips))


# --- conversions -------------------------------------------------------------------------------------------

def _key_value(kv: kv_pb2.KeyValue) -> KeyValue:
    return KeyValue(kv.key, kv.value, kv.create_revision, kv.mod_revision, kv.version, kv.lease)


def _event(ev: kv_pb2.Event) -> WatchEvent:
    kind: Literal["PUT", "DELETE"] = "DELETE" if ev.type == kv_pb2.Event.DELETE else "PUT"
    prev = _key_value(ev.prev_kv) if ev.HasField("prev_kv") else None
    return WatchEvent(kind, _key_value(ev.kv), prev)


def _compare_mod(key: bytes, mod_revision: int) -> rpc_pb2.Compare:
    return rpc_pb2.Compare(key=key, target=rpc_pb2.Compare.MOD, result=rpc_pb2.Compare.EQUAL,
                           mod_revision=mod_revision)


def _put_op(key: bytes, value: bytes, lease: int) -> rpc_pb2.RequestOp:
    return rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key, value=value, lease=lease))


def _get_op(key: bytes) -> rpc_pb2.RequestOp:
    return rpc_pb2.RequestOp(request_range=rpc_pb2.RangeRequest(key=key))


def _cas_result(response: rpc_pb2.TxnResponse) -> TxnResult:
    """Reads a transaction built as: compare -> one write op, else -> get the key."""
    revision = response.header.revision
    op = response.responses[0]
    if response.succeeded:
        deleted = op.response_delete_range.prev_kvs if op.HasField("response_delete_range") else []
        return TxnResult(True, revision, _key_value(deleted[0]) if deleted else None)
    current = op.response_range.kvs
    return TxnResult(False, revision, _key_value(current[0]) if current else None)


class _Backoff:
    def __init__(self, first: float, limit: float) -> None:
        self._first, self._limit = first, limit
        self._next = first

    def reset(self) -> None:
        self._next = self._first

    def next(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._limit)
        return delay


# --- the client --------------------------------------------------------------------------------------------

class EtcdClient:
    def __init__(self, config: EtcdClientConfig) -> None:
        self._config = config
        self._tls, self._hostports = parse_endpoints(config.endpoints)
        self._channel: aio.Channel | None = None
        self._kv: rpc_pb2_grpc.KVStub | None = None
        self._watch: rpc_pb2_grpc.WatchStub | None = None
        self._lease: rpc_pb2_grpc.LeaseStub | None = None

    async def connect(self) -> None:
        """Opens the channel on the running loop and waits until some member answers (within dial_timeout)."""
        if self._channel is not None:
            return
        target = channel_target(await resolve_addresses(self._hostports))
        options = channel_options(self._config, self._tls)
        if self._tls:
            self._channel = aio.secure_channel(target, channel_credentials(self._config), options=options)
        else:
            self._channel = aio.insecure_channel(target, options=options)
        self._kv = rpc_pb2_grpc.KVStub(self._channel)
        self._watch = rpc_pb2_grpc.WatchStub(self._channel)
        self._lease = rpc_pb2_grpc.LeaseStub(self._channel)
        try:
            await self._wait_reachable()
        except BaseException:
            await self.close()
            raise

    async def _wait_reachable(self) -> None:
        # Serializable: reachability is the question here, not whether the cluster has a leader yet.
        probe = rpc_pb2.RangeRequest(key=REVISION_PROBE_KEY, count_only=True, serializable=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._config.dial_timeout
        last_error = "no answer"
        while (remaining := deadline - loop.time()) > 0:
            try:
                await self._kv_stub().Range(probe, timeout=remaining)
                return
            except aio.AioRpcError as err:
                # A TLS rejection also shows up as UNAVAILABLE, so keep the detail for the message.
                if err.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                    # every connect failure names the endpoints, so that start-up can report it as it is
                    raise EtcdError(f"etcd at {', '.join(self._config.endpoints)} refused the connection probe: "
                                    f"{err.code().name}: {err.details()}") from err
                last_error = f"{err.code().name}: {err.details()}"
            await asyncio.sleep(min(CONNECT_RETRY_DELAY, max(deadline - loop.time(), 0)))
        raise UnavailableError(f"cannot reach etcd at {', '.join(self._config.endpoints)} within "
                               f"{self._config.dial_timeout:g}s: {last_error}")

    async def close(self) -> None:
        channel, self._channel = self._channel, None
        self._kv = self._watch = self._lease = None
        if channel is not None:
            await channel.close()

    def _kv_stub(self) -> rpc_pb2_grpc.KVStub:
        if self._kv is None:
            raise UnavailableError("etcd client is not connected")
        return self._kv

    def _lease_stub(self) -> rpc_pb2_grpc.LeaseStub:
        if self._lease is None:
            raise UnavailableError("etcd client is not connected")
        return self._lease

    def _watch_stub(self) -> rpc_pb2_grpc.WatchStub:
        if self._watch is None:
            raise UnavailableError("etcd client is not connected")
        return self._watch

    # --- unary plumbing ---

    async def _unary(self, call: Callable[..., Awaitable[T]], request: object, timeout: float | None) -> T:
        try:
            return await call(request, timeout=self._config.call_timeout if timeout is None else timeout)
        except aio.AioRpcError as err:
            raise map_rpc_error(err) from err

    async def _read(self, request: rpc_pb2.RangeRequest, timeout: float | None) -> rpc_pb2.RangeResponse:
        """A range, retried once on UNAVAILABLE (reads are idempotent); both tries share the deadline."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        try:
            return await self._unary(self._kv_stub().Range, request, timeout)
        except UnavailableError:
            if deadline is not None and deadline - loop.time() <= READ_RETRY_DELAY:
                raise
        await asyncio.sleep(READ_RETRY_DELAY)
        remaining = None if deadline is None else deadline - loop.time()
        return await self._unary(self._kv_stub().Range, request, remaining)

    # --- reads ---

    async def range(self, key: bytes, range_end: bytes | None = None, *, revision: int = 0, limit: int = 0,
                    serializable: bool = False, keys_only: bool = False, count_only: bool = False,
                    timeout: float | None = None) -> RangeResult:
        request = rpc_pb2.RangeRequest(key=key, range_end=range_end or b"", revision=revision, limit=limit,
                                       serializable=serializable, keys_only=keys_only, count_only=count_only)
        response = await self._read(request, timeout)
        return RangeResult([_key_value(kv) for kv in response.kvs], response.more, response.count,
                           response.header.revision)

    async def range_pages(self, key: bytes, range_end: bytes, *, revision: int = 0,
                          limit: int | Callable[[], int] = 1000,
                          keys_only: bool = False) -> AsyncGenerator[RangeResult, None]:
        """[key, range_end) page by page, all at one revision: `revision`, or else the first page's (the header
        revision of later pages is the store's, so take the list's from the first). `limit` may be a function,
        asked before each page. Compaction of the revision surfaces as CompactedError."""
        while True:
            page = limit() if callable(limit) else limit
            result = await self.range(key, range_end, revision=revision, limit=page, keys_only=keys_only)
            revision = revision or result.revision
            yield result
            if not result.more or not result.kvs:
                return
            key = result.kvs[-1].key + b"\0"

    async def get(self, key: bytes, *, revision: int = 0,
                  timeout: float | None = None) -> tuple[KeyValue | None, int]:
        result = await self.range(key, revision=revision, timeout=timeout)
        return (result.kvs[0] if result.kvs else None), result.revision

    async def current_revision(self, timeout: float | None = None) -> int:
        return (await self.range(REVISION_PROBE_KEY, count_only=True, timeout=timeout)).revision

    async def healthy(self, timeout: float = 2.0) -> bool:
        try:
            await self.current_revision(timeout=timeout)
        except EtcdError:
            return False
        return True

    # --- writes ---

    async def create(self, key: bytes, value: bytes, *, lease: int = 0,
                     timeout: float | None = None) -> TxnResult:
        absent = rpc_pb2.Compare(key=key, target=rpc_pb2.Compare.CREATE, result=rpc_pb2.Compare.EQUAL,
                                 create_revision=0)
        request = rpc_pb2.TxnRequest(compare=[absent], success=[_put_op(key, value, lease)], failure=[_get_op(key)])
        try:
            return _cas_result(await self._unary(self._kv_stub().Txn, request, timeout))
        except (UnavailableError, EtcdTimeoutError) as failure:
            return await self._confirm_put(key, value, 0, failure, timeout)

    async def update(self, key: bytes, value: bytes, expected_mod_revision: int, *, lease: int = 0,
                     timeout: float | None = None) -> TxnResult:
        request = rpc_pb2.TxnRequest(compare=[_compare_mod(key, expected_mod_revision)],
                                     success=[_put_op(key, value, lease)], failure=[_get_op(key)])
        try:
            return _cas_result(await self._unary(self._kv_stub().Txn, request, timeout))
        except (UnavailableError, EtcdTimeoutError) as failure:
            return await self._confirm_put(key, value, expected_mod_revision, failure, timeout)

    async def delete(self, key: bytes, expected_mod_revision: int, *,
                     timeout: float | None = None) -> TxnResult:
        """Deletes the key if its mod revision is still the expected one; 0 deletes unconditionally."""
        compare = [_compare_mod(key, expected_mod_revision)] if expected_mod_revision else []
        remove = rpc_pb2.RequestOp(request_delete_range=rpc_pb2.DeleteRangeRequest(key=key, prev_kv=True))
        request = rpc_pb2.TxnRequest(compare=compare, success=[remove], failure=[_get_op(key)])
        try:
            return _cas_result(await self._unary(self._kv_stub().Txn, request, timeout))
        except (UnavailableError, EtcdTimeoutError) as failure:
            return await self._confirm_delete(key, failure, timeout)

    async def _confirm_put(self, key: bytes, value: bytes, expected_mod_revision: int, failure: EtcdError,
                           timeout: float | None) -> TxnResult:
        """Decides an ambiguous create/update by reading the key back: retrying it could report a false
        conflict (our own write) or overwrite someone else's."""
        kv, _ = await self._read_back(key, failure, timeout)
        # For an update, a value equal to the old one must not count: the mod revision has to have moved.
        if kv is not None and kv.value == value and kv.mod_revision != expected_mod_revision:
            log.info("etcd write to %r failed ambiguously (%s) but had committed", key, failure)
            return TxnResult(True, kv.mod_revision, None)
        raise failure

    async def _confirm_delete(self, key: bytes, failure: EtcdError, timeout: float | None) -> TxnResult:
        kv, revision = await self._read_back(key, failure, timeout)
        if kv is None:
            return TxnResult(True, revision, None)
        raise failure

    async def _read_back(self, key: bytes, failure: EtcdError,
                         timeout: float | None) -> tuple[KeyValue | None, int]:
        """Reads the key after an ambiguous write; if even that fails, the write's own failure is raised."""
        try:
            return await self.get(key, timeout=timeout)
        except EtcdError:
            raise failure from None

    async def put(self, key: bytes, value: bytes, *, lease: int = 0, timeout: float | None = None) -> int:
        request = rpc_pb2.PutRequest(key=key, value=value, lease=lease)
        return (await self._unary(self._kv_stub().Put, request, timeout)).header.revision

    async def txn(self, compare: list[rpc_pb2.Compare], success: list[rpc_pb2.RequestOp],
                  failure: list[rpc_pb2.RequestOp], *, timeout: float | None = None) -> rpc_pb2.TxnResponse:
        """A raw transaction, sent once; the caller decides what an ambiguous failure means."""
        request = rpc_pb2.TxnRequest(compare=compare, success=success, failure=failure)
        return await self._unary(self._kv_stub().Txn, request, timeout)

    async def compact(self, revision: int, *, physical: bool = False, timeout: float | None = None) -> None:
        request = rpc_pb2.CompactionRequest(revision=revision, physical=physical)
        await self._unary(self._kv_stub().Compact, request, timeout)

    # --- leases ---

    async def lease_grant(self, ttl: int, timeout: float | None = None) -> int:
        response = await self._unary(self._lease_stub().LeaseGrant, rpc_pb2.LeaseGrantRequest(TTL=ttl), timeout)
        if response.error:
            raise EtcdError(f"etcd: lease grant failed: {response.error}")
        return response.ID

    async def lease_keepalive_once(self, lease_id: int, timeout: float | None = None) -> int:
        """Renews the lease once; returns its TTL, 0 when it has already expired."""
        call = self._lease_stub().LeaseKeepAlive(timeout=timeout)
        try:
            await call.write(rpc_pb2.LeaseKeepAliveRequest(ID=lease_id))
            response = await call.read()
        except aio.AioRpcError as err:
            raise map_rpc_error(err) from err
        finally:
            call.cancel()
        if response is aio.EOF:
            raise UnavailableError("etcd closed the lease keepalive stream without answering")
        return response.TTL

    async def lease_revoke(self, lease_id: int, timeout: float | None = None) -> None:
        """Revokes the lease; a lease that is already gone counts as revoked."""
        try:
            await self._lease_stub().LeaseRevoke(rpc_pb2.LeaseRevokeRequest(ID=lease_id), timeout=timeout)
        except aio.AioRpcError as err:
            if err.code() != grpc.StatusCode.NOT_FOUND:
                raise map_rpc_error(err) from err

    # --- watch ---

    async def watch(self, key: bytes, range_end: bytes | None = None, *, start_revision: int = 0,
                    prev_kv: bool = True, progress_notify: bool = True) -> AsyncGenerator[WatchResponse, None]:
        """Watches key (or [key, range_end)) from start_revision (0: from now), across member failures.

        After a failure the watch is re-created from the revision after the last delivered event: a response
        header's revision cannot be used, because while catching up it already carries the newest revision.
        Raises CompactedError when the revision to resume from has been compacted. Closing the generator
        cancels the stream.
        """
        next_revision = start_revision
        backoff = _Backoff(WATCH_BACKOFF_MIN, WATCH_BACKOFF_MAX)
        while True:
            call = self._watch_stub().Watch(metadata=REQUIRE_LEADER_METADATA)
            try:
                create = rpc_pb2.WatchCreateRequest(key=key, range_end=range_end or b"", start_revision=next_revision,
                                                    prev_kv=prev_kv, progress_notify=progress_notify)
                await call.write(rpc_pb2.WatchRequest(create_request=create))
                while (message := await call.read()) is not aio.EOF:
                    _raise_if_canceled(message)
                    if message.created:
                        # From "now" the stream's first revision is fixed at creation: resume after it.
                        next_revision = next_revision or message.header.revision + 1
                        backoff.reset()
                    elif message.events:
                        events = [_event(ev) for ev in message.events]
                        next_revision = events[-1].kv.mod_revision + 1
                        yield WatchResponse(events, message.header.revision, False)
                    elif message.header.revision >= next_revision - 1:
                        # Progress behind the events already delivered (a lagging member after a resume) is
                        # dropped: consumers must never see the watch's revision go backwards.
                        yield WatchResponse([], message.header.revision, True)
                log.warning("etcd watch on %r ended by the server; resuming at revision %d", key, next_revision)
            except aio.AioRpcError as err:
                if self._watch is None or err.code() not in _WATCH_RESUMABLE:
                    raise map_rpc_error(err) from err
                log.warning("etcd watch on %r failed (%s: %s); resuming at revision %d",
                            key, err.code().name, err.details(), next_revision)
            finally:
                call.cancel()
            await asyncio.sleep(backoff.next())


# Stream failures a new stream (maybe on another member) can cure: lost member, lost leader, broken transport.
_WATCH_RESUMABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN})


def _raise_if_canceled(message: rpc_pb2.WatchResponse) -> None:
    if not message.canceled:
        return
    if message.compact_revision:
        raise CompactedError(message.compact_revision, message.header.revision)
    raise EtcdError(f"etcd canceled the watch: {message.cancel_reason or 'no reason given'}")
