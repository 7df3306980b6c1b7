"""The ServiceAccount admission plugin and the kube-root-ca.crt publisher, as kube-apiserver 1.32 and
kube-controller-manager behave: pods are admitted with their account's token volume, mounts and pull secrets
written exactly as kube writes them, and every namespace gets the CA that verifies the server."""
from __future__ import annotations

import json
import re

from cryptography import x509

from tests.integration.conftest import make_namespace
from tests.polling import eventually

TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
VOLUME_NAME = re.compile(r"^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$")
DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
               "such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
               "distributions of Kubernetes clusters.")


def kube_volume(name: str) -> dict:
    """The volume kube-apiserver 1.32 adds, in the field order it serializes."""
    return {"name": name, "projected": {"sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}],
        "defaultMode": 420}}


def pod(name: str, **spec) -> dict:
    return {"metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}], **spec}}


async def new_namespace(api, new_ns) -> str:
    ns = new_ns()
    await make_namespace(api, ns)
    return ns


async def create_account(api, ns: str, name: str, **fields) -> None:
    status, body = await api.post(f"/api/v1/namespaces/{ns}/serviceaccounts", {"metadata": {"name": name}, **fields})
    assert status == 201, body


async def test_new_pod_gets_the_token_volume_and_mounts_as_kube_writes_them(api, new_ns):
    # the pod comes right after its namespace: the plugin waits for the `default` account's controller
    ns = await new_namespace(api, new_ns)
    body = pod("p", initContainers=[{"name": "init", "image": "busybox:1.36"}],
               containers=[{"name": "a", "image": "nginx:1.27", "volumeMounts": [{"name": "data", "mountPath": "/d"}]},
                           {"name": "b", "image": "nginx:1.27",
                            "volumeMounts": [{"name": "own", "mountPath": TOKEN_PATH}]}],
               volumes=[{"name": "data", "emptyDir": {}}, {"name": "own", "emptyDir": {}}])
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", body)
    assert status == 201, created
    spec = created["spec"]
    assert spec["serviceAccountName"] == "default"
    assert "imagePullSecrets" not in spec
    data, own, token = spec["volumes"]
    assert (data["name"], own["name"]) == ("data", "own")
    assert VOLUME_NAME.match(token["name"]), token["name"]
    assert json.dumps(token) == json.dumps(kube_volume(token["name"]))
    mount = {"name": token["name"], "readOnly": True, "mountPath": TOKEN_PATH}
    assert json.dumps(spec["initContainers"][0]["volumeMounts"]) == json.dumps([mount])
    assert spec["containers"][0]["volumeMounts"] == [{"name": "data", "mountPath": "/d"}, mount]
    # a container with something of its own at the token path keeps it
    assert spec["containers"][1]["volumeMounts"] == [{"name": "own", "mountPath": TOKEN_PATH}]
    status, stored = await api.get(f"/api/v1/namespaces/{ns}/pods/p")
    assert stored["spec"]["volumes"] == spec["volumes"]


async def test_an_existing_kube_api_access_volume_is_reused(api, new_ns):
    ns = await new_namespace(api, new_ns)
    mine = kube_volume("kube-api-access-mine1")
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("p", volumes=[mine]))
    assert status == 201, created
    assert created["spec"]["volumes"] == [mine]
    assert created["spec"]["containers"][0]["volumeMounts"] == [
        {"name": "kube-api-access-mine1", "readOnly": True, "mountPath": TOKEN_PATH}]


async def test_a_missing_account_is_forbidden_with_kubes_message(api, new_ns):
    ns = await new_namespace(api, new_ns)
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("p", serviceAccountName="nobody"))
    assert status == 403, body
    assert body["reason"] == "Forbidden"
    assert body["message"] == (f'pods "p" is forbidden: error looking up service account {ns}/nobody: '
                               'serviceaccount "nobody" not found')
    assert body["details"] == {"name": "p", "kind": "pods"}
    await create_account(api, ns, "somebody")
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("p", serviceAccountName="somebody"))
    assert status == 201, created
    assert created["spec"]["serviceAccountName"] == "somebody"


async def test_automount_is_the_pods_choice_then_the_accounts(api, new_ns):
    ns = await new_namespace(api, new_ns)
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("off", automountServiceAccountToken=False))
    assert status == 201, created
    assert "volumes" not in created["spec"] and "volumeMounts" not in created["spec"]["containers"][0]
    await create_account(api, ns, "quiet", automountServiceAccountToken=False)
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("quiet", serviceAccountName="quiet"))
    assert status == 201, created
    assert "volumes" not in created["spec"]
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", pod(
        "loud", serviceAccountName="quiet", automountServiceAccountToken=True))
    assert status == 201, created
    assert [VOLUME_NAME.match(v["name"]) is not None for v in created["spec"]["volumes"]] == [True]


async def test_image_pull_secrets_come_from_the_account_when_the_pod_has_none(api, new_ns):
    ns = await new_namespace(api, new_ns)
    await create_account(api, ns, "puller", imagePullSecrets=[{"name": "registry-a"}, {"name": "registry-b"}])
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("p", serviceAccountName="puller"))
    assert status == 201, created
    assert created["spec"]["imagePullSecrets"] == [{"name": "registry-a"}, {"name": "registry-b"}]
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", pod(
        "own", serviceAccountName="puller", imagePullSecrets=[{"name": "mine"}]))
    assert status == 201, created
    assert created["spec"]["imagePullSecrets"] == [{"name": "mine"}]


async def test_mountable_secrets_are_enforced_when_the_account_says_so(api, new_ns):
    ns = await new_namespace(api, new_ns)
    await create_account(api, ns, "strict", metadata={
        "name": "strict", "annotations": {"kubernetes.io/enforce-mountable-secrets": "true"}},
        secrets=[{"name": "allowed"}], imagePullSecrets=[{"name": "registry"}])
    because = "is not allowed because service account strict does not reference that"
    refusals = [
        (pod("p", volumes=[{"name": "v", "secret": {"secretName": "other"}}]),
         f'volume with secret.secretName="other" {because} secret'),
        (pod("p", containers=[{"name": "c", "image": "x:1", "env": [
            {"name": "PW", "valueFrom": {"secretKeyRef": {"name": "other", "key": "k"}}}]}]),
         f'container c with envVar PW referencing secret.secretName="other" {because} secret'),
        (pod("p", initContainers=[{"name": "i", "image": "x:1", "envFrom": [{"secretRef": {"name": "other"}}]}]),
         f'init container i with envFrom referencing secret.secretName="other" {because} secret'),
        (pod("p", imagePullSecrets=[{"name": "registry"}, {"name": "elsewhere"}]),
         f'imagePullSecrets[1].name="elsewhere" {because} imagePullSecret'),
    ]
    for body, why in refusals:
        body["spec"]["serviceAccountName"] = "strict"
        status, answer = await api.post(f"/api/v1/namespaces/{ns}/pods", body)
        assert (status, answer["message"]) == (403, f'pods "p" is forbidden: {why}')
    allowed = pod("p", serviceAccountName="strict", volumes=[{"name": "v", "secret": {"secretName": "allowed"}}])
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", allowed)
    assert status == 201, created
    assert created["spec"]["imagePullSecrets"] == [{"name": "registry"}]


async def test_mirror_pods_are_left_alone_but_may_not_reference_accounts_or_secrets(api, new_ns):
    ns = await new_namespace(api, new_ns)
    mirror = {"kubernetes.io/config.mirror": "abc"}
    body = pod("static")
    body["metadata"]["annotations"] = mirror
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", body)
    assert status == 201, created
    assert "serviceAccountName" not in created["spec"] and "volumes" not in created["spec"]
    refusals = [({"serviceAccountName": "default"}, "a mirror pod may not reference service accounts"),
                ({"volumes": [{"name": "v", "secret": {"secretName": "s"}}]},
                 "a mirror pod may not reference secrets"),
                ({"volumes": [kube_volume("kube-api-access-abcde")]},
                 "a mirror pod may not use ServiceAccountToken volume projections")]
    for spec, why in refusals:
        body = pod("static2", **spec)
        body["metadata"]["annotations"] = mirror
        status, answer = await api.post(f"/api/v1/namespaces/{ns}/pods", body)
        assert (status, answer["message"]) == (403, f'pods "static2" is forbidden: {why}')


async def test_a_dry_run_create_is_admitted_the_same_and_not_stored(api, new_ns):
    ns = await new_namespace(api, new_ns)
    status, created = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("p"), params={"dryRun": "All"})
    assert status == 201, created
    (volume,) = created["spec"]["volumes"]
    assert json.dumps(volume) == json.dumps(kube_volume(volume["name"]))
    status, _ = await api.get(f"/api/v1/namespaces/{ns}/pods/p")
    assert status == 404
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", pod("q", serviceAccountName="nobody"),
                                  params={"dryRun": "All"})
    assert status == 403, body


async def test_every_namespace_gets_the_root_ca_config_map_kept_as_published(api, new_ns, pki):
    ns = await new_namespace(api, new_ns)
    path = f"/api/v1/namespaces/{ns}/configmaps/kube-root-ca.crt"

    async def published() -> dict:
        status, body = await api.get(path)
        assert status == 200, body
        return body

    cm = await eventually(published)
    ca = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    assert [x509.load_pem_x509_certificate(cm["data"]["ca.crt"].encode())] == [ca]
    assert cm["data"] == {"ca.crt": pki.ca_cert.read_text()}
    assert cm["metadata"]["annotations"] == {"kubernetes.io/description": DESCRIPTION}
    assert cm["metadata"]["managedFields"][0]["manager"] == "kube-controller-manager"

    status, _ = await api.delete(path)
    assert status == 200

    async def recreated() -> dict:
        body = await published()
        assert body["metadata"]["uid"] != cm["metadata"]["uid"]
        return body

    again = await eventually(recreated)
    assert again["data"] == cm["data"]

    again["data"] = {"ca.crt": "tampered"}
    again["metadata"]["annotations"] = {"mine": "kept"}
    status, body = await api.put(path, again)
    assert status == 200, body

    async def fixed() -> dict:
        body = await published()
        assert body["data"] == cm["data"]
        return body

    repaired = await eventually(fixed)
    assert repaired["metadata"]["annotations"] == {"mine": "kept", "kubernetes.io/description": DESCRIPTION}
