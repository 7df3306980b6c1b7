"""What every KMS v2 provider of a replica shares: its timings, where its metrics go, what to do on recovery."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class KMSTimings:
    """kube's constants by default; tests shorten them (through the replica's flags) to see expiry happen."""
    status_interval: float = 60.0
    write_dek_max_ttl: float = 180.0

    @property
    def retry_interval(self) -> float:
        return min(10.0, self.status_interval)

    @property
    def healthy_ttl(self) -> float:
        return min(20.0, self.status_interval)

    @property
    def unhealthy_ttl(self) -> float:
        return min(3.0, self.status_interval)


class KMSRecorder(Protocol):
    """kube's envelope-encryption metrics (apiserver_envelope_encryption_*, the DEK cache misses)."""

    def kms_operation(self, provider: str, method: str, code: str, seconds: float) -> None: ...

    def key_id_used(self, transformation: str, provider: str, key_id: str) -> None: ...

    def status_key_id(self, provider: str, key_id: str) -> None: ...

    def invalid_status_key_id(self, provider: str, error: str) -> None: ...

    def dek_cache_miss(self) -> None: ...


class NoKMSRecording:
    """The recorder of tools that keep no metrics (the storage migration, tests)."""

    def kms_operation(self, provider: str, method: str, code: str, seconds: float) -> None:
        pass

    def key_id_used(self, transformation: str, provider: str, key_id: str) -> None:
        pass

    def status_key_id(self, provider: str, key_id: str) -> None:
        pass

    def invalid_status_key_id(self, provider: str, error: str) -> None:
        pass

    def dek_cache_miss(self) -> None:
        pass


def _nothing() -> None:
    pass


@dataclass(frozen=True)
class KMSSettings:
    timings: KMSTimings = field(default_factory=KMSTimings)
    recorder: KMSRecorder = field(default_factory=NoKMSRecording)
    # called when a plugin answers well again after failing: reads that failed meanwhile can succeed now
    on_recovery: Callable[[], None] = _nothing
