"""Etcd3Storage on real etcd keeps the storage contract (tests/storage_contract.py), as MemoryStorage does."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from apiserver.storage.etcd3 import Etcd3Storage
from apiserver.storage.etcd_client import EtcdClient, EtcdClientConfig
from certs.pki import PkiPaths
from etcd.launcher import EtcdCluster
from tests.storage_contract import Backend, StorageContract


async def etcd_backend(cluster: EtcdCluster, pki: PkiPaths) -> tuple[Backend, EtcdClient]:
    client = EtcdClient(EtcdClientConfig(endpoints=list(cluster.client_urls), ca_file=str(pki.etcd_ca_cert),
                                         cert_file=str(pki.etcd_client_cert), key_file=str(pki.etcd_client_key)))
    await client.connect()
    prefix = f"/storage-contract/{uuid.uuid4().hex[:10]}/configmaps/"
    return Backend(Etcd3Storage(client), prefix, client.compact), client


class TestEtcd3Storage(StorageContract):
    @pytest.fixture
    async def backend(self, etcd_cluster: EtcdCluster, pki: PkiPaths) -> AsyncIterator[Backend]:
        backend, client = await etcd_backend(etcd_cluster, pki)
        yield backend
        await client.close()

    @pytest.fixture
    async def compacting_backend(self, etcd_cluster_factory: Callable[..., EtcdCluster],
                                 pki: PkiPaths) -> AsyncIterator[Backend]:
        # compaction is cluster-wide: not on the cluster the other tests share
        backend, client = await etcd_backend(etcd_cluster_factory(members=1), pki)
        yield backend
        await client.close()
