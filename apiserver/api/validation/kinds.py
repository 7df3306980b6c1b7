"""Validation shared by the built-in kinds: kube's field error constructors (k8s.io/apimachinery's field package,
with Go's rendering of the bad value), label and label selector rules, and the Service checks. The pod and workload
rules live in pods.py, apps.py and batch.py. They run on the object after defaulting, as kube's strategies do.

Each validator takes the whole object and returns one Cause per bad field.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.labels import label_value_errors, qualified_name_errors
from apiserver.api.meta.types import Obj
from apiserver.api.validation.metadata import name_errors

_PORT_RANGE = "must be between 1 and 65535, inclusive"
NEGATIVE = "must be greater than or equal to 0"
IMMUTABLE = "field is immutable"


class GoValue(str):
    """A value already written the way Go's `%#v` prints it (a struct, a nil map), shown as it is."""


def _go(value: Any) -> str:
    """A value as Go's field errors print it: strings quoted, numbers bare, string maps spelled out."""
    if isinstance(value, GoValue):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return string_map(value)
    if value is None:
        return "null"
    return str(value)


def string_map(value: Mapping[str, Any] | None) -> GoValue:
    """A map[string]string as `%#v` prints it: keys sorted, a missing map is the nil map."""
    if value is None:
        return GoValue("map[string]string(nil)")
    inner = ", ".join(f"{quote(str(k))}:{quote(str(v))}" for k, v in sorted(value.items()))
    return GoValue("map[string]string{" + inner + "}")


def string_slice(values: Iterable[Any] | None) -> GoValue:
    if values is None:
        return GoValue("[]string(nil)")
    return GoValue("[]string{" + ", ".join(quote(str(v)) for v in values) + "}")


def label_selector(selector: Mapping[str, Any]) -> GoValue:
    """A metav1.LabelSelector as `%#v` prints it (kube passes the dereferenced struct, which has no String())."""
    expressions = selector.get("matchExpressions")
    if expressions is None:
        rendered = "[]v1.LabelSelectorRequirement(nil)"
    else:
        rendered = "[]v1.LabelSelectorRequirement{" + ", ".join(
            f"v1.LabelSelectorRequirement{{Key:{quote(str(e.get('key') or ''))}, "
            f"Operator:{quote(str(e.get('operator') or ''))}, Values:{string_slice(e.get('values'))}}}"
            for e in expressions if isinstance(e, dict)) + "}"
    return GoValue(f"v1.LabelSelector{{MatchLabels:{string_map(selector.get('matchLabels'))}, "
                   f"MatchExpressions:{rendered}}}")


def required(path: str, detail: str = "") -> Cause:
    return Cause("FieldValueRequired", "Required value" + (f": {detail}" if detail else ""), path)


def invalid(path: str, value: Any, detail: str) -> Cause:
    return Cause("FieldValueInvalid", f"Invalid value: {_go(value)}" + (f": {detail}" if detail else ""), path)


def not_supported(path: str, value: Any, supported: tuple[str, ...]) -> Cause:
    listed = ", ".join(_go(v) for v in supported)
    return Cause("FieldValueNotSupported", f"Unsupported value: {_go(value)}: supported values: {listed}", path)


def duplicate(path: str, value: Any) -> Cause:
    return Cause("FieldValueDuplicate", f"Duplicate value: {_go(value)}", path)


def forbidden(path: str, detail: str) -> Cause:
    return Cause("FieldValueForbidden", f"Forbidden: {detail}", path)


def not_found(path: str, value: Any) -> Cause:
    return Cause("FieldValueNotFound", f"Not found: {_go(value)}", path)


def too_long(path: str, limit: int) -> Cause:
    return Cause("FieldValueTooLong", f"Too long: must have at most {limit} bytes", path)


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def nonnegative(value: Any, path: str) -> list[Cause]:
    """kube's ValidateNonnegativeField."""
    return [invalid(path, value, NEGATIVE)] if is_int(value) and value < 0 else []


def immutable_field(new: Any, old: Any, path: str, rendered: Any = None) -> list[Cause]:
    """kube's ValidateImmutableField: nil and empty compare equal, as Semantic.DeepEqual has them."""
    if semantic(new) == semantic(old):
        return []
    return [invalid(path, new if rendered is None else rendered, IMMUTABLE)]


def semantic(value: Any) -> Any:
    """A value as Go compares typed objects: absent, null, empty lists and empty maps are all the zero value."""
    if isinstance(value, dict):
        kept = {k: semantic(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [semantic(v) for v in value]
    return value


def label_name_errors(key: str, path: str) -> list[Cause]:
    """kube's ValidateLabelName."""
    return [invalid(path, key, m) for m in qualified_name_errors(key)]


def label_errors(labels: Any, path: str) -> list[Cause]:
    """kube's ValidateLabels: every key a qualified name, every value a label value (map order made stable)."""
    if not isinstance(labels, dict):
        return []
    causes: list[Cause] = []
    for key in sorted(labels):
        causes += label_name_errors(key, path)
        value = labels[key]
        if isinstance(value, str):
            causes += [invalid(path, value, m) for m in label_value_errors(value)]
    return causes


def annotation_errors(annotations: Any, path: str) -> list[Cause]:
    """kube's ValidateAnnotations: keys are qualified names (case aside), 256 KiB in all."""
    if not isinstance(annotations, dict):
        return []
    causes: list[Cause] = []
    total = 0
    for key in sorted(annotations):
        causes += [invalid(path, key, m) for m in qualified_name_errors(key.lower())]
        value = annotations[key]
        total += len(key.encode()) + len(str(value).encode())
    if total > 256 * 1024:
        causes.append(too_long(path, 256 * 1024))
    return causes


_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def label_selector_errors(selector: Any, path: str) -> list[Cause]:
    """kube's metav1 ValidateLabelSelector (invalid label values are never allowed, as for new workloads)."""
    if not isinstance(selector, dict):
        return []
    causes = label_errors(selector.get("matchLabels"), f"{path}.matchLabels")
    for i, expression in enumerate(selector.get("matchExpressions") or []):
        where = f"{path}.matchExpressions[{i}]"
        expression = expression if isinstance(expression, dict) else {}
        operator, values = expression.get("operator") or "", expression.get("values") or []
        if operator in ("In", "NotIn"):
            if not values:
                causes.append(required(f"{where}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                causes.append(forbidden(f"{where}.values",
                                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            causes.append(invalid(f"{where}.operator", operator, "not a valid selector operator"))
        causes += label_name_errors(expression.get("key") or "", f"{where}.key")
        for j, value in enumerate(values):
            causes += [invalid(f"{where}.values[{j}]", value, m) for m in label_value_errors(str(value))]
    return causes


def spec_of(obj: Obj) -> Obj:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def port_number(value: Any, path: str) -> list[Cause]:
    """kube's IsValidPortNum."""
    return [] if is_int(value) and 1 <= value <= 65535 else [invalid(path, value, _PORT_RANGE)]


def port_name_errors(name: str) -> list[str]:
    """kube's IsValidPortName (an IANA service name)."""
    errors = []
    if len(name) > 15:
        errors.append("must be no more than 15 characters")
    if not re.fullmatch(r"[-a-z0-9]+", name):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", name):
        errors.append("must contain at least one letter (a-z)")
    if "--" in name:
        errors.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def port_number_or_name(value: Any, path: str) -> list[Cause]:
    """kube's ValidatePortNumOrName for an int-or-string port."""
    if isinstance(value, str):
        return [invalid(path, value, m) for m in port_name_errors(value)]
    return port_number(value or 0, path)


def ip_errors(value: Any, path: str) -> list[Cause]:
    """kube's IsValidIP."""
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return [invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")]
    return []


PROTOCOLS = ("SCTP", "TCP", "UDP")
_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def _service_port(port: Obj, path: str, require_name: bool, names: set[str]) -> list[Cause]:
    causes: list[Cause] = []
    name = port.get("name") or ""
    if require_name and not name:
        causes.append(required(f"{path}.name"))
    elif name:
        causes += [invalid(f"{path}.name", name, m) for m in name_errors(name, "label")]
        if name in names:
            causes.append(duplicate(f"{path}.name", name))
        names.add(name)
    causes += port_number(port.get("port") or 0, f"{path}.port")
    protocol = port.get("protocol") or ""
    if not protocol:
        causes.append(required(f"{path}.protocol"))
    elif protocol not in PROTOCOLS:
        causes.append(not_supported(f"{path}.protocol", protocol, PROTOCOLS))
    causes += port_number_or_name(port.get("targetPort"), f"{path}.targetPort")
    if isinstance(port.get("appProtocol"), str):
        causes += [invalid(f"{path}.appProtocol", port["appProtocol"], m)
                   for m in qualified_name_errors(port["appProtocol"])]
    return causes


def _service_port_key(protocol: str, number: Any) -> GoValue:
    """The (protocol, port) ServicePort kube reports a repeated port with."""
    return GoValue(f'core.ServicePort{{Name:"", Protocol:{quote(protocol)}, AppProtocol:(*string)(nil), '
                   f'Port:{number}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:""}}, NodePort:0}}')


def externally_accessible(spec: Obj) -> bool:
    kind = spec.get("type") or ""
    return kind in ("LoadBalancer", "NodePort") or (kind == "ClusterIP" and bool(spec.get("externalIPs")))


def service(obj: Obj) -> list[Cause]:
    """kube's ValidateService, less the cluster IP and IP family rules (services.py checks the IPs' syntax) and the
    load balancer class."""
    spec = spec_of(obj)
    causes: list[Cause] = []
    kind = spec.get("type") or ""
    ports = [p if isinstance(p, dict) else {} for p in spec.get("ports") or []]
    headless = (spec.get("clusterIPs") or [spec.get("clusterIP")])[0] == "None"
    if not ports and not headless and kind != "ExternalName":
        causes.append(required("spec.ports"))
    if kind in ("LoadBalancer", "NodePort") and headless:
        causes.append(invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {kind} services"))
    elif kind == "ExternalName":
        for field in ("clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if spec.get(field):
                causes.append(forbidden(f"spec.{field}", "may not be set for ExternalName services"))
        cname = str(spec.get("externalName") or "").removesuffix(".")
        if cname:
            causes += [invalid("spec.externalName", cname, m) for m in name_errors(cname, "subdomain")]
        else:
            causes.append(required("spec.externalName"))
    names: set[str] = set()
    for i, port in enumerate(ports):
        causes += _service_port(port, f"spec.ports[{i}]", len(ports) > 1, names)
    causes += label_errors(spec.get("selector"), "spec.selector")
    affinity = spec.get("sessionAffinity") or ""
    if not affinity:
        causes.append(required("spec.sessionAffinity"))
    elif affinity not in ("ClientIP", "None"):
        causes.append(not_supported("spec.sessionAffinity", affinity, ("ClientIP", "None")))
    if affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        causes.append(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"))
    for i, ip in enumerate(spec.get("externalIPs") or []):
        causes += ip_errors(ip, f"spec.externalIPs[{i}]")
    if not kind:
        causes.append(required("spec.type"))
    elif kind not in _SERVICE_TYPES:
        causes.append(not_supported("spec.type", kind, _SERVICE_TYPES))
    if kind == "ClusterIP":
        causes += [forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'")
                   for i, port in enumerate(ports) if port.get("nodePort")]
    seen_node_ports: set[tuple[str, Any]] = set()
    seen_ports: set[tuple[str, Any]] = set()
    for i, port in enumerate(ports):
        protocol = port.get("protocol") or ""
        if port.get("nodePort"):
            if (protocol, port["nodePort"]) in seen_node_ports:
                causes.append(duplicate(f"spec.ports[{i}].nodePort", port["nodePort"]))
            seen_node_ports.add((protocol, port["nodePort"]))
    for i, port in enumerate(ports):
        key = (port.get("protocol") or "", port.get("port") or 0)
        if key in seen_ports:
            causes.append(duplicate(f"spec.ports[{i}]", _service_port_key(*key)))
        seen_ports.add(key)
    if spec.get("loadBalancerSourceRanges") and kind != "LoadBalancer":
        causes.append(forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"))
    if spec.get("allocateLoadBalancerNodePorts") is not None and kind != "LoadBalancer":
        causes.append(forbidden("spec.allocateLoadBalancerNodePorts",
                                "may only be used when `type` is 'LoadBalancer'"))
    policy = spec.get("externalTrafficPolicy") or ""
    if not externally_accessible(spec):
        if policy:
            causes.append(invalid("spec.externalTrafficPolicy", policy,
                                  "may only be set for externally-accessible services"))
    elif not policy:
        causes.append(required("spec.externalTrafficPolicy"))
    elif policy not in ("Cluster", "Local"):
        causes.append(not_supported("spec.externalTrafficPolicy", policy, ("Cluster", "Local")))
    if spec.get("healthCheckNodePort") and not (kind == "LoadBalancer" and policy == "Local"):
        causes.append(invalid("spec.healthCheckNodePort", spec["healthCheckNodePort"],
                              "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
    internal = spec.get("internalTrafficPolicy")
    if internal is None and kind in ("ClusterIP", "NodePort", "LoadBalancer"):
        causes.append(required("spec.internalTrafficPolicy"))
    elif internal is not None and internal not in ("Cluster", "Local"):
        causes.append(not_supported("spec.internalTrafficPolicy", internal, ("Cluster", "Local")))
    distribution = spec.get("trafficDistribution")
    if distribution is not None and distribution != "PreferClose":
        causes.append(not_supported("spec.trafficDistribution", distribution, ("PreferClose",)))
    return causes
