"""What a ResourceQuota counts, as kube's quota evaluators measure it (pkg/quota/v1/evaluator/core and the
generic object count evaluator): the resource names each kind of object is charged under, the usage of one
object, and whether an object falls in a quota's scopes. Shared by the quota controller, which sums usage over
a namespace, and the ResourceQuota admission plugin, which charges one write."""
from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from apiserver.api.meta import quantity
from apiserver.api.meta.quantity import DECIMAL_SI, Quantity
from apiserver.api.meta.types import Obj

ResourceList = dict[str, Quantity]

ONE = Quantity(Fraction(1), DECIMAL_SI)
ZERO = Quantity(Fraction(0), DECIMAL_SI)

# a quota on one of these makes every container name it (kube keeps this old rule for cpu and memory only)
MUST_SPECIFY = frozenset({"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"})
STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/"
# core kinds also counted under their bare plural, as before count/<resource> existed
_LEGACY_COUNTS = frozenset({"configmaps", "resourcequotas", "replicationcontrollers", "secrets"})
# kinds kube never counts: events, and kinds that are not stored
IGNORED = frozenset({("", "events"), ("events.k8s.io", "events"), ("", "bindings"), ("", "componentstatuses"),
                     ("authorization.k8s.io", "localsubjectaccessreviews")})
_POD_RESOURCES = ("count/pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
                  "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods")
_SERVICE_RESOURCES = ("count/services", "services", "services.nodeports", "services.loadbalancers")
_CLAIM_RESOURCES = ("count/persistentvolumeclaims", "persistentvolumeclaims", "requests.storage")


# --- resource lists ------------------------------------------------------------------------------------

def parse_list(values: Any) -> ResourceList:
    """A JSON resource list; entries that are no quantity are left out (validation refused them already)."""
    out: ResourceList = {}
    if isinstance(values, dict):
        for name, value in values.items():
            try:
                out[name] = quantity.parse(value)
            except quantity.QuantityError:
                continue
    return out


def plus(a: Quantity, b: Quantity) -> Quantity:
    """Go's Quantity.Add: a zero takes the other's format."""
    return Quantity(a.value + b.value, b.format if a.value == 0 else a.format)


def add(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> ResourceList:
    out = dict(a)
    for name, value in b.items():
        out[name] = plus(out[name], value) if name in out else value
    return out


def add_into(total: ResourceList, more: Mapping[str, Quantity]) -> None:
    for name, value in more.items():
        total[name] = plus(total[name], value) if name in total else value


def max_into(total: ResourceList, more: Mapping[str, Quantity]) -> None:
    for name, value in more.items():
        if name not in total or value.value > total[name].value:
            total[name] = value


def subtract_non_negative(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> ResourceList:
    """kube's SubtractWithNonNegativeResult: what `a` adds over `b`, never below zero, over both lists' names."""
    out: ResourceList = {}
    for name, value in a.items():
        left = Quantity(value.value - b[name].value, value.format) if name in b else value
        out[name] = left if left.value > 0 else ZERO
    for name in b:
        out.setdefault(name, ZERO)
    return out


def mask(values: Mapping[str, Quantity], names: Iterable[str]) -> ResourceList:
    keep = set(names)
    return {name: value for name, value in values.items() if name in keep}


def pretty(values: Mapping[str, Quantity]) -> str:
    """kube's prettyPrint: `name=value` by name, comma-separated."""
    return ",".join(f"{name}={values[name]}" for name in sorted(values))


def as_json(values: Mapping[str, Quantity]) -> dict[str, str]:
    return {name: str(value) for name, value in sorted(values.items())}


# --- pods ----------------------------------------------------------------------------------------------

def _containers(pod: Obj, key: str) -> list[Obj]:
    return [c for c in (pod.get("spec") or {}).get(key) or [] if isinstance(c, dict)]


def _resources(container: Obj, part: str) -> ResourceList:
    return parse_list((container.get("resources") or {}).get(part))


def pod_total(pod: Obj, part: str, overhead: bool = False) -> ResourceList:
    """kube's PodRequests / PodLimits (`part` "requests" or "limits"): the containers' sum, sidecars (init
    containers that always restart) added, then at least what any init container needs while it runs beside
    the sidecars started before it; with `overhead`, the pod's overhead on top (for limits, only where set)."""
    total: ResourceList = {}
    for container in _containers(pod, "containers"):
        add_into(total, _resources(container, part))
    sidecars: ResourceList = {}
    init_peak: ResourceList = {}
    for container in _containers(pod, "initContainers"):
        own = _resources(container, part)
        if container.get("restartPolicy") == "Always":
            add_into(total, own)
            add_into(sidecars, own)
            running = dict(sidecars)
        else:
            running = add(own, sidecars)
        max_into(init_peak, running)
    max_into(total, init_peak)
    if overhead:
        extra = parse_list((pod.get("spec") or {}).get("overhead"))
        if part == "limits":
            extra = mask(extra, total)
        add_into(total, extra)
    return total


def _parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)


def pod_counts_compute(pod: Obj, now: datetime.datetime | None = None) -> bool:
    """kube's QuotaV1Pod: finished pods, and pods whose deletion grace period is over, use no compute."""
    if (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded"):
        return False
    meta = pod.get("metadata") or {}
    deleted, grace = meta.get("deletionTimestamp"), meta.get("deletionGracePeriodSeconds")
    if deleted and grace is not None:
        now = now or datetime.datetime.now(datetime.UTC)
        if now > _parse_time(deleted) + datetime.timedelta(seconds=int(grace)):
            return False
    return True


def _is_native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _is_extended(name: str) -> bool:
    return not _is_native(name) and not name.startswith("requests.")


def compute_usage(requests: ResourceList, limits: ResourceList) -> ResourceList:
    """kube's podComputeUsageHelper: what one container, or a whole pod, is charged."""
    out: ResourceList = {"pods": ONE}
    for name in ("cpu", "memory", "ephemeral-storage"):
        if name in requests:
            out[name] = requests[name]
            out[f"requests.{name}"] = requests[name]
        if name in limits:
            out[f"limits.{name}"] = limits[name]
    for name, value in requests.items():
        if name.startswith("hugepages-"):
            out[name] = value
            out[f"requests.{name}"] = value
        if _is_extended(name):
            out[f"requests.{name}"] = value
    return out


def pod_usage(pod: Obj) -> ResourceList:
    usage: ResourceList = {"count/pods": ONE}
    if pod_counts_compute(pod):
        usage = add(usage, compute_usage(pod_total(pod, "requests", True), pod_total(pod, "limits", True)))
    return usage


def is_best_effort(pod: Obj) -> bool:
    """kube's QoS class BestEffort: no container asks for or limits cpu or memory (zeros do not count)."""
    for container in _containers(pod, "containers") + _containers(pod, "initContainers"):
        for part in ("requests", "limits"):
            values = _resources(container, part)
            if any(values[name].value != 0 for name in ("cpu", "memory") if name in values):
                return False
    return True


def _uses_cross_namespace_affinity(pod: Obj) -> bool:
    affinity = (pod.get("spec") or {}).get("affinity") or {}
    for kind in ("podAffinity", "podAntiAffinity"):
        terms = affinity.get(kind) or {}
        required = terms.get("requiredDuringSchedulingIgnoredDuringExecution") or []
        preferred = [t.get("podAffinityTerm") or {} for t in
                     terms.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
        if any(t.get("namespaces") or t.get("namespaceSelector") is not None for t in required + preferred):
            return True
    return False


@dataclass(frozen=True)
class ScopeSelector:
    """One of a quota's scopes or scopeSelector expressions."""
    scope: str
    operator: str = "Exists"
    values: tuple[str, ...] = ()

    def go(self) -> str:
        """`%v` of kube's ScopedResourceSelectorRequirement."""
        return f"{{{self.scope} {self.operator} [{' '.join(self.values)}]}}"


def quota_scopes(quota: Obj) -> list[ScopeSelector]:
    spec = quota.get("spec") or {}
    selectors = [ScopeSelector(str(scope)) for scope in spec.get("scopes") or []]
    for expression in (spec.get("scopeSelector") or {}).get("matchExpressions") or []:
        selectors.append(ScopeSelector(str(expression.get("scopeName", "")), str(expression.get("operator", "")),
                                       tuple(str(v) for v in expression.get("values") or [])))
    return selectors


def pod_in_scope(selector: ScopeSelector, pod: Obj) -> bool:
    """kube's podMatchesScopeFunc; scopes other than PriorityClass ignore the operator, as kube's does."""
    spec = pod.get("spec") or {}
    scope = selector.scope
    if scope in ("Terminating", "NotTerminating"):
        deadline = spec.get("activeDeadlineSeconds")
        terminating = isinstance(deadline, int) and deadline >= 0
        return terminating if scope == "Terminating" else not terminating
    if scope in ("BestEffort", "NotBestEffort"):
        return is_best_effort(pod) == (scope == "BestEffort")
    if scope == "PriorityClass":
        name = spec.get("priorityClassName") or ""
        if selector.operator == "Exists":
            return bool(name)
        if selector.operator == "DoesNotExist":
            return not name
        if selector.operator == "In":
            return bool(name) and name in selector.values
        if selector.operator == "NotIn":
            return not name or name not in selector.values
        return False
    if scope == "CrossNamespacePodAffinity":
        return _uses_cross_namespace_affinity(pod)
    return False


# --- evaluators ----------------------------------------------------------------------------------------

def count_name(group: str, resource: str) -> str:
    """kube's object count resource name: `count/<resource>` in the core group, else `count/<resource>.<group>`."""
    return f"count/{resource}.{group}" if group else f"count/{resource}"


def claim_class(claim: Obj) -> str:
    """The claim's storage class: the beta annotation wins over spec.storageClassName, as in kube."""
    annotations = (claim.get("metadata") or {}).get("annotations") or {}
    beta = annotations.get("volume.beta.kubernetes.io/storage-class")
    if beta is not None:
        return str(beta)
    return str((claim.get("spec") or {}).get("storageClassName") or "")


@dataclass(frozen=True)
class Evaluator:
    """What quota knows of one kind: (group, resource) and how its objects are charged."""
    group: str
    resource: str

    @property
    def updates_charge(self) -> bool:
        """Whether an update may change the charge (kube's Handles accepts UPDATE), not only a create."""
        return (self.group, self.resource) in (("", "services"), ("", "persistentvolumeclaims"))

    def matching(self, names: Iterable[str]) -> list[str]:
        """kube's MatchingResources: the quota resource names this kind is charged under."""
        out = []
        for name in names:
            if (self.group, self.resource) == ("", "pods"):
                if (name in _POD_RESOURCES or name.startswith("hugepages-") or name.startswith("requests.hugepages-")
                        or (not _is_native(name) and name.startswith("requests."))):
                    out.append(name)
            elif (self.group, self.resource) == ("", "services"):
                if name in _SERVICE_RESOURCES:
                    out.append(name)
            elif (self.group, self.resource) == ("", "persistentvolumeclaims"):
                if name in _CLAIM_RESOURCES or (STORAGE_CLASS_SUFFIX in name and name.rsplit("/", 1)[1] in (
                        "persistentvolumeclaims", "requests.storage")):
                    out.append(name)
            elif name in self.usage({}):
                out.append(name)
        return out

    def in_scope(self, selector: ScopeSelector, obj: Obj) -> bool:
        # only pods have scopes: a scoped quota counts nothing else
        return (self.group, self.resource) == ("", "pods") and pod_in_scope(selector, obj)

    def matches(self, quota: Obj, obj: Obj) -> bool:
        """kube's generic Matches: the quota's status.hard names something this kind is charged under, and the
        object is in every one of its scopes."""
        hard = (quota.get("status") or {}).get("hard") or {}
        if not self.matching(hard):
            return False
        return all(self.in_scope(selector, obj) for selector in quota_scopes(quota))

    def usage(self, obj: Obj) -> ResourceList:
        key = (self.group, self.resource)
        if key == ("", "pods"):
            return pod_usage(obj)
        if key == ("", "services"):
            return self._service_usage(obj)
        if key == ("", "persistentvolumeclaims"):
            return self._claim_usage(obj)
        usage = {count_name(self.group, self.resource): ONE}
        if not self.group and self.resource in _LEGACY_COUNTS:
            usage[self.resource] = ONE
        return usage

    @staticmethod
    def _service_usage(service: Obj) -> ResourceList:
        spec = service.get("spec") or {}
        ports = Quantity(Fraction(len(spec.get("ports") or [])), DECIMAL_SI)
        usage = {"count/services": ONE, "services": ONE, "services.loadbalancers": ZERO,
                 "services.nodeports": ZERO}
        if spec.get("type") == "NodePort":
            usage["services.nodeports"] = ports
        elif spec.get("type") == "LoadBalancer":
            usage["services.nodeports"] = ports
            usage["services.loadbalancers"] = ONE
        return usage

    @staticmethod
    def _claim_usage(claim: Obj) -> ResourceList:
        usage = {"count/persistentvolumeclaims": ONE, "persistentvolumeclaims": ONE}
        storage_class = claim_class(claim)
        if storage_class:
            usage[f"{storage_class}{STORAGE_CLASS_SUFFIX}persistentvolumeclaims"] = ONE
        requested = parse_list(((claim.get("spec") or {}).get("resources") or {}).get("requests")).get("storage")
        allocated = parse_list((claim.get("status") or {}).get("allocatedResources")).get("storage")
        # what the claim may still hold after a failed expansion counts too (RecoverVolumeExpansionFailure)
        if requested is None or (allocated is not None and allocated.value > requested.value):
            requested = allocated
        if requested is not None:
            usage["requests.storage"] = requested
            if storage_class:
                usage[f"{storage_class}{STORAGE_CLASS_SUFFIX}requests.storage"] = requested
        return usage

    def constraints(self, required: Iterable[str], obj: Obj) -> str | None:
        """kube's pod Constraints: every container names what a quota on cpu or memory tracks. The refusal, or
        None."""
        if (self.group, self.resource) != ("", "pods"):
            return None
        wanted = set(required) & MUST_SPECIFY
        missing: dict[str, set[str]] = {}
        for container in _containers(obj, "containers") + _containers(obj, "initContainers"):
            has = compute_usage(_resources(container, "requests"), _resources(container, "limits"))
            for name in wanted - set(has):
                missing.setdefault(name, set()).add(str(container.get("name", "")))
        if not missing:
            return None
        return "must specify " + "; ".join(f"{name} for: {','.join(sorted(missing[name]))}"
                                           for name in sorted(missing))


def evaluator_for(group: str, resource: str) -> Evaluator | None:
    return None if (group, resource) in IGNORED else Evaluator(group, resource)


def resources_named(hard: Iterable[str], kinds: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The kinds (group, resource) among `kinds` that a quota with these hard names charges."""
    names = list(hard)
    return [(group, resource) for group, resource in kinds
            if (e := evaluator_for(group, resource)) is not None and e.matching(names)]
