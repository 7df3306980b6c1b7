"""Query parameters of list, watch, write and delete requests, validated as kube-apiserver does."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apiserver.api.meta import errors
from apiserver.api.meta.errors import Cause
from apiserver.api.meta.goformat import byte_len, quote, string_slice
from apiserver.api.meta.types import Obj
from apiserver.registry.deletion import PROPAGATION_POLICIES, DeleteOptions
from apiserver.request.info import flag
from apiserver.storage.interface import Preconditions

# the options kinds whose validation failures name a write's bad dryRun
CREATE_OPTIONS, UPDATE_OPTIONS, PATCH_OPTIONS = "CreateOptions", "UpdateOptions", "PatchOptions"
APPLY_PATCH = "application/apply-patch+yaml"
FIELD_MANAGER_MAX_BYTES = 128
# kube's allowedFieldValidationValues, as sets.List() orders them
FIELD_VALIDATION_VALUES = ("", "Ignore", "Strict", "Warn")


def _bool(query: Mapping[str, str], name: str) -> bool | None:
    return flag(query[name]) if name in query else None


def _int(query: Mapping[str, str], name: str) -> int | None:
    if not query.get(name):
        return None
    try:
        return int(query[name])
    except ValueError:
        raise errors.bad_request(f"invalid value for {name}: {quote(query[name])}, must be an integer") from None


def _resource_version(value: str) -> str:
    if value and (not value.isdigit()):
        raise errors.bad_request(f"invalid resource version {quote(value)}")
    return value


@dataclass(frozen=True)
class ListQuery:
    label_selector: str
    field_selector: str
    resource_version: str
    resource_version_match: str
    limit: int
    continue_token: str
    watch: bool
    timeout_seconds: int | None
    allow_bookmarks: bool
    send_initial_events: bool | None


def _list_options_errors(rv: str, match: str, cont: str, send_initial: bool | None, watch: bool) -> list[Cause]:
    """kube's ValidateListOptions (with the WatchList feature on, as in 1.32)."""
    causes: list[Cause] = []
    if watch:
        if send_initial is not None and match != "NotOlderThan":
            causes.append(errors.forbidden_field(
                "resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"))
        if match:
            if send_initial is None:
                causes.append(errors.forbidden_field(
                    "resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents "
                                            "is provided"))
            if match != "NotOlderThan":
                causes.append(errors.unsupported_value("resourceVersionMatch", quote(match), ("NotOlderThan",)))
            if cont:
                causes.append(errors.forbidden_field(
                    "resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"))
        return causes
    if match:
        if not rv:
            causes.append(errors.forbidden_field(
                "resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"))
        if cont:
            causes.append(errors.forbidden_field(
                "resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"))
        if match not in ("Exact", "NotOlderThan"):
            causes.append(errors.unsupported_value("resourceVersionMatch", quote(match),
                                                   ("Exact", "NotOlderThan", "")))
        if match == "Exact" and rv == "0":
            causes.append(errors.forbidden_field(
                "resourceVersionMatch", 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'))
    if send_initial is not None:
        causes.append(errors.forbidden_field("sendInitialEvents", "sendInitialEvents is forbidden for list"))
    return causes


def parse_list_query(query: Mapping[str, str], watch: bool) -> ListQuery:
    rv = _resource_version(query.get("resourceVersion", ""))
    match = query.get("resourceVersionMatch", "")
    cont = query.get("continue", "")
    send_initial = _bool(query, "sendInitialEvents")
    allow_bookmarks = bool(_bool(query, "allowWatchBookmarks"))
    causes = _list_options_errors(rv, match, cont, send_initial, watch)
    if causes:
        raise errors.invalid("ListOptions", "meta.k8s.io", "", causes)
    if watch and send_initial and not allow_bookmarks:
        # the initial events end with a bookmark; without bookmarks the client could not tell where
        raise errors.bad_request("sendInitialEvents requires setting allowWatchBookmarks to true")
    limit = _int(query, "limit") or 0
    return ListQuery(
        label_selector=query.get("labelSelector", ""),
        field_selector=query.get("fieldSelector", ""),
        resource_version=rv,
        resource_version_match=match,
        limit=max(limit, 0),
        continue_token=cont,
        watch=watch,
        timeout_seconds=_int(query, "timeoutSeconds"),
        allow_bookmarks=allow_bookmarks,
        send_initial_events=send_initial,
    )


def _dry_run_values(query: Mapping[str, str], body: Mapping[str, Any] | None) -> list[str]:
    values = [v for k, v in query.items() if k == "dryRun"]
    if body and body.get("dryRun"):
        values.extend(body["dryRun"])
    return values


def _dry_run_errors(values: list[str]) -> list[Cause]:
    """kube's ValidateDryRun: the whole list is the bad value, so it is shown as a Go []string."""
    if all(v == "All" for v in values):
        return []
    return [errors.unsupported_value("dryRun", string_slice(values), ("All",))]


def _field_manager_errors(manager: str) -> list[Cause]:
    """kube's ValidateFieldManager: at most 128 bytes, every character printable (positions count bytes)."""
    causes = []
    if byte_len(manager) > FIELD_MANAGER_MAX_BYTES:
        causes.append(errors.too_long("fieldManager", FIELD_MANAGER_MAX_BYTES))
    position = 0
    for char in manager:
        if not char.isprintable() and char != " ":
            causes.append(Cause("FieldValueInvalid", f"Invalid value: {quote(manager)}: invalid character "
                                f"U+{ord(char):04X} (at position {position})", "fieldManager"))
        position += byte_len(char)
    return causes


def write_options(query: Mapping[str, str], options_kind: str, patch_type: str | None = None) -> bool:
    """kube's Validate{Create,Update,Patch}Options on a write's query, which its handlers run right after reading
    the body and before decoding it: every bad field in one 422 on the options kind. Returns whether the write is
    a dry run. `patch_type` is the Content-Type of a patch."""
    manager = query.get("fieldManager", "")
    causes: list[Cause] = []
    if patch_type is not None and patch_type != APPLY_PATCH:
        if "force" in query:
            causes.append(errors.forbidden_field("force", "may not be specified for non-apply patch"))
    elif patch_type is not None and not manager:
        causes.append(Cause("FieldValueRequired", "Required value: is required for apply patch", "fieldManager"))
    causes.extend(_field_manager_errors(manager))
    dry_run_values = _dry_run_values(query, None)
    causes.extend(_dry_run_errors(dry_run_values))
    validation = query.get("fieldValidation", "")
    if validation not in FIELD_VALIDATION_VALUES:
        causes.append(errors.unsupported_value("fieldValidation", quote(validation), FIELD_VALIDATION_VALUES))
    if causes:
        raise errors.invalid(options_kind, "meta.k8s.io", "", causes)
    return bool(dry_run_values)


def parse_delete_options(query: Mapping[str, str], body: Mapping[str, Any] | None) -> DeleteOptions:
    """DeleteOptions arrive in the body (kubectl) or in the query string (the Python client); as in kube, a
    request with a body takes its options from the body alone."""
    if body:
        query = {}
    body = body or {}
    if body.get("kind") not in (None, "DeleteOptions"):
        raise errors.bad_request(f"the body of a delete must be DeleteOptions, not {body.get('kind')}")
    policy = body.get("propagationPolicy") or query.get("propagationPolicy", "")
    causes: list[Cause] = []
    if policy and policy not in PROPAGATION_POLICIES:
        # kube lists "nil" too: leaving the policy out is allowed
        causes.append(errors.unsupported_value("propagationPolicy", quote(policy), (*PROPAGATION_POLICIES, "nil")))
    orphan = body.get("orphanDependents")
    if orphan is None and "orphanDependents" in query:
        orphan = flag(query["orphanDependents"])
    if orphan is not None and policy:
        causes.append(errors.Cause("FieldValueInvalid", f"Invalid value: {quote(policy)}: orphanDependents and "
                                   "deletionPropagation cannot be both set", "propagationPolicy"))
    dry_run_values = _dry_run_values(query, body)
    causes.extend(_dry_run_errors(dry_run_values))
    if causes:
        raise errors.invalid("DeleteOptions", "meta.k8s.io", "", causes)
    grace = body.get("gracePeriodSeconds")
    if grace is None:
        grace = _int(query, "gracePeriodSeconds")
    pre = body.get("preconditions") or {}
    return DeleteOptions(
        preconditions=Preconditions(uid=pre.get("uid") or None, resource_version=pre.get("resourceVersion") or None),
        propagation_policy=policy,
        grace_period_seconds=grace,
        dry_run=bool(dry_run_values),
        orphan_dependents=orphan,
    )


def options_object(query: Mapping[str, str], options_kind: str) -> Obj:
    """The write's options as an object, as admission (and a webhook's AdmissionReview) is shown them."""
    out: Obj = {"kind": options_kind, "apiVersion": "meta.k8s.io/v1"}
    dry_run = _dry_run_values(query, None)
    if dry_run:
        out["dryRun"] = dry_run
    for key in ("fieldManager", "fieldValidation"):
        if query.get(key):
            out[key] = query[key]
    if options_kind == PATCH_OPTIONS and "force" in query:
        out["force"] = query["force"] != "false"
    return out


def delete_options_object(options: DeleteOptions) -> Obj:
    out: Obj = {"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1"}
    if options.grace_period_seconds is not None:
        out["gracePeriodSeconds"] = options.grace_period_seconds
    if options.propagation_policy:
        out["propagationPolicy"] = options.propagation_policy
    if options.orphan_dependents is not None:
        out["orphanDependents"] = options.orphan_dependents
    if options.dry_run:
        out["dryRun"] = ["All"]
    pre = {k: v for k, v in (("uid", options.preconditions.uid),
                             ("resourceVersion", options.preconditions.resource_version)) if v}
    if pre:
        out["preconditions"] = pre
    return out
