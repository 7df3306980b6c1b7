"""Probing a server's TLS from the outside with the openssl command."""
from __future__ import annotations

import shutil
import subprocess

OPENSSL = shutil.which("openssl")


def openssl_connects(port: int, protocol_flag: str) -> bool:
    """Whether `openssl s_client` completes a handshake; the client's own security level is lowered so that only
    the server can be the one refusing an old protocol."""
    done = subprocess.run([OPENSSL, "s_client", protocol_flag, "-connect", f"127.0.0.1:{port}",
                           "-cipher", "DEFAULT:@SECLEVEL=0"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    return done.returncode == 0 and "Cipher is (NONE)" not in done.stdout
