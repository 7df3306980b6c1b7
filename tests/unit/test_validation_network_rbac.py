"""Validation of Ingress, IngressClass, NetworkPolicy, EndpointSlice and the four RBAC kinds: kube-apiserver 1.32's
field paths and messages (pkg/apis/networking, discovery and rbac validation), and the strategies' defaults,
update rules and warnings around them."""
from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

import pytest

from apiserver.api.validation import networking as net
from apiserver.api.validation import rbac
from apiserver.registry import strategies
from tests.unit.test_validation import DNS1035, LABEL, SUBDOMAIN

WILDCARD = ("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist "
            "of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. "
            "'*.example.com', regex used for validation is "
            "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
               "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
               "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
QUALIFIED_NAME = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                  "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                  "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
PORT_RANGE = "must be between 1 and 65535, inclusive"


def found(causes: list) -> list[tuple[str, str]]:
    return [(c.field, c.message) for c in causes]


def service(name: str = "web", **port: Any) -> dict:
    return {"service": {"name": name, "port": port or {"number": 80}}}


def ingress(spec: dict, annotations: dict | None = None) -> dict:
    meta: dict[str, Any] = {"name": "i", "namespace": "ns"}
    if annotations:
        meta["annotations"] = annotations
    return {"metadata": meta, "spec": spec}


def rule(*paths: dict, host: str = "") -> dict:
    out: dict[str, Any] = {"http": {"paths": list(paths)}}
    if host:
        out["host"] = host
    return out


def http_path(path: str = "/", path_type: str | None = "Prefix", backend: dict | None = None) -> dict:
    out: dict[str, Any] = {"path": path, "backend": backend if backend is not None else service()}
    if path_type is not None:
        out["pathType"] = path_type
    return out


INGRESS_CASES: list[tuple[str, dict, list[tuple[str, str]]]] = [
    ("valid", {"rules": [rule(http_path(), host="*.example.com")], "tls": [{"hosts": ["*.example.com"],
                                                                            "secretName": "tls"}]}, []),
    ("nothing-routed", {}, [("spec", "Invalid value: []networking.IngressRule(nil): either `defaultBackend` or "
                                     "`rules` must be specified")]),
    ("empty-rules", {"rules": []}, [("spec", "Invalid value: []networking.IngressRule{}: either `defaultBackend` or "
                                             "`rules` must be specified")]),
    ("backend-without-target", {"defaultBackend": {}},
     [("spec.defaultBackend", 'Invalid value: "": resource or service backend is required')]),
    ("backend-both", {"defaultBackend": {**service(), "resource": {"kind": "K", "name": "n"}}},
     [("spec.defaultBackend", 'Invalid value: "": cannot set both resource and service backends')]),
    ("backend-no-port", {"defaultBackend": {"service": {"name": "web"}}},
     [("spec.defaultBackend", "Required value: port name or number is required")]),
    ("backend-both-ports", {"defaultBackend": {"service": {"name": "web", "port": {"name": "http", "number": 80}}}},
     [("spec.defaultBackend", 'Invalid value: "": cannot set both port name & port number')]),
    ("backend-bad-service", {"defaultBackend": service("1web", number=70000)},
     [("spec.defaultBackend.service.name", f'Invalid value: "1web": {DNS1035}'),
      ("spec.defaultBackend.service.port.number", f"Invalid value: 70000: {PORT_RANGE}")]),
    ("backend-no-service-name", {"defaultBackend": {"service": {"port": {"name": "HTTP--x"}}}},
     [("spec.defaultBackend.service.name", "Required value"),
      ("spec.defaultBackend.service.port.name",
       'Invalid value: "HTTP--x": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
      ("spec.defaultBackend.service.port.name", 'Invalid value: "HTTP--x": must not contain consecutive hyphens')]),
    ("resource-backend", {"defaultBackend": {"resource": {"apiGroup": "Example.com", "kind": "a/b"}}},
     [("spec.defaultBackend.resource.apiGroup", f'Invalid value: "Example.com": {SUBDOMAIN}'),
      ("spec.defaultBackend.resource.kind", "Invalid value: \"a/b\": may not contain '/'"),
      ("spec.defaultBackend.resource.name", "Required value: name is required")]),
    ("host-is-ip", {"rules": [rule(http_path(), host="10.0.0.1")]},
     [("spec.rules[0].host", 'Invalid value: "10.0.0.1": must be a DNS name, not an IP address')]),
    ("bad-hosts", {"rules": [{"host": "Bad_Host"}, {"host": "foo.*.com"}]},
     [("spec.rules[0].host", f'Invalid value: "Bad_Host": {SUBDOMAIN}'),
      ("spec.rules[1].host", f'Invalid value: "foo.*.com": {WILDCARD}')]),
    ("http-without-paths", {"rules": [{"http": {}}]}, [("spec.rules[0].http.paths", "Required value")]),
    ("paths", {"rules": [{}, rule(http_path(path_type=None), http_path("/x", "Regex"), http_path("x"),
                                  http_path("/a//b/..", "Exact"), http_path("x", "ImplementationSpecific"),
                                  http_path("", "ImplementationSpecific", {}))]},
     [("spec.rules[1].http.paths[0].pathType", "Required value: pathType must be specified"),
      ("spec.rules[1].http.paths[1].pathType",
       'Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'),
      ("spec.rules[1].http.paths[2].path", 'Invalid value: "x": must be an absolute path'),
      ("spec.rules[1].http.paths[3].path", "Invalid value: \"/a//b/..\": must not contain '//'"),
      ("spec.rules[1].http.paths[3].path", "Invalid value: \"/a//b/..\": cannot end with '/..'"),
      ("spec.rules[1].http.paths[4].path", 'Invalid value: "x": must be an absolute path'),
      ("spec.rules[1].http.paths[5].backend", 'Invalid value: "": resource or service backend is required')]),
    ("tls", {"defaultBackend": service(), "tls": [{"hosts": ["ok.example.com", "*"], "secretName": "Bad"}]},
     [("spec.tls[0].hosts[1]", f'Invalid value: "*": {WILDCARD}'),
      ("spec.tls[0].secretName", f'Invalid value: "Bad": {SUBDOMAIN}')]),
    ("class-name", {"defaultBackend": service(), "ingressClassName": "Nginx"},
     [("spec.ingressClassName", f'Invalid value: "Nginx": {SUBDOMAIN}')]),
]


@pytest.mark.parametrize("name, spec, expected", INGRESS_CASES, ids=[c[0] for c in INGRESS_CASES])
def test_ingress(name: str, spec: dict, expected: list) -> None:
    assert found(net.ingress_create(ingress(spec))) == expected


def test_ingress_class_annotation_must_match_the_field() -> None:
    spec = {"defaultBackend": service(), "ingressClassName": "nginx"}
    assert found(net.ingress_create(ingress(spec, {"kubernetes.io/ingress.class": "nginx"}))) == []
    assert found(net.ingress_create(ingress(spec, {"kubernetes.io/ingress.class": "haproxy"}))) == [
        ("annotations.kubernetes.io/ingress.class",
         'Invalid value: "haproxy": must match `ingressClassName` when both are specified')]
    # only creates compare them
    assert net.ingress_update(ingress(spec, {"kubernetes.io/ingress.class": "haproxy"}), ingress(spec)) == []
    assert net.ingress_warnings(ingress({}, {"kubernetes.io/ingress.class": "nginx"})) == [
        "annotation \"kubernetes.io/ingress.class\" is deprecated, please use 'spec.ingressClassName' instead"]
    assert net.ingress_warnings(ingress(spec, {"kubernetes.io/ingress.class": "nginx"})) == []


def test_ingress_update_keeps_what_the_stored_object_holds() -> None:
    bad_secret = {"defaultBackend": service(), "tls": [{"secretName": "Bad"}]}
    good = {"defaultBackend": service()}
    assert found(net.ingress_update(ingress(bad_secret), ingress(good))) == [
        ("spec.tls[0].secretName", f'Invalid value: "Bad": {SUBDOMAIN}')]
    assert net.ingress_update(ingress(bad_secret), ingress(bad_secret)) == []
    wildcard_bad = {"rules": [{"host": "*.a.com", "http": {"paths": [http_path(path_type=None)]}}]}
    assert found(net.ingress_update(ingress(wildcard_bad), ingress(good))) == [
        ("spec.rules[0].http.paths[0].pathType", "Required value: pathType must be specified")]
    assert net.ingress_update(ingress(wildcard_bad), ingress(wildcard_bad)) == []


def ingress_class(spec: dict) -> dict:
    return {"metadata": {"name": "c"}, "spec": spec}


INGRESS_CLASS_CASES: list[tuple[str, dict, list[tuple[str, str]]]] = [
    ("valid", {"controller": "example.com/ingress", "parameters": {"kind": "P", "name": "p", "scope": "Cluster"}}, []),
    ("no-controller", {}, [("spec.controller", "Required value")]),
    ("not-prefixed", {"controller": "ingress"},
     [("spec.controller", 'Invalid value: "ingress": must be a domain-prefixed path (such as "acme.io/foo")')]),
    ("bad-host-and-path", {"controller": "Example.com/a b"},
     [("spec.controller", f'Invalid value: "Example.com": {SUBDOMAIN}'),
      ("spec.controller", "Invalid value: \"a b\": Invalid path (regex used for validation is "
                          "'[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')")]),
    ("too-long", {"controller": "example.com/" + "a" * 239},
     [("spec.controller", "Too long: may not be more than 250 bytes")]),
    ("parameters", {"controller": "example.com/x", "parameters": {"apiGroup": "", "scope": "Bogus"}},
     [("spec.parameters.apiGroup", f'Invalid value: "": {SUBDOMAIN}'),
      ("spec.parameters.kind", "Required value: kind is required"),
      ("spec.parameters.name", "Required value: name is required"),
      ("spec.parameters.scope", 'Unsupported value: "Bogus": supported values: "Cluster", "Namespace"')]),
    ("no-scope", {"controller": "example.com/x", "parameters": {"kind": "K", "name": "n"}},
     [("spec.parameters.scope", "Required value")]),
    ("namespace-scope", {"controller": "example.com/x", "parameters": {"kind": "K", "name": "n",
                                                                       "scope": "Namespace"}},
     [("spec.parameters.namespace", "Required value: `parameters.scope` is set to 'Namespace'")]),
    ("bad-namespace", {"controller": "example.com/x", "parameters": {"kind": "K", "name": "n", "scope": "Namespace",
                                                                     "namespace": "a.b"}},
     [("spec.parameters.namespace", f'Invalid value: "a.b": {LABEL}')]),
    ("cluster-scope-namespace", {"controller": "example.com/x", "parameters": {"kind": "K", "name": "n",
                                                                               "scope": "Cluster", "namespace": "x"}},
     [("spec.parameters.namespace", "Forbidden: `parameters.scope` is set to 'Cluster'")]),
]


@pytest.mark.parametrize("name, spec, expected", INGRESS_CLASS_CASES, ids=[c[0] for c in INGRESS_CLASS_CASES])
def test_ingress_class(name: str, spec: dict, expected: list) -> None:
    assert found(net.ingress_class(ingress_class(spec))) == expected


def test_ingress_class_controller_is_immutable() -> None:
    old = ingress_class({"controller": "example.com/a"})
    assert found(net.ingress_class_update(ingress_class({"controller": "example.com/b", "parameters": {}}), old)) == [
        ("spec.controller", 'Invalid value: "example.com/b": field is immutable'),
        ("spec.parameters.kind", "Required value: kind is required"),
        ("spec.parameters.name", "Required value: name is required"),
        ("spec.parameters.scope", "Required value")]


def policy(spec: dict) -> dict:
    return {"metadata": {"name": "p", "namespace": "ns"}, "spec": spec}


NETWORK_POLICY_CASES: list[tuple[str, dict, list[tuple[str, str]]]] = [
    ("valid", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"ports": [
        {"protocol": "TCP", "port": 80, "endPort": 90}, {"port": "http"}], "from": [
        {"podSelector": {}, "namespaceSelector": {}},
        {"ipBlock": {"cidr": "010.0.0.1/8", "except": ["10.1.0.0/16"]}}]}],
        "policyTypes": ["Ingress", "Egress"]}, []),
    ("ports", {"egress": [{"ports": [{"protocol": "ICMP", "port": 0}, {"port": 80, "endPort": 70},
                                     {"port": "HTTP", "endPort": 90}, {"endPort": 90}, {"port": "80"}]}]},
     [("spec.egress[0].ports[0].protocol", 'Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"'),
      ("spec.egress[0].ports[0].port", f"Invalid value: 0: {PORT_RANGE}"),
      ("spec.egress[0].ports[1].endPort", "Invalid value: 80: must be greater than or equal to `port`"),
      ("spec.egress[0].ports[2].endPort", "Invalid value: 90: may not be specified when `port` is non-numeric"),
      ("spec.egress[0].ports[2].port",
       'Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
      ("spec.egress[0].ports[2].port", 'Invalid value: "HTTP": must contain at least one letter (a-z)'),
      ("spec.egress[0].ports[3].endPort", "Invalid value: 90: may not be specified when `port` is not specified"),
      ("spec.egress[0].ports[4].port", 'Invalid value: "80": must contain at least one letter (a-z)')]),
    ("peers", {"ingress": [{"from": [{}, {"podSelector": {}, "ipBlock": {"cidr": "10.0.0.0/8"}},
                                     {"ipBlock": {}}, {"ipBlock": {"cidr": "10.0.0.0/33"}},
                                     {"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.0.0/8", "192.168.0.0/24",
                                                                                    "10.0.0.0/16", "bad", "x"]}}]}]},
     [("spec.ingress[0].from[0]", "Required value: must specify a peer"),
      ("spec.ingress[0].from[1]", "Forbidden: may not specify both ipBlock and another peer"),
      ("spec.ingress[0].from[2].ipBlock.cidr", "Required value"),
      ("spec.ingress[0].from[3].ipBlock.cidr", 'Invalid value: "10.0.0.0/33": not a valid CIDR'),
      ("spec.ingress[0].from[4].ipBlock.except[0]", 'Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`'),
      ("spec.ingress[0].from[4].ipBlock.except[1]",
       'Invalid value: "192.168.0.0/24": must be a strict subset of `cidr`'),
      ("spec.ingress[0].from[4].ipBlock.except[2]",
       'Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`'),
      ("spec.ingress[0].from[4].ipBlock.except[3]", 'Invalid value: "bad": not a valid CIDR')]),
    ("selectors", {"podSelector": {"matchLabels": {"a b": "x y"}, "matchExpressions": [
        {"key": "k", "operator": "Bogus"}, {"key": "k", "operator": "In"},
        {"key": "k", "operator": "Exists", "values": ["v"]}, {"key": "k", "operator": "NotIn", "values": ["a b"]}]}},
     [("spec.podSelector.matchLabels", f'Invalid value: "a b": {QUALIFIED_NAME}'),
      ("spec.podSelector.matchLabels", f'Invalid value: "x y": {LABEL_VALUE}'),
      ("spec.podSelector.matchExpressions[0].operator", 'Invalid value: "Bogus": not a valid selector operator'),
      ("spec.podSelector.matchExpressions[1].values",
       "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
      ("spec.podSelector.matchExpressions[2].values",
       "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
      ("spec.podSelector.matchExpressions[3].values[0]", f'Invalid value: "a b": {LABEL_VALUE}')]),
    ("policy-types", {"policyTypes": ["Ingress", "Sideways"]},
     [("spec.policyTypes[1]", 'Unsupported value: "Sideways": supported values: "Ingress", "Egress"')]),
    ("too-many-policy-types", {"policyTypes": ["Ingress", "Egress", "Bogus"]},
     [("spec.policyTypes", 'Invalid value: []networking.PolicyType{"Ingress", "Egress", "Bogus"}: may not specify '
                           'more than two policyTypes')]),
]


@pytest.mark.parametrize("name, spec, expected", NETWORK_POLICY_CASES, ids=[c[0] for c in NETWORK_POLICY_CASES])
def test_network_policy(name: str, spec: dict, expected: list) -> None:
    assert found(net.network_policy(policy(spec))) == expected


def test_network_policy_update_reports_twice_and_keeps_invalid_label_values() -> None:
    bad_value = {"podSelector": {"matchExpressions": [{"key": "k", "operator": "In", "values": ["a b"]}]}}
    problem = ("spec.podSelector.matchExpressions[0].values[0]", f'Invalid value: "a b": {LABEL_VALUE}')
    assert found(net.network_policy_update(policy(bad_value), policy({}))) == [problem, problem]
    assert net.network_policy_update(policy(bad_value), policy(bad_value)) == []


def test_network_policy_defaults() -> None:
    obj: dict = {"metadata": {"name": "p"}}
    strategies.NETWORK_POLICY.default(obj)
    assert obj["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    obj = policy({"egress": [{"ports": [{"port": 53}, {"protocol": "UDP"}]}]})
    strategies.NETWORK_POLICY.default(obj)
    assert obj["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert obj["spec"]["egress"][0]["ports"] == [{"port": 53, "protocol": "TCP"}, {"protocol": "UDP"}]
    obj = policy({"egress": [{}], "policyTypes": ["Egress"]})
    strategies.NETWORK_POLICY.default(obj)
    assert obj["spec"]["policyTypes"] == ["Egress"]


def test_addresses_are_read_as_go_reads_them() -> None:
    assert net.parse_ip("010.001.0.1") == ipaddress.IPv4Address("10.1.0.1")
    assert net.parse_ip("::ffff:10.0.0.1") == ipaddress.IPv4Address("10.0.0.1")
    assert net.parse_ip("fe80::1") == ipaddress.IPv6Address("fe80::1")
    for bad in ("fe80::1%eth0", "1.2.3", "1.2.3.256", "1.2.3.4 ", "host", ""):
        assert net.parse_ip(bad) is None, bad
    assert net.parse_cidr("10.1.2.3/8") == ipaddress.IPv4Network("10.0.0.0/8")
    assert net.parse_cidr("2001:db8::1/32") == ipaddress.IPv6Network("2001:db8::/32")
    for bad in ("10.0.0.0", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/33", "::/129", "x/8"):
        assert net.parse_cidr(bad) is None, bad


def endpoint_slice(address_type: str | None = "IPv4", endpoints: list | None = None,
                   ports: list | None = None) -> dict:
    out: dict[str, Any] = {"metadata": {"name": "s", "namespace": "ns"}, "endpoints": endpoints or [],
                           "ports": ports or []}
    if address_type is not None:
        out["addressType"] = address_type
    return out


def addresses(*values: str) -> list:
    return [{"addresses": list(values)}]


ENDPOINT_SLICE_CASES: list[tuple[str, dict, list[tuple[str, str]]]] = [
    ("valid", endpoint_slice("IPv4", [{"addresses": ["10.0.0.1"], "nodeName": "node-1", "hostname": "pod-1",
                                       "hints": {"forZones": [{"name": "zone-a"}]}}],
                             [{"name": "http", "protocol": "TCP", "port": 80, "appProtocol": "kubernetes.io/h2c"},
                              {"name": "", "protocol": "UDP"}]), []),
    ("no-address-type", endpoint_slice(None), [("addressType", "Required value")]),
    ("unknown-address-type", endpoint_slice("IP", addresses("anything")),
     [("addressType", 'Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"')]),
    ("ipv4", endpoint_slice("IPv4", addresses("abc", "::1", "0.0.0.0", "127.0.0.1", "169.254.0.1", "224.0.0.5")),
     [("endpoints[0].addresses[0]", 'Invalid value: "abc": must be a valid IPv4 address'),
      ("endpoints[0].addresses[0]", 'Invalid value: "abc": must be a valid IP address'),
      ("endpoints[0].addresses[1]", 'Invalid value: "::1": must be a valid IPv4 address'),
      ("endpoints[0].addresses[1]", 'Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)'),
      ("endpoints[0].addresses[2]", 'Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)'),
      ("endpoints[0].addresses[3]",
       'Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'),
      ("endpoints[0].addresses[4]",
       'Invalid value: "169.254.0.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)'),
      ("endpoints[0].addresses[5]",
       'Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')]),
    ("ipv6", endpoint_slice("IPv6", addresses("2001:db8::1", "10.0.0.1", "fe80::1", "ff02::1")),
     [("endpoints[0].addresses[1]", 'Invalid value: "10.0.0.1": must be a valid IPv6 address'),
      ("endpoints[0].addresses[2]",
       'Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)'),
      ("endpoints[0].addresses[3]",
       'Invalid value: "ff02::1": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')]),
    ("fqdn", endpoint_slice("FQDN", addresses("example.com.", "example", "Example.com", "")),
     [("endpoints[0].addresses[1]",
       'Invalid value: "example": should be a domain with at least two segments separated by dots'),
      ("endpoints[0].addresses[2]", f'Invalid value: "Example.com": {SUBDOMAIN}'),
      ("endpoints[0].addresses[3]", "Required value")]),
    ("endpoint-fields", endpoint_slice("IPv4", [{"addresses": []}, {"addresses": ["10.0.0.1"], "nodeName": "Node",
                                                                    "hostname": "a.b", "hints": {"forZones": [
                                                                        {"name": "z"}, {"name": "z"},
                                                                        {"name": "bad zone"}]}}]),
     [("endpoints[0].addresses", "Required value: must contain at least 1 address"),
      ("endpoints[1].nodeName", f'Invalid value: "Node": {SUBDOMAIN}'),
      ("endpoints[1].hostname", f'Invalid value: "a.b": {LABEL}'),
      ("endpoints[1].hints.forZones[1].name", 'Duplicate value: "z"'),
      ("endpoints[1].hints.forZones[2].name", f'Invalid value: "bad zone": {LABEL_VALUE}')]),
    ("too-many", endpoint_slice("IPv4", [{"addresses": ["10.0.0.1"] * 101,
                                          "hints": {"forZones": [{"name": str(i)} for i in range(9)]}}]),
     [("endpoints[0].addresses", "Too many: 101: must have at most 100 items"),
      ("endpoints[0].hints.forZones", "Too many: 9: must have at most 8 items")]),
    ("too-many-endpoints", endpoint_slice("IPv4", addresses("10.0.0.1") * 1001),
     [("endpoints", "Too many: 1001: must have at most 1000 items")]),
    ("ports", endpoint_slice("IPv4", ports=[{"name": "", "protocol": "TCP"}, {"name": "", "protocol": "ICMP"},
                                            {"name": "Web", "appProtocol": "a b"}]),
     [("ports[1].name", 'Duplicate value: ""'),
      ("ports[1].protocol", 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'),
      ("ports[2].name", f'Invalid value: "Web": {LABEL}'),
      ("ports[2].protocol", "Required value"),
      ("ports[2].appProtocol", f'Invalid value: "a b": {QUALIFIED_NAME}')]),
]


@pytest.mark.parametrize("name, obj, expected", ENDPOINT_SLICE_CASES, ids=[c[0] for c in ENDPOINT_SLICE_CASES])
def test_endpoint_slice(name: str, obj: dict, expected: list) -> None:
    assert found(net.endpoint_slice(obj)) == expected


def test_endpoint_slice_update_and_warnings() -> None:
    assert found(net.endpoint_slice_update(endpoint_slice("IPv6"), endpoint_slice("IPv4"))) == [
        ("addressType", 'Invalid value: "IPv6": field is immutable')]
    assert net.endpoint_slice_warnings(endpoint_slice("FQDN")) == ["spec.addressType: FQDN endpoints are deprecated"]
    assert net.endpoint_slice_warnings(endpoint_slice("IPv4")) == []
    # the replicas' own slices may carry their loopback advertise addresses; the address must still parse
    assert found(net.endpoint_slice(endpoint_slice("IPv4", addresses("127.0.0.1", "x")), True)) == [
        ("endpoints[0].addresses[1]", 'Invalid value: "x": must be a valid IPv4 address'),
        ("endpoints[0].addresses[1]", 'Invalid value: "x": must be a valid IP address')]


def test_endpoint_slice_strategy() -> None:
    created = endpoint_slice("IPv4", [{"addresses": ["10.0.0.1"], "deprecatedTopology": {"k": "v"}}])
    strategies.ENDPOINT_SLICE.prepare_create(created)
    assert created["endpoints"] == [{"addresses": ["10.0.0.1"]}]
    old = {**endpoint_slice(), "metadata": {"name": "s", "generation": 3, "labels": {"a": "1"}}}
    new = {**endpoint_slice(), "metadata": {"name": "s", "generation": 3, "labels": {"a": "2"}}}
    strategies.ENDPOINT_SLICE.prepare_update(new, old)
    assert new["metadata"]["generation"] == 4
    apiserver_slice = endpoint_slice("IPv4", addresses("127.0.0.1"))
    apiserver_slice["metadata"] = {"name": "kubernetes", "namespace": "default",
                                   "labels": {"kubernetes.io/service-name": "kubernetes"}}
    assert strategies.ENDPOINT_SLICE.validate_create(apiserver_slice) == []
    apiserver_slice["metadata"]["namespace"] = "elsewhere"
    assert len(strategies.ENDPOINT_SLICE.validate_create(apiserver_slice)) == 1


def role(*rules: dict, kind: str = "Role") -> dict:
    return {"kind": kind, "metadata": {"name": "r"}, "rules": list(rules)}


RBAC_RULE_CASES: list[tuple[str, Callable, dict, list[tuple[str, str]]]] = [
    ("valid-role", rbac.role, role({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"],
                                    "resourceNames": ["a"]}), []),
    ("valid-cluster-role", rbac.cluster_role, role({"verbs": ["get"], "nonResourceURLs": ["/healthz"]}), []),
    ("empty-rule", rbac.role, role({}),
     [("rules[0].verbs", "Required value: verbs must contain at least one value"),
      ("rules[0].apiGroups", "Required value: resource rules must supply at least one api group"),
      ("rules[0].resources", "Required value: resource rules must supply at least one resource")]),
    ("urls-in-role", rbac.role, role({"verbs": ["get"], "nonResourceURLs": ["/healthz"], "resources": ["pods"]}),
     [("rules[0].nonResourceURLs",
       'Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs'),
      ("rules[0].nonResourceURLs",
       'Invalid value: []string{"/healthz"}: rules cannot apply to both regular resources and non-resource URLs')]),
    ("urls-and-names", rbac.cluster_role, role({"verbs": ["get"], "nonResourceURLs": ["/a", "/b"],
                                                "resourceNames": ["x"]}),
     [("rules[0].nonResourceURLs", 'Invalid value: []string{"/a", "/b"}: rules cannot apply to both regular '
                                   'resources and non-resource URLs')]),
    ("empty-aggregation", rbac.cluster_role, {**role(), "aggregationRule": {}},
     [("aggregationRule.clusterRoleSelectors",
       "Required value: at least one clusterRoleSelector required if aggregationRule is non-nil")]),
    ("bad-aggregation", rbac.cluster_role, {**role(), "aggregationRule": {"clusterRoleSelectors": [
        {"matchLabels": {"ok": "true"}}, {"matchExpressions": [{"key": "k", "operator": "In"}]}]}},
     [("aggregationRule.clusterRoleSelectors[1].matchExpressions[0].values",
       "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
      ("aggregationRule.clusterRoleSelectors[1]", 'Invalid value: "null": invalid label selector.')]),
]


@pytest.mark.parametrize("name, check, obj, expected", RBAC_RULE_CASES, ids=[c[0] for c in RBAC_RULE_CASES])
def test_roles(name: str, check: Callable, obj: dict, expected: list) -> None:
    assert found(check(obj)) == expected


def test_role_updates_report_twice() -> None:
    problem = ("rules[0].verbs", "Required value: verbs must contain at least one value")
    bad = role({"apiGroups": [""], "resources": ["pods"]})
    assert found(rbac.role_update(bad, role())) == [problem, problem]
    assert found(rbac.cluster_role_update(bad, role())) == [problem, problem]
    bad_value = {**role(), "aggregationRule": {"clusterRoleSelectors": [
        {"matchExpressions": [{"key": "k", "operator": "In", "values": ["a b"]}]}]}}
    label_problem = ("aggregationRule.clusterRoleSelectors[0].matchExpressions[0].values[0]",
                     f'Invalid value: "a b": {LABEL_VALUE}')
    assert found(rbac.cluster_role(bad_value))[0] == label_problem
    # a stored selector kube already finds fault with lets label values through (its selector still fails to build)
    assert found(rbac.cluster_role_update(bad_value, bad_value)) == [
        ("aggregationRule.clusterRoleSelectors[0]", 'Invalid value: "null": invalid label selector.')] * 2


def binding(role_ref: dict, *subjects: dict, kind: str = "RoleBinding") -> dict:
    obj = {"kind": kind, "metadata": {"name": "b"}, "roleRef": role_ref, "subjects": list(subjects)}
    strategies.ROLE_BINDING.default(obj)
    return obj


BINDING_CASES: list[tuple[str, Callable, dict, list[tuple[str, str]]]] = [
    ("valid", rbac.role_binding, binding({"kind": "Role", "name": "r"}, {"kind": "User", "name": "u"},
                                         {"kind": "ServiceAccount", "name": "sa"}), []),
    ("empty-ref", rbac.role_binding, binding({}),
     [("roleRef.kind", 'Unsupported value: "": supported values: "Role", "ClusterRole"'),
      ("roleRef.name", "Required value")]),
    ("bad-ref", rbac.cluster_role_binding, binding({"apiGroup": "x", "kind": "Role", "name": "a/b"}),
     [("roleRef.apiGroup", 'Unsupported value: "x": supported values: "rbac.authorization.k8s.io"'),
      ("roleRef.kind", 'Unsupported value: "Role": supported values: "ClusterRole"'),
      ("roleRef.name", "Invalid value: \"a/b\": may not contain '/'")]),
    ("subjects", rbac.role_binding, binding({"kind": "ClusterRole", "name": "view"}, {"kind": "Robot", "name": "x"},
                                            {"kind": "Group"}, {"kind": "User", "name": "u", "apiGroup": "v1"},
                                            {"kind": "ServiceAccount", "name": "Bad", "apiGroup": "v1"}),
     [("subjects[0].kind", 'Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"'),
      ("subjects[1].name", "Required value"),
      ("subjects[2].apiGroup", 'Unsupported value: "v1": supported values: "rbac.authorization.k8s.io"'),
      ("subjects[3].name", f'Invalid value: "Bad": {SUBDOMAIN}'),
      ("subjects[3].apiGroup", 'Unsupported value: "v1": supported values: ""')]),
    ("cluster-sa-needs-namespace", rbac.cluster_role_binding,
     binding({"kind": "ClusterRole", "name": "view"}, {"kind": "ServiceAccount", "name": "sa"}),
     [("subjects[0].namespace", "Required value")]),
]


@pytest.mark.parametrize("name, check, obj, expected", BINDING_CASES, ids=[c[0] for c in BINDING_CASES])
def test_bindings(name: str, check: Callable, obj: dict, expected: list) -> None:
    assert found(check(obj)) == expected


def test_binding_defaults_and_role_ref_is_fixed() -> None:
    obj = binding({"kind": "Role", "name": "r"}, {"kind": "Group", "name": "g"}, {"kind": "ServiceAccount",
                                                                                    "name": "sa"})
    assert obj["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io"
    assert [s.get("apiGroup") for s in obj["subjects"]] == ["rbac.authorization.k8s.io", None]
    changed = binding({"kind": "ClusterRole", "name": "edit"})
    assert found(rbac.role_binding_update(changed, obj)) == [
        ("roleRef", 'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", '
                    'Name:"edit"}: cannot change roleRef')]
    assert rbac.cluster_role_binding_update(changed, changed) == []


def test_ingress_and_endpoint_slice_warn_on_create_only() -> None:
    annotated = ingress({"defaultBackend": service()}, {"kubernetes.io/ingress.class": "nginx"})
    assert strategies.INGRESS.validate_create(annotated) == []
    assert strategies.INGRESS.warnings(annotated, None) == [
        "annotation \"kubernetes.io/ingress.class\" is deprecated, please use 'spec.ingressClassName' instead"]
    # kube has no update warnings for these kinds
    assert strategies.INGRESS.warnings(annotated, annotated) == []
    assert strategies.ENDPOINT_SLICE.warnings(endpoint_slice("FQDN"), None) == [
        "spec.addressType: FQDN endpoints are deprecated"]
