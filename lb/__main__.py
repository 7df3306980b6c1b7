"""`python -m lb --listen HOST:PORT --backend HOST:PORT ...`: the bundled L4 TCP load balancer."""
from __future__ import annotations

import logging
import sys

import uvloop

from lb.config import ConfigError, parse_config
from lb.server import serve


def main(argv: list[str]) -> int:
    try:
        config = parse_config(argv)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname).1s lb] %(message)s")
        uvloop.run(serve(config, argv))
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
