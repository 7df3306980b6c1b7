"""The bundled load balancer as a real process in front of small HTTPS backends that the test runs itself,
and its data path in-process against plain TCP backends."""
from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from cluster.replica import free_port
from lb.balancer import Pool
from lb.config import Address
from lb.proxy import ClientConnection
from tests.polling import eventually

ROOT = Path(__file__).resolve().parents[2]


class Backend:
    """An HTTPS server that answers /readyz (200 or 500 at will), /whoami with its name, and echoes POST /echo."""

    def __init__(self, name: str, context: ssl.SSLContext) -> None:
        self.name = name
        self.port = free_port()
        self.ready = True
        self.context = context
        self.runner: web.AppRunner | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/whoami", self._whoami)
        app.router.add_post("/echo", self._echo)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port, ssl_context=self.context).start()

    async def _readyz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok") if self.ready else web.Response(status=500, text="not ready")

    async def _whoami(self, request: web.Request) -> web.Response:
        return web.Response(text=self.name)

    async def _echo(self, request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()
            self.runner = None


@pytest.fixture
async def backends(pki) -> AsyncIterator[list[Backend]]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(pki.apiserver_cert), str(pki.apiserver_key))
    started = [Backend(f"b{i}", context) for i in range(3)]
    for backend in started:
        await backend.start()
    yield started
    for backend in started:
        await backend.stop()


class Balancer:
    """`python -m lb` as a subprocess, with a --config file the test can rewrite, and its admin endpoint."""

    def __init__(self, pki, backends: list[Backend], tmp_path: Path, *flags: str) -> None:
        self.port, self.admin = free_port(), free_port()
        self.config = tmp_path / f"lb-{self.port}.yaml"
        self.write_config(backends)
        self.log_path = tmp_path / f"lb-{self.port}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "lb", f"--config={self.config}", f"--listen=127.0.0.1:{self.port}",
                 f"--health-ca-file={pki.ca_cert}", f"--admin=127.0.0.1:{self.admin}", "--health-interval=200ms",
                 "--rise=1", "--fall=1", "--drain-timeout=3s", *flags],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.client_context = ssl.create_default_context(cafile=str(pki.ca_cert))

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def write_config(self, backends: list[Backend]) -> None:
        self.config.write_text("backends:\n" + "".join(f"  - {b.address}\n" for b in backends))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    async def state(self) -> dict[str, dict]:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{self.admin}/backends") as resp:
                return {b["address"]: b for b in await resp.json()}

    async def metrics(self) -> list[str]:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{self.admin}/metrics") as resp:
                return (await resp.text()).splitlines()

    async def wait_until(self, condition: Callable[[dict[str, dict]], bool], what: str) -> dict[str, dict]:
        """The balancer's state once `condition` holds; the balancer exiting fails at once."""
        async def reached() -> list[dict[str, dict]] | None:
            if self.process.poll() is not None:
                pytest.fail(f"the balancer exited: {self.log_path.read_text()[-2000:]}")
            state = await self.state()
            return [state] if condition(state) else None

        try:
            [state] = await eventually(reached, interval=0.05, what=what, retry_on=(aiohttp.ClientError,))
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nbalancer log: {self.log_path.read_text()[-2000:]}") from exc
        return state

    async def wait_up(self, count: int) -> None:
        await self.wait_until(lambda s: sum(b["state"] == "up" for b in s.values()) == count, f"{count} up")

    def session(self, keep_alive: bool = False) -> aiohttp.ClientSession:
        """keep_alive=False: one TCP connection through the balancer per request."""
        connector = aiohttp.TCPConnector(ssl=self.client_context, force_close=not keep_alive, limit=1)
        return aiohttp.ClientSession(connector=connector)


@pytest.fixture
async def start_balancer(pki, backends, tmp_path) -> AsyncIterator[Callable[..., Awaitable[Balancer]]]:
    started: list[Balancer] = []

    async def start(*flags: str) -> Balancer:
        balancer = Balancer(pki, backends, tmp_path, *flags)
        started.append(balancer)
        await balancer.wait_up(len(backends))
        return balancer

    yield start
    for balancer in started:
        balancer.stop()


@pytest.fixture
async def balancer(start_balancer) -> Balancer:
    return await start_balancer()


async def _whoami(lb: Balancer, n: int, concurrency: int = 1) -> list[str]:
    """n requests, each on its own connection through the balancer."""
    async def one() -> str:
        async with lb.session() as session:
            async with session.get(f"{lb.url}/whoami") as resp:
                assert resp.status == 200
                return await resp.text()

    names: list[str] = []
    for start in range(0, n, concurrency):
        names += await asyncio.gather(*(one() for _ in range(min(concurrency, n - start))))
    return names


def _value(lines: list[str], sample: str) -> float:
    return next(float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith(sample + " "))


async def test_round_robin_spreads_connections(balancer):
    names = await _whoami(balancer, 9)
    assert sorted(names) == sorted(["b0", "b1", "b2"] * 3)


async def test_least_connections_prefers_the_idle_backend(start_balancer, backends):
    lb = await start_balancer("--balance=leastconn")
    held = [lb.session(keep_alive=True) for _ in range(3)]
    try:
        names = []
        for session in held:   # one after the other: each goes to a backend with no connection yet
            async with session.get(f"{lb.url}/whoami") as resp:
                names.append(await resp.text())
        assert sorted(names) == ["b0", "b1", "b2"]
        idle = backends[1]
        await held[names.index("b1")].close()
        for _ in range(4):
            await lb.wait_until(lambda s: s[idle.address]["active_connections"] == 0, "b1 idle")
            assert await _whoami(lb, 1) == ["b1"], "the one backend with no open connection gets the next"
        state = await lb.state()
        assert [state[b.address]["active_connections"] for b in (backends[0], backends[2])] == [1, 1]
    finally:
        for session in held:
            await session.close()


async def test_bytes_pass_through_intact(balancer):
    payload = os.urandom(5 * 1024 * 1024)
    async with balancer.session() as session:
        async with session.post(f"{balancer.url}/echo", data=payload) as resp:
            echoed = await resp.read()
    assert hashlib.sha256(echoed).hexdigest() == hashlib.sha256(payload).hexdigest()
    lines = await balancer.metrics()
    for direction in ("in", "out"):
        moved = sum(float(line.rsplit(" ", 1)[1]) for line in lines
                    if line.startswith("lb_bytes_total{") and f'direction="{direction}"' in line)
        assert moved >= len(payload), direction


async def test_unready_backend_drains(balancer, backends):
    async with balancer.session(keep_alive=True) as kept:
        # pin one kept-alive connection, then make its backend unready
        async with kept.get(f"{balancer.url}/whoami") as resp:
            pinned = await resp.text()
        victim = next(b for b in backends if b.name == pinned)
        victim.ready = False
        await balancer.wait_until(lambda s: s[victim.address]["state"] == "draining", "draining")
        assert pinned not in await _whoami(balancer, 6), "no new connections to a draining backend"
        async with kept.get(f"{balancer.url}/whoami") as resp:
            assert await resp.text() == pinned, "the open connection keeps working while draining"
        # --drain-timeout=3s after it went down, the balancer closes what is left
        state = await balancer.wait_until(lambda s: s[victim.address]["active_connections"] == 0, "drained")
        assert state[victim.address]["state"] == "down"
    lines = await balancer.metrics()
    assert _value(lines, f'lb_health_transitions_total{{backend="{victim.address}",to="down"}}') == 1
    assert _value(lines, f'lb_backend_up{{backend="{victim.address}"}}') == 0


async def test_killed_backend_is_never_seen_by_clients(start_balancer, backends):
    # checks so rare that only the refused connects (passive checks) can notice the dead backend
    lb = await start_balancer("--health-interval=1h")
    await backends[1].stop()
    names = await _whoami(lb, 24, concurrency=8)   # no exception: refused connects were retried elsewhere
    assert set(names) == {"b0", "b2"}
    state = await lb.state()
    assert state[backends[1].address]["state"] == "down"
    lines = await lb.metrics()
    assert _value(lines, f'lb_connect_failures_total{{backend="{backends[1].address}"}}') >= 1
    assert _value(lines, f'lb_health_transitions_total{{backend="{backends[1].address}",to="down"}}') == 1


async def test_no_healthy_backend_closes_the_client(balancer, backends):
    for backend in backends:
        backend.ready = False
    await balancer.wait_up(0)
    reader, writer = await asyncio.open_connection("127.0.0.1", balancer.port)
    try:
        assert await asyncio.wait_for(reader.read(), 5) == b""
    except ConnectionResetError:
        pass
    finally:
        writer.close()


async def test_sighup_reloads_the_backend_list(balancer, backends):
    async with balancer.session(keep_alive=True) as kept:
        async with kept.get(f"{balancer.url}/whoami") as resp:
            name = await resp.text()
        pinned = next(b for b in backends if b.name == name)
        remaining = [b for b in backends if b is not pinned]
        balancer.write_config(remaining[:1])
        balancer.process.send_signal(signal.SIGHUP)
        await balancer.wait_until(lambda s: len(s) == 2, "reloaded")   # the pinned one drains, one is gone
        assert set(await _whoami(balancer, 4)) == {remaining[0].name}
        async with kept.get(f"{balancer.url}/whoami") as resp:
            assert await resp.text() == pinned.name, "a removed backend's open connection keeps working"
        assert (await balancer.state())[pinned.address]["state"] == "draining"
    balancer.write_config(backends)
    balancer.process.send_signal(signal.SIGHUP)
    await balancer.wait_up(3)
    assert set(await _whoami(balancer, 6)) == {"b0", "b1", "b2"}


async def test_admin_shows_counts_and_transitions(balancer, backends):
    assert (await balancer.state()).keys() == {b.address for b in backends}
    await _whoami(balancer, 6)
    state = await balancer.wait_until(lambda s: all(b["active_connections"] == 0 for b in s.values()), "idle")
    for backend in state.values():
        assert backend["state"] == "up" and backend["total_connections"] == 2
        assert backend["checks_ok"] >= 1 and backend["checks_failed"] == 0
    backends[0].ready = False
    state = await balancer.wait_until(lambda s: s[backends[0].address]["state"] == "down", "down")
    assert state[backends[0].address]["checks_failed"] >= 1
    lines = await balancer.metrics()
    for backend in backends:
        label = f'backend="{backend.address}"'
        assert _value(lines, f"lb_connections_total{{{label}}}") == 2
        assert _value(lines, f"lb_active_connections{{{label}}}") == 0
        assert _value(lines, f'lb_health_transitions_total{{{label},to="up"}}') == 1
        assert _value(lines, f"lb_connect_failures_total{{{label}}}") == 0
        assert _value(lines, f'lb_bytes_total{{{label},direction="out"}}') > 0
        assert _value(lines, f"lb_backend_up{{{label}}}") == (0 if backend is backends[0] else 1)
    assert _value(lines, f'lb_health_transitions_total{{backend="{backends[0].address}",to="down"}}') == 1
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{balancer.admin}/healthz") as resp:
            assert resp.status == 200 and await resp.text() == "ok"


async def test_sigterm_stops_with_connections_open(balancer):
    async with balancer.session(keep_alive=True) as kept:
        async with kept.get(f"{balancer.url}/whoami") as resp:
            assert resp.status == 200
        balancer.process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(balancer.process.wait, 5) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", balancer.port), timeout=1).close()


def _run_lb(*flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lb", *flags], cwd=ROOT, capture_output=True, text=True,
                          timeout=20)


async def test_port_in_use_is_one_line(backends):
    taken = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", taken))
        sock.listen()
        result = await asyncio.to_thread(_run_lb, f"--listen=127.0.0.1:{taken}", f"--backend={backends[0].address}")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"Error: cannot listen on 127.0.0.1:{taken}: address already in use"]


async def test_bad_flag_is_one_line():
    result = await asyncio.to_thread(_run_lb, "--backend=127.0.0.1:1", "--balance=random")
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["Error: --balance: 'random' is not one of roundrobin, leastconn"]


# The data path in-process, against plain TCP backends: what HTTPS backends cannot show.

class _Proxy:
    """lb.proxy's ClientConnection listening on loopback, in front of one always-healthy backend port."""

    def __init__(self, backend_port: int) -> None:
        self.pool = Pool([Address("127.0.0.1", backend_port)], "roundrobin", 1, 1, 30.0)
        self.pool.record_check(self.pool.backends[0], True)
        self.connections: set[ClientConnection] = set()
        self.server: asyncio.AbstractServer | None = None

    async def __aenter__(self) -> int:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(lambda: ClientConnection(self.pool, 1.0, self.connections),
                                               "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for connection in list(self.connections):
            connection.abort()


async def _tcp_server(handler) -> tuple[asyncio.AbstractServer, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_a_slow_client_holds_the_backend_back():
    total = 64 * 1024 * 1024
    sent = 0

    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        block = b"x" * 65536
        while sent < total:
            writer.write(block)
            await writer.drain()
            sent += len(block)
        writer.close()

    server, port = await _tcp_server(flood)
    proxy = _Proxy(port)
    async with server, proxy as proxy_port:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy_port)
        await asyncio.sleep(0.5)   # not reading: the balancer must stop reading the backend, not buffer it all
        assert sent < total // 4, f"the backend could send {sent} bytes to a client that reads nothing"
        (connection,) = proxy.connections
        assert connection.transport is not None and connection.transport.get_write_buffer_size() < 1024 * 1024
        received = 0
        while chunk := await reader.read(1 << 20):
            received += len(chunk)
        writer.close()
    assert received == total


async def test_half_close_is_passed_on():
    async def count_until_eof(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = await reader.read()          # until the client's EOF arrives through the balancer
        writer.write(f"got {len(data)}".encode())
        writer.close()

    server, port = await _tcp_server(count_until_eof)
    async with server, _Proxy(port) as proxy_port:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy_port)
        writer.write(b"a" * 100_000)
        writer.write_eof()
        assert await asyncio.wait_for(reader.read(), 5) == b"got 100000", "the answer after a half-close arrives"
        writer.close()


async def test_a_backend_that_speaks_first_is_heard():
    async def banner(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello\n")
        writer.write(await reader.readline())
        writer.close()

    server, port = await _tcp_server(banner)
    async with server, _Proxy(port) as proxy_port:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy_port)
        assert await asyncio.wait_for(reader.readline(), 5) == b"hello\n"
        writer.write(b"again\n")
        assert await asyncio.wait_for(reader.read(), 5) == b"again\n"
        writer.close()
