"""Query parameters of list/watch/write/delete requests (endpoints/query.py) against kube's rules."""
from __future__ import annotations

import pytest
from multidict import MultiDict

from apiserver.api.meta.errors import StatusError
from apiserver.endpoints.query import (
    DeleteOptions,
    ListQuery,
    parse_delete_options,
    parse_list_query,
    write_options,
)
from apiserver.storage.interface import Preconditions


def list_query(**overrides) -> ListQuery:
    values = dict(label_selector="", field_selector="", resource_version="", resource_version_match="", limit=0,
                  continue_token="", watch=False, timeout_seconds=None, allow_bookmarks=False,
                  send_initial_events=None)
    values.update(overrides)
    return ListQuery(**values)


VALID_LISTS = [
    ({}, list_query()),
    ({"labelSelector": "app=web,tier!=db", "fieldSelector": "metadata.name=x"},
     list_query(label_selector="app=web,tier!=db", field_selector="metadata.name=x")),
    ({"resourceVersion": "0"}, list_query(resource_version="0")),
    ({"resourceVersion": "123"}, list_query(resource_version="123")),
    ({"resourceVersion": "123", "resourceVersionMatch": "Exact"},
     list_query(resource_version="123", resource_version_match="Exact")),
    ({"resourceVersion": "0", "resourceVersionMatch": "NotOlderThan"},
     list_query(resource_version="0", resource_version_match="NotOlderThan")),
    ({"resourceVersion": "5", "resourceVersionMatch": "NotOlderThan"},
     list_query(resource_version="5", resource_version_match="NotOlderThan")),
    ({"resourceVersionMatch": ""}, list_query()),
    ({"limit": "500", "continue": "tok"}, list_query(limit=500, continue_token="tok")),
    ({"limit": "-3"}, list_query(limit=0)),
    ({"limit": ""}, list_query(limit=0)),
    ({"limit": "0"}, list_query(limit=0)),
    ({"timeoutSeconds": "30"}, list_query(timeout_seconds=30)),
    ({"timeoutSeconds": ""}, list_query()),
    ({"allowWatchBookmarks": "true"}, list_query(allow_bookmarks=True)),
    ({"allowWatchBookmarks": "false"}, list_query(allow_bookmarks=False)),
    ({"allowWatchBookmarks": "1"}, list_query(allow_bookmarks=True)),
    ({"allowWatchBookmarks": ""}, list_query(allow_bookmarks=True)),
    # kube's query bool: anything but "0" and "false" (any case) is true
    ({"allowWatchBookmarks": "maybe"}, list_query(allow_bookmarks=True)),
    ({"allowWatchBookmarks": "FALSE"}, list_query(allow_bookmarks=False)),
    ({"resourceVersion": "7", "continue": "tok"}, list_query(resource_version="7", continue_token="tok")),
]


@pytest.mark.parametrize("query, expected", VALID_LISTS, ids=[str(c[0]) for c in VALID_LISTS])
def test_valid_list_queries(query, expected):
    assert parse_list_query(query, watch=False) == expected


VALID_WATCHES = [
    ({}, list_query(watch=True)),
    ({"resourceVersion": "10", "allowWatchBookmarks": "true", "timeoutSeconds": "300"},
     list_query(watch=True, resource_version="10", allow_bookmarks=True, timeout_seconds=300)),
    # the WatchList protocol (kube 1.32 client-go): sendInitialEvents + NotOlderThan + bookmarks
    ({"sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan", "allowWatchBookmarks": "true"},
     list_query(watch=True, send_initial_events=True, resource_version_match="NotOlderThan", allow_bookmarks=True)),
    ({"sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan", "allowWatchBookmarks": "true",
      "resourceVersion": "0"},
     list_query(watch=True, send_initial_events=True, resource_version_match="NotOlderThan", allow_bookmarks=True,
                resource_version="0")),
    ({"sendInitialEvents": "false", "resourceVersionMatch": "NotOlderThan", "resourceVersion": "8"},
     list_query(watch=True, send_initial_events=False, resource_version_match="NotOlderThan", resource_version="8")),
    ({"sendInitialEvents": "false", "resourceVersionMatch": "NotOlderThan", "allowWatchBookmarks": "true"},
     list_query(watch=True, send_initial_events=False, resource_version_match="NotOlderThan", allow_bookmarks=True)),
]


@pytest.mark.parametrize("query, expected", VALID_WATCHES, ids=[str(c[0]) for c in VALID_WATCHES])
def test_valid_watch_queries(query, expected):
    assert parse_list_query(query, watch=True) == expected


# (query, watch, the detail kube reports for it)
REJECTED = [
    ("match-without-rv", {"resourceVersionMatch": "Exact"}, False,
     "resourceVersionMatch is forbidden unless resourceVersion is provided"),
    ("notolderthan-without-rv", {"resourceVersionMatch": "NotOlderThan"}, False,
     "resourceVersionMatch is forbidden unless resourceVersion is provided"),
    ("exact-zero", {"resourceVersion": "0", "resourceVersionMatch": "Exact"}, False,
     'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'),
    ("match-with-continue", {"resourceVersion": "5", "resourceVersionMatch": "NotOlderThan", "continue": "x"}, False,
     "resourceVersionMatch is forbidden when continue is provided"),
    ("unknown-match", {"resourceVersion": "5", "resourceVersionMatch": "Newest"}, False,
     'Unsupported value: "Newest"'),
    ("send-initial-on-list", {"sendInitialEvents": "true"}, False, "sendInitialEvents is forbidden for list"),
    ("send-initial-false-on-list", {"sendInitialEvents": "false"}, False, "sendInitialEvents is forbidden for list"),
    ("watch-match-without-send-initial", {"resourceVersion": "5", "resourceVersionMatch": "NotOlderThan"}, True,
     "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"),
    ("watch-send-initial-without-match", {"sendInitialEvents": "true", "allowWatchBookmarks": "true"}, True,
     "sendInitialEvents"),
    ("watch-send-initial-exact", {"sendInitialEvents": "true", "allowWatchBookmarks": "true",
                                  "resourceVersion": "5", "resourceVersionMatch": "Exact"}, True,
     "sendInitialEvents"),
    ("watch-send-initial-without-bookmarks", {"sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan"},
     True, "allowWatchBookmarks"),
    ("invalid-rv", {"resourceVersion": "abc"}, False, 'invalid resource version "abc"'),
    ("negative-rv", {"resourceVersion": "-1"}, False, 'invalid resource version "-1"'),
    ("invalid-rv-watch", {"resourceVersion": "1.5"}, True, 'invalid resource version "1.5"'),
    ("bad-limit", {"limit": "ten"}, False, 'invalid value for limit: "ten", must be an integer'),
    ("bad-timeout", {"timeoutSeconds": "5s"}, True, 'invalid value for timeoutSeconds: "5s", must be an integer'),
]


@pytest.mark.parametrize("query, watch, detail", [c[1:] for c in REJECTED], ids=[c[0] for c in REJECTED])
def test_rejected_list_and_watch_queries(query, watch, detail):
    with pytest.raises(StatusError) as caught:
        parse_list_query(query, watch=watch)
    err = caught.value
    assert err.code in (400, 422)
    assert detail in err.message


@pytest.mark.parametrize("query, watch, message", [
    ({"resourceVersion": "abc"}, False, 'invalid resource version "abc"'),
    ({"limit": "ten"}, False, 'invalid value for limit: "ten", must be an integer'),
])
def test_unparsable_parameters_are_bad_requests(query, watch, message):
    with pytest.raises(StatusError) as caught:
        parse_list_query(query, watch=watch)
    assert (caught.value.code, caught.value.reason, caught.value.message) == (400, "BadRequest", message)


KUBE_LIST_OPTIONS_ERRORS = [
    ({"resourceVersionMatch": "Exact"}, False,
     "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"),
    ({"resourceVersion": "0", "resourceVersionMatch": "Exact"}, False,
     'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'),
    ({"resourceVersion": "5", "resourceVersionMatch": "NotOlderThan", "continue": "x"}, False,
     "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided"),
    ({"sendInitialEvents": "true"}, False, "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list"),
    ({"resourceVersion": "5", "resourceVersionMatch": "NotOlderThan"}, True,
     "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is "
     "provided"),
    ({"sendInitialEvents": "true", "allowWatchBookmarks": "true"}, True,
     "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"),
]


# kube's list and watch handlers answer ValidateListOptions failures with 422 on ListOptions.meta.k8s.io
@pytest.mark.parametrize("query, watch, detail", KUBE_LIST_OPTIONS_ERRORS)
def test_list_options_errors_are_422_invalid_like_kube(query, watch, detail):
    with pytest.raises(StatusError) as caught:
        parse_list_query(query, watch=watch)
    err = caught.value
    assert (err.code, err.reason, err.group, err.kind) == (422, "Invalid", "meta.k8s.io", "ListOptions")
    assert err.message == f'ListOptions.meta.k8s.io "" is invalid: {detail}'


def test_several_list_options_errors_are_one_aggregate():
    with pytest.raises(StatusError) as caught:
        parse_list_query({"resourceVersionMatch": "Newest", "continue": "x"}, watch=False)
    assert caught.value.message == (
        'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is '
        'forbidden unless resourceVersion is provided, resourceVersionMatch: Forbidden: resourceVersionMatch is '
        'forbidden when continue is provided, resourceVersionMatch: Unsupported value: "Newest": supported '
        'values: "Exact", "NotOlderThan", ""]')
    assert [(c.reason, c.field) for c in caught.value.causes] == [
        ("FieldValueForbidden", "resourceVersionMatch"), ("FieldValueForbidden", "resourceVersionMatch"),
        ("FieldValueNotSupported", "resourceVersionMatch")]


# dryRun: absent -> False; All -> True; anything else rejected
@pytest.mark.parametrize("query, expected", [
    ({}, False),
    ({"dryRun": "All"}, True),
    (MultiDict([("dryRun", "All"), ("dryRun", "All")]), True),
    ({"fieldManager": "x"}, False),
])
def test_dry_run(query, expected):
    assert write_options(query, "CreateOptions") is expected


# kube's ValidateDryRun reports the whole list as the bad value, in Go's []string notation
@pytest.mark.parametrize("query, rendered", [
    ({"dryRun": "all"}, '[]string{"all"}'),
    ({"dryRun": ""}, '[]string{""}'),
    ({"dryRun": "true"}, '[]string{"true"}'),
    (MultiDict([("dryRun", "All"), ("dryRun", "None")]), '[]string{"All", "None"}'),
])
@pytest.mark.parametrize("kind", ["CreateOptions", "UpdateOptions", "PatchOptions"])
def test_bad_dry_run_values(query, rendered, kind):
    with pytest.raises(StatusError) as caught:
        write_options(query, kind)
    detail = f'Unsupported value: {rendered}: supported values: "All"'
    assert caught.value.to_status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f'{kind}.meta.k8s.io "" is invalid: dryRun: {detail}', "reason": "Invalid", "code": 422,
        "details": {"group": "meta.k8s.io", "kind": kind,
                    "causes": [{"reason": "FieldValueNotSupported", "message": detail, "field": "dryRun"}]},
    }


# the rest of kube's Validate{Create,Update,Patch}Options: every bad field in one 422, in kube's order
OPTION_ERRORS = [
    ({"fieldValidation": "strict"}, None,
     [("FieldValueNotSupported", 'Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
       "fieldValidation")]),
    # 65 characters, 130 bytes
    ({"fieldManager": "é" * 65}, None,
     [("FieldValueTooLong", "Too long: may not be more than 128 bytes", "fieldManager")]),
    ({"fieldManager": "aé\x07\u200b"}, None,
     [("FieldValueInvalid", 'Invalid value: "aé\\a\\u200b": invalid character U+0007 (at position 3)', "fieldManager"),
      ("FieldValueInvalid", 'Invalid value: "aé\\a\\u200b": invalid character U+200B (at position 4)',
       "fieldManager")]),
    ({"force": ""}, "application/merge-patch+json",
     [("FieldValueForbidden", "Forbidden: may not be specified for non-apply patch", "force")]),
    ({"force": "true", "dryRun": "x", "fieldValidation": "no"}, "application/apply-patch+yaml",
     [("FieldValueRequired", "Required value: is required for apply patch", "fieldManager"),
      ("FieldValueNotSupported", 'Unsupported value: []string{"x"}: supported values: "All"', "dryRun"),
      ("FieldValueNotSupported", 'Unsupported value: "no": supported values: "", "Ignore", "Strict", "Warn"',
       "fieldValidation")]),
]


@pytest.mark.parametrize("query, patch_type, causes", OPTION_ERRORS, ids=[str(c[0]) for c in OPTION_ERRORS])
def test_bad_write_options(query, patch_type, causes):
    kind = "PatchOptions" if patch_type else "UpdateOptions"
    with pytest.raises(StatusError) as caught:
        write_options(query, kind, patch_type)
    status = caught.value.to_status()
    assert (status["code"], status["reason"]) == (422, "Invalid")
    assert status["details"]["kind"] == kind and status["details"]["group"] == "meta.k8s.io"
    assert [(c["reason"], c["message"], c["field"]) for c in status["details"]["causes"]] == causes


def test_good_write_options():
    assert write_options({"fieldManager": "kubectl client-side", "fieldValidation": "Strict"}, "CreateOptions") is False
    assert write_options({"fieldManager": "m", "force": "true", "dryRun": "All"}, "PatchOptions",
                         "application/apply-patch+yaml") is True


# DeleteOptions from the body (kubectl) or from the query (the Python client)
DELETE_CASES = [
    ("nothing", {}, None, DeleteOptions(Preconditions(), "", None, False)),
    ("empty-body", {}, {}, DeleteOptions(Preconditions(), "", None, False)),
    ("body-policy", {}, {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"},
     DeleteOptions(Preconditions(), "Foreground", None, False)),
    ("query-policy", {"propagationPolicy": "Orphan"}, None, DeleteOptions(Preconditions(), "Orphan", None, False)),
    ("body-wins", {"propagationPolicy": "Orphan"}, {"propagationPolicy": "Background"},
     DeleteOptions(Preconditions(), "Background", None, False)),
    ("body-hides-query", {"propagationPolicy": "Orphan", "gracePeriodSeconds": "30"}, {"kind": "DeleteOptions"},
     DeleteOptions(Preconditions(), "", None, False)),
    ("body-grace", {}, {"gracePeriodSeconds": 0}, DeleteOptions(Preconditions(), "", 0, False)),
    ("body-grace-wins", {"gracePeriodSeconds": "30"}, {"gracePeriodSeconds": 5},
     DeleteOptions(Preconditions(), "", 5, False)),
    ("query-grace", {"gracePeriodSeconds": "0"}, None, DeleteOptions(Preconditions(), "", 0, False)),
    ("preconditions", {}, {"preconditions": {"uid": "u-1", "resourceVersion": "42"}},
     DeleteOptions(Preconditions(uid="u-1", resource_version="42"), "", None, False)),
    ("empty-preconditions", {}, {"preconditions": {"uid": "", "resourceVersion": ""}},
     DeleteOptions(Preconditions(), "", None, False)),
    ("null-preconditions", {}, {"preconditions": None}, DeleteOptions(Preconditions(), "", None, False)),
    ("body-dry-run", {}, {"dryRun": ["All"]}, DeleteOptions(Preconditions(), "", None, True)),
    ("query-dry-run", {"dryRun": "All"}, None, DeleteOptions(Preconditions(), "", None, True)),
    ("everything", {}, {"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1", "propagationPolicy": "Orphan",
                        "gracePeriodSeconds": 10, "preconditions": {"uid": "u"}, "dryRun": ["All"]},
     DeleteOptions(Preconditions(uid="u"), "Orphan", 10, True)),
]


@pytest.mark.parametrize("query, body, expected", [c[1:] for c in DELETE_CASES], ids=[c[0] for c in DELETE_CASES])
def test_parse_delete_options(query, body, expected):
    assert parse_delete_options(query, body) == expected


@pytest.mark.parametrize("query, body", [
    ({}, {"propagationPolicy": "Sometimes"}),
    ({"propagationPolicy": "Sometimes"}, None),
    ({"propagationPolicy": "Sometimes"}, {}),
    ({}, {"propagationPolicy": "orphan"}),
])
def test_bad_propagation_policy_is_422(query, body):
    with pytest.raises(StatusError) as caught:
        parse_delete_options(query, body)
    err = caught.value
    value = (body or {}).get("propagationPolicy") or query["propagationPolicy"]
    assert (err.code, err.reason) == (422, "Invalid")
    assert err.message.startswith(f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: '
                                  f'"{value}": supported values: "Foreground", "Background", "Orphan"')
    assert [(c.reason, c.field) for c in err.causes] == [("FieldValueNotSupported", "propagationPolicy")]
    assert err.to_status()["code"] == 422


# kube's ValidateDeleteOptions lists "nil" among the supported policies
def test_bad_propagation_policy_status_is_kubes():
    with pytest.raises(StatusError) as caught:
        parse_delete_options({}, {"propagationPolicy": "Sometimes"})
    detail = 'Unsupported value: "Sometimes": supported values: "Foreground", "Background", "Orphan", "nil"'
    assert caught.value.to_status() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: {detail}',
        "reason": "Invalid", "code": 422,
        "details": {"group": "meta.k8s.io", "kind": "DeleteOptions",
                    "causes": [{"reason": "FieldValueNotSupported", "message": detail,
                                "field": "propagationPolicy"}]},
    }


@pytest.mark.parametrize("query, body, code, fragment", [
    ({}, {"kind": "Pod"}, 400, "the body of a delete must be DeleteOptions, not Pod"),
    ({"gracePeriodSeconds": "soon"}, None, 400, 'invalid value for gracePeriodSeconds: "soon", must be an integer'),
    ({}, {"dryRun": ["Nope"]}, 422,
     'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Nope"}: supported values: "All"'),
    ({}, {"propagationPolicy": "Sometimes", "dryRun": ["Nope"]}, 422,
     'DeleteOptions.meta.k8s.io "" is invalid: [propagationPolicy: Unsupported value: "Sometimes": supported values: '
     '"Foreground", "Background", "Orphan", "nil", dryRun: Unsupported value: []string{"Nope"}: supported values: '
     '"All"]'),
])
def test_other_bad_delete_options(query, body, code, fragment):
    with pytest.raises(StatusError) as caught:
        parse_delete_options(query, body)
    assert caught.value.code == code
    assert fragment in caught.value.message
