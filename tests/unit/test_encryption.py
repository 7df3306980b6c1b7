"""Encryption at rest without etcd: the file, the ciphers' layouts, provider order and resource precedence."""
from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from apiserver.storage.encryption import build, lookup
from apiserver.storage.encryption_config import (
    EncryptionConfigError,
    GroupResource,
    load_encryption_config,
)
from apiserver.storage.transformer import TransformError

KEY = b"/registry/secrets/default/s1"
PLAIN = b'{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}'


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def write(tmp_path: Path, text: str, name: str = "enc.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def config_with(tmp_path: Path, providers: str, resources: str = "[secrets]") -> dict:
    path = write(tmp_path, f"""
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: {resources}
    providers:
{providers}
""")
    return build(load_encryption_config(path)).overrides


def secrets(overrides):
    return lookup(overrides, GroupResource("", "secrets"))


def test_aescbc_layout_is_kubes(tmp_path):
    key = os.urandom(32)
    t = secrets(config_with(tmp_path, f"      - aescbc: {{keys: [{{name: k1, secret: {b64(key)}}}]}}"))
    stored = t.to_storage(PLAIN, KEY)
    prefix = b"k8s:enc:aescbc:v1:k1:"
    assert stored.startswith(prefix) and PLAIN not in stored
    body = stored[len(prefix):]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(body[:16])).decryptor()
    padded = decryptor.update(body[16:]) + decryptor.finalize()
    assert padded[:-padded[-1]] == PLAIN
    assert t.from_storage(stored, KEY) == (PLAIN, False)


def test_aesgcm_binds_the_etcd_key(tmp_path):
    key = os.urandom(16)
    t = secrets(config_with(tmp_path, f"      - aesgcm: {{keys: [{{name: g, secret: {b64(key)}}}]}}"))
    stored = t.to_storage(PLAIN, KEY)
    body = stored[len(b"k8s:enc:aesgcm:v1:g:"):]
    assert AESGCM(key).decrypt(body[:12], body[12:], KEY) == PLAIN
    with pytest.raises(TransformError, match="message authentication failed"):
        t.from_storage(stored, b"/registry/secrets/default/other")


def test_secretbox_round_trip(tmp_path):
    t = secrets(config_with(tmp_path, f"      - secretbox: {{keys: [{{name: s, secret: {b64(os.urandom(32))}}}]}}"))
    stored = t.to_storage(PLAIN, KEY)
    assert stored.startswith(b"k8s:enc:secretbox:v1:s:") and PLAIN not in stored
    assert t.from_storage(stored, KEY) == (PLAIN, False)


def test_older_key_and_identity_read_as_stale(tmp_path):
    old, new = b64(os.urandom(32)), b64(os.urandom(32))
    before = secrets(config_with(tmp_path, f"      - aescbc: {{keys: [{{name: old, secret: {old}}}]}}"))
    rotated = f"{{keys: [{{name: new, secret: {new}}}, {{name: old, secret: {old}}}]}}"
    after = secrets(config_with(tmp_path, f"      - aescbc: {rotated}\n      - identity: {{}}"))
    assert after.from_storage(before.to_storage(PLAIN, KEY), KEY) == (PLAIN, True)
    assert after.from_storage(PLAIN, KEY) == (PLAIN, True)
    assert after.from_storage(after.to_storage(PLAIN, KEY), KEY) == (PLAIN, False)


def test_unknown_key_and_no_prefix_errors(tmp_path):
    only = secrets(config_with(tmp_path, f"      - aescbc: {{keys: [{{name: a, secret: {b64(os.urandom(32))}}}]}}"))
    other = secrets(config_with(tmp_path, f"      - aescbc: {{keys: [{{name: b, secret: {b64(os.urandom(32))}}}]}}"))
    with pytest.raises(TransformError, match="^no matching key was found for the provided AES transformer$"):
        only.from_storage(other.to_storage(PLAIN, KEY), KEY)
    with pytest.raises(TransformError, match="^no matching prefix found$"):
        only.from_storage(PLAIN, KEY)
    # a resource no entry names is plaintext, and refuses to hand out ciphertext
    unlisted = lookup(config_with(tmp_path, "      - identity: {}"), GroupResource("", "configmaps"))
    with pytest.raises(TransformError, match="identity transformer tried to read encrypted data"):
        unlisted.from_storage(only.to_storage(PLAIN, KEY), KEY)


def test_precedence_exact_then_group_then_everything(tmp_path):
    path = write(tmp_path, f"""
kind: EncryptionConfig
apiVersion: v1
resources:
  - resources: [deployments.apps]
    providers: [{{secretbox: {{keys: [{{name: x, secret: {b64(os.urandom(32))}}}]}}}}]
  - resources: ["*.apps"]
    providers: [{{aesgcm: {{keys: [{{name: y, secret: {b64(os.urandom(32))}}}]}}}}]
  - resources: ["*.*"]
    providers: [{{aescbc: {{keys: [{{name: z, secret: {b64(os.urandom(32))}}}]}}}}]
""")
    overrides = build(load_encryption_config(path)).overrides

    def prefix(group: str, resource: str) -> bytes:
        return lookup(overrides, GroupResource(group, resource)).to_storage(PLAIN, KEY)[:22]

    assert prefix("apps", "deployments").startswith(b"k8s:enc:secretbox:v1:x")
    assert prefix("apps", "replicasets").startswith(b"k8s:enc:aesgcm:v1:y:")
    assert prefix("", "secrets").startswith(b"k8s:enc:aescbc:v1:z:")


def test_masked_rule_is_refused(tmp_path):
    path = write(tmp_path, """
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: ["*.*"]
    providers: [{identity: {}}]
  - resources: [secrets]
    providers: [{identity: {}}]
""")
    with pytest.raises(EncryptionConfigError, match='resource "secrets" is masked by earlier rule "\\*\\.\\*"'):
        build(load_encryption_config(path))


@pytest.mark.parametrize("body, message", [
    ("resources: [{resources: [secrets], providers: [{aescbc: {keys: [{name: k, secret: c2hvcnQ=}]}}]}]",
     'resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected '
     "length, got 5, expected one of [16 24 32]"),
    ("resources: [{resources: [secrets], providers: [{aescbc: {keys: [{name: k, secret: '!!'}]}}]}]",
     "secrets must be base64 encoded"),
    ("resources: [{resources: [Secrets], providers: [{identity: {}}]}]",
     "resource name should not contain capital letters"),
    ("resources: [{resources: [secrets, '*.'], providers: [{identity: {}}]}]",
     "using overlapping resources"),
    ("resources: [{resources: [secrets], providers: [{identity: {}, aescbc: {keys: []}}]}]",
     "more than one provider specified in a single element"),
    ("resources: [{resources: [secrets], providers: [{aescbc: {kyes: []}}]}]",
     'strict decoding error: unknown field "resources[0].providers[0].aescbc.kyes"'),
    ("resources: [{resources: [secrets], providers: [{kms: {apiVersion: v2, endpoint: 'unix:///k'}}]}]",
     "resources[0].providers[0].kms.name: Required value: name is a mandatory field for a provider"),
    ("resources: [{resources: [secrets], providers: [{kms: {apiVersion: v2, name: 'a:b', endpoint: 'unix:///k'}}]}]",
     "kms.name: Invalid value: \"a:b\": invalid KMS provider name a:b, must not contain ':'"),
    ("resources: [{resources: [secrets], providers: [{kms: {apiVersion: v2, name: x, endpoint: 'unix:///k'}}, "
     "{kms: {apiVersion: v2, name: x, endpoint: 'unix:///j'}}]}]",
     'providers[1].kms.name: Invalid value: "x": duplicate KMS provider name x, names must be unique'),
    ("resources: [{resources: [secrets], providers: [{kms: {apiVersion: v2, name: x, endpoint: 'tcp://h:1'}}]}]",
     'kms.endpoint: Invalid value: "tcp://h:1": unsupported scheme "tcp" for KMS provider, only unix is supported'),
    ("resources: [{resources: [secrets], providers: [{kms: {apiVersion: v2, name: x}}]}]",
     'kms.endpoint: Invalid value: "": endpoint is a mandatory field for a kms'),
    ("resources: [{resources: [secrets], providers: [{kms: {apiVersion: v2, name: x, endpoint: 'unix:///k', "
     "timeout: 0s}}]}]", "kms.timeout: Invalid value: 0s: timeout should be a positive value"),
    ("resources: [{resources: [secrets], providers: [{kms: {apiVersion: v2, name: x, endpoint: 'unix:///k', "
     "cachesize: 10}}]}]", "kms.cachesize: Invalid value: 10: cachesize is not supported in v2"),
    ("resources: [{resources: [secrets], providers: [{kms: {apiVersion: v3, name: x, endpoint: 'unix:///k'}}]}]",
     'kms.apiVersion: Invalid value: "v3": unsupported apiVersion apiVersion for KMS provider'),
    ("resources: [{resources: [secrets], providers: [{kms: {apiVersion: v2, name: x, endpoint: 'unix:///k', "
     "port: 1}}]}]", 'strict decoding error: unknown field "resources[0].providers[0].kms.port"'),
    ("resources: []", "resources: Required value: at least one resources is required"),
])
def test_invalid_files(tmp_path, body, message):
    path = write(tmp_path, f"apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n{body}\n")
    with pytest.raises(EncryptionConfigError) as info:
        load_encryption_config(path)
    assert message in str(info.value)


def test_wrong_kind_and_json(tmp_path):
    with pytest.raises(EncryptionConfigError, match='no kind "Secret"'):
        load_encryption_config(write(tmp_path, "apiVersion: v1\nkind: Secret\n"))
    key = b64(os.urandom(24))
    path = write(tmp_path, '{"apiVersion": "apiserver.config.k8s.io/v1", "kind": "EncryptionConfiguration", '
                 '"resources": [{"resources": ["configmaps"], "providers": [{"aesgcm": {"keys": '
                 f'[{{"name": "j", "secret": "{key}"}}]}}}}]}}]}}', "enc.json")
    t = lookup(build(load_encryption_config(path)).overrides, GroupResource("", "configmaps"))
    assert t.to_storage(PLAIN, KEY).startswith(b"k8s:enc:aesgcm:v1:j:")
