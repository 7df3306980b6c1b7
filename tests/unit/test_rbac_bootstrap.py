"""Reconciliation of the default RBAC policy: only additions, kube's way."""
from __future__ import annotations

from apiserver.authz.bootstrappolicy import cluster_role_bindings, cluster_roles
from apiserver.controllers.rbacbootstrap import reconciled_binding, reconciled_role


def expected(name: str, objects=None) -> dict:
    return next(r for r in objects or cluster_roles() if r["metadata"]["name"] == name)


def test_role_gains_missing_rules_as_atoms_after_its_own_and_keeps_extra_ones():
    want = expected("system:basic-user")
    existing = {"metadata": {"name": "system:basic-user", "labels": {"kubernetes.io/bootstrapping": "mine"}},
                "rules": [{"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                           "resources": ["selfsubjectaccessreviews"]},
                          {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]}
    result = reconciled_role(existing, want)
    assert result["rules"] == existing["rules"] + [
        {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectrulesreviews"]},
        {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]}]
    # the object's own label value wins; the annotation it lacked is added
    assert result["metadata"]["labels"] == {"kubernetes.io/bootstrapping": "mine"}
    assert result["metadata"]["annotations"] == {"rbac.authorization.kubernetes.io/autoupdate": "true"}
    assert reconciled_role(result, want) == result


def test_aggregated_role_keeps_the_controllers_rules_and_gains_selectors():
    want = expected("edit")
    existing = {"metadata": {"name": "edit"}, "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["x"]}],
                "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"mine": "true"}}]}}
    result = reconciled_role(existing, want)
    assert result["rules"] == existing["rules"]
    assert result["aggregationRule"]["clusterRoleSelectors"] == [
        {"matchLabels": {"mine": "true"}}, {"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-edit": "true"}}]


def test_binding_gains_missing_subjects():
    want = expected("system:public-info-viewer", cluster_role_bindings())
    existing = {"metadata": {"name": "system:public-info-viewer"}, "roleRef": want["roleRef"],
                "subjects": [{"kind": "User", "name": "someone"}]}
    result = reconciled_binding(existing, want)
    assert result["subjects"] == [{"kind": "User", "name": "someone"}] + want["subjects"]
