"""The built-in kinds beyond the common ones: discovery rows, etcd keys, defaults and their subresources."""
from __future__ import annotations

import orjson

from tests.csr_tools import csr_request, issued_certificate
from tests.integration.conftest import make_namespace
from tests.integration.etcd_tools import etcdctl

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

RC = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
      "spec": {"template": {"metadata": {"labels": {"app": "rc"}},
                            "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}


async def test_discovery_lists_the_new_resources(api):
    _, core = await api.get("/api/v1")
    rc = next(r for r in core["resources"] if r["name"] == "replicationcontrollers")
    assert rc["shortNames"] == ["rc"] and rc["categories"] == ["all"] and rc["namespaced"]
    assert {"replicationcontrollers/scale", "replicationcontrollers/status", "podtemplates"} <= {
        r["name"] for r in core["resources"]}
    _, certificates = await api.get("/apis/certificates.k8s.io/v1")
    assert {r["name"] for r in certificates["resources"]} == {
        "certificatesigningrequests", "certificatesigningrequests/status", "certificatesigningrequests/approval"}
    _, autoscaling = await api.get("/apis/autoscaling")
    assert autoscaling["preferredVersion"]["groupVersion"] == "autoscaling/v2"
    async with api.session.get(api.url + "/apis", headers={"Accept": AGGREGATED}) as resp:
        groups = {i["metadata"]["name"]: i for i in (await resp.json(content_type=None))["items"]}
    storage = {r["resource"]: r for r in groups["storage.k8s.io"]["versions"][0]["resources"]}
    assert {"csidrivers", "csinodes", "csistoragecapacities", "volumeattachments"} <= set(storage)
    assert storage["volumeattachments"]["scope"] == "Cluster"
    assert storage["csistoragecapacities"]["scope"] == "Namespaced"
    assert [s["subresource"] for s in storage["volumeattachments"]["subresources"]] == ["status"]
    assert {r["resource"] for r in groups["node.k8s.io"]["versions"][0]["resources"]} == {"runtimeclasses"}
    hpa = groups["autoscaling"]["versions"][0]["resources"][0]
    assert (hpa["resource"], hpa["shortNames"], hpa["categories"]) == ("horizontalpodautoscalers", ["hpa"], ["all"])


async def test_openapi_has_the_new_kinds(api):
    _, index = await api.get("/openapi/v3")
    for path, model in (("api/v1", "io.k8s.api.core.v1.ReplicationController"),
                        ("apis/autoscaling/v2", "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"),
                        ("apis/certificates.k8s.io/v1", "io.k8s.api.certificates.v1.CertificateSigningRequest")):
        status, doc = await api.get("/openapi/v3/" + path)
        assert status == 200 and path in index["paths"]
        assert model in doc["components"]["schemas"]


async def test_replication_controller_defaults_scale_and_key(api, new_ns, apiserver, etcd_cluster, pki):
    ns = new_ns()
    await make_namespace(api, ns)
    status, rc = await api.post(f"/api/v1/namespaces/{ns}/replicationcontrollers", RC)
    assert status == 201, rc
    assert rc["spec"]["selector"] == {"app": "rc"} and rc["metadata"]["labels"] == {"app": "rc"}
    assert rc["spec"]["replicas"] == 1 and rc["metadata"]["generation"] == 1
    assert rc["spec"]["template"]["spec"]["restartPolicy"] == "Always"
    _, scale = await api.get(f"/api/v1/namespaces/{ns}/replicationcontrollers/rc/scale")
    assert scale["kind"] == "Scale" and scale["spec"] == {"replicas": 1}
    assert scale["status"] == {"replicas": 0, "selector": "app=rc"}
    status, scaled = await api.request("PATCH", f"/api/v1/namespaces/{ns}/replicationcontrollers/rc/scale",
                                       data=orjson.dumps({"spec": {"replicas": 4}}),
                                       headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200 and scaled["spec"]["replicas"] == 4
    _, rc = await api.get(f"/api/v1/namespaces/{ns}/replicationcontrollers/rc")
    assert rc["spec"]["replicas"] == 4 and rc["metadata"]["generation"] == 2
    stored = etcdctl(etcd_cluster, pki, "get", f"{apiserver.prefix}/controllers/{ns}/rc", "--print-value-only")
    assert '"kind":"ReplicationController"' in stored


async def test_hpa_csidriver_and_ingressclass_defaults(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                    "maxReplicas": 5, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}}
    status, created = await api.post(f"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers", hpa)
    assert status == 201, created
    spec = created["spec"]
    assert spec["minReplicas"] == 1
    assert spec["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 80}}}]
    assert spec["behavior"]["scaleDown"] == {"stabilizationWindowSeconds": 60, "selectPolicy": "Max",
                                             "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}
    assert spec["behavior"]["scaleUp"]["policies"][0] == {"type": "Pods", "value": 4, "periodSeconds": 15}
    status, driver = await api.post("/apis/storage.k8s.io/v1/csidrivers", {
        "apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": {"name": f"{ns}.csi.example.com"},
        "spec": {}})
    assert status == 201, driver
    assert driver["spec"]["attachRequired"] is True and driver["spec"]["volumeLifecycleModes"] == ["Persistent"]
    assert driver["spec"]["fsGroupPolicy"] == "ReadWriteOnceWithFSType"
    status, ic = await api.post("/apis/networking.k8s.io/v1/ingressclasses", {
        "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": ns},
        "spec": {"controller": "example.com/ingress", "parameters": {"kind": "P", "name": "p"}}})
    assert status == 201, ic
    assert ic["spec"]["parameters"]["scope"] == "Cluster" and ic["metadata"]["generation"] == 1


async def test_csr_status_and_approval_write_their_own_parts(api, new_ns):
    name = new_ns()
    base = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
    csr = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": name},
           "spec": {"request": csr_request(), "signerName": "example.com/signer", "usages": ["client auth"]}}
    status, created = await api.post(base, csr)
    assert status == 201 and created["status"] == {}
    certificate = issued_certificate()
    approved = {**created, "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "Test"}],
                                      "certificate": certificate}}
    status, after = await api.put(f"{base}/{name}/approval", approved)
    assert status == 200, after
    assert list(after["status"]) == ["conditions"]
    conditions = after["status"]["conditions"]
    assert [(c["type"], c["status"], c["reason"]) for c in conditions] == [("Approved", "True", "Test")]
    # the status subresource keeps the approval as stored whatever it is sent
    issued = {**after, "status": {"certificate": certificate,
                                  "conditions": [{"type": "Approved", "status": "True", "reason": "Other"}]}}
    status, after = await api.put(f"{base}/{name}/status", issued)
    assert status == 200, after
    assert after["status"] == {"certificate": certificate, "conditions": conditions}
    _, listed = await api.get(base, params={"fieldSelector": "spec.signerName=example.com/signer"})
    assert name in [i["metadata"]["name"] for i in listed["items"]]


async def test_csr_names_its_requestor_and_keeps_its_spec(api, new_ns):
    base = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
    name = new_ns()
    forged = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": name},
              "spec": {"request": csr_request(), "signerName": "example.com/signer", "usages": ["client auth"],
                       "username": "system:kube-controller-manager", "groups": ["system:masters"],
                       "extra": {"forged": ["yes"]}}}
    status, created = await api.post(base, forged, headers={"Impersonate-User": "jane", "Impersonate-Group": "devs"})
    assert status == 201, created
    assert created["spec"]["username"] == "jane"
    assert created["spec"]["groups"] == ["devs", "system:authenticated"]
    assert "extra" not in created["spec"] and "uid" not in created["spec"]
    # an update of the main resource cannot rewrite the request
    changed = {**created, "spec": {**created["spec"], "username": "someone-else", "usages": ["server auth"]}}
    status, updated = await api.put(f"{base}/{name}", changed)
    assert status == 200, updated
    assert updated["spec"] == created["spec"]


async def test_endpoint_slice_and_priority_class_defaults(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    status, eps = await api.post(f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices", {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "s"},
        "addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"]}], "ports": [{"port": 80}]})
    assert status == 201, eps
    assert eps["ports"] == [{"name": "", "port": 80, "protocol": "TCP"}] and eps["metadata"]["generation"] == 1
    status, pc = await api.post("/apis/scheduling.k8s.io/v1/priorityclasses", {
        "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": ns}, "value": 10})
    assert status == 201 and pc["preemptionPolicy"] == "PreemptLowerPriority"
