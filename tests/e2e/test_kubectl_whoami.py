"""`kubectl auth whoami` through SelfSubjectReview, with the real kubectl."""
import json


def test_kubectl_auth_whoami(kubectl):
    result = kubectl("auth", "whoami", "-o", "json")
    review = json.loads(result.stdout)
    assert review["kind"] == "SelfSubjectReview"
    user = review["status"]["userInfo"]
    assert user["username"] == "kubernetes-admin"
    assert user["groups"] == ["system:masters", "system:authenticated"]
    table = kubectl("auth", "whoami").stdout
    assert "kubernetes-admin" in table and "system:masters" in table
