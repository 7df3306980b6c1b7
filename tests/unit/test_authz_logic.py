"""Pure logic of the Node, ABAC and Webhook modes and of impersonation: policy lines, pod references, the node
graph, review bodies, the answer cache and the impersonated user."""
from __future__ import annotations

import pytest

from apiserver.authz.abac import (
    Policy,
    PolicyFileError,
    load_policy_file,
    parse_policy_line,
)
from apiserver.authz.authorizer import Attributes
from apiserver.authz.nodegraph import NodeGraph, pod_edges, volume_secrets
from apiserver.authz.webhook import AnswerCache, review_spec
from apiserver.filters.impersonation import (
    Target,
    impersonated_user,
    split_service_account,
)
from apiserver.request.info import resolve
from apiserver.request.user import UserInfo
from apiserver.webhook.client import Backoff


def attrs(method: str, path: str, user: str = "u", groups: tuple[str, ...] = ("system:authenticated",),
          **extra) -> Attributes:
    return Attributes(UserInfo(name=user, groups=groups, **extra), resolve(method, path, {}))


# ---------------------------------------------------------------- ABAC

def test_v1beta1_wildcard_subject_means_authenticated_users():
    policy = parse_policy_line(b'{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", '
                               b'"spec": {"user": "*", "namespace": "*", "resource": "*", "apiGroup": "*"}}')
    assert policy == Policy(group="system:authenticated", namespace="*", resource="*", api_group="*")
    assert policy.matches(attrs("GET", "/api/v1/pods"))
    assert not policy.matches(attrs("GET", "/api/v1/pods", user="system:anonymous",
                                    groups=("system:unauthenticated",)))


def test_unversioned_line_is_converted_as_kube_converts_it():
    policy = parse_policy_line(b'{"user": "alice", "readonly": true}')
    assert policy == Policy(user="alice", readonly=True, namespace="*", resource="*", api_group="*",
                            non_resource_path="*")
    assert parse_policy_line(b'{"resource": "pods"}').group == "system:authenticated"


def test_policy_matching_rules():
    policy = Policy(user="bob", group="devs", namespace="ns", resource="pods", api_group="", readonly=True)
    assert policy.matches(attrs("GET", "/api/v1/namespaces/ns/pods/p", user="bob", groups=("devs",)))
    assert policy.matches(attrs("GET", "/api/v1/namespaces/ns/pods/p/log", user="bob", groups=("devs",)))
    assert not policy.matches(attrs("GET", "/api/v1/namespaces/ns/pods/p", user="bob", groups=("ops",)))
    assert not policy.matches(attrs("DELETE", "/api/v1/namespaces/ns/pods/p", user="bob", groups=("devs",)))
    assert not policy.matches(attrs("GET", "/api/v1/namespaces/other/pods/p", user="bob", groups=("devs",)))
    assert not policy.matches(attrs("GET", "/apis/apps/v1/namespaces/ns/deployments", user="bob", groups=("devs",)))
    assert not Policy(namespace="*", resource="*", api_group="*").matches(attrs("GET", "/api/v1/pods"))
    paths = Policy(user="u", non_resource_path="/logs/*")
    assert paths.matches(attrs("POST", "/logs/kubelet"))
    assert not paths.matches(attrs("GET", "/healthz"))
    assert not paths.matches(attrs("GET", "/api/v1/pods"))


@pytest.mark.parametrize("line, error", [
    (b'{"user": ', "unexpected end of data"),
    (b'[1]', "a policy must be a JSON object"),
    (b'{"apiVersion": "abac.authorization.kubernetes.io/v1", "kind": "Policy", "spec": {}}',
     'no kind "Policy" is registered for version "abac.authorization.kubernetes.io/v1"'),
    (b'{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy"}', "spec must be an object"),
    (b'{"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy", "spec": {"user": 3}}',
     "user must be a string"),
])
def test_bad_lines(tmp_path, line, error):
    path = tmp_path / "policy"
    path.write_bytes(b"# a comment\n\n" + line + b"\n")
    with pytest.raises(PolicyFileError) as caught:
        load_policy_file(path)
    message = str(caught.value)
    assert message.startswith(f"error reading policy file {path}, line 3: {line.decode()}: ")
    assert error in message


# ---------------------------------------------------------------- the node graph

POD = {
    "metadata": {"name": "web", "namespace": "ns"},
    "spec": {
        "nodeName": "n1", "serviceAccountName": "sa", "imagePullSecrets": [{"name": "pull"}],
        "initContainers": [{"name": "i", "envFrom": [{"secretRef": {"name": "init-env"}}]}],
        "containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "cm-env"}}],
                        "env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "key-secret", "key": "k"}}},
                                {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "key-cm", "key": "k"}}},
                                {"name": "C", "value": "plain"}]}],
        "volumes": [{"name": "s", "secret": {"secretName": "vol-secret"}},
                    {"name": "c", "configMap": {"name": "vol-cm"}},
                    {"name": "p", "projected": {"sources": [{"secret": {"name": "proj-secret"}},
                                                            {"configMap": {"name": "proj-cm"}}]}},
                    {"name": "csi", "csi": {"driver": "d", "nodePublishSecretRef": {"name": "csi-secret"}}},
                    {"name": "claim", "persistentVolumeClaim": {"claimName": "data"}},
                    {"name": "scratch", "ephemeral": {"volumeClaimTemplate": {}}}],
    },
}


def test_pod_edges_cover_every_reference():
    edges = pod_edges(POD)
    assert edges.node == "n1" and edges.service_account == "sa"
    assert edges.secrets == {"pull", "init-env", "key-secret", "vol-secret", "proj-secret", "csi-secret"}
    assert edges.configmaps == {"cm-env", "key-cm", "vol-cm", "proj-cm"}
    assert edges.claims == {"data", "web-scratch"}


def test_volume_secrets_default_to_the_claim_namespace():
    pv = {"metadata": {"name": "pv"}, "spec": {"claimRef": {"namespace": "ns", "name": "data"},
                                               "csi": {"nodeStageSecretRef": {"name": "stage"},
                                                       "controllerPublishSecretRef": {"name": "pub",
                                                                                      "namespace": "other"}}}}
    assert volume_secrets(pv) == {("ns", "stage"), ("other", "pub")}


def test_graph_follows_pods_and_volumes():
    graph = NodeGraph(registry=None)
    graph.observe_pod("ADDED", POD)
    graph.observe_volume("ADDED", {"metadata": {"name": "pv"},
                                   "spec": {"claimRef": {"namespace": "ns", "name": "data"},
                                            "rbd": {"secretRef": {"name": "ceph", "namespace": "storage"}}}})
    assert graph.reaches("n1", "secrets", "ns", "vol-secret")
    assert not graph.reaches("n2", "secrets", "ns", "vol-secret")
    assert not graph.reaches("n1", "secrets", "other", "vol-secret")
    assert graph.reaches("n1", "persistentvolumeclaims", "ns", "data")
    assert graph.reaches("n1", "persistentvolumes", "", "pv")
    assert graph.reaches("n1", "secrets", "storage", "ceph")
    assert graph.reaches("n1", "serviceaccounts", "ns", "sa")
    moved = {**POD, "spec": {**POD["spec"], "nodeName": "n2"}}
    graph.observe_pod("MODIFIED", moved)
    assert not graph.reaches("n1", "configmaps", "ns", "vol-cm") and graph.reaches("n2", "configmaps", "ns", "vol-cm")
    graph.observe_pod("DELETED", moved)
    assert not graph.reaches("n2", "persistentvolumes", "", "pv")
    assert not graph.users
    unscheduled = {**POD, "spec": {**POD["spec"], "nodeName": ""}}
    graph.observe_pod("ADDED", unscheduled)
    assert not graph.pods


# ---------------------------------------------------------------- webhook

def test_review_spec_versions():
    user = dict(uid="42", extra={"scopes": ("a", "b")})
    spec = review_spec(attrs("GET", "/api/v1/namespaces/ns/pods/p/log", groups=("g",), **user), "v1")
    assert spec == {"resourceAttributes": {"namespace": "ns", "verb": "get", "version": "v1", "resource": "pods",
                                           "subresource": "log", "name": "p"},
                    "user": "u", "groups": ["g"], "extra": {"scopes": ["a", "b"]}, "uid": "42"}
    old = review_spec(attrs("GET", "/healthz/etcd", groups=("g",)), "v1beta1")
    assert old == {"nonResourceAttributes": {"path": "/healthz/etcd", "verb": "get"}, "user": "u", "group": ["g"]}


def test_answer_cache_expires_and_evicts():
    cache = AnswerCache(size=2)
    cache.put(b"a", {"allowed": True}, 60)
    cache.put(b"gone", {"allowed": False}, 0)
    assert cache.get(b"a") == {"allowed": True} and cache.get(b"gone") is None
    cache.put(b"b", {}, 60)
    cache.get(b"a")
    cache.put(b"c", {}, 60)
    assert cache.get(b"b") is None and cache.get(b"a") is not None


def test_backoff_is_kubes():
    delays = list(Backoff().delays())
    assert len(delays) == 4
    for delay, base in zip(delays, (0.5, 0.75, 1.125, 1.6875), strict=True):
        assert base <= delay <= base * 1.2


# ---------------------------------------------------------------- impersonation

def test_impersonated_groups():
    user = impersonated_user([Target("User", "bob")], groups_given=False)
    assert user == UserInfo(name="bob", groups=("system:authenticated",))
    account = impersonated_user([Target("ServiceAccount", "builder", "ci")], groups_given=False)
    assert account.name == "system:serviceaccount:ci:builder"
    assert account.groups == ("system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated")
    chosen = impersonated_user([Target("ServiceAccount", "builder", "ci"), Target("Group", "x")], groups_given=True)
    assert chosen.groups == ("x", "system:authenticated")
    anonymous = impersonated_user([Target("User", "system:anonymous")], groups_given=False)
    assert anonymous.groups == ("system:unauthenticated",)
    full = impersonated_user([Target("User", "bob"), Target("Group", "system:unauthenticated"),
                              Target("UID", "7"), Target("UserExtra", "a", field_path="scopes"),
                              Target("UserExtra", "b", field_path="scopes")], groups_given=True)
    assert full == UserInfo(name="bob", uid="7", groups=("system:unauthenticated",), extra={"scopes": ("a", "b")})


def test_service_account_names():
    assert split_service_account("system:serviceaccount:ns:name") == ("ns", "name")
    for name in ("system:serviceaccount:ns", "system:serviceaccount::x", "system:serviceaccount:a:b:c", "bob"):
        assert split_service_account(name) is None


def test_targets_print_as_go_prints_object_references():
    assert Target("Group", "ops").go_string() == "{Group  ops    }"
    assert (Target("UserExtra", "v", api_version="authentication.k8s.io/v1", field_path="scopes").go_string()
            == "{UserExtra  v  authentication.k8s.io/v1  scopes}")
