"""Where objects live in etcd: a resource's key prefix, and the end of a prefix's key range."""
from __future__ import annotations


def storage_root(etcd_prefix: str, storage_prefix: str) -> str:
    """The etcd key prefix of a resource whose key path under --etcd-prefix is `storage_prefix`
    (`ResourceInfo.storage_prefix`), e.g. `/registry/configmaps/`."""
    return f"{etcd_prefix.rstrip('/')}/{storage_prefix}/"


def prefix_end(prefix: bytes) -> bytes:
    """The smallest key greater than every key starting with `prefix` (etcd's range_end for a prefix)."""
    end = bytearray(prefix)
    for i in range(len(end) - 1, -1, -1):
        if end[i] < 0xFF:
            end[i] += 1
            return bytes(end[: i + 1])
    return b"\0"
