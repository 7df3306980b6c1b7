"""The columns of every built-in resource, as kube-apiserver's printers define them (headers, order, cells).

One column list per resource, keyed by (group, plural); resources kube prints without a printer of their
own (roles, cluster roles, limit ranges) get its default Name / Created At table. The rules that are not
one-liners (a pod's status, a job's completions, an HPA's targets...) are the functions below.
"""
from __future__ import annotations

import datetime
from typing import Any

from apiserver.api.meta.types import Obj
from apiserver.api.printing.columns import (
    AGE,
    CREATED_AT,
    NAME,
    Column,
    bool_text,
    column,
    format_label_selector,
    format_labels,
    get,
    human_duration,
    or_text,
    parse_time,
    since,
    template_columns,
)

# --- pods -----------------------------------------------------------------------------------------------


def _terminated_at(status: Obj) -> datetime.datetime | None:
    return parse_time(get(status, "lastState", "terminated", "finishedAt"))


def _later(a: datetime.datetime | None, b: datetime.datetime | None) -> datetime.datetime | None:
    return b if a is None or (b is not None and b > a) else a


def _terminated_reason(terminated: Obj, prefix: str = "") -> str:
    if terminated.get("reason"):
        return prefix + terminated["reason"]
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode') or 0}"


def _has_condition(status: Obj, type_: str) -> bool:
    return any(c.get("type") == type_ and c.get("status") == "True" for c in status.get("conditions") or [])


def pod_summary(pod: Obj) -> tuple[str, str, str]:
    """(ready "1/2", status reason, restarts "3 (5m ago)"), following kube's pod printer step by step."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    if any(c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated"
           for c in status.get("conditions") or []):
        reason = "SchedulingGated"
    init_specs = spec.get("initContainers") or []
    # init containers that restart always are sidecars: they count as containers of the pod
    sidecars = {c.get("name") for c in init_specs if c.get("restartPolicy") == "Always"}
    total = len(spec.get("containers") or []) + len(sidecars)
    ready = restarts = sidecar_restarts = 0
    last_restart = last_sidecar_restart = None
    initializing = False
    for index, container in enumerate(status.get("initContainerStatuses") or []):
        restarts += int(container.get("restartCount") or 0)
        last_restart = _later(last_restart, _terminated_at(container))
        sidecar = container.get("name") in sidecars
        if sidecar:
            sidecar_restarts += int(container.get("restartCount") or 0)
            last_sidecar_restart = _later(last_sidecar_restart, _terminated_at(container))
        state = container.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and not terminated.get("exitCode"):
            continue
        if sidecar and container.get("started"):
            ready += 1 if container.get("ready") else 0
            continue
        if terminated is not None:
            reason = _terminated_reason(terminated, "Init:")
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break
    if not initializing or _has_condition(status, "Initialized"):
        restarts, last_restart = sidecar_restarts, last_sidecar_restart
        running = False
        for container in reversed(status.get("containerStatuses") or []):
            restarts += int(container.get("restartCount") or 0)
            last_restart = _later(last_restart, _terminated_at(container))
            state = container.get("state") or {}
            terminated, waiting = state.get("terminated"), state.get("waiting")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated)
            elif container.get("ready") and state.get("running") is not None:
                running = True
                ready += 1
        if reason == "Completed" and running:
            reason = "Running" if _has_condition(status, "Ready") else "NotReady"
    deleting = get(pod, "metadata", "deletionTimestamp")
    if deleting and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    restart_text = str(restarts)
    if restarts and last_restart is not None:
        restart_text = f"{restarts} ({since(last_restart.isoformat())} ago)"
    return f"{ready}/{total}", reason, restart_text


def _readiness_gates(pod: Obj) -> str:
    gates = get(pod, "spec", "readinessGates", default=[])
    if not gates:
        return "<none>"
    conditions = {c.get("type"): c.get("status") for c in get(pod, "status", "conditions", default=[])}
    true = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
    return f"{true}/{len(gates)}"


def _pod_ip(pod: Obj) -> str:
    ips = get(pod, "status", "podIPs", default=[])
    return or_text(ips[0].get("ip") if ips else "", "<none>")


# --- services, endpoints, ingresses -------------------------------------------------------------------


def _load_balancer_addresses(status: Obj) -> list[str]:
    found = {i.get("ip") or i.get("hostname") for i in get(status, "loadBalancer", "ingress", default=[])}
    return sorted(a for a in found if a)


def _external_ip(svc: Obj) -> str:
    external = list(get(svc, "spec", "externalIPs", default=[]))
    kind = get(svc, "spec", "type", default="")
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if kind == "LoadBalancer":
        found = _load_balancer_addresses(svc.get("status") or {}) + external
        return ",".join(found) or "<pending>"
    if kind == "ExternalName":
        return get(svc, "spec", "externalName", default="")
    return "<unknown>"


def _service_ports(svc: Obj) -> str:
    pieces = []
    for port in get(svc, "spec", "ports", default=[]):
        node = f":{port['nodePort']}" if port.get("nodePort") else ""
        pieces.append(f"{port.get('port', 0)}{node}/{port.get('protocol', '')}")
    return ",".join(pieces) or "<none>"


def _cluster_ip(svc: Obj) -> str:
    ips = get(svc, "spec", "clusterIPs", default=[]) or [get(svc, "spec", "clusterIP", default="")]
    return or_text(ips[0], "<none>")


def _with_more(items: list[str], count: int, limit: int, empty: str) -> str:
    text = ",".join(items[:limit])
    if count > limit:
        return f"{text} + {count - limit} more..."
    return text or empty


def _endpoints(ep: Obj) -> str:
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    listed: list[str] = []
    for subset in subsets:
        addresses = [a.get("ip", "") for a in subset.get("addresses") or []]
        ports = subset.get("ports") or []
        if not ports:
            # headless services may publish addresses without ports
            listed += addresses
        for port in ports:
            listed += [_host_port(ip, port.get("port", 0)) for ip in addresses]
    return _with_more(listed, len(listed), 3, "")


def _host_port(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _slice_ports(eps: Obj) -> str:
    ports = eps.get("ports") or []
    names = [str(p["port"]) if p.get("port") is not None else p.get("name") or "*" for p in ports]
    return _with_more(names, len(names), 3, "<unset>")


def _slice_endpoints(eps: Obj) -> str:
    addresses = [a for e in eps.get("endpoints") or [] for a in e.get("addresses") or []]
    return _with_more(addresses, len(addresses), 3, "<unset>")


def _ingress_hosts(ing: Obj) -> str:
    rules = get(ing, "spec", "rules", default=[])
    hosts: list[str] = []
    more = False
    for rule in rules:
        more = more or len(hosts) == 3
        if not more and rule.get("host"):
            hosts.append(rule["host"])
    if not hosts:
        return "*"
    return ",".join(hosts) + (f" + {len(rules) - 3} more..." if more else "")


def _ingress_class_parameters(ic: Obj) -> str:
    params = get(ic, "spec", "parameters")
    if not params:
        return "<none>"
    group = f".{params['apiGroup']}" if params.get("apiGroup") is not None else ""
    return f"{params.get('kind', '')}{group}/{params.get('name', '')}"


# --- nodes and storage -----------------------------------------------------------------------------------


def _node_status(node: Obj) -> str:
    ready = next((c for c in get(node, "status", "conditions", default=[]) if c.get("type") == "Ready"), None)
    states = ["Unknown"] if ready is None else ["Ready" if ready.get("status") == "True" else "NotReady"]
    if get(node, "spec", "unschedulable"):
        states.append("SchedulingDisabled")
    return ",".join(states)


def _node_roles(node: Obj) -> str:
    roles = set()
    for key, value in (get(node, "metadata", "labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/") and key != "node-role.kubernetes.io/":
            roles.add(key.removeprefix("node-role.kubernetes.io/"))
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def _node_address(kind: str) -> Any:
    return lambda node: next((a.get("address") for a in get(node, "status", "addresses", default=[])
                              if a.get("type") == kind), "<none>")


_ACCESS_MODES = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"),
                 ("ReadWriteOncePod", "RWOP"))


def _access_modes(modes: Any) -> str:
    present = set(modes or [])
    return ",".join(short for mode, short in _ACCESS_MODES if mode in present)


def _storage_class(obj: Obj) -> str:
    # the beta annotation still wins over the field, as kube's helper has it
    annotation = (get(obj, "metadata", "annotations") or {}).get("volume.beta.kubernetes.io/storage-class")
    return annotation if annotation is not None else get(obj, "spec", "storageClassName", default="")


def _pv_phase(obj: Obj) -> str:
    return "Terminating" if get(obj, "metadata", "deletionTimestamp") else get(obj, "status", "phase", default="")


def _claim_ref(pv: Obj) -> str:
    ref = get(pv, "spec", "claimRef")
    return f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""


def _pvc_bound(pvc: Obj, cell: Any) -> Any:
    return cell if get(pvc, "spec", "volumeName") else ""


def _storage_class_name(sc: Obj) -> str:
    annotations = get(sc, "metadata", "annotations") or {}
    default = any(annotations.get(k) == "true" for k in ("storageclass.kubernetes.io/is-default-class",
                                                          "storageclass.beta.kubernetes.io/is-default-class"))
    return get(sc, "metadata", "name", default="") + (" (default)" if default else "")


def _token_requests(driver: Obj) -> str:
    requests = get(driver, "spec", "tokenRequests")
    return "<unset>" if requests is None else ",".join(r.get("audience", "") for r in requests)


def _quota(kind: str) -> Any:
    """A ResourceQuota's Request or Limit cell: `name: used/hard` for its resources, in name order."""
    def cell(quota: Obj) -> str:
        hard, used = get(quota, "status", "hard", default={}), get(quota, "status", "used", default={})
        pieces = [f"{name}: {used.get(name, '0')}/{hard[name]}" for name in sorted(hard)
                  if (name.split(".", 1)[0] == "limits" and "." in name) == (kind == "limits")]
        return ", ".join(pieces)

    return cell


# --- workloads ----------------------------------------------------------------------------------------


def _job_completions(job: Obj) -> str:
    succeeded = get(job, "status", "succeeded", default=0)
    completions = get(job, "spec", "completions")
    if completions is not None:
        return f"{succeeded}/{completions}"
    parallelism = get(job, "spec", "parallelism", default=0)
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def _job_duration(job: Obj) -> str:
    start = parse_time(get(job, "status", "startTime"))
    if start is None:
        return ""
    end = parse_time(get(job, "status", "completionTime")) or datetime.datetime.now(datetime.UTC)
    return human_duration((end - start).total_seconds())


def _job_status(job: Obj) -> str:
    conditions = {c.get("type"): c.get("status") for c in get(job, "status", "conditions", default=[])}
    for type_ in ("Complete", "Failed"):
        if conditions.get(type_) == "True":
            return type_
    if get(job, "metadata", "deletionTimestamp"):
        return "Terminating"
    for type_ in ("Suspended", "FailureTarget"):
        if conditions.get(type_) == "True":
            return type_
    return "Running"


def _int_or_string(value: Any) -> str:
    return "N/A" if value is None else str(value)


def _controller_of(obj: Obj) -> str:
    ref = next((r for r in get(obj, "metadata", "ownerReferences", default=[]) if r.get("controller")), None)
    if ref is None:
        return "<none>"
    group = ref.get("apiVersion", "").rpartition("/")[0]
    kind = f"{ref.get('kind', '')}.{group}" if group else ref.get("kind", "")
    return f"{kind.lower()}/{ref.get('name', '')}" if kind else ref.get("name", "")


def _hpa_targets(hpa: Obj) -> str:
    specs = get(hpa, "spec", "metrics", default=[])
    if not specs:
        return "<none>"
    statuses = get(hpa, "status", "currentMetrics", default=[])
    listed = [_hpa_metric(spec, statuses[i] if i < len(statuses) else {}) for i, spec in enumerate(specs)]
    text = ", ".join(listed[:2])
    return f"{text} + {len(listed) - 2} more..." if len(listed) > 2 else text


def _hpa_metric(spec: Obj, status: Obj) -> str:
    kind = spec.get("type")
    key = {"External": "external", "Pods": "pods", "Object": "object", "Resource": "resource",
           "ContainerResource": "containerResource"}.get(kind or "")
    if key is None:
        return "<unknown type>"
    source, reported = spec.get(key) or {}, status.get(key) is not None
    current = get(status, key, "current", default={})
    target = source.get("target") or {}

    def shown(field: str) -> str:
        return str(current.get(field, "0")) if reported else "<unknown>"

    if key == "pods":
        return f"{shown('averageValue')}/{target.get('averageValue', '0')}"
    if key in ("external", "object"):
        if target.get("averageValue") is not None:
            value = current.get("averageValue") if reported else None
            return f"{or_text(value, '<unknown>')}/{target['averageValue']} (avg)"
        return f"{shown('value')}/{target.get('value', '0')}"
    name = source.get("name", "")
    if target.get("averageValue") is not None:
        return f"{name}: {shown('averageValue')}/{target['averageValue']}"
    utilization = get(current, "averageUtilization")
    have = f"{utilization}%" if utilization is not None else "<unknown>"
    wanted = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
    return f"{name}: {have}/{wanted}"


def _csr_condition(csr: Obj) -> str:
    types = {c.get("type") for c in get(csr, "status", "conditions", default=[])}
    text = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    if "Failed" in types:
        text += ",Failed"
    if get(csr, "status", "certificate"):
        text += ",Issued"
    return text


def _subjects(kind: str) -> Any:
    def cell(binding: Obj) -> str:
        subjects = [s for s in binding.get("subjects") or [] if s.get("kind") == kind]
        if kind == "ServiceAccount":
            return ", ".join(f"{s.get('namespace', '')}/{s.get('name', '')}" for s in subjects)
        return ", ".join(s.get("name", "") for s in subjects)

    return cell


# --- events -------------------------------------------------------------------------------------------


def _event_first_seen(event: Obj) -> str:
    return since(event.get("firstTimestamp") or event.get("eventTime"))


def _event_last_seen(event: Obj) -> str:
    if event.get("series"):
        return since(get(event, "series", "lastObservedTime"))
    return since(event["lastTimestamp"]) if event.get("lastTimestamp") else _event_first_seen(event)


def _event_count(event: Obj) -> int:
    if event.get("series"):
        return int(get(event, "series", "count", default=0))
    return int(event.get("count") or 0) or 1


def _event_object(event: Obj) -> str:
    ref = event.get("involvedObject") or {}
    kind = (ref.get("kind") or "").lower()
    return f"{kind}/{ref['name']}" if ref.get("name") else kind


def _event_source(event: Obj) -> str:
    component = get(event, "source", "component") or event.get("reportingComponent") or ""
    instance = get(event, "source", "host") or event.get("reportingInstance") or ""
    return f"{component}, {instance}" if instance else component


_EVENT_COLUMNS = [
    column("Last Seen", _event_last_seen),
    column("Type", lambda e: e.get("type") or ""),
    column("Reason", lambda e: e.get("reason") or ""),
    column("Object", _event_object),
    column("Subobject", lambda e: get(e, "involvedObject", "fieldPath", default=""), priority=1),
    column("Source", _event_source, priority=1),
    column("Message", lambda e: (e.get("message") or "").strip()),
    column("First Seen", _event_first_seen, priority=1),
    column("Count", _event_count, priority=1),
    Column("Name", "string", NAME.cell, priority=1, format="name", description=NAME.description),
]

# --- the table ----------------------------------------------------------------------------------------


def _template_containers(obj: Obj) -> Any:
    return get(obj, "spec", "template", "spec", "containers", default=[])


def _ready_of_desired(obj: Obj) -> str:
    return f"{get(obj, 'status', 'readyReplicas', default=0)}/{get(obj, 'spec', 'replicas', default=0)}"


def _selector(obj: Obj) -> str:
    return format_label_selector(get(obj, "spec", "selector"))


def _deployment_selector(obj: Obj) -> str:
    # unlike the other workloads, kube prints a deployment's selector bare: "" rather than <none>
    text = format_label_selector(get(obj, "spec", "selector"))
    return "" if text == "<none>" else text.replace("<error>", "<invalid>")


def _status_int(*path: str) -> Any:
    return lambda o: int(get(o, "status", *path, default=0))


def _rbac_binding() -> list[Column]:
    return [NAME, column("Role", lambda o: f"{get(o, 'roleRef', 'kind', default='')}/"
                                           f"{get(o, 'roleRef', 'name', default='')}"), AGE,
            column("Users", _subjects("User"), priority=1), column("Groups", _subjects("Group"), priority=1),
            column("ServiceAccounts", _subjects("ServiceAccount"), priority=1)]


_WEBHOOK_CONFIGURATION = [
    NAME, column("Webhooks", lambda o: len(o.get("webhooks") or []), "integer",
                 description="Webhooks indicates the number of webhooks registered in this configuration"), AGE]
_POD = [
    NAME,
    column("Ready", lambda o: pod_summary(o)[0],
           description="The aggregate readiness state of this pod for accepting traffic."),
    column("Status", lambda o: pod_summary(o)[1], description="The aggregate status of the containers in this pod."),
    column("Restarts", lambda o: pod_summary(o)[2],
           description="The number of times the containers in this pod have been restarted and when the last "
                       "container in this pod has restarted."),
    AGE,
    column("IP", _pod_ip, priority=1),
    column("Node", lambda o: or_text(get(o, "spec", "nodeName"), "<none>"), priority=1),
    column("Nominated Node", lambda o: or_text(get(o, "status", "nominatedNodeName"), "<none>"), priority=1),
    column("Readiness Gates", _readiness_gates, priority=1),
]

COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "pods"): _POD,
    ("", "podtemplates"): [
        NAME,
        column("Containers", lambda o: ",".join(c.get("name", "") for c in get(
            o, "template", "spec", "containers", default=[])), description="Names of each container in the template."),
        column("Images", lambda o: ",".join(c.get("image", "") for c in get(
            o, "template", "spec", "containers", default=[])),
            description="Images referenced by each container in the template."),
        column("Pod Labels", lambda o: format_labels(get(o, "template", "metadata", "labels")),
               description="The labels for the pod template.")],
    ("", "replicationcontrollers"): [
        NAME, column("Desired", lambda o: int(get(o, "spec", "replicas", default=0)), "integer"),
        column("Current", _status_int("replicas"), "integer"), column("Ready", _status_int("readyReplicas"), "integer"),
        AGE, *template_columns(_template_containers, lambda o: format_labels(get(o, "spec", "selector")))],
    ("", "namespaces"): [NAME, column("Status", lambda o: get(o, "status", "phase", default=""),
                                      description="The status of the namespace"), AGE],
    ("", "configmaps"): [NAME, column("Data", lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {})),
                         AGE],
    ("", "secrets"): [NAME, column("Type", lambda o: o.get("type", "")),
                      column("Data", lambda o: len(o.get("data") or {})), AGE],
    ("", "serviceaccounts"): [NAME, column("Secrets", lambda o: len(o.get("secrets") or [])), AGE],
    ("", "services"): [
        NAME, column("Type", lambda o: get(o, "spec", "type", default="")), column("Cluster-IP", _cluster_ip),
        column("External-IP", _external_ip), column("Port(s)", _service_ports), AGE,
        column("Selector", lambda o: format_labels(get(o, "spec", "selector")), priority=1)],
    ("", "endpoints"): [NAME, column("Endpoints", _endpoints), AGE],
    ("", "nodes"): [
        NAME, column("Status", _node_status, description="The status of the node"),
        column("Roles", _node_roles, description="The roles of the node"), AGE,
        column("Version", lambda o: get(o, "status", "nodeInfo", "kubeletVersion", default="")),
        column("Internal-IP", _node_address("InternalIP"), priority=1),
        column("External-IP", _node_address("ExternalIP"), priority=1),
        column("OS-Image", lambda o: or_text(get(o, "status", "nodeInfo", "osImage"), "<unknown>"), priority=1),
        column("Kernel-Version", lambda o: or_text(get(o, "status", "nodeInfo", "kernelVersion"), "<unknown>"),
               priority=1),
        column("Container-Runtime", lambda o: or_text(get(o, "status", "nodeInfo", "containerRuntimeVersion"),
                                                      "<unknown>"), priority=1)],
    ("", "events"): _EVENT_COLUMNS,
    ("events.k8s.io", "events"): _EVENT_COLUMNS,
    ("", "persistentvolumes"): [
        NAME, column("Capacity", lambda o: get(o, "spec", "capacity", "storage", default="0")),
        column("Access Modes", lambda o: _access_modes(get(o, "spec", "accessModes"))),
        column("Reclaim Policy", lambda o: get(o, "spec", "persistentVolumeReclaimPolicy", default="")),
        column("Status", _pv_phase), column("Claim", _claim_ref),
        column("StorageClass", _storage_class, description="StorageClass of the pv"),
        column("VolumeAttributesClass", lambda o: get(o, "spec", "volumeAttributesClassName", default="<unset>"),
               description="VolumeAttributesClass of the pv"),
        column("Reason", lambda o: get(o, "status", "reason", default="")), AGE,
        column("VolumeMode", lambda o: get(o, "spec", "volumeMode", default="<unset>"), priority=1)],
    ("", "persistentvolumeclaims"): [
        NAME, column("Status", _pv_phase), column("Volume", lambda o: get(o, "spec", "volumeName", default="")),
        column("Capacity", lambda o: _pvc_bound(o, get(o, "status", "capacity", "storage", default="0"))),
        column("Access Modes", lambda o: _pvc_bound(o, _access_modes(get(o, "status", "accessModes")))),
        column("StorageClass", _storage_class, description="StorageClass of the pvc"),
        column("VolumeAttributesClass", lambda o: get(o, "spec", "volumeAttributesClassName", default="<unset>"),
               description="VolumeAttributesClass of the pvc"), AGE,
        column("VolumeMode", lambda o: get(o, "spec", "volumeMode", default="<unset>"), priority=1)],
    ("", "limitranges"): [NAME, CREATED_AT],
    ("", "resourcequotas"): [NAME, column("Request", _quota("requests")), column("Limit", _quota("limits")), AGE],
    ("apps", "deployments"): [
        NAME, column("Ready", _ready_of_desired, description="Number of the pod with ready state"),
        column("Up-to-date", _status_int("updatedReplicas")), column("Available", _status_int("availableReplicas")),
        AGE, *template_columns(_template_containers, _deployment_selector)],
    ("apps", "replicasets"): [
        NAME, column("Desired", lambda o: int(get(o, "spec", "replicas", default=0)), "integer"),
        column("Current", _status_int("replicas"), "integer"), column("Ready", _status_int("readyReplicas"), "integer"),
        AGE, *template_columns(_template_containers, _selector)],
    ("apps", "statefulsets"): [
        NAME, column("Ready", _ready_of_desired, description="Number of the pod with ready state"), AGE,
        *template_columns(_template_containers)],
    ("apps", "daemonsets"): [
        NAME, column("Desired", _status_int("desiredNumberScheduled"), "integer"),
        column("Current", _status_int("currentNumberScheduled"), "integer"),
        column("Ready", _status_int("numberReady"), "integer"),
        column("Up-to-date", _status_int("updatedNumberScheduled"), "integer"),
        column("Available", _status_int("numberAvailable"), "integer"),
        column("Node Selector", lambda o: format_labels(get(o, "spec", "template", "spec", "nodeSelector"))), AGE,
        *template_columns(_template_containers, _selector)],
    ("apps", "controllerrevisions"): [
        NAME, column("Controller", _controller_of, description="Controller of the object"),
        column("Revision", lambda o: int(o.get("revision") or 0)), AGE],
    ("batch", "jobs"): [
        NAME, column("Status", _job_status, description="Status of the job."),
        column("Completions", _job_completions), column("Duration", _job_duration,
                                                        description="Time required to complete the job."),
        AGE, *template_columns(_template_containers, _selector)],
    ("batch", "cronjobs"): [
        NAME, column("Schedule", lambda o: get(o, "spec", "schedule", default="")),
        column("Timezone", lambda o: get(o, "spec", "timeZone", default="<none>")),
        column("Suspend", lambda o: bool_text(get(o, "spec", "suspend")), "boolean"),
        column("Active", lambda o: len(get(o, "status", "active", default=[])), "integer"),
        column("Last Schedule", lambda o: since(get(o, "status", "lastScheduleTime"))
               if get(o, "status", "lastScheduleTime") else "<none>"), AGE,
        *template_columns(lambda o: get(o, "spec", "jobTemplate", "spec", "template", "spec", "containers",
                                        default=[]),
                          lambda o: format_label_selector(get(o, "spec", "jobTemplate", "spec", "selector")))],
    ("autoscaling", "horizontalpodautoscalers"): [
        NAME, column("Reference", lambda o: f"{get(o, 'spec', 'scaleTargetRef', 'kind', default='')}/"
                                            f"{get(o, 'spec', 'scaleTargetRef', 'name', default='')}"),
        column("Targets", _hpa_targets),
        column("MinPods", lambda o: str(get(o, "spec", "minReplicas", default="<unset>"))),
        column("MaxPods", lambda o: int(get(o, "spec", "maxReplicas", default=0))),
        column("Replicas", _status_int("currentReplicas")), AGE],
    ("coordination.k8s.io", "leases"): [NAME, column("Holder", lambda o: get(o, "spec", "holderIdentity",
                                                                             default="")), AGE],
    ("rbac.authorization.k8s.io", "roles"): [NAME, CREATED_AT],
    ("rbac.authorization.k8s.io", "clusterroles"): [NAME, CREATED_AT],
    ("rbac.authorization.k8s.io", "rolebindings"): _rbac_binding(),
    ("rbac.authorization.k8s.io", "clusterrolebindings"): _rbac_binding(),
    ("storage.k8s.io", "storageclasses"): [
        Column("Name", "string", _storage_class_name, format="name", description=NAME.description),
        column("Provisioner", lambda o: o.get("provisioner", "")),
        column("ReclaimPolicy", lambda o: o.get("reclaimPolicy") or "Delete"),
        column("VolumeBindingMode", lambda o: o.get("volumeBindingMode") or "Immediate"),
        column("AllowVolumeExpansion", lambda o: bool(o.get("allowVolumeExpansion"))), AGE],
    ("storage.k8s.io", "csidrivers"): [
        NAME, column("AttachRequired", lambda o: get(o, "spec", "attachRequired", default=True), "boolean"),
        column("PodInfoOnMount", lambda o: bool(get(o, "spec", "podInfoOnMount")), "boolean"),
        column("StorageCapacity", lambda o: bool(get(o, "spec", "storageCapacity")), "boolean"),
        column("TokenRequests", _token_requests),
        column("RequiresRepublish", lambda o: bool(get(o, "spec", "requiresRepublish")), "boolean"),
        column("Modes", lambda o: ",".join(get(o, "spec", "volumeLifecycleModes", default=[])) or "<none>"), AGE],
    ("storage.k8s.io", "csinodes"): [
        NAME, column("Drivers", lambda o: len(get(o, "spec", "drivers", default=[])), "integer",
                     description="Drivers indicates the number of CSI drivers registered on the node"), AGE],
    ("storage.k8s.io", "csistoragecapacities"): [
        NAME, column("StorageClassName", lambda o: o.get("storageClassName", "")),
        column("Capacity", lambda o: o.get("capacity") or "<unset>")],
    ("storage.k8s.io", "volumeattachments"): [
        NAME, Column("Attacher", "string", lambda o: get(o, "spec", "attacher", default=""), format="name"),
        column("PV", lambda o: get(o, "spec", "source", "persistentVolumeName", default="")),
        column("Node", lambda o: get(o, "spec", "nodeName", default="")),
        column("Attached", lambda o: bool(get(o, "status", "attached")), "boolean"), AGE],
    ("scheduling.k8s.io", "priorityclasses"): [
        NAME, column("Value", lambda o: int(o.get("value") or 0), "integer"),
        column("Global-Default", lambda o: bool(o.get("globalDefault")), "boolean"), AGE,
        column("PreemptionPolicy", lambda o: o.get("preemptionPolicy") or "")],
    ("networking.k8s.io", "ingresses"): [
        NAME, column("Class", lambda o: get(o, "spec", "ingressClassName", default="<none>"),
                     description="The name of the IngressClass resource that should be used for additional "
                                 "configuration"),
        column("Hosts", _ingress_hosts,
               description="Hosts that incoming requests are matched against before the ingress rule"),
        column("Address", lambda o: ",".join(_load_balancer_addresses(o.get("status") or {})),
               description="Address is a list containing ingress points for the load-balancer"),
        column("Ports", lambda o: "80, 443" if get(o, "spec", "tls") else "80",
               description="Ports of TLS configurations that open"), AGE],
    ("networking.k8s.io", "ingressclasses"): [
        NAME, column("Controller", lambda o: get(o, "spec", "controller", default=""),
                     description="Controller that is responsible for handling this class"),
        column("Parameters", _ingress_class_parameters,
               description="A reference to a resource with additional parameters"), AGE],
    ("networking.k8s.io", "networkpolicies"): [
        NAME, column("Pod-Selector", lambda o: format_label_selector(get(o, "spec", "podSelector", default={}))), AGE],
    ("node.k8s.io", "runtimeclasses"): [NAME, column("Handler", lambda o: o.get("handler", "")), AGE],
    ("discovery.k8s.io", "endpointslices"): [
        NAME, column("AddressType", lambda o: o.get("addressType", "")), column("Ports", _slice_ports),
        column("Endpoints", _slice_endpoints), AGE],
    ("policy", "poddisruptionbudgets"): [
        NAME, column("Min Available", lambda o: _int_or_string(get(o, "spec", "minAvailable")),
                     description="The minimum number of pods that must be available."),
        column("Max Unavailable", lambda o: _int_or_string(get(o, "spec", "maxUnavailable")),
               description="The maximum number of pods that may be unavailable."),
        column("Allowed Disruptions", _status_int("disruptionsAllowed"), "integer",
               description="Calculated number of pods that may be disrupted at this time."), AGE],
    ("certificates.k8s.io", "certificatesigningrequests"): [
        NAME, AGE, column("SignerName", lambda o: get(o, "spec", "signerName") or "<none>"),
        column("Requestor", lambda o: get(o, "spec", "username", default="")),
        column("RequestedDuration", lambda o: human_duration(get(o, "spec", "expirationSeconds"))
               if get(o, "spec", "expirationSeconds") is not None else "<none>"),
        column("Condition", _csr_condition)],
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): _WEBHOOK_CONFIGURATION,
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): _WEBHOOK_CONFIGURATION,
}
