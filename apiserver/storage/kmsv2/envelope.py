"""The pure parts of KMS v2 envelope encryption, byte for byte as kube-apiserver (1.29+) stores values.

After the prefix `k8s:enc:kms:v2:<provider>:` comes a protobuf `EncryptedObject`. Its `encryptedDEKSource`
is a 32-byte seed that the KMS plugin encrypted once; every write derives a fresh DEK from it:

    info = 32 random bytes
    DEK  = HKDF-SHA256-Expand(seed, info, 32 bytes)
    encryptedData = info + 12-byte nonce + AES-GCM(DEK, nonce, plaintext, authenticated data = etcd key)

so one plugin call backs any number of writes without AES-GCM's nonce wear-out. Values written by kube
before 1.29 (`AES_GCM_KEY`: the plaintext of the source is the DEK itself) are read too.
"""
from __future__ import annotations

import hashlib
import os
import struct
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from google.protobuf.message import DecodeError

from apiserver.api.meta.goformat import aggregate, quote
from apiserver.api.meta.labels import dns1123_subdomain_errors
from apiserver.storage.kmsv2.encrypted_object_pb2 import (
    AES_GCM_KEY,
    HKDF_SHA256_XNONCE_AES_GCM_SEED,
    EncryptedObject,
)
from apiserver.storage.transformer import TransformError

SEED_SIZE = 32
INFO_SIZE = 32
NONCE_SIZE = 12
KEY_ID_MAX = 1024
DEK_SOURCE_MAX = 1024
ANNOTATIONS_MAX = 32 * 1024
SHORT_DATA = "the stored data was shorter than the required size"


def key_id_hash(key_id: str) -> str:
    """How kube names a key ID in logs and messages without revealing it."""
    return f"sha256:{hashlib.sha256(key_id.encode()).hexdigest()}" if key_id else ""


def key_id_error(key_id: str) -> tuple[str, str] | None:
    """(kube's metric code, message) of an unusable key ID."""
    if not key_id:
        return "empty", "keyID is empty"
    if len(key_id.encode()) > KEY_ID_MAX:
        return "too_long", f"keyID is {len(key_id.encode())} bytes, which exceeds the max size of {KEY_ID_MAX}"
    return None


def _annotation_errors(annotations: Mapping[str, bytes]) -> list[str]:
    errors, total = [], 0
    for name, value in annotations.items():
        total += len(name.encode()) + len(value)
        bare = name[:-1] if name.endswith(".") else name
        problems = dns1123_subdomain_errors(bare) if bare else []
        if not name:
            errors.append("annotations: Required value")
        elif problems:
            errors.append(f"annotations: Invalid value: {quote(bare)}: {','.join(problems)}")
        elif len(bare.split(".")) < 2:
            errors.append(f"annotations: Invalid value: {quote(bare)}: should be a domain with at least two "
                          "segments separated by dots")
    if total > ANNOTATIONS_MAX:
        errors.append(f"total size of annotations is {total}, which exceeds the max size of {ANNOTATIONS_MAX}")
    return errors


def validate(obj: EncryptedObject) -> None:
    """kube's ValidateEncryptedObject: what a stored or about-to-be-stored envelope must satisfy."""
    if obj.encryptedDEKSourceType not in (AES_GCM_KEY, HKDF_SHA256_XNONCE_AES_GCM_SEED):
        raise TransformError(f"unknown encryptedDEKSourceType: {obj.encryptedDEKSourceType}")
    if not obj.encryptedData:
        raise TransformError("encrypted data is empty")
    source = obj.encryptedDEKSource
    if not source:
        raise TransformError("failed to validate encrypted DEK source: encrypted DEK source is empty")
    if len(source) > DEK_SOURCE_MAX:
        raise TransformError(f"failed to validate encrypted DEK source: encrypted DEK source is {len(source)} bytes, "
                             f"which exceeds the max size of {DEK_SOURCE_MAX}")
    problem = key_id_error(obj.keyID)
    if problem:
        raise TransformError(f"failed to validate key id: {problem[1]}")
    errors = _annotation_errors(obj.annotations)
    if errors:
        raise TransformError(f"failed to validate annotations: {aggregate(errors)}")


def decode(data: bytes) -> EncryptedObject:
    obj = EncryptedObject()
    try:
        obj.ParseFromString(data)
    except DecodeError:
        raise TransformError("proto: cannot parse invalid wire-format data") from None
    validate(obj)
    return obj


def encode(obj: EncryptedObject) -> bytes:
    validate(obj)
    return obj.SerializeToString(deterministic=True)


def cache_key(source_type: int, source: bytes, key_id: str, annotations: Mapping[str, bytes]) -> bytes:
    """Identifies one plugin-encrypted DEK source (kube's generateCacheKey layout): the type, the length-prefixed
    source and key ID, then the annotations sorted by name, so equal envelopes share one decrypted seed."""
    kid = key_id.encode()
    parts = [struct.pack(">IH", source_type, len(source)), source, struct.pack(">H", len(kid)), kid]
    if annotations:
        parts.append(struct.pack(">I", len(annotations)))
        for name in sorted(annotations):
            raw = name.encode()
            parts += [struct.pack(">H", len(raw)), raw, struct.pack(">H", len(annotations[name])), annotations[name]]
    return b"".join(parts)


def derive_key(seed: bytes, info: bytes) -> bytes:
    return HKDFExpand(hashes.SHA256(), SEED_SIZE, info).derive(seed)


def _open(aead: AESGCM, data: bytes, context: bytes) -> bytes:
    if len(data) < NONCE_SIZE:
        raise TransformError(SHORT_DATA)
    try:
        return aead.decrypt(data[:NONCE_SIZE], data[NONCE_SIZE:], context)
    except InvalidTag:
        raise TransformError("cipher: message authentication failed") from None


class SeedCipher:
    """HKDF_SHA256_XNONCE_AES_GCM_SEED: a DEK derived per write from the seed and a random info.

    Reads keep the last derived cipher per etcd key (kube caches the same way), since an object is usually
    read many times between writes and the derivation costs more than the decryption."""

    DERIVED_CACHE = 4096

    def __init__(self, seed: bytes) -> None:
        if len(seed) < SEED_SIZE:
            raise TransformError(f"invalid seed length {len(seed)} used for key generation")
        self._seed = seed
        self._derived: dict[bytes, tuple[bytes, AESGCM]] = {}

    def encrypt(self, data: bytes, context: bytes) -> bytes:
        info = os.urandom(INFO_SIZE)
        nonce = os.urandom(NONCE_SIZE)
        return info + nonce + AESGCM(derive_key(self._seed, info)).encrypt(nonce, data, context)

    def decrypt(self, data: bytes, context: bytes) -> bytes:
        if len(data) < INFO_SIZE:
            raise TransformError(SHORT_DATA)
        info = data[:INFO_SIZE]
        cached = self._derived.get(context)
        if cached is None or cached[0] != info:
            cached = (info, AESGCM(derive_key(self._seed, info)))
            if len(self._derived) >= self.DERIVED_CACHE:
                self._derived.pop(next(iter(self._derived)))
            self._derived[context] = cached
        return _open(cached[1], data[INFO_SIZE:], context)


class KeyCipher:
    """AES_GCM_KEY (kube before 1.29): the plugin-encrypted source is the DEK itself; read-only here."""

    def __init__(self, key: bytes) -> None:
        try:
            self._aead = AESGCM(key)
        except ValueError as exc:
            raise TransformError(str(exc)) from None

    def decrypt(self, data: bytes, context: bytes) -> bytes:
        return _open(self._aead, data, context)


Cipher = SeedCipher | KeyCipher


def cipher_for(source_type: int, plaintext: bytes) -> Cipher:
    return SeedCipher(plaintext) if source_type == HKDF_SHA256_XNONCE_AES_GCM_SEED else KeyCipher(plaintext)


@dataclass
class SeedCache:
    """Decrypted DEK sources by cache key, least recently used dropped first: reads of objects written under
    the same seed never ask the plugin again while their entry lives."""
    capacity: int = 1024
    _items: OrderedDict[bytes, Cipher] = field(default_factory=OrderedDict)

    def get(self, key: bytes) -> Cipher | None:
        cipher = self._items.get(key)
        if cipher is not None:
            self._items.move_to_end(key)
        return cipher

    def put(self, key: bytes, cipher: Cipher) -> None:
        self._items[key] = cipher
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
