"""Storage migration: rewrite every stored object of the given resources in place, so that each is stored
with the encryption configuration's current first provider and key, in the media type the replicas write
(`--storage-media-type`, application/json by default as theirs: give the same value).

    python -m apiserver.migrate --etcd-servers=https://127.0.0.1:2379 --etcd-cafile=... \\
        --etcd-certfile=... --etcd-keyfile=... --etcd-prefix=/registry \\
        --encryption-provider-config=encryption-config.yaml secrets [configmaps deployments.apps ...]

Each object is read and written back unchanged with a compare-and-swap on its mod revision, like kube's
storage version migrator does through the API: a replica's concurrent write simply wins and the object is
read again. An object already stored with the first key and in that media type is left alone (the write would
change nothing); a value no configured key can read is reported and skipped. Exit status 1 if any object
failed.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from apiserver.api.meta.types import Obj
from apiserver.options import etcd
from apiserver.options.errors import ConfigError
from apiserver.registry.catalogue import Catalogue, ResourceInfo
from apiserver.storage.encryption import EncryptionTransformers
from apiserver.storage.encryption_config import EncryptionConfigError, GroupResource
from apiserver.storage.encryption_reload import load_transformers
from apiserver.storage.etcd3 import Etcd3Storage
from apiserver.storage.etcd_client import EtcdClient, EtcdError
from apiserver.storage.interface import (
    CorruptObject,
    KeyNotFound,
    UnwritableObject,
)
from apiserver.storage.keys import prefix_end, storage_root
from apiserver.storage.media_type import JSON

PAGE = 500


@dataclass
class MigrationResult:
    resource: str
    rewritten: int = 0
    current: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.resource}: {self.rewritten} rewritten, {self.current} already current, {self.failed} failed"


def resolve(catalogue: Catalogue, names: Sequence[str]) -> list[ResourceInfo]:
    """Resources as the encryption config names them (`secrets`, `deployments.apps`) → catalogue rows."""
    rows = []
    for name in names:
        wanted = GroupResource.parse(name)
        matches = [info for info in catalogue.stored() if GroupResource(info.group, info.plural) == wanted]
        if not matches:
            raise ValueError(f"unknown resource {name!r}: name it as the encryption config does, e.g. "
                             "secrets or deployments.apps")
        rows.extend(matches)
    return rows


async def migrate_resource(client: EtcdClient, etcd_prefix: str, info: ResourceInfo,
                           transformers: EncryptionTransformers, media_type: str = JSON) -> MigrationResult:
    storage = Etcd3Storage(client, transformers.for_resource(GroupResource(info.group, info.plural)), media_type)
    root = storage_root(etcd_prefix, info.storage_prefix).encode()
    result = MigrationResult(f"{info.plural}.{info.group}" if info.group else info.plural)
    async for page in client.range_pages(root, prefix_end(root), limit=PAGE, keys_only=True):
        for kv in page.kvs:
            await _rewrite(storage, kv.key.decode(), result)
    return result


async def _rewrite(storage: Etcd3Storage, key: str, result: MigrationResult) -> None:
    seen: list[str] = []

    async def unchanged(current: Obj | None) -> Obj:
        if current is None:
            raise KeyNotFound(key)
        seen.append(current["metadata"]["resourceVersion"])
        return current

    try:
        obj, _ = await storage.guaranteed_update(key, unchanged)
    except KeyNotFound:
        return   # deleted since the listing: nothing left to migrate
    except (CorruptObject, UnwritableObject) as exc:
        result.failed += 1
        print(f"{key}: {exc}", file=sys.stderr)
        return
    if obj["metadata"]["resourceVersion"] == seen[-1]:
        result.current += 1
    else:
        result.rewritten += 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m apiserver.migrate",
                                description="Rewrite stored objects with the current encryption provider "
                                            "and storage media type.")
    # the replicas' own storage flags, so that a command line of theirs can be reused as it is
    etcd.add_flags(p)
    p.add_argument("--encryption-provider-config", type=Path, required=True)
    p.add_argument("resources", nargs="+", help="resources as the encryption config names them")
    return p


async def run(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    try:
        storage = etcd.from_args(args)
        transformers = load_transformers(args.encryption_provider_config)
        rows = resolve(Catalogue(), args.resources)
    except (ConfigError, EncryptionConfigError, ValueError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    client = EtcdClient(storage.client_config())
    failed = 0
    try:
        await client.connect()
        # KMS v2 providers ask their plugin for the current key ID and a write seed first, as a replica does
        await transformers.start()
        for info in rows:
            result = await migrate_resource(client, storage.prefix, info, transformers, storage.storage_media_type)
            print(result, flush=True)
            failed += result.failed
    except EtcdError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    finally:
        await transformers.stop()
        await client.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run(sys.argv[1:])))
