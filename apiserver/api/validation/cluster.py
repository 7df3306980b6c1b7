"""Validation of the cluster-wide kinds of scheduling.k8s.io, node.k8s.io, coordination.k8s.io, certificates.k8s.io
and policy, with kube-apiserver 1.32's field paths and messages (its pkg/apis/<group>/validation), plus the helpers
these and the storage kinds share: label selectors, int-or-percent values, metav1 conditions and Go's `%#v`
rendering of the structs kube quotes in its messages.

Each validator takes the whole object (after defaulting) and returns one Cause per bad field; update checks take
the new and the stored object.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeGuard

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from apiserver.api.meta.errors import Cause, forbidden_field, too_long
from apiserver.api.meta.goformat import byte_len, quote
from apiserver.api.meta.labels import dns1123_subdomain_errors, label_value_errors, qualified_name_errors
from apiserver.api.meta.types import Obj
from apiserver.api.validation import kinds
from apiserver.api.validation.kinds import duplicate, invalid, not_supported, required
from apiserver.api.validation.labelselector import label_map, label_selector
from apiserver.api.validation.metadata import name_errors
from apiserver.api.validation.podwarnings import DEPRECATED_NODE_LABELS

NONNEGATIVE = "must be greater than or equal to 0"
IMMUTABLE = "field is immutable"
# kube's %#v of a non-nil pointer prints its address, which no client can rely on: this one stands for any
GO_ADDRESS = "0xc000010000"



# --- causes and Go renderings --------------------------------------------------------------------------------

def invalid_as(path: str, rendered: str, detail: str) -> Cause:
    """field.Invalid for a value already rendered as Go prints it (structs, slices, byte strings)."""
    return Cause("FieldValueInvalid", f"Invalid value: {rendered}: {detail}", path)


def as_dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def go_pointer(type_name: str, value: Any) -> str:
    """A pointer field inside a struct printed with %#v: its type and address, or nil."""
    return f"(*{type_name})({'nil' if value is None else GO_ADDRESS})"


def go_typed_strings(type_name: str, values: Any) -> str:
    """A slice of a named string type (`[]storage.VolumeLifecycleMode{"Persistent"}`) as %#v prints it."""
    if not isinstance(values, list):
        return f"[]{type_name}(nil)"
    return f"[]{type_name}{{" + ", ".join(quote(str(v)) for v in values) + "}"


def go_label_selector(selector: Any) -> str:
    """A *metav1.LabelSelector as kube's field errors print it: dereferenced, then %#v; nil as null."""
    return str(kinds.go_label_selector(selector)) if isinstance(selector, dict) else "null"


def go_int_or_string(value: Any) -> str:
    """An intstr.IntOrString value (not a pointer, so not a Stringer) as %#v prints it."""
    if isinstance(value, str):
        return f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{quote(value)}}}"
    return f"intstr.IntOrString{{Type:0, IntVal:{value}, StrVal:\"\"}}"


def go_bytes(data: bytes | None) -> str:
    if data is None:
        return "[]byte(nil)"
    return "[]byte{" + ", ".join(f"0x{b:x}" for b in data) + "}"


# --- shared rules --------------------------------------------------------------------------------------------

def nonnegative(value: Any, path: str) -> list[Cause]:
    return [invalid(path, value, NONNEGATIVE)] if is_int(value) and value < 0 else []


def label_name(key: str, path: str) -> list[Cause]:
    return [invalid(path, key, m) for m in qualified_name_errors(key)]


_PERCENT = re.compile(r"[0-9]+%")
_PERCENT_MSG = ("a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', "
                "regex used for validation is '[0-9]+%')")


def int_or_percent(value: Any, path: str) -> list[Cause]:
    """kube's ValidatePositiveIntOrPercent and IsNotMoreThan100Percent: a count of at least 0 or a percentage
    of at most 100%."""
    if isinstance(value, str):
        if not _PERCENT.fullmatch(value):
            return [invalid_as(path, go_int_or_string(value), _PERCENT_MSG)]
        if int(value[:-1]) > 100:
            return [invalid_as(path, go_int_or_string(value), "must not be greater than 100%")]
        return []
    return nonnegative(value, path)


_REASON = re.compile(r"[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?")
_REASON_MSG = ("a condition reason must start with alphabetic character, optionally followed by a string of "
               "alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. "
               "'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used "
               "for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')")
CONDITION_STATUSES = ("False", "True", "Unknown")


def conditions(items: Any, path: str) -> list[Cause]:
    """metav1 ValidateConditions: unique types, and each condition complete and well formed."""
    causes: list[Cause] = []
    seen: set[str] = set()
    for i, condition in enumerate(items if isinstance(items, list) else []):
        where = f"{path}[{i}]"
        condition = as_dict(condition)
        kind = str(condition.get("type") or "")
        if kind in seen:
            causes.append(duplicate(f"{where}.type", kind))
        seen.add(kind)
        causes += label_name(kind, f"{where}.type")
        status = condition.get("status") or ""
        if status not in CONDITION_STATUSES:
            causes.append(not_supported(f"{where}.status", status, CONDITION_STATUSES))
        generation = condition.get("observedGeneration")
        if is_int(generation) and generation < 0:
            causes.append(invalid(f"{where}.observedGeneration", generation, "must be greater than or equal to zero"))
        if not condition.get("lastTransitionTime"):
            causes.append(required(f"{where}.lastTransitionTime", "must be set"))
        reason = str(condition.get("reason") or "")
        if not reason:
            causes.append(required(f"{where}.reason", "must be set"))
        else:
            if not _REASON.fullmatch(reason):
                causes.append(invalid(f"{where}.reason", reason, _REASON_MSG))
            if byte_len(reason) > 1024:
                causes.append(too_long(f"{where}.reason", 1024))
        if byte_len(str(condition.get("message") or "")) > 32 * 1024:
            causes.append(too_long(f"{where}.message", 32 * 1024))
    return causes


# --- scheduling.k8s.io PriorityClass -------------------------------------------------------------------------

SYSTEM_PRIORITY_CLASSES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
HIGHEST_USER_PRIORITY = 1_000_000_000
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")


def _system_priority_class_error(name: str, value: Any, global_default: bool) -> str:
    if name not in SYSTEM_PRIORITY_CLASSES:
        return f"{name} is not a known system priority class"
    if value != SYSTEM_PRIORITY_CLASSES[name]:
        return f"value of {name} PriorityClass must be {SYSTEM_PRIORITY_CLASSES[name]}"
    if global_default:
        return f"globalDefault of {name} PriorityClass must be false"
    return ""


def priority_class(obj: Obj) -> list[Cause]:
    causes: list[Cause] = []
    name = str(as_dict(obj.get("metadata")).get("name") or "")
    value = obj.get("value") or 0
    if name.startswith("system-"):
        error = _system_priority_class_error(name, value, bool(obj.get("globalDefault")))
        if error:
            causes.append(forbidden_field("metadata.name", "priority class names with 'system-' prefix are reserved "
                                          f"for system use only. error: {error}"))
    elif is_int(value) and value > HIGHEST_USER_PRIORITY:
        causes.append(forbidden_field("value", "maximum allowed value of a user defined priority is "
                                      f"{HIGHEST_USER_PRIORITY}"))
    policy = obj.get("preemptionPolicy")
    if policy == "":
        causes.append(required("preemptionPolicy"))
    elif policy is not None and policy not in PREEMPTION_POLICIES:
        causes.append(not_supported("preemptionPolicy", policy, PREEMPTION_POLICIES))
    return causes


def priority_class_update(new: Obj, old: Obj) -> list[Cause]:
    causes: list[Cause] = []
    if (new.get("value") or 0) != (old.get("value") or 0):
        causes.append(forbidden_field("value", "may not be changed in an update."))
    if new.get("preemptionPolicy") != old.get("preemptionPolicy"):
        causes.append(invalid("preemptionPolicy", new.get("preemptionPolicy") or "", IMMUTABLE))
    return causes


# --- node.k8s.io RuntimeClass --------------------------------------------------------------------------------

TOLERATION_OPERATORS = ("Equal", "Exists")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def _go_toleration(toleration: Obj) -> str:
    key, operator, value, effect = (quote(str(toleration.get(f) or "")) for f in ("key", "operator", "value", "effect"))
    return (f"core.Toleration{{Key:{key}, Operator:{operator}, Value:{value}, Effect:{effect}, "
            f"TolerationSeconds:{go_pointer('int64', toleration.get('tolerationSeconds'))}}}")


def tolerations(items: Any, path: str) -> list[Cause]:
    """core ValidateTolerations: keys are label names, an empty key needs Exists, values follow the operator."""
    causes: list[Cause] = []
    for i, toleration in enumerate(items if isinstance(items, list) else []):
        where = f"{path}[{i}]"
        toleration = as_dict(toleration)
        key, operator = str(toleration.get("key") or ""), str(toleration.get("operator") or "")
        value, effect = str(toleration.get("value") or ""), str(toleration.get("effect") or "")
        if key:
            causes += label_name(key, f"{where}.key")
        if not key and operator != "Exists":
            causes.append(invalid(f"{where}.operator", operator, "operator must be Exists when `key` is empty, which "
                                  'means "match all values and all keys"'))
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            causes.append(invalid(f"{where}.effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is "
                                  "set"))
        if operator in ("Equal", ""):
            errors = label_value_errors(value)
            if errors:
                causes.append(invalid(f"{where}.operator", value, ";".join(errors)))
        elif operator == "Exists":
            if value:
                causes.append(invalid_as(f"{where}.operator", _go_toleration(toleration),
                                         "value must be empty when `operator` is 'Exists'"))
        else:
            causes.append(not_supported(f"{where}.operator", operator, TOLERATION_OPERATORS))
        if effect and effect not in TAINT_EFFECTS:
            causes.append(not_supported(f"{where}.effect", effect, TAINT_EFFECTS))
    return causes


def runtime_class(obj: Obj) -> list[Cause]:
    handler = str(obj.get("handler") or "")
    causes = [invalid("handler", handler, m) for m in name_errors(handler, "label")]
    scheduling = obj.get("scheduling")
    if isinstance(scheduling, dict):
        if scheduling.get("nodeSelector") is not None:
            causes += label_map(scheduling["nodeSelector"], "scheduling.nodeSelector")
        causes += tolerations(scheduling.get("tolerations"), "scheduling.tolerations")
    return causes


def runtime_class_update(new: Obj, old: Obj) -> list[Cause]:
    handler = str(new.get("handler") or "")
    return [] if handler == str(old.get("handler") or "") else [invalid("handler", handler, IMMUTABLE)]


def runtime_class_warnings(obj: Obj) -> list[str]:
    selector = as_dict(as_dict(obj.get("scheduling")).get("nodeSelector"))
    return [f"scheduling.nodeSelector: {DEPRECATED_NODE_LABELS[key]}" for key in selector
            if key in DEPRECATED_NODE_LABELS]


# --- coordination.k8s.io Lease -------------------------------------------------------------------------------

def lease(obj: Obj) -> list[Cause]:
    """The spec's numbers; `strategy` and `preferredHolder` belong to the CoordinatedLeaderElection feature, off in
    kube 1.32, so the strategy drops them before validation."""
    spec = as_dict(obj.get("spec"))
    causes: list[Cause] = []
    duration = spec.get("leaseDurationSeconds")
    if is_int(duration) and duration <= 0:
        causes.append(invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"))
    causes += nonnegative(spec.get("leaseTransitions"), "spec.leaseTransitions")
    return causes


# --- certificates.k8s.io CertificateSigningRequest -----------------------------------------------------------

LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown"
KEY_USAGES = tuple(sorted((
    "signing", "digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment",
    "cert sign", "crl sign", "encipher only", "decipher only", "any", "server auth", "client auth", "code signing",
    "email protection", "s/mime", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing",
    "microsoft sgc", "netscape sgc")))
# conditions only ever True when present, and the ones an update may never remove
FINAL_CONDITIONS = ("Approved", "Denied", "Failed")
APPROVAL_CONDITIONS = ("Approved", "Denied")

_PEM_BLOCK = re.compile(rb"(?:^|\n)-----BEGIN ([^\r\n]*)-----[ \t]*\r?\n(.*?)(?:\r?\n)?-----END \1-----", re.S)


@dataclass(frozen=True)
class PemBlock:
    kind: str
    headers: bool
    data: bytes


def pem_blocks(data: bytes) -> Iterator[PemBlock]:
    """The PEM blocks in `data` as Go's pem.Decode finds them one after the other; text between blocks is skipped."""
    for match in _PEM_BLOCK.finditer(data):
        lines = match.group(2).split(b"\n")
        headers = False
        while lines and b":" in lines[0]:
            headers = True
            lines.pop(0)
        try:
            der = base64.b64decode(b"".join(line.strip() for line in lines), validate=True)
        except binascii.Error:
            continue
        yield PemBlock(match.group(1).decode("latin-1"), headers, der)


def _decoded(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value)
    except binascii.Error:
        return None


def _signature_error(request: x509.CertificateSigningRequest) -> str:
    """Go's CheckSignature failure for the request's key type ('' when the signature holds)."""
    try:
        if request.is_signature_valid:
            return ""
    except (UnsupportedAlgorithm, InvalidSignature, ValueError):
        pass
    try:
        key = request.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return "x509: cannot verify signature: algorithm unimplemented"
    if isinstance(key, rsa.RSAPublicKey):
        return "crypto/rsa: verification error"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "x509: ECDSA verification failure"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "x509: Ed25519 verification failure"
    return "x509: cannot verify signature: algorithm unimplemented"


def request_error(data: bytes | None) -> str:
    """Why `spec.request` is not one PEM-encoded, correctly self-signed PKCS#10 request ('' when it is)."""
    block = next(pem_blocks(data or b""), None)
    if block is None or block.kind != "CERTIFICATE REQUEST":
        return "PEM block type must be CERTIFICATE REQUEST"
    try:
        request = x509.load_der_x509_csr(block.data)
    except ValueError:
        return "x509: malformed certificate request"
    return _signature_error(request)


def certificate_error(data: bytes | None) -> str:
    """Why `status.certificate` is not a chain of PEM CERTIFICATE blocks ('' when it is, or is empty)."""
    if not data:
        return ""
    blocks = 0
    for block in pem_blocks(data):
        if block.kind != "CERTIFICATE":
            return f"only CERTIFICATE PEM blocks are allowed, found {quote(block.kind)}"
        if block.headers:
            return "no PEM block headers are permitted"
        blocks += 1
        if not block.data:
            return "found CERTIFICATE PEM block containing 0 certificates"
        try:
            x509.load_der_x509_certificate(block.data)
        except ValueError:
            return "x509: malformed certificate"
    return "" if blocks else "must contain at least one CERTIFICATE PEM block"


def signer_name(name: str, path: str) -> list[Cause]:
    """kube's ValidateSignerName: `<fully qualified domain>/<path>`, each part made of DNS names."""
    if not name:
        return [required(path)]
    segments = name.split("/")
    if len(segments) != 2:
        return [invalid(path, name, "must be a fully qualified domain and path of the form 'example.com/signer-name'")]
    domain, rest = segments
    causes: list[Cause] = []
    if byte_len(domain) > 253:
        causes.append(too_long(path, 253))
    labels = domain.split(".")
    for label in labels:
        errors = name_errors(label, "label")
        if errors:
            causes += [invalid(path, domain, f"validating label {quote(label)}: {m}") for m in errors]
            break
    if len(labels) < 2:
        causes.append(invalid(path, domain, "should be a domain with at least two segments separated by dots"))
    for label in rest.split("."):
        errors = dns1123_subdomain_errors(label)
        if errors:
            causes += [invalid(path, rest, f"validating label {quote(label)}: {m}") for m in errors]
            break
    if byte_len(name) > 253 + 253 + 63 + 1 + 1:
        causes.append(too_long(path, 571))
    return causes


@dataclass(frozen=True)
class CsrTolerance:
    """What kube tolerates in an update because the stored object already has it (its validation options)."""
    unknown_usages: bool = False
    duplicate_usages: bool = False
    legacy_signer: bool = False
    duplicate_conditions: bool = False
    empty_condition_type: bool = False
    approved_and_denied: bool = False
    arbitrary_certificate: bool = False


def _types(csr: Obj) -> list[str]:
    return [str(as_dict(c).get("type") or "") for c in as_dict(csr.get("status")).get("conditions") or []]


def _tolerance(new: Obj, old: Obj) -> CsrTolerance:
    usages = as_dict(old.get("spec")).get("usages") or []
    types = _types(old)
    certificate = as_dict(old.get("status")).get("certificate")
    return CsrTolerance(
        unknown_usages=any(u not in KEY_USAGES for u in usages),
        duplicate_usages=len(set(usages)) != len(usages),
        legacy_signer=as_dict(old.get("spec")).get("signerName") == LEGACY_UNKNOWN_SIGNER,
        duplicate_conditions=len(set(types)) != len(types),
        empty_condition_type="" in types,
        approved_and_denied="Approved" in types and "Denied" in types,
        arbitrary_certificate=((as_dict(new.get("status")).get("certificate") or "") == (certificate or "")
                               or bool(certificate_error(_decoded(certificate)))))


def _csr_conditions(csr: Obj, tolerance: CsrTolerance) -> list[Cause]:
    causes: list[Cause] = []
    seen: set[str] = set()
    approved = denied = False
    for i, condition in enumerate(as_dict(csr.get("status")).get("conditions") or []):
        where = f"status.conditions[{i}]"
        condition = as_dict(condition)
        kind, status = str(condition.get("type") or ""), str(condition.get("status") or "")
        if not kind and not tolerance.empty_condition_type:
            causes.append(required(f"{where}.type"))
        allowed = ("True",) if kind in FINAL_CONDITIONS else CONDITION_STATUSES
        if not status:
            causes.append(required(f"{where}.status"))
        elif status not in allowed:
            causes.append(not_supported(f"{where}.status", status, allowed))
        if not tolerance.approved_and_denied and kind in APPROVAL_CONDITIONS:
            approved, denied = approved or kind == "Approved", denied or kind == "Denied"
            if approved and denied:
                causes.append(invalid(f"{where}.type", kind, "Approved and Denied conditions are mutually exclusive"))
        if not tolerance.duplicate_conditions:
            if kind in seen:
                causes.append(duplicate(f"{where}.type", kind))
            seen.add(kind)
    return causes


def _certificate_signing_request(csr: Obj, tolerance: CsrTolerance) -> list[Cause]:
    spec = as_dict(csr.get("spec"))
    causes: list[Cause] = []
    request = _decoded(spec.get("request")) if "request" in spec else None
    error = request_error(request)
    if error:
        causes.append(invalid_as("spec.request", go_bytes(request), error))
    usages = spec.get("usages") or []
    if not usages:
        causes.append(required("spec.usages"))
    if not tolerance.unknown_usages:
        causes += [not_supported(f"spec.usages[{i}]", u, KEY_USAGES) for i, u in enumerate(usages)
                   if u not in KEY_USAGES]
    if not tolerance.duplicate_usages:
        causes += [duplicate(f"spec.usages[{i}]", u) for i, u in enumerate(usages) if u in usages[:i]]
    signer = str(spec.get("signerName") or "")
    if signer == LEGACY_UNKNOWN_SIGNER and not tolerance.legacy_signer:
        causes.append(invalid("spec.signerName", signer, "the legacy signerName is not allowed via this API version"))
    else:
        causes += signer_name(signer, "spec.signerName")
    seconds = spec.get("expirationSeconds")
    if is_int(seconds) and seconds < 600:
        causes.append(invalid("spec.expirationSeconds", seconds,
                              "may not specify a duration less than 600 seconds (10 minutes)"))
    causes += _csr_conditions(csr, tolerance)
    if not tolerance.arbitrary_certificate:
        error = certificate_error(_decoded(as_dict(csr.get("status")).get("certificate")))
        if error:
            causes.append(invalid("status.certificate", "<certificate data>", error))
    return causes


def certificate_signing_request(obj: Obj) -> list[Cause]:
    """A new request: a signed PKCS#10 request, known usages, a well-formed signer name."""
    return _certificate_signing_request(obj, CsrTolerance())


def _of_type(csr: Obj, kind: str) -> list[Obj]:
    return [c for c in as_dict(csr.get("status")).get("conditions") or [] if as_dict(c).get("type") == kind]


def certificate_signing_request_update(new: Obj, old: Obj) -> list[Cause]:
    """kube's update rules of every write path (the main resource, status, approval); the parts a path may not
    write are carried over from the stored object before this runs, so only what each path owns can differ."""
    causes = _certificate_signing_request(new, _tolerance(new, old))
    for kind in FINAL_CONDITIONS:
        if len(_of_type(new, kind)) < len(_of_type(old, kind)):
            causes.append(forbidden_field("status.conditions", f"updates may not remove a condition of type "
                                          f"{quote(kind)}"))
    certificate = as_dict(new.get("status")).get("certificate") or ""
    stored = as_dict(old.get("status")).get("certificate") or ""
    if certificate != stored and stored:
        causes.append(forbidden_field("status.certificate", "updates may not modify existing certificate content"))
    return causes


# --- policy PodDisruptionBudget ------------------------------------------------------------------------------

UNHEALTHY_POD_EVICTION_POLICIES = ("AlwaysAllow", "IfHealthyBudget")


def _go_budget_spec(spec: Obj) -> str:
    return ("policy.PodDisruptionBudgetSpec{"
            f"MinAvailable:{go_pointer('intstr.IntOrString', spec.get('minAvailable'))}, "
            f"Selector:{go_pointer('v1.LabelSelector', spec.get('selector'))}, "
            f"MaxUnavailable:{go_pointer('intstr.IntOrString', spec.get('maxUnavailable'))}, "
            "UnhealthyPodEvictionPolicy:"
            f"{go_pointer('policy.UnhealthyPodEvictionPolicyType', spec.get('unhealthyPodEvictionPolicy'))}}}")


def pod_disruption_budget(obj: Obj) -> list[Cause]:
    spec = as_dict(obj.get("spec"))
    causes: list[Cause] = []
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        causes.append(invalid_as("spec", _go_budget_spec(spec), "minAvailable and maxUnavailable cannot be both set"))
    for field in ("minAvailable", "maxUnavailable"):
        if spec.get(field) is not None:
            causes += int_or_percent(spec[field], f"spec.{field}")
    causes += label_selector(spec.get("selector"), "spec.selector")
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in UNHEALTHY_POD_EVICTION_POLICIES:
        causes.append(not_supported("spec.unhealthyPodEvictionPolicy", policy, UNHEALTHY_POD_EVICTION_POLICIES))
    return causes


def pod_disruption_budget_status(new: Obj, old: Obj) -> list[Cause]:
    """The status a write leaves: well-formed conditions and counts of at least 0."""
    status = as_dict(new.get("status"))
    causes = conditions(status.get("conditions"), "status.conditions")
    for field in ("disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"):
        causes += nonnegative(status.get(field), f"status.{field}")
    return causes
