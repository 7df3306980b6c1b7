"""OpenAPI v3 documents and fieldValidation, which kubectl's create -f, apply and explain rely on."""
from __future__ import annotations

import orjson

from tests.integration.conftest import configmap, make_namespace


async def test_index_and_group_version_documents(api):
    status, index = await api.get("/openapi/v3")
    assert status == 200
    url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    status, doc = await api.get(url.split("?")[0], params={"hash": url.split("=")[1], "timeout": "32s"})
    assert status == 200 and doc["openapi"].startswith("3.")
    schemas = doc["components"]["schemas"]
    deployment = schemas["io.k8s.api.apps.v1.Deployment"]
    assert deployment["x-kubernetes-group-version-kind"] == [{"group": "apps", "version": "v1",
                                                              "kind": "Deployment"}]
    assert deployment["properties"]["spec"] == {"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}
    replicas = schemas["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["replicas"]
    assert replicas["type"] == "integer" and replicas["format"] == "int32" and replicas["description"]
    assert schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]["generation"]["format"] == "int64"
    assert schemas["io.k8s.api.apps.v1.DeploymentSpec"]["required"] == ["selector", "template"]
    surge = schemas["io.k8s.api.apps.v1.RollingUpdateDeployment"]["properties"]["maxSurge"]
    assert surge["allOf"] == [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"}]
    int_or_string = schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
    assert int_or_string["x-kubernetes-int-or-string"] is True and int_or_string["format"] == "int-or-string"
    limits = schemas["io.k8s.api.core.v1.ResourceRequirements"]["properties"]["limits"]["additionalProperties"]
    assert limits == {"allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"}]}
    assert schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["restartPolicy"]["enum"] == ["Always", "Never",
                                                                                           "OnFailure"]
    fields_v1 = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry"]["properties"]["fieldsV1"]
    assert fields_v1["x-kubernetes-preserve-unknown-fields"] is True
    assert schemas["io.k8s.api.core.v1.PodTemplateSpec"], "shared core types keep their core names"
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"]["kind"] == "Deployment"
    assert any(p["name"] == "fieldValidation" and p["in"] == "query" for p in patch["parameters"])
    assert "application/strategic-merge-patch+json" in patch["requestBody"]["content"]
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["x-kubernetes-list-map-keys"] == ["name"]
    finalizers = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]["finalizers"]
    assert finalizers["x-kubernetes-list-type"] == "set"
    status, _ = await api.get("/openapi/v3/apis/nothing.example.com/v1")
    assert status == 404


async def test_etag_hash_and_accept(api):
    _, index = await api.get("/openapi/v3")
    url = index["paths"]["api/v1"]["serverRelativeURL"]
    async with api.session.get(api.url + url) as resp:
        assert resp.status == 200
        assert resp.headers["Cache-Control"] == "public, immutable" and "Expires" in resp.headers
        tag = resp.headers["Etag"]
        assert tag == '"' + url.split("hash=")[1] + '"'
    async with api.session.get(api.url + "/openapi/v3/api/v1?hash=STALE", allow_redirects=False) as resp:
        assert resp.status == 301 and resp.headers["Location"] == url
    for path in ("/openapi/v3/api/v1", "/openapi/v2", "/openapi/v3"):
        async with api.session.get(api.url + path) as resp:
            assert resp.status == 200 and resp.headers["Vary"] == "Accept"
            tag = resp.headers["Etag"]
        async with api.session.get(api.url + path, headers={"If-None-Match": tag}) as resp:
            assert resp.status == 304 and not await resp.read()
        async with api.session.get(api.url + path, headers={"If-None-Match": '"other"'}) as resp:
            assert resp.status == 200
    status, body = await api.get("/openapi/v2", headers={
        "Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"})
    assert status == 406 and body["reason"] == "NotAcceptable"


async def test_swagger_v2(api):
    status, doc = await api.get("/openapi/v2", headers={"Accept": "application/json"})
    assert status == 200 and doc["swagger"] == "2.0"
    defs = doc["definitions"]
    assert defs["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"] == [
        {"group": "", "kind": "Pod", "version": "v1"}]
    assert defs["io.k8s.api.apps.v1.Deployment"]["properties"]["metadata"]["$ref"] == (
        "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
    target = defs["io.k8s.api.core.v1.ServicePort"]["properties"]["targetPort"]
    assert target["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString" and target["description"]
    assert defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["type"] == "string"
    assert defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] == {
        **defs["io.k8s.apimachinery.pkg.api.resource.Quantity"], "type": "string"}
    assert "oneOf" not in orjson.dumps(doc).decode()
    post = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["post"]
    assert post["x-kubernetes-action"] == "post"
    assert post["x-kubernetes-group-version-kind"] == {"group": "apps", "kind": "Deployment", "version": "v1"}
    assert post["parameters"][0]["in"] == "body"
    patch = doc["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"]
    assert "application/strategic-merge-patch+json" in patch["consumes"]


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
    # kube's ValidateCreateOptions: an unknown mode is 422 on CreateOptions
    status, body = await api.post(path, configmap("x"), params={"fieldValidation": "Loose"})
    assert (status, body["reason"], body["details"]["kind"]) == (422, "Invalid", "CreateOptions")
    nested = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x", "imagePolicy": "y"}]}}
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", nested, params={"fieldValidation": "Strict"})
    assert status == 400 and 'unknown field "spec.containers[0].imagePolicy"' in body["message"]


async def test_wrong_types_fail_decoding_like_typed_structs(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"replicas": "three", "selector": {"matchLabels": {"a": "b"}},
                           "template": {"metadata": {"labels": {"a": "b"}},
                                        "spec": {"containers": [{"name": "c", "image": "x"}]}}}}
    path = f"/apis/apps/v1/namespaces/{ns}/deployments"
    for mode in ("Strict", "Ignore"):
        status, body = await api.post(path, deployment, params={"fieldValidation": mode})
        assert status == 400 and body["reason"] == "BadRequest"
        assert body["message"] == ('Deployment in version "v1" cannot be handled as a Deployment: json: cannot '
                                   'unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32')
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x", "resources": {
        "limits": {"cpu": "lots"}}}]}}
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod)
    assert status == 400 and body["message"] == (
        'Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    pod["spec"]["containers"][0]["resources"]["limits"]["cpu"] = 1
    pod["spec"]["containers"][0]["ports"] = [{"containerPort": True}]
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod)
    assert status == 400 and body["message"].endswith(
        "json: cannot unmarshal bool into Go struct field ContainerPort.spec.containers.ports.containerPort of "
        "type int32")
    pod["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    deployment["spec"]["replicas"] = 2
    deployment["spec"]["strategy"] = {"rollingUpdate": {"maxSurge": "50%", "maxUnavailable": 0}}
    status, body = await api.post(path, deployment)
    assert status == 201, body
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod)
    assert status == 201, body
    status, body = await api.request("PATCH", f"{path}/d", data=b'{"spec":{"paused":"yes"}}',
                                     headers={"Content-Type": "application/merge-patch+json"})
    assert status == 400 and "DeploymentSpec.spec.paused of type bool" in body["message"]


async def test_duplicate_fields(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    raw = b'{"metadata":{"name":"dup","name":"dup2"},"data":{"k":"1","k":"2"}}'
    json_type = {"Content-Type": "application/json"}
    status, body = await api.request("POST", path, data=raw, params={"fieldValidation": "Strict"}, headers=json_type)
    assert status == 400
    assert body["message"] == 'strict decoding error: duplicate field "metadata.name", duplicate field "data.k"'
    async with api.session.post(api.url + path, data=raw, headers=json_type) as resp:
        assert resp.status == 201
        assert resp.headers.getall("Warning") == ['299 - "duplicate field \\"metadata.name\\""',
                                                  '299 - "duplicate field \\"data.k\\""']
        stored = await resp.json()
    assert stored["metadata"]["name"] == "dup2" and stored["data"] == {"k": "2"}, "the last value wins"
    raw = raw.replace(b"dup2", b"dup3")
    async with api.session.post(api.url + path, data=raw, params={"fieldValidation": "Ignore"},
                                headers=json_type) as resp:
        assert resp.status == 201 and "Warning" not in resp.headers
    yaml_body = b"metadata:\n  name: y\ndata:\n  k: '1'\n  k: '2'\nbogus: 1\n"
    status, body = await api.request("POST", path, data=yaml_body, params={"fieldValidation": "Strict"},
                                     headers={"Content-Type": "application/yaml"})
    assert status == 400
    assert body["message"] == ('strict decoding error: unknown field "bogus", yaml: unmarshal errors:\n'
                               '  line 5: key "k" already set in map')
    pretty = b'{\n  "metadata": {"name": "spaced"},\n  "data": {"a": "x\\": y", "b": "1"}\n}'
    status, body = await api.request("POST", path, data=pretty, params={"fieldValidation": "Strict"},
                                     headers=json_type)
    assert status == 201 and body["data"] == {"a": 'x": y', "b": "1"}
