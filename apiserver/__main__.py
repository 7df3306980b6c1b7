"""`python -m apiserver --flag=value ...`: one kube-apiserver replica."""
from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import ssl
import sys

import uvloop
from aiohttp import web

from apiserver.authn.sakeys import KeyFileError
from apiserver.authn.token_file import TokenFileError
from apiserver.options.errors import ConfigError
from apiserver.options.flags import ServerConfig, fail, parse_flags
from apiserver.server.app import APIServer
from apiserver.server.tls import ServingTLS
from apiserver.storage.etcd_client import EtcdError

log = logging.getLogger("apiserver")
# how long background tasks get to end once the replica has stopped serving
LEFTOVER_GRACE_SECONDS = 5.0


async def serve(config: ServerConfig) -> None:
    try:
        server = APIServer(config)
    except KeyFileError as exc:
        raise ConfigError(f"--service-account-key-file/--service-account-signing-key-file: {exc}") from None
    try:
        tls = ServingTLS(config)
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ConfigError(f"--tls-cert-file/--tls-private-key-file/--tls-sni-cert-key/--client-ca-file: "
                          f"cannot load: {exc}") from None
    try:
        app = server.build_app()
    except TokenFileError as exc:
        raise ConfigError(f"--token-auth-file: {exc}") from None
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    try:
        await runner.setup()
    except EtcdError as exc:
        # the client's connect errors already name the endpoints and what went wrong
        raise ConfigError(str(exc)) from None
    address, port = config.serving.bind_address, config.serving.secure_port
    site = web.TCPSite(runner, address, port, ssl_context=tls.context, backlog=1024)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        why = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise ConfigError(f"failed to listen on {address}:{port}: {why}") from None
    log.info("serving securely on %s:%d", address, port)
    reload = asyncio.create_task(tls.watch(), name="serving-cert-reload")
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    await done.wait()
    log.info("shutting down: unready now, serving for %.1fs more", config.coordination.shutdown_delay_duration)
    await server.shutdown()
    reload.cancel()
    await runner.cleanup()
    log.info("stopped")
    await _end_leftover_tasks()


async def _end_leftover_tasks() -> None:
    """Cancels the background tasks still running, gives them a moment, and exits. Every acknowledged write is
    in etcd and the leases are given up by now, so nothing left (a stream stuck in its cancellation, a thread of
    the loop's executor) may keep a stopped replica alive; tasks that did not end are named in the log."""
    current = asyncio.current_task()
    leftovers = [t for t in asyncio.all_tasks() if t is not current]
    for task in leftovers:
        task.cancel()
    _, stuck = await asyncio.wait(leftovers, timeout=LEFTOVER_GRACE_SECONDS) if leftovers else (set(), set())
    if stuck:
        log.warning("exiting with %d task(s) that did not end on cancellation: %s", len(stuck),
                    ", ".join(sorted(t.get_name() for t in stuck)))
    logging.shutdown()
    os._exit(0)


def main(argv: list[str]) -> None:
    try:
        config = parse_flags(argv)
    except ConfigError as exc:
        fail(str(exc))
    logging.basicConfig(level=logging.DEBUG if config.verbosity >= 4 else logging.INFO,
                        format="%(asctime)s %(levelname).1s %(name)s] %(message)s")
    try:
        uvloop.run(serve(config))
    except ConfigError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main(sys.argv[1:])
