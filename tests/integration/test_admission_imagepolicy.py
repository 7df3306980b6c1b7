"""ImagePolicyWebhook against a real ImageReview service on loopback HTTPS: a replica enables the plugin with
defaultAllow false and a short retry backoff; a second one, whose webhook is never up, has defaultAllow true."""
from __future__ import annotations

import ssl
import uuid

import pytest
from aiohttp import web

from certs.kubeconfig import write_kubeconfig
from cluster.replica import free_port
from tests.integration.conftest import make_namespace

FAILED_OPEN = "alpha.image-policy.k8s.io/failed-open"


class ImageReviews:
    """Allows every image but those naming "denied" (with a reason) or "silent" (without); records each review."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.reviews: list[dict] = []
        self.context = context
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}/review"
        self.runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/review", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port, ssl_context=self.context).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def handle(self, request: web.Request) -> web.Response:
        review = await request.json()
        self.reviews.append(review)
        images = [c.get("image", "") for c in review["spec"].get("containers", [])]
        status: dict = {"allowed": True}
        denied = [image for image in images if "denied" in image]
        if denied:
            status = {"allowed": False, "reason": f"{denied[0]} is not signed"}
        elif any("silent" in image for image in images):
            status = {"allowed": False}
        return web.json_response({"apiVersion": review["apiVersion"], "kind": "ImageReview", "status": status})

    def for_image(self, image: str) -> list[dict]:
        return [r for r in self.reviews if any(c.get("image") == image for c in r["spec"].get("containers", []))]


@pytest.fixture(scope="module")
async def service(pki):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki.ca_cert))
    context.load_cert_chain(str(pki.apiserver_cert), str(pki.apiserver_key))
    reviews = ImageReviews(context)
    await reviews.start()
    yield reviews
    await reviews.stop()


def _configure(directory, pki, url: str, default_allow: bool) -> str:
    kubeconfig = directory / "imagepolicy.kubeconfig"
    write_kubeconfig(kubeconfig, url, pki.ca_cert, pki.admin_cert, pki.admin_key, user="apiserver")
    config = directory / "admission.yaml"
    config.write_text(f"""apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: ImagePolicyWebhook
  configuration:
    imagePolicy:
      kubeConfigFile: {kubeconfig}
      allowTTL: 60
      denyTTL: 60
      retryBackoff: 20
      defaultAllow: {str(default_allow).lower()}
""")
    return f"--admission-control-config-file={config}"


@pytest.fixture(scope="module")
def replica(replica_factory, service, pki, tmp_path_factory):
    flag = _configure(tmp_path_factory.mktemp("imagepolicy"), pki, service.url, default_allow=False)
    replica = replica_factory("--enable-admission-plugins=ImagePolicyWebhook", flag)
    yield replica
    replica.stop()


@pytest.fixture
async def ns_api(replica, client, new_ns):
    api = client(replica)
    name = new_ns()
    await make_namespace(api, name)
    return api, name


def image() -> str:
    return f"registry.local/app-{uuid.uuid4().hex[:8]}:1"


def pod(name: str, *images: str, annotations: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "annotations": annotations or {}},
            "spec": {"containers": [{"name": f"c{i}", "image": img} for i, img in enumerate(images)]}}


async def test_an_allowed_image_and_the_review_sent(service, ns_api):
    api, ns = ns_api
    app, init = image(), image()
    body = pod("p", app, annotations={"team.image-policy.k8s.io/ticket": "T-1", "other.example.com/x": "y"})
    body["spec"]["initContainers"] = [{"name": "i", "image": init}]
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", body)
    assert status == 201, created
    assert FAILED_OPEN not in created["metadata"]["annotations"]
    [review] = service.for_image(app)
    assert review["apiVersion"] == "imagepolicy.k8s.io/v1alpha1" and review["kind"] == "ImageReview"
    assert review["spec"] == {"containers": [{"image": app}, {"image": init}],
                              "annotations": {"team.image-policy.k8s.io/ticket": "T-1"}, "namespace": ns}


async def test_a_denied_image_is_refused_with_the_reason(ns_api):
    api, ns = ns_api
    denied = f"denied-{image()}"
    status, answer = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("bad", image(), denied))
    assert status == 403, answer
    assert answer["message"] == (f'pods "bad" is forbidden: image policy webhook backend denied one or more images: '
                                 f"{denied} is not signed")
    status, answer = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("quiet", f"silent-{image()}"))
    assert status == 403, answer
    assert answer["message"] == 'pods "quiet" is forbidden: one or more images rejected by webhook backend'
    status, _ = await api.get(f"/api/v1/namespaces/{ns}/pods/bad")
    assert status == 404


async def test_an_update_is_reviewed_too(service, ns_api):
    api, ns = ns_api
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("u", image()))
    assert status == 201, created
    denied = f"denied-{image()}"
    created["spec"]["containers"][0]["image"] = denied
    status, answer = await api.put(f"/api/v1/namespaces/{ns}/pods/u", created)
    assert status == 403, answer
    assert answer["message"].startswith('pods "u" is forbidden: image policy webhook backend denied')
    assert len(service.for_image(denied)) == 1


async def test_answers_are_cached(service, ns_api):
    api, ns = ns_api
    allowed, denied = image(), f"denied-{image()}"
    for name in ("one", "two"):
        status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod(name, allowed))
        assert status == 201, body
        status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod(f"{name}-bad", denied))
        assert status == 403, body
    assert len(service.for_image(allowed)) == 1
    assert len(service.for_image(denied)) == 1
    # another namespace is another review
    other = f"{ns}-b"
    await make_namespace(api, other)
    status, body = await api.post(f"/api/v1/namespaces/{other}/pods", pod("three", allowed))
    assert status == 201, body
    assert len(service.for_image(allowed)) == 2


async def test_a_webhook_down_refuses_without_default_allow(service, ns_api):
    api, ns = ns_api
    await service.stop()
    try:
        status, answer = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("down", image()))
    finally:
        await service.start()
    assert status == 403, answer
    assert answer["message"].startswith('pods "down" is forbidden: Post "https://127.0.0.1:')
    # the failure is not cached: with the webhook back, the same pod is admitted
    status, answer = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("down", image()))
    assert status == 201, answer


@pytest.fixture(scope="module")
def failing_open(replica_factory, pki, tmp_path_factory):
    nobody = f"https://127.0.0.1:{free_port()}/review"
    flag = _configure(tmp_path_factory.mktemp("imagepolicy-open"), pki, nobody, default_allow=True)
    replica = replica_factory("--enable-admission-plugins=ImagePolicyWebhook", flag)
    yield replica
    replica.stop()


async def test_a_webhook_down_admits_with_default_allow(failing_open, client, new_ns):
    api = client(failing_open)
    ns = new_ns()
    await make_namespace(api, ns)
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("open", image()))
    assert status == 201, created
    assert created["metadata"]["annotations"][FAILED_OPEN] == "true"
    status, stored = await api.get(f"/api/v1/namespaces/{ns}/pods/open")
    assert stored["metadata"]["annotations"][FAILED_OPEN] == "true"
