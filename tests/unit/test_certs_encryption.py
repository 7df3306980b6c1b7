"""certs/encryption.py: the default encryption configuration is valid, private, and made only once."""
from __future__ import annotations

import stat

from apiserver.storage.encryption import build, lookup
from apiserver.storage.encryption_config import GroupResource, load_encryption_config
from certs.encryption import ensure_encryption_config


def test_made_once_private_and_encrypting_secrets(tmp_path):
    path = ensure_encryption_config(tmp_path / "pki")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_bytes()
    assert ensure_encryption_config(tmp_path / "pki").read_bytes() == first
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    overrides = build(load_encryption_config(path)).overrides
    secrets = lookup(overrides, GroupResource("", "secrets"))
    assert secrets.to_storage(b"{}", b"/registry/secrets/a/b").startswith(b"k8s:enc:aescbc:v1:key1:")
    # identity second: Secrets written before encryption was turned on stay readable
    assert secrets.from_storage(b"{}", b"/registry/secrets/a/b") == (b"{}", True)
    assert lookup(overrides, GroupResource("", "configmaps")).to_storage(b"{}", b"k") == b"{}"
