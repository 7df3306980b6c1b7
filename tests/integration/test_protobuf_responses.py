"""Protobuf answers from a real replica: GET, LIST, WATCH and errors decode, with the protobuf library over the
tables, to the object the JSON answer carries; media types the server does not speak get kube's 406/415; and
the machine's kubectl, whose typed commands now get protobuf back, still works."""
from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from apiserver.api.protobuf import decode_body, encode_object
from apiserver.api.protobuf.registry import CLASSES, WATCH_EVENT
from certs.kubeconfig import write_kubeconfig
from tests.integration.conftest import make_namespace

# empty objects and lists go: Go prints them for empty structs, and protobuf does not tell them apart
from tests.integration.test_protobuf_kubectl import normalise

PROTOBUF = "application/vnd.kubernetes.protobuf"
TYPED = {"Accept": f"{PROTOBUF}, */*"}  # what client-go's typed clients send


def deployment(name: str, replicas: int) -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


async def raw(api, method: str, path: str, headers: dict[str, str], data: bytes | None = None) -> tuple[
        int, str, bytes]:
    async with api.session.request(method, api.url + path, headers=headers, data=data) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.read()


async def test_get_list_and_zero_replicas(api, new_ns) -> None:
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/apis/apps/v1/namespaces/{ns}/deployments"
    status, created = await api.post(path, deployment("zero", 0))
    assert status == 201, created

    status, content_type, body = await raw(api, "GET", f"{path}/zero", TYPED)
    assert (status, content_type) == (200, PROTOBUF) and body.startswith(b"k8s\x00")
    _, as_json = await api.get(f"{path}/zero")
    decoded = decode_body(body)
    assert decoded["spec"]["replicas"] == 0  # a pointer's 0 is a value, not "unset"
    assert normalise(decoded) == normalise(as_json)

    status, content_type, body = await raw(api, "GET", path, TYPED)
    assert (status, content_type) == (200, PROTOBUF)
    listed = decode_body(body)
    # the same list in JSON, read at the protobuf list's revision: controllers may write in between
    _, json_list = await api.get(path, params={"resourceVersion": listed["metadata"]["resourceVersion"],
                                               "resourceVersionMatch": "Exact"})
    assert listed["kind"] == "DeploymentList"
    assert listed["metadata"]["resourceVersion"] == json_list["metadata"]["resourceVersion"]
    items = [{k: v for k, v in item.items() if k not in ("kind", "apiVersion")} for item in json_list["items"]]
    assert normalise(listed["items"]) == normalise(items)


async def test_create_in_protobuf_answers_in_protobuf(api, new_ns) -> None:
    ns = new_ns()
    await make_namespace(api, ns)
    body = encode_object({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": ""}})
    status, content_type, answer = await raw(api, "POST", f"/api/v1/namespaces/{ns}/configmaps",
                                             {**TYPED, "Content-Type": PROTOBUF}, body)
    assert (status, content_type) == (201, PROTOBUF)
    created = decode_body(answer)
    assert created["data"] == {"a": ""} and created["metadata"]["uid"]


async def test_error_status_in_protobuf(api, new_ns) -> None:
    status, content_type, body = await raw(api, "GET", f"/api/v1/namespaces/{new_ns()}/configmaps/none", TYPED)
    assert (status, content_type) == (404, PROTOBUF)
    assert decode_body(body) | {"metadata": {}} == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message":
        'configmaps "none" not found', "reason": "NotFound", "code": 404,
        "details": {"name": "none", "kind": "configmaps"}}


async def read_frames(resp: aiohttp.ClientResponse, count: int) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for _ in range(count):
        size = int.from_bytes(await resp.content.readexactly(4), "big")
        event = CLASSES[WATCH_EVENT].FromString(await resp.content.readexactly(size))
        events.append((event.type, decode_body(event.object.raw)))
    return events


async def test_watch_stream_in_protobuf(api, new_ns) -> None:
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/apis/apps/v1/namespaces/{ns}/deployments"
    status, first = await api.post(path, deployment("one", 0))
    assert status == 201, first
    headers = {"Accept": f"{PROTOBUF};stream=watch, application/json"}
    params = {"watch": "true", "resourceVersion": "0", "allowWatchBookmarks": "false", "timeoutSeconds": "10"}
    async with api.session.get(api.url + path, params=params, headers=headers) as resp:
        assert resp.status == 200 and resp.headers["Content-Type"] == f"{PROTOBUF};stream=watch"
        [(kind, obj)] = await asyncio.wait_for(read_frames(resp, 1), 10)
        assert kind == "ADDED" and obj["metadata"]["name"] == "one" and obj["spec"]["replicas"] == 0
        _, as_json = await api.get(f"{path}/one")
        assert normalise(obj) == normalise(as_json)
        status, second = await api.post(path, deployment("two", 3))
        assert status == 201, second
        [(kind, obj)] = await asyncio.wait_for(read_frames(resp, 1), 10)
        assert kind == "ADDED" and obj["spec"]["replicas"] == 3


async def test_unserved_media_types(api, new_ns) -> None:
    ns = new_ns()
    await make_namespace(api, ns)
    status, body = await api.get(f"/api/v1/namespaces/{ns}/configmaps", headers={"Accept": "application/cbor"})
    assert status == 406 and body["reason"] == "NotAcceptable"
    assert body["message"] == ("only the following media types are accepted: application/json, application/yaml, "
                               "application/vnd.kubernetes.protobuf")
    status, body = await api.request("POST", f"/api/v1/namespaces/{ns}/configmaps", data=b"\xa0",
                                     headers={"Content-Type": "application/cbor"})
    assert status == 415 and body["reason"] == "UnsupportedMediaType"
    assert body["message"] == ("the body of the request was in an unknown format - accepted media types include: "
                               "application/json, application/yaml, application/vnd.kubernetes.protobuf")
    status, _ = await api.get(f"/api/v1/namespaces/{ns}/configmaps/none", headers={"Accept": "application/cbor"})
    assert status == 406  # refused before the lookup, as kube does


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_typed_commands(apiserver, pki, tmp_path: Path) -> None:
    kubeconfig = tmp_path / "admin.kubeconfig"
    write_kubeconfig(kubeconfig, apiserver.url, pki.ca_cert, pki.admin_cert, pki.admin_key)

    def kubectl(*args: str) -> str:
        done = subprocess.run(["kubectl", f"--kubeconfig={kubeconfig}", f"--cache-dir={tmp_path / 'cache'}", *args],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"kubectl {' '.join(args)}: {done.stderr}"
        return done.stdout

    ns = f"pb-{tmp_path.name[-8:].lower().replace('_', '-')}"
    assert kubectl("create", "ns", ns).strip() == f"namespace/{ns} created"
    assert kubectl("-n", ns, "create", "deployment", "d0", "--image=nginx", "--replicas=0").strip() == \
        "deployment.apps/d0 created"
    assert json.loads(kubectl("-n", ns, "get", "deployment", "d0", "-o", "json"))["spec"]["replicas"] == 0
    kubectl("-n", ns, "create", "configmap", "c", "--from-literal=a=b")
    kubectl("-n", ns, "create", "service", "clusterip", "s", "--tcp=80:8080")
    kubectl("-n", ns, "create", "job", "j", "--image=busybox", "--", "true")
    kubectl("-n", ns, "create", "poddisruptionbudget", "p", "--selector=app=x", "--max-unavailable=0")
    assert json.loads(kubectl("-n", ns, "get", "pdb", "p", "-o", "json"))["spec"]["maxUnavailable"] == 0
    assert kubectl("-n", ns, "scale", "deployment", "d0", "--replicas=2").strip() == "deployment.apps/d0 scaled"
    assert kubectl("-n", ns, "delete", "configmap", "c").strip() == 'configmap "c" deleted'


async def test_object_the_go_types_cannot_hold_falls_back(api, new_ns) -> None:
    # The schemas (from a newer `kubernetes` client) know fields the 1.32 Go types lack; such an object is
    # answered in JSON when the client accepts it, and ends a protobuf-only watch.
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/apis/apps/v1/namespaces/{ns}/deployments"
    newer = deployment("newer", 1)
    newer["spec"]["template"]["spec"]["containers"][0]["restartPolicyRules"] = [
        {"action": "Restart", "exitCodes": {"operator": "In", "values": [42]}}]
    status, created = await api.post(path, newer)
    assert status == 201, created
    assert created["spec"]["template"]["spec"]["containers"][0]["restartPolicyRules"]
    status, content_type, body = await raw(api, "GET", f"{path}/newer", TYPED)
    assert (status, content_type) == (200, "application/json")
    assert json.loads(body)["spec"]["template"]["spec"]["containers"][0]["restartPolicyRules"]
    status, content_type, _ = await raw(api, "GET", f"{path}/newer", {"Accept": PROTOBUF})
    assert status == 406
    params = {"watch": "true", "resourceVersion": "0", "timeoutSeconds": "10"}
    async with api.session.get(api.url + path, params=params, headers={"Accept": PROTOBUF}) as resp:
        assert resp.status == 200
        assert await asyncio.wait_for(resp.content.read(), 5) == b""  # ended at once, nothing half-written
