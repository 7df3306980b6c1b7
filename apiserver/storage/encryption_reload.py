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
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from apiserver.storage.encryption import EncryptionTransformers, build_overrides
from apiserver.storage.encryption_config import (
    EncryptionConfigError, content_hash, load_encryption_config, read_config_file,
)
from apiserver.storage.transformer import TransformRecorder, no_recording

log = logging.getLogger(__name__)

POLL_INTERVAL = 1.0


def load_transformers(path: Path, record: TransformRecorder = no_recording) -> EncryptionTransformers:
    """The transformers of the file at `path`; raises EncryptionConfigError with kube's wording."""
    config = load_encryption_config(path)
    return EncryptionTransformers(build_overrides(config, record), config.content_hash)


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

    def __post_init__(self) -> None:
        self._failed_hash = ""

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.check()

    def check(self) -> None:
        try:
            digest = content_hash(read_config_file(self.path))
        except EncryptionConfigError as exc:
            # a file being replaced may be briefly absent or empty; the next poll sees the new one
            log.debug("encryption config not readable right now: %s", exc)
            return
        if digest in (self.transformers.content_hash, self._failed_hash):
            return
        try:
            config = load_encryption_config(self.path)
            overrides = build_overrides(config, self.record_transformation)
        except EncryptionConfigError as exc:
            self._failed_hash = digest
            log.error("error processing encryption config file %s: %s", self.path, exc)
            self.report(False)
            return
        self.transformers.set(overrides, config.content_hash)
        self._failed_hash = ""
        log.info("loaded new encryption config content from %s", self.path)
        self.report(True)
        self.on_change()
