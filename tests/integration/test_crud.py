"""Create, read, update and delete through one replica against real etcd."""
from __future__ import annotations

import asyncio

import orjson
import yaml

from tests.integration.conftest import configmap, make_namespace


async def test_create_get_update_delete_configmap(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    status, created = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("c", {"a": "b"}))
    assert status == 201, created
    meta = created["metadata"]
    assert created["kind"] == "ConfigMap" and created["apiVersion"] == "v1"
    assert meta["namespace"] == ns and meta["uid"] and meta["creationTimestamp"].endswith("Z")
    assert int(meta["resourceVersion"]) > 0
    assert "generation" not in meta

    status, got = await api.get(f"/api/v1/namespaces/{ns}/configmaps/c")
    assert status == 200 and got == created

    got["data"]["a"] = "changed"
    status, updated = await api.put(f"/api/v1/namespaces/{ns}/configmaps/c", got)
    assert status == 200, updated
    assert updated["data"]["a"] == "changed"
    assert int(updated["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
    assert updated["metadata"]["uid"] == meta["uid"]

    status, deleted = await api.delete(f"/api/v1/namespaces/{ns}/configmaps/c")
    assert status == 200
    assert deleted["kind"] == "Status" and deleted["status"] == "Success"
    assert deleted["details"] == {"name": "c", "kind": "configmaps", "uid": meta["uid"]}
    status, missing = await api.get(f"/api/v1/namespaces/{ns}/configmaps/c")
    assert status == 404 and missing["reason"] == "NotFound"
    assert missing["message"] == 'configmaps "c" not found'


async def test_create_twice_is_already_exists(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    assert (await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("dup")))[0] == 201
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("dup"))
    assert status == 409 and body["reason"] == "AlreadyExists"
    assert body["details"] == {"name": "dup", "kind": "configmaps"}


async def test_two_writers_one_conflict(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    _, base = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("race"))
    first = {**base, "data": {"writer": "1"}}
    second = {**base, "data": {"writer": "2"}}
    results = await asyncio.gather(api.put(f"/api/v1/namespaces/{ns}/configmaps/race", first),
                                   api.put(f"/api/v1/namespaces/{ns}/configmaps/race", second))
    codes = sorted(code for code, _ in results)
    assert codes == [200, 409], results
    loser = next(body for code, body in results if code == 409)
    assert loser["reason"] == "Conflict"
    assert "the object has been modified" in loser["message"]
    winner = next(body for code, body in results if code == 200)
    _, now = await api.get(f"/api/v1/namespaces/{ns}/configmaps/race")
    assert now["data"] == winner["data"]


async def test_unconditional_update_without_resource_version(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("u"))
    status, body = await api.put(f"/api/v1/namespaces/{ns}/configmaps/u", configmap("u", {"x": "y"}))
    assert status == 200 and body["data"] == {"x": "y"}


async def test_delete_preconditions(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    _, obj = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("p"))
    path = f"/api/v1/namespaces/{ns}/configmaps/p"
    status, body = await api.delete(path, {"kind": "DeleteOptions", "apiVersion": "v1",
                                           "preconditions": {"uid": "not-the-uid"}})
    assert status == 409 and body["reason"] == "Conflict" and "Precondition failed: UID" in body["message"]
    status, body = await api.delete(path, {"preconditions": {"resourceVersion": "1"}})
    assert status == 409 and "Precondition failed: ResourceVersion" in body["message"]
    status, body = await api.delete(path, {"preconditions": {"uid": obj["metadata"]["uid"],
                                                             "resourceVersion": obj["metadata"]["resourceVersion"]}})
    assert status == 200, body


async def test_generation_tracks_spec_only(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
              "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "d"}},
                       "template": {"metadata": {"labels": {"app": "d"}},
                                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
              "status": {"replicas": 99}}
    status, created = await api.post(f"/apis/apps/v1/namespaces/{ns}/deployments", deploy)
    assert status == 201, created
    assert created["metadata"]["generation"] == 1
    assert "replicas" not in (created.get("status") or {})
    created["metadata"]["labels"] = {"only": "metadata"}
    _, same = await api.put(f"/apis/apps/v1/namespaces/{ns}/deployments/d", created)
    assert same["metadata"]["generation"] == 1
    same["spec"]["replicas"] = 3
    same["status"] = {"replicas": 7}
    _, bumped = await api.put(f"/apis/apps/v1/namespaces/{ns}/deployments/d", same)
    assert bumped["metadata"]["generation"] == 2
    assert bumped.get("status", {}).get("replicas") is None
    bumped["status"] = {"replicas": 3}
    status, with_status = await api.put(f"/apis/apps/v1/namespaces/{ns}/deployments/d/status", bumped)
    assert status == 200 and with_status["status"] == {"replicas": 3}
    assert with_status["metadata"]["generation"] == 2


async def test_server_owned_metadata_cannot_be_forged(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    forged = configmap("f")
    forged["metadata"].update(uid="forged", creationTimestamp="2000-01-01T00:00:00Z")
    _, created = await api.post(f"/api/v1/namespaces/{ns}/configmaps", forged)
    assert created["metadata"]["uid"] != "forged"
    assert not created["metadata"]["creationTimestamp"].startswith("2000")
    created["metadata"]["uid"] = "other"
    _, updated = await api.put(f"/api/v1/namespaces/{ns}/configmaps/f", created)
    assert updated["metadata"]["uid"] != "other"


async def test_generate_name(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    body = {"metadata": {"generateName": "gen-"}, "data": {}}
    names = set()
    for _ in range(3):
        status, created = await api.post(f"/api/v1/namespaces/{ns}/configmaps", body)
        assert status == 201
        assert created["metadata"]["name"].startswith("gen-") and len(created["metadata"]["name"]) == 9
        names.add(created["metadata"]["name"])
    assert len(names) == 3


async def test_create_in_missing_namespace_is_404(api):
    status, body = await api.post("/api/v1/namespaces/does-not-exist/configmaps", configmap("x"))
    assert status == 404 and body["message"] == 'namespaces "does-not-exist" not found'


async def test_namespace_mismatch_is_400(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    obj = configmap("m")
    obj["metadata"]["namespace"] = "elsewhere"
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", obj)
    assert status == 400 and "does not match the namespace" in body["message"]


async def test_yaml_and_missing_content_type_bodies(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    doc = yaml.safe_dump(configmap("from-yaml")).encode()
    status, body = await api.request("POST", f"/api/v1/namespaces/{ns}/configmaps", data=doc,
                                     headers={"Content-Type": "application/yaml"})
    assert status == 201, body
    status, body = await api.request("POST", f"/api/v1/namespaces/{ns}/configmaps",
                                     data=orjson.dumps(configmap("no-type")))
    assert status == 201, body
    status, text = await api.request("GET", f"/api/v1/namespaces/{ns}/configmaps/from-yaml",
                                     headers={"Accept": "application/yaml"})
    assert status == 200 and yaml.safe_load(text)["metadata"]["name"] == "from-yaml"


async def test_cluster_scoped_and_system_namespaces(api):
    status, body = await api.get("/api/v1/namespaces")
    names = {item["metadata"]["name"] for item in body["items"]}
    assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= names
    status, ns = await api.get("/api/v1/namespaces/default")
    assert ns["status"] == {"phase": "Active"}
    assert ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == "default"
    pc = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high-test"},
          "value": 1000}
    status, created = await api.post("/apis/scheduling.k8s.io/v1/priorityclasses", pc)
    assert status == 201 and "namespace" not in created["metadata"]
    status, _ = await api.delete("/apis/scheduling.k8s.io/v1/priorityclasses/high-test")
    assert status == 200


async def test_delete_collection_with_selector(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    for i in range(4):
        await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap(f"c{i}", labels={"drop": str(i % 2)}))
    status, body = await api.delete(f"/api/v1/namespaces/{ns}/configmaps", params={"labelSelector": "drop=1"})
    assert status == 200 and body["kind"] == "ConfigMapList"
    assert sorted(i["metadata"]["name"] for i in body["items"]) == ["c1", "c3"]
    # the namespace's kube-root-ca.crt, published by the controller as in kube, is not one of the test's
    _, left = await api.get(f"/api/v1/namespaces/{ns}/configmaps", params={"labelSelector": "drop"})
    assert sorted(i["metadata"]["name"] for i in left["items"]) == ["c0", "c2"]


async def test_finalizers_delay_deletion_until_removed(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    obj = configmap("fin")
    obj["metadata"]["finalizers"] = ["example.com/hold"]
    await api.post(f"/api/v1/namespaces/{ns}/configmaps", obj)
    status, marked = await api.delete(f"/api/v1/namespaces/{ns}/configmaps/fin")
    assert status == 200 and marked["metadata"]["deletionTimestamp"]
    marked["metadata"]["finalizers"] = []
    status, _ = await api.put(f"/api/v1/namespaces/{ns}/configmaps/fin", marked)
    assert status == 200
    status, _ = await api.get(f"/api/v1/namespaces/{ns}/configmaps/fin")
    assert status == 404


async def test_patches_merge_and_json(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("pt", {"a": "1", "b": "2"}))
    path = f"/api/v1/namespaces/{ns}/configmaps/pt"
    status, body = await api.request("PATCH", path, data=orjson.dumps({"data": {"a": None, "c": "3"}}),
                                     headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200 and body["data"] == {"b": "2", "c": "3"}
    status, body = await api.request("PATCH", path, data=orjson.dumps([{"op": "replace", "path": "/data/b",
                                                                       "value": "x"}]),
                                     headers={"Content-Type": "application/json-patch+json"})
    assert status == 200 and body["data"] == {"b": "x", "c": "3"}


async def test_dry_run_never_stores(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    status, body = await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("dry"), params={"dryRun": "All"})
    assert status == 201 and body["metadata"]["name"] == "dry"
    assert (await api.get(f"/api/v1/namespaces/{ns}/configmaps/dry"))[0] == 404


async def test_stored_bytes_in_etcd(api, apiserver, etcd_cluster, pki, new_ns):
    from tests.integration.etcd_tools import etcdctl
    ns = new_ns()
    await make_namespace(api, ns)
    await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("c", {"a": "b"}))
    await api.post("/apis/apps/v1/namespaces/" + ns + "/deployments",
                   {"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                       "metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}})
    out = etcdctl(etcd_cluster, pki, "get", f"{apiserver.prefix}/configmaps/{ns}/c", "--print-value-only")
    stored = orjson.loads(out)
    assert stored["data"] == {"a": "b"} and stored["kind"] == "ConfigMap"
    assert "resourceVersion" not in stored["metadata"]
    keys = etcdctl(etcd_cluster, pki, "get", f"{apiserver.prefix}/", "--prefix", "--keys-only").split()
    assert f"{apiserver.prefix}/deployments/{ns}/d" in keys
    assert f"{apiserver.prefix}/namespaces/{ns}" in keys


async def test_scale_subresource(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    deploy = {"metadata": {"name": "s"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "s"}},
                                                  "template": {"metadata": {"labels": {"app": "s"}}, "spec": {
                                                      "containers": [{"name": "c", "image": "x"}]}}}}
    status, body = await api.post(f"/apis/apps/v1/namespaces/{ns}/deployments", deploy)
    assert status == 201, body
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/s/scale"
    status, scale = await api.get(path)
    assert status == 200 and scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 1} and scale["status"] == {"replicas": 0, "selector": "app=s"}
    status, scaled = await api.request("PATCH", path, data=orjson.dumps({"spec": {"replicas": 4}}),
                                       headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200 and scaled["spec"]["replicas"] == 4
    _, parent = await api.get(f"/apis/apps/v1/namespaces/{ns}/deployments/s")
    assert parent["spec"]["replicas"] == 4 and parent["metadata"]["generation"] == 2
    stale = {**scale, "spec": {"replicas": 2}}
    status, body = await api.put(path, stale)
    assert status == 409 and body["reason"] == "Conflict"
    status, body = await api.put(path, {**scaled, "spec": {"replicas": -1}})
    assert status == 422
    status, _ = await api.get(f"/api/v1/namespaces/{ns}/configmaps/x/scale")
    assert status == 404
