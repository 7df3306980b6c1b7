"""Defaulting of the core/v1 kinds of api/validation/core.py, as kube 1.32's v1 defaulting (pkg/apis/core/v1)
applies it on create and update.

Resource lists are rounded up to milli precision and written back in kube's canonical form (`1.5Gi` becomes
`1536Mi`, `1000m` becomes `1`), as kube's SetDefaults_ResourceList and its JSON encoding of quantities leave them.
"""
from __future__ import annotations

from typing import Any

from apiserver.api.meta.quantity import canonical_text
from apiserver.api.meta.types import Obj


def _dict(value: Any) -> Obj | None:
    return value if isinstance(value, dict) else None


def canonical_resources(resources: Any) -> Any:
    """A copy of a resource list with each quantity as kube writes it back (anything else as it is)."""
    if not isinstance(resources, dict):
        return resources
    return {name: canonical_text(value) for name, value in resources.items()}


def _canonical_in(parent: Obj, *parts: str) -> None:
    for part in parts:
        if isinstance(parent.get(part), dict):
            parent[part] = canonical_resources(parent[part])


def _status(obj: Obj) -> Obj | None:
    """The object's status as a dict of its own: an update's status is the stored object's, shared with it, so
    defaulting works on a copy."""
    status = obj.get("status")
    if not isinstance(status, dict):
        return None
    obj["status"] = dict(status)
    return obj["status"]


def _source_defaults(spec: Obj) -> None:
    """The volume sources' own defaults (kube's SetDefaults_* and +default markers of their types)."""
    host_path = _dict(spec.get("hostPath"))
    if host_path is not None:
        host_path.setdefault("type", "")
    iscsi = _dict(spec.get("iscsi"))
    if iscsi is not None and not iscsi.get("iscsiInterface"):
        iscsi["iscsiInterface"] = "default"
    rbd = _dict(spec.get("rbd"))
    if rbd is not None:
        for field, value in (("pool", "rbd"), ("user", "admin"), ("keyring", "/etc/ceph/keyring")):
            if not rbd.get(field):
                rbd[field] = value
    azure_disk = _dict(spec.get("azureDisk"))
    if azure_disk is not None:
        disk_defaults: tuple[tuple[str, Any], ...] = (("cachingMode", "ReadWrite"), ("kind", "Shared"),
                                                      ("fsType", "ext4"), ("readOnly", False))
        for field, value in disk_defaults:
            if azure_disk.get(field) is None:
                azure_disk[field] = value
    scale_io = _dict(spec.get("scaleIO"))
    if scale_io is not None:
        for field, value in (("storageMode", "ThinProvisioned"), ("fsType", "xfs")):
            if not scale_io.get(field):
                scale_io[field] = value


def persistent_volume(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict):
        if not spec.get("persistentVolumeReclaimPolicy"):
            spec["persistentVolumeReclaimPolicy"] = "Retain"
        if spec.get("volumeMode") is None:
            spec["volumeMode"] = "Filesystem"
        _source_defaults(spec)
        _canonical_in(spec, "capacity")
    status = _status(obj)
    if status is not None and not status.get("phase"):
        status["phase"] = "Pending"


def persistent_volume_claim(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict):
        if spec.get("volumeMode") is None:
            spec["volumeMode"] = "Filesystem"
        resources = _dict(spec.get("resources"))
        if resources is not None:
            _canonical_in(resources, "requests", "limits")
    status = _status(obj)
    if status is not None:
        if not status.get("phase"):
            status["phase"] = "Pending"
        _canonical_in(status, "capacity", "allocatedResources")


def limit_range(obj: Obj) -> None:
    """A Container limit's default comes from its max, its default request from its default, then from its min."""
    for item in (_dict(obj.get("spec")) or {}).get("limits") or []:
        if not isinstance(item, dict):
            continue
        _canonical_in(item, "max", "min", "default", "defaultRequest", "maxLimitRequestRatio")
        if item.get("type") != "Container":
            continue
        default = dict(_dict(item.get("default")) or {})
        request = dict(_dict(item.get("defaultRequest")) or {})
        for name, value in (_dict(item.get("max")) or {}).items():
            default.setdefault(name, value)
        for name, value in default.items():
            request.setdefault(name, value)
        for name, value in (_dict(item.get("min")) or {}).items():
            request.setdefault(name, value)
        # Go's empty maps are left out of the JSON it writes
        for part, values in (("default", default), ("defaultRequest", request)):
            if values:
                item[part] = values


def resource_quota(obj: Obj) -> None:
    spec = _dict(obj.get("spec"))
    if spec is not None:
        _canonical_in(spec, "hard")
    status = _status(obj)
    if status is not None:
        _canonical_in(status, "hard", "used")


def node(obj: Obj) -> None:
    """Allocatable defaults to capacity; spec.podCIDR and spec.podCIDRs agree, as kube's v1 conversion makes them
    (podCIDR wins where both are set and differ)."""
    spec = _dict(obj.get("spec"))
    if spec is not None:
        single, many = spec.get("podCIDR"), spec.get("podCIDRs")
        if single and (not many or (isinstance(many, list) and many[0] != single)):
            spec["podCIDRs"] = [single]
        many = spec.get("podCIDRs")
        if isinstance(many, list) and many:
            spec["podCIDR"] = many[0]
    status = _status(obj)
    if status is not None:
        _canonical_in(status, "capacity", "allocatable")
        if status.get("allocatable") is None and isinstance(status.get("capacity"), dict):
            status["allocatable"] = dict(status["capacity"])


def endpoints(obj: Obj) -> None:
    for subset in obj.get("subsets") or []:
        for port in (subset.get("ports") or []) if isinstance(subset, dict) else []:
            if isinstance(port, dict) and not port.get("protocol"):
                port["protocol"] = "TCP"
