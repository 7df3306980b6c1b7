"""All resource stores of one replica, each with its watch cache, built from the catalogue."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from apiserver.api.meta.types import Obj
from apiserver.authn.objects import TokenObjects
from apiserver.registry.catalogue import Catalogue, ResourceInfo
from apiserver.registry.serviceranges import ServiceNetwork
from apiserver.registry.store import RegistryStore
from apiserver.registry.strategy import StoreContext, no_effects
from apiserver.registry.versioned import AnyStore, VersionedStore
from apiserver.storage.cacher import Cacher, WatchCache
from apiserver.storage.encryption import EncryptionTransformers
from apiserver.storage.encryption_config import GroupResource
from apiserver.storage.etcd3 import Etcd3Storage
from apiserver.storage.etcd_client import EtcdClient
from apiserver.storage.keys import storage_root
from apiserver.storage.media_type import JSON


@dataclass(frozen=True)
class CacheSizes:
    default: int = 100
    # per-resource overrides, keyed "resource" or "resource.group" as --watch-cache-sizes spells them
    overrides: dict[str, int] = field(default_factory=dict)

    def size_for(self, info: ResourceInfo) -> int:
        qualified = f"{info.plural}.{info.group}" if info.group else info.plural
        return self.overrides.get(qualified, self.overrides.get(info.plural, self.default))


def storage_for(client: EtcdClient, info: ResourceInfo, encryption: EncryptionTransformers,
                media_type: str = JSON) -> Etcd3Storage:
    """A resource's etcd storage, reading and writing through that resource's encryption transformer."""
    return Etcd3Storage(client, encryption.for_resource(GroupResource(info.group, info.plural)), media_type)


class Registry:
    def __init__(self, catalogue: Catalogue, client: EtcdClient, etcd_prefix: str, cache_sizes: CacheSizes,
                 service_network: ServiceNetwork, encryption: EncryptionTransformers | None = None,
                 media_type: str = JSON) -> None:
        self.catalogue = catalogue
        self.encryption = encryption or EncryptionTransformers()
        self.caches: list[WatchCache] = []
        self.stores: dict[tuple[str, str, str], RegistryStore] = {}
        self.service_network = service_network
        context = StoreContext(client, etcd_prefix, service_network)
        for info in catalogue.stored():
            etcd = storage_for(client, info, self.encryption, media_type)
            root = storage_root(etcd_prefix, info.storage_prefix)
            cache = WatchCache(etcd, root, cache_sizes.size_for(info))
            effects = info.strategy.effects(context) if info.strategy.effects else no_effects
            store = RegistryStore(info, Cacher(etcd, cache), etcd_prefix, self.find_namespace, effects)
            self.caches.append(cache)
            self.stores[(info.group, info.version, info.plural)] = store
        # the other served versions of a resource share its storage version's store (and watch cache), in
        # its group or another's
        self.versions: dict[tuple[str, str, str], VersionedStore] = {
            (info.group, info.version, info.plural): VersionedStore(info, self.stores[info.stored_in])
            for info in catalogue.rows if info.storage_version and not info.virtual}
        self.namespaces = self.stores[("", "v1", "namespaces")]

    def lookup(self, group: str, version: str, plural: str) -> RegistryStore | None:
        """The store of a resource in its storage version (the one internal callers read and write)."""
        return self.stores.get((group, version, plural))

    def store(self, group: str, version: str, plural: str) -> RegistryStore:
        """The store of a built-in resource every server has (a KeyError names one the catalogue lacks)."""
        return self.stores[(group, version, plural)]

    def token_objects(self) -> TokenObjects:
        """The core stores ServiceAccount and bootstrap tokens are checked against."""
        return TokenObjects(secrets=self.store("", "v1", "secrets"),
                            service_accounts=self.store("", "v1", "serviceaccounts"),
                            pods=self.store("", "v1", "pods"), nodes=self.store("", "v1", "nodes"))

    def serving(self, group: str, version: str, plural: str) -> AnyStore | None:
        """What answers requests in any served version: the store itself or a converting view of it."""
        return self.stores.get((group, version, plural)) or self.versions.get((group, version, plural))

    def start(self) -> None:
        for cache in self.caches:
            cache.start()

    async def stop(self) -> None:
        await asyncio.gather(*(cache.stop() for cache in self.caches))

    def relist_unreadable(self) -> None:
        """After the encryption configuration changed or a KMS plugin recovered: caches holding values they
        could not read list again."""
        for cache in self.caches:
            if cache.unreadable:
                cache.relist()

    def synced(self) -> list[str]:
        """The prefixes whose caches are not ready (empty when all are)."""
        return [cache.prefix for cache in self.caches if not cache.ready.is_set()]

    async def find_namespace(self, name: str) -> Obj | None:
        return await self.namespaces.find("", name)
