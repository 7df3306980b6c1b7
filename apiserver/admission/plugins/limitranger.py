"""LimitRanger: the LimitRanges of a pod's namespace give its containers (and init containers) the requests and
limits they leave out, noted in the pod's `kubernetes.io/limit-ranger` annotation; then every container, and the
pod as a whole, must keep within their min, max and limit/request ratio, and a claim's storage request within a
claim's min and max. As in kube 1.32, pods are judged when created only (their containers cannot change), claims
when created and updated."""
from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.api.meta import quantity
from apiserver.api.meta.quantity import DECIMAL_SI, Quantity
from apiserver.api.meta.types import Obj
from apiserver.controllers.quotausage import ResourceList, parse_list, pod_total
from apiserver.registry.store import RegistryStore
from apiserver.storage.interface import ListOptions

ANNOTATION = "kubernetes.io/limit-ranger"
# past this, Go's MilliValue overflows and kube compares whole units instead
_MAX_MILLI_VALUE = ((1 << 63) - 1) // 1000


def _values(request: Quantity | None, limit: Quantity | None, enforced: Quantity) -> tuple[int, int, int]:
    """kube's requestLimitEnforcedValues: the three at milli precision when none is too large for it, else in
    whole units (rounded up, as Go's Value does); an absent one is zero."""
    quantities = [q or Quantity(Fraction(0), DECIMAL_SI) for q in (request, limit, enforced)]
    whole = [quantity.ceil_value(q) for q in quantities]
    if all(value <= _MAX_MILLI_VALUE for value in whole):
        milli = [quantity.milli_value(q) for q in quantities]
        return milli[0], milli[1], milli[2]
    return whole[0], whole[1], whole[2]


def min_problem(kind: str, name: str, enforced: Quantity, requests: ResourceList, limits: ResourceList) -> str | None:
    request, limit = requests.get(name), limits.get(name)
    observed_request, observed_limit, wanted = _values(request, limit, enforced)
    if request is None:
        return f"minimum {name} usage per {kind} is {enforced}.  No request is specified"
    if observed_request < wanted:
        return f"minimum {name} usage per {kind} is {enforced}, but request is {request}"
    if limit is not None and observed_limit < wanted:
        return f"minimum {name} usage per {kind} is {enforced}, but limit is {limit}"
    return None


def max_problem(kind: str, name: str, enforced: Quantity, requests: ResourceList, limits: ResourceList) -> str | None:
    request, limit = requests.get(name), limits.get(name)
    observed_request, observed_limit, wanted = _values(request, limit, enforced)
    if limit is None:
        return f"maximum {name} usage per {kind} is {enforced}.  No limit is specified"
    if observed_limit > wanted:
        return f"maximum {name} usage per {kind} is {enforced}, but limit is {limit}"
    if request is not None and observed_request > wanted:
        return f"maximum {name} usage per {kind} is {enforced}, but request is {request}"
    return None


def max_request_problem(kind: str, name: str, enforced: Quantity, requests: ResourceList) -> str | None:
    """The max of a claim, which has requests only."""
    request = requests.get(name)
    observed_request, _, wanted = _values(request, None, enforced)
    if request is None:
        return f"maximum {name} usage per {kind} is {enforced}.  No request is specified"
    if observed_request > wanted:
        return f"maximum {name} usage per {kind} is {enforced}, but request is {request}"
    return None


def ratio_problem(kind: str, name: str, enforced: Quantity, requests: ResourceList,
                  limits: ResourceList) -> str | None:
    request, limit = requests.get(name), limits.get(name)
    observed_request, observed_limit, _ = _values(request, limit, enforced)
    if request is None or observed_request == 0:
        return (f"{name} max limit to request ratio per {kind} is {enforced}, but no request is specified or "
                "request is 0")
    if limit is None or observed_limit == 0:
        return (f"{name} max limit to request ratio per {kind} is {enforced}, but no limit is specified or "
                "limit is 0")
    # kube compares in floating point, at milli precision unless the ratio is too large for it
    ratio = observed_limit / observed_request
    observed, allowed = ratio, float(quantity.ceil_value(enforced))
    if quantity.ceil_value(enforced) <= _MAX_MILLI_VALUE:
        observed, allowed = ratio * 1000, float(quantity.milli_value(enforced))
    if observed > allowed:
        return f"{name} max limit to request ratio per {kind} is {enforced}, but provided ratio is {ratio:f}"
    return None


def aggregate(problems: list[str]) -> str:
    """Go's utilerrors aggregate: one message alone, several (repeats dropped) in brackets."""
    unique = list(dict.fromkeys(problems))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _items(limit_range: Obj, kind: str) -> list[Obj]:
    return [item for item in (limit_range.get("spec") or {}).get("limits") or []
            if isinstance(item, dict) and item.get("type") == kind]


def _check(kind: str, item: Obj, requests: ResourceList, limits: ResourceList) -> list[str]:
    """The min, max and ratio of one item against one container's or pod's requests and limits."""
    problems: list[str | None] = []
    for name, enforced in sorted(parse_list(item.get("min")).items()):
        problems.append(min_problem(kind, name, enforced, requests, limits))
    for name, enforced in sorted(parse_list(item.get("max")).items()):
        problems.append(max_problem(kind, name, enforced, requests, limits))
    for name, enforced in sorted(parse_list(item.get("maxLimitRequestRatio")).items()):
        problems.append(ratio_problem(kind, name, enforced, requests, limits))
    return [p for p in problems if p]


def _containers(pod: Obj) -> Iterable[tuple[str, Obj]]:
    spec = pod.get("spec") or {}
    for key, label in (("containers", "container"), ("initContainers", "init container")):
        for container in spec.get(key) or []:
            if isinstance(container, dict):
                yield label, container


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def apply_defaults(limit_range: Obj, pod: Obj) -> None:
    """kube's PodMutateLimitFunc: the Container items' default limits and default requests go to every
    container that lacks them, and the annotation says which were set."""
    default_limits: dict[str, str] = {}
    default_requests: dict[str, str] = {}
    for item in _items(limit_range, "Container"):
        default_requests.update(item.get("defaultRequest") or {})
        default_limits.update(item.get("default") or {})
    notes: list[str] = []
    for label, container in _containers(pod):
        # a container's requests note comes before its limits note, as in kube's annotation
        for part, defaults, word in (("requests", default_requests, "request"), ("limits", default_limits, "limit")):
            resources = _dict(container.get("resources"))
            values = _dict(resources.get(part))
            added = sorted(name for name in defaults if name not in values)
            if not added:
                continue
            for name in added:
                values[name] = defaults[name]
            resources[part] = values
            container["resources"] = resources
            notes.append(f"{', '.join(added)} {word} for {label} {container.get('name', '')}")
    if notes:
        meta = pod.setdefault("metadata", {})
        annotations = meta.get("annotations")
        if not isinstance(annotations, dict):
            annotations = meta["annotations"] = {}
        annotations[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)


def pod_problems(limit_range: Obj, pod: Obj) -> list[str]:
    """kube's PodValidateLimitFunc."""
    problems: list[str] = []
    for item in _items(limit_range, "Container"):
        for _, container in _containers(pod):
            resources = container.get("resources") or {}
            problems += _check("Container", item, parse_list(resources.get("requests")),
                               parse_list(resources.get("limits")))
    for item in _items(limit_range, "Pod"):
        problems += _check("Pod", item, pod_total(pod, "requests"), pod_total(pod, "limits"))
    return problems


def claim_problems(limit_range: Obj, claim: Obj) -> list[str]:
    """kube's PersistentVolumeClaimValidateLimitFunc: a claim's requests against the claim items' min and max."""
    requests = parse_list(((claim.get("spec") or {}).get("resources") or {}).get("requests"))
    problems: list[str | None] = []
    for item in _items(limit_range, "PersistentVolumeClaim"):
        for name, enforced in sorted(parse_list(item.get("min")).items()):
            problems.append(min_problem("PersistentVolumeClaim", name, enforced, requests, {}))
        for name, enforced in sorted(parse_list(item.get("max")).items()):
            problems.append(max_request_problem("PersistentVolumeClaim", name, enforced, requests))
    return [p for p in problems if p]


class LimitRanger(Plugin):
    name = "LimitRanger"
    operations = operations(Operation.CREATE, Operation.UPDATE)

    def __init__(self, store: RegistryStore) -> None:
        self.store = store

    def handles(self, attrs: Attributes) -> bool:
        if not super().handles(attrs) or attrs.subresource or attrs.obj is None:
            return False
        if attrs.is_pod():
            return attrs.operation is Operation.CREATE
        return attrs.matches("", "persistentvolumeclaims")

    async def limit_ranges(self, attrs: Attributes) -> list[Obj]:
        """The namespace's LimitRanges, unless the object is on its way out (kube leaves those alone): from the
        watch cache, or from etcd while the cache lags this replica's own LimitRange writes."""
        if ((attrs.old or {}).get("metadata") or {}).get("deletionTimestamp"):
            return []
        fresh = "0" if self.store.storage.holds_own_writes() else ""
        listed = await self.store.list(attrs.namespace, ListOptions(resource_version=fresh))
        return listed["items"]

    async def admit(self, attrs: Attributes) -> None:
        if not attrs.is_pod():
            return
        assert attrs.obj is not None
        for limit_range in await self.limit_ranges(attrs):
            apply_defaults(limit_range, attrs.obj)

    async def validate(self, attrs: Attributes) -> None:
        assert attrs.obj is not None
        judge = pod_problems if attrs.is_pod() else claim_problems
        for limit_range in await self.limit_ranges(attrs):
            problems = judge(limit_range, attrs.obj)
            if problems:
                raise forbidden(attrs, aggregate(problems))
