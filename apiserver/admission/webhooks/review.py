"""AdmissionReview v1 (or v1beta1, for a webhook that lists only it) as kube sends it, and the checks kube makes of
the answer before it believes it (kube's webhook/request package)."""
from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass, field
from typing import Any

from apiserver.admission.attributes import Attributes
from apiserver.admission.webhooks.matching import Invocation
from apiserver.api.meta.types import Obj

REVIEW_GROUP = "admission.k8s.io"
KNOWN_VERSIONS = ("v1", "v1beta1")


class ReviewError(Exception):
    """The request cannot be built or the answer is unusable; the message is kube's."""


@dataclass
class Answer:
    allowed: bool
    patch: bytes = b""
    patch_type: str = ""
    result: Obj | None = None
    warnings: list[str] = field(default_factory=list)
    audit_annotations: dict[str, str] = field(default_factory=dict)


def review_version(versions: tuple[str, ...]) -> str:
    """The first AdmissionReview version of the webhook's list this server speaks."""
    for version in versions:
        if version in KNOWN_VERSIONS:
            return version
    raise ReviewError("webhook does not accept known AdmissionReview versions (v1, v1beta1)")


def _gvk(gvk: tuple[str, str, str]) -> dict[str, str]:
    return {"group": gvk[0], "version": gvk[1], "kind": gvk[2]}


def _gvr(gvr: tuple[str, str, str]) -> dict[str, str]:
    return {"group": gvr[0], "version": gvr[1], "resource": gvr[2]}


def build(version: str, invocation: Invocation, attrs: Attributes, request_kind: tuple[str, str, str],
          obj: Obj | None, old: Obj | None) -> tuple[str, Obj]:
    """(uid, the review) for one call; `obj` and `old` are already in the version the webhook is sent."""
    uid = str(uuid.uuid4())
    user: dict[str, Any] = {"username": attrs.user.name}
    if attrs.user.uid:
        user["uid"] = attrs.user.uid
    if attrs.user.groups:
        user["groups"] = list(attrs.user.groups)
    if attrs.user.extra:
        user["extra"] = {key: list(values) for key, values in attrs.user.extra.items()}
    request: dict[str, Any] = {
        "uid": uid, "kind": _gvk(invocation.kind), "resource": _gvr(invocation.resource)}
    if invocation.subresource:
        request["subResource"] = invocation.subresource
    request["requestKind"] = _gvk(request_kind)
    request["requestResource"] = _gvr((attrs.request_group, attrs.request_version, attrs.resource))
    if attrs.subresource:
        request["requestSubResource"] = attrs.subresource
    if attrs.name:
        request["name"] = attrs.name
    if attrs.namespace:
        request["namespace"] = attrs.namespace
    request.update({"operation": attrs.operation.value, "userInfo": user, "object": obj, "oldObject": old,
                    "dryRun": attrs.dry_run, "options": attrs.options})
    return uid, {"kind": "AdmissionReview", "apiVersion": f"{REVIEW_GROUP}/{version}", "request": request}


def _patch_bytes(value: Any) -> bytes:
    if value in (None, ""):
        return b""
    if not isinstance(value, str):
        raise ReviewError("json: cannot unmarshal response.patch into Go struct field AdmissionResponse.response.patch "
                          "of type []uint8")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ReviewError(f"illegal base64 data in response.patch: {exc}") from None


def verify(version: str, uid: str, mutating: bool, body: Any) -> Answer:
    """kube's VerifyAdmissionResponse."""
    if not isinstance(body, dict) or not isinstance(body.get("response"), dict):
        raise ReviewError("webhook response was absent")
    response = body["response"]
    if version == "v1":
        if response.get("uid") != uid:
            raise ReviewError(f'expected response.uid="{uid}", got "{response.get("uid") or ""}"')
        sent_group, _, sent_version = str(body.get("apiVersion") or "").rpartition("/")
        if (sent_group, sent_version, body.get("kind")) != (REVIEW_GROUP, "v1", "AdmissionReview"):
            raise ReviewError(f"expected webhook response of {REVIEW_GROUP}/v1, Kind=AdmissionReview, got "
                              f"{sent_group}/{sent_version}, Kind={body.get('kind') or ''}")
    patch = _patch_bytes(response.get("patch"))
    patch_type = response.get("patchType")
    if version == "v1":
        if mutating:
            if patch and patch_type is None:
                raise ReviewError("webhook returned response.patch but not response.patchType")
            if not patch and patch_type is not None:
                raise ReviewError("webhook returned response.patchType but not response.patch")
            if patch_type == "":
                raise ReviewError('webhook returned invalid response.patchType of ""')
        else:
            if patch:
                raise ReviewError("validating webhook may not return response.patch")
            if patch_type is not None:
                raise ReviewError("validating webhook may not return response.patchType")
    elif mutating and patch:
        # v1beta1 answers were never checked for a patch type: kube takes the one type there is
        patch_type = "JSONPatch"
    if not mutating:
        patch, patch_type = b"", ""
    result = response.get("status")
    return Answer(bool(response.get("allowed")), patch, str(patch_type or ""),
                  result if isinstance(result, dict) else None,
                  [str(w) for w in response.get("warnings") or []],
                  {str(k): str(v) for k, v in (response.get("auditAnnotations") or {}).items()})
