"""A write's options (dryRun, fieldManager, fieldValidation, force) are validated as kube's handlers validate them:
after the Content-Type and the body size, before the body is decoded or the object looked up, all bad fields in one
422 on the verb's options kind. Found by the fuzz run (tools/fuzz), which checks the code of every answer."""
from __future__ import annotations

from tests.integration.conftest import configmap, make_namespace
from tests.integration.test_status_codes import assert_status


def option_fields(body: dict, kind: str) -> list[str]:
    assert_status(body, 422, "Invalid")
    assert (body["details"]["group"], body["details"]["kind"]) == ("meta.k8s.io", kind), body
    return [cause["field"] for cause in body["details"]["causes"]]


async def test_bad_options_come_before_the_body(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    status, body = await api.request("POST", f"/api/v1/namespaces/{ns}/configmaps", data=b"{not json",
                                      params={"fieldValidation": "strict", "dryRun": "yes"},
                                      headers={"Content-Type": "application/json"})
    assert status == 422
    assert option_fields(body, "CreateOptions") == ["dryRun", "fieldValidation"]
    assert body["message"] == ('CreateOptions.meta.k8s.io "" is invalid: [dryRun: Unsupported value: '
                               '[]string{"yes"}: supported values: "All", fieldValidation: Unsupported value: '
                               '"strict": supported values: "", "Ignore", "Strict", "Warn"]')
    status, body = await api.put(f"/api/v1/namespaces/{ns}/configmaps/c", {"metadata": {"name": "other"}},
                                 params={"fieldManager": "é" * 65})
    assert status == 422
    assert option_fields(body, "UpdateOptions") == ["fieldManager"]
    # an unknown Content-Type is refused before the options are looked at
    status, body = await api.request("POST", f"/api/v1/namespaces/{ns}/configmaps", data=b"a=b",
                                     params={"dryRun": "yes"}, headers={"Content-Type": "text/plain"})
    assert status == 415


async def test_bad_patch_options_come_before_the_lookup(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps/missing"
    status, body = await api.request("PATCH", path, data=b"{}", params={"force": "true"},
                                     headers={"Content-Type": "application/merge-patch+json"})
    assert status == 422
    assert option_fields(body, "PatchOptions") == ["force"]
    status, body = await api.request("PATCH", path, data=b"kind: ConfigMap",
                                     headers={"Content-Type": "application/apply-patch+yaml"})
    assert status == 422
    assert option_fields(body, "PatchOptions") == ["fieldManager"]
    assert body["message"] == ('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required '
                               'for apply patch')
    # good options: the lookup answers
    status, body = await api.request("PATCH", path, data=b"{}", params={"fieldManager": "me", "dryRun": "All"},
                                     headers={"Content-Type": "application/merge-patch+json"})
    assert status == 404
    status, _ = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("c"),
                               params={"fieldManager": "tool with spaces", "fieldValidation": "Ignore"})
    assert status == 201
