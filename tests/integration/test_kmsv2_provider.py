"""The KMS v2 provider against the local plugin's real gRPC service on a unix socket, in the test's loop."""
from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

import grpc
import pytest

from apiserver.storage.kmsv2 import service_pb2 as api
from apiserver.storage.kmsv2.provider import KMSv2Provider
from apiserver.storage.kmsv2.service_pb2_grpc import (
    add_KeyManagementServiceServicer_to_server,
)
from apiserver.storage.kmsv2.settings import KMSSettings, KMSTimings
from apiserver.storage.transformer import KeyFetchNeeded, TransformError
from kmsplugin import keys
from kmsplugin.server import KeyFileWatch, LocalKMS
from tests.polling import eventually

CONTEXT = b"/registry/secrets/default/s"
FAST = KMSTimings(status_interval=0.3, write_dek_max_ttl=0.8)


class Plugin(LocalKMS):
    """The local plugin, counting Decrypt calls and able to answer a chosen healthz or Encrypt key ID."""

    def __init__(self, watch: KeyFileWatch) -> None:
        super().__init__(watch)
        self.decrypts = 0
        self.healthz = ""
        self.encrypt_key_id = ""

    async def Status(self, request, context):
        reply = await super().Status(request, context)
        if self.healthz:
            reply.healthz = self.healthz
        return reply

    async def Encrypt(self, request, context):
        reply = await super().Encrypt(request, context)
        if self.encrypt_key_id:
            reply.key_id = self.encrypt_key_id
        return reply

    async def Decrypt(self, request, context):
        self.decrypts += 1
        return await super().Decrypt(request, context)


class Served:
    def __init__(self, directory: Path) -> None:
        self.socket = directory / "kms.sock"
        self.key_file = directory / "keys.json"
        keys.create(self.key_file)
        self.plugin = Plugin(KeyFileWatch(self.key_file))
        self.server: grpc.aio.Server | None = None

    @property
    def endpoint(self) -> str:
        return f"unix://{self.socket}"

    async def start(self) -> None:
        self.server = grpc.aio.server()
        add_KeyManagementServiceServicer_to_server(self.plugin, self.server)
        self.server.add_insecure_port(f"unix:{self.socket}")
        await self.server.start()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop(grace=None)
            self.server = None


@pytest.fixture
async def served():
    directory = Path(tempfile.mkdtemp(prefix="kmsp-", dir="/tmp"))
    plugin = Served(directory)
    await plugin.start()
    providers: list[KMSv2Provider] = []

    def provider(timings: KMSTimings = FAST, timeout: float = 1.0) -> KMSv2Provider:
        providers.append(KMSv2Provider("p", plugin.endpoint, timeout, KMSSettings(timings)))
        return providers[-1]

    plugin.provider = provider
    yield plugin
    for p in providers:
        await p.stop()
    await plugin.stop()
    shutil.rmtree(directory, ignore_errors=True)


async def read(provider: KMSv2Provider, data: bytes) -> tuple[bytes, bool]:
    try:
        return provider.from_storage(data, CONTEXT)
    except KeyFetchNeeded as needed:
        await needed.fetch()
        return provider.from_storage(data, CONTEXT)


async def test_rotation_makes_a_new_seed_and_old_values_stale(served):
    provider = served.provider()
    await provider.start()
    old = provider.to_storage(b"v", CONTEXT)
    assert await read(provider, old) == (b"v", False)
    keys.rotate(served.key_file)
    assert await provider.refresh() is None
    assert provider.state.key_id == "key-2"
    assert await read(provider, old) == (b"v", True)
    assert await read(provider, provider.to_storage(b"w", CONTEXT)) == (b"w", False)
    assert served.plugin.decrypts == 0   # both seeds were made here: no plugin call to read them


async def test_concurrent_misses_share_one_decrypt(served):
    writer, reader = served.provider(), served.provider()
    await writer.start()
    await reader.start()
    values = [writer.to_storage(f"v{i}".encode(), CONTEXT) for i in range(20)]
    results = await asyncio.gather(*(read(reader, v) for v in values))
    assert [r[0] for r in results] == [f"v{i}".encode() for i in range(20)]
    assert served.plugin.decrypts == 1


async def test_plugin_down_cached_reads_work_writes_expire(served):
    writer, reader = served.provider(), served.provider()
    await writer.start()
    await reader.start()
    value = writer.to_storage(b"v", CONTEXT)
    await served.stop()
    assert await read(writer, value) == (b"v", False)
    with pytest.raises(TransformError, match="failed to decrypt DEK, error: rpc error: code = "):
        await read(reader, value)
    error = await writer.refresh()
    assert error.startswith("failed to perform status section of the healthz check for KMS Provider p, error: "
                            "rpc error: code = ")
    assert await writer.health() == error   # an error is trusted for unhealthy_ttl
    await asyncio.sleep(FAST.write_dek_max_ttl)
    with pytest.raises(TransformError, match='encryptedDEKSource with keyID hash "sha256:[0-9a-f]{64}" expired at'):
        writer.to_storage(b"w", CONTEXT)
    await served.start()
    assert await writer.refresh() is None
    assert await read(writer, writer.to_storage(b"w", CONTEXT)) == (b"w", False)


async def test_unhealthy_status_and_key_id_mismatch(served):
    served.plugin.healthz = "hsm unreachable"
    provider = served.provider()
    await provider.start()
    assert await provider.health() == ("kmsv2 Provider p is not healthy, error: got unexpected healthz status: "
                                       "hsm unreachable")
    # kube still makes the write seed when only healthz is wrong
    assert provider.state is not None and provider.state.key_id == "key-1"
    served.plugin.healthz = ""
    served.plugin.encrypt_key_id = "someone-else"
    keys.rotate(served.key_file)
    error = await provider.refresh()
    assert error.startswith('kmsv2 Provider p is not healthy, error: failed to rotate DEK uid="')
    assert "errState=<nil>, errGen=<nil>" in error and "expirationTimestamp=" in error
    # the old seed stays in use until a rotation succeeds
    assert provider.state.key_id == "key-1"


async def test_no_write_state_until_the_plugin_answers(served):
    await served.stop()
    provider = served.provider(timeout=0.3)
    await provider.start()
    with pytest.raises(TransformError, match="got unexpected nil transformer"):
        provider.to_storage(b"v", CONTEXT)
    await served.start()
    # the status loop retries every retry_interval while unhealthy
    state = await eventually(lambda: provider.state, what="the provider's write state")
    assert state.key_id == "key-1"


def test_status_reply_shape():
    assert api.StatusResponse(version="v2", healthz="ok", key_id="k").SerializeToString() == \
        b"\x0a\x02v2\x12\x02ok\x1a\x01k"
