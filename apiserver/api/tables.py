"""Server-side printing: objects as meta.k8s.io/v1 Table rows with kube-apiserver's columns per resource.

kubectl asks for `as=Table;v=v1;g=meta.k8s.io` on get, list and watch and prints what it receives, so the
columns here are what users see. Columns with priority 1 appear only with `-o wide`.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Callable

Obj = dict[str, Any]
Cell = Callable[[Obj], Any]

TABLE_GROUP = "meta.k8s.io"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    cell: Cell
    priority: int = 0
    format: str = ""
    description: str = ""

    def definition(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "format": self.format, "description": self.description,
                "priority": self.priority}


def table_version(accept: str | None) -> str | None:
    """v1 or v1beta1 when the client's first acceptable type is a Table, else None."""
    for part in (accept or "").split(","):
        media, *raw = [p.strip() for p in part.split(";")]
        params = dict(p.split("=", 1) for p in raw if "=" in p)
        if params.get("as") == "Table" and params.get("g") == TABLE_GROUP and params.get("v") in ("v1", "v1beta1"):
            return params["v"]
        if media in ("application/json", "*/*", "application/yaml", "application/vnd.kubernetes.protobuf"):
            return None
    return None


def human_duration(seconds: float) -> str:
    """kube's HumanDuration: 45s, 5m3s, 2m, 3h, 5d, 2y..."""
    s = int(seconds)
    if s < 0:
        return "<invalid>"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = hours // 24
        return f"{days // 365}y{days % 365}d" if days % 365 else f"{days // 365}y"
    return f"{hours // (24 * 365)}y"


def _since(timestamp: str | None) -> str:
    if not timestamp:
        return "<unknown>"
    try:
        then = datetime.datetime.strptime(timestamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return "<unknown>"
    return human_duration((datetime.datetime.now(datetime.timezone.utc) - then).total_seconds())


def _get(obj: Any, *path: str, default: Any = None) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return default
        obj = obj.get(part)
    return default if obj is None else obj


def _none(value: Any) -> Any:
    return "<none>" if value in (None, "", [], {}) else value


NAME = Column("Name", "string", lambda o: _get(o, "metadata", "name", default=""), format="name",
              description="Name must be unique within a namespace.")
AGE = Column("Age", "string", lambda o: _since(_get(o, "metadata", "creationTimestamp")),
             description="CreationTimestamp is a timestamp representing the server time when this object was "
                         "created.")


def _selector(o: Obj) -> str:
    labels = _get(o, "spec", "selector", "matchLabels", default={}) or _get(o, "spec", "selector", default={})
    if not isinstance(labels, dict) or not labels or "matchExpressions" in labels:
        return "<none>"
    return ",".join(f"{k}={v}" for k, v in labels.items() if isinstance(v, str)) or "<none>"


def _containers(o: Obj, key: str) -> str:
    containers = _get(o, "spec", "template", "spec", "containers", default=[])
    return _none(",".join(c.get(key, "") for c in containers))


def _pod_ready(o: Obj) -> str:
    containers = _get(o, "spec", "containers", default=[])
    statuses = _get(o, "status", "containerStatuses", default=[])
    return f"{sum(1 for s in statuses if s.get('ready'))}/{len(containers)}"


def _pod_status(o: Obj) -> str:
    if _get(o, "metadata", "deletionTimestamp"):
        return "Terminating"
    return _get(o, "status", "reason") or _get(o, "status", "phase", default="Unknown")


def _pod_restarts(o: Obj) -> str:
    # a string, as kube prints it ("3", or "3 (5m ago)" once it knows the last restart)
    return str(sum(int(s.get("restartCount") or 0) for s in _get(o, "status", "containerStatuses", default=[])))


def _service_ports(o: Obj) -> str:
    ports = []
    for p in _get(o, "spec", "ports", default=[]):
        text = f"{p.get('port')}"
        if p.get("nodePort"):
            text += f":{p['nodePort']}"
        ports.append(f"{text}/{p.get('protocol', 'TCP')}")
    return _none(",".join(ports))


def _external_ip(o: Obj) -> str:
    ips = list(_get(o, "spec", "externalIPs", default=[]))
    ips += [i.get("ip") or i.get("hostname") for i in _get(o, "status", "loadBalancer", "ingress", default=[])]
    if ips:
        return ",".join(ips)
    if _get(o, "spec", "type") == "LoadBalancer":
        return "<pending>"
    if _get(o, "spec", "type") == "ExternalName":
        return _get(o, "spec", "externalName", default="<none>")
    return "<none>"


def _endpoints(o: Obj) -> str:
    pairs = [f"{a.get('ip')}:{p.get('port')}" for s in _get(o, "subsets", default=[])
             for a in s.get("addresses") or [] for p in s.get("ports") or [{}]]
    if len(pairs) > 3:
        return ",".join(pairs[:3]) + f" + {len(pairs) - 3} more..."
    return _none(",".join(pairs))


def _job_status(o: Obj) -> str:
    for condition in _get(o, "status", "conditions", default=[]):
        if condition.get("status") == "True" and condition.get("type") in ("Complete", "Failed", "Suspended"):
            return condition["type"]
    return "Running"


def _involved(o: Obj) -> str:
    ref = o.get("involvedObject") or o.get("regarding") or {}
    return f"{(ref.get('kind') or '').lower()}/{ref.get('name', '')}"


def _c(name: str, cell: Cell, type_: str = "string", priority: int = 0) -> Column:
    return Column(name, type_, cell, priority)


COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "pods"): [NAME, _c("Ready", _pod_ready), _c("Status", _pod_status),
                   _c("Restarts", _pod_restarts), AGE,
                   _c("IP", lambda o: _none(_get(o, "status", "podIP")), priority=1),
                   _c("Node", lambda o: _none(_get(o, "spec", "nodeName")), priority=1),
                   _c("Nominated Node", lambda o: _none(_get(o, "status", "nominatedNodeName")), priority=1),
                   _c("Readiness Gates", lambda o: _none(",".join(g.get("conditionType", "") for g in
                                                                    _get(o, "spec", "readinessGates", default=[]))),
                      priority=1)],
    ("", "namespaces"): [NAME, _c("Status", lambda o: _get(o, "status", "phase", default="")), AGE],
    ("", "configmaps"): [NAME, _c("Data", lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {}),
                                  "integer"), AGE],
    ("", "secrets"): [NAME, _c("Type", lambda o: o.get("type", "")),
                      _c("Data", lambda o: len(o.get("data") or {}) + len(o.get("stringData") or {}), "integer"),
                      AGE],
    ("", "serviceaccounts"): [NAME, _c("Secrets", lambda o: len(o.get("secrets") or []), "integer"), AGE],
    ("", "services"): [NAME, _c("Type", lambda o: _get(o, "spec", "type", default="ClusterIP")),
                       _c("Cluster-IP", lambda o: _none(_get(o, "spec", "clusterIP"))),
                       _c("External-IP", _external_ip), _c("Port(s)", _service_ports), AGE,
                       _c("Selector", lambda o: _none(",".join(f"{k}={v}" for k, v in
                                                                (_get(o, "spec", "selector") or {}).items())),
                          priority=1)],
    ("", "endpoints"): [NAME, _c("Endpoints", _endpoints), AGE],
    ("", "nodes"): [NAME, _c("Status", lambda o: "Ready" if any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in _get(o, "status", "conditions", default=[]))
        else "NotReady"), _c("Roles", lambda o: _none(",".join(
            k.split("/", 1)[1] for k in (_get(o, "metadata", "labels") or {})
            if k.startswith("node-role.kubernetes.io/")))), AGE,
        _c("Version", lambda o: _get(o, "status", "nodeInfo", "kubeletVersion", default=""))],
    ("", "events"): [_c("Last Seen", lambda o: _since(o.get("lastTimestamp") or o.get("eventTime")
                                                      or _get(o, "metadata", "creationTimestamp"))),
                     _c("Type", lambda o: o.get("type", "")), _c("Reason", lambda o: o.get("reason", "")),
                     _c("Object", _involved), _c("Message", lambda o: (o.get("message") or "").strip())],
    ("", "persistentvolumeclaims"): [NAME, _c("Status", lambda o: _get(o, "status", "phase", default="")),
                                     _c("Volume", lambda o: _get(o, "spec", "volumeName", default="")),
                                     _c("Capacity", lambda o: _get(o, "status", "capacity", "storage", default="")),
                                     _c("Access Modes", lambda o: ",".join(_get(o, "status", "accessModes",
                                                                                default=[]))),
                                     _c("StorageClass", lambda o: _get(o, "spec", "storageClassName", default="")),
                                     AGE],
    ("apps", "deployments"): [
        NAME, _c("Ready", lambda o: f"{_get(o, 'status', 'readyReplicas', default=0)}/"
                                    f"{_get(o, 'spec', 'replicas', default=0)}"),
        _c("Up-to-date", lambda o: _get(o, "status", "updatedReplicas", default=0), "integer"),
        _c("Available", lambda o: _get(o, "status", "availableReplicas", default=0), "integer"), AGE,
        _c("Containers", lambda o: _containers(o, "name"), priority=1),
        _c("Images", lambda o: _containers(o, "image"), priority=1), _c("Selector", _selector, priority=1)],
    ("apps", "replicasets"): [
        NAME, _c("Desired", lambda o: _get(o, "spec", "replicas", default=0), "integer"),
        _c("Current", lambda o: _get(o, "status", "replicas", default=0), "integer"),
        _c("Ready", lambda o: _get(o, "status", "readyReplicas", default=0), "integer"), AGE,
        _c("Containers", lambda o: _containers(o, "name"), priority=1),
        _c("Images", lambda o: _containers(o, "image"), priority=1), _c("Selector", _selector, priority=1)],
    ("apps", "statefulsets"): [
        NAME, _c("Ready", lambda o: f"{_get(o, 'status', 'readyReplicas', default=0)}/"
                                    f"{_get(o, 'spec', 'replicas', default=0)}"), AGE,
        _c("Containers", lambda o: _containers(o, "name"), priority=1),
        _c("Images", lambda o: _containers(o, "image"), priority=1)],
    ("apps", "daemonsets"): [
        NAME, _c("Desired", lambda o: _get(o, "status", "desiredNumberScheduled", default=0), "integer"),
        _c("Current", lambda o: _get(o, "status", "currentNumberScheduled", default=0), "integer"),
        _c("Ready", lambda o: _get(o, "status", "numberReady", default=0), "integer"),
        _c("Up-to-date", lambda o: _get(o, "status", "updatedNumberScheduled", default=0), "integer"),
        _c("Available", lambda o: _get(o, "status", "numberAvailable", default=0), "integer"),
        _c("Node Selector", lambda o: _none(",".join(f"{k}={v}" for k, v in (
            _get(o, "spec", "template", "spec", "nodeSelector") or {}).items()))), AGE],
    ("batch", "jobs"): [
        NAME, _c("Status", _job_status),
        _c("Completions", lambda o: f"{_get(o, 'status', 'succeeded', default=0)}/"
                                    f"{_get(o, 'spec', 'completions', default=1)}"),
        _c("Duration", lambda o: "" if not _get(o, "status", "startTime") else _since(_get(o, "status", "startTime"))),
        AGE],
    ("batch", "cronjobs"): [
        NAME, _c("Schedule", lambda o: _get(o, "spec", "schedule", default="")),
        _c("Timezone", lambda o: _none(_get(o, "spec", "timeZone"))),
        _c("Suspend", lambda o: "True" if _get(o, "spec", "suspend") else "False"),
        _c("Active", lambda o: len(_get(o, "status", "active", default=[])), "integer"),
        _c("Last Schedule", lambda o: _since(_get(o, "status", "lastScheduleTime"))
           if _get(o, "status", "lastScheduleTime") else "<none>"), AGE],
    ("coordination.k8s.io", "leases"): [NAME, _c("Holder", lambda o: _get(o, "spec", "holderIdentity",
                                                                          default="")), AGE],
    ("scheduling.k8s.io", "priorityclasses"): [NAME, _c("Value", lambda o: o.get("value", 0), "integer"),
                                               _c("Global-Default", lambda o: bool(o.get("globalDefault")),
                                                  "boolean"), AGE],
}


def columns_for(group: str, plural: str) -> list[Column]:
    return COLUMNS.get((group, plural), [NAME, AGE])


def _partial(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


def row(columns: list[Column], obj: Obj, include: str) -> dict[str, Any]:
    out: dict[str, Any] = {"cells": [c.cell(obj) for c in columns]}
    if include == "Object":
        out["object"] = obj
    elif include != "None":
        out["object"] = _partial(obj)
    return out


def to_table(group: str, plural: str, objects: list[Obj], list_meta: dict[str, Any], include: str,
             version: str = "v1", with_definitions: bool = True) -> dict[str, Any]:
    columns = columns_for(group, plural)
    return {"kind": "Table", "apiVersion": f"{TABLE_GROUP}/{version}", "metadata": list_meta,
            "columnDefinitions": [c.definition() for c in columns] if with_definitions else [],
            "rows": [row(columns, o, include) for o in objects]}
