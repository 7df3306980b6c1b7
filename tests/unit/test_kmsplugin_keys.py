"""The local KMS plugin's key file: creation, rotation, refusals."""
from __future__ import annotations

import base64
import json

import pytest

from kmsplugin import keys


def test_create_then_rotate_keeps_old_keys(tmp_path):
    path = tmp_path / "keys.json"
    first = keys.create(path)
    assert first.current == "key-1" and len(first.keys["key-1"]) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    second = keys.rotate(path)
    assert second.current == "key-2" and second.keys["key-1"] == first.keys["key-1"]
    assert keys.load(path) == second
    assert keys.rotate(path, "hsm-3").current == "hsm-3"
    with pytest.raises(keys.KeyFileError, match="already exists"):
        keys.rotate(path, "key-1")


@pytest.mark.parametrize("doc, message", [
    ({"current": "a", "keys": {"b": base64.b64encode(b"k" * 32).decode()}}, "current key 'a' is not among"),
    ({"current": "a", "keys": {"a": base64.b64encode(b"short").decode()}}, "key 'a' is 5 bytes, expected 32"),
    ({"current": "a", "keys": {"a": "not base64!"}}, "malformed key file"),
    ({"keys": {}}, "malformed key file"),
])
def test_bad_files_are_refused(doc, message):
    with pytest.raises(keys.KeyFileError, match=message):
        keys.parse(json.dumps(doc))
