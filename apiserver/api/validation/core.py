"""kube-apiserver's validation of the core/v1 kinds beyond pods, services, config maps and secrets (its
pkg/apis/core/validation): ServiceAccount, Node, Endpoints, PersistentVolume, PersistentVolumeClaim, LimitRange,
ResourceQuota, ReplicationController, PodTemplate, Event and Namespace, with kube's field paths and messages.

Each create validator takes the defaulted object and returns one Cause per bad field; each update validator takes
the new object (with the stored one's server-owned parts already carried over) and the stored one, and returns
what kube's ValidateXUpdate adds to the create checks. Kube repeats some checks on update (a PersistentVolume's
spec is validated by the strategy and again by ValidatePersistentVolumeUpdate); so do these, since kube's answer
lists those causes twice.

Values are rendered as Go's field errors print them: strings quoted, resource names and quantities bare (their
types have String methods), structs, maps and slices in Go syntax (`%#v`).
"""
from __future__ import annotations

import ipaddress
import posixpath
import re
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from apiserver.api.meta import quantity as q
from apiserver.api.meta.errors import Cause, forbidden_field, too_long
from apiserver.api.meta.goformat import byte_len, quote
from apiserver.api.meta.labels import dns1123_subdomain_errors, label_value_errors, qualified_name_errors
from apiserver.api.meta.types import Obj
from apiserver.api.validation import pods
from apiserver.api.validation.kinds import required, string_map
from apiserver.api.validation.labelselector import label_selector
from apiserver.api.validation.metadata import name_errors
from apiserver.api.validation.pods import node_selector_term
from apiserver.api.validation.podwarnings import DEPRECATED_NODE_LABELS

_PORT_RANGE = "must be between 1 and 65535, inclusive"
_IMMUTABLE = "field is immutable"
_NEGATIVE = "must be greater than or equal to 0"
_ONE_VOLUME_TYPE = "may not specify more than 1 volume type"
_ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
_RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
_VOLUME_MODES = ("Block", "Filesystem")
_PROTOCOLS = ("SCTP", "TCP", "UDP")
_HOST_PATH_TYPES = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate",
                    "Socket")
_TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})
_STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
_STANDARD_LIMIT_TYPES = frozenset({"Pod", "Container", "PersistentVolumeClaim"})
_STANDARD_QUOTA_RESOURCES = frozenset({
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
    "resourcequotas", "services", "replicationcontrollers", "secrets", "persistentvolumeclaims", "configmaps",
    "services.nodeports", "services.loadbalancers"})
_STANDARD_RESOURCES = _STANDARD_QUOTA_RESOURCES | {"storage"}
_INTEGER_RESOURCES = frozenset({"pods", "resourcequotas", "services", "replicationcontrollers", "secrets",
                                "configmaps", "persistentvolumeclaims", "services.nodeports",
                                "services.loadbalancers"})
# kube 1.32's standard quota scopes with its default feature gates (VolumeAttributesClass is off)
_QUOTA_SCOPES = frozenset({"Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass",
                           "CrossNamespacePodAffinity"})
_POD_COUNT_RESOURCES = frozenset({"pods"})
_POD_COMPUTE_RESOURCES = frozenset({"cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu",
                                    "requests.memory"})
_EXISTS_ONLY_SCOPES = frozenset({"BestEffort", "NotBestEffort", "Terminating", "NotTerminating",
                                 "CrossNamespacePodAffinity"})
_EVENT_TYPES = ("Normal", "Warning")
_MOUNT_OPTIONS_ANNOTATION = "volume.beta.kubernetes.io/mount-options"
_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
_ENFORCE_MOUNTABLE_SECRETS = "kubernetes.io/enforce-mountable-secrets"
# volume types whose plugins take mount options
_MOUNT_OPTION_VOLUMES = ("gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "nfs", "rbd", "quobyte", "iscsi",
                         "cinder", "cephfs", "azureFile", "vsphereVolume", "azureDisk", "photonPersistentDisk")
# beta node label → the GA label a PersistentVolume's node affinity may be moved to
_BETA_TO_GA_LABELS = {
    "failure-domain.beta.kubernetes.io/zone": "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region": "topology.kubernetes.io/region",
    "beta.kubernetes.io/os": "kubernetes.io/os",
    "beta.kubernetes.io/arch": "kubernetes.io/arch",
    "beta.kubernetes.io/instance-type": "node.kubernetes.io/instance-type",
}
_DEPRECATED_PV_PLUGINS = (("cephfs", "deprecated in v1.28, non-functional in v1.31+"),
                          ("photonPersistentDisk", "deprecated in v1.11, non-functional in v1.16+"),
                          ("scaleIO", "deprecated in v1.16, non-functional in v1.22+"),
                          ("storageos", "deprecated in v1.22, non-functional in v1.25+"),
                          ("glusterfs", "deprecated in v1.25, non-functional in v1.26+"),
                          ("rbd", "deprecated in v1.28, non-functional in v1.31+"))
_STORAGE_CLASS_ANNOTATION_DEPRECATED = 'deprecated since v1.8; use "storageClassName" attribute instead'
_ISCSI_IQN = re.compile(r"iqn\.\d{4}-\d{2}\.([A-Za-z0-9\-.]+)(:[^,;*&$|\s]+)$")
_ISCSI_EUI = re.compile(r"^eui.[A-Za-z0-9]{16}$")
_ISCSI_NAA = re.compile(r"^naa.[A-Za-z0-9]{32}$")


# --- causes and Go's rendering of values ---------------------------------------------------------------------

def _invalid(path: str, rendered: str, detail: str) -> Cause:
    """kube's field.Invalid with the value already in Go's notation."""
    return Cause("FieldValueInvalid", f"Invalid value: {rendered}: {detail}", path)


def _not_supported(path: str, rendered: str, supported: Iterable[str]) -> Cause:
    listed = ", ".join(quote(v) for v in supported)
    return Cause("FieldValueNotSupported", f"Unsupported value: {rendered}: supported values: {listed}", path)


def _duplicate(path: str, rendered: str, detail: str = "") -> Cause:
    return Cause("FieldValueDuplicate", f"Duplicate value: {rendered}" + (f": {detail}" if detail else ""), path)


def _str(value: Any) -> str:
    """A Go string field: JSON's absent or null is Go's empty string."""
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def go_slice(value: Any, element: str = "string") -> str:
    """`%#v` of a slice of strings or of a named string type (`[]core.ResourceQuotaScope{"BestEffort"}`)."""
    if not isinstance(value, list):
        return f"[]{element}(nil)"
    return f"[]{element}{{" + ", ".join(quote(_str(v)) for v in value) + "}"


def go_time(value: Any) -> str:
    """Go's time.Time.String() of an RFC 3339 timestamp in UTC (metav1.Time and MicroTime print this way)."""
    text = _str(value)
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z", text)
    if not match:
        return "0001-01-01 00:00:00 +0000 UTC"
    day, clock, fraction = match.groups()
    fraction = (fraction or "").rstrip("0")
    return f"{day} {clock}{'.' + fraction if fraction else ''} +0000 UTC"


def _go_struct(type_name: str, fields: Iterable[tuple[str, str]]) -> str:
    return type_name + "{" + ", ".join(f"{name}:{rendered}" for name, rendered in fields) + "}"


def _object_reference(ref: Any) -> str:
    ref = _dict(ref)
    return _go_struct("core.ObjectReference", ((go, quote(_str(ref.get(js)))) for go, js in (
        ("Kind", "kind"), ("Namespace", "namespace"), ("Name", "name"), ("UID", "uid"),
        ("APIVersion", "apiVersion"), ("ResourceVersion", "resourceVersion"), ("FieldPath", "fieldPath"))))


def go_resource_list(value: Any) -> str:
    """`%#v` of a core.ResourceList, the quantities as Go's structs."""
    if not isinstance(value, dict):
        return "core.ResourceList(nil)"
    entries = []
    for key in sorted(value):
        try:
            rendered = q.go_struct(value[key])
        except q.QuantityError:
            rendered = quote(str(value[key]))
        entries.append(f"{quote(key)}:{rendered}")
    return "core.ResourceList{" + ", ".join(entries) + "}"


def _quantity(value: Any) -> q.Quantity | None:
    try:
        return q.parse(value)
    except q.QuantityError:
        return None


# --- names, labels, selectors ------------------------------------------------------------------------------

def _named(value: str, path: str, rule: str) -> list[Cause]:
    return [_invalid(path, quote(value), message) for message in name_errors(value, rule)]


def _qualified_name(value: str, path: str, rendered: str | None = None) -> list[Cause]:
    shown = quote(value) if rendered is None else rendered
    return [_invalid(path, shown, message) for message in qualified_name_errors(value)]


def _kube_finalizer(value: str, path: str) -> list[Cause]:
    """A finalizer without a domain must be one of kube's own."""
    if "/" not in value and value not in _STANDARD_FINALIZERS:
        return [_invalid(path, quote(value),
                         "name is neither a standard finalizer name nor is it fully qualified")]
    return []


def metadata_finalizers(obj: Obj) -> list[Cause]:
    """The core group's addition to object metadata validation: each of metadata.finalizers is qualified or one
    of kube's."""
    causes: list[Cause] = []
    for i, finalizer in enumerate(_list(_dict(obj.get("metadata")).get("finalizers"))):
        causes += _kube_finalizer(_str(finalizer), f"metadata.finalizers[{i}]")
    return causes


# --- IP addresses and CIDRs, read as Go's sloppy parsers read them -----------------------------------------

_IPV4_SLOPPY = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip_sloppy(text: str) -> IPAddress | None:
    """k8s.io/utils/net's ParseIPSloppy: Go's ParseIP, leading zeros allowed in IPv4 octets."""
    match = _IPV4_SLOPPY.fullmatch(text)
    if match:
        octets = [int(part) for part in match.groups()]
        return ipaddress.IPv4Address(".".join(map(str, octets))) if all(o <= 255 for o in octets) else None
    if ":" not in text or "%" in text:
        return None
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        return None


def _as_ipv4(ip: IPAddress) -> IPAddress:
    """Go treats an IPv4-mapped IPv6 address as the IPv4 address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _cidr_family(text: str) -> int | None:
    """4 or 6 for a CIDR ParseCIDRSloppy accepts, else None."""
    address, slash, prefix = text.partition("/")
    ip = parse_ip_sloppy(address)
    if not slash or ip is None or not re.fullmatch(r"[0-9]+", prefix):
        return None
    family = 4 if isinstance(ip, ipaddress.IPv4Address) else 6
    return family if int(prefix) <= (32 if family == 4 else 128) else None


def _cidr_parse_error(cidrs: list[Any]) -> str:
    """The error k8s.io/utils/net's IsDualStackCIDRStrings gives for the first CIDR it cannot parse."""
    for i, cidr in enumerate(cidrs):
        if _cidr_family(_str(cidr)) is None:
            return f"invalid CIDR[{i}]: <nil> (invalid CIDR address: {_str(cidr)})"
    return ""


def _valid_ip(text: str, path: str) -> list[Cause]:
    if parse_ip_sloppy(text) is None:
        return [_invalid(path, quote(text), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")]
    return []


def _non_special_ip(text: str, path: str) -> list[Cause]:
    """kube's ValidateNonSpecialIP: endpoints may not point at unspecified or link-local addresses. Its loopback
    rule is left out: the replicas of a single-host cluster advertise loopback addresses, and their endpoint
    reconciler writes them into Endpoints default/kubernetes through this validation."""
    parsed = parse_ip_sloppy(text)
    if parsed is None:
        return [_invalid(path, quote(text), "must be a valid IP address")]
    ip = _as_ipv4(parsed)
    causes = []
    if ip.is_unspecified:
        causes.append(_invalid(path, quote(text), f"may not be unspecified ({text})"))
    if ip.is_link_local:
        causes.append(_invalid(path, quote(text), "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
    packed = ip.packed
    multicast = (packed[:3] == b"\xe0\x00\x00" if isinstance(ip, ipaddress.IPv4Address)
                 else packed[0] == 0xFF and packed[1] & 0x0F == 0x02)
    if multicast:
        causes.append(_invalid(path, quote(text),
                               "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
    return causes


# --- resources and quantities ------------------------------------------------------------------------------

def _native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _extended(name: str) -> bool:
    if _native(name) or name.startswith("requests."):
        return False
    return not qualified_name_errors("requests." + name)


def _hugepages(name: str) -> bool:
    return name.startswith("hugepages-")


def _standard_resource(name: str) -> bool:
    return name in _STANDARD_RESOURCES or _hugepages(name) or name.startswith("requests.hugepages-")


def _resource_name(name: str, path: str) -> list[Cause]:
    """kube's validateResourceName; a core.ResourceName prints bare (it has a String method)."""
    causes = _qualified_name(name, path, name)
    if causes:
        return causes
    if "/" not in name and not _standard_resource(name):
        return [_invalid(path, name, "must be a standard resource type or fully qualified")]
    return []


def _container_resource_name(name: str, path: str) -> list[Cause]:
    causes = _resource_name(name, path)
    if "/" not in name:
        if name not in _STANDARD_CONTAINER_RESOURCES and not _hugepages(name):
            causes.append(_invalid(path, name, "must be a standard resource for containers"))
    elif not _native(name) and not _extended(name):
        causes.append(_invalid(path, name, "doesn't follow extended resource name standard"))
    return causes


def _quota_resource_name(name: str, path: str) -> list[Cause]:
    causes = _resource_name(name, path)
    standard_quota = name in _STANDARD_QUOTA_RESOURCES or _hugepages(name) or name.startswith("requests.hugepages-")
    if "/" not in name and not standard_quota:
        causes.append(_invalid(path, name, "must be a standard resource for quota"))
    return causes


def _integer_resource(name: str) -> bool:
    return name in _INTEGER_RESOURCES or _extended(name)


def _quantity_value(name: str, value: Any, path: str) -> list[Cause]:
    """kube's ValidateResourceQuantityValue: never negative, whole for countable resources."""
    parsed = _quantity(value)
    if parsed is None:
        return []
    causes = []
    if parsed.value < 0:
        causes.append(_invalid(path, quote(str(parsed)), _NEGATIVE))
    if _integer_resource(name) and q.milli_value(parsed) % 1000:
        causes.append(_invalid(path, str(parsed), "must be an integer"))
    return causes


def _basic_resource(value: Any, path: str) -> list[Cause]:
    parsed = _quantity(value)
    if parsed is not None and q.ceil_value(parsed) < 0:
        return [_invalid(path, str(q.ceil_value(parsed)), "must be a valid resource quantity")]
    return []


def _positive_quantity(value: Any, path: str) -> list[Cause]:
    parsed = _quantity(value)
    if parsed is not None and parsed.value <= 0:
        return [_invalid(path, quote(str(parsed)), "must be greater than zero")]
    return []


def _nonnegative(value: Any, path: str) -> list[Cause]:
    number = _int(value)
    return [_invalid(path, str(number), _NEGATIVE)] if number < 0 else []


def _port_number(value: Any, path: str) -> list[Cause]:
    number = _int(value)
    return [] if 1 <= number <= 65535 else [_invalid(path, str(number), _PORT_RANGE)]


# --- ServiceAccount --------------------------------------------------------------------------------------

def service_account(obj: Obj) -> list[Cause]:
    """kube validates a ServiceAccount's metadata only; the secrets it lists are not checked."""
    return metadata_finalizers(obj)


def service_account_warnings(obj: Obj) -> list[str]:
    if _dict(_dict(obj.get("metadata")).get("annotations")).get(_ENFORCE_MOUNTABLE_SECRETS):
        return [f"metadata.annotations[{_ENFORCE_MOUNTABLE_SECRETS}]: deprecated in v1.32+; prefer separate "
                "namespaces to isolate access to mounted secrets"]
    return []


# --- Namespace --------------------------------------------------------------------------------------------

def namespace(obj: Obj) -> list[Cause]:
    causes = metadata_finalizers(obj)
    for finalizer in _list(_dict(obj.get("spec")).get("finalizers")):
        causes += finalizer_name(_str(finalizer), "spec.finalizers")
    return causes


def finalizer_name(value: str, path: str) -> list[Cause]:
    """A spec finalizer of a namespace: a qualified name, and kube's own when it has no domain."""
    return _qualified_name(value, path) + _kube_finalizer(value, path)


# --- Node -------------------------------------------------------------------------------------------------

def _taint(taint: Obj) -> str:
    fields = [("Key", quote(_str(taint.get("key")))), ("Value", quote(_str(taint.get("value")))),
              ("Effect", quote(_str(taint.get("effect")))),
              ("TimeAdded", "(*v1.Time)(nil)" if taint.get("timeAdded") is None else "(*v1.Time)(0xc000000000)")]
    return _go_struct("core.Taint", fields)


def node_taints(taints: Any, path: str) -> list[Cause]:
    causes: list[Cause] = []
    seen: set[tuple[str, str]] = set()
    for i, taint in enumerate(_list(taints)):
        where, taint = f"{path}[{i}]", _dict(taint)
        key, value, effect = _str(taint.get("key")), _str(taint.get("value")), _str(taint.get("effect"))
        causes += _qualified_name(key, f"{where}.key")
        value_errors = label_value_errors(value)
        if value_errors:
            causes.append(_invalid(f"{where}.value", quote(value), ";".join(value_errors)))
        if not effect:
            causes.append(required(f"{where}.effect"))
        elif effect not in _TAINT_EFFECTS:
            causes.append(_not_supported(f"{where}.effect", quote(effect), _TAINT_EFFECTS))
        if (key, effect) in seen:
            causes.append(_duplicate(where, _taint(taint), "taints must be unique by key and effect pair"))
            continue
        seen.add((key, effect))
    return causes


def _node_resources(node_obj: Obj) -> list[Cause]:
    status = _dict(node_obj.get("status"))
    causes: list[Cause] = []
    for part in ("capacity", "allocatable"):
        for name, value in sorted(_dict(status.get(part)).items()):
            causes += _quantity_value(name, value, f"status.{part}.{name}")
    return causes


def _pod_cidrs(cidrs: list[Any]) -> list[Cause]:
    path = "spec.podCIDRs"
    causes: list[Cause] = []
    families = []
    for i, cidr in enumerate(cidrs):
        family = _cidr_family(_str(cidr))
        families.append(family)
        if family is None:
            causes.append(_invalid(f"{path}[{i}]", quote(_str(cidr)),
                                   "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
    if len(cidrs) > 1:
        if None in families:
            causes.append(Cause("InternalError", "Internal error: invalid PodCIDRs. failed to check with dual stack "
                                f"with error:{_cidr_parse_error(cidrs)}", path))
        dual_stack = None not in families and 4 in families and 6 in families
        if not dual_stack or len(cidrs) > 2:
            causes.append(_invalid(path, go_slice(cidrs), "may specify no more than one CIDR for each IP family"))
        seen: set[str] = set()
        for i, cidr in enumerate(cidrs):
            if _str(cidr) in seen:
                causes.append(_duplicate(f"{path}[{i}]", quote(_str(cidr))))
            seen.add(_str(cidr))
    return causes


def node(obj: Obj) -> list[Cause]:
    """kube's ValidateNode: taints (reported under metadata.taints, as kube does), status resource quantities,
    spec.podCIDRs."""
    spec = _dict(obj.get("spec"))
    causes = metadata_finalizers(obj) + node_taints(spec.get("taints"), "metadata.taints")
    causes += _node_resources(obj)
    cidrs = _list(spec.get("podCIDRs"))
    if cidrs:
        causes += _pod_cidrs(cidrs)
    return causes


def _node_address(address: Obj) -> str:
    return _go_struct("core.NodeAddress", (("Type", quote(_str(address.get("type")))),
                                           ("Address", quote(_str(address.get("address"))))))


def node_update(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidateNodeUpdate, which repeats the resource and taint checks of ValidateNode."""
    spec, old_spec = _dict(new.get("spec")), _dict(old.get("spec"))
    causes = metadata_finalizers(new) + _node_resources(new)
    seen: list[tuple[str, str]] = []
    for i, address in enumerate(_list(_dict(new.get("status")).get("addresses"))):
        address = _dict(address)
        pair = (_str(address.get("type")), _str(address.get("address")))
        if pair in seen:
            causes.append(_duplicate(f"status.addresses[{i}]", _node_address(address)))
        seen.append(pair)
    old_cidrs, cidrs = _list(old_spec.get("podCIDRs")), _list(spec.get("podCIDRs"))
    cidr_change = forbidden_field("spec.podCIDRs", 'node updates may not change podCIDR except from "" to valid')
    if old_cidrs:
        if len(old_cidrs) != len(cidrs):
            causes.append(cidr_change)
        else:
            causes += [cidr_change for before, after in zip(old_cidrs, cidrs, strict=True) if before != after]
    old_provider = _str(old_spec.get("providerID"))
    if old_provider and old_provider != _str(spec.get("providerID")):
        causes.append(forbidden_field("spec.providerID",
                                      'node updates may not change providerID except from "" to valid'))
    causes += node_taints(spec.get("taints"), "metadata.taints")
    if _str(spec.get("externalID")) != _str(old_spec.get("externalID")):
        causes.append(forbidden_field("spec.externalID", "may not be updated"))
    return causes


def node_warnings(obj: Obj) -> list[str]:
    spec = _dict(obj.get("spec"))
    warnings = []
    if spec.get("configSource") is not None:
        warnings.append("spec.configSource: the feature is removed")
    if _str(spec.get("externalID")):
        warnings.append("spec.externalID: this field is deprecated, and is unused by Kubernetes")
    return warnings


# --- Endpoints --------------------------------------------------------------------------------------------

def endpoints(obj: Obj) -> list[Cause]:
    causes = metadata_finalizers(obj)
    for i, subset in enumerate(_list(obj.get("subsets"))):
        where, subset = f"subsets[{i}]", _dict(subset)
        addresses, not_ready = _list(subset.get("addresses")), _list(subset.get("notReadyAddresses"))
        if not addresses and not not_ready:
            causes.append(required(where, "must specify `addresses` or `notReadyAddresses`"))
        for j, address in enumerate(addresses):
            causes += _endpoint_address(_dict(address), f"{where}.addresses[{j}]")
        for j, address in enumerate(not_ready):
            causes += _endpoint_address(_dict(address), f"{where}.notReadyAddresses[{j}]")
        ports = _list(subset.get("ports"))
        for j, port in enumerate(ports):
            causes += _endpoint_port(_dict(port), len(ports) > 1, f"{where}.ports[{j}]")
    return causes


def _endpoint_address(address: Obj, path: str) -> list[Cause]:
    ip = _str(address.get("ip"))
    causes = _valid_ip(ip, f"{path}.ip")
    hostname = _str(address.get("hostname"))
    if hostname:
        causes += _named(hostname, f"{path}.hostname", "label")
    node_name = address.get("nodeName")
    if isinstance(node_name, str):
        causes += _named(node_name, f"{path}.nodeName", "subdomain")
    return causes + _non_special_ip(ip, f"{path}.ip")


def _endpoint_port(port: Obj, name_required: bool, path: str) -> list[Cause]:
    causes: list[Cause] = []
    name = _str(port.get("name"))
    if name_required and not name:
        causes.append(required(f"{path}.name"))
    elif name:
        causes += _named(name, f"{path}.name", "label")
    causes += _port_number(port.get("port"), f"{path}.port")
    protocol = _str(port.get("protocol"))
    if not protocol:
        causes.append(required(f"{path}.protocol"))
    elif protocol not in _PROTOCOLS:
        causes.append(_not_supported(f"{path}.protocol", quote(protocol), _PROTOCOLS))
    app_protocol = port.get("appProtocol")
    if isinstance(app_protocol, str):
        causes += _qualified_name(app_protocol, f"{path}.appProtocol")
    return causes


# --- node selectors (a PersistentVolume's node affinity) -----------------------------------------------------

def node_selector(selector: Obj, path: str, allow_invalid_values: bool = False) -> list[Cause]:
    terms_path = f"{path}.nodeSelectorTerms"
    terms = _list(selector.get("nodeSelectorTerms"))
    if not terms:
        return [required(terms_path, "must have at least one node selector term")]
    causes: list[Cause] = []
    for i, term in enumerate(terms):
        causes += node_selector_term(_dict(term), f"{terms_path}[{i}]", not allow_invalid_values)
    return causes


def _invalid_node_affinity_values(affinity: Any) -> bool:
    """Whether a stored node affinity already holds values kube would now refuse (they stay allowed)."""
    selector = _dict(_dict(affinity).get("required"))
    for term in _list(selector.get("nodeSelectorTerms")):
        for expression in _list(_dict(term).get("matchExpressions")):
            if any(label_value_errors(_str(v)) for v in _list(_dict(expression).get("values"))):
                return True
    return False


# --- PersistentVolume -------------------------------------------------------------------------------------

def _path_no_backsteps(value: str, path: str) -> list[Cause]:
    if ".." in value.replace("\\", "/").split("/"):
        return [_invalid(path, quote(value), "must not contain '..'")]
    return []


def _host_path(source: Obj, path: str) -> list[Cause]:
    value = _str(source.get("path"))
    if not value:
        return [required(f"{path}.path")]
    causes = _path_no_backsteps(value, f"{path}.path")
    kind = source.get("type")
    if isinstance(kind, str) and kind not in _HOST_PATH_TYPES:
        causes.append(_not_supported(f"{path}.type", quote(kind), _HOST_PATH_TYPES))
    return causes


def _requires(source: Obj, path: str, *fields: str) -> list[Cause]:
    return [required(f"{path}.{name}") for name in fields if not source.get(name)]


def _partition(source: Obj, path: str) -> list[Cause]:
    partition = _int(source.get("partition"))
    if partition < 0 or partition > 255:
        return [_invalid(f"{path}.partition", str(partition), "must be between 1 and 255, inclusive")]
    return []


def _gce_disk(source: Obj, path: str) -> list[Cause]:
    return _requires(source, path, "pdName") + _partition(source, path)


def _aws_disk(source: Obj, path: str) -> list[Cause]:
    return _requires(source, path, "volumeID") + _partition(source, path)


def _glusterfs(source: Obj, path: str) -> list[Cause]:
    causes = _requires(source, path, "endpoints", "path")
    namespace_name = source.get("endpointsNamespace")
    if isinstance(namespace_name, str):
        if not namespace_name:
            causes.append(_invalid(f"{path}.endpointsNamespace", '""',
                                   "if the endpointnamespace is set, it must be a valid namespace name"))
        else:
            causes += _named(namespace_name, f"{path}.endpointsNamespace", "label")
    return causes


def _flocker(source: Obj, path: str) -> list[Cause]:
    name, uid = _str(source.get("datasetName")), _str(source.get("datasetUUID"))
    causes = []
    if not name and not uid:
        causes.append(required(path, "one of datasetName and datasetUUID is required"))
    if name and uid:
        causes.append(_invalid(path, '"resource"', "datasetName and datasetUUID can not be specified simultaneously"))
    if "/" in name:
        causes.append(_invalid(f"{path}.datasetName", quote(name), "must not contain '/'"))
    return causes


def _nfs(source: Obj, path: str) -> list[Cause]:
    causes = _requires(source, path, "server", "path")
    if not _str(source.get("path")).startswith("/"):
        causes.append(_invalid(f"{path}.path", quote(_str(source.get("path"))), "must be an absolute path"))
    return causes


def _host_port_pair(text: str) -> bool:
    """Go's net.SplitHostPort accepts it."""
    if text.startswith("["):
        end = text.find("]")
        return end > 0 and text[end + 1:end + 2] == ":" and ":" not in text[end + 2:]
    return text.count(":") == 1 and "[" not in text and "]" not in text


def _quobyte(source: Obj, path: str) -> list[Cause]:
    registry, tenant = _str(source.get("registry")), _str(source.get("tenant"))
    causes: list[Cause] = []
    pairs_message = "must be a host:port pair or multiple pairs separated by commas"
    if not registry:
        causes.append(required(f"{path}.registry", pairs_message))
    elif byte_len(tenant) >= 65:
        causes.append(required(f"{path}.tenant", "must be a UUID and may not exceed a length of 64 characters"))
    else:
        causes += [_invalid(f"{path}.registry", quote(registry), pairs_message)
                   for pair in registry.split(",") if not _host_port_pair(pair)]
    return causes + _requires(source, path, "volume")


def _iqn_errors(value: str, path: str, start_message: str) -> list[Cause]:
    if not value.startswith(("iqn", "eui", "naa")):
        return [_invalid(path, quote(value), start_message)]
    if ((value.startswith("iqn") and not _ISCSI_IQN.search(value))
            or (value.startswith("eui") and not _ISCSI_EUI.search(value))
            or (value.startswith("naa") and not _ISCSI_NAA.search(value))):
        return [_invalid(path, quote(value), "must be valid format")]
    return []


def _iscsi(pv_name: str) -> Callable[[Obj, str], list[Cause]]:
    def check(source: Obj, path: str) -> list[Cause]:
        portal = _str(source.get("targetPortal"))
        causes = _requires(source, path, "targetPortal")
        initiator = source.get("initiatorName")
        if isinstance(initiator, str) and byte_len(f"{pv_name}:{portal}") > 64:
            causes.append(_invalid(f"{path}.targetportal", quote(portal),
                                   "Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters "
                                   "if iscsi.initiatorName is specified."))
        iqn = _str(source.get("iqn"))
        causes += [required(f"{path}.iqn")] if not iqn else _iqn_errors(iqn, f"{path}.iqn", "must be valid format")
        lun = _int(source.get("lun"))
        if lun < 0 or lun > 255:
            causes.append(_invalid(f"{path}.lun", str(lun), "must be between 0 and 255, inclusive"))
        secret = source.get("secretRef")
        if (source.get("chapAuthDiscovery") or source.get("chapAuthSession")) and secret is None:
            causes.append(required(f"{path}.secretRef"))
        if isinstance(secret, dict) and not _str(secret.get("name")):
            causes.append(required(f"{path}.secretRef.name"))
        if isinstance(initiator, str):
            causes += _iqn_errors(initiator, f"{path}.initiatorname", "must be valid format")
        return causes

    return check


def _cinder(source: Obj, path: str) -> list[Cause]:
    causes = _requires(source, path, "volumeID")
    secret = source.get("secretRef")
    if isinstance(secret, dict):
        causes += _requires(secret, f"{path}.secretRef", "name", "namespace")
    return causes


def _fc(source: Obj, path: str) -> list[Cause]:
    wwns, wwids = _list(source.get("targetWWNs")), _list(source.get("wwids"))
    causes = []
    if not wwns and not wwids:
        causes.append(required(f"{path}.targetWWNs", "must specify either targetWWNs or wwids, but not both"))
    if wwns and wwids:
        causes.append(_invalid(f"{path}.targetWWNs", go_slice(wwns),
                               "targetWWNs and wwids can not be specified simultaneously"))
    if wwns:
        lun = source.get("lun")
        if lun is None:
            causes.append(required(f"{path}.lun", "lun is required if targetWWNs is specified"))
        elif _int(lun) < 0 or _int(lun) > 255:
            causes.append(_invalid(f"{path}.lun", str(_int(lun)), "must be between 0 and 255, inclusive"))
    return causes


def _flex(source: Obj, path: str) -> list[Cause]:
    causes = _requires(source, path, "driver")
    for key in sorted(_dict(source.get("options"))):
        domain = key.split("/", 1)[0] if "/" in key else key
        normalized = "." + domain.lower()
        if normalized.endswith((".kubernetes.io", ".k8s.io")):
            causes.append(_invalid(f"{path}.options[{key}]", quote(key),
                                   "kubernetes.io and k8s.io namespaces are reserved"))
    return causes


def _azure_file(source: Obj, path: str) -> list[Cause]:
    causes = _requires(source, path, "secretName", "shareName")
    if source.get("secretNamespace") == "":
        causes.append(required(f"{path}.secretNamespace"))
    return causes


def _azure_disk(source: Obj, path: str) -> list[Cause]:
    causes = _requires(source, path, "diskName", "diskURI")
    caching, kind, uri = source.get("cachingMode"), source.get("kind"), _str(source.get("diskURI"))
    if isinstance(caching, str) and caching not in ("None", "ReadOnly", "ReadWrite"):
        causes.append(_not_supported(f"{path}.cachingMode", quote(caching), ("None", "ReadOnly", "ReadWrite")))
    if isinstance(kind, str) and kind not in ("Dedicated", "Managed", "Shared"):
        causes.append(_not_supported(f"{path}.kind", quote(kind), ("Dedicated", "Managed", "Shared")))
    if kind == "Managed" and not uri.startswith("/subscriptions/"):
        causes.append(_not_supported(f"{path}.diskURI", quote(uri), (
            "/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}",)))
    if isinstance(kind, str) and kind != "Managed" and not uri.startswith("https://"):
        causes.append(_not_supported(f"{path}.diskURI", quote(uri), (
            "https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd",)))
    return causes


def _local(source: Obj, path: str) -> list[Cause]:
    value = _str(source.get("path"))
    return [required(f"{path}.path")] if not value else _path_no_backsteps(value, f"{path}.path")


def _storageos(source: Obj, path: str) -> list[Cause]:
    name = _str(source.get("volumeName"))
    causes = [required(f"{path}.volumeName")] if not name else _named(name, f"{path}.volumeName", "label")
    volume_namespace = _str(source.get("volumeNamespace"))
    if volume_namespace:
        causes += _named(volume_namespace, f"{path}.volumeNamespace", "label")
    secret = source.get("secretRef")
    if isinstance(secret, dict):
        causes += _requires(secret, f"{path}.secretRef", "name", "namespace")
    return causes


def csi_driver_name(name: str, path: str) -> list[Cause]:
    causes = [required(path)] if not name else []
    if byte_len(name) > 63:
        causes.append(too_long(path, 63))
    causes += [_invalid(path, quote(name), message) for message in dns1123_subdomain_errors(name.lower())]
    return causes


def _pv_secret_reference(secret: Obj, path: str) -> list[Cause]:
    name, namespace_name = _str(secret.get("name")), _str(secret.get("namespace"))
    causes = [required(f"{path}.name")] if not name else _named(name, f"{path}.name", "subdomain")
    causes += ([required(f"{path}.namespace")] if not namespace_name
               else _named(namespace_name, f"{path}.namespace", "label"))
    return causes


def _csi(source: Obj, path: str) -> list[Cause]:
    causes = csi_driver_name(_str(source.get("driver")), f"{path}.driver")
    causes += _requires(source, path, "volumeHandle")
    for ref in ("controllerPublishSecretRef", "controllerExpandSecretRef", "nodePublishSecretRef",
                "nodeExpandSecretRef"):
        secret = source.get(ref)
        if isinstance(secret, dict):
            causes += _pv_secret_reference(secret, f"{path}.{ref}")
    return causes


def _pv_sources(pv_name: str) -> tuple[tuple[str, str, str, Callable[[Obj, str], list[Cause]]], ...]:
    """kube's order of a PersistentVolume's volume sources: (JSON field, path of the second-source error, path of
    the source's own errors, its check); kube's paths for a few of them are not the JSON field's name."""
    return (
        ("hostPath", "hostPath", "hostPath", _host_path),
        ("gcePersistentDisk", "gcePersistentDisk", "persistentDisk", _gce_disk),
        ("awsElasticBlockStore", "awsElasticBlockStore", "awsElasticBlockStore", _aws_disk),
        ("glusterfs", "glusterfs", "glusterfs", _glusterfs),
        ("flocker", "flocker", "flocker", _flocker),
        ("nfs", "nfs", "nfs", _nfs),
        ("rbd", "rbd", "rbd", lambda s, p: _requires(s, p, "monitors", "image")),
        ("quobyte", "quobyte", "quobyte", _quobyte),
        ("cephfs", "cephFS", "cephfs", lambda s, p: _requires(s, p, "monitors")),
        ("iscsi", "iscsi", "iscsi", _iscsi(pv_name)),
        ("cinder", "cinder", "cinder", _cinder),
        ("fc", "fc", "fc", _fc),
        ("flexVolume", "", "flexVolume", _flex),
        ("azureFile", "azureFile", "azureFile", _azure_file),
        ("vsphereVolume", "vsphereVolume", "vsphereVolume", lambda s, p: _requires(s, p, "volumePath")),
        ("photonPersistentDisk", "photonPersistentDisk", "photonPersistentDisk",
         lambda s, p: _requires(s, p, "pdID")),
        ("portworxVolume", "portworxVolume", "portworxVolume", lambda s, p: _requires(s, p, "volumeID")),
        ("azureDisk", "azureDisk", "azureDisk", _azure_disk),
        ("scaleIO", "scaleIO", "scaleIO", lambda s, p: _requires(s, p, "gateway", "system", "volumeName")),
        ("local", "local", "local", _local),
        ("storageos", "storageos", "storageos", _storageos),
        ("csi", "csi", "csi", _csi),
    )


PV_SOURCES = tuple(field for field, _, _, _ in _pv_sources(""))


def _access_modes(modes: list[Any], path: str) -> list[Cause]:
    causes = []
    once_pod = other = False
    for mode in modes:
        if mode not in _ACCESS_MODES:
            causes.append(_not_supported(path, quote(_str(mode)), _ACCESS_MODES))
        if mode == "ReadWriteOncePod":
            once_pod = True
        elif mode in _ACCESS_MODES:
            other = True
    if once_pod and other:
        causes.append(forbidden_field(path, "may not use ReadWriteOncePod with other access modes"))
    return causes


def _pv_spec(obj: Obj, allow_invalid_affinity_values: bool) -> list[Cause]:
    spec = _dict(obj.get("spec"))
    name = _str(_dict(obj.get("metadata")).get("name"))
    modes = _list(spec.get("accessModes"))
    causes = [required("spec.accessModes")] if not modes else []
    causes += _access_modes(modes, "spec.accessModes")
    capacity = spec.get("capacity")
    if not _dict(capacity):
        causes.append(required("spec.capacity"))
    if "storage" not in _dict(capacity) or len(_dict(capacity)) > 1:
        causes.append(_not_supported("spec.capacity", go_resource_list(capacity), ("storage",)))
    for resource, value in sorted(_dict(capacity).items()):
        causes += _basic_resource(value, f"spec.capacity[{resource}]")
        causes += _positive_quantity(value, f"spec.capacity[{resource}]")
    policy = _str(spec.get("persistentVolumeReclaimPolicy"))
    if policy and policy not in _RECLAIM_POLICIES:
        causes.append(_not_supported("spec.persistentVolumeReclaimPolicy", quote(policy), _RECLAIM_POLICIES))
    affinity = spec.get("nodeAffinity")
    if isinstance(affinity, dict):
        selector = affinity.get("required")
        if isinstance(selector, dict):
            causes += node_selector(selector, "spec.nodeAffinity.required", allow_invalid_affinity_values)
        else:
            causes.append(required("spec.nodeAffinity.required", "must specify required node constraints"))
    sources = 0
    for field, second_path, own_path, check in _pv_sources(name):
        source = spec.get(field)
        if not isinstance(source, dict):
            continue
        if sources and second_path:
            causes.append(forbidden_field(f"spec.{second_path}", _ONE_VOLUME_TYPE))
            continue
        sources += 1
        causes += check(source, f"spec.{own_path}")
        if field == "local" and not isinstance(affinity, dict):
            causes.append(required("spec.nodeAffinity", "Local volume requires node affinity"))
    if not sources:
        causes.append(required("spec", "must specify a volume type"))
    host_path = spec.get("hostPath")
    if (isinstance(host_path, dict) and posixpath.normpath(_str(host_path.get("path")) or ".") == "/"
            and policy == "Recycle"):
        causes.append(forbidden_field("spec.persistentVolumeReclaimPolicy",
                                      "may not be 'recycle' for a hostPath mount of '/'"))
    class_name = _str(spec.get("storageClassName"))
    if class_name:
        causes += _named(class_name, "spec.storageClassName", "subdomain")
    volume_mode = spec.get("volumeMode")
    if isinstance(volume_mode, str) and volume_mode not in _VOLUME_MODES:
        causes.append(_not_supported("spec.volumeMode", quote(volume_mode), _VOLUME_MODES))
    return causes


def persistent_volume(obj: Obj) -> list[Cause]:
    """kube's ValidatePersistentVolume, then the volume plugins' check of mount options."""
    causes = metadata_finalizers(obj) + _pv_spec(obj, False)
    spec = _dict(obj.get("spec"))
    annotated = _MOUNT_OPTIONS_ANNOTATION in _dict(_dict(obj.get("metadata")).get("annotations"))
    if annotated and not any(isinstance(spec.get(v), dict) for v in _MOUNT_OPTION_VOLUMES):
        causes.append(forbidden_field(f"metadata.annotations.{_MOUNT_OPTIONS_ANNOTATION}",
                                      "may not specify mount options for this volume type"))
    return causes


def persistent_volume_update(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidatePersistentVolumeUpdate: the spec checks once more, then what may not change."""
    spec, old_spec = _dict(new.get("spec")), _dict(old.get("spec"))
    allow_invalid = _invalid_node_affinity_values(old_spec.get("nodeAffinity"))
    causes = metadata_finalizers(new) + _pv_spec(new, allow_invalid)
    new_sources = {k: spec[k] for k in PV_SOURCES if spec.get(k) is not None}
    old_sources = {k: old_spec[k] for k in PV_SOURCES if old_spec.get(k) is not None}
    old_csi, new_csi = old_sources.get("csi"), new_sources.get("csi")
    if isinstance(old_csi, dict) and isinstance(new_csi, dict) and "controllerExpandSecretRef" not in old_csi:
        # a secret for controller expansion may be added to a volume made without one
        new_sources["csi"] = {k: v for k, v in new_csi.items() if k != "controllerExpandSecretRef"}
    if not semantic_equal(new_sources, old_sources):
        causes.append(forbidden_field("spec.persistentvolumesource", "spec.persistentvolumesource is immutable "
                                      "after creation\n" + spec_diff("core.PersistentVolumeSource", old_sources,
                                                                     new_sources)))
    if spec.get("volumeMode") != old_spec.get("volumeMode"):
        causes.append(_invalid("volumeMode", _pointer_string(spec.get("volumeMode")), _IMMUTABLE))
    old_affinity = old_spec.get("nodeAffinity")
    if old_affinity is not None and not _same_affinity(spec.get("nodeAffinity"), old_affinity):
        causes.append(_invalid("nodeAffinity", _volume_node_affinity(spec.get("nodeAffinity")),
                               _IMMUTABLE + ", except for updating from beta label to GA"))
    return causes


def _pointer_string(value: Any) -> str:
    """A *string field as field errors print it: null when unset, else the quoted string."""
    return quote(value) if isinstance(value, str) else "null"


def _volume_node_affinity(affinity: Any) -> str:
    if not isinstance(affinity, dict):
        return "null"
    # kube prints the pointer held in Required: an address, different every time
    pointer = "nil" if affinity.get("required") is None else "0xc000000000"
    return f"core.VolumeNodeAffinity{{Required:(*core.NodeSelector)({pointer})}}"


def _same_affinity(new: Any, old: Any) -> bool:
    """Equal, except that an expression's key may move from a beta node label to its GA label."""
    def masked(affinity: Any, reference: Any) -> Any:
        terms = _list(_dict(_dict(affinity).get("required")).get("nodeSelectorTerms"))
        old_terms = _list(_dict(_dict(reference).get("required")).get("nodeSelectorTerms"))
        if len(terms) != len(old_terms):
            return affinity
        out_terms = []
        for term, old_term in zip(terms, old_terms, strict=True):
            expressions = _list(_dict(term).get("matchExpressions"))
            old_expressions = _list(_dict(old_term).get("matchExpressions"))
            if len(expressions) == len(old_expressions):
                expressions = [
                    {**_dict(old_e), "key": _dict(e).get("key")}
                    if _BETA_TO_GA_LABELS.get(_str(_dict(old_e).get("key"))) == _dict(e).get("key") else old_e
                    for e, old_e in zip(expressions, old_expressions, strict=True)]
            out_terms.append({**_dict(old_term), "matchExpressions": expressions})
        return {**_dict(reference), "required": {**_dict(_dict(reference).get("required")),
                                                 "nodeSelectorTerms": out_terms}}
    return semantic_equal(new, masked(new, old))


def persistent_volume_warnings(obj: Obj) -> list[str]:
    spec = _dict(obj.get("spec"))
    warnings = []
    if _STORAGE_CLASS_ANNOTATION in _dict(_dict(obj.get("metadata")).get("annotations")):
        warnings.append(f"metadata.annotations[{_STORAGE_CLASS_ANNOTATION}]: {_STORAGE_CLASS_ANNOTATION_DEPRECATED}")
    if spec.get("persistentVolumeReclaimPolicy") == "Recycle":
        warnings.append("spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the "
                        "recommended approach is to use dynamic provisioning.")
    terms = _list(_dict(_dict(spec.get("nodeAffinity")).get("required")).get("nodeSelectorTerms"))
    for i, term in enumerate(terms):
        for j, expression in enumerate(_list(_dict(term).get("matchExpressions"))):
            key = _str(_dict(expression).get("key"))
            if key in DEPRECATED_NODE_LABELS:
                warnings.append(f"spec.nodeAffinity.required.nodeSelectorTerms[{i}].matchExpressions[{j}].key: "
                                f"{key} is {DEPRECATED_NODE_LABELS[key]}")
    for plugin, why in _DEPRECATED_PV_PLUGINS:
        if spec.get(plugin) is not None:
            # kube names two of them by their Go spelling
            shown = {"storageos": "storageOS"}.get(plugin, plugin)
            warnings.append(f"spec.{shown}: {why}")
    return warnings


# --- PersistentVolumeClaim --------------------------------------------------------------------------------

def _data_source(source: Obj, path: str) -> list[Cause]:
    causes = _requires(source, path, "name", "kind")
    group = _str(source.get("apiGroup"))
    kind = _str(source.get("kind"))
    if not group and kind != "PersistentVolumeClaim":
        causes.append(_invalid(path, quote(kind), "must be 'PersistentVolumeClaim' when referencing the default "
                                                  "apiGroup"))
    if group:
        causes += [_invalid(f"{path}.apiGroup", quote(group), m) for m in dns1123_subdomain_errors(group)]
    return causes


def _pvc_spec(spec: Obj) -> list[Cause]:
    modes = _list(spec.get("accessModes"))
    causes = [required("spec.accessModes", "at least 1 access mode is required")] if not modes else []
    causes += label_selector(spec.get("selector"), "spec.selector")
    causes += _access_modes(modes, "spec.accessModes")
    requests = _dict(_dict(spec.get("resources")).get("requests"))
    if "storage" not in requests:
        causes.append(required("spec.resources[storage]"))
    else:
        positive = _positive_quantity(requests["storage"], "spec.resources[storage]")
        causes += positive or _quantity_value("storage", requests["storage"], "spec.resources[storage]")
    class_name = spec.get("storageClassName")
    if isinstance(class_name, str) and class_name:
        causes += _named(class_name, "spec.storageClassName", "subdomain")
    volume_mode = spec.get("volumeMode")
    if isinstance(volume_mode, str) and volume_mode not in _VOLUME_MODES:
        causes.append(_not_supported("spec.volumeMode", quote(volume_mode), _VOLUME_MODES))
    source, ref = spec.get("dataSource"), spec.get("dataSourceRef")
    if isinstance(source, dict):
        causes += _data_source(source, "spec.dataSource")
    if isinstance(ref, dict):
        causes += _data_source(ref, "spec.dataSourceRef")
        ref_namespace = ref.get("namespace")
        if isinstance(ref_namespace, str) and ref_namespace:
            causes += _named(ref_namespace, "spec.dataSourceRef.namespace", "label")
    if isinstance(ref, dict) and _str(ref.get("namespace")):
        if isinstance(source, dict):
            causes.append(_invalid("spec", "spec.dataSource", "may not be specified when dataSourceRef.namespace is "
                                                              "specified"))
    elif isinstance(source, dict) and isinstance(ref, dict):
        if any(source.get(k) != ref.get(k) for k in ("apiGroup", "kind", "name")):
            causes.append(_invalid("spec", "spec.dataSource", "must match dataSourceRef"))
    return causes


def persistent_volume_claim(obj: Obj) -> list[Cause]:
    return metadata_finalizers(obj) + _pvc_spec(_dict(obj.get("spec")))


def persistent_volume_claim_update(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidatePersistentVolumeClaimUpdate: the claim's checks once more, then a spec fixed at creation but
    for its size (which may grow, or shrink no lower than the bound capacity), its volume name (set once) and a
    storage class taken over from the beta annotation or set where none was."""
    spec, old_spec = _dict(new.get("spec")), _dict(old.get("spec"))
    annotations_new = _dict(_dict(new.get("metadata")).get("annotations"))
    annotations_old = _dict(_dict(old.get("metadata")).get("annotations"))
    causes = persistent_volume_claim(new)
    new_clone, old_clone = dict(spec), dict(old_spec)
    if not _str(old_spec.get("volumeName")):
        old_clone["volumeName"] = new_clone.get("volumeName")
    old_class, new_class = old_spec.get("storageClassName"), spec.get("storageClassName")
    old_annotation = annotations_old.get(_STORAGE_CLASS_ANNOTATION)
    from_annotation = (_STORAGE_CLASS_ANNOTATION in annotations_old and old_class is None
                       and isinstance(new_class, str) and new_class == old_annotation
                       and annotations_new.get(_STORAGE_CLASS_ANNOTATION, old_annotation) == old_annotation)
    if from_annotation:
        new_clone.pop("storageClassName", None)
    else:
        before, after = _str(old_annotation), _str(annotations_new.get(_STORAGE_CLASS_ANNOTATION))
        if before != after:
            causes.append(_invalid(f"metadata.annotations.{_STORAGE_CLASS_ANNOTATION}", quote(after), _IMMUTABLE))
        from_nil = (isinstance(new_class, str) and old_class is None
                    and (_STORAGE_CLASS_ANNOTATION not in annotations_old or new_class == old_annotation))
        if from_nil:
            new_clone.pop("storageClassName", None)
    bound = _dict(new.get("status")).get("phase") == "Bound"
    if bound:
        new_requests = _dict(_dict(new_clone.get("resources")).get("requests"))
        if new_requests:
            old_storage = _dict(_dict(old_spec.get("resources")).get("requests")).get("storage")
            new_clone["resources"] = {**_dict(new_clone.get("resources")),
                                      "requests": {**new_requests, "storage": old_storage}}
    if not semantic_equal(_pvc_comparable(new_clone), _pvc_comparable(old_clone)):
        causes.append(forbidden_field("spec", "spec is immutable after creation except resources.requests and "
                                      "volumeAttributesClassName for bound claims\n" + spec_diff(
                                          "core.PersistentVolumeClaimSpec", old_clone, new_clone)))
    old_size = _storage_request(old_spec)
    new_size = _storage_request(spec)
    if new_size < old_size:
        capacity = _quantity(_dict(_dict(old.get("status")).get("capacity")).get("storage"))
        # kube 1.32 lets a claim recover from a failed expansion: back down to its capacity, not below
        if new_size <= (capacity.value if capacity is not None else 0):
            causes.append(forbidden_field("spec.resources.requests.storage",
                                          "field can not be less than status.capacity"))
    if spec.get("volumeMode") != old_spec.get("volumeMode"):
        causes.append(_invalid("volumeMode", _pointer_string(spec.get("volumeMode")), _IMMUTABLE))
    return causes


def _storage_request(spec: Obj) -> Fraction:
    parsed = _quantity(_dict(_dict(spec.get("resources")).get("requests")).get("storage"))
    return parsed.value if parsed is not None else Fraction(0)


def _pvc_comparable(spec: Obj) -> Obj:
    """A claim spec as Go compares it: volumeName is a plain string, so absent and empty are the same value."""
    out = dict(spec)
    if not _str(out.get("volumeName")):
        out.pop("volumeName", None)
    return out


def persistent_volume_claim_warnings(obj: Obj) -> list[str]:
    warnings = []
    if _STORAGE_CLASS_ANNOTATION in _dict(_dict(obj.get("metadata")).get("annotations")):
        warnings.append(f"metadata.annotations[{_STORAGE_CLASS_ANNOTATION}]: {_STORAGE_CLASS_ANNOTATION_DEPRECATED}")
    resources = _dict(_dict(obj.get("spec")).get("resources"))
    for part in ("requests", "limits"):
        parsed = _quantity(_dict(resources.get(part)).get("storage"))
        if parsed is not None and q.milli_value(parsed) % 1000:
            warnings.append(f"spec.resources.{part}[storage]: fractional byte value {quote(str(parsed))} is "
                            "invalid, must be an integer")
    return warnings


# --- LimitRange -------------------------------------------------------------------------------------------

def _limit_type(value: str, path: str) -> list[Cause]:
    causes = _qualified_name(value, path)
    if causes:
        return causes
    if "/" not in value and value not in _STANDARD_LIMIT_TYPES:
        return [_invalid(path, quote(value), "must be a standard limit type or fully qualified")]
    return []


def limit_range(obj: Obj) -> list[Cause]:
    """kube's ValidateLimitRange: known types once each, resource names, min <= defaultRequest <= default <= max
    and ratios of at least 1 that max/min allows."""
    causes = metadata_finalizers(obj)
    seen: set[str] = set()
    for i, limit in enumerate(_list(_dict(obj.get("spec")).get("limits"))):
        where, limit = f"spec.limits[{i}]", _dict(limit)
        kind = _str(limit.get("type"))
        causes += _limit_type(kind, f"{where}.type")
        if kind in seen:
            causes.append(_duplicate(f"{where}.type", quote(kind)))
        seen.add(kind)
        name_check = _container_resource_name if kind in ("Pod", "Container") else _resource_name
        values: dict[str, dict[str, q.Quantity]] = {}
        keys: set[str] = set()
        parts = ["max", "min"] + ([] if kind == "Pod" else ["default", "defaultRequest"])
        for part in parts:
            values[part] = {}
            for resource, value in sorted(_dict(limit.get(part)).items()):
                causes += name_check(resource, f"{where}.{part}[{resource}]")
                keys.add(resource)
                parsed = _quantity(value)
                if parsed is not None:
                    values[part][resource] = parsed
        if kind == "Pod":
            for part in ("default", "defaultRequest"):
                if _dict(limit.get(part)):
                    causes.append(forbidden_field(f"{where}.{part}", "may not be specified when `type` is 'Pod'"))
        if kind == "PersistentVolumeClaim" and "storage" not in _dict(limit.get("min")) \
                and "storage" not in _dict(limit.get("max")):
            causes.append(required(f"{where}.limits",
                                   "either minimum or maximum storage value is required, but neither was provided"))
        values["maxLimitRequestRatio"] = {}
        for resource, value in sorted(_dict(limit.get("maxLimitRequestRatio")).items()):
            causes += name_check(resource, f"{where}.maxLimitRequestRatio[{resource}]")
            keys.add(resource)
            parsed = _quantity(value)
            if parsed is not None:
                values["maxLimitRequestRatio"][resource] = parsed
        for resource in sorted(keys):
            causes += _limit_bounds(resource, {part: found.get(resource) for part, found in values.items()}, where)
    return causes


def _limit_bounds(resource: str, found: dict[str, q.Quantity | None], where: str) -> list[Cause]:
    low, high = found["min"], found["max"]
    default, request, ratio = found.get("default"), found.get("defaultRequest"), found["maxLimitRequestRatio"]
    causes = []
    if low and high and low.value > high.value:
        causes.append(_invalid(f"{where}.min[{resource}]", str(low),
                               f"min value {low} is greater than max value {high}"))
    if request and low and low.value > request.value:
        causes.append(_invalid(f"{where}.defaultRequest[{resource}]", str(request),
                               f"min value {low} is greater than default request value {request}"))
    if request and high and request.value > high.value:
        causes.append(_invalid(f"{where}.defaultRequest[{resource}]", str(request),
                               f"default request value {request} is greater than max value {high}"))
    if request and default and request.value > default.value:
        causes.append(_invalid(f"{where}.defaultRequest[{resource}]", str(request),
                               f"default request value {request} is greater than default limit value {default}"))
    if default and low and low.value > default.value:
        causes.append(_invalid(f"{where}.default[{resource}]", str(low),
                               f"min value {low} is greater than default value {default}"))
    if default and high and default.value > high.value:
        causes.append(_invalid(f"{where}.default[{resource}]", str(high),
                               f"default value {default} is greater than max value {high}"))
    if ratio and ratio.value < 1:
        causes.append(_invalid(f"{where}.maxLimitRequestRatio[{resource}]", str(ratio),
                               f"ratio {ratio} is less than 1"))
    if ratio and low and high:
        causes += _ratio_limit(resource, ratio, low, high, where)
    overcommit = _native(resource) and not _hugepages(resource)
    if not overcommit and default and request and default.value != request.value:
        causes.append(_invalid(f"{where}.defaultRequest[{resource}]", str(request),
                               f"default value {default} must equal to defaultRequest value {request} in {resource}"))
    return causes


def _ratio_limit(resource: str, ratio: q.Quantity, low: q.Quantity, high: q.Quantity, where: str) -> list[Cause]:
    """max/min as kube computes it: in thousandths while every value fits, in whole units otherwise."""
    milli_limit = (1 << 63) // 1000
    ratio_value: float = q.ceil_value(ratio)
    low_value, high_value = q.ceil_value(low), q.ceil_value(high)
    if ratio_value < milli_limit and low_value < milli_limit and high_value < milli_limit:
        ratio_value = q.milli_value(ratio) / 1000
        low_value, high_value = q.milli_value(low), q.milli_value(high)
    limit = high_value / low_value if low_value else float("inf")
    if ratio_value > limit:
        return [_invalid(f"{where}.maxLimitRequestRatio[{resource}]", str(ratio),
                         f"ratio {ratio} is greater than max/min = {limit:f}")]
    return []


# --- ResourceQuota ----------------------------------------------------------------------------------------

def _scope_valid_for(scope: str, resource: str) -> bool:
    if scope in ("Terminating", "NotTerminating", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity"):
        return resource in _POD_COUNT_RESOURCES or resource in _POD_COMPUTE_RESOURCES
    if scope == "BestEffort":
        return resource in _POD_COUNT_RESOURCES
    return True


def _standard_quota_resource(name: str) -> bool:
    return name in _STANDARD_QUOTA_RESOURCES or _hugepages(name) or name.startswith("requests.hugepages-")


def _hard(hard: Any, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for resource, value in sorted(_dict(hard).items()):
        where = f"{path}[{resource}]"
        causes += _quota_resource_name(resource, where) + _quantity_value(resource, value, where)
    return causes


def _scope_selector(selector: Obj) -> str:
    """`%#v` of a *core.ScopeSelector (a pointer field errors print as the struct)."""
    expressions = []
    for expression in _list(selector.get("matchExpressions")):
        expression = _dict(expression)
        expressions.append(_go_struct("core.ScopedResourceSelectorRequirement", (
            ("ScopeName", quote(_str(expression.get("scopeName")))),
            ("Operator", quote(_str(expression.get("operator")))),
            ("Values", go_slice(expression.get("values"))))))
    listed = ("[]core.ScopedResourceSelectorRequirement{" + ", ".join(expressions) + "}"
              if isinstance(selector.get("matchExpressions"), list)
              else "[]core.ScopedResourceSelectorRequirement(nil)")
    return f"core.ScopeSelector{{MatchExpressions:{listed}}}"


def _quota_spec(spec: Obj) -> list[Cause]:
    causes = _hard(spec.get("hard"), "spec.hard")
    hard = sorted(_dict(spec.get("hard")))
    scopes = spec.get("scopes")
    shown = go_slice(scopes, "core.ResourceQuotaScope")
    seen: set[str] = set()
    for scope in _list(scopes):
        scope = _str(scope)
        if scope not in _QUOTA_SCOPES:
            causes.append(_invalid("spec.scopes", shown, "unsupported scope"))
        causes += [_invalid("spec.scopes", shown, "unsupported scope applied to resource") for resource in hard
                   if _standard_quota_resource(resource) and not _scope_valid_for(scope, resource)]
        seen.add(scope)
    for pair in (("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating")):
        if seen.issuperset(pair):
            causes.append(_invalid("spec.scopes", shown, "conflicting scopes"))
    selector = spec.get("scopeSelector")
    if isinstance(selector, dict):
        causes += _quota_scope_selector(selector, hard, shown)
    return causes


def _quota_scope_selector(selector: Obj, hard: list[str], shown_scopes: str) -> list[Cause]:
    path = "spec.scopeSelector.matchExpressions"
    causes: list[Cause] = []
    seen: set[str] = set()
    for expression in _list(selector.get("matchExpressions")):
        expression = _dict(expression)
        scope, operator = _str(expression.get("scopeName")), _str(expression.get("operator"))
        values = _list(expression.get("values"))
        if scope not in _QUOTA_SCOPES:
            causes.append(_invalid(f"{path}.scopeName", quote(scope), "unsupported scope"))
        causes += [_invalid(path, _scope_selector(selector), "unsupported scope applied to resource")
                   for resource in hard if _standard_quota_resource(resource) and not _scope_valid_for(scope, resource)]
        if scope in _EXISTS_ONLY_SCOPES and operator != "Exists":
            causes.append(_invalid(f"{path}.operator", quote(operator),
                                   "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, "
                                   "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, "
                                   "ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"))
        if operator in ("In", "NotIn"):
            if not values:
                causes.append(required(f"{path}.values", "must be at least one value when `operator` is 'In' or "
                                                         "'NotIn' for scope selector"))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                causes.append(_invalid(f"{path}.values", go_slice(values),
                                       "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope "
                                       "selector"))
        else:
            causes.append(_invalid(f"{path}.operator", quote(operator), "not a valid selector operator"))
        seen.add(scope)
    for pair in (("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating")):
        if seen.issuperset(pair):
            causes.append(_invalid(path, shown_scopes, "conflicting scopes"))
    return causes


def resource_quota(obj: Obj) -> list[Cause]:
    return metadata_finalizers(obj) + _quota_spec(_dict(obj.get("spec"))) + resource_quota_status(obj)


def resource_quota_status(new: Obj, old: Obj | None = None) -> list[Cause]:
    """kube's ValidateResourceQuotaStatusUpdate: what the quota controller reports is held to the spec's rules."""
    status = _dict(new.get("status"))
    return _hard(status.get("hard"), "status.hard") + _hard(status.get("used"), "status.used")


def resource_quota_update(new: Obj, old: Obj) -> list[Cause]:
    """A quota's scopes are fixed at creation (as a set: order and repeats do not matter)."""
    scopes = _dict(new.get("spec")).get("scopes")
    before = {_str(s) for s in _list(_dict(old.get("spec")).get("scopes"))}
    if {_str(s) for s in _list(scopes)} != before:
        return [_invalid("spec.scopes", go_slice(scopes, "core.ResourceQuotaScope"), _IMMUTABLE)]
    return []


# --- pod templates and ReplicationControllers -------------------------------------------------------------

def pod_template(obj: Obj) -> list[Cause]:
    return metadata_finalizers(obj) + pods.pod_template(_dict(obj.get("template")), "template")


def _selector_matches(selector: Obj, template_labels: Obj) -> bool:
    return all(template_labels.get(key) == value for key, value in selector.items())


def _replication_controller_spec(spec: Obj) -> list[Cause]:
    causes = _nonnegative(spec.get("minReadySeconds"), "spec.minReadySeconds")
    selector = {k: _str(v) for k, v in _dict(spec.get("selector")).items()}
    if not selector:
        causes.append(required("spec.selector"))
    causes += _nonnegative(spec.get("replicas"), "spec.replicas")
    template = spec.get("template")
    if not isinstance(template, dict):
        return causes + [required("spec.template")]
    template_labels = _dict(template.get("metadata")).get("labels")
    if selector and not _selector_matches(selector, _dict(template_labels)):
        rendered = string_map(template_labels if isinstance(template_labels, dict) else None)
        causes.append(_invalid("spec.template.metadata.labels", rendered,
                               "`selector` does not match template `labels`"))
    causes += pods.pod_template(template, "spec.template")
    return causes + pods.always_restarting(template, "ReplicationController")


def replication_controller(obj: Obj) -> list[Cause]:
    return metadata_finalizers(obj) + _replication_controller_spec(_dict(obj.get("spec")))


def replication_controller_update(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidateReplicationControllerUpdate validates the spec a second time."""
    return _replication_controller_spec(_dict(new.get("spec")))


# --- Event ------------------------------------------------------------------------------------------------

def event(obj: Obj) -> list[Cause]:
    """kube's legacyValidateEvent, which every Event passes whatever API it comes through: its namespace agrees
    with the involved object's, and an event with an eventTime (a "new" event) names its reporter."""
    meta = _dict(obj.get("metadata"))
    namespace_name = _str(meta.get("namespace"))
    involved = _dict(obj.get("involvedObject"))
    involved_namespace = _str(involved.get("namespace"))
    mismatch = _invalid("involvedObject.namespace", quote(involved_namespace), "does not match event.namespace")
    causes = metadata_finalizers(obj)
    if not obj.get("eventTime"):
        if not involved_namespace:
            if namespace_name not in ("", "default"):
                causes.append(mismatch)
        elif namespace_name != involved_namespace:
            causes.append(mismatch)
    else:
        if not involved_namespace and namespace_name not in ("default", "kube-system"):
            causes.append(mismatch)
        controller = _str(obj.get("reportingComponent"))
        if not controller:
            causes.append(required("reportingController"))
        causes += _qualified_name(controller, "reportingController")
        causes += _bounded(obj, "reportingInstance", "reportingInstance", 128)
        causes += _bounded(obj, "action", "action", 128)
        causes += _bounded(obj, "reason", "reason", 128)
        if byte_len(_str(obj.get("message"))) > 1024:
            causes.append(_invalid("message", '""', "can have at most 1024 characters"))
    causes += [_invalid("namespace", quote(namespace_name), m) for m in dns1123_subdomain_errors(namespace_name)]
    return causes


def _bounded(obj: Obj, field: str, path: str, limit: int) -> list[Cause]:
    value = _str(obj.get(field))
    if not value:
        return [required(path)]
    if byte_len(value) > limit:
        return [_invalid(path, '""', f"can have at most {limit} characters")]
    return []


def _event_series(obj: Obj) -> list[Cause]:
    series = obj.get("series")
    if not isinstance(series, dict):
        return []
    causes = []
    if _int(series.get("count")) < 2:
        causes.append(_invalid("series.count", '""', "should be at least 2"))
    if not series.get("lastObservedTime"):
        causes.append(required("series.lastObservedTime"))
    return causes


def event_strict_create(obj: Obj) -> list[Cause]:
    """What events.k8s.io/v1 adds on create (kube names the fields as its internal Event does): a DNS subdomain
    name, an eventTime, a known type, and none of the deprecated core fields."""
    causes = _named(_str(_dict(obj.get("metadata")).get("name")), "metadata.name", "subdomain")
    causes += _event_series(obj)
    if not obj.get("eventTime"):
        causes.append(required("eventTime"))
    kind = _str(obj.get("type"))
    if kind not in _EVENT_TYPES:
        causes.append(_invalid("type", '""', f"has invalid value: {kind}"))
    for field in ("firstTimestamp", "lastTimestamp"):
        if obj.get(field):
            causes.append(_invalid(field, '""', "needs to be unset"))
    if _int(obj.get("count")):
        causes.append(_invalid("count", '""', "needs to be unset"))
    source = _dict(obj.get("source"))
    if _str(source.get("component")) or _str(source.get("host")):
        causes.append(_invalid("source", '""', "needs to be unset"))
    return causes


def event_strict_update(new: Obj, old: Obj) -> list[Cause]:
    """What events.k8s.io/v1 adds on update: a changed series is checked, and what the event reports is fixed."""
    causes = _event_series(new) if new.get("series") != old.get("series") else []
    for field, path, render in _EVENT_IMMUTABLE:
        if _event_value(new, field) != _event_value(old, field):
            causes.append(_invalid(path, render(new.get(field)), _IMMUTABLE))
    return causes


def _event_value(obj: Obj, field: str) -> Any:
    """A field as Go holds it: structs whose absent parts are empty strings, a pointer (related) that may be nil,
    zero numbers and empty strings or times like absent ones."""
    value = obj.get(field)
    if field in ("involvedObject", "source"):
        return {k: v for k, v in _dict(value).items() if v}
    if field == "related":
        return None if value is None else {k: v for k, v in _dict(value).items() if v}
    if field == "count":
        return _int(value)
    return value or None


def _event_source(value: Any) -> str:
    source = _dict(value)
    return _go_struct("core.EventSource", (("Component", quote(_str(source.get("component")))),
                                           ("Host", quote(_str(source.get("host"))))))


def _event_related(value: Any) -> str:
    return "null" if value is None else _object_reference(value)


# (field, kube's path, Go's rendering), in kube's order; kube checks the reason twice, so a changed reason is
# reported twice
_EVENT_IMMUTABLE: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("involvedObject", "involvedObject", _object_reference),
    ("reason", "reason", lambda v: quote(_str(v))),
    ("message", "message", lambda v: quote(_str(v))),
    ("source", "source", _event_source),
    ("firstTimestamp", "firstTimestamp", go_time),
    ("lastTimestamp", "lastTimestamp", go_time),
    ("count", "count", lambda v: str(_int(v))),
    ("reason", "reason", lambda v: quote(_str(v))),
    ("type", "type", lambda v: quote(_str(v))),
    ("eventTime", "eventTime", go_time),
    ("action", "action", lambda v: quote(_str(v))),
    ("related", "related", _event_related),
    ("reportingComponent", "reportingController", lambda v: quote(_str(v))),
    ("reportingInstance", "reportingInstance", lambda v: quote(_str(v))),
)


# --- comparisons ------------------------------------------------------------------------------------------

def semantic_equal(a: Any, b: Any) -> bool:
    """kube's apiequality.Semantic.DeepEqual on JSON: absent, null and empty lists or maps are alike, and the
    quantities of resource lists compare by value."""
    return _comparable(a) == _comparable(b)


_RESOURCE_LISTS = frozenset({"capacity", "requests", "limits"})


def _comparable(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _resource_list(v) if k in _RESOURCE_LISTS else _comparable(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != {} and v != []}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _resource_list(value: Any) -> Any:
    if not isinstance(value, dict):
        return _comparable(value)
    return {k: q.parse(v).value if q.parses(v) else v for k, v in value.items()}


def spec_diff(type_name: str, old: Obj, new: Obj) -> str:
    """A go-cmp style diff of two specs (kube appends cmp.Diff, whose exact layout go-cmp randomises on
    purpose): the fields that differ, old then new."""
    lines = [f"  {type_name}{{"]
    for key in sorted(set(old) | set(new)):
        if semantic_equal(old.get(key), new.get(key)):
            continue
        if key in old:
            lines.append(f"- \t{key}: {_json(old[key])},")
        if key in new:
            lines.append(f"+ \t{key}: {_json(new[key])},")
    lines.append("  }")
    return "\n".join(lines)


def _json(value: Any) -> str:
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nil"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_json(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(_json(v) for v in value) + "}"
    return str(value)

