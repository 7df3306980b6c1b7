"""List semantics: selectors, resourceVersion rules, pagination."""
from __future__ import annotations

from tests.integration.conftest import ROOT_CA_CONFIGMAP, configmap, make_namespace, root_ca_published
from tests.integration.etcd_tools import compact, current_revision
from tests.polling import eventually


async def _names(api, path, **params) -> list[str]:
    status, body = await api.get(path, params=params)
    assert status == 200, body
    return [i["metadata"]["name"] for i in body["items"]]


async def test_label_selectors(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    # the namespace's own kube-root-ca.crt has no labels
    await root_ca_published(api, ns)
    root = ROOT_CA_CONFIGMAP
    labels = {"a": {"env": "prod", "tier": "web"}, "b": {"env": "dev", "tier": "web"}, "c": {"env": "qa"},
              "d": {}}
    for name, lbl in labels.items():
        await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap(name, labels=lbl))
    path = f"/api/v1/namespaces/{ns}/configmaps"
    assert await _names(api, path, labelSelector="env=prod") == ["a"]
    assert await _names(api, path, labelSelector="env==dev") == ["b"]
    assert await _names(api, path, labelSelector="env!=prod") == ["b", "c", "d", root]
    assert await _names(api, path, labelSelector="env in (prod,qa)") == ["a", "c"]
    assert await _names(api, path, labelSelector="env notin (prod,qa)") == ["b", "d", root]
    assert await _names(api, path, labelSelector="tier") == ["a", "b"]
    assert await _names(api, path, labelSelector="!tier") == ["c", "d", root]
    assert await _names(api, path, labelSelector="tier=web,env=dev") == ["b"]
    status, body = await api.get(path, params={"labelSelector": "env in prod"})
    assert status == 400 and body["reason"] == "BadRequest"


async def test_field_selectors(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    for name, node in (("p1", "n1"), ("p2", "n2")):
        pod = {"metadata": {"name": name}, "spec": {"nodeName": node, "containers": [{"name": "c", "image": "x"}]}}
        assert (await api.post(f"/api/v1/namespaces/{ns}/pods", pod))[0] == 201
    assert await _names(api, f"/api/v1/namespaces/{ns}/pods", fieldSelector="spec.nodeName=n2") == ["p2"]
    assert await _names(api, f"/api/v1/namespaces/{ns}/pods", fieldSelector="status.phase=Pending") == ["p1", "p2"]
    assert await _names(api, f"/api/v1/namespaces/{ns}/pods", fieldSelector="metadata.name!=p1") == ["p2"]
    assert await _names(api, "/api/v1/pods", fieldSelector=f"metadata.namespace={ns}") == ["p1", "p2"]
    status, body = await api.get(f"/api/v1/namespaces/{ns}/pods", params={"fieldSelector": "spec.bogus=1"})
    assert status == 400 and body["message"] == "field label not supported: spec.bogus"
    secret = {"metadata": {"name": "s"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}}
    await api.post(f"/api/v1/namespaces/{ns}/secrets", secret)
    await api.post(f"/api/v1/namespaces/{ns}/secrets", {"metadata": {"name": "o"}})
    assert await _names(api, f"/api/v1/namespaces/{ns}/secrets", fieldSelector="type=Opaque") == ["o"]


async def test_list_across_namespaces(api, new_ns):
    first, second = new_ns(), new_ns()
    for ns in (first, second):
        await make_namespace(api, ns)
        await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("same", labels={"probe": first}))
    status, body = await api.get("/api/v1/configmaps", params={"labelSelector": f"probe={first}"})
    assert status == 200 and body["kind"] == "ConfigMapList"
    assert sorted(i["metadata"]["namespace"] for i in body["items"]) == sorted([first, second])


async def test_resource_version_rules(api, new_ns, etcd_cluster, pki):
    ns = new_ns()
    await make_namespace(api, ns)
    await root_ca_published(api, ns)
    root = ROOT_CA_CONFIGMAP
    path = f"/api/v1/namespaces/{ns}/configmaps"
    _, first = await api.post(path, configmap("one"))
    rv1 = first["metadata"]["resourceVersion"]
    _, second = await api.post(path, configmap("two"))
    rv2 = second["metadata"]["resourceVersion"]

    # unset: consistent, never older than etcd's current revision
    _, body = await api.get(path)
    assert int(body["metadata"]["resourceVersion"]) >= current_revision(etcd_cluster, pki) - 50
    assert int(body["metadata"]["resourceVersion"]) >= int(rv2)
    assert [i["metadata"]["name"] for i in body["items"]] == [root, "one", "two"]
    # Exact: the state at that revision
    _, exact = await api.get(path, params={"resourceVersion": rv1, "resourceVersionMatch": "Exact"})
    assert [i["metadata"]["name"] for i in exact["items"]] == [root, "one"]
    assert exact["metadata"]["resourceVersion"] == rv1
    # NotOlderThan: at least that revision
    _, newer = await api.get(path, params={"resourceVersion": rv2, "resourceVersionMatch": "NotOlderThan"})
    assert int(newer["metadata"]["resourceVersion"]) >= int(rv2) and len(newer["items"]) == 3
    # "0": any state the cache has; it catches up with our writes quickly
    async def cached_names() -> list[str]:
        _, cached = await api.get(path, params={"resourceVersion": "0"})
        names = [i["metadata"]["name"] for i in cached["items"]]
        assert len(names) == 3, names
        return names

    assert await eventually(cached_names) == [root, "one", "two"]
    # a revision from the future is a 504 Timeout with the ResourceVersionTooLarge cause
    status, body = await api.get(path, params={"resourceVersion": str(int(rv2) + 10_000_000),
                                               "resourceVersionMatch": "NotOlderThan", "limit": "1"})
    assert status == 504 and body["reason"] == "Timeout"
    assert body["details"]["causes"][0]["reason"] == "ResourceVersionTooLarge"
    # invalid combinations are kube's 422 on ListOptions; an unparsable resourceVersion is 400
    for params in ({"resourceVersionMatch": "Exact"}, {"resourceVersion": "0", "resourceVersionMatch": "Exact"},
                   {"resourceVersion": "1", "resourceVersionMatch": "Sometimes"}):
        status, body = await api.get(path, params=params)
        assert (status, body["details"]["kind"]) == (422, "ListOptions"), (params, body)
    status, body = await api.get(path, params={"resourceVersion": "abc"})
    assert status == 400, body
    # a single GET at resourceVersion 0 is served from the cache
    status, got = await api.get(f"{path}/one", params={"resourceVersion": "0"})
    assert status == 200 and got["metadata"]["name"] == "one"


async def test_pagination_is_a_consistent_snapshot(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await root_ca_published(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    for i in range(10):
        await api.post(path, configmap(f"cm-{i:02d}"))
    _, page = await api.get(path, params={"limit": "3"})
    assert [i["metadata"]["name"] for i in page["items"]] == ["cm-00", "cm-01", "cm-02"]
    assert page["metadata"]["remainingItemCount"] == 8
    snapshot_rv = page["metadata"]["resourceVersion"]
    seen = [i["metadata"]["name"] for i in page["items"]]
    # concurrent writes: new objects, a deletion and an update must not show up in the snapshot
    await api.post(path, configmap("cm-05a"))
    await api.delete(f"{path}/cm-08")
    await api.put(f"{path}/cm-09", configmap("cm-09", {"changed": "yes"}))
    token = page["metadata"]["continue"]
    while token:
        status, page = await api.get(path, params={"limit": "3", "continue": token})
        assert status == 200, page
        assert page["metadata"]["resourceVersion"] == snapshot_rv
        seen += [i["metadata"]["name"] for i in page["items"]]
        for item in page["items"]:
            if item["metadata"]["name"] == "cm-09":
                assert item["data"] == {"k": "v"}
        token = page["metadata"].get("continue")
    assert seen == [f"cm-{i:02d}" for i in range(10)] + [ROOT_CA_CONFIGMAP]
    status, body = await api.get(path, params={"limit": "3", "continue": "garbage!!"})
    assert status == 400


async def test_pagination_with_selector_fills_pages(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    for i in range(12):
        await api.post(path, configmap(f"s-{i:02d}", labels={"even": str(i % 2 == 0).lower()}))
    names, token = [], None
    while True:
        params = {"limit": "2", "labelSelector": "even=true"}
        if token:
            params["continue"] = token
        _, page = await api.get(path, params=params)
        assert len(page["items"]) <= 2
        names += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue")
        if not token:
            break
    assert names == [f"s-{i:02d}" for i in range(0, 12, 2)]


async def test_expired_continue_is_410(api, new_ns, etcd_cluster, pki):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    for i in range(3):
        await api.post(path, configmap(f"e-{i}"))
    _, page = await api.get(path, params={"limit": "1"})
    token = page["metadata"]["continue"]
    await api.post(path, configmap("bump"))
    compact(etcd_cluster, pki)
    status, body = await api.get(path, params={"limit": "1", "continue": token})
    assert status == 410 and body["reason"] == "Expired" and body["code"] == 410
    status, body = await api.get(path, params={"resourceVersion": page["metadata"]["resourceVersion"],
                                               "resourceVersionMatch": "Exact"})
    assert status == 410 and body["reason"] == "Expired"


async def test_cluster_scoped_kinds_take_the_namespace_field_label_as_kube_does(api):
    # kube's default conversion accepts metadata.namespace everywhere: on a cluster-scoped kind it matches ""
    status, listed = await api.get("/apis/storage.k8s.io/v1/storageclasses",
                                   params={"fieldSelector": "metadata.namespace=x"})
    assert status == 200 and listed["items"] == []
    # namespaces convert their own field labels, and metadata.namespace is not one of them
    status, body = await api.get("/api/v1/namespaces", params={"fieldSelector": "metadata.namespace=x"})
    assert status == 400 and body["message"] == "field label not supported: metadata.namespace"
