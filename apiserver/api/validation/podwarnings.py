"""The warnings kube returns for pods and pod templates (pkg/api/pod/warnings.go): deprecated node labels,
annotations and volume plugins, duplicated entries that apply would drop, fractional byte quantities, ambiguous
ports and selectors that match nothing. Each warning is `<field path>: <text>`, the field path prefixed with the
template's own path for workloads."""
from __future__ import annotations

from typing import Any

from apiserver.api.meta import quantity
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.types import Obj
from apiserver.api.validation.metadata import name_errors

DEPRECATED_NODE_LABELS = {
    "beta.kubernetes.io/arch": 'deprecated since v1.14; use "kubernetes.io/arch" instead',
    "beta.kubernetes.io/os": 'deprecated since v1.14; use "kubernetes.io/os" instead',
    "failure-domain.beta.kubernetes.io/region": 'deprecated since v1.17; use "topology.kubernetes.io/region" instead',
    "failure-domain.beta.kubernetes.io/zone": 'deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
    "beta.kubernetes.io/instance-type": 'deprecated since v1.17; use "node.kubernetes.io/instance-type" instead',
    "app.kubernetes.io/created-by": "deprecated since v1.9",
    "scheduler.alpha.kubernetes.io/preferAvoidPods": "deprecated since v1.22; use Taints and Tolerations instead",
    "node-role.kubernetes.io/master": 'use "node-role.kubernetes.io/control-plane" instead',
}
_DEPRECATED_ANNOTATIONS = (
    ("scheduler.alpha.kubernetes.io/critical-pod", 'non-functional in v1.16+; use the "priorityClassName" field '
                                                   'instead'),
    ("security.alpha.kubernetes.io/sysctls", 'non-functional in v1.11+; use the "sysctls" field instead'),
    ("security.alpha.kubernetes.io/unsafe-sysctls", 'non-functional in v1.11+; use the "sysctls" field instead'),
)
# (field, the path kube names it by, the text)
_DEPRECATED_VOLUMES = (
    ("photonPersistentDisk", "photonPersistentDisk", "deprecated in v1.11, non-functional in v1.16+"),
    ("gitRepo", "gitRepo", "deprecated in v1.11"),
    ("scaleIO", "scaleIO", "deprecated in v1.16, non-functional in v1.22+"),
    ("flocker", "flocker", "deprecated in v1.22, non-functional in v1.25+"),
    ("storageos", "storageOS", "deprecated in v1.22, non-functional in v1.25+"),
    ("quobyte", "quobyte", "deprecated in v1.22, non-functional in v1.25+"),
    ("glusterfs", "glusterfs", "deprecated in v1.25, non-functional in v1.26+"),
    ("cephfs", "cephfs", "deprecated in v1.28, non-functional in v1.31+"),
    ("rbd", "rbd", "deprecated in v1.28, non-functional in v1.31+"),
)
SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_CONTAINER = "container.apparmor.security.beta.kubernetes.io/"
_NULL_SELECTOR = "a null labelSelector results in matching no pod"


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _join(prefix: str, path: str) -> str:
    return f"{prefix}.{path}" if prefix else path


def name_warning(name: str, used_as: str) -> list[str]:
    """Workload names end up in pod hostnames: kube recommends a DNS label."""
    errors = name_errors(name, "label")
    if not errors:
        return []
    return [f"metadata.name: this is used in {used_as}, which can result in surprising behavior; a DNS label is "
            f"recommended: [{' '.join(errors)}]"]


def _node_term(term: Obj, path: str) -> list[str]:
    out = []
    for i, expression in enumerate(_list(term.get("matchExpressions"))):
        key = _dict(expression).get("key")
        if key in DEPRECATED_NODE_LABELS:
            out.append(f"{path}.matchExpressions[{i}].key: {key} is {DEPRECATED_NODE_LABELS[key]}")
    return out


def _containers(spec: Obj, prefix: str) -> list[tuple[Obj, str]]:
    """kube's VisitContainersWithPath: init containers, then containers, then ephemeral containers."""
    return [(_dict(c), _join(prefix, f"spec.{kind}[{i}]"))
            for kind in ("initContainers", "containers", "ephemeralContainers")
            for i, c in enumerate(_list(spec.get(kind)))]


def _fractional(value: Any, path: str) -> list[str]:
    if value is None or not quantity.parses(value):
        return []
    q = quantity.parse(value)
    if quantity.milli_value(q) % 1000 == 0:
        return []
    return [f"{path}: fractional byte value {quote(str(q))} is invalid, must be an integer"]


def _port_struct(port: Obj) -> str:
    """A ContainerPort as Go's `%+v` prints it."""
    return (f"{{Name:{port.get('name') or ''} HostPort:{port.get('hostPort') or 0} "
            f"ContainerPort:{port.get('containerPort') or 0} Protocol:{port.get('protocol') or ''} "
            f"HostIP:{port.get('hostIP') or ''}}}")


def _port_warnings(containers: list[tuple[Obj, str]]) -> list[str]:
    out: list[str] = []
    seen: dict[str, list[tuple[str, Obj]]] = {}
    for container, path in containers:
        for i, port in enumerate(_list(container.get("ports"))):
            port = _dict(port)
            where = f"{path}.ports[{i}]"
            host_ip, host_port = port.get("hostIP") or "", port.get("hostPort") or 0
            if host_ip and not host_port:
                out.append(f"{where}: hostIP set without hostPort: {_port_struct(port)}")
            key = f"{port.get('containerPort') or 0}/{port.get('protocol') or ''}"
            for other_path, other in seen.get(key, []):
                other_ip, other_port = other.get("hostIP") or "", other.get("hostPort") or 0
                if host_ip == other_ip and host_port == other_port:
                    out.append(f"{where}: duplicate port definition with {other_path}")
                elif not host_port or not other_port:
                    out.append(f"{where}: overlapping port definition with {other_path}")
                elif host_port == other_port and bool(host_ip) != bool(other_ip):
                    out.append(f"{where}: dangerously ambiguous port definition with {other_path}")
            seen.setdefault(key, []).append((where, port))
    return out


def _env_warnings(container: Obj, path: str) -> list[str]:
    out: list[str] = []
    names: set[str] = set()
    for i, var in enumerate(_list(container.get("env"))):
        var = _dict(var)
        name, value = str(var.get("name") or ""), str(var.get("value") or "")
        if name in names:
            reference = f"$({name})"
            if var.get("valueFrom") is not None or value == reference or reference not in value:
                out.append(f"{path}.env[{i}]: hides previous definition of {quote(name)}, which may be dropped when "
                           "using apply")
        names.add(name)
    return out


def _affinity_terms(affinity: Obj, kind: str, prefix: str) -> list[str]:
    terms = _dict(affinity.get(kind))
    base = _join(prefix, f"spec.affinity.{kind}")
    out = [f"{base}.requiredDuringSchedulingIgnoredDuringExecution[{i}].labelSelector: {_NULL_SELECTOR}"
           for i, term in enumerate(_list(terms.get("requiredDuringSchedulingIgnoredDuringExecution")))
           if _dict(term).get("labelSelector") is None]
    out += [f"{base}.preferredDuringSchedulingIgnoredDuringExecution[{i}].podAffinityTerm.labelSelector: "
            f"{_NULL_SELECTOR}"
            for i, term in enumerate(_list(terms.get("preferredDuringSchedulingIgnoredDuringExecution")))
            if _dict(_dict(term).get("podAffinityTerm")).get("labelSelector") is None]
    return out


def _volume_warnings(spec: Obj, prefix: str) -> list[str]:
    out: list[str] = []
    volumes = [_dict(v) for v in _list(spec.get("volumes"))]
    for i, volume in enumerate(volumes):
        for field, spelled, text in _DEPRECATED_VOLUMES:
            if isinstance(volume.get(field), dict):
                out.append(f"{_join(prefix, f'spec.volumes[{i}]')}.{spelled}: {text}")
    token_paths = {_dict(source.get("serviceAccountToken")).get("path")
                   for volume in volumes for source in map(_dict, _list(_dict(volume.get("projected")).get("sources")))
                   if isinstance(source.get("serviceAccountToken"), dict)}
    if not token_paths:
        return out
    for i, volume in enumerate(volumes):
        for source in map(_dict, _list(_dict(volume.get("projected")).get("sources"))):
            base = _join(prefix, f"spec.volumes[{i}].projected.sources")
            for kind, spelled in (("configMap", "configMap"), ("secret", "secrets"), ("downwardAPI", "downwardAPI")):
                for j, item in enumerate(_list(_dict(source.get(kind)).get("items"))):
                    target = _dict(item).get("path")
                    if target in token_paths:
                        out.append(f"{base}.{spelled}[{j}]: has duplicated path with ServiceAccountToken "
                                   f"{quote(str(target))}")
    return out


def pod_warnings(spec: Any, meta: Any, prefix: str = "") -> list[str]:
    """kube's warningsForPodSpecAndMeta; `prefix` is the template's path ("" for a pod)."""
    spec, meta = _dict(spec), _dict(meta)
    annotations = _dict(meta.get("annotations"))
    out: list[str] = []
    for key in sorted(_dict(spec.get("nodeSelector"))):
        if key in DEPRECATED_NODE_LABELS:
            out.append(f"{_join(prefix, 'spec.nodeSelector')}[{key}]: {DEPRECATED_NODE_LABELS[key]}")
    node = _dict(_dict(spec.get("affinity")).get("nodeAffinity"))
    base = _join(prefix, "spec.affinity.nodeAffinity")
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    if isinstance(required, dict):
        for i, term in enumerate(_list(required.get("nodeSelectorTerms"))):
            out += _node_term(_dict(term),
                              f"{base}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[{i}]")
    for i, preferred in enumerate(_list(node.get("preferredDuringSchedulingIgnoredDuringExecution"))):
        out += _node_term(_dict(_dict(preferred).get("preference")),
                          f"{base}.preferredDuringSchedulingIgnoredDuringExecution[{i}].preference")
    for i, constraint in enumerate(_list(spec.get("topologySpreadConstraints"))):
        constraint = _dict(constraint)
        where = _join(prefix, f"spec.topologySpreadConstraints[{i}]")
        topology = str(constraint.get("topologyKey") or "")
        if topology in DEPRECATED_NODE_LABELS:
            out.append(f"{where}.topologyKey: {topology} is {DEPRECATED_NODE_LABELS[topology]}")
        if constraint.get("labelSelector") is None:
            out.append(f"{where}.labelSelector: {_NULL_SELECTOR}")
    annotations_path = _join(prefix, "metadata.annotations")
    out += [f"{annotations_path}[{key}]: {text}" for key, text in _DEPRECATED_ANNOTATIONS if key in annotations]
    out += _volume_warnings(spec, prefix)
    seen_ips: set[str] = set()
    for i, alias in enumerate(_list(spec.get("hostAliases"))):
        ip = str(_dict(alias).get("ip") or "")
        if ip in seen_ips and len(_list(spec.get("hostAliases"))) > 1:
            out.append(f"{_join(prefix, f'spec.hostAliases[{i}].ip')}: duplicate ip {quote(ip)}")
        seen_ips.add(ip)
    secrets = [str(_dict(s).get("name") or "") for s in _list(spec.get("imagePullSecrets"))]
    seen_names: set[str] = set()
    for i, name in enumerate(secrets):
        if name in seen_names:
            out.append(f"{_join(prefix, f'spec.imagePullSecrets[{i}].name')}: duplicate name {quote(name)}")
        seen_names.add(name)
    out += [f"{_join(prefix, f'spec.imagePullSecrets[{i}].name')}: invalid empty name {quote(name)}"
            for i, name in enumerate(secrets) if not name]
    overhead = _dict(spec.get("overhead"))
    for resource in ("memory", "ephemeral-storage"):
        out += _fractional(overhead.get(resource), f"{_join(prefix, 'spec.overhead')}[{resource}]")
    pod_security = _dict(spec.get("securityContext"))
    if pod_security.get("seccompProfile") is None and SECCOMP_POD in annotations:
        out.append(f'{annotations_path}[{SECCOMP_POD}]: non-functional in v1.27+; use the "seccompProfile" field '
                   'instead')
    containers = _containers(spec, prefix)
    for container, path in containers:
        security = _dict(container.get("securityContext"))
        key = SECCOMP_CONTAINER + str(container.get("name") or "")
        if security.get("seccompProfile") is None and key in annotations:
            out.append(f'{annotations_path}[{key}]: non-functional in v1.27+; use the "seccompProfile" field instead')
        key = APPARMOR_CONTAINER + str(container.get("name") or "")
        if pod_security.get("appArmorProfile") is None and security.get("appArmorProfile") is None \
                and key in annotations:
            out.append(f'{annotations_path}[{key}]: deprecated since v1.30; use the "appArmorProfile" field instead')
        resources = _dict(container.get("resources"))
        for kind, resource in (("limits", "memory"), ("requests", "memory"), ("limits", "ephemeral-storage"),
                               ("requests", "ephemeral-storage")):
            out += _fractional(_dict(resources.get(kind)).get(resource), f"{path}.resources.{kind}[{resource}]")
        out += _env_warnings(container, path)
    out += _port_warnings(containers)
    grace = spec.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and not isinstance(grace, bool) and grace < 0:
        out.append(f"{_join(prefix, 'spec.terminationGracePeriodSeconds')}: must be >= 0; negative values are invalid "
                   "and will be treated as 1")
    affinity = _dict(spec.get("affinity"))
    return out + _affinity_terms(affinity, "podAffinity", prefix) + _affinity_terms(affinity, "podAntiAffinity",
                                                                                      prefix)


def template_warnings(template: Any, path: str) -> list[str]:
    """kube's GetWarningsForPodTemplate for the template at `path`."""
    template = _dict(template)
    return pod_warnings(template.get("spec"), template.get("metadata"), path)
