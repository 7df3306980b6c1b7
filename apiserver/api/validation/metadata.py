"""Object metadata validation: the rules a schema cannot express (names, label and annotation syntax)."""
from __future__ import annotations

import re
from typing import Any

from apiserver.api.meta.errors import Cause, too_long
from apiserver.api.meta.goformat import byte_len, quote
from apiserver.api.meta.labels import (
    dns1123_subdomain_errors,
    label_value_errors,
    qualified_name_errors,
)

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
ANNOTATIONS_MAX_BYTES = 256 * 1024

_LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
              "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
              "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
_DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
                "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
                "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")


def _quote(value: Any) -> str:
    return quote(str(value))


def name_errors(name: str, rule: str) -> list[str]:
    """Messages for a name under one of kube's naming rules: label, dns1035, subdomain or path."""
    if rule == "path":
        if name in (".", ".."):
            return [f"may not be '{name}'"]
        return [f"may not contain '{c}'" for c in ("/", "%") if c in name]
    if rule == "subdomain":
        return dns1123_subdomain_errors(name)
    pattern, message = (DNS1123_LABEL, _LABEL_MSG) if rule == "label" else (DNS1035_LABEL, _DNS1035_MSG)
    errors = []
    # kube's limits count UTF-8 bytes (Go's len)
    if byte_len(name) > 63:
        errors.append("must be no more than 63 characters")
    if not pattern.fullmatch(name):
        errors.append(message)
    return errors


def validate_metadata(obj: dict[str, Any], name_rule: str, namespaced: bool) -> list[Cause]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return [Cause("FieldValueRequired", "Required value", "metadata")]
    causes: list[Cause] = []
    name = meta.get("name")
    if not name:
        causes.append(Cause("FieldValueRequired", "Required value: name or generateName is required",
                            "metadata.name"))
    elif not isinstance(name, str):
        causes.append(Cause("FieldValueInvalid", f"Invalid value: {_quote(name)}: must be a string", "metadata.name"))
    else:
        for message in name_errors(name, name_rule):
            causes.append(Cause("FieldValueInvalid", f"Invalid value: {_quote(name)}: {message}", "metadata.name"))
    if namespaced and not meta.get("namespace"):
        causes.append(Cause("FieldValueRequired", "Required value", "metadata.namespace"))
    causes.extend(_validate_labels(meta.get("labels")))
    causes.extend(_validate_annotations(meta.get("annotations")))
    return causes


def _validate_labels(labels: Any) -> list[Cause]:
    if labels is None:
        return []
    if not isinstance(labels, dict):
        return [Cause("FieldValueInvalid", "Invalid value: must be a map of strings", "metadata.labels")]
    causes = []
    for key, value in labels.items():
        for message in qualified_name_errors(key):
            causes.append(Cause("FieldValueInvalid", f"Invalid value: {_quote(key)}: {message}", "metadata.labels"))
        if not isinstance(value, str):
            causes.append(Cause("FieldValueInvalid", f"Invalid value: {_quote(value)}: must be a string",
                                "metadata.labels"))
        else:
            for message in label_value_errors(value):
                causes.append(Cause("FieldValueInvalid", f"Invalid value: {_quote(value)}: {message}",
                                    "metadata.labels"))
    return causes


def _validate_annotations(annotations: Any) -> list[Cause]:
    if annotations is None:
        return []
    if not isinstance(annotations, dict):
        return [Cause("FieldValueInvalid", "Invalid value: must be a map of strings", "metadata.annotations")]
    causes = []
    total = 0
    for key, value in annotations.items():
        for message in qualified_name_errors(key.lower()):
            causes.append(Cause("FieldValueInvalid", f"Invalid value: {_quote(key)}: {message}",
                                "metadata.annotations"))
        if not isinstance(value, str):
            causes.append(Cause("FieldValueInvalid", f"Invalid value: {_quote(value)}: must be a string",
                                "metadata.annotations"))
            continue
        total += byte_len(key) + byte_len(value)
    if total > ANNOTATIONS_MAX_BYTES:
        causes.append(too_long("metadata.annotations", ANNOTATIONS_MAX_BYTES))
    return causes
