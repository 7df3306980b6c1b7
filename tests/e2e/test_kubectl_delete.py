"""kubectl delete with each cascade mode, kubectl wait --for=delete, and namespace deletion, with the real
kubectl against a replica whose leader runs the garbage collector and the namespace controller."""
from __future__ import annotations

import json
import time
import uuid

from tests.polling import eventually_sync


def _namespace(kubectl) -> str:
    ns = f"del-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    return ns


def _family(kubectl, ns: str, owner: str, children: list[str]) -> None:
    kubectl("-n", ns, "create", "configmap", owner)
    uid = kubectl("-n", ns, "get", "configmap", owner, "-o", "jsonpath={.metadata.uid}").stdout
    for child in children:
        manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
            "name": child, "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": owner, "uid": uid,
                                                "blockOwnerDeletion": True}]}}
        result = kubectl("-n", ns, "create", "-f", "-", check=False, input_text=json.dumps(manifest))
        assert result.returncode == 0, result.stderr


def _names(kubectl, ns: str) -> set[str]:
    out = kubectl("-n", ns, "get", "configmaps", "-o", "jsonpath={.items[*].metadata.name}").stdout
    return set(out.split()) - {"kube-root-ca.crt"}


def test_cascade_foreground_returns_after_the_dependents_are_gone(kubectl):
    ns = _namespace(kubectl)
    _family(kubectl, ns, "owner", ["a", "b"])
    out = kubectl("-n", ns, "delete", "configmap", "owner", "--cascade=foreground").stdout
    assert out.strip() == 'configmap "owner" deleted'
    assert _names(kubectl, ns) == set()


def test_cascade_orphan_leaves_the_dependents(kubectl):
    ns = _namespace(kubectl)
    _family(kubectl, ns, "owner", ["a"])
    kubectl("-n", ns, "delete", "configmap", "owner", "--cascade=orphan")
    assert _names(kubectl, ns) == {"a"}
    refs = kubectl("-n", ns, "get", "configmap", "a", "-o", "jsonpath={.metadata.ownerReferences}").stdout
    assert refs == ""


def test_cascade_background_and_wait_for_delete(kubectl):
    ns = _namespace(kubectl)
    _family(kubectl, ns, "owner", ["a", "b"])
    kubectl("-n", ns, "delete", "configmap", "owner", "--wait=false")
    # kubectl wait names each object it saw go; one already gone before it looked is an error for it
    result = kubectl("-n", ns, "wait", "--for=delete", "configmap/a", "configmap/b", "--timeout=30s", check=False)
    assert result.returncode == 0 or "not found" in result.stderr, result.stderr
    for line in result.stdout.splitlines():
        assert line in ("configmap/a condition met", "configmap/b condition met")
    # after such an error kubectl may stop without waiting for the other one
    eventually_sync(lambda: _names(kubectl, ns) == set(), interval=0.5, what="the dependents collected")


def test_delete_namespace_waits_for_its_content(kubectl):
    ns = _namespace(kubectl)
    kubectl("-n", ns, "create", "configmap", "c")
    kubectl("-n", ns, "run", "p", "--image=nginx", "--restart=Never")
    out = kubectl("delete", "ns", ns, timeout=90).stdout
    assert out.strip() == f'namespace "{ns}" deleted'
    result = kubectl("get", "ns", ns, check=False)
    assert result.returncode != 0 and "NotFound" in result.stderr


def test_delete_pod_on_a_node_takes_its_grace_period(kubectl):
    ns = _namespace(kubectl)
    manifest = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "nodeName": "node-1", "terminationGracePeriodSeconds": 2, "containers": [{"name": "c", "image": "nginx"}]}}
    kubectl("-n", ns, "create", "-f", "-", input_text=json.dumps(manifest))
    started = time.monotonic()
    out = kubectl("-n", ns, "delete", "pod", "p").stdout
    assert out.strip() == 'pod "p" deleted'
    # deletionTimestamp has whole seconds, so a 2 s grace period can end a little over 1 s later
    assert time.monotonic() - started >= 1.0
    assert kubectl("-n", ns, "get", "pods", "-o", "name").stdout.strip() == ""
