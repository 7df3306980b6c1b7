"""The strategy hooks of pods and the workload kinds (kube's pkg/registry/{core/pod,apps,batch}/*/strategy.go):
what create and update set or keep, the validation of creates, updates and status writes in kube's order, and the
warnings kube returns with an accepted write."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.types import Obj
from apiserver.api.validation import batch, pods
from apiserver.api.validation.kinds import semantic
from apiserver.api.validation.podwarnings import name_warning, pod_warnings, template_warnings

TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"
POD_NAMES = "Pod names and hostnames"

Validator = Callable[[Obj], list[Cause]]
UpdateValidator = Callable[[Obj, Obj], list[Cause]]
Warnings = Callable[[Obj, Obj | None], list[str]]


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _meta(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = obj["metadata"] = {}
    return meta


def _name(obj: Obj) -> str:
    return str(_meta(obj).get("name") or "")


def _generation_changed(new: Obj, old: Obj) -> bool:
    return _dict(new.get("metadata")).get("generation") != _dict(old.get("metadata")).get("generation")


def _template(obj: Obj) -> Any:
    return _dict(obj.get("spec")).get("template")


def whole_then_update(validator: Validator, update: UpdateValidator) -> UpdateValidator:
    """kube's ValidateUpdate of these kinds: the new object as on create, then what the update changed."""
    return lambda new, old: validator(new) + update(new, old)


# --- Pod --------------------------------------------------------------------------------------------------------

GATED = {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated",
         "message": "Scheduling is blocked due to non-empty scheduling gates"}


def pod_prepare_create(obj: Obj) -> None:
    """A pod held by scheduling gates says so in its PodScheduled condition from the start."""
    if _dict(obj.get("spec")).get("schedulingGates"):
        status = obj.setdefault("status", {})
        conditions = status.setdefault("conditions", [])
        if not any(_dict(c).get("type") == "PodScheduled" for c in conditions):
            conditions.append(dict(GATED))


def pod_validate_create(obj: Obj) -> list[Cause]:
    return pods.pod(obj) + pods.pod_create(obj)


def pod_warnings_on_create(new: Obj, old: Obj | None) -> list[str]:
    """kube warns about a new pod only: it skips pod updates, a high-frequency path humans rarely take."""
    if old is not None:
        return []
    return name_warning(_name(new), "the Pod's hostname") + pod_warnings(new.get("spec"), new.get("metadata"))


def pod_status_write(sent: Obj | None, stored: Obj | None) -> Obj | None:
    """The QoS class is fixed at creation: a status write that leaves it out keeps it."""
    if isinstance(sent, dict) and not sent.get("qosClass") and _dict(stored).get("qosClass"):
        return {**sent, "qosClass": _dict(stored)["qosClass"]}
    return sent


# --- the apps kinds ---------------------------------------------------------------------------------------------

def workload_warnings(name_used: bool) -> Warnings:
    """A workload's warnings: its name (where pods are named after it) and its template on create, the template
    again on an update that changed the spec."""
    def warnings(new: Obj, old: Obj | None) -> list[str]:
        if old is None:
            named = name_warning(_name(new), POD_NAMES) if name_used else []
            return named + template_warnings(_template(new), "spec.template")
        if _generation_changed(new, old):
            return template_warnings(_template(new), "spec.template")
        return []
    return warnings


def deployment_prepare_update(new: Obj, old: Obj) -> None:
    """Deployments copy their annotations to their ReplicaSets, so annotation changes bump the generation too."""
    if semantic(_meta(new).get("annotations")) != semantic(_meta(old).get("annotations")):
        _meta(new)["generation"] = int(_meta(old).get("generation") or 0) + 1


def _template_generation(obj: Obj) -> int:
    try:
        return int(_dict(_meta(obj).get("annotations")).get(TEMPLATE_GENERATION) or 0)
    except ValueError:
        return 0


def _set_template_generation(obj: Obj, value: int) -> None:
    annotations = _meta(obj).get("annotations")
    if not isinstance(annotations, dict):
        annotations = _meta(obj)["annotations"] = {}
    annotations[TEMPLATE_GENERATION] = str(value)


def daemon_set_prepare_create(obj: Obj) -> None:
    """kube's DaemonSet templateGeneration, shown in v1 as an annotation: 1 at creation."""
    _set_template_generation(obj, max(_template_generation(obj), 1))


def daemon_set_prepare_update(new: Obj, old: Obj) -> None:
    """The template generation is the server's: kept, and bumped when the pod template changes."""
    generation = _template_generation(old)
    if semantic(_template(new)) != semantic(_template(old)):
        generation += 1
    _set_template_generation(new, generation)


# --- batch ------------------------------------------------------------------------------------------------------

def _copy_template_labels(obj: Obj) -> None:
    """kube's v1 Job defaulting: a job without labels takes its pod template's."""
    labels = _dict(_dict(_dict(_template(obj)).get("metadata")).get("labels"))
    if labels and not _meta(obj).get("labels"):
        _meta(obj)["labels"] = dict(labels)


def job_prepare_create(obj: Obj) -> None:
    """Unless the client manages the selector itself, the server selects the job's pods by its uid."""
    _copy_template_labels(obj)
    spec = obj.setdefault("spec", {})
    template = spec.setdefault("template", {})
    if spec.get("manualSelector") is True or not isinstance(template, dict):
        return
    uid = str(_meta(obj).get("uid") or "")
    template_meta = template.setdefault("metadata", {})
    labels = template_meta.get("labels")
    if not isinstance(labels, dict):
        labels = template_meta["labels"] = {}
    for key in (batch.LEGACY_JOB_NAME, batch.JOB_NAME):
        labels.setdefault(key, _name(obj))
    for key in (batch.LEGACY_CONTROLLER_UID, batch.CONTROLLER_UID):
        labels.setdefault(key, uid)
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        selector = spec["selector"] = {}
    match = selector.get("matchLabels")
    if not isinstance(match, dict):
        match = selector["matchLabels"] = {}
    match.setdefault(batch.CONTROLLER_UID, uid)


def job_prepare_update(new: Obj, old: Obj) -> None:
    _copy_template_labels(new)


def _job_spec_warnings(obj: Obj, path: str) -> list[str]:
    """kube's WarningsForJobSpec for the job spec at `path` ("spec" or "spec.jobTemplate.spec")."""
    spec = _dict(obj.get("spec"))
    for part in path.split(".")[1:]:
        spec = _dict(spec.get(part))
    out = []
    if spec.get("completionMode") == "Indexed" and (spec.get("completions") or 0) > 100_000 \
            and (spec.get("parallelism") or 0) > 10_000:
        out.append(f"{path}: In Indexed Jobs with a number of completions higher than 10^5 and a parallelism higher "
                   "than 10^4, Kubernetes might not be able to track completedIndexes when a big number of indexes "
                   "fail")
    return out + template_warnings(spec.get("template"), f"{path}.template")


def job_warnings(new: Obj, old: Obj | None) -> list[str]:
    if old is None:
        return name_warning(_name(new), POD_NAMES) + _job_spec_warnings(new, "spec")
    return _job_spec_warnings(new, "spec") if _generation_changed(new, old) else []


def cron_job_warnings(new: Obj, old: Obj | None) -> list[str]:
    if old is None:
        return name_warning(_name(new), POD_NAMES) + _job_spec_warnings(new, "spec.jobTemplate.spec")
    out = _job_spec_warnings(new, "spec.jobTemplate.spec") if _generation_changed(new, old) else []
    if "TZ" in str(_dict(new.get("spec")).get("schedule") or ""):
        # kube names the field spec.spec.schedule here
        out.append("cannot use TZ or CRON_TZ in spec.spec.schedule, use timeZone instead, see "
                   "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details")
    return out


# --- selectable fields ------------------------------------------------------------------------------------------

def count_field(obj: Obj, status_field: str) -> str:
    value = _dict(obj.get("status")).get(status_field)
    return str(value if isinstance(value, int) and not isinstance(value, bool) else 0)
