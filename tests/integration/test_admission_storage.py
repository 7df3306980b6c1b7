"""The storage admission plugins, on by default as in kube: DefaultStorageClass gives a claim without a class the
newest default StorageClass, StorageObjectInUseProtection puts the protection finalizers on new claims and
volumes, PersistentVolumeClaimResize lets a claim grow only when bound and its class allows expansion."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.polling import eventually

CORE = "/api/v1"
CLASSES = "/apis/storage.k8s.io/v1/storageclasses"
DEFAULT = "storageclass.kubernetes.io/is-default-class"


@pytest.fixture(scope="module")
def storage_replica(replica_factory):
    """A replica of its own: the default StorageClasses made here would change the claims of other tests."""
    replica = replica_factory()
    yield replica
    replica.stop()


@pytest.fixture
async def admin(storage_replica, client):
    return client(storage_replica)


def _claim(name: str, **spec) -> dict:
    return {"metadata": {"name": name}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                 "resources": {"requests": {"storage": "1Gi"}}, **spec}}


async def _namespace(api) -> str:
    name = f"s-{uuid.uuid4().hex[:8]}"
    status, body = await api.post(f"{CORE}/namespaces", {"metadata": {"name": name}})
    assert status == 201, body
    return name


async def _storage_class(api, name: str, default: bool = False, **fields) -> None:
    meta: dict = {"name": name}
    if default:
        meta["annotations"] = {DEFAULT: "true"}
    status, body = await api.post(CLASSES, {"metadata": meta, "provisioner": "example.com/p", **fields})
    assert status == 201, body

    async def cached() -> bool:
        # the plugin reads the watch cache, as kube's reads its informer
        status, listed = await api.get(CLASSES, params={"resourceVersion": "0"})
        return status == 200 and name in [i["metadata"]["name"] for i in listed["items"]]
    await eventually(cached, what=f"StorageClass {name} in the watch cache")


async def _created_class(api, ns: str, claim: dict) -> str | None:
    status, body = await api.post(f"{CORE}/namespaces/{ns}/persistentvolumeclaims", claim)
    assert status == 201, body
    return body["spec"].get("storageClassName")


async def test_a_claim_without_a_class_gets_the_newest_default(admin):
    ns = await _namespace(admin)
    suffix = uuid.uuid4().hex[:6]
    assert await _created_class(admin, ns, _claim("before")) is None
    await _storage_class(admin, f"plain-{suffix}")
    assert await _created_class(admin, ns, _claim("no-default")) is None
    await _storage_class(admin, f"old-{suffix}", default=True)
    assert await _created_class(admin, ns, _claim("one-default")) == f"old-{suffix}"
    # creation times count in seconds: the second default must be a second younger
    await asyncio.sleep(1.1)
    await _storage_class(admin, f"new-{suffix}", default=True)
    assert await _created_class(admin, ns, _claim("two-defaults")) == f"new-{suffix}"
    # a class asked for, even none (""), or through the beta annotation, is left as it is
    assert await _created_class(admin, ns, _claim("explicit", storageClassName=f"plain-{suffix}")) == f"plain-{suffix}"
    assert await _created_class(admin, ns, _claim("none", storageClassName="")) == ""
    beta = _claim("beta")
    beta["metadata"]["annotations"] = {"volume.beta.kubernetes.io/storage-class": f"plain-{suffix}"}
    assert await _created_class(admin, ns, beta) is None
    for name in ("old", "new", "plain"):
        status, _ = await admin.delete(f"{CLASSES}/{name}-{suffix}")
        assert status == 200


async def test_new_claims_and_volumes_carry_the_protection_finalizers(admin):
    ns = await _namespace(admin)
    status, claim = await admin.post(f"{CORE}/namespaces/{ns}/persistentvolumeclaims", _claim("c"))
    assert status == 201 and claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"], claim
    # one already there is not repeated; others are kept before it
    volume = {"metadata": {"name": f"pv-{uuid.uuid4().hex[:6]}", "finalizers": ["example.com/keep"]},
              "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/d"}}}
    status, created = await admin.post(f"{CORE}/persistentvolumes", volume)
    assert status == 201 and created["metadata"]["finalizers"] == ["example.com/keep", "kubernetes.io/pv-protection"]
    again = _claim("again")
    again["metadata"]["finalizers"] = ["kubernetes.io/pvc-protection"]
    status, claim = await admin.post(f"{CORE}/namespaces/{ns}/persistentvolumeclaims", again)
    assert status == 201 and claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    # an update is not the plugin's business: the finalizer can be taken off
    claim["metadata"]["finalizers"] = []
    status, updated = await admin.put(f"{CORE}/namespaces/{ns}/persistentvolumeclaims/again", claim)
    assert status == 200 and not updated["metadata"].get("finalizers"), updated


async def _bound_claim(api, ns: str, name: str, class_name: str) -> dict:
    status, claim = await api.post(f"{CORE}/namespaces/{ns}/persistentvolumeclaims",
                                   _claim(name, storageClassName=class_name))
    assert status == 201, claim
    claim["status"] = {"phase": "Bound"}
    status, bound = await api.put(f"{CORE}/namespaces/{ns}/persistentvolumeclaims/{name}/status", claim)
    assert status == 200, bound
    return bound


def _grown(claim: dict, size: str) -> dict:
    return {**claim, "spec": {**claim["spec"], "resources": {"requests": {"storage": size}}}}


async def test_a_claim_grows_only_when_bound_and_its_class_allows_expansion(admin):
    ns = await _namespace(admin)
    suffix = uuid.uuid4().hex[:6]
    await _storage_class(admin, f"elastic-{suffix}", allowVolumeExpansion=True)
    await _storage_class(admin, f"rigid-{suffix}")
    path = f"{CORE}/namespaces/{ns}/persistentvolumeclaims"
    elastic = await _bound_claim(admin, ns, "elastic", f"elastic-{suffix}")
    status, body = await admin.put(f"{path}/elastic", _grown(elastic, "2Gi"))
    assert status == 200 and body["spec"]["resources"]["requests"]["storage"] == "2Gi", body
    rigid = await _bound_claim(admin, ns, "rigid", f"rigid-{suffix}")
    status, body = await admin.put(f"{path}/rigid", _grown(rigid, "2Gi"))
    assert status == 403, body
    assert body["reason"] == "Forbidden" and body["message"] == (
        'persistentvolumeclaims "rigid" is forbidden: only dynamically provisioned pvc can be resized and the '
        "storageclass that provisions the pvc must support resize")
    # a class that does not exist allows nothing
    missing = await _bound_claim(admin, ns, "missing", f"gone-{suffix}")
    status, body = await admin.put(f"{path}/missing", _grown(missing, "2Gi"))
    assert status == 403, body
    # the same size, written again as 1024Mi, is no growth
    status, body = await admin.put(f"{path}/rigid", _grown(rigid, "1024Mi"))
    assert status == 200, body


async def test_protection_finalizers_are_released_when_nothing_uses_the_object(admin):
    """The pvc-protection and pv-protection controllers: a deleted claim stays while a running pod mounts it and
    goes once the pod is gone; a deleted volume stays while Bound and goes once released."""
    ns = await _namespace(admin)
    claims = f"{CORE}/namespaces/{ns}/persistentvolumeclaims"
    for name in ("used", "free"):
        status, body = await admin.post(claims, _claim(name, storageClassName=""))
        assert status == 201, body
    pod = {"metadata": {"name": "mounter"}, "spec": {
        "containers": [{"name": "c", "image": "busybox"}],
        "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "used"}}]}}
    status, body = await admin.post(f"{CORE}/namespaces/{ns}/pods", pod)
    assert status == 201, body
    for name in ("used", "free"):
        status, body = await admin.delete(f"{claims}/{name}")
        assert status == 200 and body["metadata"]["deletionTimestamp"], body

    async def gone(path: str) -> bool:
        return (await admin.get(path))[0] == 404

    await eventually(lambda: gone(f"{claims}/free"), what="the unused claim deleted")
    await asyncio.sleep(1)
    status, body = await admin.get(f"{claims}/used")
    assert status == 200 and "kubernetes.io/pvc-protection" in body["metadata"]["finalizers"], body
    await admin.delete(f"{CORE}/namespaces/{ns}/pods/mounter", params={"gracePeriodSeconds": "0"})
    await eventually(lambda: gone(f"{claims}/used"), what="the claim deleted once its pod is gone")

    volume = {"metadata": {"name": f"pv-{ns}"}, "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/tmp/x"}}}
    status, body = await admin.post(f"{CORE}/persistentvolumes", volume)
    assert status == 201 and body["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"], body
    path = f"{CORE}/persistentvolumes/{volume['metadata']['name']}"
    status, body = await admin.request("PATCH", f"{path}/status", data=b'{"status":{"phase":"Bound"}}',
                                       headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200, body
    await admin.delete(path)
    await asyncio.sleep(1)
    assert (await admin.get(path))[0] == 200
    status, body = await admin.request("PATCH", f"{path}/status", data=b'{"status":{"phase":"Released"}}',
                                       headers={"Content-Type": "application/merge-patch+json"})
    assert status == 200, body
    await eventually(lambda: gone(path), what="the released volume deleted")
