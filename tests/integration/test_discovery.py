"""Discovery: /version, the legacy documents, and aggregated discovery (apidiscovery.k8s.io v2 and v2beta1)."""
from __future__ import annotations

AGGREGATED = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
              "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")


async def test_version_with_and_without_slash(api):
    for path in ("/version", "/version/"):
        status, body = await api.get(path, params={"timeout": "32s"})
        assert status == 200 and body["major"] == "1" and body["minor"] == "32"
        assert body["gitVersion"].startswith("v1.32.")


async def test_legacy_documents(api):
    _, versions = await api.get("/api")
    assert versions["kind"] == "APIVersions" and versions["versions"] == ["v1"]
    _, groups = await api.get("/apis")
    names = [g["name"] for g in groups["groups"]]
    assert {"apps", "batch", "coordination.k8s.io", "discovery.k8s.io", "policy"} <= set(names)
    _, apps = await api.get("/apis/apps")
    assert apps["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    _, core = await api.get("/api/v1")
    pods = next(r for r in core["resources"] if r["name"] == "pods")
    assert pods["namespaced"] and pods["kind"] == "Pod" and "all" in pods["categories"]
    assert any(r["name"] == "pods/status" for r in core["resources"])
    status, _ = await api.get("/apis/nothing.example.com/v1")
    assert status == 404


async def test_aggregated_discovery(api):
    async with api.session.get(api.url + "/apis", headers={"Accept": AGGREGATED}) as resp:
        assert resp.headers["Content-Type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        body = await resp.json(content_type=None)
    assert body["kind"] == "APIGroupDiscoveryList" and body["apiVersion"] == "apidiscovery.k8s.io/v2"
    apps = next(i for i in body["items"] if i["metadata"]["name"] == "apps")
    version = apps["versions"][0]
    assert version["version"] == "v1" and version["freshness"] == "Current"
    deployments = next(r for r in version["resources"] if r["resource"] == "deployments")
    assert deployments["responseKind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    assert deployments["scope"] == "Namespaced" and deployments["shortNames"] == ["deploy"]
    assert deployments["categories"] == ["all"]
    assert deployments["subresources"][0]["subresource"] == "status"
    async with api.session.get(api.url + "/api", headers={
            "Accept": "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"}) as resp:
        assert "v=v2beta1" in resp.headers["Content-Type"]
        core = await resp.json(content_type=None)
    assert [i["metadata"]["name"] for i in core["items"]] == [""]
    assert any(r["resource"] == "namespaces" and r["scope"] == "Cluster"
               for r in core["items"][0]["versions"][0]["resources"])
