"""kube's validation of pods and pod templates (pkg/apis/core/validation: ValidatePodSpec, ValidatePodCreate,
ValidatePodUpdate, ValidatePodTemplateSpec), in kube's order so that causes come out as kube lists them.

What is covered: containers (names, images, ports, env, envFrom, volume mounts, resources, probes, lifecycle
handlers, security contexts), init containers, volumes (names, exactly one source, the common sources' own
fields), the pod's security context, node selector, affinity, tolerations, DNS settings, host aliases, topology
spread constraints, the names a pod refers to, and the fields a pod update may change.
"""
from __future__ import annotations

import copy
import posixpath
import re
from typing import Any

from apiserver.api.meta import quantity
from apiserver.api.meta.errors import Cause, too_long
from apiserver.api.meta.labels import label_value_errors, qualified_name_errors
from apiserver.api.meta.types import Obj
from apiserver.api.validation.cluster import tolerations
from apiserver.api.validation.configdata import config_key_errors
from apiserver.api.validation.kinds import (
    NEGATIVE,
    PROTOCOLS,
    annotation_errors,
    duplicate,
    forbidden,
    invalid,
    ip_errors,
    is_int,
    label_name_errors,
    nonnegative,
    not_found,
    not_supported,
    port_name_errors,
    port_number,
    port_number_or_name,
    required,
    semantic,
    spec_of,
    string_slice,
)
from apiserver.api.validation.labelselector import label_map, label_selector
from apiserver.api.validation.metadata import name_errors

MAX_INT32 = 2147483647
_FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive"
_ID_RANGE = f"must be between 0 and {MAX_INT32}, inclusive"
RELAXED_ENV_NAME = "a valid environment variable name must consist only of printable ASCII characters other than '='"

# kube's validateVolumeSource order; the path of the "more than 1 volume type" error keeps kube's spelling
_VOLUME_SOURCES = (
    ("emptyDir", "emptyDir"), ("hostPath", "hostPath"), ("gitRepo", "gitRepo"),
    ("gcePersistentDisk", "gcePersistentDisk"), ("awsElasticBlockStore", "awsElasticBlockStore"),
    ("secret", "secret"), ("nfs", "nfs"), ("iscsi", "iscsi"), ("glusterfs", "glusterfs"), ("flocker", "flocker"),
    ("persistentVolumeClaim", "persistentVolumeClaim"), ("rbd", "rbd"), ("cinder", "cinder"), ("cephfs", "cephFS"),
    ("quobyte", "quobyte"), ("downwardAPI", "downwarAPI"), ("fc", "fc"), ("flexVolume", "flexVolume"),
    ("configMap", "configMap"), ("azureFile", "azureFile"), ("vsphereVolume", "vsphereVolume"),
    ("photonPersistentDisk", "photonPersistentDisk"), ("portworxVolume", "portworxVolume"),
    ("azureDisk", "azureDisk"), ("storageos", "storageos"), ("projected", "projected"), ("scaleIO", "scaleIO"),
    ("csi", "csi"), ("ephemeral", "ephemeral"), ("image", "image"),
)
_HOST_PATH_TYPES = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate",
                    "Socket")
_ENV_FIELD_PATHS = ("metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                    "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs")
_VOLUME_FIELD_PATHS = ("metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
                       "metadata.uid")
_RESOURCE_FIELD_PATHS = ("limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu",
                         "requests.ephemeral-storage", "requests.memory")
_STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
_STANDARD_RESOURCES = _STANDARD_CONTAINER_RESOURCES + (
    "requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu", "limits.memory",
    "limits.ephemeral-storage", "pods", "services", "replicationcontrollers", "resourcequotas", "secrets",
    "persistentvolumeclaims", "requests.storage", "configmaps", "services.loadbalancers", "services.nodeports")
_HUGEPAGES = ("hugepages-", "requests.hugepages-", "limits.hugepages-")
_NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
_SYSCTL = re.compile(r"([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?")


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _label(value: str, path: str) -> list[Cause]:
    return [invalid(path, value, m) for m in name_errors(value, "label")]


def _subdomain(value: str, path: str) -> list[Cause]:
    return [invalid(path, value, m) for m in name_errors(value, "subdomain")]


def _qualified(value: str, path: str) -> list[Cause]:
    return [invalid(path, value, m) for m in qualified_name_errors(value)]


def _one_of(value: Any, path: str, allowed: tuple[str, ...]) -> list[Cause]:
    """Required when empty, NotSupported when not one of `allowed` (kube's switch over an enum)."""
    if not value:
        return [required(path)]
    return [] if value in allowed else [not_supported(path, value, allowed)]


def _mode(source: Obj, field: str, path: str) -> list[Cause]:
    mode = source.get(field)
    return [invalid(f"{path}.{field}", mode, _FILE_MODE)] if is_int(mode) and not 0 <= mode <= 0o777 else []


# --- paths inside volumes ---------------------------------------------------------------------------------------

def _no_backsteps(target: str, path: str) -> list[Cause]:
    return [invalid(path, target, "must not contain '..'")] if ".." in target.replace("\\", "/").split("/") else []


def _descending(target: str, path: str) -> list[Cause]:
    causes = [invalid(path, target, "must be a relative path")] if posixpath.isabs(target) else []
    return causes + _no_backsteps(target, path)


def _local_non_reserved(target: str, path: str) -> list[Cause]:
    causes = _descending(target, path)
    if target.startswith("..") and not target.startswith("../"):
        causes.append(invalid(path, target, "must not start with '..'"))
    return causes


def _key_to_path(item: Obj, path: str) -> list[Cause]:
    causes = [] if item.get("key") else [required(f"{path}.key")]
    target = str(item.get("path") or "")
    if not target:
        causes.append(required(f"{path}.path"))
    return causes + _local_non_reserved(target, f"{path}.path") + _mode(item, "mode", path)


def _field_selector(selector: Obj, allowed: tuple[str, ...], path: str) -> list[Cause]:
    """kube's validateObjectFieldSelector for the v1 field paths."""
    if not selector.get("apiVersion"):
        return [required(f"{path}.apiVersion")]
    field_path = str(selector.get("fieldPath") or "")
    if not field_path:
        return [required(f"{path}.fieldPath")]
    subscripted = re.fullmatch(r"(metadata\.(?:annotations|labels))\['(.*)'\]", field_path)
    if subscripted:
        base, key = subscripted.groups()
        return _qualified(key.lower() if base.endswith("annotations") else key, path)
    if field_path not in allowed:
        return [not_supported(f"{path}.fieldPath", field_path, allowed)]
    return []


def _resource_field_selector(selector: Obj, path: str, in_volume: bool) -> list[Cause]:
    resource = selector.get("resource") or ""
    if in_volume and not selector.get("containerName"):
        return [required(f"{path}.containerName")]
    if not resource:
        return [required(f"{path}.resource")]
    if resource not in _RESOURCE_FIELD_PATHS and not resource.startswith(("requests.hugepages-",
                                                                          "limits.hugepages-")):
        return [not_supported(f"{path}.resource", resource, _RESOURCE_FIELD_PATHS)]
    return []


def _downward_file(item: Obj, path: str) -> list[Cause]:
    target = str(item.get("path") or "")
    causes = [] if target else [required(f"{path}.path")]
    causes += _local_non_reserved(target, f"{path}.path")
    if isinstance(item.get("fieldRef"), dict):
        causes += _field_selector(item["fieldRef"], _VOLUME_FIELD_PATHS, f"{path}.fieldRef")
        if isinstance(item.get("resourceFieldRef"), dict):
            causes.append(invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified "
                                                    "simultaneously"))
    elif isinstance(item.get("resourceFieldRef"), dict):
        causes += _resource_field_selector(item["resourceFieldRef"], f"{path}.resourceFieldRef", True)
    else:
        causes.append(required(path, "one of fieldRef and resourceFieldRef is required"))
    return causes + _mode(item, "mode", path)


def _projected(source: Obj, path: str) -> list[Cause]:
    causes = _mode(source, "defaultMode", path)
    paths: set[str] = set()
    for i, projection in enumerate(_list(source.get("sources"))):
        projection = _dict(projection)
        where = f"{path}.sources[{i}]"
        count = 0
        for kind in ("secret", "configMap"):
            if isinstance(projection.get(kind), dict):
                count += 1
                ref = projection[kind]
                if not ref.get("name"):
                    causes.append(required(f"{where}.{kind}.name"))
                for j, item in enumerate(_list(ref.get("items"))):
                    causes += _key_to_path(_dict(item), f"{where}.{kind}.items[{j}]")
                    target = _dict(item).get("path")
                    if target:
                        if target in paths:
                            causes.append(invalid(path, ref.get("name") or "", "conflicting duplicate paths"))
                        paths.add(target)
        if isinstance(projection.get("downwardAPI"), dict):
            count += 1
            for item in _list(projection["downwardAPI"].get("items")):
                causes += _downward_file(_dict(item), f"{where}.downwardAPI")
                target = _dict(item).get("path")
                if target:
                    if target in paths:
                        causes.append(invalid(path, target, "conflicting duplicate paths"))
                    paths.add(target)
        if isinstance(projection.get("serviceAccountToken"), dict):
            count += 1
            token = projection["serviceAccountToken"]
            seconds = token.get("expirationSeconds")
            if is_int(seconds) and seconds < 600:
                causes.append(invalid(f"{where}.serviceAccountToken.expirationSeconds", seconds,
                                      "may not specify a duration less than 10 minutes"))
            if is_int(seconds) and seconds > 1 << 32:
                causes.append(invalid(f"{where}.serviceAccountToken.expirationSeconds", seconds,
                                      "may not specify a duration larger than 2^32 seconds"))
            if not token.get("path"):
                causes.append(required(f"{path}.path"))
            else:
                causes += _local_non_reserved(str(token["path"]), f"{path}.path")
        if isinstance(projection.get("clusterTrustBundle"), dict):
            count += 1
        if count > 1:
            causes.append(forbidden(where, "may not specify more than 1 volume type per source"))
    return causes


def _source_fields(name: str, source: Obj, path: str) -> list[Cause]:
    """The checks of one volume source's own fields, for the sources users reach for."""
    causes: list[Cause] = []
    if name == "emptyDir":
        limit = _quantity(source.get("sizeLimit")) if source.get("sizeLimit") is not None else None
        if limit is not None and limit.value < 0:
            causes.append(forbidden(f"{path}.sizeLimit", "SizeLimit field must be a valid resource quantity"))
    elif name == "hostPath":
        target = str(source.get("path") or "")
        if not target:
            return [required(f"{path}.path")]
        causes += _no_backsteps(target, f"{path}.path")
        kind = source.get("type")
        if kind is not None and kind not in _HOST_PATH_TYPES:
            causes.append(not_supported(f"{path}.type", kind, _HOST_PATH_TYPES))
    elif name == "gitRepo":
        if not source.get("repository"):
            causes.append(required(f"{path}.repository"))
        causes += _descending(str(source.get("directory") or ""), f"{path}.directory")
    elif name in ("secret", "configMap"):
        key = "secretName" if name == "secret" else "name"
        if not source.get(key):
            causes.append(required(f"{path}.{key}"))
        causes += _mode(source, "defaultMode", path)
        for i, item in enumerate(_list(source.get("items"))):
            causes += _key_to_path(_dict(item), f"{path}.items[{i}]")
    elif name == "nfs":
        for key in ("server", "path"):
            if not source.get(key):
                causes.append(required(f"{path}.{key}"))
        if not posixpath.isabs(str(source.get("path") or "")):
            causes.append(invalid(f"{path}.path", source.get("path") or "", "must be an absolute path"))
    elif name == "persistentVolumeClaim":
        if not source.get("claimName"):
            causes.append(required(f"{path}.claimName"))
    elif name == "downwardAPI":
        causes += _mode(source, "defaultMode", path)
        for item in _list(source.get("items")):
            causes += _downward_file(_dict(item), path)
    elif name == "projected":
        causes += _projected(source, path)
    elif name == "csi":
        driver = str(source.get("driver") or "")
        if not driver:
            causes.append(required(f"{path}.driver"))
        if len(driver) > 63:
            causes.append(too_long(f"{path}.driver", 63))
        causes += [invalid(f"{path}.driver", driver, m) for m in name_errors(driver.lower(), "subdomain")]
    elif name == "ephemeral":
        if not isinstance(source.get("volumeClaimTemplate"), dict):
            causes.append(required(f"{path}.volumeClaimTemplate"))
    return causes


def _volume_source(volume: Obj, path: str) -> list[Cause]:
    causes: list[Cause] = []
    count = 0
    for name, spelled in _VOLUME_SOURCES:
        source = volume.get(name)
        if not isinstance(source, dict):
            continue
        if count:
            causes.append(forbidden(f"{path}.{spelled}", "may not specify more than 1 volume type"))
            continue
        count += 1
        causes += _source_fields(name, source, f"{path}.{name}")
    if not count:
        causes.append(required(path, "must specify a volume type"))
    return causes


def volumes(items: Any, path: str) -> tuple[dict[str, Obj], list[Cause]]:
    """kube's ValidateVolumes: the volumes that passed (by name, for the mounts) and the causes of the others."""
    valid: dict[str, Obj] = {}
    causes: list[Cause] = []
    for i, volume in enumerate(_list(items)):
        volume = _dict(volume)
        where = f"{path}[{i}]"
        name = volume.get("name") or ""
        errors = _volume_source(volume, where)
        errors += _label(name, f"{where}.name") if name else [required(f"{where}.name")]
        if name in valid:
            errors.append(duplicate(f"{where}.name", name))
        if errors:
            causes += errors
        else:
            valid[name] = volume
    return valid, causes


# --- containers -------------------------------------------------------------------------------------------------

def _ports(ports: Any, path: str) -> list[Cause]:
    causes: list[Cause] = []
    names: set[str] = set()
    for i, port in enumerate(_list(ports)):
        port = _dict(port)
        where = f"{path}[{i}]"
        name = port.get("name") or ""
        if name:
            errors = port_name_errors(name)
            if errors:
                causes += [invalid(f"{where}.name", name, m) for m in errors]
            elif name in names:
                causes.append(duplicate(f"{where}.name", name))
            else:
                names.add(name)
        if not port.get("containerPort"):
            causes.append(required(f"{where}.containerPort"))
        else:
            causes += port_number(port["containerPort"], f"{where}.containerPort")
        if port.get("hostPort"):
            causes += port_number(port["hostPort"], f"{where}.hostPort")
        causes += _one_of(port.get("protocol"), f"{where}.protocol", PROTOCOLS)
    return causes


def _env_name(name: str, path: str) -> list[Cause]:
    # RelaxedEnvironmentVariableValidation is on by default in 1.32: any printable ASCII but '='
    if any(ord(c) > 126 or ord(c) < 32 or c == "=" for c in name):
        return [invalid(path, name, RELAXED_ENV_NAME)]
    return []


def _key_selector(ref: Obj, path: str) -> list[Cause]:
    causes = _subdomain(str(ref.get("name") or ""), f"{path}.name")
    key = ref.get("key") or ""
    if not key:
        causes.append(required(f"{path}.key"))
    else:
        causes += [invalid(f"{path}.key", key, m) for m in config_key_errors(key)]
    return causes


def _env(items: Any, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for i, var in enumerate(_list(items)):
        var = _dict(var)
        where = f"{path}[{i}]"
        name = var.get("name") or ""
        causes += _env_name(name, f"{where}.name") if name else [required(f"{where}.name")]
        source = var.get("valueFrom")
        if not isinstance(source, dict):
            continue
        from_path = f"{where}.valueFrom"
        count = 0
        if isinstance(source.get("fieldRef"), dict):
            count += 1
            causes += _field_selector(source["fieldRef"], _ENV_FIELD_PATHS, f"{from_path}.fieldRef")
        if isinstance(source.get("resourceFieldRef"), dict):
            count += 1
            causes += _resource_field_selector(source["resourceFieldRef"], f"{from_path}.resourceFieldRef", False)
        for kind in ("configMapKeyRef", "secretKeyRef"):
            if isinstance(source.get(kind), dict):
                count += 1
                causes += _key_selector(source[kind], f"{from_path}.{kind}")
        if not count:
            causes.append(invalid(from_path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                                 "`configMapKeyRef` or `secretKeyRef`"))
        elif var.get("value"):
            causes.append(invalid(from_path, "", "may not be specified when `value` is not empty"))
        elif count > 1:
            causes.append(invalid(from_path, "", "may not have more than one field specified at a time"))
    return causes


def _env_from(items: Any, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for i, source in enumerate(_list(items)):
        source = _dict(source)
        where = f"{path}[{i}]"
        if source.get("prefix"):
            causes += _env_name(source["prefix"], f"{where}.prefix")
        count = 0
        for kind in ("configMapRef", "secretRef"):
            if isinstance(source.get(kind), dict):
                count += 1
                name = source[kind].get("name") or ""
                causes += _subdomain(name, f"{where}.{kind}.name") if name else [required(f"{where}.{kind}.name")]
        if not count:
            causes.append(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif count > 1:
            causes.append(invalid(path, "", "may not have more than one field specified at a time"))
    return causes


def _privileged(container: Obj) -> bool:
    return _dict(container.get("securityContext")).get("privileged") is True


def _mounts(container: Obj, available: dict[str, Obj], path: str) -> list[Cause]:
    causes: list[Cause] = []
    seen: set[str] = set()
    for i, mount in enumerate(_list(container.get("volumeMounts"))):
        mount = _dict(mount)
        where = f"{path}[{i}]"
        name, target = mount.get("name") or "", mount.get("mountPath") or ""
        if not name:
            causes.append(required(f"{where}.name"))
        if name not in available:
            causes.append(not_found(f"{where}.name", name))
        if not target:
            causes.append(required(f"{where}.mountPath"))
        if target in seen:
            causes.append(invalid(f"{where}.mountPath", target, "must be unique"))
        seen.add(target)
        if isinstance(available.get(name, {}).get("image"), dict):
            for key in ("subPath", "subPathExpr"):
                if mount.get(key):
                    causes.append(invalid(f"{where}.{key}", mount[key], "not allowed in image volume sources"))
        # kube names the mount list, not the mount, in these two paths
        if mount.get("subPath"):
            causes += _descending(str(mount["subPath"]), f"{path}.subPath")
        if mount.get("subPathExpr"):
            if mount.get("subPath"):
                causes.append(invalid(f"{where}.subPathExpr", mount["subPathExpr"],
                                      "subPathExpr and subPath are mutually exclusive"))
            causes += _descending(str(mount["subPathExpr"]), f"{path}.subPathExpr")
        propagation = mount.get("mountPropagation")
        if propagation is not None:
            allowed = ("Bidirectional", "HostToContainer", "None")
            if propagation not in allowed:
                causes.append(not_supported(f"{path}.mountPropagation", propagation, allowed))
            if propagation == "Bidirectional" and not _privileged(container):
                causes.append(forbidden(f"{path}.mountPropagation",
                                        "Bidirectional mount propagation is available only to privileged containers"))
        recursive = mount.get("recursiveReadOnly")
        if recursive is not None and recursive != "Disabled":
            if recursive in ("Enabled", "IfPossible"):
                if not mount.get("readOnly"):
                    causes.append(forbidden(f"{path}.recursiveReadOnly", "may only be specified when readOnly is "
                                                                         "true"))
                if propagation not in (None, "None"):
                    causes.append(forbidden(f"{path}.recursiveReadOnly", "may only be specified when "
                                                                         "mountPropagation is None or not specified"))
            else:
                causes.append(not_supported(f"{path}.recursiveReadOnly", recursive,
                                            ("Disabled", "Enabled", "IfPossible")))
    return causes


def _native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _overcommit_allowed(name: str) -> bool:
    return _native(name) and not name.startswith("hugepages-")


def _resource_name(name: str, path: str) -> list[Cause]:
    """kube's validateContainerResourceName."""
    causes = _qualified(name, path)
    if causes:
        return causes
    if "/" not in name:
        if name not in _STANDARD_RESOURCES and not name.startswith(_HUGEPAGES):
            causes.append(invalid(path, name, "must be a standard resource type or fully qualified"))
        if name not in _STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            causes.append(invalid(path, name, "must be a standard resource for containers"))
    elif not _native(name) and name.startswith("requests."):
        causes.append(invalid(path, name, "doesn't follow extended resource name standard"))
    return causes


def _quantity(value: Any) -> quantity.Quantity | None:
    try:
        return quantity.parse(value)
    except quantity.QuantityError:
        return None


def _quantity_value(name: str, q: quantity.Quantity, path: str) -> list[Cause]:
    causes = [invalid(path, str(q), NEGATIVE)] if q.value < 0 else []
    if not _native(name) and quantity.milli_value(q) % 1000:
        causes.append(invalid(path, str(q), "must be an integer"))
    return causes


def resources(requirements: Any, path: str) -> list[Cause]:
    """kube's ValidateContainerResourceRequirements (map order made stable)."""
    requirements = _dict(requirements)
    limits, requests = _dict(requirements.get("limits")), _dict(requirements.get("requests"))
    causes: list[Cause] = []
    has_cpu_or_memory = has_hugepages = False
    for name in sorted(limits):
        where = f"{path}.limits[{name}]"
        causes += _resource_name(name, where)
        q = _quantity(limits[name])
        if q is not None:
            causes += _quantity_value(name, q, where)
        has_hugepages |= name.startswith("hugepages-")
        has_cpu_or_memory |= name in ("cpu", "memory")
    for name in sorted(requests):
        where = f"{path}.requests[{name}]"
        causes += _resource_name(name, where)
        q = _quantity(requests[name])
        if q is not None:
            causes += _quantity_value(name, q, where)
            limit = _quantity(limits.get(name)) if name in limits else None
            if limit is not None:
                if q.value != limit.value and not _overcommit_allowed(name):
                    causes.append(invalid(f"{path}.requests", str(q),
                                          f"must be equal to {name} limit of {limit}"))
                elif q.value > limit.value:
                    causes.append(invalid(f"{path}.requests", str(q),
                                          f"must be less than or equal to {name} limit of {limit}"))
            elif name not in limits and not _overcommit_allowed(name):
                causes.append(required(f"{path}.limits", "Limit must be set for non overcommitable resources"))
        has_hugepages |= name.startswith("hugepages-")
        has_cpu_or_memory |= name in ("cpu", "memory")
    if has_hugepages and not has_cpu_or_memory:
        causes.append(forbidden(path, "HugePages require cpu or memory"))
    return causes


def _handler(handler: Obj, kinds: tuple[str, ...], grace: Any, path: str) -> list[Cause]:
    causes: list[Cause] = []
    count = 0
    for kind in kinds:
        action = handler.get(kind)
        if not isinstance(action, dict):
            continue
        if count:
            causes.append(forbidden(f"{path}.{kind}", "may not specify more than 1 handler type"))
            continue
        count += 1
        where = f"{path}.{kind}"
        if kind == "exec" and not action.get("command"):
            causes.append(required(f"{where}.command"))
        elif kind == "httpGet":
            if not action.get("path"):
                causes.append(required(f"{where}.path"))
            causes += port_number_or_name(action.get("port"), f"{where}.port")
            scheme = action.get("scheme") or ""
            if scheme not in ("HTTP", "HTTPS"):
                causes.append(not_supported(f"{where}.scheme", scheme, ("HTTP", "HTTPS")))
            for header in _list(action.get("httpHeaders")):
                header_name = str(_dict(header).get("name") or "")
                if not re.fullmatch(r"[-A-Za-z0-9]+", header_name):
                    causes.append(invalid(f"{where}.httpHeaders", header_name,
                                          "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. "
                                          "'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"))
        elif kind == "tcpSocket":
            causes += port_number_or_name(action.get("port"), f"{where}.port")
        elif kind == "grpc":
            causes += port_number(action.get("port") or 0, f"{where}.port")
        elif kind == "sleep" and is_int(grace):
            # PodLifecycleSleepActionAllowZero is alpha, so off, in 1.32
            seconds = action.get("seconds") or 0
            if seconds <= 0 or seconds > grace:
                causes.append(invalid(where, seconds, "must be greater than 0 and less than "
                                                      f"terminationGracePeriodSeconds ({grace}). Enable "
                                                      "AllowPodLifecycleSleepActionZeroValue feature gate for zero "
                                                      "sleep."))
    if not count:
        causes.append(required(path, "must specify a handler type"))
    return causes


def _probe(probe: Any, grace: Any, path: str, kind: str) -> list[Cause]:
    if not isinstance(probe, dict):
        return []
    causes = _handler(probe, ("exec", "httpGet", "tcpSocket", "grpc"), grace, path)
    for field in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        causes += nonnegative(probe.get(field, 0), f"{path}.{field}")
    termination = probe.get("terminationGracePeriodSeconds")
    if is_int(termination) and termination <= 0:
        causes.append(invalid(f"{path}.terminationGracePeriodSeconds", termination, "must be greater than 0"))
    if kind in ("liveness", "startup") and probe.get("successThreshold", 0) != 1:
        causes.append(invalid(f"{path}.successThreshold", probe.get("successThreshold", 0), "must be 1"))
    if kind == "readiness" and termination is not None:
        causes.append(invalid(f"{path}.terminationGracePeriodSeconds", termination,
                              "must not be set for readinessProbes"))
    return causes


def _lifecycle(lifecycle: Obj, grace: Any, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for hook in ("postStart", "preStop"):
        if isinstance(lifecycle.get(hook), dict):
            causes += _handler(lifecycle[hook], ("exec", "httpGet", "tcpSocket", "sleep"), grace, f"{path}.{hook}")
    return causes


def _seccomp(profile: Any, path: str) -> list[Cause]:
    if not isinstance(profile, dict):
        return []
    kind = profile.get("type") or ""
    allowed = ("Localhost", "RuntimeDefault", "Unconfined")
    causes = [] if kind in allowed else [required(f"{path}.type", "type is required when seccompProfile is set")
                                         if not kind else not_supported(f"{path}.type", kind, allowed)]
    local = profile.get("localhostProfile")
    if kind == "Localhost":
        if local is None:
            causes.append(required(f"{path}.localhostProfile", "must be set when seccomp type is Localhost"))
        else:
            causes += _descending(str(local), f"{path}.localhostProfile")
    return causes


def _app_armor(profile: Any, path: str) -> list[Cause]:
    if not isinstance(profile, dict):
        return []
    kind = profile.get("type") or ""
    local = profile.get("localhostProfile")
    if kind == "Localhost":
        if local is None or not str(local).strip():
            return [required(f"{path}.localhostProfile", "must be set when AppArmor type is Localhost")]
        if str(local).strip() != local:
            return [invalid(f"{path}.localhostProfile", local, "must not be padded with whitespace")]
        return []
    if kind in ("RuntimeDefault", "Unconfined"):
        return [invalid(f"{path}.localhostProfile", local, "can only be set when AppArmor type is Localhost")] \
            if local is not None else []
    if not kind:
        return [required(f"{path}.type", "type is required when appArmorProfile is set")]
    return [not_supported(f"{path}.type", kind, ("Localhost", "RuntimeDefault", "Unconfined"))]


def _ids(context: Obj, fields: tuple[str, ...], path: str) -> list[Cause]:
    causes: list[Cause] = []
    for field in fields:
        value = context.get(field)
        if is_int(value) and not 0 <= value <= MAX_INT32:
            causes.append(invalid(f"{path}.{field}", value, _ID_RANGE))
    return causes


def _container_security(context: Any, path: str, host_users: bool) -> list[Cause]:
    if not isinstance(context, dict):
        return []
    causes = _ids(context, ("runAsUser", "runAsGroup"), path)
    proc_mount = context.get("procMount")
    if proc_mount is not None:
        if proc_mount not in ("Default", "Unmasked"):
            causes.append(not_supported(f"{path}.procMount", proc_mount, ("Default", "Unmasked")))
        if host_users and proc_mount == "Unmasked":
            causes.append(invalid(f"{path}.procMount", proc_mount, "`hostUsers` must be false to use `Unmasked`"))
    causes += _seccomp(context.get("seccompProfile"), f"{path}.seccompProfile")
    return causes + _app_armor(context.get("appArmorProfile"), f"{path}.appArmorProfile")


def _container_common(container: Obj, available: dict[str, Obj], path: str, host_users: bool) -> list[Cause]:
    name = container.get("name") or ""
    causes = _label(name, f"{path}.name") if name else [required(f"{path}.name")]
    if not container.get("image"):
        causes.append(required(f"{path}.image"))
    causes += _one_of(container.get("terminationMessagePolicy"), f"{path}.terminationMessagePolicy",
                      ("File", "FallbackToLogsOnError"))
    causes += _ports(container.get("ports"), f"{path}.ports")
    causes += _env(container.get("env"), f"{path}.env")
    causes += _env_from(container.get("envFrom"), f"{path}.envFrom")
    causes += _mounts(container, available, f"{path}.volumeMounts")
    causes += _one_of(container.get("imagePullPolicy"), f"{path}.imagePullPolicy",
                      ("Always", "IfNotPresent", "Never"))
    causes += resources(container.get("resources"), f"{path}.resources")
    return causes + _container_security(container.get("securityContext"), f"{path}.securityContext", host_users)


def _host_port_conflicts(containers: list[Obj], path: str) -> list[Cause]:
    causes: list[Cause] = []
    seen: set[str] = set()
    for i, container in enumerate(containers):
        for j, port in enumerate(_list(container.get("ports"))):
            port = _dict(port)
            if not port.get("hostPort"):
                continue
            key = f"{port.get('protocol') or ''}/{port.get('hostIP') or ''}/{port['hostPort']}"
            if key in seen:
                causes.append(duplicate(f"{path}[{i}].ports[{j}].hostPort", key))
            seen.add(key)
    return causes


def _containers(spec: Obj, available: dict[str, Obj], path: str, host_users: bool) -> list[Cause]:
    containers = [_dict(c) for c in _list(spec.get("containers"))]
    if not containers:
        return [required(f"{path}.containers")]
    grace = spec.get("terminationGracePeriodSeconds")
    causes: list[Cause] = []
    names: set[str] = set()
    for i, container in enumerate(containers):
        where = f"{path}.containers[{i}]"
        causes += _container_common(container, available, where, host_users)
        name = container.get("name") or ""
        if name in names:
            causes.append(duplicate(f"{where}.name", name))
        names.add(name)
        if isinstance(container.get("lifecycle"), dict):
            causes += _lifecycle(container["lifecycle"], grace, f"{where}.lifecycle")
        causes += _probe(container.get("livenessProbe"), grace, f"{where}.livenessProbe", "liveness")
        causes += _probe(container.get("readinessProbe"), grace, f"{where}.readinessProbe", "readiness")
        causes += _probe(container.get("startupProbe"), grace, f"{where}.startupProbe", "startup")
        if container.get("restartPolicy") is not None:
            causes.append(forbidden(f"{where}.restartPolicy", "may not be set for non-init containers"))
    return causes + _host_port_conflicts(containers, f"{path}.containers")


_INIT_ONLY_WITH_RESTART = ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe")


def _init_containers(spec: Obj, available: dict[str, Obj], path: str, host_users: bool) -> list[Cause]:
    grace = spec.get("terminationGracePeriodSeconds")
    names = {_dict(c).get("name") for c in _list(spec.get("containers"))}
    causes: list[Cause] = []
    for i, container in enumerate(_list(spec.get("initContainers"))):
        container = _dict(container)
        where = f"{path}.initContainers[{i}]"
        causes += _container_common(container, available, where, host_users)
        policy = container.get("restartPolicy")
        if policy is not None and policy != "Always":
            causes.append(not_supported(f"{where}.restartPolicy", policy, ("Always",)))
        name = container.get("name") or ""
        if name in names:
            causes.append(duplicate(f"{where}.name", name))
        elif name:
            names.add(name)
        causes += _host_port_conflicts([container], f"{path}.initContainers")
        if policy == "Always":
            if isinstance(container.get("lifecycle"), dict):
                causes += _lifecycle(container["lifecycle"], grace, f"{where}.lifecycle")
            causes += _probe(container.get("livenessProbe"), grace, f"{where}.livenessProbe", "liveness")
            causes += _probe(container.get("readinessProbe"), grace, f"{where}.readinessProbe", "readiness")
            causes += _probe(container.get("startupProbe"), grace, f"{where}.startupProbe", "startup")
        else:
            causes += [forbidden(f"{where}.{field}", "may not be set for init containers without restartPolicy=Always")
                       for field in _INIT_ONLY_WITH_RESTART if container.get(field) is not None]
    return causes


# --- the rest of the pod spec -----------------------------------------------------------------------------------

def _host_network(spec: Obj, path: str, is_pod: bool) -> list[Cause]:
    if not spec.get("hostNetwork"):
        return []
    causes: list[Cause] = []
    for i, container in enumerate(_list(spec.get("containers"))):
        for j, port in enumerate(_list(_dict(container).get("ports"))):
            port = _dict(port)
            host, container_port = port.get("hostPort") or 0, port.get("containerPort") or 0
            if (is_pod or host) and host != container_port:
                causes.append(invalid(f"{path}.containers[{i}].ports[{j}].hostPort", host,
                                      "must match `containerPort` when `hostNetwork` is true"))
    return causes


def _pod_security(spec: Obj, path: str) -> list[Cause]:
    context = spec.get("securityContext")
    if not isinstance(context, dict):
        return []
    causes = _ids(context, ("fsGroup", "runAsUser", "runAsGroup"), path)
    for i, gid in enumerate(_list(context.get("supplementalGroups"))):
        if is_int(gid) and not 0 <= gid <= MAX_INT32:
            causes.append(invalid(f"{path}.supplementalGroups[{i}]", gid, _ID_RANGE))
    if context.get("shareProcessNamespace") and spec.get("hostPID"):
        causes.append(invalid(f"{path}.shareProcessNamespace", True,
                              "ShareProcessNamespace and HostPID cannot both be enabled"))
    names: set[str] = set()
    for i, sysctl in enumerate(_list(context.get("sysctls"))):
        name = str(_dict(sysctl).get("name") or "")
        where = f"{path}.sysctls[{i}].name"
        if not name:
            causes.append(required(where))
        elif len(name) > 253 or not _SYSCTL.fullmatch(name):
            causes.append(invalid(where, name, f"must have at most 253 characters and match regex ^{_SYSCTL.pattern}$"))
        elif name in names:
            causes.append(duplicate(where, name))
        names.add(name)
    policy = context.get("fsGroupChangePolicy")
    if policy is not None and policy not in ("Always", "OnRootMismatch"):
        causes.append(not_supported(f"{path}.fsGroupChangePolicy", policy, ("Always", "OnRootMismatch")))
    causes += _seccomp(context.get("seccompProfile"), f"{path}.seccompProfile")
    causes += _app_armor(context.get("appArmorProfile"), f"{path}.appArmorProfile")
    groups_policy = context.get("supplementalGroupsPolicy")
    if groups_policy is not None and groups_policy not in ("Merge", "Strict"):
        causes.append(not_supported(f"{path}.supplementalGroupsPolicy", groups_policy, ("Merge", "Strict")))
    return causes


def _node_requirement(requirement: Obj, path: str, check_values: bool) -> list[Cause]:
    operator, values = requirement.get("operator") or "", _list(requirement.get("values"))
    causes: list[Cause] = []
    if operator in ("In", "NotIn"):
        if not values:
            causes.append(required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            causes.append(forbidden(f"{path}.values",
                                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    elif operator in ("Gt", "Lt"):
        if len(values) != 1:
            causes.append(required(f"{path}.values", "must be specified single value when `operator` is 'Lt' or 'Gt'"))
    else:
        causes.append(invalid(f"{path}.operator", operator, "not a valid selector operator"))
    causes += label_name_errors(str(requirement.get("key") or ""), f"{path}.key")
    if check_values:
        for i, value in enumerate(values):
            causes += [invalid(f"{path}.values[{i}]", value, m) for m in label_value_errors(str(value))]
    return causes


def node_selector_term(term: Obj, path: str, check_values: bool) -> list[Cause]:
    """kube's validateNodeSelectorTerm (label values unchecked where a stored object keeps invalid ones)."""
    causes: list[Cause] = []
    for i, requirement in enumerate(_list(term.get("matchExpressions"))):
        causes += _node_requirement(_dict(requirement), f"{path}.matchExpressions[{i}]", check_values)
    for i, requirement in enumerate(_list(term.get("matchFields"))):
        requirement = _dict(requirement)
        where = f"{path}.matchFields[{i}]"
        if requirement.get("operator") in ("In", "NotIn"):
            if len(_list(requirement.get("values"))) != 1:
                causes.append(required(f"{where}.values", "must be only one value when `operator` is 'In' or "
                                                          "'NotIn' for node field selector"))
        else:
            causes.append(invalid(f"{where}.operator", requirement.get("operator") or "",
                                  "not a valid selector operator"))
        if requirement.get("key") != "metadata.name":
            causes.append(invalid(f"{where}.key", requirement.get("key") or "", "not a valid field selector key"))
        else:
            for j, value in enumerate(_list(requirement.get("values"))):
                causes += _subdomain(str(value), f"{where}.values[{j}]")
    return causes


def _weight(weight: Any, path: str) -> list[Cause]:
    return [] if is_int(weight) and 1 <= weight <= 100 else [invalid(path, weight or 0, "must be in the range 1-100")]


def _pod_affinity_term(term: Obj, path: str) -> list[Cause]:
    causes = label_selector(term.get("labelSelector"), f"{path}.labelSelector")
    causes += label_selector(term.get("namespaceSelector"), f"{path}.namespaceSelector")
    for namespace in _list(term.get("namespaces")):
        causes += _label(str(namespace), f"{path}.namespace")
    topology = str(term.get("topologyKey") or "")
    if not topology:
        causes.append(required(f"{path}.topologyKey", "can not be empty"))
    return causes + label_name_errors(topology, f"{path}.topologyKey")


def _affinity(affinity: Any, path: str) -> list[Cause]:
    if not isinstance(affinity, dict):
        return []
    causes: list[Cause] = []
    node = affinity.get("nodeAffinity")
    if isinstance(node, dict):
        hard = node.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(hard, dict):
            where = f"{path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
            terms = _list(hard.get("nodeSelectorTerms"))
            if not terms:
                causes.append(required(where, "must have at least one node selector term"))
            for i, term in enumerate(terms):
                causes += node_selector_term(_dict(term), f"{where}[{i}]", True)
        for i, preferred in enumerate(_list(node.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            where = f"{path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
            preferred = _dict(preferred)
            causes += _weight(preferred.get("weight"), f"{where}.weight")
            causes += node_selector_term(_dict(preferred.get("preference")), f"{where}.preference", False)
    for kind in ("podAffinity", "podAntiAffinity"):
        pod = affinity.get(kind)
        if not isinstance(pod, dict):
            continue
        where = f"{path}.{kind}"
        for i, term in enumerate(_list(pod.get("requiredDuringSchedulingIgnoredDuringExecution"))):
            causes += _pod_affinity_term(_dict(term), f"{where}.requiredDuringSchedulingIgnoredDuringExecution[{i}]")
        for i, weighted in enumerate(_list(pod.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            weighted = _dict(weighted)
            term_path = f"{where}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
            causes += _weight(weighted.get("weight"), f"{term_path}.weight")
            causes += _pod_affinity_term(_dict(weighted.get("podAffinityTerm")), f"{term_path}.podAffinityTerm")
    return causes


def _dns_config(spec: Obj, path: str) -> list[Cause]:
    config = spec.get("dnsConfig")
    if spec.get("dnsPolicy") == "None":
        if not isinstance(config, dict):
            return [required(path, "must provide `dnsConfig` when `dnsPolicy` is None")]
        if not config.get("nameservers"):
            return [required(f"{path}.nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is "
                                                    "None")]
    if not isinstance(config, dict):
        return []
    causes: list[Cause] = []
    nameservers = _list(config.get("nameservers"))
    if len(nameservers) > 3:
        causes.append(invalid(f"{path}.nameservers", string_slice(nameservers),
                              "must not have more than 3 nameservers"))
    for i, nameserver in enumerate(nameservers):
        causes += ip_errors(nameserver, f"{path}.nameservers[{i}]")
    searches = [str(s) for s in _list(config.get("searches"))]
    if len(searches) > 32:
        causes.append(invalid(f"{path}.searches", string_slice(searches), "must not have more than 32 search paths"))
    if len(" ".join(searches)) > 2048:
        causes.append(invalid(f"{path}.searches", string_slice(searches),
                              "must not have more than 2048 characters (including spaces) in the search list"))
    for i, search in enumerate(searches):
        causes += _subdomain(search.removesuffix("."), f"{path}.searches[{i}]")
    for i, option in enumerate(_list(config.get("options"))):
        if not _dict(option).get("name"):
            causes.append(required(f"{path}.options[{i}]", "must not be empty"))
    return causes


def _topology_spread(constraints: Any, path: str) -> list[Cause]:
    causes: list[Cause] = []
    items = [_dict(c) for c in _list(constraints)]
    for i, constraint in enumerate(items):
        where = f"{path}[{i}]"
        skew = constraint.get("maxSkew") or 0
        if skew <= 0:
            causes.append(invalid(f"{where}.maxSkew", skew, "must be greater than zero"))
        if not constraint.get("topologyKey"):
            causes.append(required(f"{where}.topologyKey", "can not be empty"))
        action = constraint.get("whenUnsatisfiable") or ""
        if action not in ("DoNotSchedule", "ScheduleAnyway"):
            causes.append(not_supported(f"{where}.whenUnsatisfiable", action, ("DoNotSchedule", "ScheduleAnyway")))
        key = (constraint.get("topologyKey"), action)
        if any((other.get("topologyKey"), other.get("whenUnsatisfiable") or "") == key for other in items[i + 1:]):
            causes.append(duplicate(f"{where}.{{topologyKey, whenUnsatisfiable}}", f"{{{key[0] or ''}, {action}}}"))
        domains = constraint.get("minDomains")
        if is_int(domains):
            if domains <= 0:
                causes.append(invalid(f"{where}.minDomains", domains, "must be greater than zero"))
            if action != "DoNotSchedule":
                causes.append(invalid(f"{where}.minDomains", domains,
                                      f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}"))
        for field in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            policy = constraint.get(field)
            if policy is not None and policy not in ("Honor", "Ignore"):
                causes.append(not_supported(f"{where}.{field}", policy, ("Honor", "Ignore")))
        causes += label_selector(constraint.get("labelSelector"), f"{where}.labelSelector")
    return causes


def pod_spec(spec: Any, path: str, is_pod: bool = False) -> list[Cause]:
    """kube's ValidatePodSpec."""
    if not isinstance(spec, dict):
        return [required(path)]
    causes: list[Cause] = []
    if spec.get("terminationGracePeriodSeconds") is None:
        causes.append(required(f"{path}.terminationGracePeriodSeconds"))
    host_users = _dict(spec.get("securityContext")).get("hostUsers") is not False
    available, volume_causes = volumes(spec.get("volumes"), f"{path}.volumes")
    causes += volume_causes
    causes += _containers(spec, available, path, host_users)
    causes += _init_containers(spec, available, path, host_users)
    causes += _host_network(spec, path, is_pod)
    causes += _one_of(spec.get("restartPolicy"), f"{path}.restartPolicy", ("Always", "OnFailure", "Never"))
    causes += _one_of(spec.get("dnsPolicy"), f"{path}.dnsPolicy",
                      ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"))
    causes += label_map(spec.get("nodeSelector"), f"{path}.nodeSelector")
    causes += _pod_security(spec, f"{path}.securityContext")
    causes += _affinity(spec.get("affinity"), f"{path}.affinity")
    causes += _dns_config(spec, f"{path}.dnsConfig")
    for i, gate in enumerate(_list(spec.get("readinessGates"))):
        causes += _qualified(str(_dict(gate).get("conditionType") or ""), f"{path}.readinessGates[{i}].conditionType")
    gates: set[str] = set()
    for i, gate in enumerate(_list(spec.get("schedulingGates"))):
        name = str(_dict(gate).get("name") or "")
        causes += _qualified(name, f"{path}.schedulingGates[{i}]")
        if name in gates:
            causes.append(duplicate(f"{path}.schedulingGates[{i}]", name))
        gates.add(name)
    causes += _topology_spread(spec.get("topologySpreadConstraints"), f"{path}.topologySpreadConstraints")
    for field, check in (("serviceAccountName", _subdomain), ("nodeName", _subdomain)):
        if spec.get(field):
            causes += check(str(spec[field]), f"{path}.{field}")
    deadline = spec.get("activeDeadlineSeconds")
    if is_int(deadline) and not 1 <= deadline <= MAX_INT32:
        causes.append(invalid(f"{path}.activeDeadlineSeconds", deadline, f"must be between 1 and {MAX_INT32}, "
                                                                          "inclusive"))
    for field in ("hostname", "subdomain"):
        if spec.get(field):
            causes += _label(str(spec[field]), f"{path}.{field}")
    causes += tolerations(spec.get("tolerations"), f"{path}.tolerations")
    for i, alias in enumerate(_list(spec.get("hostAliases"))):
        alias = _dict(alias)
        causes += ip_errors(alias.get("ip") or "", f"{path}.hostAliases[{i}].ip")
        for j, hostname in enumerate(_list(alias.get("hostnames"))):
            causes += _subdomain(str(hostname), f"{path}.hostAliases[{i}].hostnames[{j}]")
    for field in ("priorityClassName", "runtimeClassName"):
        if spec.get(field):
            causes += _subdomain(str(spec[field]), f"{path}.{field}")
    if spec.get("preemptionPolicy") is not None:
        causes += _one_of(spec["preemptionPolicy"], f"{path}.preemptionPolicy", ("PreemptLowerPriority", "Never"))
    os = spec.get("os")
    if isinstance(os, dict):
        if not os.get("name"):
            causes.append(required(f"{path}.os.name", "cannot be empty"))
        elif os["name"] not in ("linux", "windows"):
            causes.append(not_supported(f"{path}.os", os["name"], ("linux", "windows")))
    return causes


def pod_template(template: Any, path: str) -> list[Cause]:
    """kube's ValidatePodTemplateSpec: the template's labels and annotations, then its pod spec."""
    if not isinstance(template, dict):
        return [required(path)]
    meta = _dict(template.get("metadata"))
    causes = label_map(meta.get("labels"), f"{path}.labels")
    causes += annotation_errors(meta.get("annotations"), f"{path}.annotations")
    causes += pod_spec(template.get("spec"), f"{path}.spec")
    if _list(_dict(template.get("spec")).get("ephemeralContainers")):
        causes.append(forbidden(f"{path}.spec.ephemeralContainers", "ephemeral containers not allowed in pod template"))
    return causes


def always_restarting(template: Any, kind: str) -> list[Cause]:
    """The pods a controller keeps running (ReplicaSets, StatefulSets, DaemonSets, ReplicationControllers) restart
    Always and have no deadline."""
    template_spec = _dict(_dict(template).get("spec"))
    policy = template_spec.get("restartPolicy") or ""
    causes = [] if policy == "Always" else [not_supported("spec.template.spec.restartPolicy", policy, ("Always",))]
    if template_spec.get("activeDeadlineSeconds") is not None:
        causes.append(forbidden("spec.template.spec.activeDeadlineSeconds",
                                f"activeDeadlineSeconds in {kind} is not Supported"))
    return causes


def pod(obj: Obj) -> list[Cause]:
    """kube's ValidatePodCreate, less the metadata rules the store checks for every kind."""
    spec = spec_of(obj)
    causes = pod_spec(obj.get("spec"), "spec", is_pod=True)
    for kind in ("containers", "initContainers"):
        for i, container in enumerate(_list(spec.get(kind))):
            image = _dict(container).get("image")
            if isinstance(image, str) and image != image.strip():
                causes.append(invalid(f"spec.{kind}[{i}].image", image, "must not have leading or trailing whitespace"))
    return causes


def pod_create(obj: Obj) -> list[Cause]:
    """What only a new pod is refused for."""
    spec = spec_of(obj)
    causes: list[Cause] = []
    if _list(spec.get("ephemeralContainers")):
        causes.append(forbidden("spec.ephemeralContainers", "cannot be set on create"))
    if spec.get("nodeName") and _list(spec.get("schedulingGates")):
        causes.append(forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"))
    return causes


UPDATABLE = ("`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
             "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
             "(allow it to be set to 1 if it was previously negative)")


def _container_updates(new: list[Any], old: list[Any], path: str) -> tuple[list[Cause], bool]:
    if len(new) != len(old):
        return [forbidden(path, "pod updates may not add or remove containers")], True
    causes: list[Cause] = []
    for i, container in enumerate(new):
        image = _dict(container).get("image")
        if not image:
            causes.append(required(f"{path}[{i}].image"))
        elif isinstance(image, str) and image.strip() != image:
            causes.append(invalid(f"{path}[{i}].image", image, "must not have leading or trailing whitespace"))
    return causes, False


def _tolerations_kept(new: list[Any], old: list[Any]) -> bool:
    """Every old toleration is still there, its tolerationSeconds aside."""
    def without_seconds(toleration: Any) -> Any:
        return semantic({k: v for k, v in _dict(toleration).items() if k != "tolerationSeconds"})
    remaining = [without_seconds(t) for t in new]
    return all(without_seconds(t) in remaining for t in old)


def pod_update(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidatePodUpdate beyond the validation of the new pod: what may change, and how."""
    new_spec, old_spec = spec_of(new), spec_of(old)
    causes: list[Cause] = []
    for kind in ("containers", "initContainers"):
        errors, stop = _container_updates(_list(new_spec.get(kind)), _list(old_spec.get(kind)), f"spec.{kind}")
        causes += errors
        if stop:
            return causes
    deadline, old_deadline = new_spec.get("activeDeadlineSeconds"), old_spec.get("activeDeadlineSeconds")
    if is_int(deadline):
        if not 0 <= deadline <= MAX_INT32:
            return causes + [invalid("spec.activeDeadlineSeconds", deadline,
                                     f"must be between 0 and {MAX_INT32}, inclusive")]
        if is_int(old_deadline) and old_deadline < deadline:
            return causes + [invalid("spec.activeDeadlineSeconds", deadline,
                                     "must be less than or equal to previous value")]
    elif old_deadline is not None:
        causes.append(invalid("spec.activeDeadlineSeconds", None, "must not update from a positive integer to nil "
                                                                  "value"))
    if not _tolerations_kept(_list(new_spec.get("tolerations")), _list(old_spec.get("tolerations"))):
        causes.append(forbidden("spec.tolerations", "existing toleration can not be modified except its "
                                                    "tolerationSeconds"))
    else:
        causes += tolerations(new_spec.get("tolerations"), "spec.tolerations")
    old_gates = {_dict(g).get("name") for g in _list(old_spec.get("schedulingGates"))}
    for i, gate in enumerate(_list(new_spec.get("schedulingGates"))):
        name = _dict(gate).get("name")
        if name not in old_gates:
            causes.append(forbidden(f"spec.schedulingGates[{i}].name",
                                    f"only deletion is allowed, but found new scheduling gate '{name}'"))
    if semantic(new_spec) == semantic(old_spec):
        return causes
    munged = copy.deepcopy(new_spec)
    for kind in ("containers", "initContainers"):
        for container, before in zip(_list(munged.get(kind)), _list(old_spec.get(kind)), strict=True):
            if isinstance(container, dict):
                container["image"] = _dict(before).get("image")
    for field in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        munged[field] = old_spec.get(field)
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if is_int(old_grace) and old_grace < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if _list(old_spec.get("schedulingGates")):
        # a gated pod may gain node selector entries
        old_selector, new_selector = _dict(old_spec.get("nodeSelector")), _dict(munged.get("nodeSelector"))
        if all(new_selector.get(k) == v for k, v in old_selector.items()):
            munged["nodeSelector"] = old_spec.get("nodeSelector")
    if semantic(munged) != semantic(old_spec):
        causes.append(forbidden("spec", f"pod updates may not change fields other than {UPDATABLE}"))
    return causes



_SYSTEM_CONDITIONS = ("PodScheduled", "Ready", "Initialized")


def pod_status(new: Obj, old: Obj) -> list[Cause]:
    """kube's ValidatePodStatusUpdate: custom condition types, the nominated node, the fixed QoS class and the
    pod's IPs."""
    status, old_status = _dict(new.get("status")), _dict(old.get("status"))
    causes: list[Cause] = []
    for i, condition in enumerate(_list(status.get("conditions"))):
        kind = str(_dict(condition).get("type") or "")
        if kind not in _SYSTEM_CONDITIONS:
            # kube roots this path at metadata
            causes += _qualified(kind, f"metadata.conditions[{i}].Type")
    nominated = status.get("nominatedNodeName")
    if nominated and nominated != old_status.get("nominatedNodeName"):
        causes += _subdomain(str(nominated), "status.nominatedNodeName")
    if status.get("qosClass") != old_status.get("qosClass"):
        causes.append(invalid("status.qosClass", status.get("qosClass"), "field is immutable"))
    for i, entry in enumerate(_list(status.get("podIPs"))):
        causes += ip_errors(_dict(entry).get("ip") or "", f"status.podIPs[{i}]")
    host_ips = _list(status.get("hostIPs"))
    if host_ips and status.get("hostIP") != _dict(host_ips[0]).get("ip"):
        causes.append(invalid("status.hostIPs[0].ip", _dict(host_ips[0]).get("ip"), "must be equal to `hostIP`"))
    for i, entry in enumerate(host_ips):
        causes += ip_errors(_dict(entry).get("ip") or "", f"status.hostIPs[{i}]")
    return causes
