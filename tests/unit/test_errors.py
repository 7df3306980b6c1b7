"""API errors as kube `Status` objects: shapes, codes, reasons and kube's message formats."""
from __future__ import annotations

import pytest

from apiserver.api.meta import errors
from apiserver.api.meta.errors import Cause, StatusError


def failure(code: int, reason: str, message: str, details: dict | None = None) -> dict:
    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
              "reason": reason, "code": code}
    if details is not None:
        status["details"] = details
    return status


CASES = [
    ("not-found-core", errors.not_found("configmaps", "", "c"),
     failure(404, "NotFound", 'configmaps "c" not found', {"name": "c", "kind": "configmaps"})),
    ("not-found-group", errors.not_found("deployments", "apps", "web"),
     failure(404, "NotFound", 'deployments.apps "web" not found',
             {"name": "web", "group": "apps", "kind": "deployments"})),
    ("not-found-empty-name", errors.not_found("namespaces", "", ""),
     failure(404, "NotFound", 'namespaces "" not found', {"kind": "namespaces"})),
    ("already-exists-core", errors.already_exists("pods", "", "p"),
     failure(409, "AlreadyExists", 'pods "p" already exists', {"name": "p", "kind": "pods"})),
    ("already-exists-group", errors.already_exists("leases", "coordination.k8s.io", "l"),
     failure(409, "AlreadyExists", 'leases.coordination.k8s.io "l" already exists',
             {"name": "l", "group": "coordination.k8s.io", "kind": "leases"})),
    ("conflict", errors.conflict("configmaps", "", "c", errors.OBJECT_MODIFIED),
     failure(409, "Conflict", 'Operation cannot be fulfilled on configmaps "c": the object has been modified; '
                              'please apply your changes to the latest version and try again',
             {"name": "c", "kind": "configmaps"})),
    ("conflict-group", errors.conflict("deployments", "apps", "d", "precondition failed"),
     failure(409, "Conflict", 'Operation cannot be fulfilled on deployments.apps "d": precondition failed',
             {"name": "d", "group": "apps", "kind": "deployments"})),
    ("invalid-one-cause", errors.invalid("ConfigMap", "", "Bad_Name", [
        Cause("FieldValueInvalid", 'Invalid value: "Bad_Name": must be lower case', "metadata.name")]),
     failure(422, "Invalid", 'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": '
                             'must be lower case',
             {"name": "Bad_Name", "kind": "ConfigMap", "causes": [
                 {"reason": "FieldValueInvalid", "message": 'Invalid value: "Bad_Name": must be lower case',
                  "field": "metadata.name"}]})),
    ("invalid-several-causes", errors.invalid("Deployment", "apps", "d", [
        Cause("FieldValueRequired", "Required value", "spec.selector"),
        Cause("FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0", "spec.replicas")]),
     failure(422, "Invalid", 'Deployment.apps "d" is invalid: [spec.selector: Required value, spec.replicas: '
                             'Invalid value: -1: must be greater than or equal to 0]',
             {"name": "d", "group": "apps", "kind": "Deployment", "causes": [
                 {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.selector"},
                 {"reason": "FieldValueInvalid", "message": "Invalid value: -1: must be greater than or equal to 0",
                  "field": "spec.replicas"}]})),
    ("invalid-cause-without-field", errors.invalid("Pod", "", "p", [Cause("FieldValueInvalid", "bad")]),
     failure(422, "Invalid", 'Pod "p" is invalid: bad',
             {"name": "p", "kind": "Pod", "causes": [{"reason": "FieldValueInvalid", "message": "bad"}]})),
    ("bad-request", errors.bad_request("nope"), failure(400, "BadRequest", "nope")),
    ("unauthorized", errors.unauthorized(), failure(401, "Unauthorized", "Unauthorized")),
    ("forbidden", errors.forbidden('pods is forbidden: User "u" cannot list resource "pods"'),
     failure(403, "Forbidden", 'pods is forbidden: User "u" cannot list resource "pods"')),
    ("method-not-allowed", errors.method_not_allowed("x"), failure(405, "MethodNotAllowed", "x")),
    ("gone", errors.gone("too old resource version: 1 (5)"),
     failure(410, "Expired", "too old resource version: 1 (5)")),
    ("too-large", errors.too_large("too big"), failure(413, "RequestEntityTooLarge", "too big")),
    ("internal", errors.internal_error("boom"), failure(500, "InternalError", "Internal error occurred: boom")),
    ("unavailable", errors.service_unavailable("etcd down"), failure(503, "ServiceUnavailable", "etcd down")),
    ("too-many-requests", errors.too_many_requests(),
     failure(429, "TooManyRequests", "Too many requests, please try again later.", {"retryAfterSeconds": 1})),
    ("too-many-requests-5", errors.too_many_requests(5),
     failure(429, "TooManyRequests", "Too many requests, please try again later.", {"retryAfterSeconds": 5})),
    ("timeout-no-retry", errors.timeout("Timeout: request did not complete"),
     failure(504, "Timeout", "Timeout: request did not complete")),
    ("timeout-retry", errors.timeout("Timeout: x", retry_after=2),
     failure(504, "Timeout", "Timeout: x", {"retryAfterSeconds": 2})),
    ("retry-with-name", StatusError(409, "Conflict", "m", name="n", retry_after_seconds=3),
     failure(409, "Conflict", "m", {"name": "n", "retryAfterSeconds": 3})),
]


@pytest.mark.parametrize("err, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_to_status(err, expected):
    assert err.to_status() == expected
    assert (err.code, err.reason, err.message) == (expected["code"], expected["reason"], expected["message"])


def test_unsupported_media_type_and_not_acceptable():
    accepted = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf")
    assert errors.unsupported_media_type(accepted).to_status() == failure(
        415, "UnsupportedMediaType", 'the body of the request was in an unknown format - accepted media types '
                                     'include: application/json, application/yaml, '
                                     'application/vnd.kubernetes.protobuf')
    err = errors.not_acceptable(accepted)
    assert (err.code, err.reason) == (406, "NotAcceptable")
    assert err.message == ("only the following media types are accepted: application/json, application/yaml, "
                           "application/vnd.kubernetes.protobuf")


@pytest.mark.parametrize("resource, group, expected", [
    ("configmaps", "", "configmaps"),
    ("deployments", "apps", "deployments.apps"),
    ("leases", "coordination.k8s.io", "leases.coordination.k8s.io"),
])
def test_qualified_resource(resource, group, expected):
    assert errors.qualified_resource(resource, group) == expected


def test_status_error_is_an_exception_with_the_message():
    err = errors.not_found("pods", "", "p")
    assert isinstance(err, Exception)
    assert str(err) == 'pods "p" not found'
    with pytest.raises(StatusError, match='pods "p" not found'):
        raise err


@pytest.mark.parametrize("cause, expected", [
    (Cause("FieldValueInvalid", "m", "f"), {"reason": "FieldValueInvalid", "message": "m", "field": "f"}),
    (Cause("FieldValueInvalid", "m"), {"reason": "FieldValueInvalid", "message": "m"}),
])
def test_cause_to_dict(cause, expected):
    assert cause.to_dict() == expected


# kube's ErrorList.ToAggregate says a repeated message once; the causes keep every error
def test_invalid_message_drops_duplicate_causes():
    twice = Cause("FieldValueInvalid", 'Invalid value: "x y": bad', "metadata.labels")
    err = errors.invalid("ConfigMap", "", "c", [twice, twice])
    assert err.message == 'ConfigMap "c" is invalid: metadata.labels: Invalid value: "x y": bad'
    assert len(err.to_status()["details"]["causes"]) == 2


def test_status_members_come_in_kubes_order():
    status = errors.invalid("ConfigMap", "", "c", [errors.Cause("FieldValueForbidden", "Forbidden: x", "data")])
    assert list(status.to_status()) == ["kind", "apiVersion", "metadata", "status", "message", "reason",
                                        "details", "code"]
    assert list(errors.not_found("pods", "", "p").to_status()) == [
        "kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code"]
