"""The pure parts of KMS v2: configuration, the KDF layout, the EncryptedObject, the seed cache key."""
from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from apiserver.storage.encryption import build
from apiserver.storage.encryption_config import (
    EncryptionConfigError,
    load_encryption_config,
)
from apiserver.storage.kmsv2 import envelope
from apiserver.storage.kmsv2.encrypted_object_pb2 import (
    AES_GCM_KEY,
    HKDF_SHA256_XNONCE_AES_GCM_SEED,
    EncryptedObject,
)
from apiserver.storage.transformer import TransformError

KEY = b"/registry/secrets/default/s"
PLAIN = b'{"kind":"Secret"}'


def _config(tmp_path: Path, kms: str) -> Path:
    path = tmp_path / "enc.yaml"
    path.write_text("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
                    f"  - resources: [secrets]\n    providers: [{{kms: {kms}}}, {{identity: {{}}}}]\n")
    return path


def test_v2_provider_defaults_and_prefix(tmp_path):
    config = load_encryption_config(_config(tmp_path, "{apiVersion: v2, name: vault, endpoint: 'unix:///run/k.sock'}"))
    kms = config.resources[0].providers[0].kms
    assert (kms.name, kms.endpoint, kms.api_version, kms.timeout) == ("vault", "unix:///run/k.sock", "v2", 3.0)
    built = build(config)
    assert [p.name for p in built.kms] == ["vault"]
    assert built.kms[0].prefix == b"k8s:enc:kms:v2:vault:"


def test_v1_is_refused_as_kube_132_does(tmp_path):
    # apiVersion defaults to v1, which kube 1.29+ refuses unless the KMSv1 gate is on
    config = load_encryption_config(_config(tmp_path, "{name: old, endpoint: 'unix:///k', cachesize: 100}"))
    with pytest.raises(EncryptionConfigError, match="KMSv1 is deprecated"):
        build(config)


def test_seed_cipher_layout_is_kubes_kdf():
    seed = os.urandom(32)
    sealed = envelope.SeedCipher(seed).encrypt(PLAIN, KEY)
    info, nonce, body = sealed[:32], sealed[32:44], sealed[44:]
    dek = HKDFExpand(hashes.SHA256(), 32, info).derive(seed)
    assert AESGCM(dek).decrypt(nonce, body, KEY) == PLAIN
    assert envelope.SeedCipher(seed).decrypt(sealed, KEY) == PLAIN
    # two writes never share a derived key or nonce
    assert envelope.SeedCipher(seed).encrypt(PLAIN, KEY)[:44] != sealed[:44]


def test_seed_cipher_binds_the_etcd_key_and_refuses_short_data():
    cipher = envelope.SeedCipher(os.urandom(32))
    sealed = cipher.encrypt(PLAIN, KEY)
    with pytest.raises(TransformError, match="message authentication failed"):
        cipher.decrypt(sealed, b"/registry/secrets/default/other")
    with pytest.raises(TransformError, match="shorter than the required size"):
        cipher.decrypt(sealed[:20], KEY)
    with pytest.raises(TransformError, match="invalid seed length 16"):
        envelope.SeedCipher(os.urandom(16))


def test_pre_129_values_with_a_plain_dek_are_read():
    dek = os.urandom(32)
    nonce = os.urandom(12)
    data = nonce + AESGCM(dek).encrypt(nonce, PLAIN, KEY)
    assert envelope.cipher_for(AES_GCM_KEY, dek).decrypt(data, KEY) == PLAIN


def _object(**fields) -> EncryptedObject:
    values = {"encryptedData": b"x", "keyID": "key-1", "encryptedDEKSource": b"src",
              "encryptedDEKSourceType": HKDF_SHA256_XNONCE_AES_GCM_SEED, **fields}
    return EncryptedObject(**values)


def test_encrypted_object_round_trip_and_wire_format():
    raw = envelope.encode(_object(annotations={"version.kms.example.com": b"1"}))
    # field 1 (encryptedData, bytes) comes first on the wire, then keyID, the source, annotations, the type
    assert raw.startswith(b"\x0a\x01x\x12\x05key-1\x1a\x03src\x22")
    assert raw.endswith(b"\x28\x01")
    obj = envelope.decode(raw)
    assert (obj.keyID, obj.encryptedDEKSource, dict(obj.annotations)) == (
        "key-1", b"src", {"version.kms.example.com": b"1"})


@pytest.mark.parametrize("fields, message", [
    ({"encryptedData": b""}, "encrypted data is empty"),
    ({"keyID": ""}, "failed to validate key id: keyID is empty"),
    ({"keyID": "k" * 1025}, "keyID is 1025 bytes, which exceeds the max size of 1024"),
    ({"encryptedDEKSource": b""}, "encrypted DEK source is empty"),
    ({"encryptedDEKSource": b"s" * 1025}, "encrypted DEK source is 1025 bytes, which exceeds the max size of 1024"),
    ({"encryptedDEKSourceType": 7}, "unknown encryptedDEKSourceType: 7"),
    ({"annotations": {"nodots": b""}}, "should be a domain with at least two segments separated by dots"),
    ({"annotations": {"Bad.Example.com": b""}}, "a lowercase RFC 1123 subdomain"),
    ({"annotations": {"a.example.com": b"v" * 40000}}, "total size of annotations is 40013"),
])
def test_encrypted_object_validation(fields, message):
    with pytest.raises(TransformError, match=message):
        envelope.encode(_object(**fields))


def test_garbage_is_a_proto_error():
    with pytest.raises(TransformError, match="proto: cannot parse invalid wire-format data"):
        envelope.decode(b"\xff\xff\xff")


def test_cache_key_layout():
    plain = envelope.cache_key(1, b"src", "k1", {})
    assert plain == struct.pack(">IH", 1, 3) + b"src" + struct.pack(">H", 2) + b"k1"
    annotated = envelope.cache_key(1, b"src", "k1", {"b.io": b"2", "a.io": b"1"})
    assert annotated == plain + struct.pack(">I", 2) + b"\x00\x04a.io\x00\x011" + b"\x00\x04b.io\x00\x012"


def test_seed_cache_drops_the_least_recently_used():
    cache = envelope.SeedCache(capacity=2)
    a, b, c = (envelope.SeedCipher(os.urandom(32)) for _ in range(3))
    cache.put(b"a", a)
    cache.put(b"b", b)
    assert cache.get(b"a") is a
    cache.put(b"c", c)
    assert cache.get(b"b") is None and cache.get(b"a") is a and len(cache) == 2
