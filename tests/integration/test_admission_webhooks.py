"""Admission webhooks against real HTTPS webhook servers on loopback: mutation, denial, failure policies, timeouts,
reinvocation, broken patches, Service references, selectors, matchPolicy Equivalent, dry runs, parallel validation,
warnings and metrics. Each test scopes its configurations to namespaces labelled for it."""
from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import socket
import ssl
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
import pytest
from aiohttp import web

from certs.pki import CertKeyPair, issue_serving_cert
from cluster.replica import client_context, free_port
from tests.integration.conftest import Api, configmap
from tests.integration.etcd_tools import etcdctl
from tests.polling import eventually

ADMISSION = "/apis/admissionregistration.k8s.io/v1"
SERVICE_NS = f"hooks-{uuid.uuid4().hex[:6]}"


def _host_address() -> str | None:
    """A non-loopback IPv4 address of this machine (EndpointSlices refuse loopback ones), if it has one."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # nothing is sent: this only picks the route's source address
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if ipaddress.ip_address(address).is_loopback else address


def _patch(ops: list[dict]) -> dict:
    return {"patchType": "JSONPatch", "patch": base64.b64encode(json.dumps(ops).encode()).decode()}


class Hooks:
    """The webhook server: answers by path, records every review it gets."""

    def __init__(self) -> None:
        self.reviews: dict[str, list[dict]] = {}
        self.base = ""
        self.port = 0
        self.host_address: str | None = None
        self.release = asyncio.Event()
        self.inflight = 0
        self.most_inflight = 0

    def seen(self, path: str) -> list[dict]:
        return self.reviews.get(path, [])

    async def handle(self, request: web.Request) -> web.Response:
        review = await request.json()
        path = request.path.strip("/")
        self.reviews.setdefault(path, []).append(review)
        req = review["request"]
        response: dict[str, Any] = {"uid": req["uid"], "allowed": True}
        obj = req.get("object") or {}
        if path == "mutate":
            labels = (obj.get("metadata") or {}).get("labels")
            op = ({"op": "add", "path": "/metadata/labels/mutated", "value": "yes"} if labels is not None else
                  {"op": "add", "path": "/metadata/labels", "value": {"mutated": "yes"}})
            response.update(_patch([op]))
        elif path == "deny":
            response.update(allowed=False, status={"code": 403, "reason": "Forbidden", "message": "no thanks"})
        elif path in ("slow", "parallel"):
            self.inflight += 1
            self.most_inflight = max(self.most_inflight, self.inflight)
            try:
                await asyncio.wait_for(self.release.wait(), 3 if path == "slow" else 0.7)
            except TimeoutError:
                pass
            finally:
                self.inflight -= 1
        elif path == "broken":
            response.update(patchType="JSONPatch", patch=base64.b64encode(b'{"op": "add"}').decode())
        elif path == "warn":
            response.update(warnings=["careful with that", "and this"], auditAnnotations={"checked": "yes"})
        elif path == "note":
            response.update(_patch([{"op": "replace", "path": "/note", "value": "patched by the webhook"}]))
        elif path == "late":
            response.update(_patch([{"op": "add", "path": "/data/late", "value": str(len(self.seen(path)))}]))
        elif path == "v1beta1":
            return web.json_response({"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview",
                                      "response": {"uid": "anything", "allowed": False}})
        return web.json_response({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                                  "response": response})


@pytest.fixture(scope="module")
async def hooks(pki, tmp_path_factory) -> AsyncIterator[Hooks]:
    directory = tmp_path_factory.mktemp("admission-webhooks")
    pair = issue_serving_cert(CertKeyPair(directory / "hook.crt", directory / "hook.key"),
                              CertKeyPair(pki.ca_cert, pki.ca_key), "webhook",
                              (f"hooks.{SERVICE_NS}.svc", f"sliced.{SERVICE_NS}.svc"), ("127.0.0.1",))
    server = Hooks()
    app = web.Application()
    app.router.add_post("/{path:.*}", server.handle)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(pair.cert), str(pair.key))
    runner = web.AppRunner(app)
    await runner.setup()
    server.port = free_port()
    await web.TCPSite(runner, "127.0.0.1", server.port, ssl_context=context).start()
    server.base = f"https://127.0.0.1:{server.port}"
    server.host_address = _host_address()
    if server.host_address:
        await web.TCPSite(runner, server.host_address, server.port, ssl_context=context).start()
    yield server
    server.release.set()
    await runner.cleanup()


@pytest.fixture(scope="module")
def replica(replica_factory):
    return replica_factory()


@pytest.fixture
async def api(replica, pki) -> AsyncIterator[Api]:
    client = Api(replica.url, client_context(pki))
    yield client
    await client.close()


@pytest.fixture
def ca_bundle(pki) -> str:
    return base64.b64encode(pki.ca_cert.read_bytes()).decode()


Factory = Callable[..., Any]


@pytest.fixture
async def scoped(api: Api, hooks: Hooks, ca_bundle: str) -> AsyncIterator[Factory]:
    """scoped(kind, path, **webhook fields) -> (namespace, webhook name): a configuration whose one webhook is for a
    fresh namespace labelled for it; removed after the test."""
    made: list[str] = []

    async def make(kind: str, path: str, *, ns_labels: dict | None = None, name: str = "", **fields: Any) -> tuple:
        label = uuid.uuid4().hex[:8]
        namespace = f"wh-{label}"
        status, body = await api.post("/api/v1/namespaces", {"metadata": {
            "name": namespace, "labels": {"webhook-test": label, **(ns_labels or {})}}})
        assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
        hook_name = name or f"{path}-{label}.webhooks.test"
        hook = {"name": hook_name, "sideEffects": "None", "admissionReviewVersions": ["v1"],
                "clientConfig": {"url": f"{hooks.base}/{path}", "caBundle": ca_bundle},
                "rules": [{"operations": ["CREATE", "UPDATE"], "apiGroups": [""], "apiVersions": ["v1"],
                           "resources": ["configmaps"]}],
                "namespaceSelector": {"matchLabels": {"webhook-test": label}}, **fields}
        plural = f"{kind}webhookconfigurations"
        config_name = fields.pop("config_name", None) or f"{path}-{label}"
        hook.pop("config_name", None)
        status, body = await api.post(f"{ADMISSION}/{plural}", {"metadata": {"name": config_name},
                                                               "webhooks": [hook]})
        assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
        made.append(f"{ADMISSION}/{plural}/{config_name}")
        await settle()
        return namespace, hook_name

    yield make
    for path in made:
        await api.delete(path)


async def settle() -> None:
    # the replica's own watch cache brings a new configuration to the plugins; this is well within that
    await asyncio.sleep(0.5)


async def test_a_mutation_is_applied_and_read_back(api, hooks, scoped):
    namespace, _ = await scoped("mutating", "mutate")
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("one"))
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    assert body["metadata"]["labels"] == {"mutated": "yes"}
    status, stored = await api.get(f"/api/v1/namespaces/{namespace}/configmaps/one")
    assert stored["metadata"]["labels"] == {"mutated": "yes"}
    review = hooks.seen("mutate")[-1]
    assert review["apiVersion"] == "admission.k8s.io/v1" and review["kind"] == "AdmissionReview"
    request = review["request"]
    assert request["kind"] == {"group": "", "version": "v1", "kind": "ConfigMap"}
    assert request["resource"] == {"group": "", "version": "v1", "resource": "configmaps"}
    assert request["requestKind"] == request["kind"] and request["requestResource"] == request["resource"]
    assert (request["name"], request["namespace"], request["operation"]) == ("one", namespace, "CREATE")
    assert request["userInfo"]["username"] and "system:masters" in request["userInfo"]["groups"]
    assert request["object"]["metadata"]["name"] == "one" and request["object"]["kind"] == "ConfigMap"
    assert request["oldObject"] is None and request["dryRun"] is False
    assert request["options"]["kind"] == "CreateOptions"
    # an update is sent the stored object too
    stored["data"] = {"k": "changed"}
    status, body = await api.put(f"/api/v1/namespaces/{namespace}/configmaps/one", stored)
    assert status == 200, body
    request = hooks.seen("mutate")[-1]["request"]
    assert request["operation"] == "UPDATE" and request["oldObject"]["data"] == {"k": "v"}


async def test_a_denial_carries_the_webhooks_message_and_code(api, scoped):
    namespace, name = await scoped("validating", "deny")
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("no"))
    assert status == 403, body
    assert body["reason"] == "Forbidden"
    assert body["message"] == f'admission webhook "{name}" denied the request: no thanks'
    status, _ = await api.get(f"/api/v1/namespaces/{namespace}/configmaps/no")
    assert status == 404


async def test_a_timeout_fails_closed_under_fail(api, hooks, scoped):
    namespace, name = await scoped("validating", "slow", timeoutSeconds=1)
    started = time.monotonic()
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("late"))
    assert time.monotonic() - started < 2.5
    assert status == 500, body
    assert body["reason"] == "InternalError"
    assert body["message"] == (f'Internal error occurred: failed calling webhook "{name}": failed to call webhook: '
                               f'Post "{hooks.base}/slow?timeout=1s": context deadline exceeded')


async def test_a_timeout_is_ignored_under_ignore(api, scoped):
    namespace, _ = await scoped("mutating", "slow", timeoutSeconds=1, failurePolicy="Ignore")
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("admitted"))
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body


async def test_an_unreachable_webhook_under_fail(api, scoped, ca_bundle):
    port = free_port()
    namespace, name = await scoped("validating", "x", clientConfig={
        "url": f"https://127.0.0.1:{port}/x", "caBundle": ca_bundle})
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("nobody"))
    assert status == 500, body
    assert body["message"] == (f'Internal error occurred: failed calling webhook "{name}": failed to call webhook: '
                               f'Post "https://127.0.0.1:{port}/x?timeout=10s": dial tcp 127.0.0.1:{port}: connect: '
                               "connection refused")


async def test_an_untrusted_certificate_fails_the_call(api, hooks, scoped):
    namespace, name = await scoped("validating", "deny", clientConfig={"url": f"{hooks.base}/deny"})
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("untrusted"))
    assert status == 500, body
    assert "x509: certificate signed by unknown authority" in body["message"], body


async def test_reinvocation_after_a_later_mutation(api, hooks, scoped, ca_bundle):
    label = uuid.uuid4().hex[:6]
    # configurations run in name order: "a-" first (IfNeeded), then "b-" which changes the object
    namespace, first = await scoped("mutating", "late", reinvocationPolicy="IfNeeded", config_name=f"a-{label}")
    status, ns = await api.get(f"/api/v1/namespaces/{namespace}")
    selector = {"matchLabels": {"webhook-test": ns["metadata"]["labels"]["webhook-test"]}}
    hook = {"name": f"mutate-{label}.webhooks.test", "sideEffects": "None", "admissionReviewVersions": ["v1"],
            "clientConfig": {"url": f"{hooks.base}/mutate", "caBundle": ca_bundle}, "namespaceSelector": selector,
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                       "resources": ["configmaps"]}]}
    status, body = await api.post(f"{ADMISSION}/mutatingwebhookconfigurations",
                                  {"metadata": {"name": f"b-{label}"}, "webhooks": [hook]})
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    try:
        await settle()
        before = len(hooks.seen("late"))
        status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("again"))
        assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
        calls = hooks.seen("late")[before:]
        assert len(calls) == 2
        # the second call sees what the later webhook did
        assert calls[1]["request"]["object"]["metadata"]["labels"] == {"mutated": "yes"}
        assert body["metadata"]["labels"] == {"mutated": "yes"} and "late" in body["data"]
    finally:
        await api.delete(f"{ADMISSION}/mutatingwebhookconfigurations/b-{label}")


async def test_no_reinvocation_without_a_later_change(api, hooks, scoped):
    namespace, _ = await scoped("mutating", "late", reinvocationPolicy="IfNeeded")
    before = len(hooks.seen("late"))
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("once"))
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    assert len(hooks.seen("late")) - before == 1


async def test_a_broken_patch_is_kubes_error_naming_the_webhook(api, scoped):
    namespace, name = await scoped("mutating", "broken")
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("broken"))
    assert status == 500, body
    assert body["message"] == (f'Internal error occurred: failed calling webhook "{name}": received undecodable '
                               "patch in webhook response: json: cannot unmarshal object into Go value of type "
                               "jsonpatch.Patch")


async def _service(api: Api, name: str, port: int) -> None:
    status, body = await api.post(f"/api/v1/namespaces/{SERVICE_NS}/services", {
        "metadata": {"name": name}, "spec": {"ports": [{"port": 443, "targetPort": port}]}})
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body


@pytest.fixture
async def service_ns(api):
    status, body = await api.get(f"/api/v1/namespaces/{SERVICE_NS}")
    if status == 404:
        status, body = await api.post("/api/v1/namespaces", {"metadata": {"name": SERVICE_NS}})
        assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    return SERVICE_NS


async def test_a_webhook_behind_a_service_with_endpoints(api, hooks, scoped, ca_bundle, service_ns):
    await _service(api, "hooks", hooks.port)
    status, body = await api.post(f"/api/v1/namespaces/{SERVICE_NS}/endpoints", {
        "metadata": {"name": "hooks"},
        "subsets": [{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"port": hooks.port}]}]})
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    namespace, name = await scoped("validating", "deny", clientConfig={
        "service": {"namespace": SERVICE_NS, "name": "hooks", "path": "/deny"}, "caBundle": ca_bundle})
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("svc"))
    assert status == 403, body
    assert body["message"] == f'admission webhook "{name}" denied the request: no thanks'


async def test_a_webhook_behind_a_service_with_an_endpoint_slice(api, hooks, scoped, ca_bundle, service_ns):
    if not hooks.host_address:
        pytest.skip("this machine has no non-loopback IPv4 address for an EndpointSlice to name")
    await _service(api, "sliced", hooks.port)
    status, body = await api.post(f"/apis/discovery.k8s.io/v1/namespaces/{SERVICE_NS}/endpointslices", {
        "metadata": {"name": "sliced-1", "labels": {"kubernetes.io/service-name": "sliced"}},
        "addressType": "IPv4", "endpoints": [{"addresses": [hooks.host_address]}], "ports": [{"port": hooks.port}]})
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    namespace, _ = await scoped("mutating", "x", clientConfig={
        "service": {"namespace": SERVICE_NS, "name": "sliced", "path": "/mutate"}, "caBundle": ca_bundle})
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("sliced"))
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    assert body["metadata"]["labels"] == {"mutated": "yes"}


async def test_a_service_without_endpoints(api, scoped, ca_bundle, service_ns):
    namespace, name = await scoped("validating", "x", clientConfig={
        "service": {"namespace": SERVICE_NS, "name": "missing", "path": "/deny"}, "caBundle": ca_bundle})
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("nosvc"))
    assert status == 500, body
    assert body["message"] == (f'Internal error occurred: failed calling webhook "{name}": failed to call webhook: '
                               f'Post "https://missing.{SERVICE_NS}.svc:443/deny?timeout=10s": '
                               'service "missing" not found')


async def test_namespace_and_object_selectors(api, scoped):
    namespace, _ = await scoped("validating", "deny", objectSelector={"matchLabels": {"check": "yes"}})
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("unchecked"))
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps",
                                  configmap("checked", labels={"check": "yes"}))
    assert status == 403, body
    # an update is judged by the old object's labels as well as the new ones
    status, old = await api.get(f"/api/v1/namespaces/{namespace}/configmaps/unchecked")
    status, body = await api.put(f"/api/v1/namespaces/{namespace}/configmaps/unchecked",
                                 {**old, "metadata": {**old["metadata"], "labels": {"check": "yes"}}})
    assert status == 403, body
    # another namespace, without the label the selector asks for
    status, body = await api.post("/api/v1/namespaces", {"metadata": {"name": namespace + "-other"}})
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    status, body = await api.post(f"/api/v1/namespaces/{namespace}-other/configmaps",
                                  configmap("elsewhere", labels={"check": "yes"}))
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body


async def test_a_namespace_is_selected_by_its_own_labels(api, hooks, scoped):
    _, name = await scoped("validating", "deny", ns_labels={}, rules=[{
        "operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["namespaces"]}],
        namespaceSelector={"matchLabels": {"refuse-me": "yes"}})
    status, body = await api.post("/api/v1/namespaces", {"metadata": {"name": f"ok-{uuid.uuid4().hex[:6]}"}})
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    status, body = await api.post("/api/v1/namespaces", {"metadata": {"name": f"no-{uuid.uuid4().hex[:6]}",
                                                                      "labels": {"refuse-me": "yes"}}})
    assert status == 403, body
    assert name in body["message"]


async def test_match_policy_equivalent_converts_the_object(api, hooks, scoped):
    rules = [{"operations": ["CREATE"], "apiGroups": ["events.k8s.io"], "apiVersions": ["v1"],
              "resources": ["events"]}]
    namespace, _ = await scoped("mutating", "note", rules=rules)
    event = {"metadata": {"name": "ev"}, "involvedObject": {"kind": "Pod", "name": "p", "namespace": namespace},
             "reason": "Tested", "message": "as sent", "type": "Normal"}
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/events", event)
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    assert body["message"] == "patched by the webhook"
    request = hooks.seen("note")[-1]["request"]
    assert request["kind"] == {"group": "events.k8s.io", "version": "v1", "kind": "Event"}
    assert request["resource"] == {"group": "events.k8s.io", "version": "v1", "resource": "events"}
    assert request["requestKind"] == {"group": "", "version": "v1", "kind": "Event"}
    assert request["requestResource"] == {"group": "", "version": "v1", "resource": "events"}
    assert request["object"]["apiVersion"] == "events.k8s.io/v1" and request["object"]["note"] == "as sent"


async def test_match_policy_exact_skips_other_versions(api, hooks, scoped):
    rules = [{"operations": ["CREATE"], "apiGroups": ["events.k8s.io"], "apiVersions": ["v1"],
              "resources": ["events"]}]
    namespace, _ = await scoped("validating", "deny", rules=rules, matchPolicy="Exact")
    event = {"metadata": {"name": "ev"}, "involvedObject": {"kind": "Pod", "name": "p", "namespace": namespace},
             "reason": "Tested", "message": "m", "type": "Normal"}
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/events", event)
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body


async def test_a_dry_run_skips_nothing_for_a_webhook_without_side_effects(api, hooks, scoped):
    namespace, _ = await scoped("mutating", "mutate")
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("dry"),
                                  params={"dryRun": "All"})
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    assert body["metadata"]["labels"] == {"mutated": "yes"}
    assert hooks.seen("mutate")[-1]["request"]["dryRun"] is True


async def test_a_dry_run_is_refused_by_a_webhook_with_side_effects(api, hooks, replica, etcd_cluster, pki,
                                                                    ca_bundle):
    # v1 refuses sideEffects Some on create; a configuration stored by an older version still has it
    label = uuid.uuid4().hex[:8]
    namespace = f"wh-{label}"
    status, body = await api.post("/api/v1/namespaces", {"metadata": {"name": namespace,
                                                                      "labels": {"webhook-test": label}}})
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    name = f"legacy-{label}.webhooks.test"
    stored = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
              "metadata": {"name": f"legacy-{label}", "uid": str(uuid.uuid4()), "generation": 1,
                           "creationTimestamp": "2024-01-01T00:00:00Z"},
              "webhooks": [{"name": name, "sideEffects": "Some", "admissionReviewVersions": ["v1"],
                            "failurePolicy": "Fail", "matchPolicy": "Equivalent", "timeoutSeconds": 10,
                            "objectSelector": {}, "namespaceSelector": {"matchLabels": {"webhook-test": label}},
                            "clientConfig": {"url": f"{hooks.base}/x", "caBundle": ca_bundle},
                            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                                       "resources": ["configmaps"], "scope": "*"}]}]}
    key = f"{replica.prefix}/validatingwebhookconfigurations/legacy-{label}"
    etcdctl(etcd_cluster, pki, "put", key, json.dumps(stored))
    try:
        await settle()
        status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("dry"),
                                      params={"dryRun": "All"})
        assert status == 400, body
        assert body["message"] == f'admission webhook "{name}" does not support dry run'
        status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("wet"))
        assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    finally:
        etcdctl(etcd_cluster, pki, "del", key)


async def test_validating_webhooks_are_called_in_parallel(api, hooks, scoped, ca_bundle):
    label = uuid.uuid4().hex[:6]
    namespace, _ = await scoped("validating", "parallel", name=f"one-{label}.webhooks.test")
    status, ns = await api.get(f"/api/v1/namespaces/{namespace}")
    hooks.most_inflight = 0
    second = {"name": f"two-{label}.webhooks.test", "sideEffects": "None", "admissionReviewVersions": ["v1"],
              "clientConfig": {"url": f"{hooks.base}/parallel", "caBundle": ca_bundle},
              "namespaceSelector": {"matchLabels": {"webhook-test": ns["metadata"]["labels"]["webhook-test"]}},
              "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                         "resources": ["configmaps"]}]}
    status, body = await api.post(f"{ADMISSION}/validatingwebhookconfigurations",
                                  {"metadata": {"name": f"second-{label}"}, "webhooks": [second]})
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    try:
        await settle()
        before = len(hooks.seen("parallel"))
        started = time.monotonic()
        status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("both"))
        assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
        assert len(hooks.seen("parallel")) - before == 2
        assert hooks.most_inflight == 2
        assert time.monotonic() - started < 1.3
    finally:
        await api.delete(f"{ADMISSION}/validatingwebhookconfigurations/second-{label}")


async def test_warnings_reach_the_client(api, replica, scoped):
    namespace, _ = await scoped("validating", "warn")
    async with api.session.post(f"{replica.url}/api/v1/namespaces/{namespace}/configmaps",
                                data=orjson.dumps(configmap("warned")),
                                headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 201
        warnings = resp.headers.getall("Warning", [])
    assert warnings == ['299 - "careful with that"', '299 - "and this"']


async def test_a_v1beta1_only_webhook_gets_a_v1beta1_review(api, hooks, scoped):
    namespace, name = await scoped("validating", "v1beta1", admissionReviewVersions=["v1beta1"])
    status, body = await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("old"))
    assert status == 400, body
    assert body["message"] == f'admission webhook "{name}" denied the request without explanation'
    assert hooks.seen("v1beta1")[-1]["apiVersion"] == "admission.k8s.io/v1beta1"


async def test_metrics(api, scoped):
    namespace, allowed = await scoped("validating", "warn")
    await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("m1"))
    namespace, denied = await scoped("validating", "deny")
    await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("m2"))
    namespace, ignored = await scoped("validating", "slow", timeoutSeconds=1, failurePolicy="Ignore")
    await api.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("m3"))

    async def scraped() -> str:
        async with api.session.get(f"{api.url}/metrics") as resp:
            return await resp.text()

    text = await scraped()
    assert (f'apiserver_admission_webhook_request_total{{code="200",name="{allowed}",operation="CREATE",'
            'rejected="false",type="validating"} 1.0') in text
    assert (f'apiserver_admission_webhook_rejection_count_total{{error_type="no_error",name="{denied}",'
            'operation="CREATE",rejection_code="403",type="validating"} 1.0') in text
    assert f'apiserver_admission_webhook_fail_open_count_total{{name="{ignored}",type="validating"}} 1.0' in text
    assert f'apiserver_admission_webhook_admission_duration_seconds_count{{name="{denied}"' in text


async def test_configurations_are_validated_as_kube_does(api):
    status, body = await api.post(f"{ADMISSION}/validatingwebhookconfigurations", {
        "metadata": {"name": "invalid"},
        "webhooks": [{"name": "short.test", "clientConfig": {"url": "http://example.com/x?a=b"},
                      "rules": [{"operations": ["CREATE", "*"], "apiGroups": [""], "apiVersions": ["v1"],
                                 "resources": ["pods", "*/*"]}], "timeoutSeconds": 31},
                     {"name": "short.test", "sideEffects": "None", "admissionReviewVersions": ["v2"],
                      "clientConfig": {"service": {"namespace": "", "name": "svc", "port": 0}}}]})
    assert status == 422, body
    causes = [(c["field"], c["message"]) for c in body["details"]["causes"]]
    assert causes == [
        ("webhooks[0].name", 'Invalid value: "short.test": should be a domain with at least three segments '
                             "separated by dots"),
        ("webhooks[0].rules[0].operations", 'Invalid value: []admissionregistration.OperationType{"CREATE", "*"}: '
                                            "if '*' is present, must not specify other operations"),
        ("webhooks[0].rules[0].resources", 'Invalid value: []string{"pods", "*/*"}: if \'*/*\' is present, must '
                                           "not specify other resources"),
        ("webhooks[0].sideEffects", "Required value: must specify one of None, NoneOnDryRun"),
        ("webhooks[0].timeoutSeconds", "Invalid value: 31: the timeout value must be between 1 and 30 seconds"),
        ("webhooks[0].clientConfig.url", "Invalid value: \"http\": 'https' is the only allowed URL scheme; desired "
                                         "format: https://host[/path]"),
        ("webhooks[0].clientConfig.url", 'Invalid value: "a=b": query parameters are not permitted in the URL'),
        ("webhooks[0].admissionReviewVersions", "Required value: must specify one of v1, v1beta1"),
        ("webhooks[1].name", 'Invalid value: "short.test": should be a domain with at least three segments '
                             "separated by dots"),
        ("webhooks[1].clientConfig.service.namespace", "Required value: service namespace is required"),
        ("webhooks[1].clientConfig.service.port", "Invalid value: 0: port is not valid: must be between 1 and "
                                                  "65535, inclusive"),
        ("webhooks[1].admissionReviewVersions", 'Invalid value: []string{"v2"}: must include at least one of v1, '
                                                "v1beta1"),
        ("webhooks[1].name", 'Duplicate value: "short.test"'),
    ]


async def test_defaults_and_generation(api, hooks, ca_bundle):
    name = f"defaults-{uuid.uuid4().hex[:6]}"
    status, body = await api.post(f"{ADMISSION}/mutatingwebhookconfigurations", {
        "metadata": {"name": name},
        "webhooks": [{"name": "d.webhooks.test", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                      "clientConfig": {"service": {"namespace": "default", "name": "nothing"}},
                      "rules": [{"operations": ["CREATE"], "apiGroups": ["nothing.test"], "apiVersions": ["v1"],
                                 "resources": ["things"]}]}]})
    assert status == 201, body["message"] if isinstance(body, dict) and "message" in body else body
    try:
        hook = body["webhooks"][0]
        assert body["metadata"]["generation"] == 1
        assert (hook["failurePolicy"], hook["matchPolicy"], hook["timeoutSeconds"], hook["reinvocationPolicy"]) == (
            "Fail", "Equivalent", 10, "Never")
        assert hook["namespaceSelector"] == {} and hook["objectSelector"] == {}
        assert hook["rules"][0]["scope"] == "*" and hook["clientConfig"]["service"]["port"] == 443
        hook["timeoutSeconds"] = 5
        status, body = await api.put(f"{ADMISSION}/mutatingwebhookconfigurations/{name}", body)
        assert status == 200, body
        assert body["metadata"]["generation"] == 2
    finally:
        await api.delete(f"{ADMISSION}/mutatingwebhookconfigurations/{name}")


async def test_a_new_configuration_reaches_another_replica(api, replica_factory, replica, client, scoped):
    other = client(replica_factory(prefix=replica.prefix))
    namespace, name = await scoped("validating", "deny")

    async def refused() -> bool:
        status, body = await other.post(f"/api/v1/namespaces/{namespace}/configmaps", configmap("other"))
        assert status == 403, body
        return True

    await eventually(refused, timeout=10)
