"""Periodic etcd compaction, at most once per interval across all replicas.

As kube-apiserver does: every interval the compactor records etcd's current revision under a shared key with a
compare-and-swap on that key's version, and compacts to the revision recorded one interval earlier, so every
watcher keeps at least one interval of history. A replica whose swap fails knows another replica did this
interval's work. Here only the elected leader runs it; the swap still protects the hand-over between leaders.
"""
from __future__ import annotations

import asyncio
import logging

from aetcd.rpc import rpc_pb2

from apiserver.storage.etcd_client import CompactedError, EtcdClient, EtcdError

log = logging.getLogger(__name__)

COMPACT_KEY = b"compact_rev_key"


class Compactor:
    def __init__(self, client: EtcdClient, interval: float) -> None:
        self.client = client
        self.interval = interval
        self.version = 0            # the compact key's version as this replica last saw it
        self.recorded = 0           # the revision recorded one interval ago
        self.compactions = 0

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.tick()
            except EtcdError as exc:
                log.warning("compaction: %s", exc)

    async def tick(self) -> None:
        revision = await self.client.current_revision()
        compare = [rpc_pb2.Compare(key=COMPACT_KEY, target=rpc_pb2.Compare.VERSION,
                                   result=rpc_pb2.Compare.EQUAL, version=self.version)]
        put = rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=COMPACT_KEY, value=str(revision).encode()))
        get = rpc_pb2.RequestOp(request_range=rpc_pb2.RangeRequest(key=COMPACT_KEY))
        response = await self.client.txn(compare, [put], [get])
        if not response.succeeded:
            kvs = response.responses[0].response_range.kvs
            self.version = kvs[0].version if kvs else 0
            self.recorded = int(kvs[0].value) if kvs else 0
            return
        previous, self.recorded = self.recorded, revision
        self.version += 1
        if previous:
            try:
                await self.client.compact(previous)
            except CompactedError:
                pass    # someone compacted further already: nothing lost
            self.compactions += 1
            log.info("compacted etcd at revision %d", previous)
