"""kubectl itself is the oracle for the protobuf decoder.

Each typed `kubectl create …` is run twice against a tiny fake API server: once for real, recording the
protobuf POST body, and once with `--dry-run=client -o json`, which prints the very object that was sent.
decode_body(body) must equal that JSON (after dropping nulls and empty collections, which kubectl prints
for Go fields the wire never carries). Commands without a dry-run (token, can-i, whoami) are compared
with the object their flags describe.
"""
from __future__ import annotations

import asyncio
import datetime
import json
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from apiserver.api.protobuf import ProtobufDecodeError, decode_body

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")

PROTOBUF = "application/vnd.kubernetes.protobuf"
NS = "ns1"
VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.4", "gitCommit": "4cb5f07", "gitTreeState": "clean",
           "buildDate": "2025-04-22T00:00:00Z", "goVersion": "go1.23.6", "compiler": "gc", "platform": "linux/amd64"}
_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]
# Just enough legacy discovery for `auth can-i` and `create role|clusterrole` to resolve their resources.
DISCOVERY: dict[str, Any] = {
    "/api": {"kind": "APIVersions", "versions": ["v1"],
             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
         "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}]},
    "/api/v1": {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
        {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod", "verbs": _VERBS},
        {"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]},
        {"name": "nodes", "singularName": "node", "namespaced": False, "kind": "Node", "verbs": _VERBS},
    ]},
    "/apis/apps/v1": {"kind": "APIResourceList", "groupVersion": "apps/v1", "resources": [
        {"name": "deployments", "singularName": "deployment", "namespaced": True, "kind": "Deployment",
         "verbs": _VERBS}]},
}
# What a real server adds to the reviews before kubectl will print them.
STATUS_BY_KIND: dict[str, dict[str, Any]] = {
    "TokenRequest": {"token": "fake-token", "expirationTimestamp": "2030-01-01T00:00:00Z"},
    "SelfSubjectAccessReview": {"allowed": True},
    "SelfSubjectReview": {"userInfo": {"username": "tester", "groups": ["system:authenticated"]}},
}


@dataclass
class Recorded:
    path: str
    content_type: str
    body: bytes


@dataclass
class FakeServer:
    url: str = ""
    posts: list[Recorded] = field(default_factory=list)


def _status(code: int, reason: str, message: str) -> web.Response:
    return web.json_response({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                              "message": message, "reason": reason, "code": code}, status=code)


def _app(server: FakeServer) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        path = request.path.rstrip("/") or "/"
        if request.method == "GET" and path == "/version":
            return web.json_response(VERSION)
        if request.method == "GET" and path in DISCOVERY:
            return web.json_response(DISCOVERY[path])
        if request.method != "POST":
            return _status(404, "NotFound", "the server could not find the requested resource")
        body = await request.read()
        server.posts.append(Recorded(request.path_qs, request.headers.get("Content-Type", ""), body))
        try:
            obj = decode_body(body)
        except ProtobufDecodeError as err:
            return _status(400, "BadRequest", str(err))
        if obj["kind"] in STATUS_BY_KIND:
            obj["status"] = STATUS_BY_KIND[obj["kind"]]
        return web.json_response(obj, status=201)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    # The server gets its own loop in a thread so the tests can simply block on kubectl.
    fake = FakeServer()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(_app(fake))
    loop.run_until_complete(runner.setup())
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # a free port, known before the site starts
    loop.run_until_complete(web.SockSite(runner, sock).start())
    fake.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield fake
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.run_until_complete(runner.cleanup())
    loop.close()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, server: FakeServer) -> Path:
    root = tmp_path_factory.mktemp("kubectl")
    (root / "kubeconfig").write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "fake",
        "clusters": [{"name": "fake", "cluster": {"server": server.url}}],
        "users": [{"name": "fake", "user": {}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
    }))
    # Bytes that are not UTF-8 make kubectl use binaryData / keep Secret.data binary.
    (root / "blob.bin").write_bytes(bytes(range(256)))
    _write_tls_pair(root)
    return root


def _write_tls_pair(root: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "example.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (root / "tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (root / "tls.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                     serialization.PrivateFormat.TraditionalOpenSSL,
                                                     serialization.NoEncryption()))


def _kubectl(workdir: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    cmd = ["kubectl", "--kubeconfig", str(workdir / "kubeconfig"), "--cache-dir", str(workdir / "cache"), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=workdir)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done


def _posted(server: FakeServer, workdir: Path, args: list[str]) -> Recorded:
    server.posts.clear()
    _kubectl(workdir, args)
    assert len(server.posts) == 1, f"expected one POST, got {[p.path for p in server.posts]}"
    posted = server.posts[0]
    assert posted.content_type == PROTOBUF
    return posted


def normalise(value: Any) -> Any:
    """Drop nulls and empty objects/lists, recursively: kubectl prints them for fields never on the wire."""
    if isinstance(value, dict):
        cleaned = {k: normalise(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v is not None and v != {} and v != []}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


CREATE_COMMANDS: list[list[str]] = [
    ["create", "namespace", "ns-a"],
    ["create", "configmap", "cm1", "--from-literal=k=v", "--from-literal=empty=", "--from-file=blob=blob.bin"],
    ["create", "secret", "generic", "s1", "--from-literal=a=b", "--from-file=blob=blob.bin"],
    ["create", "secret", "generic", "s2", "--from-literal=a=b", "--type=example.com/custom"],
    ["create", "secret", "docker-registry", "reg1", "--docker-server=r.example", "--docker-username=u",
     "--docker-password=p", "--docker-email=u@example.com"],
    ["create", "secret", "tls", "tls1", "--cert=tls.crt", "--key=tls.key"],
    ["create", "serviceaccount", "sa1"],
    ["create", "deployment", "d0", "--image=nginx", "--replicas=0", "--port=80"],
    ["create", "deployment", "d2", "--image=nginx", "--image=busybox", "--replicas=3"],
    ["create", "service", "clusterip", "svc1", "--tcp=80:8080", "--tcp=443:https"],
    ["create", "service", "clusterip", "headless", "--clusterip=None"],
    ["create", "service", "nodeport", "np1", "--tcp=80:8080", "--node-port=30080"],
    ["create", "service", "loadbalancer", "lb1", "--tcp=443:8443"],
    ["create", "service", "externalname", "en1", "--external-name=example.com", "--tcp=80"],
    ["create", "job", "j1", "--image=busybox", "--", "echo", "hi"],
    ["create", "cronjob", "cj1", "--image=busybox", "--schedule=*/5 * * * *", "--restart=OnFailure", "--", "date"],
    ["create", "role", "r1", "--verb=get", "--verb=list", "--resource=pods", "--resource=deployments.apps",
     "--resource-name=x"],
    ["create", "rolebinding", "rb1", "--role=r1", "--user=u1", "--group=g1", f"--serviceaccount={NS}:sa1"],
    ["create", "clusterrole", "cr1", "--verb=get", "--non-resource-url=/logs/*",
     "--resource=nodes"],
    ["create", "clusterrole", "agg1", "--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true"],
    ["create", "clusterrolebinding", "crb1", "--clusterrole=cr1", "--user=u1", f"--serviceaccount={NS}:sa1"],
    ["create", "quota", "q1", "--hard=cpu=1,memory=1G,pods=2", "--scopes=BestEffort"],
    ["create", "priorityclass", "pc1", "--value=1000", "--description=high", "--preemption-policy=Never",
     "--global-default"],
    ["create", "priorityclass", "pc0", "--value=0"],
    ["create", "poddisruptionbudget", "pdb1", "--selector=app=x", "--min-available=50%"],
    ["create", "poddisruptionbudget", "pdb2", "--selector=app=x", "--min-available=2"],
    ["create", "poddisruptionbudget", "pdb0", "--selector=app=x", "--max-unavailable=0"],
    ["create", "ingress", "ing1", "--class=default", "--rule=foo.com/bar=svc1:8080,tls=my-cert",
     "--rule=/path*=svc2:http", "--default-backend=svc3:80", "--annotation=a=b"],
]


def _with_flags(args: list[str], *flags: str) -> list[str]:
    """Flags must come before a `--`, after which everything is the container's command."""
    cut = args.index("--") if "--" in args else len(args)
    return [*args[:cut], *flags, *args[cut:]]


@pytest.mark.parametrize("args", CREATE_COMMANDS, ids=lambda a: "-".join(a[1:3]))
def test_create_body_matches_dry_run(server: FakeServer, workdir: Path, args: list[str]) -> None:
    posted = _posted(server, workdir, _with_flags(args, "--namespace", NS))
    printed = json.loads(_kubectl(workdir, _with_flags(args, "--namespace", NS, "--dry-run=client", "-o",
                                                       "json")).stdout)
    assert normalise(decode_body(posted.body)) == normalise(printed)


def test_create_token(server: FakeServer, workdir: Path) -> None:
    posted = _posted(server, workdir, ["create", "token", "sa1", "--namespace", NS, "--duration=10m",
                                       "--audience=a1", "--audience=a2"])
    assert posted.path == f"/api/v1/namespaces/{NS}/serviceaccounts/sa1/token"
    assert normalise(decode_body(posted.body)) == {
        "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
        "spec": {"audiences": ["a1", "a2"], "expirationSeconds": 600},
        "status": {"token": ""},  # Go's TokenRequestStatus.token has no omitempty
    }


def test_auth_can_i_with_subresource_and_name(server: FakeServer, workdir: Path) -> None:
    posted = _posted(server, workdir, ["auth", "can-i", "get", "pods/p1", "--subresource=log", "--namespace", NS])
    assert posted.path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    assert normalise(decode_body(posted.body)) == {
        "kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
        "spec": {"resourceAttributes": {"namespace": NS, "verb": "get", "resource": "pods",
                                        "subresource": "log", "name": "p1"}},
        "status": {"allowed": False},  # Go's SubjectAccessReviewStatus.allowed has no omitempty
    }


def test_auth_can_i_non_resource_url(server: FakeServer, workdir: Path) -> None:
    posted = _posted(server, workdir, ["auth", "can-i", "get", "/logs"])
    assert normalise(decode_body(posted.body)) == {
        "kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
        "spec": {"nonResourceAttributes": {"path": "/logs", "verb": "get"}},
        "status": {"allowed": False},
    }


def test_auth_whoami(server: FakeServer, workdir: Path) -> None:
    posted = _posted(server, workdir, ["auth", "whoami"])
    assert posted.path == "/apis/authentication.k8s.io/v1/selfsubjectreviews"
    assert normalise(decode_body(posted.body)) == {"kind": "SelfSubjectReview",
                                                   "apiVersion": "authentication.k8s.io/v1"}
