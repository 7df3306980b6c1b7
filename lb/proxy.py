"""The data path: a client connection and its backend connection as two asyncio Protocols joined back to back.

Protocols rather than StreamReader/StreamWriter loops: received bytes go straight from one transport's
data_received() to the other's write(), with no coroutine switch, queue or copy per chunk, and flow control is
the transports' own. When one side's write buffer passes its high-water mark the transport calls
pause_writing(), which here pauses reading on the other side, so a slow reader holds the fast writer back in
the kernel's socket buffers instead of in our memory; resume_writing() undoes it.

Half-closes are passed on (an EOF from one side becomes write_eof() on the other) and the pair is closed once
both directions have ended or either side is gone, as a TCP proxy must: bytes still in flight towards the side
that closed first are delivered.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from typing import cast

from lb.backend import Backend
from lb.balancer import Pool

log = logging.getLogger("lb")


class _Upstream(asyncio.Protocol):
    """The backend side of one client connection."""

    def __init__(self, client: ClientConnection, backend: Backend) -> None:
        self.client = client
        self.backend = backend

    def data_received(self, data: bytes) -> None:
        self.backend.bytes_out += len(data)
        self.client.to_client(data)

    def eof_received(self) -> bool:
        self.client.backend_ended()
        return True

    def pause_writing(self) -> None:
        self.client.pause_client()

    def resume_writing(self) -> None:
        self.client.resume_client()

    def connection_lost(self, exc: Exception | None) -> None:
        self.client.close()


class ClientConnection(asyncio.Protocol):
    """One accepted client connection: finds it a backend, then pipes bytes both ways."""

    def __init__(self, pool: Pool, connect_timeout: float, open_connections: set[ClientConnection]) -> None:
        self.pool = pool
        self.connect_timeout = connect_timeout
        self.open_connections = open_connections
        self.transport: asyncio.Transport | None = None
        self.upstream: asyncio.Transport | None = None
        self.backend: Backend | None = None
        self.closed = False
        self.client_eof = False
        self.backend_eof = False
        # client bytes that arrived before a backend accepted (uvloop may deliver one read despite the
        # pause_reading() in connection_made); they are what lets a failed connect be retried unnoticed
        self.pending: list[bytes] = []
        self._connecting: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it
        self.transport = client = cast(asyncio.Transport, transport)
        self.open_connections.add(self)
        # the client's first bytes wait (in the kernel) until a backend has accepted, so that a refused connect
        # can be retried on another backend before the client has sent anything anywhere
        client.pause_reading()
        self._connecting = asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        tried: set[Backend] = set()
        while True:
            backend = self.pool.choose(tried)
            if backend is None:
                log.warning("no healthy backend: closing a client connection")
                self.abort()
                return
            tried.add(backend)
            try:
                # asyncio.timeout, not wait_for, which in Python 3.11 can swallow a cancellation
                async with asyncio.timeout(self.connect_timeout):
                    upstream, _ = await loop.create_connection(partial(_Upstream, self, backend),
                                                               backend.address.host, backend.address.port)
            except OSError as exc:  # TimeoutError is an OSError
                self.pool.connect_failed(backend, str(exc) or "timed out")
                continue
            self._attach(backend, upstream)
            return

    def _attach(self, backend: Backend, upstream: asyncio.BaseTransport) -> None:
        assert self.transport is not None
        self.backend, self.upstream = backend, cast(asyncio.Transport, upstream)
        self.pool.attach(backend, self)
        # resume before writing what waited: if that write fills the backend's buffer, its pause_writing()
        # must be the last word on whether the client is read
        self.transport.resume_reading()
        for chunk in self.pending:
            self._to_backend(chunk)
        self.pending.clear()
        if self.client_eof:
            self._end_towards_backend()

    def data_received(self, data: bytes) -> None:
        if self.upstream is None:
            self.pending.append(data)
        else:
            self._to_backend(data)

    def _to_backend(self, data: bytes) -> None:
        assert self.backend is not None and self.upstream is not None
        self.backend.bytes_in += len(data)
        self.upstream.write(data)

    def to_client(self, data: bytes) -> None:
        if not self.closed and self.transport is not None:
            self.transport.write(data)

    def eof_received(self) -> bool:
        self.client_eof = True
        if self.upstream is not None:
            self._end_towards_backend()
        return True

    def _end_towards_backend(self) -> None:
        assert self.upstream is not None
        if self.backend_eof or not self.upstream.can_write_eof():
            self.close()
        else:
            self.upstream.write_eof()

    def backend_ended(self) -> None:
        self.backend_eof = True
        if self.client_eof or self.transport is None or not self.transport.can_write_eof():
            self.close()
        else:
            self.transport.write_eof()

    def pause_writing(self) -> None:
        if self.upstream is not None and not self.upstream.is_closing():
            self.upstream.pause_reading()

    def resume_writing(self) -> None:
        if self.upstream is not None and not self.upstream.is_closing():
            self.upstream.resume_reading()

    def pause_client(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.pause_reading()

    def resume_client(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.close()

    def close(self) -> None:
        """Ends both sides after what they have buffered is written."""
        self._end(lambda transport: transport.close())

    def abort(self) -> None:
        """Ends both sides now (drain timeout, shutdown): a peer that does not read must not hold us up."""
        self._end(lambda transport: transport.abort())

    def _end(self, how: Callable[[asyncio.Transport], None]) -> None:
        if self.closed:
            return
        self.closed = True
        self.open_connections.discard(self)
        connecting = self._connecting
        if connecting is not None and not connecting.done() and connecting is not asyncio.current_task():
            connecting.cancel()
        for transport in (self.transport, self.upstream):
            if transport is not None:
                how(transport)
        if self.backend is not None:
            self.pool.detach(self.backend, self)
