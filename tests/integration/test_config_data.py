"""ConfigMaps and Secrets as kube-apiserver 1.32 answers for them: stringData merged into data, key syntax, the
fields a Secret's type requires, and what `immutable: true` freezes (422 Invalid with kube's causes)."""
from __future__ import annotations

import base64

from tests.integration.conftest import make_namespace

FROZEN = "Forbidden: field is immutable when `immutable` is set"
MERGE = {"Content-Type": "application/merge-patch+json"}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def _namespace(api, new_ns) -> str:
    ns = new_ns()
    await make_namespace(api, ns)
    return ns


async def test_string_data_is_merged_into_data_and_never_stored(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/api/v1/namespaces/{ns}/secrets"
    status, created = await api.post(path, {"metadata": {"name": "s"}, "data": {"user": _b64("old"), "k": _b64("v")},
                                            "stringData": {"user": "admin"}})
    assert status == 201, created
    assert "stringData" not in created
    assert created["data"] == {"user": _b64("admin"), "k": _b64("v")} and created["type"] == "Opaque"
    status, patched = await api.request("PATCH", f"{path}/s", {"stringData": {"extra": "x"}}, headers=MERGE)
    assert status == 200, patched
    assert "stringData" not in patched and patched["data"]["extra"] == _b64("x")
    status, stored = await api.get(f"{path}/s")
    assert "stringData" not in stored and stored["data"]["user"] == _b64("admin")


async def test_config_keys_follow_kubes_syntax(api, new_ns):
    ns = await _namespace(api, new_ns)
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", {
        "metadata": {"name": "c"}, "data": {"a b": "1", "..x": "2"}, "binaryData": {"..x": _b64("2")}})
    assert status == 422 and body["reason"] == "Invalid", body
    causes = body["details"]["causes"]
    assert causes[0] == {"reason": "FieldValueInvalid", "field": "data[a b]", "message": (
        "Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
        "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")}
    assert {"reason": "FieldValueInvalid", "field": "data[..x]",
            "message": "Invalid value: \"..x\": duplicate of key present in binaryData"} in causes
    assert {"reason": "FieldValueInvalid", "field": "binaryData[..x]",
            "message": "Invalid value: \"..x\": must not start with '..'"} in causes


async def test_secret_types_require_their_keys(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/api/v1/namespaces/{ns}/secrets"
    status, body = await api.post(path, {"metadata": {"name": "t"}, "type": "kubernetes.io/tls", "data": {}})
    assert status == 422, body
    assert body["message"] == 'Secret "t" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]'
    status, body = await api.post(path, {"metadata": {"name": "sa"}, "type": "kubernetes.io/service-account-token"})
    assert status == 422, body
    assert body["details"]["causes"] == [{"reason": "FieldValueRequired", "message": "Required value",
                                          "field": "metadata.annotations[kubernetes.io/service-account.name]"}]
    status, body = await api.post(path, {"metadata": {"name": "b"}, "type": "kubernetes.io/basic-auth"})
    assert status == 422, body
    assert [c["field"] for c in body["details"]["causes"]] == ["data[%s][username]", "data[%s][password]"]
    status, body = await api.post(path, {"metadata": {"name": "d"}, "type": "kubernetes.io/dockerconfigjson",
                                         "data": {".dockerconfigjson": _b64("not json")}})
    assert status == 422 and body["details"]["causes"][0]["field"] == "data[.dockerconfigjson]", body
    status, body = await api.post(path, {"metadata": {"name": "ok"}, "type": "kubernetes.io/basic-auth",
                                         "stringData": {"username": "u"}})
    assert status == 201, body


async def test_an_immutable_config_map_refuses_changes(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    status, created = await api.post(path, {"metadata": {"name": "c"}, "immutable": True, "data": {"a": "1"}})
    assert status == 201, created
    status, body = await api.request("PATCH", f"{path}/c", {"data": {"a": "2"}}, headers=MERGE)
    assert status == 422 and body["reason"] == "Invalid", body
    assert body["message"] == 'ConfigMap "c" is invalid: data: ' + FROZEN
    assert body["details"]["causes"] == [{"reason": "FieldValueForbidden", "message": FROZEN, "field": "data"}]
    status, body = await api.request("PATCH", f"{path}/c", {"binaryData": {"b": _b64("x")}}, headers=MERGE)
    assert status == 422 and body["details"]["causes"][0]["field"] == "binaryData", body
    status, body = await api.request("PATCH", f"{path}/c", {"immutable": False}, headers=MERGE)
    assert status == 422 and body["details"]["causes"][0]["field"] == "immutable", body
    # metadata stays writable, and the object can still be deleted
    status, body = await api.request("PATCH", f"{path}/c", {"metadata": {"labels": {"x": "y"}}}, headers=MERGE)
    assert status == 200, body
    status, _ = await api.delete(f"{path}/c")
    assert status == 200


async def test_an_immutable_secret_refuses_changes_and_its_type_never_changes(api, new_ns):
    ns = await _namespace(api, new_ns)
    path = f"/api/v1/namespaces/{ns}/secrets"
    status, created = await api.post(path, {"metadata": {"name": "s"}, "data": {"a": _b64("1")}})
    assert status == 201, created
    status, body = await api.request("PATCH", f"{path}/s", {"type": "kubernetes.io/tls"}, headers=MERGE)
    assert status == 422, body
    assert body["details"]["causes"][0] == {"reason": "FieldValueInvalid", "field": "type",
                                            "message": 'Invalid value: "kubernetes.io/tls": field is immutable'}
    status, body = await api.request("PATCH", f"{path}/s", {"immutable": True}, headers=MERGE)
    assert status == 200, body
    status, body = await api.request("PATCH", f"{path}/s", {"stringData": {"a": "2"}}, headers=MERGE)
    assert status == 422 and body["message"] == 'Secret "s" is invalid: data: ' + FROZEN, body


async def test_config_data_is_bounded_at_one_mebibyte(api, new_ns):
    ns = await _namespace(api, new_ns)
    big = "x" * (512 * 1024 + 1)
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", {
        "metadata": {"name": "big"}, "data": {"a": big, "b": big}})
    assert status == 422, body
    assert body["message"] == 'ConfigMap "big" is invalid: []: Too long: may not be more than 1048576 bytes'
    status, body = await api.post(f"/api/v1/namespaces/{ns}/secrets", {
        "metadata": {"name": "big"}, "stringData": {"a": big, "b": big}})
    assert status == 422, body
    assert body["message"] == 'Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes'
