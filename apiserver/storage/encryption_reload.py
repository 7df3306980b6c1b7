"""Loading the encryption configuration at start-up, and reloading it while serving
(`--encryption-provider-config-automatic-reload`).

kube-apiserver watches the file with fsnotify and polls it every minute; here the file's content hash is
polled every second, which notices an edit about as quickly and needs no inotify. A new file that fails to
load or build keeps the old transformers in place, is logged and counted as a failed reload, and is not
retried until its content changes again.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from apiserver.storage.encryption import BuiltConfig, EncryptionTransformers, build
from apiserver.storage.encryption_config import (
    EncryptionConfigError,
    content_hash,
    load_encryption_config,
    read_config_file,
)
from apiserver.storage.kmsv2.settings import KMSSettings
from apiserver.storage.transformer import TransformRecorder, no_recording

log = logging.getLogger(__name__)

POLL_INTERVAL = 1.0
MIN_HEALTH_WAIT = 10.0


def load_transformers(path: Path, record: TransformRecorder = no_recording,
                      kms_settings: KMSSettings = KMSSettings()) -> EncryptionTransformers:
    """The transformers of the file at `path`, not started yet; raises EncryptionConfigError with kube's
    wording."""
    return EncryptionTransformers(build(load_encryption_config(path), record, kms_settings))


async def wait_healthy(built: BuiltConfig, interval: float = 0.1) -> str | None:
    """kube's check of a reloaded file's KMS providers: their health polled for twice the sum of their timeouts
    (10 s at least); None once healthy, else the failure."""
    deadline = asyncio.get_running_loop().time() + max(2 * built.kms_timeout_sum, MIN_HEALTH_WAIT)
    while True:
        error = await built.kms_health()
        if error is None:
            return None
        if asyncio.get_running_loop().time() >= deadline:
            return f"health check for new transformers failed, polling error context deadline exceeded: {error}"
        await asyncio.sleep(interval)


@dataclass
class EncryptionConfigReloader:
    path: Path
    transformers: EncryptionTransformers
    record_transformation: TransformRecorder
    # called with True/False after each attempt at a changed file (the reload metrics)
    report: Callable[[bool], None]
    # called after new transformers are in place (the watch caches retry what they could not read)
    on_change: Callable[[], None]
    interval: float = POLL_INTERVAL
    kms_settings: KMSSettings = KMSSettings()

    def __post_init__(self) -> None:
        self._failed_hash = ""
        self._retiring: set[asyncio.Task] = set()

    async def run(self) -> None:
        try:
            while True:
                await asyncio.sleep(self.interval)
                await self.check()
        finally:
            for task in self._retiring:
                task.cancel()

    async def check(self) -> None:
        try:
            digest = content_hash(read_config_file(self.path))
        except EncryptionConfigError as exc:
            # a file being replaced may be briefly absent or empty; the next poll sees the new one
            log.debug("encryption config not readable right now: %s", exc)
            return
        if digest in (self.transformers.content_hash, self._failed_hash):
            return
        try:
            built = build(load_encryption_config(self.path), self.record_transformation, self.kms_settings)
        except EncryptionConfigError as exc:
            self._failed_hash = digest
            log.error("error processing encryption config file %s: %s", self.path, exc)
            self.report(False)
            return
        # KMS providers prime their write state and must be healthy before the swap, as in kube's reload;
        # unhealthy ones are not marked failed: the next poll tries again (the plugin may be starting)
        await built.start()
        unhealthy = await wait_healthy(built)
        if unhealthy:
            await built.stop()
            log.error("error processing encryption config file %s: %s", self.path, unhealthy)
            self.report(False)
            return
        self._retire(self.transformers.set(built))
        self._failed_hash = ""
        log.info("loaded new encryption config content from %s", self.path)
        self.report(True)
        self.on_change()

    def _retire(self, old: BuiltConfig) -> None:
        """Stops the old KMS providers once calls that may still use them are over: twice the sum of their
        timeouts, kube's grace period."""
        if not old.kms:
            return

        async def stop_later() -> None:
            await asyncio.sleep(2 * old.kms_timeout_sum)
            await old.stop()

        task = asyncio.create_task(stop_later(), name="encryption-config-retire")
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)
