"""`python -m lb --listen HOST:PORT --backend HOST:PORT ...`: the bundled L4 TCP load balancer."""
from __future__ import annotations

import asyncio
import errno
import logging
import signal
import sys

import uvloop
from aiohttp import web

from lb.admin import admin_app
from lb.backends import Pool
from lb.config import ConfigError, LbConfig, parse_config
from lb.health import check_forever
from lb.metrics import LbMetrics
from lb.proxy import ClientConnection

log = logging.getLogger("lb")


async def serve(config: LbConfig, argv: list[str]) -> None:
    loop = asyncio.get_running_loop()
    metrics = LbMetrics()
    pool = Pool(config.backends, config.balance, config.rise, config.fall, config.drain_timeout, metrics)
    try:
        server = await loop.create_server(lambda: ClientConnection(pool, metrics, config.connect_timeout),
                                          config.listen.host, config.listen.port, backlog=1024, reuse_address=True)
    except OSError as exc:
        why = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise ConfigError(f"cannot listen on {config.listen}: {why}") from None
    runner = None
    if config.admin:
        runner = web.AppRunner(admin_app(pool, metrics), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, config.admin.host, config.admin.port).start()
        except OSError as exc:
            server.close()
            raise ConfigError(f"cannot listen on admin address {config.admin}: {exc.strerror}") from None
    checks = loop.create_task(check_forever(pool, config))
    stop = asyncio.Event()

    def reload() -> None:
        if not config.config:
            log.warning("SIGHUP ignored: no --config file to reload")
            return
        try:
            fresh = parse_config(argv)
        except ConfigError as exc:
            log.error("reload failed, keeping the old backends: %s", exc)
            return
        pool.replace(fresh.backends, fresh.balance)
        log.info("reloaded: backends %s", ", ".join(map(str, fresh.backends)))

    loop.add_signal_handler(signal.SIGHUP, reload)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("balancing %s over %s (%s)", config.listen, ", ".join(map(str, config.backends)), config.balance)
    await stop.wait()
    server.close()
    checks.cancel()
    if runner:
        await runner.cleanup()


def main(argv: list[str]) -> int:
    try:
        config = parse_config(argv)
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname).1s lb] %(message)s")
    try:
        uvloop.run(serve(config, argv))
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
