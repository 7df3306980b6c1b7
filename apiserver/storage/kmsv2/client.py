"""The API server's side of the KMS v2 plugin API: one grpc.aio channel to the plugin's unix socket.

As kube dials it: plaintext over the socket, authority `localhost`, every call waits for the channel to be
ready and is bounded by the provider's `timeout`. Failures are raised as `KMSError` worded as Go's gRPC
errors (`rpc error: code = Unavailable desc = ...`), since that is what kube puts in its messages.
"""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import grpc

from apiserver.storage.kmsv2 import service_pb2 as api
from apiserver.storage.kmsv2.service_pb2_grpc import KeyManagementServiceStub


class KMSError(Exception):
    pass


def _go_code(code: grpc.StatusCode) -> str:
    """grpc-go's name of a status code: DEADLINE_EXCEEDED → DeadlineExceeded."""
    return "".join(part.capitalize() for part in code.name.split("_"))


def _rpc_error(exc: grpc.aio.AioRpcError) -> KMSError:
    details = exc.details() or ""
    if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
        details = "context deadline exceeded"   # grpc-go's words for a client-side deadline
    return KMSError(f"rpc error: code = {_go_code(exc.code())} desc = {details}")


@dataclass(frozen=True)
class StatusResponse:
    version: str
    healthz: str
    key_id: str


@dataclass(frozen=True)
class EncryptResponse:
    ciphertext: bytes
    key_id: str
    annotations: dict[str, bytes] = field(default_factory=dict)


def grpc_target(endpoint: str) -> str:
    """The gRPC target of a validated `unix://` endpoint; a path starting with `@` is a Linux abstract socket,
    as kube reads it."""
    path = urlsplit(endpoint).path
    if path.startswith("/@"):
        return f"unix-abstract:{path[2:]}"
    return f"unix:{path}"


# (full method name, gRPC status code as grpc-go names it, seconds): the operations latency metric
Observer = Callable[[str, str, float], None]


def _no_observer(method: str, code: str, seconds: float) -> None:
    pass


class KMSClient:
    def __init__(self, endpoint: str, timeout: float, observe: Observer = _no_observer) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.observe = observe
        self._channel: grpc.aio.Channel | None = None
        self._stub: KeyManagementServiceStub | None = None

    def connect(self) -> None:
        """Creates the channel; must run inside the event loop that will use it. No I/O happens yet."""
        self._channel = grpc.aio.insecure_channel(
            grpc_target(self.endpoint),
            options=[("grpc.default_authority", "localhost"),
                     # a restarted plugin should be found again quickly
                     ("grpc.initial_reconnect_backoff_ms", 100), ("grpc.max_reconnect_backoff_ms", 1000)])
        self._stub = KeyManagementServiceStub(self._channel)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
            self._channel = None

    def _ready(self) -> KeyManagementServiceStub:
        if self._stub is None:
            raise KMSError(f"KMS plugin client for {self.endpoint} is not connected")
        return self._stub

    async def _call(self, name: str, request):
        method = getattr(self._ready(), name)
        start = time.perf_counter()
        try:
            reply = await method(request, timeout=self.timeout, wait_for_ready=True)
        except grpc.aio.AioRpcError as exc:
            self.observe(f"/v2.KeyManagementService/{name}", _go_code(exc.code()), time.perf_counter() - start)
            raise _rpc_error(exc) from None
        self.observe(f"/v2.KeyManagementService/{name}", "OK", time.perf_counter() - start)
        return reply

    async def status(self) -> StatusResponse:
        reply = await self._call("Status", api.StatusRequest())
        return StatusResponse(reply.version, reply.healthz, reply.key_id)

    async def encrypt(self, plaintext: bytes, uid: str | None = None) -> EncryptResponse:
        reply = await self._call("Encrypt", api.EncryptRequest(plaintext=plaintext, uid=uid or str(uuid.uuid4())))
        return EncryptResponse(reply.ciphertext, reply.key_id, dict(reply.annotations))

    async def decrypt(self, ciphertext: bytes, key_id: str, annotations: Mapping[str, bytes]) -> bytes:
        reply = await self._call("Decrypt", api.DecryptRequest(
            ciphertext=ciphertext, uid=str(uuid.uuid4()), key_id=key_id, annotations=dict(annotations)))
        return reply.plaintext
