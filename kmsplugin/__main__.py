"""`python -m kmsplugin --socket PATH --key-file PATH` serves until SIGTERM/SIGINT;
`python -m kmsplugin --key-file PATH --rotate [--key-id NAME]` adds a key, makes it current and exits.
A key file that does not exist is created with one fresh key."""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from kmsplugin import keys
from kmsplugin.server import serve


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m kmsplugin", description="A local KMS v2 plugin.")
    p.add_argument("--key-file", type=Path, required=True, help="JSON file of key-encryption keys")
    p.add_argument("--socket", type=Path, help="unix socket to serve on")
    p.add_argument("--rotate", action="store_true", help="add a new key, make it current, and exit")
    p.add_argument("--key-id", default="", help="name of the key --rotate adds (default key-<n>)")
    return p


async def _run(socket: Path, key_file: Path) -> None:
    server = await serve(socket, key_file)
    logging.info("KMS v2 plugin serving on unix://%s", socket)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(grace=1)
    socket.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s kmsplugin %(levelname)s %(message)s")
    try:
        if not args.key_file.exists():
            keys.create(args.key_file)
        if args.rotate:
            print(keys.rotate(args.key_file, args.key_id).current)
            return 0
        if args.socket is None:
            print("Error: --socket is required to serve", file=sys.stderr)
            return 2
        asyncio.run(_run(args.socket, args.key_file))
    except keys.KeyFileError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
