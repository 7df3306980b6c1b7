"""Reviews (TokenReview, SubjectAccessReview, …) are decoded into their kind as kube decodes them: a value of the
wrong type is 400, an unknown field a warning (found by the fuzz run, tools/fuzz: a TokenReview whose
metadata.name was a number was answered 201, the number echoed back)."""
from __future__ import annotations

from tests.integration.test_status_codes import assert_status

REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"


def review(**spec) -> dict:
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": spec}


async def test_a_review_of_the_wrong_types_is_400(api):
    status, body = await api.post(REVIEWS, {**review(resourceAttributes={"verb": "get", "resource": "pods"}),
                                            "metadata": {"name": 5}})
    assert status == 400
    assert_status(body, 400, "BadRequest")
    status, body = await api.post(REVIEWS, review(resourceAttributes={"verb": ["get"]}))
    assert status == 400
    assert_status(body, 400, "BadRequest")
    async with api.session.post(api.url + REVIEWS, json={**review(resourceAttributes={"verb": "get",
                                                                                      "resource": "pods"}),
                                                         "bogus": 1}) as resp:
        assert resp.status == 201
        assert resp.headers.getall("Warning") == ['299 - "unknown field \\"bogus\\""']
        assert (await resp.json())["status"]["allowed"] is True
