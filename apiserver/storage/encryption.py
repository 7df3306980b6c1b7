"""Encryption at rest: the transformers an EncryptionConfiguration asks for, chosen per resource.

Each provider is a prefix and a transformer (`PROVIDERS` builds them by type), so that a KMS v2 provider
plugs in as one more builder: its prefix is `k8s:enc:kms:v2:<name>:` and its transformer receives the etcd
key as authenticated data like aesgcm's. Key-based providers nest one prefix per key
(`k8s:enc:aescbc:v1:` then `<keyname>:`), exactly as kube-apiserver writes them.

A resource takes the providers of the entry naming it exactly, else of `*.<group>`, else of `*.*`; a
resource named by no entry is stored in plaintext. The resource lists are swapped whole on a reload
(`EncryptionTransformers.set`), and every read and write looks the current ones up, so a replica never
mixes two files.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from apiserver.api.goformat import quote

from apiserver.storage.encryption_ciphers import AESCBCTransformer, AESGCMTransformer, SecretboxTransformer
from apiserver.storage.encryption_config import (
    ANY_GROUP_ANY_RESOURCE, EncryptionConfigError, EncryptionConfiguration, GroupResource, ProviderConfig,
)
from apiserver.storage.transformer import (
    IDENTITY, PrefixTransformer, PrefixTransformers, TransformRecorder, Transformer, no_recording,
)

KeyCipher = Callable[[bytes], Transformer]


def _keyed(prefix: str, cipher: KeyCipher, no_key: str) -> Callable[[ProviderConfig, TransformRecorder],
                                                                    PrefixTransformer]:
    def build(config: ProviderConfig, record: TransformRecorder) -> PrefixTransformer:
        per_key = [PrefixTransformer(f"{key.name}:".encode(), cipher(key.secret)) for key in config.keys]
        return PrefixTransformer(prefix.encode(), PrefixTransformers(per_key, no_key, record))
    return build


def _identity(config: ProviderConfig, record: TransformRecorder) -> PrefixTransformer:
    return PrefixTransformer(b"", IDENTITY)


PROVIDERS: dict[str, Callable[[ProviderConfig, TransformRecorder], PrefixTransformer]] = {
    "aescbc": _keyed("k8s:enc:aescbc:v1:", AESCBCTransformer,
                     "no matching key was found for the provided AES transformer"),
    "aesgcm": _keyed("k8s:enc:aesgcm:v1:", AESGCMTransformer,
                     "no matching key was found for the provided AES transformer"),
    "secretbox": _keyed("k8s:enc:secretbox:v1:", SecretboxTransformer,
                        "no matching key was found for the provided Secretbox transformer"),
    "identity": _identity,
}


def build_overrides(config: EncryptionConfiguration,
                    record: TransformRecorder = no_recording) -> dict[GroupResource, Transformer]:
    """The transformer of every resource the file names; an entry after a wildcard that covers it is an error."""
    lists: dict[GroupResource, list[PrefixTransformer]] = {}
    for entry in config.resources:
        providers = [PROVIDERS[p.type](p, record) for p in entry.providers]
        for name in entry.resources:
            gr = GroupResource.parse(name)
            for wider in (GroupResource(gr.group, "*"), ANY_GROUP_ANY_RESOURCE):
                if wider in lists:
                    raise EncryptionConfigError(f"error while building transformers: resource {quote(str(gr))} "
                                                f"is masked by earlier rule {quote(str(wider))}")
            # a resource named by two entries reads with the providers of both and writes with the first's
            lists.setdefault(gr, []).extend(providers)
    return {gr: PrefixTransformers(items, "no matching prefix found", record) for gr, items in lists.items()}


def lookup(overrides: dict[GroupResource, Transformer], resource: GroupResource) -> Transformer:
    """kube's precedence: the exact resource, then its group's wildcard, then `*.*`, then plaintext."""
    return (overrides.get(resource) or overrides.get(GroupResource(resource.group, "*"))
            or overrides.get(ANY_GROUP_ANY_RESOURCE) or IDENTITY)


def storage_resource(group: str, plural: str) -> GroupResource:
    """The resource an object is encrypted as: events.k8s.io Events are core Events in kube's storage, and
    kube's configuration refuses `*.events.k8s.io`, so `events` must cover them here too."""
    if group == "events.k8s.io" and plural == "events":
        return GroupResource("", "events")
    return GroupResource(group, plural)


class EncryptionTransformers:
    """The current per-resource transformers of one replica; `set` replaces them all at once."""

    def __init__(self, overrides: dict[GroupResource, Transformer] | None = None, content_hash: str = "") -> None:
        self.overrides = overrides or {}
        self.content_hash = content_hash

    def set(self, overrides: dict[GroupResource, Transformer], content_hash: str) -> None:
        self.overrides = overrides
        self.content_hash = content_hash

    def for_resource(self, resource: GroupResource) -> "ResourceTransformer":
        return ResourceTransformer(self, resource)


@dataclass(frozen=True)
class ResourceTransformer:
    """One resource's view: resolved on every call so that a reload takes effect on the next read or write."""
    source: EncryptionTransformers
    resource: GroupResource

    def from_storage(self, data: bytes, context: bytes) -> tuple[bytes, bool]:
        return lookup(self.source.overrides, self.resource).from_storage(data, context)

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        return lookup(self.source.overrides, self.resource).to_storage(data, context)
