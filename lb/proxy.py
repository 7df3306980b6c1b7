"""The data path: two asyncio Protocols joined back to back.

Protocols rather than stream reader/writer loops because bytes then go from one transport's buffer straight to
the other's write() with no coroutine per chunk, and flow control is the transports' own: when one side's
write buffer fills, the other side's reading is paused until it drains.
"""
from __future__ import annotations

import asyncio
import logging

from lb.backends import Backend, Pool
from lb.metrics import LbMetrics

log = logging.getLogger("lb")


class BackendSide(asyncio.Protocol):
    def __init__(self, client: "ClientConnection") -> None:
        self.client = client
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.client.to_client(data)

    def eof_received(self) -> bool:
        # TLS and HTTP do not use half-closed connections: an end from either side ends both
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.client.close()

    def pause_writing(self) -> None:
        self.client.pause_reading()

    def resume_writing(self) -> None:
        self.client.resume_reading()


class ClientConnection(asyncio.Protocol):
    def __init__(self, pool: Pool, metrics: LbMetrics, connect_timeout: float) -> None:
        self.pool = pool
        self.metrics = metrics
        self.connect_timeout = connect_timeout
        self.transport: asyncio.Transport | None = None
        self.backend: Backend | None = None
        self.peer: BackendSide | None = None
        self.closed = False
        self._connecting: asyncio.Task | None = None
        self._label = ""
        # bytes that arrived before the backend connection was up (uvloop may deliver data despite a
        # pause_reading() made inside connection_made)
        self._pending: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        # the client's first bytes wait in the kernel until a backend accepted: a failed connect can then be
        # retried on another backend without the client noticing
        self.transport.pause_reading()
        self._connecting = asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        tried: set[Backend] = set()
        while not self.closed:
            backend = self.pool.choose(tried)
            if backend is None:
                log.warning("no healthy backend for a new connection")
                self.close()
                return
            tried.add(backend)
            address = backend.address
            try:
                _, peer = await asyncio.wait_for(
                    loop.create_connection(lambda: BackendSide(self), address.host, address.port),
                    self.connect_timeout)
            except (OSError, asyncio.TimeoutError) as exc:
                # a passive check: the backend is taken out at once, the active checks bring it back
                self.metrics.connect_failures.labels(str(address)).inc()
                log.warning("connect to %s failed (%s); marking it down", address, exc or "timeout")
                self.pool.set_up(backend, False)
                continue
            if self.closed:
                peer.transport.close()
                return
            self._attach(backend, peer)
            return

    def _attach(self, backend: Backend, peer: BackendSide) -> None:
        self.backend, self.peer, self._label = backend, peer, str(backend.address)
        # the labelled children once per connection, not a label lookup per chunk
        self._bytes_in = self.metrics.bytes.labels(self._label, "in")
        self._bytes_out = self.metrics.bytes.labels(self._label, "out")
        backend.active += 1
        backend.total += 1
        backend.connections.add(self)
        self.metrics.connections.labels(self._label).inc()
        self.metrics.active.labels(self._label).inc()
        assert self.transport is not None and peer.transport is not None
        for chunk in self._pending:
            self._bytes_in.inc(len(chunk))
            peer.transport.write(chunk)
        self._pending.clear()
        self.transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        if self.peer and self.peer.transport:
            self._bytes_in.inc(len(data))
            self.peer.transport.write(data)
        else:
            self._pending.append(data)

    def to_client(self, data: bytes) -> None:
        if self.transport and not self.closed:
            self._bytes_out.inc(len(data))
            self.transport.write(data)

    def eof_received(self) -> bool:
        return False

    def pause_writing(self) -> None:
        if self.peer and self.peer.transport:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer and self.peer.transport:
            self.peer.transport.resume_reading()

    def pause_reading(self) -> None:
        if self.transport and not self.closed:
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport and not self.closed:
            self.transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._connecting and not self._connecting.done():
            self._connecting.cancel()
        if self.transport:
            self.transport.close()
        if self.peer and self.peer.transport:
            self.peer.transport.close()
        if self.backend:
            self.backend.active -= 1
            self.backend.connections.discard(self)
            self.metrics.active.labels(self._label).dec()
