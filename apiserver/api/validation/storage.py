"""Validation of the storage.k8s.io kinds with kube-apiserver 1.32's field paths and messages (its
pkg/apis/storage/validation): StorageClass, CSIDriver, CSINode, CSIStorageCapacity and VolumeAttachment.

Each validator takes the whole object (after defaulting) and returns one Cause per bad field; update checks take
the new and the stored object; warnings are the texts kube sends in `Warning` headers for a valid object.
"""
from __future__ import annotations

import re
from typing import Any

from apiserver.api.meta.errors import Cause, forbidden_field, too_long
from apiserver.api.meta.goformat import byte_len, quote, string_slice
from apiserver.api.meta.labels import dns1123_subdomain_errors, qualified_name_errors
from apiserver.api.meta.types import Obj
from apiserver.api.validation.cluster import (
    DEPRECATED_NODE_LABELS,
    IMMUTABLE,
    NONNEGATIVE,
    as_dict,
    go_label_selector,
    go_pointer,
    go_typed_strings,
    invalid_as,
    is_int,
    label_name,
    nonnegative,
)
from apiserver.api.validation.kinds import duplicate, invalid, not_supported, required
from apiserver.api.validation.labelselector import label_selector

_MAX_PARAMETERS = 512
_MAX_PARAMETERS_BYTES = 256 * 1024
_MAX_ATTACHMENT_METADATA_BYTES = 256 * 1024
_MAX_VOLUME_ERROR_MESSAGE_BYTES = 1024
_MAX_NODE_ID_LENGTH = 256

RECLAIM_POLICIES = ("Delete", "Retain")
VOLUME_BINDING_MODES = ("Immediate", "WaitForFirstConsumer")
FS_GROUP_POLICIES = ("File", "None", "ReadWriteOnceWithFSType")
VOLUME_LIFECYCLE_MODES = ("Persistent", "Ephemeral")


def csi_driver_name(name: str, path: str) -> list[Cause]:
    """kube's ValidateCSIDriverName, for names that refer to a CSI driver (attachers, CSINode drivers)."""
    causes: list[Cause] = []
    if not name:
        causes.append(required(path))
    if byte_len(name) > 63:
        causes.append(too_long(path, 63))
    return causes + [invalid(path, name, m) for m in dns1123_subdomain_errors(name.lower())]


def _subdomain(value: str, path: str) -> list[Cause]:
    return [invalid(path, value, m) for m in dns1123_subdomain_errors(value)]


# --- StorageClass --------------------------------------------------------------------------------------------

def _provisioner(provisioner: str) -> list[Cause]:
    if not provisioner:
        return [required("provisioner")]
    lowered = provisioner.lower()
    return [invalid("provisioner", lowered, m) for m in qualified_name_errors(lowered)]


def _parameters(parameters: Any) -> list[Cause]:
    parameters = as_dict(parameters)
    if len(parameters) > _MAX_PARAMETERS:
        return [too_long("parameters", _MAX_PARAMETERS)]
    causes = [invalid("parameters", "", "field can not be empty.")] if "" in parameters else []
    if sum(byte_len(k) + byte_len(str(v)) for k, v in parameters.items()) > _MAX_PARAMETERS_BYTES:
        causes.append(too_long("parameters", _MAX_PARAMETERS_BYTES))
    return causes


def _allowed_topologies(terms: Any) -> list[Cause]:
    terms = terms if isinstance(terms, list) else []
    causes: list[Cause] = []
    # kube starts its list of seen terms with one empty entry per term, so a term without expressions always
    # counts as a duplicate, once per entry it equals
    seen: list[dict[str, set[str]]] = [{} for _ in terms]
    for i, term in enumerate(terms):
        expressions: dict[str, set[str]] = {}
        for j, requirement in enumerate(as_dict(term).get("matchLabelExpressions") or []):
            where = f"allowedTopologies[{i}].matchLabelExpressions[{j}]"
            requirement = as_dict(requirement)
            values = requirement.get("values") or []
            if not values:
                causes.append(required(f"{where}.values"))
            causes += [duplicate(f"{where}.values[{k}]", v) for k, v in enumerate(values) if v in values[:k]]
            key = str(requirement.get("key") or "")
            causes += label_name(key, f"{where}.key")
            if key in expressions:
                causes.append(duplicate(f"{where}.key", key))
            expressions[key] = set(values)
        causes += [duplicate(f"allowedTopologies[{i}].matchLabelExpressions", "") for other in seen
                   if other == expressions]
        seen.append(expressions)
    return causes


def storage_class(obj: Obj) -> list[Cause]:
    causes = _provisioner(str(obj.get("provisioner") or "")) + _parameters(obj.get("parameters"))
    policy = obj.get("reclaimPolicy")
    if policy and policy not in RECLAIM_POLICIES:
        causes.append(not_supported("reclaimPolicy", policy, RECLAIM_POLICIES))
    mode = obj.get("volumeBindingMode")
    if mode is None:
        causes.append(required("volumeBindingMode"))
    elif mode not in VOLUME_BINDING_MODES:
        causes.append(not_supported("volumeBindingMode", mode, VOLUME_BINDING_MODES))
    return causes + _allowed_topologies(obj.get("allowedTopologies"))


def storage_class_update(new: Obj, old: Obj) -> list[Cause]:
    causes = [forbidden_field(field, f"updates to {field} are forbidden.")
              for field in ("parameters", "provisioner", "reclaimPolicy") if new.get(field) != old.get(field)]
    mode = new.get("volumeBindingMode")
    if mode != old.get("volumeBindingMode"):
        causes.append(invalid("volumeBindingMode", mode, IMMUTABLE) if mode is not None
                      else invalid_as("volumeBindingMode", "null", IMMUTABLE))
    return causes


def storage_class_warnings(obj: Obj) -> list[str]:
    warnings = []
    for i, term in enumerate(obj.get("allowedTopologies") or []):
        for j, requirement in enumerate(as_dict(term).get("matchLabelExpressions") or []):
            key = as_dict(requirement).get("key")
            if key in DEPRECATED_NODE_LABELS:
                warnings.append(f"allowedTopologies[{i}].matchLabelExpressions[{j}]: {DEPRECATED_NODE_LABELS[key]}")
    return warnings


# --- CSIDriver -----------------------------------------------------------------------------------------------

def _token_requests(requests: Any) -> list[Cause]:
    causes: list[Cause] = []
    audiences: set[str] = set()
    for i, request in enumerate(requests if isinstance(requests, list) else []):
        where = f"spec.tokenRequests[{i}]"
        request = as_dict(request)
        audience = str(request.get("audience") or "")
        if audience in audiences:
            causes.append(duplicate(f"{where}.audience", audience))
            continue
        audiences.add(audience)
        seconds = request.get("expirationSeconds")
        if not is_int(seconds):
            continue
        if seconds < 600:
            causes.append(invalid(f"{where}.expirationSeconds", seconds,
                                  "may not specify a duration less than 10 minutes"))
        if seconds > 1 << 32:
            causes.append(invalid(f"{where}.expirationSeconds", seconds,
                                  "may not specify a duration larger than 2^32 seconds"))
    return causes


def csi_driver(obj: Obj) -> list[Cause]:
    spec = as_dict(obj.get("spec"))
    # kube names the attachRequired field `attachedRequired` in its paths
    causes = [required(f"spec.{where}") for field, where in (
        ("attachRequired", "attachedRequired"), ("podInfoOnMount", "podInfoOnMount"),
        ("storageCapacity", "storageCapacity")) if spec.get(field) is None]
    policy = spec.get("fsGroupPolicy")
    if policy is not None and policy not in FS_GROUP_POLICIES:
        causes.append(not_supported("spec.fsGroupPolicy", policy, FS_GROUP_POLICIES))
    causes += _token_requests(spec.get("tokenRequests"))
    causes += [not_supported("spec.volumeLifecycleModes", mode, VOLUME_LIFECYCLE_MODES)
               for mode in spec.get("volumeLifecycleModes") or [] if mode not in VOLUME_LIFECYCLE_MODES]
    if spec.get("seLinuxMount") is None:
        causes.append(required("spec.seLinuxMount"))
    return causes


def csi_driver_update(new: Obj, old: Obj) -> list[Cause]:
    spec, old_spec = as_dict(new.get("spec")), as_dict(old.get("spec"))
    causes: list[Cause] = []
    attach = spec.get("attachRequired")
    if attach != old_spec.get("attachRequired"):
        causes.append(invalid("spec.attachedRequired", attach, IMMUTABLE) if attach is not None
                      else invalid_as("spec.attachedRequired", "null", IMMUTABLE))
    modes = spec.get("volumeLifecycleModes")
    if (modes or []) != (old_spec.get("volumeLifecycleModes") or []):
        causes.append(invalid_as("spec.volumeLifecycleModes", go_typed_strings("storage.VolumeLifecycleMode", modes),
                                 IMMUTABLE))
    return causes


# --- CSINode -------------------------------------------------------------------------------------------------

def _go_csi_node_driver(driver: Obj) -> str:
    keys = driver.get("topologyKeys")
    return (f"storage.CSINodeDriver{{Name:{quote(str(driver.get('name') or ''))}, "
            f"NodeID:{quote(str(driver.get('nodeID') or ''))}, "
            f"TopologyKeys:{string_slice(keys) if keys else '[]string(nil)'}, "
            f"Allocatable:{go_pointer('storage.VolumeNodeResources', driver.get('allocatable'))}}}")


def csi_node(obj: Obj) -> list[Cause]:
    causes: list[Cause] = []
    names: set[str] = set()
    for i, driver in enumerate(as_dict(obj.get("spec")).get("drivers") or []):
        where = f"spec.drivers[{i}]"
        driver = as_dict(driver)
        name = str(driver.get("name") or "")
        causes += csi_driver_name(name, f"{where}.name")
        node_id = str(driver.get("nodeID") or "")
        if not node_id:
            causes.append(required(f"{where}.nodeID"))
        if byte_len(node_id) > _MAX_NODE_ID_LENGTH:
            causes.append(invalid(f"{where}.nodeID", node_id, f"must be {_MAX_NODE_ID_LENGTH} characters or less"))
        causes += nonnegative(as_dict(driver.get("allocatable")).get("count"), f"{where}.allocatable.count")
        if name in names:
            causes.append(duplicate(f"{where}.name", name))
        names.add(name)
        # kube reports the topology keys' problems at the driver's path
        keys: set[str] = set()
        for key in driver.get("topologyKeys") or []:
            if not key:
                causes.append(required(where))
            if key in keys:
                causes.append(duplicate(where, key))
            keys.add(key)
            causes += label_name(str(key), where)
    return causes


def _same_driver(new: Obj, old: Obj) -> bool:
    # Go's semantic equality: an empty list and an absent one are the same
    return all((new.get(f) or None) == (old.get(f) or None) for f in ("name", "nodeID", "topologyKeys", "allocatable"))


def csi_node_update(new: Obj, old: Obj) -> list[Cause]:
    """A driver, once registered, does not change: it may only be added or removed."""
    causes: list[Cause] = []
    new_drivers = [as_dict(d) for d in as_dict(new.get("spec")).get("drivers") or []]
    for old_driver in as_dict(old.get("spec")).get("drivers") or []:
        old_driver = as_dict(old_driver)
        causes += [invalid_as("spec.drivers", _go_csi_node_driver(d), IMMUTABLE) for d in new_drivers
                   if d.get("name") == old_driver.get("name") and not _same_driver(d, old_driver)]
    return causes


# --- CSIStorageCapacity --------------------------------------------------------------------------------------

_NEGATIVE = re.compile(r"\s*-\s*0*[1-9.]")


def csi_storage_capacity(obj: Obj) -> list[Cause]:
    causes = label_selector(obj.get("nodeTopology"), "nodeTopology")
    causes += _subdomain(str(obj.get("storageClassName") or ""), "storageClassName")
    capacity = obj.get("capacity")
    if capacity is not None and _NEGATIVE.match(str(capacity)):
        causes.append(invalid("capacity", str(capacity), NONNEGATIVE))
    return causes


def csi_storage_capacity_update(new: Obj, old: Obj) -> list[Cause]:
    causes: list[Cause] = []
    if (new.get("nodeTopology") or None) != (old.get("nodeTopology") or None):
        causes.append(invalid_as("nodeTopology", go_label_selector(new.get("nodeTopology")), IMMUTABLE))
    name = str(new.get("storageClassName") or "")
    if name != str(old.get("storageClassName") or ""):
        causes.append(invalid("storageClassName", name, IMMUTABLE))
    return causes


def csi_storage_capacity_warnings(obj: Obj) -> list[str]:
    topology = as_dict(obj.get("nodeTopology"))
    warnings = []
    for i, expression in enumerate(topology.get("matchExpressions") or []):
        key = as_dict(expression).get("key")
        if key in DEPRECATED_NODE_LABELS:
            warnings.append(f"nodeTopology.matchExpressions[{i}]: {key} is {DEPRECATED_NODE_LABELS[key]}")
    warnings += [f"nodeTopology.matchLabels.{label}: {DEPRECATED_NODE_LABELS[label]}"
                 for label in as_dict(topology.get("matchLabels")) if label in DEPRECATED_NODE_LABELS]
    return warnings


# --- VolumeAttachment ----------------------------------------------------------------------------------------

_ONE_SOURCE = "must specify exactly one of inlineVolumeSpec and persistentVolumeName"


def volume_attachment_status(new: Obj, old: Obj | None = None) -> list[Cause]:
    status = as_dict(new.get("status"))
    causes: list[Cause] = []
    metadata = as_dict(status.get("attachmentMetadata"))
    if sum(byte_len(k) + byte_len(str(v)) for k, v in metadata.items()) > _MAX_ATTACHMENT_METADATA_BYTES:
        causes.append(too_long("status.attachmentMetadata", _MAX_ATTACHMENT_METADATA_BYTES))
    for field in ("attachError", "detachError"):
        message = str(as_dict(status.get(field)).get("message") or "")
        if byte_len(message) > _MAX_VOLUME_ERROR_MESSAGE_BYTES:
            # kube reports the metadata's limit here, not the message's
            causes.append(too_long(f"status.{field}.message", _MAX_ATTACHMENT_METADATA_BYTES))
    return causes


def volume_attachment(obj: Obj) -> list[Cause]:
    """kube's ValidateVolumeAttachment and, for storage.k8s.io/v1, ValidateVolumeAttachmentV1 after it."""
    spec = as_dict(obj.get("spec"))
    causes: list[Cause] = []
    attacher = str(spec.get("attacher") or "")
    if not attacher:
        causes.append(required("spec.attacher"))
    source = as_dict(spec.get("source"))
    volume, inline = source.get("persistentVolumeName"), source.get("inlineVolumeSpec")
    if volume is None and inline is None:
        causes.append(required("spec.source", _ONE_SOURCE))
    elif volume is not None and inline is not None:
        causes.append(forbidden_field("spec.source", _ONE_SOURCE))
    elif volume == "":
        causes.append(required("spec.source.persistentVolumeName", "must specify non empty persistentVolumeName"))
    causes += _subdomain(str(spec.get("nodeName") or ""), "spec.nodeName")
    causes += volume_attachment_status(obj)
    causes += csi_driver_name(attacher, "spec.attacher")
    if volume is not None:
        causes += _subdomain(str(volume), "spec.source.persistentVolumeName")
    return causes


def _go_volume_attachment_spec(spec: Obj) -> str:
    source = as_dict(spec.get("source"))
    return (f"storage.VolumeAttachmentSpec{{Attacher:{quote(str(spec.get('attacher') or ''))}, "
            "Source:storage.VolumeAttachmentSource{"
            f"PersistentVolumeName:{go_pointer('string', source.get('persistentVolumeName'))}, "
            f"InlineVolumeSpec:{go_pointer('core.PersistentVolumeSpec', source.get('inlineVolumeSpec'))}}}, "
            f"NodeName:{quote(str(spec.get('nodeName') or ''))}}}")


def volume_attachment_update(new: Obj, old: Obj) -> list[Cause]:
    spec = as_dict(new.get("spec"))
    if spec == as_dict(old.get("spec")):
        return []
    return [invalid_as("spec", _go_volume_attachment_spec(spec), IMMUTABLE)]
