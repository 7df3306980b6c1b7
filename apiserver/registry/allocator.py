"""Race-free allocation of numbered items (service IPs, node ports) across replicas: one etcd key per item.

An item is taken by creating its key with a create_revision == 0 compare, so of two replicas racing for the
same item exactly one wins, whatever either has cached (the spirit of kube's IPAddress objects). Release
deletes the key. The key's value names the owner, for the repair loop and for people reading etcd.

As kube does since ServiceIPStaticSubrange / ServiceNodePortStaticSubrange, the lower band of a range is
left to explicit requests: automatic allocation tries the upper band first and falls back to the lower one.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from aetcd.rpc import rpc_pb2

from apiserver.storage.etcd_client import EtcdClient, KeyValue
from apiserver.storage.keys import prefix_end

# a lost race for a free item is retried with another one this many times before giving up
_ATTEMPTS = 16


class AlreadyAllocated(Exception):
    pass


class NotInRange(Exception):
    pass


class RangeFull(Exception):
    pass


@dataclass(frozen=True)
class ItemRange:
    """Items first..last (integers), how they are spelled in keys and messages, and the static band's size."""
    first: int
    last: int
    render: Callable[[int], str]
    parse: Callable[[str], int]
    static_band: int
    description: str    # kube's rendering of the range in "not in the valid range" messages

    def __contains__(self, item: int) -> bool:
        return self.first <= item <= self.last


def static_band(size: int, divisor: int, lowest: int, highest: int) -> int:
    """kube's size of the lower band kept for explicit requests: none in a tiny range, else size/divisor clamped."""
    if size < lowest:
        return 0
    return min(max(lowest, size // divisor), highest)


class RangeAllocator:
    def __init__(self, client: EtcdClient, root: str, items: ItemRange) -> None:
        self.client = client
        self.root = root.rstrip("/") + "/"
        self.items = items

    def key(self, item: int) -> bytes:
        return f"{self.root}{self.items.render(item)}".encode()

    async def allocate(self, item: int, owner: dict[str, str]) -> int:
        """Takes the item for `owner`; answers the revision of the key, which a rollback compares against."""
        self.check_range(item)
        result = await self.client.create(self.key(item), orjson.dumps(owner))
        if not result.succeeded:
            raise AlreadyAllocated(self.items.render(item))
        return result.revision

    async def allocate_next(self, owner: dict[str, str]) -> tuple[int, int]:
        """Takes some free item for `owner`: (item, revision of its key)."""
        for _ in range(_ATTEMPTS):
            item = await self.free_item()
            result = await self.client.create(self.key(item), orjson.dumps(owner))
            if result.succeeded:
                return item, result.revision
        raise RangeFull(f"range is full or too contended: {self.items.description}")

    async def mark(self, item: int, owner: dict[str, str], guard_key: bytes, guard_revision: int) -> bool:
        """Takes the item only while `guard_key` (the owner's own key) is still at `guard_revision`: the repair
        loop re-marks what a Service holds without racing that Service's update or delete."""
        absent = rpc_pb2.Compare(key=self.key(item), target=rpc_pb2.Compare.CREATE, result=rpc_pb2.Compare.EQUAL,
                                 create_revision=0)
        unchanged = rpc_pb2.Compare(key=guard_key, target=rpc_pb2.Compare.MOD, result=rpc_pb2.Compare.EQUAL,
                                    mod_revision=guard_revision)
        put = rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=self.key(item), value=orjson.dumps(owner)))
        response = await self.client.txn([absent, unchanged], [put], [])
        return response.succeeded

    async def check_free(self, item: int) -> None:
        """What a dry run asks: would allocate(item) succeed right now?"""
        self.check_range(item)
        kv, _ = await self.client.get(self.key(item))
        if kv is not None:
            raise AlreadyAllocated(self.items.render(item))

    def check_range(self, item: int) -> None:
        if item not in self.items:
            raise NotInRange(self.items.render(item))

    async def free_item(self, exclude: frozenset[int] = frozenset()) -> int:
        """A random free item (none of `exclude`), from the upper band if it has one left."""
        taken = set(await self.allocated(keys_only=True)) | exclude
        split = self.items.first + self.items.static_band
        for low, high in ((split, self.items.last), (self.items.first, split - 1)):
            item = random_free(low, high, taken)
            if item is not None:
                return item
        raise RangeFull(f"range is full: {self.items.description}")

    async def release(self, item: int, mod_revision: int) -> bool:
        """Frees the item if its key is still the version this replica knows, never someone else's later one."""
        result = await self.client.delete(self.key(item), mod_revision)
        return result.succeeded

    async def release_owned(self, item: int, uid: str) -> bool:
        """Frees the item if the object `uid` holds it: after a repair it may have passed to another owner."""
        kv, _ = await self.client.get(self.key(item))
        if kv is None or owner_of(kv).get("uid") != uid:
            return False
        return await self.release(item, kv.mod_revision)

    async def allocated(self, revision: int = 0, keys_only: bool = False) -> dict[int, KeyValue]:
        """Every allocated item, read at `revision` (0: now)."""
        root = self.root.encode()
        result = await self.client.range(root, prefix_end(root), revision=revision, keys_only=keys_only)
        out = {}
        for kv in result.kvs:
            try:
                out[self.items.parse(kv.key[len(root):].decode())] = kv
            except ValueError:
                continue    # a key written by hand or by another layout is not ours to judge
        return out


def owner_of(kv: KeyValue) -> dict[str, str]:
    try:
        owner = orjson.loads(kv.value)
    except orjson.JSONDecodeError:
        return {}
    return owner if isinstance(owner, dict) else {}


def random_free(low: int, high: int, taken: set[int]) -> int | None:
    """Starts at a random item and walks forward (wrapping) to the first free one, as kube's bitmap does."""
    size = high - low + 1
    if size <= 0:
        return None
    start = random.randrange(size)
    for step in range(size):
        item = low + (start + step) % size
        if item not in taken:
            return item
    return None
