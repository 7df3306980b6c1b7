"""The Webhook authorization mode against a real SubjectAccessReview service on loopback HTTPS (which also tests
apiserver/webhook/client.py: kubeconfig loading, CA verification, a client certificate, deadlines)."""
from __future__ import annotations

import asyncio
import ssl

import pytest
from aiohttp import web

from certs.kubeconfig import write_kubeconfig
from cluster.replica import free_port
from tests.integration.conftest import Api, write_token_file
from tests.polling import eventually

USERS = ("allowed", "denied", "neither", "slow", "slow-fallback", "flaky")


class ReviewService:
    """Answers by user name; records every review it receives."""

    def __init__(self) -> None:
        self.reviews: list[dict] = []
        self.url = ""
        # slow answers wait for this (or 40 s), so that the service can stop without waiting for them
        self.release = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        assert request.transport.get_extra_info("peercert"), "the API server must present its client certificate"
        review = await request.json()
        self.reviews.append(review)
        user = review["spec"].get("user", "")
        status: dict = {"allowed": False}
        if user == "allowed":
            status = {"allowed": True, "reason": "the webhook says yes"}
        elif user == "denied":
            status = {"allowed": False, "denied": True, "reason": "the webhook says no"}
        elif user == "neither":
            status = {"allowed": False, "reason": "the webhook does not know"}
        elif user == "flaky" and len(self.for_user("flaky")) == 1:
            return web.Response(status=500, text="try again")
        elif user == "flaky":
            status = {"allowed": True}
        elif user.startswith("slow"):
            try:
                await asyncio.wait_for(self.release.wait(), 40)
            except TimeoutError:
                pass
        return web.json_response({"apiVersion": review["apiVersion"], "kind": "SubjectAccessReview",
                                  "status": status})

    def for_user(self, user: str) -> list[dict]:
        return [review for review in self.reviews if review["spec"].get("user") == user]


@pytest.fixture(scope="module")
async def service(pki):
    reviews = ReviewService()
    app = web.Application()
    app.router.add_post("/authorize", reviews.handle)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki.ca_cert))
    context.load_cert_chain(str(pki.apiserver_cert), str(pki.apiserver_key))
    context.verify_mode = ssl.CERT_REQUIRED
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port, ssl_context=context).start()
    reviews.url = f"https://127.0.0.1:{port}/authorize"
    yield reviews
    reviews.release.set()
    await runner.cleanup()


@pytest.fixture(scope="module")
def replica(replica_factory, service, pki, tmp_path_factory):
    directory = tmp_path_factory.mktemp("authz-webhook")
    tokens = write_token_file(directory / "tokens.csv", [f"{user}-token,{user},uid-{user},team" for user in USERS])
    kubeconfig = directory / "webhook.kubeconfig"
    write_kubeconfig(kubeconfig, service.url, pki.ca_cert, pki.admin_cert, pki.admin_key, user="apiserver")
    policies = directory / "policy.jsonl"
    policies.write_text("\n".join(
        '{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", '
        f'"spec": {{"user": "{user}", "namespace": "*", "resource": "*", "apiGroup": "*"}}}}'
        for user in ("denied", "neither", "slow-fallback")) + "\n")
    replica = replica_factory(f"--token-auth-file={tokens}", "--authorization-mode=Webhook,ABAC",
                              f"--authorization-webhook-config-file={kubeconfig}",
                              "--authorization-webhook-version=v1", f"--authorization-policy-file={policies}")
    yield replica
    replica.stop()


@pytest.fixture
async def as_user(replica, pki):
    clients: list[Api] = []
    plain = ssl.create_default_context(cafile=str(pki.ca_cert))

    def make(user: str) -> Api:
        client = Api(replica.url, plain, {"Authorization": f"Bearer {user}-token"})
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def test_allowed_by_the_webhook_with_a_v1_review(service, as_user):
    status, body = await as_user("allowed").get("/apis/apps/v1/namespaces/default/deployments/web")
    assert status == 404, body          # authorized: the deployment just does not exist
    review = service.for_user("allowed")[-1]
    assert review["apiVersion"] == "authorization.k8s.io/v1" and review["kind"] == "SubjectAccessReview"
    assert review["spec"] == {
        "resourceAttributes": {"namespace": "default", "verb": "get", "group": "apps", "version": "v1",
                               "resource": "deployments", "name": "web"},
        "user": "allowed", "groups": ["team", "system:authenticated"], "uid": "uid-allowed"}
    status, _ = await as_user("allowed").get("/apis")
    assert status == 200
    assert service.for_user("allowed")[-1]["spec"]["nonResourceAttributes"] == {"path": "/apis", "verb": "get"}


async def test_answers_are_cached_per_attribute_set(service, as_user):
    path = "/api/v1/namespaces/default/configmaps"
    before = len(service.for_user("allowed"))
    for _ in range(3):
        status, _ = await as_user("allowed").get(path)
        assert status == 200
    assert len(service.for_user("allowed")) == before + 1
    status, _ = await as_user("allowed").get(path + "/other")
    assert len(service.for_user("allowed")) == before + 2
    # a negative answer is cached too (for the unauthorized TTL)
    before = len(service.for_user("neither"))
    for _ in range(2):
        await as_user("neither").get("/api/v1/namespaces/default/secrets")
    assert len(service.for_user("neither")) == before + 1


async def test_a_denial_ends_the_chain(service, as_user):
    # ABAC would allow this user, but the webhook's denial comes first
    status, body = await as_user("denied").get("/api/v1/namespaces/default/configmaps")
    assert status == 403, body
    assert body["message"] == ('configmaps is forbidden: User "denied" cannot list resource "configmaps" in API '
                               'group "" in the namespace "default": the webhook says no')


async def test_no_opinion_passes_to_the_next_mode(service, as_user):
    status, body = await as_user("neither").get("/api/v1/namespaces/default/configmaps")
    assert status == 200, body          # ABAC allows
    status, body = await as_user("allowed").request("DELETE", "/api/v1/namespaces/default/configmaps/missing")
    assert status == 404, body


async def test_a_webhook_that_times_out_has_no_opinion_and_is_not_cached(service, as_user):
    path = "/api/v1/namespaces/default/configmaps"
    loop = asyncio.get_running_loop()
    started = loop.time()
    (fallback_status, fallback_body), (alone_status, alone_body) = await asyncio.gather(
        as_user("slow-fallback").get(path), as_user("slow").get(path))
    assert loop.time() - started >= 29    # kube's 30 s deadline for one review
    # with no opinion from the webhook, the next mode decides
    assert fallback_status == 200, fallback_body
    # no mode allowed and one failed: kube answers 500, not 403
    assert alone_status == 500, alone_body
    assert alone_body["reason"] == "InternalError"
    assert alone_body["message"] == f'Internal error occurred: Post "{service.url}": context deadline exceeded'
    # the failure was not cached: the next request asks again
    before = len(service.for_user("slow-fallback"))
    task = asyncio.ensure_future(as_user("slow-fallback").get(path))
    await eventually(lambda: len(service.for_user("slow-fallback")) > before, what="the webhook asked again")
    assert len(service.for_user("slow-fallback")) == before + 1
    task.cancel()


async def test_a_transient_failure_is_tried_again(service, as_user):
    status, body = await as_user("flaky").get("/api/v1/namespaces/default/configmaps")
    assert status == 200, body
    assert len(service.for_user("flaky")) == 2      # a 500, then the answer after kube's 500 ms backoff
