"""Validation of networking.k8s.io/v1 Ingress, IngressClass and NetworkPolicy and of discovery.k8s.io/v1
EndpointSlice, with kube-apiserver 1.32's field paths and messages (pkg/apis/networking/validation,
pkg/apis/discovery/validation).

Each validator takes the whole object after defaulting and returns one Cause per problem. A kind's `*_update`
validator is what kube runs on an update instead of the create rules: some rules relax for values the stored
object already holds, and some fields may not change.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any

from apiserver.api.meta.errors import Cause, too_long
from apiserver.api.meta.goformat import byte_len, quote
from apiserver.api.meta.labels import dns1123_subdomain_errors, label_value_errors, qualified_name_errors
from apiserver.api.meta.types import Obj
from apiserver.api.validation.kinds import duplicate, invalid, not_supported, port_name_errors, required
from apiserver.api.validation.labelselector import label_selector
from apiserver.api.validation.metadata import name_errors

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_PORT_RANGE = "must be between 1 and 65535, inclusive"
_DIGITS = re.compile(r"[0-9]+")


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _forbidden(path: str, detail: str) -> Cause:
    return Cause("FieldValueForbidden", f"Forbidden: {detail}", path)


def _too_many(path: str, count: int, limit: int) -> Cause:
    return Cause("FieldValueTooMany", f"Too many: {count}: must have at most {limit} items", path)


def _immutable(path: str, new: Any, old: Any) -> list[Cause]:
    return [] if new == old else [invalid(path, new, "field is immutable")]


def _port_number(value: int, path: str) -> list[Cause]:
    return [] if 1 <= value <= 65535 else [invalid(path, value, _PORT_RANGE)]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- addresses, as kube's sloppy Go parsers read them -----------------------------------------------------------

def _ipv4(text: str) -> ipaddress.IPv4Address | None:
    # Go's IPv4 parser takes octets with leading zeros as decimal ("010" is 10), which Python refuses
    parts = text.split(".")
    if len(parts) != 4 or not all(_DIGITS.fullmatch(part) for part in parts):
        return None
    octets = [int(part) for part in parts]
    return ipaddress.IPv4Address(bytes(octets)) if max(octets) <= 255 else None


def _ipv6(text: str) -> ipaddress.IPv6Address | None:
    if "%" in text:
        return None  # Go refuses zones
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        return None


def parse_ip(text: str) -> IP | None:
    """An IP address as k8s.io/utils/net.ParseIPSloppy reads it; an IPv4-mapped IPv6 address is an IPv4 address,
    as Go's To4 sees it."""
    for ch in text:
        if ch == ".":
            return _ipv4(text)
        if ch == ":":
            ip = _ipv6(text)
            if ip is not None and ip.ipv4_mapped is not None:
                return ip.ipv4_mapped
            return ip
    return None


def parse_cidr(text: str) -> Network | None:
    """A CIDR as k8s.io/utils/net.ParseCIDRSloppy reads it: host bits may be set, the network is kept."""
    address, slash, bits = text.partition("/")
    if not slash or not _DIGITS.fullmatch(bits):
        return None
    ip: IP | None = _ipv4(address)
    if ip is None:
        ip = _ipv6(address)
    if ip is None or int(bits) > ip.max_prefixlen:
        return None
    return ipaddress.ip_network((ip, int(bits)), strict=False)


def endpoint_ip_errors(text: str) -> list[str]:
    """kube's ValidateEndpointIP: addresses an endpoint cannot sensibly have (unspecified, loopback, link-local)."""
    ip = parse_ip(text)
    if ip is None:
        return ["must be a valid IP address"]
    packed = ip.packed
    errors = []
    if ip.is_unspecified:
        errors.append(f"may not be unspecified ({text})")
    if ip.is_loopback:
        errors.append("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    if ip.is_link_local:
        errors.append("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    multicast = packed[:3] == b"\xe0\x00\x00" if ip.version == 4 else packed[0] == 0xFF and packed[1] & 0x0F == 0x02
    if multicast:
        errors.append("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    return errors


# --- Ingress ----------------------------------------------------------------------------------------------------

INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
_PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")
_WILDCARD_FMT = r"\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_WILDCARD_MSG = ("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must "
                 "consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character")


def _host_errors(host: str) -> list[str]:
    """A host name; one with '*' must be a wildcard subdomain."""
    if "*" not in host:
        return dns1123_subdomain_errors(host)
    errors = []
    if byte_len(host) > 253:
        errors.append("must be no more than 253 characters")
    if not re.fullmatch(_WILDCARD_FMT, host):
        errors.append(f"{_WILDCARD_MSG} (e.g. '*.example.com', regex used for validation is '{_WILDCARD_FMT}')")
    return errors


def _typed_reference(ref: Obj, path: str) -> list[Cause]:
    """A backend resource or an IngressClass's parameters: the kind and object named, in an optional API group."""
    causes: list[Cause] = []
    api_group = ref.get("apiGroup")
    if api_group is not None:
        causes += [invalid(f"{path}.apiGroup", api_group, m) for m in dns1123_subdomain_errors(api_group)]
    for field in ("kind", "name"):
        value = ref.get(field) or ""
        if not value:
            causes.append(required(f"{path}.{field}", f"{field} is required"))
        else:
            causes += [invalid(f"{path}.{field}", value, m) for m in name_errors(value, "path")]
    return causes


def _backend(backend: Any, path: str) -> list[Cause]:
    backend = _dict(backend)
    resource, service = backend.get("resource"), backend.get("service")
    if resource is not None and service is not None:
        return [invalid(path, "", "cannot set both resource and service backends")]
    if resource is not None:
        return _typed_reference(_dict(resource), f"{path}.resource")
    if service is None:
        return [invalid(path, "", "resource or service backend is required")]
    service = _dict(service)
    causes: list[Cause] = []
    name = service.get("name") or ""
    if not name:
        causes.append(required(f"{path}.service.name"))
    else:
        causes += [invalid(f"{path}.service.name", name, m) for m in name_errors(name, "dns1035")]
    port = _dict(service.get("port"))
    port_name, number = port.get("name") or "", port.get("number") or 0
    if port_name and number:
        causes.append(invalid(path, "", "cannot set both port name & port number"))
    elif port_name:
        causes += [invalid(f"{path}.service.port.name", port_name, m) for m in port_name_errors(port_name)]
    elif number:
        causes += _port_number(number, f"{path}.service.port.number")
    else:
        causes.append(required(path, "port name or number is required"))
    return causes


def _http_path(http_path: Obj, path: str) -> list[Cause]:
    path_type = http_path.get("pathType")
    if path_type is None:
        return [required(f"{path}.pathType", "pathType must be specified")]
    value = http_path.get("path") or ""
    causes: list[Cause] = []
    if path_type in ("Exact", "Prefix"):
        if not value.startswith("/"):
            causes.append(invalid(f"{path}.path", value, "must be an absolute path"))
        causes += [invalid(f"{path}.path", value, f"must not contain '{s}'")
                   for s in _INVALID_PATH_SEQUENCES if s in value]
        causes += [invalid(f"{path}.path", value, f"cannot end with '{s}'")
                   for s in _INVALID_PATH_SUFFIXES if value.endswith(s)]
    elif path_type == "ImplementationSpecific":
        if value and not value.startswith("/"):
            causes.append(invalid(f"{path}.path", value, "must be an absolute path"))
    else:
        causes.append(not_supported(f"{path}.pathType", path_type, _PATH_TYPES))
    return causes + _backend(http_path.get("backend"), f"{path}.backend")


def _rule_value(rule: Obj, path: str) -> list[Cause]:
    http = rule.get("http")
    if not isinstance(http, dict):
        return []
    paths = _list(http.get("paths"))
    causes = [] if paths else [required(f"{path}.http.paths")]
    for i, http_path in enumerate(paths):
        causes += _http_path(_dict(http_path), f"{path}.http.paths[{i}]")
    return causes


def _rules(rules: list[Any], allow_invalid_wildcard_rules: bool) -> list[Cause]:
    causes: list[Cause] = []
    for i, rule in enumerate(rules):
        rule, path = _dict(rule), f"spec.rules[{i}]"
        host = rule.get("host") or ""
        if host and parse_ip(host) is not None:
            causes.append(invalid(f"{path}.host", host, "must be a DNS name, not an IP address"))
        if host:
            causes += [invalid(f"{path}.host", host, m) for m in _host_errors(host)]
        # kube once skipped the rules under wildcard hosts: stored ones that need it keep that leniency
        if "*" not in host or not allow_invalid_wildcard_rules:
            causes += _rule_value(rule, path)
    return causes


def _tls(entries: list[Any], allow_invalid_secret_names: bool) -> list[Cause]:
    causes: list[Cause] = []
    for t, entry in enumerate(entries):
        entry = _dict(entry)
        for i, host in enumerate(_list(entry.get("hosts"))):
            causes += [invalid(f"spec.tls[{t}].hosts[{i}]", host, m) for m in _host_errors(host)]
        secret = entry.get("secretName") or ""
        if secret and not allow_invalid_secret_names:
            causes += [invalid(f"spec.tls[{t}].secretName", secret, m) for m in name_errors(secret, "subdomain")]
    return causes


def _ingress_spec(spec: Obj, allow_invalid_secret_names: bool = False,
                  allow_invalid_wildcard_rules: bool = False) -> list[Cause]:
    causes: list[Cause] = []
    rules = spec.get("rules")
    if not rules and spec.get("defaultBackend") is None:
        # kube prints its internal rules slice as Go's %#v does: nil when the field is absent
        rendered = "[]networking.IngressRule{}" if isinstance(rules, list) else "[]networking.IngressRule(nil)"
        causes.append(Cause("FieldValueInvalid", f"Invalid value: {rendered}: either `defaultBackend` or `rules` "
                            "must be specified", "spec"))
    if spec.get("defaultBackend") is not None:
        causes += _backend(spec["defaultBackend"], "spec.defaultBackend")
    causes += _rules(_list(rules), allow_invalid_wildcard_rules)
    causes += _tls(_list(spec.get("tls")), allow_invalid_secret_names)
    class_name = spec.get("ingressClassName")
    if class_name is not None:
        causes += [invalid("spec.ingressClassName", class_name, m) for m in name_errors(class_name, "subdomain")]
    return causes


def _annotations(obj: Obj) -> dict[str, Any]:
    return _dict(_dict(obj.get("metadata")).get("annotations"))


def ingress_create(obj: Obj) -> list[Cause]:
    spec = _dict(obj.get("spec"))
    causes = _ingress_spec(spec)
    annotations, class_name = _annotations(obj), spec.get("ingressClassName")
    if INGRESS_CLASS_ANNOTATION in annotations and class_name is not None \
            and annotations[INGRESS_CLASS_ANNOTATION] != class_name:
        causes.append(invalid(f"annotations.{INGRESS_CLASS_ANNOTATION}", annotations[INGRESS_CLASS_ANNOTATION],
                              "must match `ingressClassName` when both are specified"))
    return causes


def ingress_update(new: Obj, old: Obj) -> list[Cause]:
    """An update keeps accepting the invalid TLS secret names and wildcard-host rules the stored object holds."""
    old_spec = _dict(old.get("spec"))
    invalid_secrets = any(name_errors(secret, "subdomain") for secret in
                          (_dict(entry).get("secretName") or "" for entry in _list(old_spec.get("tls"))) if secret)
    invalid_wildcard_rules = any("*" in (_dict(rule).get("host") or "") and _rule_value(_dict(rule), "")
                                 for rule in _list(old_spec.get("rules")))
    return _ingress_spec(_dict(new.get("spec")), invalid_secrets, invalid_wildcard_rules)


def ingress_warnings(obj: Obj) -> list[str]:
    if INGRESS_CLASS_ANNOTATION in _annotations(obj) and _dict(obj.get("spec")).get("ingressClassName") is None:
        return [f"annotation {quote(INGRESS_CLASS_ANNOTATION)} is deprecated, please use 'spec.ingressClassName' "
                "instead"]
    return []


# --- IngressClass -----------------------------------------------------------------------------------------------

_CONTROLLER_MAX_BYTES = 250
_HTTP_PATH_FMT = r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+"
_SCOPES = ("Cluster", "Namespace")


def _domain_prefixed_path(value: str, path: str) -> list[Cause]:
    if not value:
        return [required(path)]
    host, slash, rest = value.partition("/")
    if not slash or not host or not rest:
        return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    causes = [invalid(path, host, m) for m in dns1123_subdomain_errors(host)]
    if not re.fullmatch(_HTTP_PATH_FMT, rest):
        causes.append(invalid(path, rest, f"Invalid path (regex used for validation is '{_HTTP_PATH_FMT}')"))
    return causes


def _parameters(parameters: Any, path: str) -> list[Cause]:
    if parameters is None:
        return []
    parameters = _dict(parameters)
    causes = _typed_reference(parameters, path)
    scope, namespace = parameters.get("scope"), parameters.get("namespace")
    if scope is None:
        return causes + [required(f"{path}.scope")]
    if scope not in _SCOPES:
        return causes + [not_supported(f"{path}.scope", scope, _SCOPES)]
    if scope == "Namespace":
        if namespace is None:
            causes.append(required(f"{path}.namespace", "`parameters.scope` is set to 'Namespace'"))
        else:
            causes += [invalid(f"{path}.namespace", namespace, m) for m in name_errors(namespace, "label")]
    elif namespace is not None:
        causes.append(_forbidden(f"{path}.namespace", "`parameters.scope` is set to 'Cluster'"))
    return causes


def ingress_class(obj: Obj) -> list[Cause]:
    spec = _dict(obj.get("spec"))
    controller = spec.get("controller") or ""
    causes: list[Cause] = []
    if byte_len(controller) > _CONTROLLER_MAX_BYTES:
        causes.append(too_long("spec.controller", _CONTROLLER_MAX_BYTES))
    causes += _domain_prefixed_path(controller, "spec.controller")
    return causes + _parameters(spec.get("parameters"), "spec.parameters")


def ingress_class_update(new: Obj, old: Obj) -> list[Cause]:
    controller = _dict(new.get("spec")).get("controller") or ""
    causes = _immutable("spec.controller", controller, _dict(old.get("spec")).get("controller") or "")
    return causes + ingress_class(new)


# --- NetworkPolicy ----------------------------------------------------------------------------------------------

_PROTOCOLS = ("TCP", "UDP", "SCTP")
_POLICY_TYPES = ("Ingress", "Egress")


def _policy_port(port: Obj, path: str) -> list[Cause]:
    causes: list[Cause] = []
    protocol = port.get("protocol")
    if protocol is not None and protocol not in _PROTOCOLS:
        causes.append(not_supported(f"{path}.protocol", protocol, _PROTOCOLS))
    number, end = port.get("port"), port.get("endPort")
    if number is None:
        if end is not None:
            causes.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified"))
    elif _is_int(number):
        causes += _port_number(number, f"{path}.port")
        if end is not None:
            if _is_int(end) and end < number:
                # kube 1.32 shows the port, not the end port, as the bad value here
                causes.append(invalid(f"{path}.endPort", number, "must be greater than or equal to `port`"))
            causes += _port_number(end, f"{path}.endPort")
    else:
        if end is not None:
            causes.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric"))
        causes += [invalid(f"{path}.port", number, m) for m in port_name_errors(str(number))]
    return causes


def _ip_block(block: Obj, path: str) -> list[Cause]:
    cidr = block.get("cidr") or ""
    if not cidr:
        return [required(f"{path}.cidr")]
    network = parse_cidr(cidr)
    if network is None:
        return [invalid(f"{path}.cidr", cidr, "not a valid CIDR")]
    causes: list[Cause] = []
    for i, text in enumerate(_list(block.get("except"))):
        where = f"{path}.except[{i}]"
        excluded = parse_cidr(text)
        if excluded is None:
            # kube stops at the first unreadable exception
            return causes + [invalid(where, text, "not a valid CIDR")]
        inside = excluded.version == network.version and excluded.network_address in network
        if not inside or network.prefixlen >= excluded.prefixlen:
            causes.append(invalid(where, text, "must be a strict subset of `cidr`"))
    return causes


def _peer(peer: Obj, path: str, allow_invalid_values: bool) -> list[Cause]:
    causes: list[Cause] = []
    peers = 0
    for selector in ("podSelector", "namespaceSelector"):
        if peer.get(selector) is not None:
            peers += 1
            causes += label_selector(peer[selector], f"{path}.{selector}", allow_invalid_values)
    if peer.get("ipBlock") is not None:
        peers += 1
        causes += _ip_block(_dict(peer["ipBlock"]), f"{path}.ipBlock")
    if peers == 0:
        causes.append(required(path, "must specify a peer"))
    elif peers > 1 and peer.get("ipBlock") is not None:
        causes.append(_forbidden(path, "may not specify both ipBlock and another peer"))
    return causes


def _network_policy_spec(spec: Obj, allow_invalid_values: bool) -> list[Cause]:
    causes = label_selector(spec.get("podSelector"), "spec.podSelector", allow_invalid_values)
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(_list(spec.get(direction))):
            rule, path = _dict(rule), f"spec.{direction}[{i}]"
            for j, port in enumerate(_list(rule.get("ports"))):
                causes += _policy_port(_dict(port), f"{path}.ports[{j}]")
            for j, peer in enumerate(_list(rule.get(peers))):
                causes += _peer(_dict(peer), f"{path}.{peers}[{j}]", allow_invalid_values)
    policy_types = _list(spec.get("policyTypes"))
    if len(policy_types) > len(_POLICY_TYPES):
        rendered = "[]networking.PolicyType{" + ", ".join(quote(str(t)) for t in policy_types) + "}"
        return causes + [Cause("FieldValueInvalid", f"Invalid value: {rendered}: may not specify more than two "
                               "policyTypes", "spec.policyTypes")]
    return causes + [not_supported(f"spec.policyTypes[{i}]", t, _POLICY_TYPES)
                     for i, t in enumerate(policy_types) if t not in _POLICY_TYPES]


def network_policy(obj: Obj) -> list[Cause]:
    return _network_policy_spec(_dict(obj.get("spec")), False)


def network_policy_update(new: Obj, old: Obj) -> list[Cause]:
    """Invalid label values stay allowed while the stored pod selector has some. kube checks the spec twice on an
    update (once as the object, once as the update), so each problem is reported twice, as kube reports it."""
    allow = bool(label_selector(_dict(old.get("spec")).get("podSelector"), "spec.podSelector"))
    causes = _network_policy_spec(_dict(new.get("spec")), allow)
    return causes + causes


# --- EndpointSlice ----------------------------------------------------------------------------------------------

_ADDRESS_TYPES = ("FQDN", "IPv4", "IPv6")
_SLICE_PROTOCOLS = ("SCTP", "TCP", "UDP")
_MAX_ENDPOINTS = 1000
_MAX_ADDRESSES = 100
_MAX_PORTS = 20000
_MAX_ZONE_HINTS = 8


def _fqdn(name: str, path: str) -> list[Cause]:
    """kube's IsFullyQualifiedDomainName: two labels at least, a final dot allowed."""
    if not name:
        return [required(path)]
    name = name.removesuffix(".")
    errors = dns1123_subdomain_errors(name)
    if errors:
        return [invalid(path, name, ",".join(errors))]
    labels = name.split(".")
    if len(labels) < 2:
        return [invalid(path, name, "should be a domain with at least two segments separated by dots")]
    for label in labels:
        errors = name_errors(label, "label")
        if errors:
            return [invalid(path, label, ",".join(errors))]
    return []


def _address(address: str, address_type: str, path: str, allow_special: bool) -> list[Cause]:
    if address_type == "FQDN":
        return _fqdn(address, path)
    if address_type not in ("IPv4", "IPv6"):
        return []  # an unknown type has its own cause; its addresses go unchecked, as in kube
    family = ipaddress.IPv4Address if address_type == "IPv4" else ipaddress.IPv6Address
    ip = parse_ip(address)
    causes = [] if isinstance(ip, family) else [invalid(path, address, f"must be a valid {address_type} address")]
    if ip is not None and allow_special:
        return causes
    return causes + [invalid(path, address, m) for m in endpoint_ip_errors(address)]


def _hints(hints: Obj, path: str) -> list[Cause]:
    zones = _list(hints.get("forZones"))
    if len(zones) > _MAX_ZONE_HINTS:
        return [_too_many(f"{path}.forZones", len(zones), _MAX_ZONE_HINTS)]
    causes: list[Cause] = []
    seen: set[str] = set()
    for i, zone in enumerate(zones):
        name, where = _dict(zone).get("name") or "", f"{path}.forZones[{i}].name"
        if name in seen:
            causes.append(duplicate(where, name))
        seen.add(name)
        causes += [invalid(where, name, m) for m in label_value_errors(name)]
    return causes


def _endpoints(endpoints: list[Any], address_type: str, allow_special: bool) -> list[Cause]:
    if len(endpoints) > _MAX_ENDPOINTS:
        return [_too_many("endpoints", len(endpoints), _MAX_ENDPOINTS)]
    causes: list[Cause] = []
    for i, endpoint in enumerate(endpoints):
        endpoint, path = _dict(endpoint), f"endpoints[{i}]"
        addresses = _list(endpoint.get("addresses"))
        if not addresses:
            causes.append(required(f"{path}.addresses", "must contain at least 1 address"))
        elif len(addresses) > _MAX_ADDRESSES:
            causes.append(_too_many(f"{path}.addresses", len(addresses), _MAX_ADDRESSES))
        for j, address in enumerate(addresses):
            causes += _address(address, address_type, f"{path}.addresses[{j}]", allow_special)
        node_name = endpoint.get("nodeName")
        if node_name is not None:
            causes += [invalid(f"{path}.nodeName", node_name, m) for m in name_errors(node_name, "subdomain")]
        hostname = endpoint.get("hostname")
        if hostname is not None:
            causes += [invalid(f"{path}.hostname", hostname, m) for m in name_errors(hostname, "label")]
        if endpoint.get("hints") is not None:
            causes += _hints(_dict(endpoint["hints"]), f"{path}.hints")
    return causes


def _slice_ports(ports: list[Any]) -> list[Cause]:
    if len(ports) > _MAX_PORTS:
        return [_too_many("ports", len(ports), _MAX_PORTS)]
    causes: list[Cause] = []
    names: set[str] = set()
    for i, port in enumerate(ports):
        port, path = _dict(port), f"ports[{i}]"
        name = port.get("name") or ""
        if name:
            causes += [invalid(f"{path}.name", name, m) for m in name_errors(name, "label")]
        if name in names:
            causes.append(duplicate(f"{path}.name", name))
        names.add(name)
        protocol = port.get("protocol")
        if protocol is None:
            causes.append(required(f"{path}.protocol"))
        elif protocol not in _SLICE_PROTOCOLS:
            causes.append(not_supported(f"{path}.protocol", protocol, _SLICE_PROTOCOLS))
        app_protocol = port.get("appProtocol")
        if app_protocol is not None:
            causes += [invalid(f"{path}.appProtocol", app_protocol, m) for m in qualified_name_errors(app_protocol)]
    return causes


def endpoint_slice(obj: Obj, allow_special_addresses: bool = False) -> list[Cause]:
    """`allow_special_addresses` lets loopback and the other addresses kube refuses for endpoints through (the
    replicas' own `kubernetes` slices carry their advertise addresses, loopback in a local cluster)."""
    address_type = obj.get("addressType") or ""
    causes: list[Cause] = []
    if not address_type:
        causes.append(required("addressType"))
    elif address_type not in _ADDRESS_TYPES:
        causes.append(not_supported("addressType", address_type, _ADDRESS_TYPES))
    causes += _endpoints(_list(obj.get("endpoints")), address_type, allow_special_addresses)
    return causes + _slice_ports(_list(obj.get("ports")))


def endpoint_slice_update(new: Obj, old: Obj, allow_special_addresses: bool = False) -> list[Cause]:
    return endpoint_slice(new, allow_special_addresses) + _immutable(
        "addressType", new.get("addressType") or "", old.get("addressType") or "")


def endpoint_slice_warnings(obj: Obj) -> list[str]:
    return ["spec.addressType: FQDN endpoints are deprecated"] if obj.get("addressType") == "FQDN" else []
