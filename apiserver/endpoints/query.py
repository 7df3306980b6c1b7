"""Query parameters of list, watch, write and delete requests, validated as kube-apiserver does."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from apiserver.api import errors
from apiserver.registry.deletion import PROPAGATION_POLICIES, DeleteOptions
from apiserver.storage.interface import Preconditions

RV_MATCHES = ("", "Exact", "NotOlderThan")


def _bool(query: Mapping[str, str], name: str) -> bool | None:
    if name not in query:
        return None
    value = query[name].lower()
    if value in ("true", "1", ""):
        return True
    if value in ("false", "0"):
        return False
    raise errors.bad_request(f'invalid value for {name}: "{query[name]}", must be true or false')


def _int(query: Mapping[str, str], name: str) -> int | None:
    if not query.get(name):
        return None
    try:
        return int(query[name])
    except ValueError:
        raise errors.bad_request(f'invalid value for {name}: "{query[name]}", must be an integer') from None


def _resource_version(value: str) -> str:
    if value and (not value.isdigit()):
        raise errors.bad_request(f'invalid resource version "{value}"')
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


def parse_list_query(query: Mapping[str, str], watch: bool) -> ListQuery:
    rv = _resource_version(query.get("resourceVersion", ""))
    match = query.get("resourceVersionMatch", "")
    if match not in RV_MATCHES:
        raise errors.bad_request(f'resourceVersionMatch: Unsupported value: "{match}": supported values: '
                                 f'"Exact", "NotOlderThan"')
    cont = query.get("continue", "")
    send_initial = _bool(query, "sendInitialEvents")
    allow_bookmarks = bool(_bool(query, "allowWatchBookmarks"))
    if watch:
        if send_initial is not None and match != "NotOlderThan":
            raise errors.bad_request("sendInitialEvents is forbidden for watch unless resourceVersionMatch is set "
                                     "to NotOlderThan")
        if match and send_initial is None:
            raise errors.bad_request("resourceVersionMatch is forbidden for watch unless sendInitialEvents is "
                                     "provided")
        if send_initial and not allow_bookmarks:
            raise errors.bad_request("sendInitialEvents requires setting allowWatchBookmarks to true")
    else:
        if send_initial is not None:
            raise errors.bad_request("sendInitialEvents is forbidden for list")
        if match and not rv:
            raise errors.bad_request("resourceVersionMatch is forbidden unless resourceVersion is provided")
        if match and cont:
            raise errors.bad_request("resourceVersionMatch is forbidden when continue is provided")
        if match == "Exact" and rv == "0":
            raise errors.bad_request('resourceVersionMatch "exact" is forbidden for resourceVersion "0"')
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


def dry_run(query: Mapping[str, str], body: Mapping[str, Any] | None = None) -> bool:
    values = [v for k, v in query.items() if k == "dryRun"]
    if body and body.get("dryRun"):
        values.extend(body["dryRun"])
    for value in values:
        if value != "All":
            raise errors.bad_request(f'dryRun: Unsupported value: "{value}": supported values: "All"')
    return bool(values)


def parse_delete_options(query: Mapping[str, str], body: Mapping[str, Any] | None) -> DeleteOptions:
    """DeleteOptions arrive in the body (kubectl) or in the query string (the Python client)."""
    body = body or {}
    if body.get("kind") not in (None, "DeleteOptions"):
        raise errors.bad_request(f"the body of a delete must be DeleteOptions, not {body.get('kind')}")
    policy = body.get("propagationPolicy") or query.get("propagationPolicy", "")
    if policy and policy not in PROPAGATION_POLICIES:
        raise errors.StatusError(422, "Invalid", f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: '
                                 f'Unsupported value: "{policy}": supported values: "Foreground", "Background", '
                                 f'"Orphan"', causes=[errors.Cause("FieldValueNotSupported",
                                                                   f'Unsupported value: "{policy}"',
                                                                   "propagationPolicy")])
    orphan = body.get("orphanDependents")
    if orphan is None and "orphanDependents" in query:
        orphan = query["orphanDependents"].lower() in ("true", "1")
    if orphan is not None and policy:
        raise errors.StatusError(422, "Invalid", 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: '
                                 'Invalid value: "' + policy + '": orphanDependents and deletionPropagation cannot '
                                 'be both set', causes=[errors.Cause("FieldValueInvalid", f'Invalid value: "{policy}": '
                                 'orphanDependents and deletionPropagation cannot be both set', "propagationPolicy")])
    grace = body.get("gracePeriodSeconds")
    if grace is None:
        grace = _int(query, "gracePeriodSeconds")
    pre = body.get("preconditions") or {}
    return DeleteOptions(
        preconditions=Preconditions(uid=pre.get("uid") or None, resource_version=pre.get("resourceVersion") or None),
        propagation_policy=policy,
        grace_period_seconds=grace,
        dry_run=dry_run(query, body),
        orphan_dependents=orphan,
    )
