"""Service cluster IPs and node ports: allocation from the configured ranges, conflicts, release, type changes,
dry runs, the leader's repair, and no double allocation between replicas writing at the same time."""
from __future__ import annotations

import asyncio
import ipaddress
import json
import uuid

import pytest

from cluster.replica import client_context
from tests.integration.conftest import Api, make_namespace
from tests.integration.etcd_tools import etcdctl
from tests.polling import eventually


def service(name: str, *, kind: str = "ClusterIP", cluster_ip: str = "", node_port: int = 0,
            selector: dict | None = None) -> dict:
    port: dict = {"port": 80, "name": "http"}
    if node_port:
        port["nodePort"] = node_port
    spec: dict = {"type": kind, "ports": [port], "selector": {"app": name} if selector is None else selector}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    if kind == "ExternalName":
        spec = {"type": kind, "externalName": "example.com"}
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
async def ns(api, new_ns) -> str:
    name = new_ns()
    await make_namespace(api, name)
    return name


async def create(api: Api, ns: str, body: dict, **params) -> dict:
    status, created = await api.post(f"/api/v1/namespaces/{ns}/services", body, params=params or None)
    assert status == 201, created
    return created


def allocation_keys(etcd_cluster, pki, prefix: str, kind: str) -> list[str]:
    out = etcdctl(etcd_cluster, pki, "get", f"{prefix}/allocations/{kind}/", "--prefix", "--keys-only")
    return [line.rsplit("/", 1)[1] for line in out.split() if line]


async def kubernetes_service(api: Api) -> dict:
    """The `kubernetes` Service, once the replica's start-up has made it (readiness does not wait for that)."""
    async def made() -> dict:
        status, svc = await api.get("/api/v1/namespaces/default/services/kubernetes")
        assert status == 200, svc
        return svc

    return await eventually(made, what="the kubernetes Service")


async def test_kubernetes_service_has_the_first_ip(api):
    spec = (await kubernetes_service(api))["spec"]
    assert (spec["clusterIP"], spec["clusterIPs"]) == ("10.0.0.1", ["10.0.0.1"])
    assert (spec["ipFamilies"], spec["ipFamilyPolicy"]) == (["IPv4"], "SingleStack")


async def test_cluster_ip_comes_from_the_upper_band_of_the_range(api, ns):
    spec = (await create(api, ns, service("a")))["spec"]
    ip = ipaddress.ip_address(spec["clusterIP"])
    # 10.0.0.0/24: the lowest 16 addresses are kept for explicit requests
    assert ipaddress.ip_address("10.0.0.17") <= ip <= ipaddress.ip_address("10.0.0.254")
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert (spec["ipFamilies"], spec["ipFamilyPolicy"]) == (["IPv4"], "SingleStack")
    assert "nodePort" not in spec["ports"][0]


async def test_explicit_ip_taken_twice_or_outside_the_range_is_invalid(api, ns):
    spec = (await create(api, ns, service("a", cluster_ip="10.0.0.5")))["spec"]
    assert spec["clusterIPs"] == ["10.0.0.5"]
    status, body = await api.post(f"/api/v1/namespaces/{ns}/services", service("b", cluster_ip="10.0.0.5"))
    assert status == 422 and body["reason"] == "Invalid"
    assert body["message"] == ('Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: '
                               'failed to allocate IP 10.0.0.5: provided IP is already allocated')
    assert body["details"]["causes"][0]["field"] == "spec.clusterIPs"
    status, body = await api.post(f"/api/v1/namespaces/{ns}/services", service("c", cluster_ip="10.1.0.5"))
    assert status == 422
    assert body["message"] == ('Service "c" is invalid: spec.clusterIPs: Invalid value: []string{"10.1.0.5"}: '
                               'failed to allocate IP 10.1.0.5: provided IP is not in the valid range. '
                               'The range of valid IPs is 10.0.0.0/24')
    status, body = await api.post(f"/api/v1/namespaces/{ns}/services", service("d", cluster_ip="10.0.0.300"))
    assert status == 422 and body["details"]["causes"][0]["field"] == "spec.clusterIPs[0]"


async def test_headless_and_external_name_get_no_ip(api, ns):
    headless = (await create(api, ns, service("h", cluster_ip="None")))["spec"]
    assert (headless["clusterIP"], headless["clusterIPs"]) == ("None", ["None"])
    assert (headless["ipFamilies"], headless["ipFamilyPolicy"]) == (["IPv4"], "SingleStack")
    selectorless = (await create(api, ns, service("s", cluster_ip="None", selector={})))["spec"]
    # kube's special case: a headless Service without selector asks for both families
    assert (selectorless["ipFamilies"], selectorless["ipFamilyPolicy"]) == (["IPv4", "IPv6"], "RequireDualStack")
    external = (await create(api, ns, service("e", kind="ExternalName")))["spec"]
    assert "clusterIP" not in external and "ipFamilies" not in external


async def test_node_ports_from_the_range_and_conflicts(api, ns):
    spec = (await create(api, ns, service("n", kind="NodePort")))["spec"]
    assert 30000 <= spec["ports"][0]["nodePort"] <= 32767 and spec["externalTrafficPolicy"] == "Cluster"
    spec = (await create(api, ns, service("m", kind="NodePort", node_port=30007)))["spec"]
    assert spec["ports"][0]["nodePort"] == 30007
    status, body = await api.post(f"/api/v1/namespaces/{ns}/services", service("o", kind="NodePort", node_port=30007))
    assert status == 422
    assert body["message"] == ('Service "o" is invalid: spec.ports[0].nodePort: Invalid value: 30007: '
                               'provided port is already allocated')
    status, body = await api.post(f"/api/v1/namespaces/{ns}/services", service("p", kind="NodePort", node_port=8080))
    assert status == 422
    assert body["message"] == ('Service "p" is invalid: spec.ports[0].nodePort: Invalid value: 8080: '
                               'provided port is not in the valid range. The range of valid ports is 30000-32767')
    # the failed creates gave back the cluster IPs they took first: nothing but n and m holds anything
    status, body = await api.post(f"/api/v1/namespaces/{ns}/services", service("q", cluster_ip="10.0.0.6",
                                                                              node_port=30008))
    assert status == 422 and "may not be used when `type` is 'ClusterIP'" in body["message"]
    lb = (await create(api, ns, {**service("lb", kind="LoadBalancer")}))["spec"]
    assert lb["allocateLoadBalancerNodePorts"] is True and 30000 <= lb["ports"][0]["nodePort"] <= 32767


async def test_a_failed_write_gives_its_allocation_back(api, ns):
    await create(api, ns, service("a"))
    status, _ = await api.post(f"/api/v1/namespaces/{ns}/services", service("a", cluster_ip="10.0.0.7"))
    assert status == 409
    assert (await create(api, ns, service("b", cluster_ip="10.0.0.7")))["spec"]["clusterIP"] == "10.0.0.7"


async def test_dry_run_shows_but_keeps_nothing(api, ns):
    dry = await create(api, ns, service("a", kind="NodePort", cluster_ip="10.0.0.8", node_port=30009),
                       dryRun="All")
    assert dry["spec"]["clusterIP"] == "10.0.0.8" and dry["spec"]["ports"][0]["nodePort"] == 30009
    auto = await create(api, ns, service("b", kind="NodePort"), dryRun="All")
    assert auto["spec"]["clusterIP"] and auto["spec"]["ports"][0]["nodePort"]
    real = await create(api, ns, service("a", kind="NodePort", cluster_ip="10.0.0.8", node_port=30009))
    assert real["spec"]["clusterIP"] == "10.0.0.8" and real["spec"]["ports"][0]["nodePort"] == 30009


async def test_type_changes_allocate_and_release(api, ns):
    path = f"/api/v1/namespaces/{ns}/services/a"
    created = await create(api, ns, service("a", cluster_ip="10.0.0.9"))
    created["spec"]["type"] = "NodePort"
    status, node_port = await api.put(path, created)
    assert status == 200, node_port
    port = node_port["spec"]["ports"][0]["nodePort"]
    assert node_port["spec"]["clusterIP"] == "10.0.0.9" and 30000 <= port <= 32767
    # a PUT that leaves out the allocated values keeps them, as kube's patchAllocatedValues does
    bare = {**node_port, "spec": {**node_port["spec"], "ports": [{"port": 80, "name": "http"}]}}
    del bare["spec"]["clusterIP"], bare["spec"]["clusterIPs"]
    status, kept = await api.put(path, bare)
    assert status == 200 and kept["spec"]["ports"][0]["nodePort"] == port and kept["spec"]["clusterIP"] == "10.0.0.9"
    status, back = await api.request("PATCH", path, {"spec": {"type": "ClusterIP"}},
                                      headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200 and "nodePort" not in back["spec"]["ports"][0]
    await create(api, ns, service("b", kind="NodePort", node_port=port))
    status, external = await api.request("PATCH", path, {"spec": {"type": "ExternalName",
                                                                  "externalName": "example.com"}},
                                         headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200 and "clusterIP" not in external["spec"], external
    await create(api, ns, service("c", cluster_ip="10.0.0.9"))


async def test_delete_releases_and_a_full_range_refuses(replica_factory, pki, etcd_cluster):
    replica = replica_factory("--service-cluster-ip-range=10.99.0.0/29", "--service-node-port-range=30100-30102")
    api = Api(replica.url, client_context(pki))
    try:
        # in a range this small any address may be handed out: the kubernetes Service must have its .1 first
        await kubernetes_service(api)
        ns = f"full-{uuid.uuid4().hex[:6]}"
        await make_namespace(api, ns)
        ips = set()
        ports = set()
        # /29: .1-.6, and .1 is the kubernetes Service's
        for i in range(3):
            spec = (await create(api, ns, service(f"s{i}", kind="NodePort")))["spec"]
            ips.add(spec["clusterIP"])
            ports.add(spec["ports"][0]["nodePort"])
        assert ports == {30100, 30101, 30102}
        status, body = await api.post(f"/api/v1/namespaces/{ns}/services", service("x", kind="NodePort"))
        assert status == 500 and body["message"].startswith("Internal error occurred: failed to allocate a nodePort")
        for i in range(3, 5):
            ips.add((await create(api, ns, service(f"s{i}")))["spec"]["clusterIP"])
        assert ips == {f"10.99.0.{i}" for i in range(2, 7)}
        status, body = await api.post(f"/api/v1/namespaces/{ns}/services", service("y"))
        assert status == 500 and body["message"].startswith("Internal error occurred: failed to allocate a serviceIP")
        _, victim = await api.get(f"/api/v1/namespaces/{ns}/services/s1")
        status, _ = await api.delete(f"/api/v1/namespaces/{ns}/services/s1")
        assert status == 200
        again = (await create(api, ns, service("z", kind="NodePort")))["spec"]
        assert again["clusterIP"] == victim["spec"]["clusterIP"]
        assert again["ports"][0]["nodePort"] == victim["spec"]["ports"][0]["nodePort"]
        held = allocation_keys(etcd_cluster, pki, replica.prefix, "serviceips/4")
        assert sorted(held) == sorted(ips | {"10.99.0.1"})
    finally:
        await api.close()


async def test_repair_frees_leaks_and_marks_what_services_hold(replica_factory, pki, etcd_cluster):
    replica = replica_factory("--service-allocation-repair-interval=300ms", "--leader-elect-lease-duration=3s",
                              "--leader-elect-renew-deadline=2s", "--leader-elect-retry-period=200ms")
    api = Api(replica.url, client_context(pki))
    try:
        ns = f"repair-{uuid.uuid4().hex[:6]}"
        await make_namespace(api, ns)
        spec = (await create(api, ns, service("a", kind="NodePort")))["spec"]
        root = f"{replica.prefix}/allocations"
        # a crash after allocating and before writing a Service; a key lost while its Service lives on
        etcdctl(etcd_cluster, pki, "put", f"{root}/serviceips/4/10.0.0.14", json.dumps({"name": "ghost"}))
        etcdctl(etcd_cluster, pki, "put", f"{root}/servicenodeports/30050", json.dumps({"name": "ghost"}))
        etcdctl(etcd_cluster, pki, "del", f"{root}/serviceips/4/{spec['clusterIP']}")

        async def repaired():
            ips = allocation_keys(etcd_cluster, pki, replica.prefix, "serviceips/4")
            ports = allocation_keys(etcd_cluster, pki, replica.prefix, "servicenodeports")
            return (sorted(ips) == sorted(["10.0.0.1", spec["clusterIP"]])
                    and ports == [str(spec["ports"][0]["nodePort"])])

        await eventually(repaired, timeout=30)
        status, body = await api.post(f"/api/v1/namespaces/{ns}/services", service("b", cluster_ip=spec["clusterIP"]))
        assert status == 422 and "provided IP is already allocated" in body["message"]
    finally:
        await api.close()


async def test_two_replicas_never_hand_out_the_same_ip_or_node_port(replica_factory, pki, etcd_cluster):
    prefix = f"/registry-{uuid.uuid4().hex[:8]}"
    flags = ("--service-cluster-ip-range=10.77.0.0/25", "--service-node-port-range=30000-30149")
    replicas = [replica_factory(*flags, prefix=prefix) for _ in range(2)]
    apis = [Api(r.url, client_context(pki)) for r in replicas]
    try:
        # the lower band, and so .1, is handed out once the upper one is full
        await kubernetes_service(apis[0])
        ns = f"race-{uuid.uuid4().hex[:6]}"
        await make_namespace(apis[0], ns)
        # 125 addresses (one is the kubernetes Service's) and 150 ports for 120 Services, 40 writes in flight
        gate = asyncio.Semaphore(40)

        async def one(i: int) -> dict:
            async with gate:
                return await create(apis[i % 2], ns, service(f"s{i}", kind="NodePort"))

        created = await asyncio.gather(*(one(i) for i in range(120)))
        ips = [c["spec"]["clusterIP"] for c in created]
        ports = [c["spec"]["ports"][0]["nodePort"] for c in created]
        assert len(set(ips)) == 120 and len(set(ports)) == 120
        assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("10.77.0.0/25") for ip in ips)
        assert "10.77.0.1" not in ips
        held_ips = allocation_keys(etcd_cluster, pki, prefix, "serviceips/4")
        held_ports = allocation_keys(etcd_cluster, pki, prefix, "servicenodeports")
        assert sorted(held_ips) == sorted(ips + ["10.77.0.1"]) and sorted(map(int, held_ports)) == sorted(ports)
    finally:
        for api in apis:
            await api.close()


async def test_dual_stack_ranges_give_prefer_dual_stack_two_ips(replica_factory, pki):
    replica = replica_factory("--service-cluster-ip-range=10.98.0.0/24,fd00:98::/112")
    api = Api(replica.url, client_context(pki))
    try:
        ns = f"dual-{uuid.uuid4().hex[:6]}"
        await make_namespace(api, ns)
        single = (await create(api, ns, service("single")))["spec"]
        assert single["ipFamilies"] == ["IPv4"] and len(single["clusterIPs"]) == 1
        dual = (await create(api, ns, {**service("dual"), "spec": {**service("dual")["spec"],
                                                                   "ipFamilyPolicy": "PreferDualStack"}}))["spec"]
        assert dual["ipFamilies"] == ["IPv4", "IPv6"]
        v4, v6 = (ipaddress.ip_address(ip) for ip in dual["clusterIPs"])
        assert v4 in ipaddress.ip_network("10.98.0.0/24") and v6 in ipaddress.ip_network("fd00:98::/112")
        six = (await create(api, ns, {**service("six"), "spec": {**service("six")["spec"],
                                                                 "ipFamilies": ["IPv6"]}}))["spec"]
        assert ipaddress.ip_address(six["clusterIP"]).version == 6
        taken = service("v6", cluster_ip=dual["clusterIPs"][1])
        status, body = await api.post(f"/api/v1/namespaces/{ns}/services", taken)
        assert status == 422 and "provided IP is already allocated" in body["message"]
    finally:
        await api.close()


async def test_require_dual_stack_on_a_single_stack_cluster_is_invalid(api, ns):
    body = service("r")
    body["spec"]["ipFamilyPolicy"] = "RequireDualStack"
    status, answer = await api.post(f"/api/v1/namespaces/{ns}/services", body)
    assert status == 422
    assert answer["message"] == ('Service "r" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": '
                                 'this cluster is not configured for dual-stack services')
