"""Server-side apply on the wire: managedFields of two managers, conflicts, force, and apply to the status
subresource."""
from __future__ import annotations

import yaml

from tests.integration.conftest import make_namespace

APPLY = {"Content-Type": "application/apply-patch+yaml"}


async def apply(api, path: str, obj: dict, manager: str, **params: str):
    return await api.request("PATCH", path, data=yaml.safe_dump(obj).encode(), headers=APPLY,
                             params={"fieldManager": manager, **params})


def _cm(data: dict) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": data}


def _owners(obj: dict) -> dict[str, dict]:
    return {e["manager"]: e for e in obj["metadata"]["managedFields"]}


async def test_two_managers_share_an_object_and_conflict_on_one_field(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps/shared"
    status, _ = await apply(api, path, _cm({"a": "1"}), "alice")
    assert status == 201
    status, body = await apply(api, path, _cm({"b": "2"}), "bob")
    assert status == 200 and body["data"] == {"a": "1", "b": "2"}
    owners = _owners(body)
    assert owners["alice"]["fieldsV1"] == {"f:data": {"f:a": {}}}
    assert owners["bob"]["fieldsV1"] == {"f:data": {"f:b": {}}}
    assert owners["alice"]["operation"] == owners["bob"]["operation"] == "Apply"

    status, body = await apply(api, path, _cm({"a": "changed"}), "bob")
    assert status == 409 and body["reason"] == "Conflict"
    assert body["message"] == 'Apply failed with 1 conflict: conflict with "alice" using v1: .data.a'
    assert body["details"]["causes"] == [{"reason": "FieldManagerConflict",
                                          "message": 'conflict with "alice" using v1', "field": ".data.a"}]

    status, body = await apply(api, path, _cm({"a": "changed"}), "bob", force="true")
    assert status == 200 and body["data"] == {"a": "changed"}
    owners = _owners(body)
    # bob took .data.a and stopped applying .data.b; alice owns nothing any more
    assert owners["bob"]["fieldsV1"] == {"f:data": {"f:a": {}}}
    assert "alice" not in owners


async def test_apply_to_the_status_subresource_owns_status_only(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                  "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                      "metadata": {"labels": {"app": "web"}},
                      "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
                  "status": {"replicas": 9}}
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    status, body = await apply(api, path, deployment, "deployer")
    assert status == 201 and "replicas" not in body.get("status", {})
    assert "f:status" not in _owners(body)["deployer"]["fieldsV1"]

    report = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
              "spec": {"replicas": 5}, "status": {"replicas": 3, "readyReplicas": 2}}
    status, body = await apply(api, path + "/status", report, "controller")
    assert status == 200, body
    assert body["status"]["replicas"] == 3 and body["status"]["readyReplicas"] == 2
    assert body["spec"]["replicas"] == 1  # the status subresource ignores everything but status
    entry = _owners(body)["controller"]
    assert entry["subresource"] == "status"
    assert entry["fieldsV1"] == {"f:status": {"f:readyReplicas": {}, "f:replicas": {}}}

    status, body = await apply(api, f"/apis/apps/v1/namespaces/{ns}/deployments/absent/status",
                               {**report, "metadata": {"name": "absent"}}, "controller")
    assert status == 404
