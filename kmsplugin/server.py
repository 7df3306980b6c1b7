"""The plugin's gRPC service on a unix socket (grpc.aio).

Encrypt wraps the API server's DEK seed under the current key: 12-byte nonce + AES-256-GCM, with the key ID
as authenticated data, so a ciphertext cannot be passed off under another key. Decrypt picks the key by the
key ID the API server stored next to the ciphertext. The key file is re-read when it changes, so a rotation
needs no restart.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import grpc
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from apiserver.storage.kmsv2 import service_pb2 as api
from apiserver.storage.kmsv2.service_pb2_grpc import (
    KeyManagementServiceServicer,
    add_KeyManagementServiceServicer_to_server,
)
from kmsplugin import keys as keyfile

log = logging.getLogger(__name__)

NONCE = 12


class KeyFileWatch:
    """The key set of a file, reloaded when the file's modification time or size changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self.keys = keyfile.load(path)
        self.error = ""

    def current(self) -> keyfile.KeySet:
        try:
            st = os.stat(self.path)
        except OSError as exc:
            self.error = f"cannot read key file {self.path}: {exc.strerror}"
            return self.keys
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            try:
                self.keys = keyfile.load(self.path)
                self.error = ""
                log.info("key file loaded: current key %s of %d", self.keys.current, len(self.keys.keys))
            except keyfile.KeyFileError as exc:
                # keep serving with the last good keys; Status reports the problem as unhealthy
                self.error = str(exc)
            self._stamp = stamp
        return self.keys


class LocalKMS(KeyManagementServiceServicer):
    def __init__(self, watch: KeyFileWatch) -> None:
        self.watch = watch

    async def Status(self, request: api.StatusRequest, context: grpc.aio.ServicerContext) -> api.StatusResponse:
        keys = self.watch.current()
        return api.StatusResponse(version="v2", healthz=self.watch.error or "ok", key_id=keys.current)

    async def Encrypt(self, request: api.EncryptRequest, context: grpc.aio.ServicerContext) -> api.EncryptResponse:
        keys = self.watch.current()
        nonce = os.urandom(NONCE)
        sealed = AESGCM(keys.keys[keys.current]).encrypt(nonce, request.plaintext, keys.current.encode())
        return api.EncryptResponse(ciphertext=nonce + sealed, key_id=keys.current)

    async def Decrypt(self, request: api.DecryptRequest, context: grpc.aio.ServicerContext) -> api.DecryptResponse:
        keys = self.watch.current()
        key = keys.keys.get(request.key_id)
        if key is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"unknown key ID {request.key_id!r}")
        data = request.ciphertext
        try:
            plaintext = AESGCM(key).decrypt(data[:NONCE], data[NONCE:], request.key_id.encode())
        except (InvalidTag, ValueError):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "ciphertext does not decrypt under its key ID")
        return api.DecryptResponse(plaintext=plaintext)


async def serve(socket: Path, key_file: Path) -> grpc.aio.Server:
    """Starts the server; a socket file left by an earlier run is replaced."""
    watch = KeyFileWatch(key_file)
    server = grpc.aio.server()
    add_KeyManagementServiceServicer_to_server(LocalKMS(watch), server)
    socket.unlink(missing_ok=True)
    server.add_insecure_port(f"unix:{socket}")
    await server.start()
    os.chmod(socket, 0o600)
    return server
