"""`requestinfo.resolve`: method + path + query -> kube's RequestInfo (k8s.io/apiserver pkg/endpoints/request)."""
from __future__ import annotations

import pytest

from apiserver.request.info import RequestInfo, resolve

# (method, path, query) -> (verb, api_prefix, api_group, api_version, namespace, resource, name, subresource)
RESOURCE_CASES = [
    # core group, namespaced collection and object
    ("GET", "/api/v1/namespaces/ns/configmaps", {}, ("list", "api", "", "v1", "ns", "configmaps", "", "")),
    ("GET", "/api/v1/namespaces/ns/configmaps/c", {}, ("get", "api", "", "v1", "ns", "configmaps", "c", "")),
    ("HEAD", "/api/v1/namespaces/ns/configmaps/c", {}, ("get", "api", "", "v1", "ns", "configmaps", "c", "")),
    ("HEAD", "/api/v1/namespaces/ns/configmaps", {}, ("list", "api", "", "v1", "ns", "configmaps", "", "")),
    ("POST", "/api/v1/namespaces/ns/configmaps", {}, ("create", "api", "", "v1", "ns", "configmaps", "", "")),
    ("PUT", "/api/v1/namespaces/ns/configmaps/c", {}, ("update", "api", "", "v1", "ns", "configmaps", "c", "")),
    ("PATCH", "/api/v1/namespaces/ns/configmaps/c", {}, ("patch", "api", "", "v1", "ns", "configmaps", "c", "")),
    ("DELETE", "/api/v1/namespaces/ns/configmaps/c", {}, ("delete", "api", "", "v1", "ns", "configmaps", "c", "")),
    ("DELETE", "/api/v1/namespaces/ns/configmaps", {},
     ("deletecollection", "api", "", "v1", "ns", "configmaps", "", "")),
    # core group, all namespaces / cluster-scoped
    ("GET", "/api/v1/pods", {}, ("list", "api", "", "v1", "", "pods", "", "")),
    ("GET", "/api/v1/nodes/n1", {}, ("get", "api", "", "v1", "", "nodes", "n1", "")),
    ("PUT", "/api/v1/nodes/n1/status", {}, ("update", "api", "", "v1", "", "nodes", "n1", "status")),
    ("DELETE", "/api/v1/nodes", {}, ("deletecollection", "api", "", "v1", "", "nodes", "", "")),
    # subresources
    ("GET", "/api/v1/namespaces/ns/pods/p/log", {}, ("get", "api", "", "v1", "ns", "pods", "p", "log")),
    ("POST", "/api/v1/namespaces/ns/pods/p/binding", {}, ("create", "api", "", "v1", "ns", "pods", "p", "binding")),
    ("POST", "/api/v1/namespaces/ns/pods/p/eviction", {},
     ("create", "api", "", "v1", "ns", "pods", "p", "eviction")),
    # named groups
    ("GET", "/apis/apps/v1/deployments", {}, ("list", "apis", "apps", "v1", "", "deployments", "", "")),
    ("GET", "/apis/apps/v1/namespaces/ns/deployments", {},
     ("list", "apis", "apps", "v1", "ns", "deployments", "", "")),
    ("POST", "/apis/apps/v1/namespaces/ns/deployments", {},
     ("create", "apis", "apps", "v1", "ns", "deployments", "", "")),
    ("GET", "/apis/apps/v1/namespaces/ns/deployments/d/status", {},
     ("get", "apis", "apps", "v1", "ns", "deployments", "d", "status")),
    ("PATCH", "/apis/apps/v1/namespaces/ns/deployments/d/scale", {},
     ("patch", "apis", "apps", "v1", "ns", "deployments", "d", "scale")),
    ("PUT", "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin", {},
     ("update", "apis", "rbac.authorization.k8s.io", "v1", "", "clusterroles", "admin", "")),
    ("DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterroles", {},
     ("deletecollection", "apis", "rbac.authorization.k8s.io", "v1", "", "clusterroles", "", "")),
    ("GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l", {},
     ("get", "apis", "coordination.k8s.io", "v1", "kube-system", "leases", "l", "")),
    # the namespaces resource: the namespace of /api/v1/namespaces/<ns> is the object itself (kube sets both)
    ("GET", "/api/v1/namespaces", {}, ("list", "api", "", "v1", "", "namespaces", "", "")),
    ("POST", "/api/v1/namespaces", {}, ("create", "api", "", "v1", "", "namespaces", "", "")),
    ("GET", "/api/v1/namespaces/ns", {}, ("get", "api", "", "v1", "ns", "namespaces", "ns", "")),
    ("PUT", "/api/v1/namespaces/ns", {}, ("update", "api", "", "v1", "ns", "namespaces", "ns", "")),
    ("DELETE", "/api/v1/namespaces/ns", {}, ("delete", "api", "", "v1", "ns", "namespaces", "ns", "")),
    ("GET", "/api/v1/namespaces/ns/status", {}, ("get", "api", "", "v1", "ns", "namespaces", "ns", "status")),
    ("PUT", "/api/v1/namespaces/ns/status", {}, ("update", "api", "", "v1", "ns", "namespaces", "ns", "status")),
    ("PATCH", "/api/v1/namespaces/ns/status", {}, ("patch", "api", "", "v1", "ns", "namespaces", "ns", "status")),
    ("PUT", "/api/v1/namespaces/ns/finalize", {},
     ("update", "api", "", "v1", "ns", "namespaces", "ns", "finalize")),
    # ?watch=true / ?watch=1 on collections
    ("GET", "/api/v1/configmaps", {"watch": "true"}, ("watch", "api", "", "v1", "", "configmaps", "", "")),
    ("GET", "/api/v1/configmaps", {"watch": "1"}, ("watch", "api", "", "v1", "", "configmaps", "", "")),
    ("GET", "/api/v1/configmaps", {"watch": "True"}, ("watch", "api", "", "v1", "", "configmaps", "", "")),
    ("GET", "/api/v1/namespaces/ns/pods", {"watch": "true"}, ("watch", "api", "", "v1", "ns", "pods", "", "")),
    ("GET", "/apis/apps/v1/namespaces/ns/deployments", {"watch": "1"},
     ("watch", "apis", "apps", "v1", "ns", "deployments", "", "")),
    ("GET", "/api/v1/configmaps", {"watch": "false"}, ("list", "api", "", "v1", "", "configmaps", "", "")),
    ("GET", "/api/v1/configmaps", {"watch": "0"}, ("list", "api", "", "v1", "", "configmaps", "", "")),
    ("GET", "/api/v1/configmaps", {"watch": "FALSE"}, ("list", "api", "", "v1", "", "configmaps", "", "")),
    # legacy /watch/ prefix: the verb comes from the path, whatever the method and query
    ("GET", "/api/v1/watch/pods", {}, ("watch", "api", "", "v1", "", "pods", "", "")),
    ("GET", "/api/v1/watch/namespaces/ns/pods", {}, ("watch", "api", "", "v1", "ns", "pods", "", "")),
    ("GET", "/api/v1/watch/namespaces/ns/pods/p", {}, ("watch", "api", "", "v1", "ns", "pods", "p", "")),
    ("GET", "/api/v1/watch/namespaces", {}, ("watch", "api", "", "v1", "", "namespaces", "", "")),
    ("GET", "/api/v1/watch/namespaces/ns", {}, ("watch", "api", "", "v1", "ns", "namespaces", "ns", "")),
    ("GET", "/apis/apps/v1/watch/namespaces/ns/deployments", {},
     ("watch", "apis", "apps", "v1", "ns", "deployments", "", "")),
    ("GET", "/apis/apps/v1/watch/deployments", {"watch": "false"},
     ("watch", "apis", "apps", "v1", "", "deployments", "", "")),
    # trailing slash and doubled slashes do not change the answer
    ("GET", "/api/v1/namespaces/ns/configmaps/", {}, ("list", "api", "", "v1", "ns", "configmaps", "", "")),
    ("GET", "/api/v1//namespaces/ns/configmaps/c", {}, ("get", "api", "", "v1", "ns", "configmaps", "c", "")),
]


@pytest.mark.parametrize("method, path, query, expected", RESOURCE_CASES,
                         ids=[f"{c[0]} {c[1]}{'?' + str(c[2]) if c[2] else ''}" for c in RESOURCE_CASES])
def test_resource_requests(method, path, query, expected):
    info = resolve(method, path, query)
    assert info.is_resource_request is True
    assert (info.verb, info.api_prefix, info.api_group, info.api_version, info.namespace, info.resource,
            info.name, info.subresource) == expected
    assert info.path == path


NON_RESOURCE_CASES = [
    ("GET", "/", "get"),
    ("GET", "/version", "get"),
    ("GET", "/healthz", "get"),
    ("GET", "/readyz/etcd", "get"),
    ("GET", "/openapi/v3", "get"),
    ("GET", "/metrics", "get"),
    ("POST", "/version", "post"),
    ("PUT", "/healthz", "put"),
    ("DELETE", "/livez", "delete"),
    ("GET", "/api", "get"),
    ("GET", "/apis", "get"),
    ("GET", "/apis/apps", "get"),
    ("GET", "/apiss/apps/v1/deployments", "get"),
    ("GET", "/foo/api/v1/pods", "get"),
]


@pytest.mark.parametrize("method, path, verb", NON_RESOURCE_CASES)
def test_non_resource_requests(method, path, verb):
    assert resolve(method, path, {}) == RequestInfo(path=path, verb=verb)


@pytest.mark.parametrize("path, prefix, group, version", [
    ("/api/v1", "api", "", "v1"),
    ("/apis/apps/v1", "apis", "apps", "v1"),
    ("/apis/rbac.authorization.k8s.io/v1/", "apis", "rbac.authorization.k8s.io", "v1"),
])
def test_group_version_roots_are_not_resource_requests(path, prefix, group, version):
    # discovery documents: the group and version are known, no resource is addressed
    info = resolve("GET", path, {})
    assert info.is_resource_request is False
    assert (info.verb, info.api_prefix, info.api_group, info.api_version, info.resource, info.name) == \
        ("get", prefix, group, version, "", "")


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/namespaces/ns/configmaps/c/status/extra"),
    ("GET", "/api/v1/namespaces/ns/pods/p/log/more/parts"),
    ("PUT", "/apis/apps/v1/namespaces/ns/deployments/d/scale/x"),
    ("GET", "/api/v1/nodes/n/status/extra"),
    ("DELETE", "/api/v1/namespaces/ns/status/extra/more"),
])
def test_too_deep_paths_are_not_resource_requests(method, path):
    # deeper than collection/name/subresource: nothing lives there
    assert resolve(method, path, {}) == RequestInfo(path=path, verb=method.lower())


@pytest.mark.parametrize("verb, long_running, mutating", [
    ("get", False, False),
    ("list", False, False),
    ("watch", True, False),
    ("create", False, True),
    ("update", False, True),
    ("patch", False, True),
    ("delete", False, True),
    ("deletecollection", False, True),
])
def test_long_running_and_mutating(verb, long_running, mutating):
    info = RequestInfo(path="/", verb=verb)
    assert (info.long_running, info.mutating) == (long_running, mutating)


@pytest.mark.parametrize("method, path, query, expected_verb", [
    ("GET", "/api/v1/configmaps", {"watch": "true"}, True),
    ("GET", "/api/v1/watch/configmaps", {}, True),
    ("GET", "/api/v1/configmaps", {}, False),
    ("POST", "/api/v1/namespaces/ns/configmaps", {}, False),
])
def test_watches_are_long_running(method, path, query, expected_verb):
    assert resolve(method, path, query).long_running is expected_verb


def test_parts_are_the_path_segments():
    assert resolve("GET", "/api/v1/namespaces/ns/pods/p", {}).parts == ("api", "v1", "namespaces", "ns", "pods", "p")


# kube turns only a collection read into a watch: a GET of one object with ?watch=true stays a get
@pytest.mark.parametrize("path, expected", [
    ("/api/v1/namespaces/ns/configmaps/c", ("get", "ns", "configmaps", "c", "")),
    ("/apis/apps/v1/namespaces/ns/deployments/d/status", ("get", "ns", "deployments", "d", "status")),
])
def test_watch_query_on_a_named_object_is_a_get(path, expected):
    info = resolve("GET", path, {"watch": "true"})
    assert (info.verb, info.namespace, info.resource, info.name, info.subresource) == expected


# kube's query-parameter bool: false only for "0" and "false" in any case, true for anything else
@pytest.mark.parametrize("value", ["", "yes", "on", "TRUE"])
def test_watch_query_is_true_unless_false_or_zero(value):
    assert resolve("GET", "/api/v1/configmaps", {"watch": value}).verb == "watch"
