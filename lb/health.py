"""Active health checks: GET https://<backend><health-path> every interval; only a 200 counts as success."""
from __future__ import annotations

import asyncio
import ssl

import aiohttp

from lb.backend import Backend
from lb.balancer import Pool
from lb.config import ConfigError, LbConfig


def check_context(config: LbConfig) -> ssl.SSLContext:
    """The TLS context for checks; built before the balancer starts, so a bad file is a start-up error."""
    try:
        context = ssl.create_default_context(cafile=str(config.health_ca_file) if config.health_ca_file else None)
        if config.health_insecure:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if config.health_cert_file and config.health_key_file:
            context.load_cert_chain(str(config.health_cert_file), str(config.health_key_file))
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"health check TLS files: {exc}") from None
    return context


class HealthChecker:
    """One check loop per backend in the pool, so a backend that times out does not delay the others' checks."""

    def __init__(self, pool: Pool, config: LbConfig, context: ssl.SSLContext) -> None:
        self.pool = pool
        self.path = config.health_path
        self.interval = config.health_interval
        self.timeout = aiohttp.ClientTimeout(total=config.health_timeout)
        self.context = context
        self.session: aiohttp.ClientSession | None = None
        self.tasks: dict[Backend, asyncio.Task[None]] = {}

    def sync(self) -> None:
        """Starts loops for backends new to the pool; loops of backends that left it end on their own."""
        if self.session is None:
            # a fresh connection per check: a kept-alive one would hide a listener that stopped accepting
            self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=self.context, force_close=True),
                                                 timeout=self.timeout)
        for backend in self.pool.backends:
            if backend not in self.tasks:
                self.tasks[backend] = asyncio.get_running_loop().create_task(self._loop(backend))

    async def _loop(self, backend: Backend) -> None:
        try:
            while backend in self.pool.backends:
                ok = await self._check(backend)
                # a verdict about a backend that left the pool meanwhile would outlive its removal
                if backend in self.pool.backends:
                    self.pool.record_check(backend, ok)
                await asyncio.sleep(self.interval)
        finally:
            if self.tasks.get(backend) is asyncio.current_task():
                del self.tasks[backend]

    async def _check(self, backend: Backend) -> bool:
        assert self.session is not None
        try:
            async with self.session.get(f"https://{backend.address}{self.path}", allow_redirects=False) as response:
                await response.read()
                return response.status == 200
        except (TimeoutError, aiohttp.ClientError, OSError):
            return False

    async def close(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        if self.session is not None:
            await self.session.close()
