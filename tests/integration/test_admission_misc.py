"""The network and small admission plugins. DefaultIngressClass is on by default; the others are off in kube and
are turned on for this module's replica (an RBAC one, with token users): DenyServiceExternalIPs, EventRateLimit
(its configuration in --admission-control-config-file), OwnerReferencesPermissionEnforcement,
NamespaceAutoProvision, NamespaceExists and AlwaysAdmit. NamespaceLifecycle is off here, so that NamespaceExists
is the one that refuses."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tests.integration.rbac_tools import RbacCluster, create, grant, new_namespace, rule, start_rbac_cluster, user
from tests.polling import eventually

CORE = "/api/v1"
NETWORKING = "/apis/networking.k8s.io/v1"
ENABLED = ("DenyServiceExternalIPs,EventRateLimit,OwnerReferencesPermissionEnforcement,NamespaceAutoProvision,"
           "NamespaceExists,AlwaysAdmit")
ADMISSION_CONFIG = """apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: EventRateLimit
  configuration:
    apiVersion: eventratelimit.admission.k8s.io/v1alpha1
    kind: Configuration
    limits:
    - type: Namespace
      qps: 1
      burst: 3
"""


@pytest.fixture(scope="module")
async def cluster(replica_factory, pki, tmp_path_factory) -> AsyncIterator[RbacCluster]:
    directory = tmp_path_factory.mktemp("admission-misc")
    config = directory / "admission.yaml"
    config.write_text(ADMISSION_CONFIG)
    c = await start_rbac_cluster(replica_factory, pki, directory, f"--enable-admission-plugins={ENABLED}",
                                 "--disable-admission-plugins=NamespaceLifecycle",
                                 f"--admission-control-config-file={config}")
    yield c
    await c.close()
    c.replica.stop()


def _service(name: str, **spec) -> dict:
    return {"metadata": {"name": name}, "spec": {"ports": [{"port": 80}], **spec}}


async def test_services_may_not_take_new_external_ips(cluster):
    ns = await new_namespace(cluster)
    path = f"{CORE}/namespaces/{ns}/services"
    status, body = await cluster.admin.post(path, _service("outside", externalIPs=["192.0.2.10"]))
    assert status == 403, body
    assert body["message"] == 'services "outside" is forbidden: Use of external IPs is denied by admission control'
    created = await create(cluster.admin, path, _service("inside"))
    created["spec"]["externalIPs"] = ["192.0.2.11"]
    status, body = await cluster.admin.put(f"{path}/inside", created)
    assert status == 403, body
    created["spec"].pop("externalIPs")
    created["metadata"]["labels"] = {"changed": "yes"}
    status, body = await cluster.admin.put(f"{path}/inside", created)
    assert status == 200, body


async def test_an_ingress_without_a_class_gets_the_default_ingress_class(cluster):
    ns = await new_namespace(cluster)
    name = f"default-{uuid.uuid4().hex[:6]}"
    await create(cluster.admin, f"{NETWORKING}/ingressclasses", {"metadata": {
        "name": name, "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
        "spec": {"controller": "example.com/ingress"}})

    async def cached() -> bool:
        status, listed = await cluster.admin.get(f"{NETWORKING}/ingressclasses", params={"resourceVersion": "0"})
        return status == 200 and name in [i["metadata"]["name"] for i in listed["items"]]
    await eventually(cached, what="the IngressClass in the watch cache")
    backend = {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}
    ingress = await create(cluster.admin, f"{NETWORKING}/namespaces/{ns}/ingresses",
                           {"metadata": {"name": "plain"}, "spec": backend})
    assert ingress["spec"]["ingressClassName"] == name
    # the legacy annotation names a class too
    legacy = await create(cluster.admin, f"{NETWORKING}/namespaces/{ns}/ingresses", {"metadata": {
        "name": "legacy", "annotations": {"kubernetes.io/ingress.class": "nginx"}}, "spec": backend})
    assert "ingressClassName" not in legacy["spec"]
    status, _ = await cluster.admin.delete(f"{NETWORKING}/ingressclasses/{name}")
    assert status == 200


def _event(name: str, ns: str) -> dict:
    return {"metadata": {"name": name}, "involvedObject": {"kind": "Pod", "name": "p", "namespace": ns},
            "reason": "Tested", "message": "m", "type": "Normal"}


async def test_events_are_rate_limited_per_namespace(cluster):
    ns, other = await new_namespace(cluster), await new_namespace(cluster)
    path = f"{CORE}/namespaces/{ns}/events"
    # the bucket starts full (burst 3) and refills at one a second: however slow the machine, it runs dry
    answers = []
    for i in range(30):
        status, body = await cluster.admin.post(path, _event(f"e{i}", ns))
        answers.append(status)
        if status == 429:
            break
    assert answers[:3] == [201, 201, 201] and answers[-1] == 429, answers
    assert body["reason"] == "TooManyRequests"
    assert body["message"] == f"Too many requests: limit reached on type Namespace for key {ns}"
    # a dry run spends nothing and is not refused; another namespace has its own bucket
    status, body = await cluster.admin.post(path, _event("dry", ns), params={"dryRun": "All"})
    assert status == 201, body
    status, body = await cluster.admin.post(f"{CORE}/namespaces/{other}/events", _event("e", other))
    assert status == 201, body


def _owned(name: str, owner: dict, block: bool | None = None) -> dict:
    ref = {"apiVersion": owner.get("apiVersion", "v1"), "kind": owner.get("kind", "ConfigMap"),
           "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"]}
    if block is not None:
        ref["blockOwnerDeletion"] = block
    return {"metadata": {"name": name, "ownerReferences": [ref]}, "data": {"k": "v"}}


async def test_owner_references_need_delete_and_blocking_needs_the_owners_finalizers(cluster):
    ns = await new_namespace(cluster)
    path = f"{CORE}/namespaces/{ns}/configmaps"
    bob = cluster.users["bob"]
    await grant(cluster, ns, user("bob"), [rule(["get", "create", "update"], [""], ["configmaps"])])
    owner = await create(cluster.admin, path, {"metadata": {"name": "owner"}})

    async def bob_may_create() -> bool:
        status, _ = await bob.post(path, {"metadata": {"name": f"probe-{uuid.uuid4().hex[:6]}"}})
        return status == 201
    await eventually(bob_may_create, what="bob's Role in the RBAC informers")
    # a create may set references: its author could as well not have made the object
    status, owned = await bob.post(path, _owned("owned", owner))
    assert status == 201, owned
    # changing them needs `delete` on the object
    owned["metadata"]["ownerReferences"][0]["name"] = "renamed"
    status, body = await bob.put(f"{path}/owned", owned)
    assert status == 403, body
    assert body["message"] == ('configmaps "owned" is forbidden: cannot set an ownerRef on a resource you can\'t '
                               "delete: , <nil>")
    # blocking the owner's deletion needs `update` on its finalizers
    status, body = await bob.post(path, _owned("blocking", owner, block=True))
    assert status == 403, body
    assert body["message"] == ('configmaps "blocking" is forbidden: cannot set blockOwnerDeletion if an '
                               "ownerReference refers to a resource you can't set finalizers on: , <nil>")
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "uid": "u-1"}}
    status, body = await bob.post(path, _owned("unmapped", widget, block=True))
    assert status == 403, body
    assert body["message"] == (
        'configmaps "unmapped" is forbidden: cannot set blockOwnerDeletion in this case because cannot find '
        'RESTMapping for APIVersion example.com/v1 Kind Widget: no matches for kind "Widget" in version '
        '"example.com/v1"')
    await grant(cluster, ns, user("bob"), [rule(["update"], [""], ["configmaps/finalizers"], ["owner"])])

    async def bob_may_block() -> bool:
        status, _ = await bob.post(path, _owned(f"blocking-{uuid.uuid4().hex[:6]}", owner, block=True))
        return status == 201
    await eventually(bob_may_block, what="bob's finalizers Role in the RBAC informers")


async def test_a_namespace_is_made_on_first_use_and_must_exist(cluster):
    ns = f"auto-{uuid.uuid4().hex[:8]}"
    # a dry run makes no namespace, so NamespaceExists refuses it
    status, body = await cluster.admin.post(f"{CORE}/namespaces/{ns}/configmaps", {"metadata": {"name": "c"}},
                                            params={"dryRun": "All"})
    assert status == 404, body
    assert body["message"] == f'namespaces "{ns}" not found'
    status, body = await cluster.admin.post(f"{CORE}/namespaces/{ns}/configmaps", {"metadata": {"name": "c"}})
    assert status == 201, body
    status, namespace = await cluster.admin.get(f"{CORE}/namespaces/{ns}")
    assert status == 200 and namespace["status"]["phase"] == "Active", namespace
