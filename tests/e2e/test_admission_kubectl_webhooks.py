"""Admission webhooks through `make up`'s balancer with kubectl: configurations applied, listed and described, a
denial kubectl prints, a mutation visible in `kubectl get -o yaml`. The webhook server runs in a thread of its own
(kubectl blocks the test) on loopback HTTPS; its configurations only select this test's namespace."""
from __future__ import annotations

import base64
import json
import ssl
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import yaml

from certs.pki import CertKeyPair, issue_serving_cert

Kubectl = Callable[..., subprocess.CompletedProcess]

DENIED_PREFIX = "denied-"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        request = review["request"]
        response: dict[str, Any] = {"uid": request["uid"], "allowed": True}
        name = request.get("name") or ""
        if self.path.startswith("/validate") and name.startswith(DENIED_PREFIX):
            response.update(allowed=False, status={"code": 403, "reason": "Forbidden",
                                                   "message": f"names starting with {DENIED_PREFIX} are refused"})
        elif self.path.startswith("/mutate"):
            labels = (request["object"].get("metadata") or {}).get("labels")
            op = ({"op": "add", "path": "/metadata/labels/mutated", "value": "by-webhook"} if labels is not None
                  else {"op": "add", "path": "/metadata/labels", "value": {"mutated": "by-webhook"}})
            response.update(patchType="JSONPatch", patch=base64.b64encode(json.dumps([op]).encode()).decode())
        body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                           "response": response}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's signature)
        return None


@pytest.fixture
def kubectl(make_up_kubectl) -> Kubectl:
    return make_up_kubectl


@pytest.fixture(scope="module")
def webhook_url(pki, tmp_path_factory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("kubectl-webhooks")
    pair = issue_serving_cert(CertKeyPair(directory / "hook.crt", directory / "hook.key"),
                              CertKeyPair(pki.ca_cert, pki.ca_key), "webhook", (), ("127.0.0.1",))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(pair.cert), str(pair.key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def labelled_namespace(kubectl: Kubectl) -> Iterator[tuple[str, str]]:
    label = uuid.uuid4().hex[:8]
    name = f"webhooks-{label}"
    kubectl("create", "namespace", name)
    kubectl("label", "namespace", name, f"webhook-e2e={label}")
    yield name, label
    kubectl("delete", "namespace", name, "--wait=false")


def _configuration(kind: str, name: str, url: str, ca: str, label: str) -> str:
    return yaml.safe_dump({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": kind, "metadata": {"name": name},
        "webhooks": [{"name": f"{name}.webhooks.e2e.test", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                      "clientConfig": {"url": url, "caBundle": ca},
                      "namespaceSelector": {"matchLabels": {"webhook-e2e": label}},
                      "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                                 "resources": ["configmaps"]}]}]})


def _until(check, timeout: float = 20.0) -> Any:
    """Every replica behind the balancer follows the configuration from its own watch cache: retry until the one
    answering has it."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def test_kubectl_and_admission_webhooks(kubectl: Kubectl, labelled_namespace, webhook_url, pki):
    namespace, label = labelled_namespace
    ca = base64.b64encode(pki.ca_cert.read_bytes()).decode()
    validating, mutating = f"deny-{label}", f"label-{label}"
    try:
        kubectl("apply", "-f", "-", input_text=_configuration(
            "ValidatingWebhookConfiguration", validating, f"{webhook_url}/validate", ca, label))
        kubectl("apply", "-f", "-", input_text=_configuration(
            "MutatingWebhookConfiguration", mutating, f"{webhook_url}/mutate", ca, label))
        listed = kubectl("get", "validatingwebhookconfigurations", validating).stdout.splitlines()
        assert listed[0].split() == ["NAME", "WEBHOOKS", "AGE"]
        assert listed[1].split()[:2] == [validating, "1"]
        described = kubectl("describe", "mutatingwebhookconfiguration", mutating).stdout
        assert f"{mutating}.webhooks.e2e.test" in described

        attempts = iter(range(1000))

        def denied() -> str:
            result = kubectl("-n", namespace, "create", "configmap", f"{DENIED_PREFIX}{next(attempts)}",
                             "--from-literal=a=b", check=False)
            return result.stderr if result.returncode else ""

        stderr = _until(denied)
        assert (f'admission webhook "{validating}.webhooks.e2e.test" denied the request: names starting with '
                f"{DENIED_PREFIX} are refused") in stderr, stderr

        def mutated() -> dict:
            name = f"allowed-{next(attempts)}"
            kubectl("-n", namespace, "apply", "-f", "-", input_text=yaml.safe_dump({
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"app": "x"}},
                "data": {"a": "b"}}))
            shown = yaml.safe_load(kubectl("-n", namespace, "get", "configmap", name, "-o", "yaml").stdout)
            return shown if shown["metadata"]["labels"].get("mutated") else {}

        shown = _until(mutated)
        assert shown["metadata"]["labels"] == {"app": "x", "mutated": "by-webhook"}
    finally:
        kubectl("delete", "validatingwebhookconfiguration", validating, "--ignore-not-found")
        kubectl("delete", "mutatingwebhookconfiguration", mutating, "--ignore-not-found")
