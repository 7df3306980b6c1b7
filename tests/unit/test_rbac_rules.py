"""RBAC rule logic: matching requests, matching subjects, covering rules and kube's rendering of missing ones."""
from __future__ import annotations

import pytest

from apiserver.authz.rbac import RBACIndex
from apiserver.authz.rbac_rules import (
    Rule,
    allows,
    compact,
    missing_rules,
    subject_keys,
    user_keys,
)
from apiserver.request.info import resolve
from apiserver.request.user import UserInfo


def request(method: str, path: str, **query: str):
    return resolve(method, path, query)


@pytest.mark.parametrize("rule,method,path,allowed", [
    (Rule(("get",), ("",), ("pods",)), "GET", "/api/v1/namespaces/a/pods/p", True),
    (Rule(("get",), ("",), ("pods",)), "DELETE", "/api/v1/namespaces/a/pods/p", False),
    (Rule(("get",), ("apps",), ("pods",)), "GET", "/api/v1/namespaces/a/pods/p", False),
    (Rule(("get",), ("",), ("pods",)), "GET", "/api/v1/namespaces/a/pods/p/log", False),
    (Rule(("get",), ("",), ("pods/log",)), "GET", "/api/v1/namespaces/a/pods/p/log", True),
    (Rule(("get",), ("",), ("*",)), "GET", "/api/v1/namespaces/a/pods/p/log", True),
    (Rule(("get",), ("*",), ("*/scale",)), "GET", "/apis/apps/v1/namespaces/a/deployments/d/scale", True),
    (Rule(("get",), ("*",), ("*/scale",)), "GET", "/apis/apps/v1/namespaces/a/deployments/d", False),
    (Rule(("*",), ("",), ("pods",), ("p",)), "PATCH", "/api/v1/namespaces/a/pods/p", True),
    (Rule(("*",), ("",), ("pods",), ("p",)), "GET", "/api/v1/namespaces/a/pods/q", False),
    (Rule(("list",), ("",), ("pods",), ("p",)), "GET", "/api/v1/namespaces/a/pods", False),
    (Rule(("get",), non_resource_urls=("/healthz",)), "GET", "/healthz", True),
    (Rule(("get",), non_resource_urls=("/healthz",)), "GET", "/healthz/etcd", False),
    (Rule(("get",), non_resource_urls=("/healthz*",)), "GET", "/healthz/etcd", True),
    (Rule(("get",), non_resource_urls=("*",)), "GET", "/anything", True),
    (Rule(("get",), non_resource_urls=("/apis/*",)), "POST", "/apis/x", False),
    # a resource rule never grants a path, nor a URL rule a resource
    (Rule(("get",), ("*",), ("*",)), "GET", "/healthz", False),
    (Rule(("get",), non_resource_urls=("*",)), "GET", "/api/v1/pods", False),
])
def test_rule_matching(rule, method, path, allowed):
    assert allows(rule, request(method, path)) is allowed


def test_subjects():
    assert subject_keys({"kind": "User", "name": "u"}, "ns") == "u:u"
    assert subject_keys({"kind": "Group", "name": "g"}, "") == "g:g"
    assert subject_keys({"kind": "ServiceAccount", "name": "sa"}, "ns") == "u:system:serviceaccount:ns:sa"
    assert subject_keys({"kind": "ServiceAccount", "name": "sa", "namespace": "o"}, "ns") == \
        "u:system:serviceaccount:o:sa"
    assert subject_keys({"kind": "ServiceAccount", "name": "sa"}, "") is None
    assert user_keys(UserInfo("u", groups=("a", "b"))) == ["u:u", "g:a", "g:b"]


def test_index_finds_only_the_users_bindings_and_forgets_deleted_ones():
    index = RBACIndex()
    crb = {"metadata": {"name": "c"}, "roleRef": {"kind": "ClusterRole", "name": "r"},
           "subjects": [{"kind": "Group", "name": "devs"}]}
    rb = {"metadata": {"name": "b", "namespace": "ns"}, "roleRef": {"kind": "Role", "name": "r"},
          "subjects": [{"kind": "User", "name": "bob"}]}
    index.on_binding("ClusterRoleBinding", "ADDED", crb)
    index.on_binding("RoleBinding", "ADDED", rb)
    assert [b.name for b in index.bindings_for(["u:bob", "g:devs"], "ns")] == ["c", "b"]
    assert [b.name for b in index.bindings_for(["u:bob"], "other")] == []
    rb["subjects"] = [{"kind": "User", "name": "carol"}]
    index.on_binding("RoleBinding", "MODIFIED", rb)
    assert index.bindings_for(["u:bob"], "ns") == []
    index.on_binding("ClusterRoleBinding", "DELETED", crb)
    assert index.bindings_for(["g:devs"], "ns") == []
    assert index.role_rules("Role", "r", "ns")[1] == 'role.rbac.authorization.k8s.io "r" not found'


def test_covers():
    held = [Rule(("get", "list"), ("",), ("pods",)), Rule(("*",), ("apps",), ("*/scale",)),
            Rule(("get",), ("",), ("secrets",), ("s1",)), Rule(("get",), non_resource_urls=("/logs/*",))]
    assert missing_rules(held, [Rule(("get",), ("",), ("pods",))]) == []
    assert missing_rules(held, [Rule(("update",), ("apps",), ("deployments/scale",))]) == []
    assert missing_rules(held, [Rule(("get",), ("",), ("secrets",), ("s1",))]) == []
    assert missing_rules(held, [Rule(("get",), non_resource_urls=("/logs/a",))]) == []
    # a rule for every secret is not covered by a rule for one
    assert missing_rules(held, [Rule(("get",), ("",), ("secrets",))]) == [Rule(("get",), ("",), ("secrets",))]
    assert missing_rules(held, [Rule(("get", "watch"), ("",), ("pods",))]) == [Rule(("watch",), ("",), ("pods",))]
    assert missing_rules([Rule(("*",), ("*",), ("*",))], [Rule(("get",), non_resource_urls=("/x",))]) != []


def test_compact_and_rendering():
    atoms = [Rule(("get",), ("",), ("pods",)), Rule(("list",), ("",), ("pods",)),
             Rule(("get",), non_resource_urls=("/x",)), Rule(("get",), ("",), ("secrets",), ("a",))]
    rendered = sorted(r.compact_string() for r in compact(atoms))
    assert rendered == ['{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}',
                        '{APIGroups:[""], Resources:["secrets"], ResourceNames:["a"], Verbs:["get"]}',
                        '{NonResourceURLs:["/x"], Verbs:["get"]}']
