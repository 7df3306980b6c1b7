"""The pure parts of the admission webhooks: kube's rule matching and its checks of a webhook's answer."""
from __future__ import annotations

import base64

import pytest

from apiserver.admission.webhooks.config import Rule
from apiserver.admission.webhooks.matching import rule_matches
from apiserver.admission.webhooks.review import ReviewError, review_version, verify


def rule(resources: tuple[str, ...], scope: str = "*", operations: tuple[str, ...] = ("*",)) -> Rule:
    return Rule(operations, ("*",), ("*",), resources, scope)


@pytest.mark.parametrize("resources, resource, subresource, expected", [
    (("*",), "pods", "", True),
    (("*",), "pods", "status", False),
    (("*/*",), "pods", "status", True),
    (("pods/*",), "pods", "", True),
    (("pods/*",), "pods", "status", True),
    (("*/status",), "deployments", "status", True),
    (("*/status",), "deployments", "scale", False),
    (("pods/status",), "pods", "", False),
    (("pods",), "pods", "status", False),
])
def test_resources(resources, resource, subresource, expected):
    assert rule_matches(rule(resources), "CREATE", ("", "v1", resource), subresource, "ns") is expected


def test_scope():
    namespaces = ("", "v1", "namespaces")
    assert rule_matches(rule(("*",), "Cluster"), "CREATE", namespaces, "", "team")
    assert not rule_matches(rule(("*",), "Namespaced"), "CREATE", namespaces, "", "team")
    assert rule_matches(rule(("*",), "Namespaced"), "CREATE", ("", "v1", "pods"), "", "team")
    assert not rule_matches(rule(("*",), "Cluster"), "CREATE", ("", "v1", "pods"), "", "team")
    assert rule_matches(rule(("*",), "Cluster"), "CREATE", ("", "v1", "nodes"), "", "")


def test_operations():
    assert not rule_matches(rule(("*",), operations=("UPDATE",)), "CREATE", ("", "v1", "pods"), "", "ns")
    assert rule_matches(rule(("*",), operations=("CREATE", "UPDATE")), "UPDATE", ("", "v1", "pods"), "", "ns")


def test_review_versions():
    assert review_version(("v2", "v1beta1", "v1")) == "v1beta1"
    with pytest.raises(ReviewError, match=r"webhook does not accept known AdmissionReview versions \(v1, v1beta1\)"):
        review_version(("v2",))


def _review(**response) -> dict:
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": {"uid": "u", **response}}


def test_answers_kube_refuses():
    patch = base64.b64encode(b"[]").decode()
    with pytest.raises(ReviewError, match='expected response.uid="u", got "other"'):
        verify("v1", "u", True, {**_review(allowed=True), "response": {"uid": "other", "allowed": True}})
    with pytest.raises(ReviewError, match="webhook returned response.patch but not response.patchType"):
        verify("v1", "u", True, _review(allowed=True, patch=patch))
    with pytest.raises(ReviewError, match="validating webhook may not return response.patch"):
        verify("v1", "u", False, _review(allowed=True, patch=patch, patchType="JSONPatch"))
    with pytest.raises(ReviewError, match="webhook response was absent"):
        verify("v1", "u", True, {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"})
    with pytest.raises(ReviewError, match="expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, "
                                          "got admission.k8s.io/v1beta1, Kind=AdmissionReview"):
        verify("v1", "u", True, {**_review(allowed=True), "apiVersion": "admission.k8s.io/v1beta1"})


def test_a_v1beta1_patch_is_a_json_patch():
    answer = verify("v1beta1", "u", True, {"response": {"uid": "x", "allowed": True,
                                                        "patch": base64.b64encode(b"[]").decode()}})
    assert answer.allowed and answer.patch_type == "JSONPatch" and answer.patch == b"[]"
