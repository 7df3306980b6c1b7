"""The authorization.k8s.io/v1 reviews on a real RBAC replica: answered by the authorizers, never stored,
validated as kube validates them."""
from __future__ import annotations

import uuid

from tests.integration.rbac_tools import RBAC, binding, create, grant, role, rule, status_of, user
from tests.polling import eventually

AUTHZ = "/apis/authorization.k8s.io/v1"
REVIEWS = ["subjectaccessreviews", "selfsubjectaccessreviews", "localsubjectaccessreviews",
           "selfsubjectrulesreviews"]


def resource_attributes(verb: str, resource: str, namespace: str = "", **more: str) -> dict:
    return {"verb": verb, "resource": resource, "namespace": namespace, **more}


async def allow_reviews(cluster, who: str) -> None:
    """What system:basic-user grants everyone, plus subjectaccessreviews, bound to `who`."""
    name = f"reviews-{uuid.uuid4().hex[:6]}"
    await create(cluster.admin, f"{RBAC}/clusterroles", role(name, [
        rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews",
                                                     "subjectaccessreviews"])]))
    await create(cluster.admin, f"{RBAC}/clusterrolebindings", binding(name, "ClusterRole", name, [user(who)]))

    async def allowed() -> bool:
        return await status_of(cluster.users[who], "POST", f"{AUTHZ}/selfsubjectrulesreviews",
                               {"spec": {"namespace": "default"}}) == 201

    await eventually(allowed)


async def test_self_subject_access_review(cluster, ns):
    await allow_reviews(cluster, "bob")
    await grant(cluster, ns, user("bob"), [rule(["get"], [""], ["pods"], names=["p"])])
    bob = cluster.users["bob"]

    async def asks(attributes: dict) -> dict:
        status, body = await bob.post(f"{AUTHZ}/selfsubjectaccessreviews", {
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": attributes}})
        assert status == 201, body
        assert body["kind"] == "SelfSubjectAccessReview" and body["apiVersion"] == "authorization.k8s.io/v1"
        return body["status"]

    async def allowed() -> bool:
        return (await asks(resource_attributes("get", "pods", ns, name="p")))["allowed"]

    await eventually(allowed)
    assert (await asks(resource_attributes("get", "pods", ns, name="p")))["reason"].startswith(
        "RBAC: allowed by RoleBinding")
    assert await asks(resource_attributes("get", "pods", ns, name="q")) == {"allowed": False}
    assert await asks(resource_attributes("delete", "pods", ns, name="p")) == {"allowed": False}
    # the caller's own rights: carol may ask (system:basic-user lets every authenticated user ask about
    # itself, once the leader has reconciled the default policy) but holds nothing
    async def carol_asks() -> bool:
        status, body = await cluster.users["carol"].post(f"{AUTHZ}/selfsubjectaccessreviews", {
            "spec": {"resourceAttributes": resource_attributes("get", "pods", ns, name="p")}})
        return status == 201 and body["status"] == {"allowed": False}

    await eventually(carol_asks)


async def test_subject_access_review_for_other_users(cluster, ns):
    await allow_reviews(cluster, "dave")
    await grant(cluster, ns, {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "qa"},
                [rule(["list"], [""], ["secrets"]), rule(["get"], [""], ["configmaps"])])
    dave = cluster.users["dave"]

    async def review(spec: dict) -> tuple[int, dict]:
        return await dave.post(f"{AUTHZ}/subjectaccessreviews", {"spec": spec})

    async def allowed() -> bool:
        _, body = await review({"user": "zed", "groups": ["qa"],
                                "resourceAttributes": resource_attributes("list", "secrets", ns)})
        return body["status"]["allowed"]

    await eventually(allowed)
    _, body = await review({"user": "zed", "resourceAttributes": resource_attributes("list", "secrets", ns)})
    assert body["status"] == {"allowed": False}
    # system:masters, as in kube, is allowed before any mode
    _, body = await review({"user": "root", "groups": ["system:masters"],
                            "nonResourceAttributes": {"path": "/anything", "verb": "get"}})
    assert body["status"]["allowed"] is True
    status, body = await review({"resourceAttributes": resource_attributes("get", "pods", ns)})
    assert status == 422
    assert body["message"] == ('SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": '
                               'at least one of user or group must be specified')
    status, body = await review({"user": "zed"})
    assert status == 422 and body["details"]["causes"][0]["field"] == "spec.resourceAttributes"
    # a local review speaks only of its namespace
    await grant(cluster, ns, user("dave"), [rule(["create"], ["authorization.k8s.io"],
                                                 ["localsubjectaccessreviews"])])
    local = {"spec": {"groups": ["qa"], "resourceAttributes": resource_attributes("get", "configmaps", ns)}}

    async def local_allowed() -> bool:
        status, body = await dave.post(f"{AUTHZ}/namespaces/{ns}/localsubjectaccessreviews", local)
        return status == 201 and body["status"]["allowed"] and body["metadata"]["namespace"] == ns

    await eventually(local_allowed)
    local["spec"]["resourceAttributes"]["namespace"] = "default"
    status, body = await dave.post(f"{AUTHZ}/namespaces/{ns}/localsubjectaccessreviews", local)
    assert status == 422
    assert body["message"] == ('LocalSubjectAccessReview.authorization.k8s.io "" is invalid: '
                               'spec.resourceAttributes.namespace: Invalid value: "default": must match '
                               'metadata.namespace')


async def test_self_subject_rules_review(cluster, ns):
    await allow_reviews(cluster, "carol")
    await grant(cluster, ns, user("carol"), [rule(["get", "list"], [""], ["pods"]),
                                             rule(["get"], [""], ["secrets"], names=["s"])])
    carol = cluster.users["carol"]

    async def rules() -> dict:
        status, body = await carol.post(f"{AUTHZ}/selfsubjectrulesreviews", {"spec": {"namespace": ns}})
        assert status == 201, body
        return body["status"]

    async def listed() -> bool:
        return {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]} in (await rules())["resourceRules"]

    await eventually(listed)
    status = await rules()
    assert {"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["s"]} in \
        status["resourceRules"]
    assert status["incomplete"] is False
    status_code, body = await carol.post(f"{AUTHZ}/selfsubjectrulesreviews", {"spec": {}})
    assert status_code == 400 and body["message"] == "no namespace on request"


async def test_reviews_are_create_only_and_never_stored(cluster):
    for plural in REVIEWS:
        path = f"{AUTHZ}/namespaces/default/{plural}" if plural.startswith("local") else f"{AUTHZ}/{plural}"
        status, body = await cluster.admin.get(path)
        assert status == 405 and body["reason"] == "MethodNotAllowed", (plural, body)
