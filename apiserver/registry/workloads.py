"""The strategy hooks of pods and the workload kinds (kube's pkg/registry/{core/pod,apps,batch}/*/strategy.go):
what create and update set or keep, which validation runs when, and the warnings kube returns.

kube adds a kind's warnings only once its validation passed (rest.BeforeCreate/BeforeUpdate), so the hooks here
validate first and record the warnings of a valid object with `add_warning`. The store hands `validate` both new
objects and updated ones; an updated object carries the stored resourceVersion by then, a new one never has one.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.types import Obj
from apiserver.api.validation import batch, pods
from apiserver.api.validation.kinds import semantic
from apiserver.api.validation.metadata import validate_metadata
from apiserver.api.validation.podwarnings import name_warning, pod_warnings, template_warnings
from apiserver.request.warnings import add_warning

TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"
POD_NAMES = "Pod names and hostnames"

Validator = Callable[[Obj], list[Cause]]
UpdateValidator = Callable[[Obj, Obj], list[Cause]]


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _meta(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = obj["metadata"] = {}
    return meta


def creating(obj: Obj) -> bool:
    return not _dict(obj.get("metadata")).get("resourceVersion")


def _warn_if_valid(obj: Obj, name_rule: str, causes: list[Cause], warnings: Callable[[], list[str]]) -> None:
    # kube's object validation includes the metadata rules the generic store checks for every kind
    if not causes and not validate_metadata(obj, name_rule, True):
        for text in warnings():
            add_warning(text)


def _generation_changed(new: Obj, old: Obj) -> bool:
    return _dict(new.get("metadata")).get("generation") != _dict(old.get("metadata")).get("generation")


def _template(obj: Obj, *path: str) -> Any:
    for part in ("spec", *path):
        obj = _dict(obj.get(part))
    return obj.get("template")


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


def pod_validate(obj: Obj) -> list[Cause]:
    causes = pods.pod(obj)
    if not creating(obj):
        return causes
    causes += pods.pod_create(obj)
    name = str(_meta(obj).get("name") or "")
    _warn_if_valid(obj, "subdomain", causes, lambda: name_warning(name, "the Pod's hostname")
                   + pod_warnings(obj.get("spec"), obj.get("metadata")))
    return causes


def pod_status_write(sent: Obj | None, stored: Obj | None) -> Obj | None:
    """The QoS class is fixed at creation: a status write that leaves it out keeps it."""
    if isinstance(sent, dict) and not sent.get("qosClass") and _dict(stored).get("qosClass"):
        return {**sent, "qosClass": _dict(stored)["qosClass"]}
    return sent


# --- the apps kinds ---------------------------------------------------------------------------------------------

def _workload_warnings(obj: Obj, name_used: bool) -> list[str]:
    name = str(_meta(obj).get("name") or "")
    return (name_warning(name, POD_NAMES) if name_used else []) + template_warnings(_template(obj),
                                                                                     "spec.template")


def workload_validate(validator: Validator, name_rule: str, name_used: bool = True) -> Validator:
    """A workload's validation, with kube's warnings for a valid new object."""
    def validate(obj: Obj) -> list[Cause]:
        causes = validator(obj)
        if creating(obj):
            _warn_if_valid(obj, name_rule, causes, lambda: _workload_warnings(obj, name_used))
        return causes
    return validate


def workload_validate_update(validator: Validator, update: UpdateValidator, name_rule: str) -> UpdateValidator:
    """A workload's update rules, with kube's template warnings when the update changed the spec."""
    def validate_update(new: Obj, old: Obj) -> list[Cause]:
        causes = update(new, old)
        if _generation_changed(new, old):
            _warn_if_valid(new, name_rule, validator(new) + causes,
                           lambda: template_warnings(_template(new), "spec.template"))
        return causes
    return validate_update


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
    if spec.get("manualSelector") is True:
        return
    meta = _meta(obj)
    uid, name = str(meta.get("uid") or ""), str(meta.get("name") or "")
    template = spec.setdefault("template", {})
    if not isinstance(template, dict):
        return
    template_meta = template.setdefault("metadata", {})
    labels = template_meta.get("labels")
    if not isinstance(labels, dict):
        labels = template_meta["labels"] = {}
    for key in (batch.LEGACY_JOB_NAME, batch.JOB_NAME):
        labels.setdefault(key, name)
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


def _job_warnings(obj: Obj, path: str, name_used: bool) -> list[str]:
    spec = _dict(obj.get("spec"))
    for part in path.split(".")[1:]:
        spec = _dict(spec.get(part))
    out = name_warning(str(_meta(obj).get("name") or ""), POD_NAMES) if name_used else []
    if spec.get("completionMode") == "Indexed" and (spec.get("completions") or 0) > 100_000 \
            and (spec.get("parallelism") or 0) > 10_000:
        out.append(f"{path}: In Indexed Jobs with a number of completions higher than 10^5 and a parallelism higher "
                   "than 10^4, Kubernetes might not be able to track completedIndexes when a big number of indexes "
                   "fail")
    return out + template_warnings(spec.get("template"), f"{path}.template")


def job_validate(obj: Obj) -> list[Cause]:
    causes = batch.job(obj)
    if creating(obj):
        _warn_if_valid(obj, "subdomain", causes, lambda: _job_warnings(obj, "spec", True))
    return causes


def job_validate_update(new: Obj, old: Obj) -> list[Cause]:
    causes = batch.job_update(new, old)
    if _generation_changed(new, old):
        _warn_if_valid(new, "subdomain", batch.job(new) + causes, lambda: _job_warnings(new, "spec", False))
    return causes


def cron_job_validate(obj: Obj) -> list[Cause]:
    """On create only: an update is validated with the stored CronJob at hand (cron_job_validate_update)."""
    if not creating(obj):
        return []
    causes = batch.cron_job(obj)
    _warn_if_valid(obj, "subdomain", causes, lambda: _job_warnings(obj, "spec.jobTemplate.spec", True))
    return causes


def cron_job_validate_update(new: Obj, old: Obj) -> list[Cause]:
    causes = batch.cron_job(new, old)
    if not causes and not validate_metadata(new, "subdomain", True):
        warnings = _job_warnings(new, "spec.jobTemplate.spec", False) if _generation_changed(new, old) else []
        if "TZ" in str(_dict(new.get("spec")).get("schedule") or ""):
            warnings.append("cannot use TZ or CRON_TZ in spec.spec.schedule, use timeZone instead, see "
                            "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details")
        for text in warnings:
            add_warning(text)
    return causes


# --- selectable fields ------------------------------------------------------------------------------------------

def count_field(obj: Obj, status_field: str) -> str:
    value = _dict(obj.get("status")).get(status_field)
    return str(value if isinstance(value, int) and not isinstance(value, bool) else 0)
