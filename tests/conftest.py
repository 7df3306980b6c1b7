"""Shared fixtures: the cluster's PKI and real etcd clusters with mTLS."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from certs.pki import PkiPaths, ensure_pki
from etcd.launcher import EtcdCluster, EtcdClusterConfig

SHM = Path("/dev/shm")


class _Clusters:
    """Starts etcd clusters on demand and owns them: close() stops every one and removes its data."""

    def __init__(self, pki: PkiPaths) -> None:
        self._pki = pki
        self._owned: list[tuple[EtcdCluster, Path]] = []

    def start(self, members: int = 3, **options: Any) -> EtcdCluster:
        # etcd 3.4 cannot skip fsync; memory-backed data directories make it cheap.
        base = SHM if SHM.is_dir() and os.access(SHM, os.W_OK) else None
        root = Path(tempfile.mkdtemp(prefix="pykube-etcd-", dir=base))
        cluster = EtcdCluster(EtcdClusterConfig(data_root=root, pki=self._pki, members=members, **options))
        self._owned.append((cluster, root))
        cluster.start()
        return cluster

    def close(self) -> None:
        for cluster, root in self._owned:
            try:
                cluster.stop()
            finally:
                shutil.rmtree(root, ignore_errors=True)
        self._owned.clear()


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiPaths:
    return ensure_pki(tmp_path_factory.mktemp("pki"), node_name="testnode")


@pytest.fixture(scope="session")
def etcd_cluster(pki: PkiPaths) -> Iterator[EtcdCluster]:
    """One 3-member cluster for the whole session; tests must leave it running and healthy."""
    clusters = _Clusters(pki)
    try:
        yield clusters.start(members=3)
    finally:
        clusters.close()


@pytest.fixture
def etcd_cluster_factory(pki: PkiPaths) -> Iterator[Callable[..., EtcdCluster]]:
    """factory(members=3, **EtcdClusterConfig options) -> a separate, started cluster, stopped after the test.

    For tests that kill, freeze or restart etcd without disturbing the shared cluster.
    """
    clusters = _Clusters(pki)
    try:
        yield clusters.start
    finally:
        clusters.close()
