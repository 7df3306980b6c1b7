"""Pure logic of the request path: request info, selector transitions, continue tokens, merge patch, flags."""
from __future__ import annotations

import pytest

from apiserver.api.meta.fields import parse_field_selector
from apiserver.api.meta.labels import parse_label_selector
from apiserver.endpoints.rest import merge_patch
from apiserver.options.errors import ConfigError
from apiserver.options.flags import parse_flags
from apiserver.request.info import resolve
from apiserver.storage.continue_token import (
    InvalidContinueToken,
    decode_continue,
    encode_continue,
)
from apiserver.storage.event_filter import filter_event
from apiserver.storage.interface import Predicate


@pytest.mark.parametrize("method, path, query, expected", [
    ("GET", "/api/v1/namespaces/ns/configmaps/c", {}, ("get", "", "v1", "ns", "configmaps", "c", "")),
    ("GET", "/api/v1/namespaces/ns/configmaps", {}, ("list", "", "v1", "ns", "configmaps", "", "")),
    ("GET", "/api/v1/configmaps", {"watch": "1"}, ("watch", "", "v1", "", "configmaps", "", "")),
    ("GET", "/api/v1/watch/namespaces/ns/pods", {}, ("watch", "", "v1", "ns", "pods", "", "")),
    ("GET", "/apis/apps/v1/namespaces/ns/deployments/d/status", {},
     ("get", "apps", "v1", "ns", "deployments", "d", "status")),
    ("PUT", "/api/v1/namespaces/ns", {}, ("update", "", "v1", "ns", "namespaces", "ns", "")),
    ("PUT", "/api/v1/namespaces/ns/status", {}, ("update", "", "v1", "ns", "namespaces", "ns", "status")),
    ("DELETE", "/api/v1/namespaces/ns/configmaps", {}, ("deletecollection", "", "v1", "ns", "configmaps", "", "")),
    ("PATCH", "/apis/rbac.authorization.k8s.io/v1/clusterroles/r", {},
     ("patch", "rbac.authorization.k8s.io", "v1", "", "clusterroles", "r", "")),
    ("POST", "/api/v1/namespaces/ns/pods", {}, ("create", "", "v1", "ns", "pods", "", "")),
])
def test_resource_requests(method, path, query, expected):
    info = resolve(method, path, query)
    assert info.is_resource_request
    assert (info.verb, info.api_group, info.api_version, info.namespace, info.resource, info.name,
            info.subresource) == expected


@pytest.mark.parametrize("path", ["/version", "/api", "/apis", "/apis/apps", "/apis/apps/v1", "/healthz",
                                  "/api/v1/namespaces/ns/configmaps/c/status/extra"])
def test_non_resource_requests(path):
    assert not resolve("GET", path, {}).is_resource_request


def _obj(env: str | None, name: str = "o") -> dict:
    return {"metadata": {"name": name, "labels": {"env": env} if env else {}}}


PROD = Predicate(parse_label_selector("env=prod"), parse_field_selector(""),
                 lambda o: (o["metadata"]["labels"], {"metadata.name": o["metadata"]["name"]}))


@pytest.mark.parametrize("kind, new, old, expected", [
    ("ADDED", "prod", None, "ADDED"),
    ("ADDED", "dev", None, None),
    ("MODIFIED", "prod", "prod", "MODIFIED"),
    ("MODIFIED", "prod", "dev", "ADDED"),
    ("MODIFIED", "dev", "prod", "DELETED"),
    ("MODIFIED", "dev", "dev", None),
    ("DELETED", "prod", "prod", "DELETED"),
    ("DELETED", "dev", "dev", None),
])
def test_selector_transitions(kind, new, old, expected):
    event = filter_event(kind, _obj(new), _obj(old) if old else None, 7, PROD)
    assert (event.type if event else None) == expected
    if event:
        assert event.resource_version == 7


def test_empty_predicate_passes_everything():
    assert filter_event("MODIFIED", _obj("x"), _obj("y"), 1, Predicate()).type == "MODIFIED"


def test_continue_token_round_trip_and_rejections():
    token = encode_continue(42, "/registry/configmaps/ns/b\0", "/registry/configmaps/ns/")
    position = decode_continue(token, "/registry/configmaps/ns/")
    assert position.revision == 42 and position.start_key == "/registry/configmaps/ns/b\0"
    for bad in ("garbage!!", encode_continue(0, "/p/x", "/p/"), encode_continue(5, "../secrets/x", "/p/")):
        with pytest.raises(InvalidContinueToken):
            decode_continue(bad, "/p/")


def test_merge_patch_rfc7386_examples():
    assert merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert merge_patch({"a": "b"}, {"a": None}) == {}
    assert merge_patch({"a": "b", "b": "c"}, {"a": None}) == {"b": "c"}
    assert merge_patch({"a": ["b"]}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}) == {"a": {"b": "d"}}
    assert merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert merge_patch({"e": None}, {"a": 1}) == {"e": None, "a": 1}
    assert merge_patch([1, 2], {"a": "b", "c": None}) == {"a": "b"}
    assert merge_patch({}, {"a": {"bb": {"ccc": None}}}) == {"a": {"bb": {}}}


def _flags(tmp_path, *extra: str) -> list[str]:
    cert = tmp_path / "c.pem"
    cert.write_text("x")
    return ["--etcd-servers=https://127.0.0.1:2379", f"--tls-cert-file={cert}", f"--tls-private-key-file={cert}",
            *extra]


def test_flag_defaults(tmp_path):
    config = parse_flags(_flags(tmp_path))
    assert config.serving.secure_port == 6443 and config.etcd.prefix == "/registry"
    assert config.serving.request_timeout == 60.0
    assert config.etcd.compaction_interval == 300.0 and config.coordination.advertise_address == "127.0.0.1"
    config = parse_flags(_flags(tmp_path, "--request-timeout=1m30s",
                                "--watch-cache-sizes=pods#1000,deployments.apps#5"))
    assert config.serving.request_timeout == 90.0
    assert config.etcd.watch_cache_sizes == {"pods": 1000, "deployments.apps": 5}
    assert [str(c) for c in config.service_network.cluster_ip_ranges] == ["10.0.0.0/24"]
    assert config.service_network.node_port_range == (30000, 32767)
    config = parse_flags(_flags(tmp_path, "--service-cluster-ip-range=10.96.0.0/12,fd00::/108",
                                "--service-node-port-range=20000+100"))
    assert [str(c) for c in config.service_network.cluster_ip_ranges] == ["10.96.0.0/12", "fd00::/108"]
    assert config.service_network.node_port_range == (20000, 20099)


@pytest.mark.parametrize("extra, message", [
    (["--secure-port=abc"], "invalid port"),
    (["--tls-min-version=VersionTLS9"], "--tls-min-version"),
    (["--authorization-mode=Bogus"], "--authorization-mode"),
    (["--no-such-flag"], "unrecognized"),
    (["--client-ca-file=/does/not/exist"], "--client-ca-file: cannot read"),
    (["--etcd-servers=127.0.0.1:2379"], "not an http"),
    (["--leader-elect-retry-period=20s"], "leader election"),
    (["--service-cluster-ip-range=10.0.0.0/8"], r"too large; for 32-bit addresses, the mask must be >= 12"),
    (["--service-cluster-ip-range=10.0.0.0/24,10.1.0.0/24"], "must be of different IP family"),
    (["--service-cluster-ip-range=nonsense"], "not a valid CIDR"),
    (["--service-node-port-range=32767-30000"], "not a range of ports"),
])
def test_flag_errors(tmp_path, extra, message):
    with pytest.raises(ConfigError, match=message):
        parse_flags(_flags(tmp_path, *extra))
