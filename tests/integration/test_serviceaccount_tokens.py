"""ServiceAccount tokens end to end on real replicas: TokenRequest, bound and legacy token authentication,
bootstrap tokens, issuer discovery and the `default` ServiceAccount of every namespace.

Setup goes through an AlwaysAllow replica as the admin (client certificate); each token is then presented to a
second replica on the same etcd prefix that runs AlwaysDeny, so its answer tells who the token authenticated as
(403 naming the user) or that it was refused (401)."""
from __future__ import annotations

import base64
import datetime
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest

from cluster.replica import client_context
from tests.integration.conftest import Api, make_namespace
from tests.integration.sa_tools import ISSUER, OLD_ISSUER, SaKeys, make_sa_keys, server_only_context
from tests.polling import eventually

YEAR = 365 * 24 * 3600


@pytest.fixture(scope="module")
def sa_keys(tmp_path_factory) -> SaKeys:
    return make_sa_keys(tmp_path_factory.mktemp("sa-keys"))


@pytest.fixture(scope="module")
def sa_replicas(replica_factory, sa_keys):
    allow = replica_factory(*sa_keys.flags(), "--service-account-max-token-expiration=2h")
    deny = replica_factory(*sa_keys.flags(), "--authorization-mode=AlwaysDeny", prefix=allow.prefix)
    yield allow, deny
    deny.stop()
    allow.stop()


@pytest.fixture
async def admin(sa_replicas, pki) -> AsyncIterator[Api]:
    client = Api(sa_replicas[0].url, client_context(pki))
    yield client
    await client.close()


@pytest.fixture
def who(sa_replicas, pki):
    """who(token) -> the user name the token authenticates as, or None when it is refused with 401."""
    async def ask(token: str) -> str | None:
        client = Api(sa_replicas[1].url, server_only_context(pki), {"Authorization": f"Bearer {token}"})
        try:
            status, body = await client.get("/api/v1/namespaces")
        finally:
            await client.close()
        if status == 401:
            assert body["reason"] == "Unauthorized", body
            return None
        assert status == 403, body
        return re.search(r'User "([^"]*)"', body["message"]).group(1)

    return ask


async def until_answered(who, token: str, expected: str | None) -> None:
    """Waits for the token to authenticate as `expected` (None: to be refused). The asked replica reads the
    objects a token depends on from its watch cache, so it sees a change made through the other replica only
    once the cache has the event; kube's listers lag the same way."""
    async def answered() -> bool:
        got = await who(token)
        assert got == expected, got
        return True

    await eventually(answered, what="the token refused" if expected is None else f"the token accepted as {expected}")


def _pod(name: str, account: str = "default") -> dict:
    return {"metadata": {"name": name}, "spec": {"serviceAccountName": account,
                                                 "containers": [{"name": "c", "image": "x"}]}}


async def _token(admin: Api, ns: str, account: str = "default", **spec: Any) -> tuple[str, dict]:
    status, body = await admin.post(f"/api/v1/namespaces/{ns}/serviceaccounts/{account}/token",
                                    {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                                     "spec": spec})
    assert status == 201, body
    return body["status"]["token"], body


async def _namespace_with_default_account(admin: Api, ns: str) -> dict:
    await make_namespace(admin, ns)
    return await _default_account(admin, ns)


async def _default_account(admin: Api, ns: str) -> dict:
    """The namespace's `default` ServiceAccount, once the leader's controller has made it."""
    async def made() -> dict:
        status, account = await admin.get(f"/api/v1/namespaces/{ns}/serviceaccounts/default")
        assert status == 200, account
        return account

    return await eventually(made, what=f"the default ServiceAccount of {ns}")


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _sign(key, claims: dict, alg: str = "RS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


async def test_default_service_account_is_created_and_recreated(admin, new_ns):
    ns = new_ns()
    first = await _namespace_with_default_account(admin, ns)
    assert (await admin.delete(f"/api/v1/namespaces/{ns}/serviceaccounts/default"))[0] == 200
    second = await _default_account(admin, ns)
    assert second["metadata"]["uid"] != first["metadata"]["uid"]


async def test_pod_bound_token_has_kube_claims_and_dies_with_its_pod(admin, who, new_ns):
    ns = new_ns()
    account = await _namespace_with_default_account(admin, ns)
    status, pod = await admin.post(f"/api/v1/namespaces/{ns}/pods", _pod("p"))
    assert status == 201, pod
    token, body = await _token(admin, ns, boundObjectRef={"apiVersion": "v1", "kind": "Pod", "name": "p"},
                               expirationSeconds=1200)
    assert body["kind"] == "TokenRequest" and body["spec"]["audiences"] == [ISSUER, OLD_ISSUER]
    claims = _claims(token)
    assert claims["iss"] == ISSUER and claims["sub"] == f"system:serviceaccount:{ns}:default"
    assert claims["aud"] == [ISSUER, OLD_ISSUER] and claims["exp"] - claims["iat"] == 1200
    assert claims["nbf"] == claims["iat"] and claims["jti"]
    assert claims["kubernetes.io"] == {
        "namespace": ns, "serviceaccount": {"name": "default", "uid": account["metadata"]["uid"]},
        "pod": {"name": "p", "uid": pod["metadata"]["uid"]}}
    header = jwt.get_unverified_header(token)
    assert set(header) == {"alg", "kid"} and header["alg"] == "RS256"
    assert await who(token) == f"system:serviceaccount:{ns}:default"
    status, _ = await admin.delete(f"/api/v1/namespaces/{ns}/pods/p", params={"gracePeriodSeconds": "0"})
    assert status == 200
    await until_answered(who, token, None)


async def test_secret_bound_token_dies_with_its_secret(admin, who, new_ns):
    ns = new_ns()
    await _namespace_with_default_account(admin, ns)
    status, secret = await admin.post(f"/api/v1/namespaces/{ns}/secrets", {"metadata": {"name": "s"}})
    assert status == 201
    token, _ = await _token(admin, ns, boundObjectRef={"apiVersion": "v1", "kind": "Secret", "name": "s",
                                                       "uid": secret["metadata"]["uid"]})
    assert _claims(token)["kubernetes.io"]["secret"] == {"name": "s", "uid": secret["metadata"]["uid"]}
    assert await who(token) == f"system:serviceaccount:{ns}:default"
    await admin.delete(f"/api/v1/namespaces/{ns}/secrets/s")
    await until_answered(who, token, None)


async def test_token_request_refusals_match_kube(admin, new_ns):
    ns = new_ns()
    await _namespace_with_default_account(admin, ns)
    path = f"/api/v1/namespaces/{ns}/serviceaccounts/default/token"
    status, body = await admin.post(path, {"spec": {"expirationSeconds": 10}})
    assert status == 422 and body["message"] == ('TokenRequest.authentication.k8s.io "" is invalid: '
                                                 'spec.expirationSeconds: Invalid value: 10: may not specify a '
                                                 'duration less than 10 minutes')
    status, body = await admin.post(path, {"spec": {"expirationSeconds": "soon"}})
    assert status == 400 and body["message"].startswith(
        'TokenRequest in version "v1" cannot be handled as a TokenRequest: '), body
    status, body = await admin.post(path, {"spec": {"boundObjectRef": {"apiVersion": "apps/v1",
                                                                       "kind": "Deployment", "name": "d"}}})
    assert status == 400 and body["message"] == "cannot bind token to object of type apps/v1, Kind=Deployment"
    await admin.post(f"/api/v1/namespaces/{ns}/serviceaccounts", {"metadata": {"name": "other"}})
    await admin.post(f"/api/v1/namespaces/{ns}/pods", _pod("runs-as-other", "other"))
    status, body = await admin.post(path, {"spec": {"boundObjectRef": {"apiVersion": "v1", "kind": "Pod",
                                                                       "name": "runs-as-other"}}})
    assert status == 400 and body["message"] == ('cannot bind token for serviceaccount "default" to pod running '
                                                 'with different serviceaccount name.')
    status, body = await admin.post(path, {"spec": {"boundObjectRef": {"apiVersion": "v1", "kind": "Pod",
                                                                       "name": "runs-as-other", "uid": "nope"}}})
    assert status == 400  # the service account check comes first, as in kube
    await admin.post(f"/api/v1/namespaces/{ns}/pods", _pod("mine"))
    status, body = await admin.post(path, {"spec": {"boundObjectRef": {"apiVersion": "v1", "kind": "Pod",
                                                                       "name": "mine", "uid": "stale"}}})
    assert status == 409 and body["message"] == (
        'Operation cannot be fulfilled on Pod "mine": the UID in the bound object reference (stale) does not '
        'match the UID in record. The object might have been deleted and then recreated')
    status, body = await admin.post(path, {"metadata": {"name": "someone-else"}, "spec": {}})
    assert status == 422 and "must match the service account name if specified" in body["message"]
    status, body = await admin.post(f"/api/v1/namespaces/{ns}/serviceaccounts/ghost/token", {"spec": {}})
    assert status == 404 and body["message"] == 'serviceaccounts "ghost" not found'


async def test_expiration_is_capped_and_kubelet_tokens_are_extended(admin, new_ns):
    ns = new_ns()
    await _namespace_with_default_account(admin, ns)
    path = f"/api/v1/namespaces/{ns}/serviceaccounts/default/token"
    async with admin.session.post(admin.url + path, json={"spec": {"expirationSeconds": 10000}}) as resp:
        body = await resp.json()
        assert resp.status == 201
        assert resp.headers["Warning"] == '299 - "requested expiration of 10000 seconds shortened to 7200 seconds"'
    claims = _claims(body["status"]["token"])
    assert body["spec"]["expirationSeconds"] == 7200 and claims["exp"] - claims["iat"] == 7200
    await admin.post(f"/api/v1/namespaces/{ns}/pods", _pod("p"))
    token, body = await _token(admin, ns, expirationSeconds=3607,
                               boundObjectRef={"apiVersion": "v1", "kind": "Pod", "name": "p"})
    claims = _claims(token)
    assert claims["exp"] - claims["iat"] == YEAR
    assert claims["kubernetes.io"]["warnafter"] - claims["iat"] == 3607
    reported = datetime.datetime.strptime(body["status"]["expirationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs(reported.replace(tzinfo=datetime.UTC).timestamp() - claims["iat"] - 3607) <= 1
    # an unbound token asking for 3607 s gets exactly that
    token, _ = await _token(admin, ns, expirationSeconds=3607)
    assert _claims(token)["exp"] - _claims(token)["iat"] == 3607 and "warnafter" not in _claims(token)["kubernetes.io"]


async def test_audiences_intersect_api_audiences(admin, who, new_ns):
    ns = new_ns()
    await _namespace_with_default_account(admin, ns)
    wrong, _ = await _token(admin, ns, audiences=["vault"])
    assert await who(wrong) is None
    second, _ = await _token(admin, ns, audiences=["vault", OLD_ISSUER])
    assert await who(second) == f"system:serviceaccount:{ns}:default"


async def test_signature_issuer_expiry_and_deleted_account(admin, who, sa_keys, new_ns):
    ns = new_ns()
    account = await _namespace_with_default_account(admin, ns)
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": f"system:serviceaccount:{ns}:default", "aud": [ISSUER], "iat": now, "nbf": now,
              "exp": now + 600, "kubernetes.io": {"namespace": ns, "serviceaccount": {
                  "name": "default", "uid": account["metadata"]["uid"]}}}
    # the second configured key verifies although it never signs here (rotation)
    assert await who(_sign(sa_keys.private(sa_keys.second_key), claims, "ES256")) == \
        f"system:serviceaccount:{ns}:default"
    assert await who(_sign(sa_keys.private(sa_keys.unknown_key), claims)) is None
    signer = sa_keys.private(sa_keys.signing_key)
    assert await who(_sign(signer, {**claims, "iss": "https://elsewhere.example.com"})) is None
    assert await who(_sign(signer, {**claims, "exp": now - 300})) is None
    token, _ = await _token(admin, ns)
    assert await who(token) == f"system:serviceaccount:{ns}:default"
    await admin.delete(f"/api/v1/namespaces/{ns}/serviceaccounts/default")
    await until_answered(who, token, None)
    # the controller makes a new default account: a new uid, so the old token stays dead
    await _default_account(admin, ns)
    assert await who(token) is None


async def test_legacy_secret_token(admin, who, sa_keys, new_ns):
    ns = new_ns()
    await make_namespace(admin, ns)
    status, account = await admin.post(f"/api/v1/namespaces/{ns}/serviceaccounts", {"metadata": {"name": "bot"}})
    assert status == 201
    token = _sign(sa_keys.private(sa_keys.signing_key), {
        "iss": "kubernetes/serviceaccount", "sub": f"system:serviceaccount:{ns}:bot",
        "kubernetes.io/serviceaccount/namespace": ns, "kubernetes.io/serviceaccount/secret.name": "bot-token",
        "kubernetes.io/serviceaccount/service-account.name": "bot",
        "kubernetes.io/serviceaccount/service-account.uid": account["metadata"]["uid"]})
    secret = {"metadata": {"name": "bot-token", "annotations": {"kubernetes.io/service-account.name": "bot"}},
              "type": "kubernetes.io/service-account-token",
              "data": {"token": base64.b64encode(token.encode()).decode()}}
    assert (await admin.post(f"/api/v1/namespaces/{ns}/secrets", secret))[0] == 201
    assert await who(token) == f"system:serviceaccount:{ns}:bot"
    _, stored = await admin.get(f"/api/v1/namespaces/{ns}/secrets/bot-token")
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    assert stored["metadata"]["labels"] == {"kubernetes.io/legacy-token-last-used": today}
    # the legacy-token cleaner's mark turns the token off until the label is removed
    stored["metadata"]["labels"]["kubernetes.io/legacy-token-invalid-since"] = "2024-01-01"
    assert (await admin.put(f"/api/v1/namespaces/{ns}/secrets/bot-token", stored))[0] == 200
    await until_answered(who, token, None)
    del stored["metadata"]["labels"]["kubernetes.io/legacy-token-invalid-since"]
    stored["metadata"].pop("resourceVersion")
    assert (await admin.put(f"/api/v1/namespaces/{ns}/secrets/bot-token", stored))[0] == 200
    await until_answered(who, token, f"system:serviceaccount:{ns}:bot")
    stored["data"]["token"] = base64.b64encode(b"something else").decode()
    assert (await admin.put(f"/api/v1/namespaces/{ns}/secrets/bot-token", stored))[0] == 200
    await until_answered(who, token, None)
    await admin.delete(f"/api/v1/namespaces/{ns}/secrets/bot-token")
    await until_answered(who, token, None)


def _bootstrap_secret(token_id: str, token_secret: str, expiration: str | None = None,
                      usage: str = "true") -> dict:
    data = {"token-id": token_id, "token-secret": token_secret, "usage-bootstrap-authentication": usage,
            "auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token"}
    if expiration:
        data["expiration"] = expiration
    return {"metadata": {"name": f"bootstrap-token-{token_id}"}, "type": "bootstrap.kubernetes.io/token",
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}}


async def test_bootstrap_tokens(admin, who):
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    earlier = "2020-01-01T00:00:00Z"
    for token_id, expiration, usage in (("abc123", later, "true"), ("old123", earlier, "true"),
                                        ("nouse1", later, "false")):
        status, body = await admin.post("/api/v1/namespaces/kube-system/secrets",
                                        _bootstrap_secret(token_id, "0123456789abcdef", expiration, usage))
        assert status == 201, body
    assert await who("abc123.0123456789abcdef") == "system:bootstrap:abc123"
    assert await who("abc123.fedcba9876543210") is None
    assert await who("old123.0123456789abcdef") is None
    assert await who("nouse1.0123456789abcdef") is None


async def test_issuer_discovery_serves_keys_that_verify_issued_tokens(admin, sa_replicas, new_ns):
    ns = new_ns()
    await _namespace_with_default_account(admin, ns)
    status, config = await admin.get("/.well-known/openid-configuration")
    assert status == 200
    port = sa_replicas[0].url.rsplit(":", 1)[1]
    assert config == {"issuer": ISSUER, "jwks_uri": f"https://127.0.0.1:{port}/openid/v1/jwks",
                      "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                      "id_token_signing_alg_values_supported": ["ES256", "RS256"]}
    async with admin.session.get(admin.url + "/openid/v1/jwks") as resp:
        assert resp.headers["Content-Type"] == "application/jwk-set+json"
        assert resp.headers["Cache-Control"] == "public, max-age=3600"
        jwks = await resp.json(content_type=None)
    assert [k["alg"] for k in jwks["keys"]] == ["RS256", "ES256"]
    token, _ = await _token(admin, ns, audiences=["relying-party"])
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid]
    verified = jwt.decode(token, key.key, algorithms=["RS256"], audience="relying-party", issuer=ISSUER)
    assert verified["sub"] == f"system:serviceaccount:{ns}:default"


async def test_node_bound_tokens_and_pod_tokens_naming_their_node(admin, who, new_ns):
    ns = new_ns()
    await _namespace_with_default_account(admin, ns)
    node_name = f"node-{ns}"
    status, node = await admin.post("/api/v1/nodes", {"metadata": {"name": node_name}})
    assert status == 201, node
    token, _ = await _token(admin, ns, boundObjectRef={"apiVersion": "v1", "kind": "Node", "name": node_name})
    assert _claims(token)["kubernetes.io"]["node"] == {"name": node_name, "uid": node["metadata"]["uid"]}
    pod = _pod("p")
    pod["spec"]["nodeName"] = node_name
    await admin.post(f"/api/v1/namespaces/{ns}/pods", pod)
    pod_token, _ = await _token(admin, ns, boundObjectRef={"apiVersion": "v1", "kind": "Pod", "name": "p"})
    assert _claims(pod_token)["kubernetes.io"]["node"] == {"name": node_name, "uid": node["metadata"]["uid"]}
    assert await who(token) == f"system:serviceaccount:{ns}:default"
    await admin.delete(f"/api/v1/nodes/{node_name}")
    await until_answered(who, token, None)
    # a pod-bound token lives with its pod, not with the node named for information
    assert await who(pod_token) == f"system:serviceaccount:{ns}:default"


async def test_discovery_lists_the_token_subresource(admin):
    _, resources = await admin.get("/api/v1")
    token = next(r for r in resources["resources"] if r["name"] == "serviceaccounts/token")
    assert (token["group"], token["version"], token["kind"], token["verbs"]) == (
        "authentication.k8s.io", "v1", "TokenRequest", ["create"])
