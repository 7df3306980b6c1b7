"""OIDC, webhook token and front-proxy authentication against real loopback HTTPS servers: a small OIDC
issuer and a TokenReview webhook run in a thread of the test process, the replica is a real process."""
from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from certs.pki import PkiPaths, issue_untrusted_client_cert
from cluster.replica import client_context, free_port
from tests.integration.conftest import Api

CLIENT_ID = "kube-test"


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    public = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**public, "kid": kid, "use": "sig", "alg": "RS256"}


@dataclass
class Loopback:
    """The issuer and the webhook: one HTTPS aiohttp server on a thread of its own, state shared by tests."""
    pki: PkiPaths
    port: int = field(default_factory=free_port)
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    jwks_fetches: int = 0
    webhook_calls: list[dict[str, Any]] = field(default_factory=list)
    webhook_delay: float = 0.0

    @property
    def issuer(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def current_kid(self) -> str:
        """The key id the issuer signs with now: the last one added (a test rotates the keys)."""
        return list(self.keys)[-1]

    def token(self, kid: str | None = None, **claims: Any) -> str:
        kid = kid or self.current_kid
        now = int(time.time())
        body = {"iss": self.issuer, "aud": CLIENT_ID, "sub": "alice", "iat": now, "exp": now + 600, **claims}
        return jwt.encode(body, self.keys[kid], algorithm="RS256", headers={"kid": kid})

    async def _discovery(self, request: web.Request) -> web.Response:
        return web.json_response({"issuer": self.issuer, "jwks_uri": f"{self.issuer}/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _jwks(self, request: web.Request) -> web.Response:
        self.jwks_fetches += 1
        return web.json_response({"keys": [_jwk(k, kid) for kid, k in self.keys.items()]})

    async def _review(self, request: web.Request) -> web.Response:
        review = await request.json()
        self.webhook_calls.append(review)
        await asyncio.sleep(self.webhook_delay)
        token = review["spec"]["token"]
        if token.startswith("good-"):
            status = {"authenticated": True, "user": {"username": token[5:], "uid": "u-1", "groups": ["webhookers"],
                                                      "extra": {"scopes": ["a", "b"]}}}
        else:
            status = {"authenticated": False}
        return web.json_response({**review, "status": status})

    @contextmanager
    def running(self) -> Iterator[None]:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/keys", self._jwks)
        app.router.add_post("/review", self._review)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.pki.apiserver_cert), str(self.pki.apiserver_key))
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port, ssl_context=context).start())
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        try:
            yield
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.run_until_complete(runner.cleanup())
            loop.close()


@pytest.fixture(scope="module")
def loopback(pki) -> Iterator[Loopback]:
    servers = Loopback(pki)
    servers.keys["k1"] = _rsa_key()
    with servers.running():
        yield servers


@pytest.fixture(scope="module")
def proxy_certs(tmp_path_factory) -> tuple[Path, Any, Any]:
    directory = tmp_path_factory.mktemp("front-proxy")
    allowed = issue_untrusted_client_cert(directory, "front-proxy-client", "front-proxy-client")
    other = issue_untrusted_client_cert(directory, "other-proxy", "other-proxy")
    return directory / "untrusted-ca.crt", allowed, other


def _webhook_kubeconfig(path: Path, server: str, ca: Path) -> Path:
    path.write_text(f"""apiVersion: v1
kind: Config
clusters:
- name: authn
  cluster:
    server: {server}
    certificate-authority: {ca}
users:
- name: apiserver
  user: {{}}
contexts:
- name: webhook
  context: {{cluster: authn, user: apiserver}}
current-context: webhook
""")
    return path


@pytest.fixture(scope="module")
def authn_replica(replica_factory, loopback, proxy_certs, pki, tmp_path_factory):
    config = _webhook_kubeconfig(tmp_path_factory.mktemp("webhook") / "authn.kubeconfig",
                                 f"{loopback.issuer}/review", pki.ca_cert)
    proxy_ca, _, _ = proxy_certs
    replica = replica_factory(
        "--anonymous-auth=false",
        f"--oidc-issuer-url={loopback.issuer}", f"--oidc-client-id={CLIENT_ID}", f"--oidc-ca-file={pki.ca_cert}",
        "--oidc-groups-claim=groups", "--oidc-groups-prefix=oidc:",
        f"--authentication-token-webhook-config-file={config}", "--authentication-token-webhook-version=v1",
        "--authentication-token-webhook-cache-ttl=1m",
        f"--requestheader-client-ca-file={proxy_ca}", "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-username-headers=X-Remote-User", "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-")
    yield replica
    replica.stop()


def _anonymous_context(pki: PkiPaths) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(pki.ca_cert))


async def _whoami(replica, context: ssl.SSLContext, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    api = Api(replica.url, context, headers)
    try:
        return await api.post("/apis/authentication.k8s.io/v1/selfsubjectreviews",
                              {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    finally:
        await api.close()


async def _namespaces(replica, pki: PkiPaths, token: str) -> int:
    api = Api(replica.url, _anonymous_context(pki), {"Authorization": f"Bearer {token}"})
    try:
        status, _ = await api.get("/api/v1/namespaces")
        return status
    finally:
        await api.close()


async def test_oidc_token_accepted_with_prefixes(authn_replica, loopback, pki):
    token = loopback.token(groups=["devs", "ops"])
    status, review = await _whoami(authn_replica, _anonymous_context(pki), {"Authorization": f"Bearer {token}"})
    assert status == 201, review
    user = review["status"]["userInfo"]
    assert user["username"] == f"{loopback.issuer}#alice"
    assert user["groups"] == ["oidc:devs", "oidc:ops", "system:authenticated"]


async def test_oidc_wrong_audience_expired_and_unknown_issuer_rejected(authn_replica, loopback, pki):
    assert await _namespaces(authn_replica, pki, loopback.token(aud="someone-else")) == 401
    past = int(time.time()) - 3600
    assert await _namespaces(authn_replica, pki, loopback.token(iat=past - 60, exp=past)) == 401
    stranger = jwt.encode({"iss": "https://elsewhere", "aud": CLIENT_ID, "sub": "x", "exp": int(time.time()) + 60},
                          loopback.keys[loopback.current_kid], algorithm="RS256")
    assert await _namespaces(authn_replica, pki, stranger) == 401
    assert await _namespaces(authn_replica, pki, loopback.token()) == 200


async def test_oidc_unknown_kid_refetches_keys_after_rotation(authn_replica, loopback, pki):
    assert await _namespaces(authn_replica, pki, loopback.token("k1")) == 200
    forged = jwt.encode({"iss": loopback.issuer, "aud": CLIENT_ID, "sub": "mallory", "exp": int(time.time()) + 60},
                        _rsa_key(), algorithm="RS256", headers={"kid": "k2"})
    before = loopback.jwks_fetches
    assert await _namespaces(authn_replica, pki, forged) == 401
    assert loopback.jwks_fetches == before + 1, "an unknown key id must make the server fetch the keys again"
    loopback.keys = {"k2": _rsa_key()}   # the issuer rotates: k1 is gone, k2 is new
    assert await _namespaces(authn_replica, pki, loopback.token("k2")) == 200


async def test_webhook_allows_denies_and_caches(authn_replica, loopback, pki):
    status, review = await _whoami(authn_replica, _anonymous_context(pki), {"Authorization": "Bearer good-bob"})
    assert status == 201, review
    assert review["status"]["userInfo"] == {"username": "bob", "uid": "u-1",
                                            "groups": ["webhookers", "system:authenticated"],
                                            "extra": {"scopes": ["a", "b"]}}
    sent = [c for c in loopback.webhook_calls if c["spec"]["token"] == "good-bob"]
    assert sent and sent[0]["apiVersion"] == "authentication.k8s.io/v1" and sent[0]["kind"] == "TokenReview"
    calls = len(loopback.webhook_calls)
    assert await _namespaces(authn_replica, pki, "good-bob") == 200
    assert await _namespaces(authn_replica, pki, "bad-token") == 401
    assert await _namespaces(authn_replica, pki, "bad-token") == 401
    # the allowed token and the denied one were each asked about once: the answers came from the cache
    assert len(loopback.webhook_calls) == calls + 1


async def test_front_proxy_headers(authn_replica, proxy_certs, pki):
    _, allowed, other = proxy_certs
    context = _anonymous_context(pki)
    context.load_cert_chain(str(allowed.cert), str(allowed.key))
    headers = {"X-Remote-User": "carol", "X-Remote-Group": "g1", "X-Remote-Extra-Acme.com%2Fproject": "p1"}
    api = Api(authn_replica.url, context, headers)
    try:
        status, review = await api.request(
            "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
            headers={"X-Remote-Group": "g1"})
        assert status == 201, review
        assert review["status"]["userInfo"] == {"username": "carol", "groups": ["g1", "system:authenticated"],
                                                "extra": {"acme.com/project": ["p1"]}}
    finally:
        await api.close()
    # a proxy certificate from the right CA but with a CN outside --requestheader-allowed-names
    context = _anonymous_context(pki)
    context.load_cert_chain(str(other.cert), str(other.key))
    status, body = await _whoami(authn_replica, context, {"X-Remote-User": "carol"})
    assert status == 401, body
    # a user certificate from the client CA is no proxy: its own identity, the headers ignored
    status, review = await _whoami(authn_replica, client_context(pki), {"X-Remote-User": "carol"})
    assert status == 201 and review["status"]["userInfo"]["username"] != "carol", review


async def _token_review(replica, pki: PkiPaths, spec: dict[str, Any]) -> tuple[int, Any]:
    api = Api(replica.url, client_context(pki))
    try:
        return await api.post("/apis/authentication.k8s.io/v1/tokenreviews",
                              {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": spec})
    finally:
        await api.close()


async def test_token_review(authn_replica, loopback, pki):
    status, review = await _token_review(authn_replica, pki, {"token": loopback.token(sub="dave")})
    assert status == 201, review
    assert review["kind"] == "TokenReview" and review["apiVersion"] == "authentication.k8s.io/v1"
    assert review["status"]["authenticated"] is True
    assert review["status"]["user"]["username"] == f"{loopback.issuer}#dave"
    assert "system:authenticated" in review["status"]["user"]["groups"]
    status, review = await _token_review(authn_replica, pki, {"token": "not-a-token-anyone-knows"})
    assert status == 201, review
    assert "authenticated" not in review["status"] and review["status"]["user"] == {}
    assert review["status"]["error"] == "invalid bearer token"
    status, body = await _token_review(authn_replica, pki, {})
    assert status == 400 and body["reason"] == "BadRequest", body


async def test_reviews_are_create_only_in_discovery(authn_replica, pki):
    api = Api(authn_replica.url, client_context(pki))
    try:
        status, listing = await api.get("/apis/authentication.k8s.io/v1")
        assert status == 200
        verbs = {r["name"]: r["verbs"] for r in listing["resources"]}
        assert verbs == {"tokenreviews": ["create"], "selfsubjectreviews": ["create"]}
        status, body = await api.get("/apis/authentication.k8s.io/v1/tokenreviews")
        assert status == 405, body
    finally:
        await api.close()


async def test_webhook_timeout_and_errors_fail_authentication(loopback, pki, tmp_path):
    """A webhook that does not answer in time, or answers an error, is a failed authentication, not cached."""
    from apiserver.authn.user import AuthenticationFailed
    from apiserver.authn.webhook_token import WebhookTokenAuthenticator
    from apiserver.options.authentication import TokenWebhookOptions
    from apiserver.webhook.client import load_webhook_kubeconfig

    config = _webhook_kubeconfig(tmp_path / "authn.kubeconfig", f"{loopback.issuer}/review", pki.ca_cert)
    authenticator = WebhookTokenAuthenticator(TokenWebhookOptions(config, "v1", 60.0), load_webhook_kubeconfig(config),
                                              (), call_timeout=0.5)
    try:
        loopback.webhook_delay = 2.0
        with pytest.raises(AuthenticationFailed):
            await authenticator.authenticate_token("good-erin", ())
        loopback.webhook_delay = 0.0
        result = await authenticator.authenticate_token("good-erin", ())
        assert result is not None and result.user.name == "erin"
    finally:
        loopback.webhook_delay = 0.0
        await authenticator.close()
    missing = _webhook_kubeconfig(tmp_path / "down.kubeconfig", f"https://127.0.0.1:{free_port()}/review",
                                  pki.ca_cert)
    down = WebhookTokenAuthenticator(TokenWebhookOptions(missing, "v1", 60.0), load_webhook_kubeconfig(missing), ())
    try:
        with pytest.raises(AuthenticationFailed):
            await down.authenticate_token("good-erin", ())
    finally:
        await down.close()


async def test_unreachable_webhook_is_401_not_anonymous(replica_factory, pki, tmp_path):
    config = _webhook_kubeconfig(tmp_path / "down.kubeconfig", f"https://127.0.0.1:{free_port()}/review",
                                 pki.ca_cert)
    replica = replica_factory(f"--authentication-token-webhook-config-file={config}")
    assert await _namespaces(replica, pki, "some-token") == 401
    api = Api(replica.url, _anonymous_context(pki))
    try:
        status, _ = await api.get("/api/v1/namespaces")
        assert status == 200, "without a token the request is anonymous, and anonymous is on"
    finally:
        await api.close()
