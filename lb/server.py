"""The balancer's life: listen, check, serve the admin endpoint, reload on SIGHUP, stop on SIGTERM/SIGINT."""
from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Sequence

from aiohttp import web

from lb.admin import admin_app
from lb.balancer import Pool
from lb.config import Address, ConfigError, LbConfig, parse_config
from lb.health import HealthChecker, check_context
from lb.proxy import ClientConnection

log = logging.getLogger("lb")


def _listen_error(address: Address, what: str, exc: OSError) -> ConfigError:
    why = os.strerror(exc.errno).lower() if exc.errno else str(exc)
    return ConfigError(f"cannot listen on {what}{address}: {why}")


class Balancer:
    def __init__(self, config: LbConfig, argv: Sequence[str]) -> None:
        self.config = config
        self.argv = list(argv)
        self.pool = Pool(config.backends, config.balance, config.rise, config.fall, config.drain_timeout)
        self.checker = HealthChecker(self.pool, config, check_context(config))
        self.connections: set[ClientConnection] = set()
        self.stopping = asyncio.Event()
        self.server: asyncio.AbstractServer | None = None
        self.admin: web.AppRunner | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        listen = self.config.listen
        try:
            self.server = await loop.create_server(
                lambda: ClientConnection(self.pool, self.config.connect_timeout, self.connections),
                listen.host, listen.port, backlog=1024, reuse_address=True)
        except OSError as exc:
            raise _listen_error(listen, "", exc) from None
        if self.config.admin:
            self.admin = web.AppRunner(admin_app(self.pool), access_log=None, handle_signals=False)
            await self.admin.setup()
            try:
                await web.TCPSite(self.admin, self.config.admin.host, self.config.admin.port).start()
            except OSError as exc:
                await self.stop()
                raise _listen_error(self.config.admin, "admin address ", exc) from None
        self.checker.sync()
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        log.info("listening on %s, balancing %s over %s", listen, self.config.balance,
                 ", ".join(str(b.address) for b in self.pool.backends))

    def reload(self) -> None:
        """Re-reads the --config file: its backend list and balance. Open connections are untouched; backends no
        longer listed drain. Any other changed setting needs a restart."""
        if self.config.config_file is None:
            log.warning("SIGHUP ignored: there is no --config file to re-read")
            return
        try:
            fresh = parse_config(self.argv)
        except ConfigError as exc:
            log.error("reload failed, nothing changed: %s", exc)
            return
        if fresh.backends_from_flags:
            log.warning("reload: the backend list comes from flags, so the file's list (if any) is not used")
        added, removed = self.pool.replace(fresh.backends, fresh.balance)
        self.checker.sync()
        log.info("reloaded: balance %s; added %s; removed %s", fresh.balance,
                 ", ".join(str(b.address) for b in added) or "none",
                 ", ".join(str(b.address) for b in removed) or "none")

    async def stop(self) -> None:
        """Stops accepting, then ends every open connection."""
        if self.server is not None:
            self.server.close()
        for connection in list(self.connections):
            connection.abort()
        await self.checker.close()
        if self.admin is not None:
            await self.admin.cleanup()


async def serve(config: LbConfig, argv: Sequence[str]) -> None:
    balancer = Balancer(config, argv)
    await balancer.start()
    await balancer.stopping.wait()
    log.info("stopping: closing %d open connections", len(balancer.connections))
    await balancer.stop()
