"""kube's validation of the batch/v1 kinds (pkg/apis/batch/validation): Jobs and CronJobs, with the cron schedule
syntax of the library kube uses (robfig/cron v3's standard parser) and IANA time zone names."""
from __future__ import annotations

import functools
import re
import zoneinfo
from typing import Any

from apiserver.api.meta.duration import parse_go_duration
from apiserver.api.meta.errors import Cause, too_long
from apiserver.api.meta.labels import SelectorParseError, qualified_name_errors, selector_from_label_selector_object
from apiserver.api.meta.types import Obj
from apiserver.api.validation.kinds import (
    IMMUTABLE,
    GoValue,
    go_label_selector,
    immutable_field,
    invalid,
    is_int,
    nonnegative,
    not_supported,
    required,
    semantic,
    spec_of,
    string_map,
)
from apiserver.api.validation.labelselector import label_selector
from apiserver.api.validation.metadata import name_errors
from apiserver.api.validation.pods import pod_template

CONTROLLER_UID, JOB_NAME = "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID, LEGACY_JOB_NAME = "controller-uid", "job-name"
_MAX_INDEXED_PARALLELISM = 100_000
_MAX_FAILED_INDEXES = 100_000
_POLICY_ACTIONS = ("Count", "FailIndex", "FailJob", "Ignore")
_CONDITION_STATUSES = ("False", "True", "Unknown")
_TIME_ZONE_PART = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _has_label(labels: Any, key: str, expected: str, path: str) -> list[Cause]:
    """kube's ValidateHasLabel."""
    labels = _dict(labels)
    if key not in labels:
        return [required(f"{path}.labels[{key}]", f"must be '{expected}'")]
    if labels[key] != expected:
        return [invalid(f"{path}.labels[{key}]", string_map(labels), f"must be '{expected}'")]
    return []


def generated_selector(job: Obj, prefixed_labels: bool = True) -> list[Cause]:
    """The selector the server generated must still select the job's own pods (kube's validateGeneratedSelector)."""
    spec = spec_of(job)
    selector = spec.get("selector")
    if spec.get("manualSelector") is True or not isinstance(selector, dict):
        return []
    meta = _dict(job.get("metadata"))
    uid, name = str(meta.get("uid") or ""), str(meta.get("name") or "")
    causes = [] if uid else [required("metadata.uid")]
    labels = _dict(_dict(spec.get("template")).get("metadata")).get("labels")
    expected = {LEGACY_CONTROLLER_UID: uid, LEGACY_JOB_NAME: name}
    causes += _has_label(labels, LEGACY_CONTROLLER_UID, uid, "spec.template.metadata")
    causes += _has_label(labels, LEGACY_JOB_NAME, name, "spec.template.metadata")
    if prefixed_labels:
        causes += _has_label(labels, CONTROLLER_UID, uid, "spec.template.metadata")
        causes += _has_label(labels, JOB_NAME, name, "spec.template.metadata")
        expected |= {CONTROLLER_UID: uid, JOB_NAME: name}
    try:
        parsed = selector_from_label_selector_object(selector)
    except SelectorParseError:
        return causes
    if not parsed.matches(expected):
        causes.append(invalid("spec.selector", go_label_selector(selector), "`selector` not auto-generated"))
    return causes


def _exit_codes(rule: Obj, path: str, containers: set[Any]) -> list[Cause]:
    operator = rule.get("operator") or ""
    causes: list[Cause] = []
    if not operator:
        causes.append(required(f"{path}.operator", 'valid values: ["In" "NotIn"]'))
    elif operator not in ("In", "NotIn"):
        causes.append(not_supported(f"{path}.operator", operator, ("In", "NotIn")))
    container = rule.get("containerName")
    if container is not None and container not in containers:
        causes.append(invalid(f"{path}.containerName", container, "must be one of the container or initContainer "
                                                                  "names in the pod template"))
    values = _list(rule.get("values"))
    if not values:
        causes.append(invalid(f"{path}.values", GoValue("[]int32(nil)"), "at least one value is required"))
    seen: set[int] = set()
    for j, value in enumerate(values):
        if operator == "In" and value == 0:
            causes.append(invalid(f"{path}.values[{j}]", value, "must not be 0 for the In operator"))
        if value in seen:
            causes.append(Cause("FieldValueDuplicate", f"Duplicate value: {value}", f"{path}.values[{j}]"))
        seen.add(value)
    if any(a > b for a, b in zip(values, values[1:], strict=False)):
        causes.append(invalid(f"{path}.values", GoValue("[]int32{" + ", ".join(map(str, values)) + "}"),
                              "must be ordered"))
    return causes


def _pod_failure_policy(spec: Obj, path: str) -> list[Cause]:
    policy = _dict(spec.get("podFailurePolicy"))
    template_spec = _dict(_dict(spec.get("template")).get("spec"))
    containers = {_dict(c).get("name") for c in _list(template_spec.get("containers"))
                  + _list(template_spec.get("initContainers"))}
    causes: list[Cause] = []
    for i, rule in enumerate(_list(policy.get("rules"))):
        rule, where = _dict(rule), f"{path}.rules[{i}]"
        action = rule.get("action") or ""
        if not action:
            causes.append(required(f"{where}.action", 'valid values: ["Count" "FailIndex" "FailJob" "Ignore"]'))
        elif action == "FailIndex":
            if spec.get("backoffLimitPerIndex") is None:
                causes.append(invalid(f"{where}.action", action, "requires the backoffLimitPerIndex to be set"))
        elif action not in _POLICY_ACTIONS:
            causes.append(not_supported(f"{where}.action", action, _POLICY_ACTIONS))
        if isinstance(rule.get("onExitCodes"), dict):
            causes += _exit_codes(rule["onExitCodes"], f"{where}.onExitCodes", containers)
        conditions = _list(rule.get("onPodConditions"))
        for j, pattern in enumerate(conditions):
            pattern, pattern_path = _dict(pattern), f"{where}.onPodConditions[{j}]"
            kind = str(pattern.get("type") or "")
            causes += [invalid(f"{pattern_path}.type", kind, m) for m in qualified_name_errors(kind)]
            status = pattern.get("status") or ""
            if not status:
                causes.append(required(f"{pattern_path}.status", 'valid values: ["False" "True" "Unknown"]'))
            elif status not in _CONDITION_STATUSES:
                causes.append(not_supported(f"{pattern_path}.status", status, _CONDITION_STATUSES))
        if isinstance(rule.get("onExitCodes"), dict) and conditions:
            causes.append(Cause("FieldValueInvalid", "Invalid value: specifying both OnExitCodes and OnPodConditions "
                                                     "is not supported", where))
        if not isinstance(rule.get("onExitCodes"), dict) and not conditions:
            causes.append(Cause("FieldValueInvalid", "Invalid value: specifying one of OnExitCodes and "
                                                     "OnPodConditions is required", where))
    return causes


def job_spec(spec: Obj, path: str) -> list[Cause]:
    """kube's validateJobSpec: the job's counts and policies, then its pod template."""
    causes: list[Cause] = []
    for field in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished",
                  "backoffLimitPerIndex"):
        causes += nonnegative(spec.get(field), f"{path}.{field}")
    if spec.get("maxFailedIndexes") is not None:
        causes += nonnegative(spec["maxFailedIndexes"], f"{path}.maxFailedIndexes")
        if spec.get("backoffLimitPerIndex") is None:
            causes.append(required(f"{path}.backoffLimitPerIndex", "when maxFailedIndexes is specified"))
    managed_by = spec.get("managedBy")
    if isinstance(managed_by, str) and len(managed_by) > 63:
        causes.append(too_long(f"{path}.managedBy", 63))
    mode = spec.get("completionMode")
    if mode is not None:
        if mode not in ("NonIndexed", "Indexed"):
            causes.append(not_supported(f"{path}.completionMode", mode, ("NonIndexed", "Indexed")))
        if mode == "Indexed":
            if spec.get("completions") is None:
                causes.append(required(f"{path}.completions", "when completion mode is Indexed"))
            parallelism = spec.get("parallelism")
            if is_int(parallelism) and parallelism > _MAX_INDEXED_PARALLELISM:
                causes.append(invalid(f"{path}.parallelism", parallelism, "must be less than or equal to "
                                      f"{_MAX_INDEXED_PARALLELISM} when completion mode is Indexed"))
            failed, completions = spec.get("maxFailedIndexes"), spec.get("completions")
            if is_int(failed) and is_int(completions) and failed > completions:
                causes.append(invalid(f"{path}.maxFailedIndexes", failed, "must be less than or equal to completions"))
            if is_int(failed) and failed > _MAX_FAILED_INDEXES:
                causes.append(invalid(f"{path}.maxFailedIndexes", failed,
                                      f"must be less than or equal to {_MAX_FAILED_INDEXES}"))
    if mode in (None, "NonIndexed"):
        for field in ("backoffLimitPerIndex", "maxFailedIndexes"):
            if spec.get(field) is not None:
                causes.append(invalid(f"{path}.{field}", spec[field], "requires indexed completion mode"))
    if isinstance(spec.get("podFailurePolicy"), dict):
        causes += _pod_failure_policy(spec, f"{path}.podFailurePolicy")
    if isinstance(spec.get("successPolicy"), dict) and mode != "Indexed":
        causes.append(Cause("FieldValueInvalid", "Invalid value: requires indexed completion mode",
                            f"{path}.successPolicy"))
    replacement = spec.get("podReplacementPolicy")
    if replacement is not None:
        if spec.get("podFailurePolicy") is not None:
            if replacement != "Failed":
                causes.append(not_supported(f"{path}.podReplacementPolicy", replacement, ("Failed",)))
        elif replacement not in ("Failed", "TerminatingOrFailed"):
            causes.append(not_supported(f"{path}.podReplacementPolicy", replacement, ("Failed", "TerminatingOrFailed")))
    causes += pod_template(spec.get("template"), f"{path}.template")
    policy = _dict(_dict(spec.get("template")).get("spec")).get("restartPolicy") or ""
    restart_path = f"{path}.template.spec.restartPolicy"
    if policy in ("Always", ""):
        causes.append(required(restart_path, 'valid values: "OnFailure", "Never"'))
    elif policy not in ("OnFailure", "Never"):
        causes.append(not_supported(restart_path, policy, ("OnFailure", "Never")))
    elif spec.get("podFailurePolicy") is not None and policy != "Never":
        causes.append(invalid(restart_path, policy, 'only "Never" is supported when podFailurePolicy is specified'))
    return causes


def job_spec_with_selector(spec: Obj) -> list[Cause]:
    """kube's ValidateJobSpec: the spec, then its selector, which must select the job's own template."""
    causes = job_spec(spec, "spec")
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        causes.append(required("spec.selector"))
    else:
        causes += label_selector(selector, "spec.selector")
    try:
        parsed = selector_from_label_selector_object(selector if isinstance(selector, dict) else None)
    except SelectorParseError:
        return causes
    labels = _dict(_dict(spec.get("template")).get("metadata")).get("labels")
    if not parsed.matches(labels if isinstance(labels, dict) else {}):
        causes.append(invalid("spec.template.metadata.labels", string_map(labels),
                              "`selector` does not match template `labels`"))
    return causes


def job(obj: Obj) -> list[Cause]:
    """kube's ValidateJob, less the metadata rules the store checks for every kind."""
    spec = spec_of(obj)
    causes = generated_selector(obj) + job_spec_with_selector(spec)
    completions, name = spec.get("completions"), str(_dict(obj.get("metadata")).get("name") or "")
    if spec.get("completionMode") == "Indexed" and is_int(completions) and completions > 0:
        hostname = f"{name}-{completions - 1}"
        if name_errors(hostname, "label"):
            causes.append(invalid("metadata.name", name, f"will not able to create pod with invalid DNS label: "
                                                         f"{hostname}"))
    return causes


_SCHEDULING_TEMPLATE_FIELDS = ("nodeSelector", "tolerations", "schedulingGates")


def job_update(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidateJobSpecUpdate: the spec once more (kube reports its errors a second time on update), then
    what a job may not change once it exists."""
    spec, old_spec = spec_of(new), spec_of(old)
    causes = job_spec_with_selector(spec)
    elastic = spec.get("completionMode") == "Indexed" and spec.get("completions") is not None
    if semantic(spec.get("completions")) != semantic(old_spec.get("completions")):
        if not elastic:
            causes.append(invalid("spec.completions", spec.get("completions"), IMMUTABLE))
        elif spec.get("completions") != spec.get("parallelism"):
            causes.append(invalid("spec.completions", spec.get("completions"),
                                  "can only be modified in tandem with spec.parallelism"))
    selector = spec.get("selector")
    causes += immutable_field(selector, old_spec.get("selector"), "spec.selector",
                              go_label_selector(selector) if isinstance(selector, dict) else GoValue("null"))
    template, old_template = _dict(spec.get("template")), _dict(old_spec.get("template"))
    suspended_unstarted = old_spec.get("suspend") is True and not _dict(old.get("status")).get("startTime")
    if suspended_unstarted:
        # a suspended job that never ran may still be told where to run
        template, old_template = _without_scheduling(template), _without_scheduling(old_template)
    if semantic(template) != semantic(old_template):
        causes.append(invalid("spec.template", GoValue("core.PodTemplateSpec{...}"), IMMUTABLE))
    for field in ("completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"):
        if semantic(spec.get(field)) != semantic(old_spec.get(field)):
            value = spec.get(field)
            causes.append(invalid(f"spec.{field}", value if not isinstance(value, dict)
                                  else GoValue(f"batch.{field[0].upper()}{field[1:]}{{...}}"), IMMUTABLE))
    return causes


def _without_scheduling(template: Obj) -> Obj:
    meta = {k: v for k, v in _dict(template.get("metadata")).items() if k not in ("labels", "annotations")}
    spec = {k: v for k, v in _dict(template.get("spec")).items() if k not in _SCHEDULING_TEMPLATE_FIELDS}
    affinity = {k: v for k, v in _dict(spec.get("affinity")).items() if k != "nodeAffinity"}
    spec["affinity"] = affinity or None
    return {**template, "metadata": meta, "spec": spec}


# --- CronJob ----------------------------------------------------------------------------------------------------

_MONTHS = {name: i + 1 for i, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                                 "oct", "nov", "dec"))}
_DAYS = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
# minute, hour, day of month, month, day of week: robfig/cron's standard fields
_FIELDS: tuple[tuple[int, int, dict[str, int]], ...] = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, _MONTHS),
                                                       (0, 6, _DAYS))
_DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_INT64_MAX = (1 << 63) - 1


class _CronError(ValueError):
    pass


def _parse_int(expr: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", expr):
        raise _CronError(f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax')
    number = int(expr)
    if not -_INT64_MAX - 1 <= number <= _INT64_MAX:
        raise _CronError(f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": value out of range')
    if number < 0:
        raise _CronError(f"negative number ({number}) not allowed: {expr}")
    return number


def _parse_value(expr: str, names: dict[str, int]) -> int:
    return names[expr.lower()] if expr.lower() in names else _parse_int(expr)


def _check_range(expr: str, low: int, high: int, names: dict[str, int]) -> None:
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    if low_and_high[0] in ("*", "?"):
        start, end = low, high
    else:
        start = _parse_value(low_and_high[0], names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _parse_value(low_and_high[1], names)
        else:
            raise _CronError(f"too many hyphens: {expr}")
    step = 1
    if len(range_and_step) == 2:
        step = _parse_int(range_and_step[1])
        if len(low_and_high) == 1:
            end = high
    elif len(range_and_step) > 2:
        raise _CronError(f"too many slashes: {expr}")
    if start < low:
        raise _CronError(f"beginning of range ({start}) below minimum ({low}): {expr}")
    if end > high:
        raise _CronError(f"end of range ({end}) above maximum ({high}): {expr}")
    if start > end:
        raise _CronError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise _CronError(f"step of range should be a positive number: {expr}")


def cron_error(schedule: str) -> str | None:
    """Why robfig/cron's standard parser refuses `schedule`, in its words; None when it accepts it."""
    spec = schedule
    if not spec:
        return "empty spec string"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space, equals = spec.find(" "), spec.find("=")
        zone = spec[equals + 1:space] if space >= 0 else spec[equals + 1:]
        if zone != "UTC" and zone != "Local" and zone not in _zones():
            return f"provided bad location {zone}: unknown time zone {zone}"
        spec = spec[space:].strip() if space >= 0 else ""
    if spec.startswith("@"):
        if spec in _DESCRIPTORS:
            return None
        if spec.startswith("@every "):
            try:
                parse_go_duration(spec[len("@every "):])
            except ValueError as exc:
                return f"failed to parse duration {spec}: {exc}"
            return None
        return f"unrecognized descriptor: {spec}"
    fields = spec.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    try:
        for text, (low, high, names) in zip(fields, _FIELDS, strict=True):
            for expr in (part for part in text.split(",") if part):
                _check_range(expr, low, high, names)
    except _CronError as exc:
        return str(exc)
    return None


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone(value: Any, path: str) -> list[Cause]:
    """kube's validateTimeZone: an IANA name the server's time zone database knows."""
    if value is None:
        return []
    zone = str(value)
    if not zone:
        return [invalid(path, zone, "timeZone must be nil or non-empty string")]
    for part in zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not _TIME_ZONE_PART.fullmatch(part):
            return [invalid(path, zone, f"unknown time zone {zone}")]
    causes: list[Cause] = []
    if zone.lower() == "local":
        causes.append(invalid(path, zone, "timeZone must be an explicit time zone as defined in "
                                          "https://www.iana.org/time-zones"))
    # Go's LoadLocation knows UTC and Local itself, every other name from the time zone database
    if zone not in ("UTC", "Local") and zone not in _zones():
        causes.append(invalid(path, zone, f"unknown time zone {zone}"))
    return causes


def _schedule(spec: Obj, old_spec: Obj | None) -> list[Cause]:
    schedule = str(spec.get("schedule") or "")
    if not schedule:
        return [required("spec.schedule")]
    causes: list[Cause] = []
    error = cron_error(schedule)
    if error:
        causes.append(invalid("spec.schedule", schedule, error))
    allow_tz = old_spec is not None and "TZ" in str(old_spec.get("schedule") or "")
    if allow_tz and "TZ" in schedule and spec.get("timeZone") is not None:
        causes.append(invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in "
                                                         "schedule"))
    elif not allow_tz and "TZ" in schedule:
        causes.append(invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field "
                                                         "instead"))
    return causes


def cron_job(obj: Obj, old: Obj | None = None) -> list[Cause]:
    """kube's validateCronJobSpec (given the stored CronJob on update), with the create-only name limit."""
    spec = spec_of(obj)
    old_spec = spec_of(old) if old is not None else None
    causes = _schedule(spec, old_spec)
    causes += nonnegative(spec.get("startingDeadlineSeconds"), "spec.startingDeadlineSeconds")
    if old_spec is None or old_spec.get("timeZone") != spec.get("timeZone"):
        causes += time_zone(spec.get("timeZone"), "spec.timeZone")
    policy = spec.get("concurrencyPolicy") or ""
    allowed = ("Allow", "Forbid", "Replace")
    if not policy:
        causes.append(required("spec.concurrencyPolicy"))
    elif policy not in allowed:
        causes.append(not_supported("spec.concurrencyPolicy", policy, allowed))
    template_spec = _dict(_dict(spec.get("jobTemplate")).get("spec"))
    causes += job_spec(template_spec, "spec.jobTemplate.spec")
    if isinstance(template_spec.get("selector"), dict):
        causes.append(invalid("spec.jobTemplate.spec.selector", go_label_selector(template_spec["selector"]),
                              "`selector` will be auto-generated"))
    if template_spec.get("manualSelector") is True:
        causes.append(not_supported("spec.jobTemplate.spec.manualSelector", True, ("nil", "false")))
    for field in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        causes += nonnegative(spec.get(field), f"spec.{field}")
    name = str(_dict(obj.get("metadata")).get("name") or "")
    if old is None and len(name) > 52:
        causes.append(invalid("metadata.name", name, "must be no more than 52 characters"))
    return causes


def job_status(new: Obj, old: Obj) -> list[Cause]:
    """The counts of kube's validateJobStatus (its checks of the job's condition transitions are left out)."""
    status = _dict(new.get("status"))
    causes: list[Cause] = []
    for field in ("active", "succeeded", "failed"):
        causes += nonnegative(status.get(field, 0), f"status.{field}")
    for field in ("ready", "terminating"):
        if status.get(field) is not None:
            causes += nonnegative(status[field], f"status.{field}")
    return causes
