"""The pure parts of the Service strategy: checks of its network fields before anything is allocated, and the
carrying of allocated values into an update that left them out (kube's patchAllocatedValues and
dropTypeDependentFields)."""
from __future__ import annotations

import ipaddress

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.types import Obj
from apiserver.api.validation import kinds as kindvalidation
from apiserver.api.validation import service as servicevalidation
from apiserver.registry.servicealloc import (
    held_ports,
    is_headless,
    needs_cluster_ip,
    needs_health_check,
    needs_node_ports,
    spec_of,
)

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def validate(svc: Obj) -> list[Cause]:
    """kube's Service checks (api/validation/kinds.py) plus the syntax of the cluster IPs a client asks for."""
    causes = servicevalidation.service(svc)
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


def _cluster_ips_kept(spec: Obj, old_spec: Obj) -> list[Cause]:
    """kube's validateUpgradeDowngradeClusterIPs: a secondary IP may come or go, the IPs held never change."""
    if not needs_cluster_ip(spec) or not needs_cluster_ip(old_spec) or (is_headless(spec) and is_headless(old_spec)):
        return []
    ips, old_ips = list(spec.get("clusterIPs") or []), list(old_spec.get("clusterIPs") or [])
    shown = kindvalidation.string_slice(spec.get("clusterIPs"))

    def changed(detail: str) -> Cause:
        return kindvalidation.invalid("spec.clusterIPs[0]", shown, detail)
    if len(ips) == len(old_ips):
        return [kindvalidation.invalid(f"spec.clusterIPs[{i}]", shown, "may not change once set")
                for i, (ip, before) in enumerate(zip(ips, old_ips, strict=True)) if ip != before]
    causes: list[Cause] = []
    if len(ips) < len(old_ips):
        if not ips:
            causes.append(changed("primary clusterIP can not be unset"))
        elif ips[0] != old_ips[0]:
            causes.append(changed("may not change once set"))
        if len(ips) == 1 and spec.get("ipFamilyPolicy") != "SingleStack":
            causes.append(changed("`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary "
                                  "clusterIP"))
    elif old_ips and ips[0] != old_ips[0]:
        causes.append(changed("may not change once set"))
    return causes


def validate_update(new: Obj, old: Obj) -> list[Cause]:
    """The cluster IPs are fixed for as long as the Service keeps a type that has them; so is the health check port
    while both versions need one."""
    causes = _cluster_ips_kept(spec_of(new), spec_of(old))
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
    """kube's normalizeClusterIPs on update: the plural field follows what a client that knows only the singular one
    meant."""
    if not spec.get("clusterIP") and not spec.get("clusterIPs"):
        for key in ("clusterIP", "clusterIPs"):
            if key in old_spec:
                spec[key] = old_spec[key]
        return
    old_ips = old_spec.get("clusterIPs") or []
    if old_ips and not spec.get("clusterIPs") and spec.get("clusterIP") == old_spec.get("clusterIP"):
        spec["clusterIPs"] = old_ips
    if spec.get("clusterIP") != old_spec.get("clusterIP") and spec.get("clusterIP") and \
            (spec.get("clusterIPs") or []) == old_ips:
        spec["clusterIPs"] = [spec["clusterIP"]]


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
    if servicevalidation.externally_accessible(old_spec) and not servicevalidation.externally_accessible(spec):
        if spec.get("externalTrafficPolicy") == old_spec.get("externalTrafficPolicy"):
            spec.pop("externalTrafficPolicy", None)
    if old_spec.get("type") != "ExternalName" and spec.get("type") == "ExternalName":
        if spec.get("internalTrafficPolicy") == old_spec.get("internalTrafficPolicy"):
            spec.pop("internalTrafficPolicy", None)
