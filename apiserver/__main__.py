"""`python -m apiserver --flag=value ...`: one kube-apiserver replica."""
from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import sys

import uvloop
from aiohttp import web

from apiserver.options.errors import ConfigError
from apiserver.options.flags import ServerConfig, fail, parse_flags, report
from apiserver.server.app import APIServer
from apiserver.server.startup import LoadedFiles, load_files
from apiserver.storage.etcd_client import EtcdError

log = logging.getLogger("apiserver")
# how long background tasks get to end once the replica has stopped serving
LEFTOVER_GRACE_SECONDS = 5.0


async def serve(config: ServerConfig, files: LoadedFiles) -> None:
    server = APIServer(config, files)
    app = server.build_app()
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    try:
        await runner.setup()
    except EtcdError as exc:
        # the client's connect errors already name the endpoints and what went wrong
        raise ConfigError(str(exc)) from None
    address, port = config.serving.bind_address, config.serving.secure_port
    site = web.TCPSite(runner, address, port, ssl_context=files.tls.context, backlog=1024)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        why = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        # the start-up already runs the bootstrap and the controllers: end them as a stop does, never waiting on
        # one stuck in its cancellation
        report(f"failed to listen on {address}:{port}: {why}")
        await _end_leftover_tasks(1)
    log.info("serving securely on %s:%d", address, port)
    reload = asyncio.create_task(files.tls.watch(), name="serving-cert-reload")
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


async def _end_leftover_tasks(status: int = 0) -> None:
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
    os._exit(status)


def main(argv: list[str]) -> None:
    try:
        config = parse_flags(argv)
    except ConfigError as exc:
        fail(str(exc))
    logging.basicConfig(level=logging.DEBUG if config.verbosity >= 4 else logging.INFO,
                        format="%(asctime)s %(levelname).1s %(name)s] %(message)s")
    try:
        # every file a flag names, read before anything starts
        files = load_files(config)
        uvloop.run(serve(config, files))
    except ConfigError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main(sys.argv[1:])
