"""The bundled load balancer as a real process in front of small HTTPS backends run by the test."""
from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from cluster.replica import free_port

ROOT = Path(__file__).resolve().parents[2]


class Backend:
    def __init__(self, name: str, context: ssl.SSLContext) -> None:
        self.name = name
        self.port = free_port()
        self.ready = True
        self.context = context
        self.runner: web.AppRunner | None = None

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
async def backends(pki):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(pki.apiserver_cert), str(pki.apiserver_key))
    started = [Backend(f"b{i}", context) for i in range(3)]
    for b in started:
        await b.start()
    yield started
    for b in started:
        await b.stop()


class Balancer:
    def __init__(self, pki, backends, tmp_path, *flags: str) -> None:
        self.port, self.admin = free_port(), free_port()
        self.config = tmp_path / "lb.yaml"
        self.write_config(backends)
        self.log = (tmp_path / "lb.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lb", f"--config={self.config}", f"--listen=127.0.0.1:{self.port}",
             f"--health-ca-file={pki.ca_cert}", f"--admin=127.0.0.1:{self.admin}", "--health-interval=200ms",
             "--rise=1", "--fall=1", "--drain-timeout=3s", *flags],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.client_context = ssl.create_default_context(cafile=str(pki.ca_cert))

    def write_config(self, backends) -> None:
        self.config.write_text("backends:\n" + "".join(f"  - 127.0.0.1:{b.port}\n" for b in backends))

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(10)
        self.log.close()

    async def state(self) -> dict[str, dict]:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{self.admin}/backends") as resp:
                return {b["address"]: b for b in await resp.json()}

    async def metrics(self) -> str:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{self.admin}/metrics") as resp:
                return await resp.text()

    def session(self, keep_alive: bool = False) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(ssl=self.client_context, force_close=not keep_alive)
        return aiohttp.ClientSession(connector=connector)

    async def wait_up(self, count: int) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if sum(b["state"] == "up" for b in (await self.state()).values()) == count:
                    return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"{count} backends never up")


@pytest.fixture
async def balancer(pki, backends, tmp_path):
    lb = Balancer(pki, backends, tmp_path)
    await lb.wait_up(3)
    yield lb
    lb.stop()


async def _whoami(lb: Balancer, n: int) -> list[str]:
    async with lb.session() as session:
        names = []
        for _ in range(n):
            async with session.get(f"https://127.0.0.1:{lb.port}/whoami") as resp:
                names.append(await resp.text())
        return names


async def test_round_robin_spreads_connections(balancer):
    names = await _whoami(balancer, 9)
    assert sorted(names) == sorted(["b0", "b1", "b2"] * 3)
    state = await balancer.state()
    assert all(b["total_connections"] >= 3 for b in state.values())


async def test_bytes_pass_through_intact(balancer):
    payload = os.urandom(5 * 1024 * 1024)
    async with balancer.session() as session:
        async with session.post(f"https://127.0.0.1:{balancer.port}/echo", data=payload) as resp:
            echoed = await resp.read()
    assert hashlib.sha256(echoed).digest() == hashlib.sha256(payload).digest()
    text = await balancer.metrics()
    sent = sum(float(line.split()[-1]) for line in text.splitlines()
               if line.startswith("lb_bytes_total") and 'direction="in"' in line)
    assert sent >= len(payload)


async def test_unready_backend_drains(balancer, backends):
    async with balancer.session(keep_alive=True) as kept:
        # pin one kept-alive connection, then make its backend unready
        async with kept.get(f"https://127.0.0.1:{balancer.port}/whoami") as resp:
            pinned = await resp.text()
        victim = next(b for b in backends if b.name == pinned)
        victim.ready = False
        await asyncio.sleep(0.6)
        state = await balancer.state()
        assert state[f"127.0.0.1:{victim.port}"]["state"] == "draining"
        assert pinned not in await _whoami(balancer, 6), "no new connections to a draining backend"
        async with kept.get(f"https://127.0.0.1:{balancer.port}/whoami") as resp:
            assert await resp.text() == pinned, "the open connection keeps working while draining"
        await asyncio.sleep(3.5)
        state = await balancer.state()
        assert state[f"127.0.0.1:{victim.port}"]["active_connections"] == 0, "closed after --drain-timeout"
    assert 'lb_health_transitions_total{backend="127.0.0.1:%d",to="down"} 1.0' % victim.port in \
        await balancer.metrics()


async def test_dead_backend_is_never_seen_by_clients(balancer, backends):
    await backends[1].stop()
    names = await _whoami(balancer, 12)   # no exception: refused connects were retried elsewhere
    assert set(names) == {"b0", "b2"}
    assert "lb_connect_failures_total" in await balancer.metrics()


async def test_sighup_reloads_the_backend_list(balancer, backends):
    balancer.write_config(backends[:1])
    balancer.process.send_signal(signal.SIGHUP)
    await asyncio.sleep(0.5)
    assert set(await _whoami(balancer, 4)) == {"b0"}
    balancer.write_config(backends)
    balancer.process.send_signal(signal.SIGHUP)
    await balancer.wait_up(3)
    assert set(await _whoami(balancer, 6)) == {"b0", "b1", "b2"}


async def test_port_in_use_is_one_line(pki, tmp_path, backends):
    taken = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", taken))
        sock.listen()
        result = subprocess.run([sys.executable, "-m", "lb", f"--listen=127.0.0.1:{taken}",
                                 f"--backend=127.0.0.1:{backends[0].port}"], cwd=ROOT, capture_output=True,
                                text=True, timeout=20)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"Error: cannot listen on 127.0.0.1:{taken}: address already in use"]
