"""MemoryStorage keeps the storage contract (tests/storage_contract.py), and a Cacher runs over it."""
from __future__ import annotations

import pytest

from apiserver.storage.memory import MemoryStorage
from tests.storage_contract import Backend, StorageContract, configmap, rv


def memory_backend() -> Backend:
    storage = MemoryStorage()

    async def compact(revision: int) -> None:
        storage.compact(revision)

    return Backend(storage, "/registry/configmaps/", compact)


class TestMemoryStorage(StorageContract):
    @pytest.fixture
    def backend(self) -> Backend:
        return memory_backend()

    @pytest.fixture
    def compacting_backend(self) -> Backend:
        return memory_backend()

    async def test_one_revision_counter_for_every_key_and_write(self, backend: Backend) -> None:
        s, p = backend.storage, backend.prefix
        a = await s.create(p + "ns/a", configmap("a"))
        b = await s.create("/registry/secrets/ns/b", configmap("b"))
        await s.delete(p + "ns/a")
        assert (rv(a), rv(b), s.written) == (2, 3, 4)
