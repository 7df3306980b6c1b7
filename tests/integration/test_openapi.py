"""OpenAPI v3 documents and fieldValidation, which kubectl's create -f, apply and explain rely on."""
from __future__ import annotations

from tests.integration.conftest import configmap, make_namespace


async def test_index_and_group_version_documents(api):
    status, index = await api.get("/openapi/v3")
    assert status == 200
    url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    status, doc = await api.get(url.split("?")[0], params={"hash": url.split("=")[1], "timeout": "32s"})
    assert status == 200 and doc["openapi"].startswith("3.")
    deployment = doc["components"]["schemas"]["V1Deployment"]
    assert deployment["x-kubernetes-group-version-kind"] == [{"group": "apps", "version": "v1",
                                                              "kind": "Deployment"}]
    assert deployment["properties"]["spec"] == {"$ref": "#/components/schemas/V1DeploymentSpec"}
    replicas = doc["components"]["schemas"]["V1DeploymentSpec"]["properties"]["replicas"]
    assert replicas["type"] == "integer" and replicas["description"]
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"]["kind"] == "Deployment"
    assert any(p["name"] == "fieldValidation" and p["in"] == "query" for p in patch["parameters"])
    assert "application/strategic-merge-patch+json" not in patch["requestBody"]["content"]
    containers = doc["components"]["schemas"]["V1PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["x-kubernetes-list-map-keys"] == ["name"]
    finalizers = doc["components"]["schemas"]["V1ObjectMeta"]["properties"]["finalizers"]
    assert finalizers["x-kubernetes-list-type"] == "set"
    status, _ = await api.get("/openapi/v3/apis/nothing.example.com/v1")
    assert status == 404


async def test_field_validation_modes(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    bad = {**configmap("strict"), "bogus": 1}
    bad["metadata"]["surprise"] = "x"
    status, body = await api.post(path, bad, params={"fieldValidation": "Strict"})
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == 'strict decoding error: unknown field "metadata.surprise", unknown field "bogus"'
    async with api.session.post(api.url + path, json={**configmap("warned"), "bogus": 1},
                                params={"fieldValidation": "Warn"}) as resp:
        assert resp.status == 201
        assert resp.headers.getall("Warning") == ['299 - "unknown field \\"bogus\\""']
        stored = await resp.json()
    assert "bogus" not in stored, "unknown fields are never stored"
    status, stored = await api.post(path, {**configmap("ignored"), "bogus": 1}, params={"fieldValidation": "Ignore"})
    assert status == 201 and "bogus" not in stored
    status, body = await api.post(path, configmap("x"), params={"fieldValidation": "Loose"})
    assert status == 400
    nested = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x", "imagePolicy": "y"}]}}
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", nested, params={"fieldValidation": "Strict"})
    assert status == 400 and 'unknown field "spec.containers[0].imagePolicy"' in body["message"]
