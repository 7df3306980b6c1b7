"""Validation shared by the built-in kinds: kube's field error constructors (k8s.io/apimachinery's field package,
with Go's rendering of the bad value) and the small rules many kinds use (names of ports, IPs, annotations). The
Service checks live in service.py, the pod and workload rules in pods.py, apps.py and batch.py. They run on the
object after defaulting, as kube's strategies do.

Each validator takes the whole object and returns one Cause per bad field.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

from apiserver.api.meta.errors import Cause, too_long
from apiserver.api.meta.goformat import byte_len, quote
from apiserver.api.meta.labels import qualified_name_errors
from apiserver.api.meta.types import Obj

_PORT_RANGE = "must be between 1 and 65535, inclusive"
NEGATIVE = "must be greater than or equal to 0"
IMMUTABLE = "field is immutable"
PROTOCOLS = ("SCTP", "TCP", "UDP")


class GoValue(str):
    """A value already written the way Go's `%#v` prints it (a struct, a nil map), shown as it is."""


def _go(value: Any) -> str:
    """A value as Go's field errors print it: strings quoted, numbers bare, string maps spelled out."""
    if isinstance(value, GoValue):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return string_map(value)
    if value is None:
        return "null"
    return str(value)


def string_map(value: Mapping[str, Any] | None) -> GoValue:
    """A map[string]string as `%#v` prints it: keys sorted, a missing map is the nil map."""
    if value is None:
        return GoValue("map[string]string(nil)")
    inner = ", ".join(f"{quote(str(k))}:{quote(str(v))}" for k, v in sorted(value.items()))
    return GoValue("map[string]string{" + inner + "}")


def string_slice(values: Iterable[Any] | None) -> GoValue:
    if values is None:
        return GoValue("[]string(nil)")
    return GoValue("[]string{" + ", ".join(quote(str(v)) for v in values) + "}")


def go_label_selector(selector: Mapping[str, Any]) -> GoValue:
    """A metav1.LabelSelector as `%#v` prints it (kube passes the dereferenced struct, which has no String())."""
    expressions = selector.get("matchExpressions")
    if expressions is None:
        rendered = "[]v1.LabelSelectorRequirement(nil)"
    else:
        rendered = "[]v1.LabelSelectorRequirement{" + ", ".join(
            f"v1.LabelSelectorRequirement{{Key:{quote(str(e.get('key') or ''))}, "
            f"Operator:{quote(str(e.get('operator') or ''))}, Values:{string_slice(e.get('values'))}}}"
            for e in expressions if isinstance(e, dict)) + "}"
    return GoValue(f"v1.LabelSelector{{MatchLabels:{string_map(selector.get('matchLabels'))}, "
                   f"MatchExpressions:{rendered}}}")


def required(path: str, detail: str = "") -> Cause:
    return Cause("FieldValueRequired", "Required value" + (f": {detail}" if detail else ""), path)


def invalid(path: str, value: Any, detail: str) -> Cause:
    return Cause("FieldValueInvalid", f"Invalid value: {_go(value)}" + (f": {detail}" if detail else ""), path)


def not_supported(path: str, value: Any, supported: tuple[str, ...]) -> Cause:
    listed = ", ".join(_go(v) for v in supported)
    return Cause("FieldValueNotSupported", f"Unsupported value: {_go(value)}: supported values: {listed}", path)


def duplicate(path: str, value: Any) -> Cause:
    return Cause("FieldValueDuplicate", f"Duplicate value: {_go(value)}", path)


def forbidden(path: str, detail: str) -> Cause:
    return Cause("FieldValueForbidden", f"Forbidden: {detail}", path)


def not_found(path: str, value: Any) -> Cause:
    return Cause("FieldValueNotFound", f"Not found: {_go(value)}", path)


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def nonnegative(value: Any, path: str) -> list[Cause]:
    """kube's ValidateNonnegativeField."""
    return [invalid(path, value, NEGATIVE)] if is_int(value) and value < 0 else []


def immutable_field(new: Any, old: Any, path: str, rendered: Any = None) -> list[Cause]:
    """kube's ValidateImmutableField: nil and empty compare equal, as Semantic.DeepEqual has them."""
    if semantic(new) == semantic(old):
        return []
    return [invalid(path, new if rendered is None else rendered, IMMUTABLE)]


def semantic(value: Any) -> Any:
    """A value as Go compares typed objects: absent, null, empty lists and empty maps are all the zero value."""
    if isinstance(value, dict):
        kept = {k: semantic(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [semantic(v) for v in value]
    return value


def label_name_errors(key: str, path: str) -> list[Cause]:
    """kube's ValidateLabelName."""
    return [invalid(path, key, m) for m in qualified_name_errors(key)]


def annotation_errors(annotations: Any, path: str) -> list[Cause]:
    """kube's ValidateAnnotations: keys are qualified names (case aside), 256 KiB in all."""
    if not isinstance(annotations, dict):
        return []
    causes: list[Cause] = []
    total = 0
    for key in sorted(annotations):
        causes += [invalid(path, key, m) for m in qualified_name_errors(key.lower())]
        value = annotations[key]
        total += len(key.encode()) + len(str(value).encode())
    if total > 256 * 1024:
        causes.append(too_long(path, 256 * 1024))
    return causes


def spec_of(obj: Obj) -> Obj:
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def port_number(value: Any, path: str) -> list[Cause]:
    """kube's IsValidPortNum."""
    return [] if is_int(value) and 1 <= value <= 65535 else [invalid(path, value, _PORT_RANGE)]


def port_name_errors(name: str) -> list[str]:
    """kube's IsValidPortName (an IANA service name)."""
    errors = []
    if byte_len(name) > 15:
        errors.append("must be no more than 15 characters")
    if not re.fullmatch(r"[-a-z0-9]+", name):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", name):
        errors.append("must contain at least one letter (a-z)")
    if "--" in name:
        errors.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def port_number_or_name(value: Any, path: str) -> list[Cause]:
    """kube's ValidatePortNumOrName for an int-or-string port."""
    if isinstance(value, str):
        return [invalid(path, value, m) for m in port_name_errors(value)]
    return port_number(value or 0, path)


def ip_errors(value: Any, path: str) -> list[Cause]:
    """kube's IsValidIP."""
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return [invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")]
    return []
