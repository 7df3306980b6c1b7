"""The pure parts of the Service strategy: checks of its network fields before anything is allocated, and the
carrying of allocated values into an update that left them out (kube's patchAllocatedValues and
dropTypeDependentFields)."""
from __future__ import annotations

import ipaddress

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.types import Obj
from apiserver.api.validation import kinds as kindvalidation
from apiserver.registry.servicealloc import (
    held_ports,
    needs_cluster_ip,
    needs_health_check,
    needs_node_ports,
    spec_of,
)
from apiserver.registry.strategy import immutable

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def validate(svc: Obj) -> list[Cause]:
    """kube's Service checks (api/validation/kinds.py) plus the syntax of the cluster IPs a client asks for."""
    causes = kindvalidation.service(svc)
    ips = spec_of(svc).get("clusterIPs") or ([spec_of(svc)["clusterIP"]] if spec_of(svc).get("clusterIP") else [])
    for i, ip in enumerate(ips):
        if i == 0 and ip == "None":
            continue
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            causes.append(Cause("FieldValueInvalid", f"Invalid value: {quote(str(ip))}: must be a valid IP address, "
                                "(e.g. 10.9.8.7 or 2001:db8::ffff)", f"spec.clusterIPs[{i}]"))
    return causes


_cluster_ip_immutable = immutable(("spec", "clusterIP"))


def validate_update(new: Obj, old: Obj) -> list[Cause]:
    """The cluster IP is fixed for as long as the Service keeps a type that has one; so is the health check port
    while both versions need one."""
    causes: list[Cause] = []
    if needs_cluster_ip(spec_of(old)) and needs_cluster_ip(spec_of(new)):
        causes += _cluster_ip_immutable(new, old)
    if needs_health_check(spec_of(old)) and needs_health_check(spec_of(new)) and \
            spec_of(new).get("healthCheckNodePort") != spec_of(old).get("healthCheckNodePort"):
        causes.append(Cause("FieldValueForbidden", "Forbidden: field is immutable", "spec.healthCheckNodePort"))
    return causes


def prepare_update(new: Obj, old: Obj) -> None:
    spec, old_spec = new.setdefault("spec", {}), spec_of(old)
    if needs_cluster_ip(old_spec) and needs_cluster_ip(spec):
        _carry_cluster_ips(spec, old_spec)
    if needs_node_ports(old_spec) and needs_node_ports(spec):
        _carry_node_ports(spec, old_spec)
    if needs_health_check(old_spec) and needs_health_check(spec) and not spec.get("healthCheckNodePort"):
        spec["healthCheckNodePort"] = old_spec.get("healthCheckNodePort")
    _drop_type_dependent(spec, old_spec)


def _carry_cluster_ips(spec: Obj, old_spec: Obj) -> None:
    if not spec.get("clusterIP") and not spec.get("clusterIPs"):
        for key in ("clusterIP", "clusterIPs"):
            if key in old_spec:
                spec[key] = old_spec[key]


def _carry_node_ports(spec: Obj, old_spec: Obj) -> None:
    """A port that lost its nodePort gets the old one of the port with its name, unless another port took it."""
    used = held_ports({"spec": spec})
    by_name = {p.get("name", ""): p.get("nodePort") for p in old_spec.get("ports") or [] if isinstance(p, dict)}
    for port in spec.get("ports") or []:
        if isinstance(port, dict) and not port.get("nodePort"):
            old = by_name.get(port.get("name", ""))
            if old and old not in used:
                port["nodePort"] = old
                used.add(old)


def _drop_type_dependent(spec: Obj, old_spec: Obj) -> None:
    """Values the old type needed and the new one does not go away, unless the client changed them itself."""
    if needs_cluster_ip(old_spec) and not needs_cluster_ip(spec):
        for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if spec.get(key) == old_spec.get(key):
                spec.pop(key, None)
    if needs_node_ports(old_spec) and not needs_node_ports(spec):
        old_ports = [p.get("nodePort") for p in old_spec.get("ports") or [] if isinstance(p, dict)]
        new_ports = [p.get("nodePort") for p in spec.get("ports") or [] if isinstance(p, dict)]
        if old_ports == new_ports:
            for port in spec.get("ports") or []:
                port.pop("nodePort", None)
    if needs_health_check(old_spec) and not needs_health_check(spec):
        if spec.get("healthCheckNodePort") == old_spec.get("healthCheckNodePort"):
            spec.pop("healthCheckNodePort", None)
    if kindvalidation.externally_accessible(old_spec) and not kindvalidation.externally_accessible(spec):
        if spec.get("externalTrafficPolicy") == old_spec.get("externalTrafficPolicy"):
            spec.pop("externalTrafficPolicy", None)
    if old_spec.get("type") != "ExternalName" and spec.get("type") == "ExternalName":
        if spec.get("internalTrafficPolicy") == old_spec.get("internalTrafficPolicy"):
            spec.pop("internalTrafficPolicy", None)
