"""kube's validation of Services (pkg/apis/core/validation ValidateService), in its order and with its messages."""
from __future__ import annotations

from typing import Any

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.labels import qualified_name_errors
from apiserver.api.meta.types import Obj
from apiserver.api.validation.kinds import (
    PROTOCOLS,
    GoValue,
    duplicate,
    forbidden,
    invalid,
    ip_errors,
    not_supported,
    port_number,
    port_number_or_name,
    required,
    spec_of,
)
from apiserver.api.validation.labelselector import label_map
from apiserver.api.validation.metadata import name_errors

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
    causes += label_map(spec.get("selector"), "spec.selector")
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
