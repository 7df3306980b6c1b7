"""What every answer must be, whatever the request: kube-apiserver's error contract.

- never a 5xx: bad input is the client's fault;
- a success carries JSON;
- a failure is a `Status` (kind Status, apiVersion v1, status Failure, a message) whose `code` is the HTTP code
  and whose `reason` is one kube uses, with the code kube gives that reason;
- and where kube's answer follows from the request alone, that answer: a write whose options are bad (dryRun,
  fieldValidation, fieldManager, force) is 422 Invalid on its options kind before the body is even decoded
  (kube's create, update and patch handlers validate the options right after reading the body); with good
  options, a body of the wrong JSON shape is 400 (`body_problem`), and so is one that breaks the kind's schema
  (never a success).
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any

# metav1.StatusReason → the code kube's errors package gives it
REASON_CODES: dict[str, int] = {
    "BadRequest": 400, "Unauthorized": 401, "Forbidden": 403, "NotFound": 404, "MethodNotAllowed": 405,
    "NotAcceptable": 406, "AlreadyExists": 409, "Conflict": 409, "Gone": 410, "Expired": 410,
    "RequestEntityTooLarge": 413, "UnsupportedMediaType": 415, "Invalid": 422, "TooManyRequests": 429,
    "InternalError": 500, "ServerTimeout": 500, "ServiceUnavailable": 503, "Timeout": 504,
}
OPTIONS_KINDS = {"POST": "CreateOptions", "PUT": "UpdateOptions", "PATCH": "PatchOptions"}
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")
APPLY_PATCH = "application/apply-patch+yaml"
FIELD_VALIDATION = ("", "Ignore", "Warn", "Strict")
# Go's unicode.IsPrint refuses these categories (and every space but U+0020); Cn is left undecided, since
# Python's Unicode tables and Go's are of different versions
UNPRINTABLE = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp", "Zs"}


def answer_problem(code: int, body: bytes) -> str | None:
    """What is wrong with the form of an answer, or None."""
    if code >= 500:
        return f"a {code} for bad input"
    try:
        decoded = json.loads(body) if body else None
    except ValueError:
        return "the body is not JSON"
    if code < 400:
        return None
    if not isinstance(decoded, dict):
        return "an error answer that is not a Status object"
    expected = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code}
    wrong = {k: decoded.get(k) for k, v in expected.items() if decoded.get(k) != v}
    if wrong:
        return f"not a Failure Status of code {code}: {wrong}"
    reason = decoded.get("reason")
    if reason not in REASON_CODES:
        return f"reason {reason!r} is not one kube uses"
    if REASON_CODES[reason] != code:
        return f"kube answers reason {reason} with {REASON_CODES[reason]}, not {code}"
    if not isinstance(decoded.get("message"), str) or not decoded["message"]:
        return "a Status without a message"
    return None


def _manager_printable(manager: str) -> bool | None:
    """Go's unicode.IsPrint over the string; None when a character's category is not settled here."""
    for char in manager:
        category = unicodedata.category(char)
        if category == "Cn":
            return None
        if category in UNPRINTABLE and char != " ":
            return False
    return True


def option_errors(method: str, query: Sequence[tuple[str, str]], content_type: str | None) -> list[str] | None:
    """The fields kube's Validate{Create,Update,Patch}Options finds wrong in a write's query ([] for none), or
    None when kube would answer something else first or the answer cannot be told here."""
    if method not in OPTIONS_KINDS:
        return None
    media_type = (content_type or "").split(";")[0].strip().lower()
    if method == "PATCH" and media_type not in PATCH_TYPES:
        return None     # 415 comes first
    if method != "PATCH" and media_type not in ("application/json", "application/yaml",
                                                "application/vnd.kubernetes.protobuf"):
        return None
    values: dict[str, list[str]] = {}
    for key, value in query:
        values.setdefault(key, []).append(value)
    manager = values.get("fieldManager", [""])[0]
    errors = []
    if method == "PATCH":
        if media_type == APPLY_PATCH and not manager:
            errors.append("fieldManager")
        if media_type != APPLY_PATCH and "force" in values:
            errors.append("force")
    printable = _manager_printable(manager)
    if printable is None:
        return None
    if len(manager.encode()) > 128 or not printable:
        errors.append("fieldManager")
    if any(v != "All" for v in values.get("dryRun", [])):
        errors.append("dryRun")
    if values.get("fieldValidation", [""])[0] not in FIELD_VALIDATION:
        errors.append("fieldValidation")
    return errors


def body_problem(method: str, query: Sequence[tuple[str, str]], content_type: str | None,
                 sent: bytes) -> set[int] | None:
    """The codes kube may give a write whose body is JSON of the wrong shape (its options being good), or None when
    the body does not decide: an object's body that is not an object is 400 when decoded; a JSON patch that is not
    a list of operations, or a merge patch that is not an object, is 400 once the object is found (404 before)."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    try:
        body = json.loads(sent)
    except ValueError:
        return None
    fields = dict(query)
    if method in ("POST", "PUT") and media_type == "application/json" and not isinstance(body, dict):
        return {400}
    if method == "PATCH" and media_type == "application/json-patch+json" and not (
            body is None or isinstance(body, list) and all(op is None or isinstance(op, dict) for op in body)):
        return {400, 404}
    if method == "PATCH" and media_type == "application/merge-patch+json" and not isinstance(body, dict) \
            and fields.get("fieldValidation") != "Ignore":
        return {400, 404}
    return None


def code_problem(method: str, query: Sequence[tuple[str, str]], content_type: str | None, sent: bytes,
                 broken_body: bool, code: int, body: Any) -> str | None:
    """Whether the answer is the one kube gives this input, where the input alone decides it. `broken_body`: the
    body breaks the kind's schema in a way Go's typed decoding refuses (a value of another type or format)."""
    errors = option_errors(method, query, content_type)
    # a patch's schema in the documents is any object, not the kind's: only creates and updates tell
    if errors == [] and broken_body and method in ("POST", "PUT") and 200 <= code < 300:
        return f"kube's typed decoding refuses a body that breaks the kind's schema (400), not {code}"
    if errors == []:
        expected = body_problem(method, query, content_type, sent)
        if expected is not None and code not in expected:
            return f"kube answers this body with {' or '.join(map(str, sorted(expected)))}, not {code}"
    if not errors:
        return None
    kind = OPTIONS_KINDS[method]
    status = body if isinstance(body, dict) else {}
    details = status.get("details") or {}
    fields = {cause.get("field") for cause in details.get("causes") or []}
    if code != 422 or status.get("reason") != "Invalid" or details.get("kind") != kind:
        return f"kube answers 422 Invalid on {kind} ({', '.join(sorted(set(errors)))}), not {code} " \
               f"{status.get('reason')}"
    if not set(errors) <= fields:
        return f"kube's 422 on {kind} names {sorted(set(errors))}; this one names {sorted(f for f in fields if f)}"
    return None
