"""Encryption at rest: the transformers an EncryptionConfiguration asks for, chosen per resource.

Each provider is a prefix and a transformer (`PROVIDERS` builds them by type). Key-based providers nest one
prefix per key (`k8s:enc:aescbc:v1:` then `<keyname>:`), exactly as kube-apiserver writes them; a KMS v2
provider is `k8s:enc:kms:v2:<name>:` over its plugin (`kmsv2/provider.py`), which has a life of its own:
the built configuration lists those providers so that they are started before use and stopped after.

A resource takes the providers of the entry naming it exactly, else of `*.<group>`, else of `*.*`; a
resource named by no entry is stored in plaintext. The resource lists are swapped whole on a reload
(`EncryptionTransformers.set`), and every read and write looks the current ones up, so a replica never
mixes two files.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from apiserver.api.meta.goformat import aggregate, quote
from apiserver.storage.encryption_ciphers import (
    AESCBCTransformer,
    AESGCMTransformer,
    SecretboxTransformer,
)
from apiserver.storage.encryption_config import (
    ANY_GROUP_ANY_RESOURCE,
    EncryptionConfigError,
    EncryptionConfiguration,
    GroupResource,
    ProviderConfig,
)
from apiserver.storage.kmsv2.provider import KMSv2Provider
from apiserver.storage.kmsv2.settings import KMSSettings
from apiserver.storage.transformer import (
    IDENTITY,
    PrefixTransformer,
    PrefixTransformers,
    Transformer,
    TransformRecorder,
    no_recording,
)

KeyCipher = Callable[[bytes], Transformer]
KMS_V1_REFUSED = ("KMSv1 is deprecated and will only receive security updates going forward. Use KMSv2 instead.  "
                  "Set --feature-gates=KMSv1=true to use the deprecated KMSv1 feature.")


@dataclass
class BuildContext:
    """What provider builders share: the metric hook, the KMS settings, and the KMS providers made so far."""
    record: TransformRecorder = no_recording
    kms_settings: KMSSettings = field(default_factory=KMSSettings)
    kms: list[KMSv2Provider] = field(default_factory=list)


ProviderBuilder = Callable[[ProviderConfig, BuildContext], PrefixTransformer]


def _keyed(prefix: str, cipher: KeyCipher, no_key: str) -> ProviderBuilder:
    def build(config: ProviderConfig, context: BuildContext) -> PrefixTransformer:
        per_key = [PrefixTransformer(f"{key.name}:".encode(), cipher(key.secret)) for key in config.keys]
        return PrefixTransformer(prefix.encode(), PrefixTransformers(per_key, no_key, context.record))
    return build


def _identity(config: ProviderConfig, context: BuildContext) -> PrefixTransformer:
    return PrefixTransformer(b"", IDENTITY)


def _kms(config: ProviderConfig, context: BuildContext) -> PrefixTransformer:
    kms = config.kms
    assert kms is not None
    # KMS v1 is off by default since kube 1.29 and not implemented here: refused with kube's words
    if kms.api_version == "v1":
        raise EncryptionConfigError(f"error while building transformers: {KMS_V1_REFUSED}")
    provider = KMSv2Provider(kms.name, kms.endpoint, kms.timeout, context.kms_settings)
    context.kms.append(provider)
    return PrefixTransformer(provider.prefix, provider)


PROVIDERS: dict[str, ProviderBuilder] = {
    "aescbc": _keyed("k8s:enc:aescbc:v1:", AESCBCTransformer,
                     "no matching key was found for the provided AES transformer"),
    "aesgcm": _keyed("k8s:enc:aesgcm:v1:", AESGCMTransformer,
                     "no matching key was found for the provided AES transformer"),
    "secretbox": _keyed("k8s:enc:secretbox:v1:", SecretboxTransformer,
                        "no matching key was found for the provided Secretbox transformer"),
    "kms": _kms,
    "identity": _identity,
}


@dataclass
class BuiltConfig:
    """One file's transformers per resource, and its KMS providers in file order (`kms-provider-<index>`)."""
    overrides: dict[GroupResource, Transformer] = field(default_factory=dict)
    kms: list[KMSv2Provider] = field(default_factory=list)
    content_hash: str = ""

    async def start(self) -> None:
        await asyncio.gather(*(provider.start() for provider in self.kms))

    async def stop(self) -> None:
        await asyncio.gather(*(provider.stop() for provider in self.kms))

    async def kms_health(self) -> str | None:
        """kube's `kms-providers` check: every provider's own check, failures named `kms-provider-<index>`."""
        reasons = await asyncio.gather(*(provider.health() for provider in self.kms))
        failures = [f"kms-provider-{i}: {reason}" for i, reason in enumerate(reasons) if reason]
        return aggregate(failures) if failures else None

    @property
    def kms_timeout_sum(self) -> float:
        return sum(provider.client.timeout for provider in self.kms)


def build(config: EncryptionConfiguration, record: TransformRecorder = no_recording,
          kms_settings: KMSSettings = KMSSettings()) -> BuiltConfig:
    """The transformer of every resource the file names; an entry after a wildcard that covers it is an error.
    Nothing is started: KMS providers connect in `BuiltConfig.start`."""
    context = BuildContext(record, kms_settings)
    lists: dict[GroupResource, list[PrefixTransformer]] = {}
    for entry in config.resources:
        providers = [PROVIDERS[p.type](p, context) for p in entry.providers]
        for name in entry.resources:
            gr = GroupResource.parse(name)
            for wider in (GroupResource(gr.group, "*"), ANY_GROUP_ANY_RESOURCE):
                if wider in lists:
                    raise EncryptionConfigError(f"error while building transformers: resource {quote(str(gr))} "
                                                f"is masked by earlier rule {quote(str(wider))}")
            # a resource named by two entries reads with the providers of both and writes with the first's
            lists.setdefault(gr, []).extend(providers)
    overrides: dict[GroupResource, Transformer] = {
        gr: PrefixTransformers(items, "no matching prefix found", record) for gr, items in lists.items()}
    return BuiltConfig(overrides, context.kms, config.content_hash)


def lookup(overrides: dict[GroupResource, Transformer], resource: GroupResource) -> Transformer:
    """kube's precedence: the exact resource, then its group's wildcard, then `*.*`, then plaintext."""
    return (overrides.get(resource) or overrides.get(GroupResource(resource.group, "*"))
            or overrides.get(ANY_GROUP_ANY_RESOURCE) or IDENTITY)


class EncryptionTransformers:
    """The current per-resource transformers of one replica; `set` replaces them all at once."""

    def __init__(self, built: BuiltConfig | None = None) -> None:
        self.current = built or BuiltConfig()
        self.overrides = self.current.overrides
        self.content_hash = self.current.content_hash

    def set(self, built: BuiltConfig) -> BuiltConfig:
        """Swaps in a started configuration; returns the previous one, which the caller stops when requests
        that may still use it are over."""
        previous, self.current = self.current, built
        self.overrides = built.overrides
        self.content_hash = built.content_hash
        return previous

    async def start(self) -> None:
        await self.current.start()

    async def stop(self) -> None:
        await self.current.stop()

    async def kms_health(self) -> str | None:
        return await self.current.kms_health()

    def for_resource(self, resource: GroupResource) -> ResourceTransformer:
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
