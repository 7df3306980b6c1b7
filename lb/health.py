"""Active health checks: GET https://<backend><path> every interval; 200 is healthy."""
from __future__ import annotations

import asyncio
import ssl

import aiohttp

from lb.backends import Backend, Pool
from lb.config import LbConfig


def check_context(config: LbConfig) -> ssl.SSLContext:
    if config.health_insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context = ssl.create_default_context(cafile=str(config.health_ca_file) if config.health_ca_file else None)
    if config.health_cert_file and config.health_key_file:
        context.load_cert_chain(str(config.health_cert_file), str(config.health_key_file))
    return context


async def check_forever(pool: Pool, config: LbConfig) -> None:
    # a fresh connection per check: a kept-alive one would hide a listener that stopped accepting
    connector = aiohttp.TCPConnector(ssl=check_context(config), force_close=True)
    timeout = aiohttp.ClientTimeout(total=config.health_timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        while True:
            backends = [b for b in pool.backends if not b.removed]
            results = await asyncio.gather(*(_check(session, b, config.health_path) for b in backends))
            for backend, ok in zip(backends, results):
                pool.record_check(backend, ok)
            await asyncio.sleep(config.health_interval)


async def _check(session: aiohttp.ClientSession, backend: Backend, path: str) -> bool:
    try:
        async with session.get(f"https://{backend.address}{path}") as response:
            await response.read()
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return False
