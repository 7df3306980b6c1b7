"""Per-kind validation of the common built-in kinds: the rules a schema cannot express, with kube-apiserver's
messages (its pkg/apis/*/validation). They run on the object after defaulting, as kube's strategies do.

Each validator takes the whole object and returns one Cause per bad field.
"""
from __future__ import annotations

import copy
from typing import Any

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.labels import (
    SelectorParseError,
    selector_from_label_selector_object,
)
from apiserver.api.meta.types import Obj
from apiserver.api.schema import schemafacts
from apiserver.api.validation.metadata import DNS1123_LABEL, name_errors

_PORT_RANGE = "must be between 1 and 65535, inclusive"


def _go(value: Any) -> str:
    """A value as Go's field errors print it: strings quoted, numbers bare, string maps spelled out."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        inner = ", ".join(f"{_go(str(k))}:{_go(v)}" for k, v in sorted(value.items()))
        return "map[string]string{" + inner + "}"
    return str(value)


def required(path: str, detail: str = "") -> Cause:
    return Cause("FieldValueRequired", "Required value" + (f": {detail}" if detail else ""), path)


def invalid(path: str, value: Any, detail: str) -> Cause:
    return Cause("FieldValueInvalid", f"Invalid value: {_go(value)}: {detail}", path)


def not_supported(path: str, value: Any, supported: tuple[str, ...]) -> Cause:
    listed = ", ".join(_go(v) for v in supported)
    return Cause("FieldValueNotSupported", f"Unsupported value: {_go(value)}: supported values: {listed}", path)


def duplicate(path: str, value: Any) -> Cause:
    return Cause("FieldValueDuplicate", f"Duplicate value: {_go(value)}", path)


def _enum(obj: Obj, model: str, field: str, path: str) -> list[Cause]:
    value = obj.get(field)
    allowed = schemafacts.ENUMS[(model, field)]
    return [] if value in (None, "") or value in allowed else [not_supported(path, value, allowed)]


def _port(value: Any, path: str, required_port: bool = True) -> list[Cause]:
    if not value:
        return [required(path)] if required_port else []
    return [] if isinstance(value, int) and 1 <= value <= 65535 else [invalid(path, value, _PORT_RANGE)]


def _container(c: Obj, path: str, seen: set[str]) -> list[Cause]:
    causes: list[Cause] = []
    name = c.get("name")
    if not name:
        causes.append(required(f"{path}.name"))
    elif name in seen:
        causes.append(duplicate(f"{path}.name", name))
    else:
        causes += [invalid(f"{path}.name", name, m) for m in name_errors(name, "label")]
        seen.add(name)
    if not c.get("image"):
        causes.append(required(f"{path}.image"))
    causes += _enum(c, "V1Container", "imagePullPolicy", f"{path}.imagePullPolicy")
    causes += _enum(c, "V1Container", "terminationMessagePolicy", f"{path}.terminationMessagePolicy")
    for i, port in enumerate(c.get("ports") or []):
        where = f"{path}.ports[{i}]"
        causes += _port(port.get("containerPort"), f"{where}.containerPort")
        causes += _port(port.get("hostPort"), f"{where}.hostPort", required_port=False)
        causes += _enum(port, "V1ContainerPort", "protocol", f"{where}.protocol")
    return causes


def pod_spec(spec: Any, path: str) -> list[Cause]:
    if not isinstance(spec, dict):
        return [required(path)]
    causes: list[Cause] = []
    seen: set[str] = set()
    containers = spec.get("containers") or []
    if not containers:
        causes.append(required(f"{path}.containers"))
    for i, c in enumerate(spec.get("initContainers") or []):
        causes += _container(c, f"{path}.initContainers[{i}]", seen)
    for i, c in enumerate(containers):
        causes += _container(c, f"{path}.containers[{i}]", seen)
    for field in ("restartPolicy", "dnsPolicy", "preemptionPolicy"):
        causes += _enum(spec, "V1PodSpec", field, f"{path}.{field}")
    return causes


def pod(obj: Obj) -> list[Cause]:
    return pod_spec(obj.get("spec"), "spec")


def _selector_string(selector: Obj) -> str:
    labels = ",".join(f"{k}:{v}" for k, v in sorted((selector.get("matchLabels") or {}).items()))
    return ("&LabelSelector{MatchLabels:map[string]string{" + labels + "},"
            "MatchExpressions:[]LabelSelectorRequirement{},}")


def _selected_template(spec: Obj, empty_message: str, path: str = "spec",
                       always_restart: bool = True) -> list[Cause]:
    """A controller's selector, required and non-empty, must select its own pod template."""
    causes: list[Cause] = []
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        causes.append(required(f"{path}.selector"))
    elif not (selector.get("matchLabels") or selector.get("matchExpressions")):
        causes.append(Cause("FieldValueInvalid", f"Invalid value: {_selector_string(selector)}: {empty_message}",
                            f"{path}.selector"))
    template = spec.get("template")
    if not isinstance(template, dict):
        return causes + [required(f"{path}.template")]
    labels = (template.get("metadata") or {}).get("labels") or {}
    if isinstance(selector, dict):
        try:
            parsed = selector_from_label_selector_object(selector)
        except SelectorParseError as exc:
            causes.append(Cause("FieldValueInvalid", f"Invalid value: {_selector_string(selector)}: {exc}",
                                f"{path}.selector"))
        else:
            if not parsed.empty() and not parsed.matches(labels):
                causes.append(invalid(f"{path}.template.metadata.labels", labels,
                                      "`selector` does not match template `labels`"))
    causes += pod_spec(template.get("spec"), f"{path}.template.spec")
    policy = (template.get("spec") or {}).get("restartPolicy")
    if always_restart and policy not in (None, "Always"):
        causes.append(not_supported(f"{path}.template.spec.restartPolicy", policy, ("Always",)))
    return causes


def _replicas(spec: Obj, path: str = "spec.replicas") -> list[Cause]:
    value = spec.get("replicas")
    return [invalid(path, value, "must be greater than or equal to 0")] if isinstance(value, int) and value < 0 \
        else []


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def deployment(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes = _replicas(spec) + _selected_template(spec, "empty selector is invalid for deployment")
    return causes + _enum(spec.get("strategy") or {}, "V1DeploymentStrategy", "type", "spec.strategy.type")


def replica_set(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    return _replicas(spec) + _selected_template(spec, "empty selector is invalid for deployment")


def stateful_set(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes = _replicas(spec) + _selected_template(spec, "empty selector is invalid for statefulset")
    causes += _enum(spec, "V1StatefulSetSpec", "podManagementPolicy", "spec.podManagementPolicy")
    return causes + _enum(spec.get("updateStrategy") or {}, "V1StatefulSetUpdateStrategy", "type",
                          "spec.updateStrategy.type")


def daemon_set(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes = _selected_template(spec, "empty selector is not valid for daemonset.")
    return causes + _enum(spec.get("updateStrategy") or {}, "V1DaemonSetUpdateStrategy", "type",
                          "spec.updateStrategy.type")


def _job_spec(spec: Obj, path: str) -> list[Cause]:
    """A Job's template must restart OnFailure or Never; its selector is generated, so it is not required."""
    template = spec.get("template")
    if not isinstance(template, dict):
        return [required(f"{path}.template")]
    causes = pod_spec(template.get("spec"), f"{path}.template.spec")
    policy = (template.get("spec") or {}).get("restartPolicy")
    if policy not in ("OnFailure", "Never"):
        causes.append(not_supported(f"{path}.template.spec.restartPolicy", policy, ("OnFailure", "Never")))
    for field in ("parallelism", "completions", "backoffLimit"):
        value = spec.get(field)
        if isinstance(value, int) and value < 0:
            causes.append(invalid(f"{path}.{field}", value, "must be greater than or equal to 0"))
    return causes + _enum(spec, "V1JobSpec", "completionMode", f"{path}.completionMode")


def job(obj: Obj) -> list[Cause]:
    return _job_spec(_spec(obj), "spec")


def cron_job(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes = [] if spec.get("schedule") else [required("spec.schedule")]
    causes += _enum(spec, "V1CronJobSpec", "concurrencyPolicy", "spec.concurrencyPolicy")
    return causes + _job_spec((spec.get("jobTemplate") or {}).get("spec") or {}, "spec.jobTemplate.spec")


def service(obj: Obj) -> list[Cause]:
    spec = _spec(obj)
    causes: list[Cause] = []
    kind = spec.get("type") or "ClusterIP"
    causes += _enum(spec, "V1ServiceSpec", "type", "spec.type")
    causes += _enum(spec, "V1ServiceSpec", "sessionAffinity", "spec.sessionAffinity")
    ports = spec.get("ports") or []
    headless = spec.get("clusterIP") == "None"
    if kind == "ExternalName":
        if not spec.get("externalName"):
            causes.append(required("spec.externalName"))
    elif not ports and not headless:
        causes.append(required("spec.ports"))
    names: set[str] = set()
    for i, port in enumerate(ports):
        where = f"spec.ports[{i}]"
        name = port.get("name")
        if len(ports) > 1 and not name:
            causes.append(required(f"{where}.name"))
        elif name and name in names:
            causes.append(duplicate(f"{where}.name", name))
        elif name and not DNS1123_LABEL.match(name):
            causes += [invalid(f"{where}.name", name, m) for m in name_errors(name, "label")]
        if name:
            names.add(name)
        number = port.get("port") or 0
        if not 1 <= number <= 65535:
            # kube checks the service port's range only: a missing port is the out-of-range 0
            causes.append(invalid(f"{where}.port", number, _PORT_RANGE))
        causes += _enum(port, "V1ServicePort", "protocol", f"{where}.protocol")
        target = port.get("targetPort")
        if isinstance(target, int) and not isinstance(target, bool):
            causes += _port(target, f"{where}.targetPort", required_port=False)
        if kind not in ("NodePort", "LoadBalancer") and port.get("nodePort"):
            causes.append(Cause("FieldValueForbidden", "Forbidden: may not be used when `type` is "
                                f"'{kind}'", f"{where}.nodePort"))
    return causes


# what an update of a pod may change (kube's ValidatePodUpdate); everything else in spec is fixed at creation
_POD_UPDATE_FORBIDDEN = ("pod updates may not change fields other than `spec.containers[*].image`,"
                         "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
                         "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set "
                         "to 1 if it was previously negative)")


def pod_update(new: Obj, old: Obj) -> list[Cause]:
    """The old spec with the changes a pod update may make taken from the new one must equal the new spec."""
    new_spec, old_spec = _spec(new), _spec(old)
    allowed = copy.deepcopy(old_spec)
    for kind in ("containers", "initContainers"):
        mine, theirs = allowed.get(kind) or [], new_spec.get(kind) or []
        if len(mine) == len(theirs):
            for container, changed in zip(mine, theirs, strict=True):
                if isinstance(changed, dict) and "image" in changed:
                    container["image"] = changed["image"]
    for field in ("activeDeadlineSeconds", "terminationGracePeriodSeconds"):
        if field in new_spec:
            allowed[field] = new_spec[field]
        else:
            allowed.pop(field, None)
    old_tolerations = old_spec.get("tolerations") or []
    new_tolerations = new_spec.get("tolerations") or []
    if all(t in new_tolerations for t in old_tolerations):
        allowed["tolerations"] = new_tolerations
        if not new_tolerations:
            allowed.pop("tolerations", None)
    gates = new_spec.get("schedulingGates")
    if gates is None or all(g in (old_spec.get("schedulingGates") or []) for g in gates):
        # scheduling gates may only be removed
        if gates:
            allowed["schedulingGates"] = gates
        else:
            allowed.pop("schedulingGates", None)
    if allowed == new_spec:
        return []
    return [Cause("FieldValueForbidden", f"Forbidden: {_POD_UPDATE_FORBIDDEN}", "spec")]
