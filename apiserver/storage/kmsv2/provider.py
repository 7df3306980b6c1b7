"""One `kms` provider with `apiVersion: v2`: the transformer over its plugin, and the plugin's status loop.

The plugin is only asked for what local crypto cannot do, as in kube-apiserver 1.29+:
- Writes use a *write state* prepared ahead: a local DEK seed the plugin encrypted once, with the key ID it
  answered. The state is made when the provider starts and again whenever the plugin's Status reports
  another key ID; each successful Status extends its life by `write_dek_max_ttl` (kube: 3 minutes). A
  plugin that stops answering leaves writes working on the current seed until then, after which they fail
  (so a storage migration started that long after a KMS key rotation is sure to use the new key).
- Reads decrypt the stored seed through the plugin once per distinct seed and keep it in a bounded cache;
  a cache miss is the only read that waits on the plugin (`KeyFetchNeeded`), and concurrent misses of one
  seed share one call. A value is stale when its key ID is not the plugin's current one.
- Health: `kms-provider-<n>` asks Status at most every 20 s while healthy, every 3 s while not (kube's
  TTLs), and a background loop polls Status every minute (every 10 s after a failure).
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from apiserver.api.meta.goformat import aggregate, quote
from apiserver.storage.kmsv2 import envelope
from apiserver.storage.kmsv2.client import KMSClient, KMSError, StatusResponse
from apiserver.storage.kmsv2.encrypted_object_pb2 import (
    HKDF_SHA256_XNONCE_AES_GCM_SEED,
    EncryptedObject,
)
from apiserver.storage.kmsv2.settings import KMSSettings
from apiserver.storage.transformer import KeyFetchNeeded, TransformError

log = logging.getLogger(__name__)

PREFIX = "k8s:enc:kms:v2:"
API_VERSIONS = ("v2", "v2beta1")
NO_STATE = "got unexpected nil transformer"


def _rfc3339(timestamp: float | None) -> str:
    if timestamp is None:
        return "0001-01-01T00:00:00Z"   # Go's zero time
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _go_error(message: str | None) -> str:
    return "<nil>" if message is None else message


@dataclass
class WriteState:
    cipher: envelope.SeedCipher
    header: EncryptedObject          # everything of the stored envelope except encryptedData
    cache_key: bytes
    expires: float                   # wall-clock seconds

    @property
    def key_id(self) -> str:
        return self.header.keyID


class KMSv2Provider:
    def __init__(self, name: str, endpoint: str, timeout: float, settings: KMSSettings = KMSSettings()) -> None:
        self.name = name
        self.prefix = f"{PREFIX}{name}:".encode()
        self.settings = settings
        self.recorder = settings.recorder
        self.client = KMSClient(endpoint, timeout,
                                lambda method, code, seconds: self.recorder.kms_operation(name, method, code, seconds))
        self.timings = settings.timings
        self.seeds = envelope.SeedCache()
        self.state: WriteState | None = None
        self._version = ""
        self._last: tuple[float, str | None] | None = None   # (monotonic time, error) of the last Status
        self._fetches: dict[bytes, asyncio.Task] = {}
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.Task | None = None

    # --- lifecycle ------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connects and primes the write state with one Status inline, as kube does; a plugin that is not up
        yet is not fatal: the loop keeps trying every retry interval."""
        self._lock = asyncio.Lock()
        self.client.connect()
        error = await self.refresh()
        if error:
            log.error("kms plugin failed health check probe: %s", error)
        self._loop = asyncio.create_task(self._poll(), name=f"kms-v2-status {self.name}")

    async def stop(self) -> None:
        if self._loop:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)
        await self.client.close()

    async def _poll(self) -> None:
        while True:
            healthy = self._last is not None and self._last[1] is None
            await asyncio.sleep(self.timings.status_interval if healthy else self.timings.retry_interval)
            error = await self.refresh()
            if error:
                log.error("kms plugin failed health check probe: %s", error)

    # --- status and the write state -------------------------------------------------------------------

    async def health(self) -> str | None:
        """The `kms-provider-<n>` check: the last Status answer while it is fresh enough, else a new one."""
        assert self._lock is not None, "provider not started"
        async with self._lock:
            if self._last is not None:
                ttl = self.timings.healthy_ttl if self._last[1] is None else self.timings.unhealthy_ttl
                if time.monotonic() - self._last[0] < ttl:
                    return self._last[1]
            return await self._probe()

    async def refresh(self) -> str | None:
        assert self._lock is not None, "provider not started"
        async with self._lock:
            return await self._probe()

    async def _probe(self) -> str | None:
        try:
            status = await self.client.status()
        except KMSError as exc:
            error: str | None = (f"failed to perform status section of the healthz check for KMS Provider "
                                 f"{self.name}, error: {exc}")
        else:
            error = await self._check_status(status)
        recovered = error is None and self._last is not None and self._last[1] is not None
        self._last = (time.monotonic(), error)
        if recovered:
            log.info("kms provider %s: plugin healthy again", self.name)
            self.settings.on_recovery()
        return error

    async def _check_status(self, status: StatusResponse) -> str | None:
        errors = []
        if status.healthz != "ok":
            errors.append(f"got unexpected healthz status: {status.healthz}")
        if status.version not in API_VERSIONS:
            errors.append(f"expected KMSv2 API version v2, got {status.version}")
        else:
            self._version = self._version or status.version
            if status.version != self._version:
                errors.append(f"KMSv2 API version should not change after the initial status response version "
                              f"{self._version}, got {status.version}")
        problem = envelope.key_id_error(status.key_id)
        if problem:
            self.recorder.invalid_status_key_id(self.name, problem[0])
            errors.append(f"got invalid KMSv2 KeyID hash {quote(envelope.key_id_hash(status.key_id))}: {problem[1]}")
        else:
            self.recorder.status_key_id(self.name, status.key_id)
            rotation = await self._rotate_on_key_change(status.key_id)
            if rotation:
                errors.append(rotation)
        if errors:
            return f"kmsv2 Provider {self.name} is not healthy, error: {aggregate(errors)}"
        return None

    async def _rotate_on_key_change(self, key_id: str) -> str | None:
        """Keeps the seed while the plugin's key ID is unchanged (extending its life), else makes a new one.
        On failure the old state stays usable for writes until it expires."""
        # the expiry counts from before the plugin call: write_dek_max_ttl is an upper bound
        expires = time.time() + self.timings.write_dek_max_ttl
        state = self.state
        if state is not None and state.key_id == key_id:
            state.expires = expires
            return None
        uid = str(uuid.uuid4())
        seed = os.urandom(envelope.SEED_SIZE)
        encrypt_key_id = ""
        try:
            reply = await self.client.encrypt(seed, uid)
            encrypt_key_id = reply.key_id
            header = EncryptedObject(keyID=reply.key_id, encryptedDEKSource=reply.ciphertext,
                                     annotations=reply.annotations,
                                     encryptedDEKSourceType=HKDF_SHA256_XNONCE_AES_GCM_SEED)
            envelope.validate(EncryptedObject(encryptedData=b"\0", keyID=header.keyID,
                                              encryptedDEKSource=header.encryptedDEKSource,
                                              annotations=header.annotations))
            generation_error = None
        except KMSError as exc:
            generation_error = f"failed to encrypt DEK, error: {exc}"
        except TransformError as exc:
            generation_error = str(exc)
        if generation_error is None and encrypt_key_id == key_id:
            key = envelope.cache_key(HKDF_SHA256_XNONCE_AES_GCM_SEED, header.encryptedDEKSource, header.keyID,
                                     header.annotations)
            cipher = envelope.SeedCipher(seed)
            self.seeds.put(key, cipher)
            self.state = WriteState(cipher, header, key, expires)
            log.info("kms provider %s: new DEK seed for key ID hash %s", self.name, envelope.key_id_hash(key_id))
            return None
        return (f"failed to rotate DEK uid={quote(uid)}, useSeed=true, "
                f"errState={_go_error(None if state else NO_STATE)}, errGen={_go_error(generation_error)}, "
                f"statusKeyIDHash={quote(envelope.key_id_hash(key_id))}, "
                f"encryptKeyIDHash={quote(envelope.key_id_hash(encrypt_key_id))}, "
                f"stateKeyIDHash={quote(envelope.key_id_hash(state.key_id if state else ''))}, "
                f"expirationTimestamp={_rfc3339(state.expires if state else None)}")

    # --- the transformer ------------------------------------------------------------------------------

    def from_storage(self, data: bytes, context: bytes) -> tuple[bytes, bool]:
        obj = envelope.decode(data)
        state = self.state
        if state is None:
            raise TransformError(NO_STATE)
        key = envelope.cache_key(obj.encryptedDEKSourceType, obj.encryptedDEKSource, obj.keyID, obj.annotations)
        cipher = self.seeds.get(key)
        if cipher is None:
            self.recorder.dek_cache_miss()
            raise KeyFetchNeeded(lambda: self._fetch(key, obj))
        plain = cipher.decrypt(obj.encryptedData, context)
        self.recorder.key_id_used("from_storage", self.name, obj.keyID)
        return plain, (obj.keyID != state.key_id
                       or obj.encryptedDEKSourceType != state.header.encryptedDEKSourceType)

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        state = self.state
        if state is None:
            raise TransformError(NO_STATE)
        now = time.time()
        if now > state.expires:
            raise TransformError(f"encryptedDEKSource with keyID hash {quote(envelope.key_id_hash(state.key_id))} "
                                 f"expired at {_rfc3339(state.expires)} (current time is {_rfc3339(now)})")
        # the write seed stays cached however many other seeds reads bring in (kube re-adds it on every write)
        self.seeds.put(state.cache_key, state.cipher)
        out = EncryptedObject()
        out.CopyFrom(state.header)
        out.encryptedData = state.cipher.encrypt(data, context)
        encoded = envelope.encode(out)
        self.recorder.key_id_used("to_storage", self.name, state.key_id)
        return encoded

    async def _fetch(self, key: bytes, obj: EncryptedObject) -> None:
        task = self._fetches.get(key)
        if task is None:
            task = asyncio.create_task(self._decrypt_seed(key, obj))
            self._fetches[key] = task

            def done(finished: asyncio.Task) -> None:
                self._fetches.pop(key, None)
                if not finished.cancelled():
                    finished.exception()   # retrieved here too: every waiter may have given up already

            task.add_done_callback(done)
        # one caller giving up (a cancelled request) must not cancel the call the others wait on
        await asyncio.shield(task)

    async def _decrypt_seed(self, key: bytes, obj: EncryptedObject) -> None:
        try:
            plaintext = await self.client.decrypt(obj.encryptedDEKSource, obj.keyID, obj.annotations)
        except KMSError as exc:
            raise TransformError(f"failed to decrypt DEK, error: {exc}") from None
        self.seeds.put(key, envelope.cipher_for(obj.encryptedDEKSourceType, plaintext))
