"""Which webhooks a request goes to (kube's generic webhook ShouldCallHook): the namespace and object selectors,
then the rules against the resource the client addressed, then, under matchPolicy Equivalent, against the other
served versions of the same stored resource (the webhook then gets the object in the version its rule names)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.webhooks.config import Rule, Selector, Webhook
from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.registry.catalogue import SUBRESOURCES, Catalogue, ResourceInfo

GVR = tuple[str, str, str]
GVK = tuple[str, str, str]
NAMESPACES: GVR = ("", "v1", "namespaces")


@dataclass(frozen=True)
class Invocation:
    """One call of a webhook: the resource and kind it is told the request is for, and the catalogue row whose
    version the objects are sent in (None: sent as they are, e.g. a Scale or a CONNECT's options)."""
    webhook: Webhook
    resource: GVR
    subresource: str
    kind: GVK
    row: ResourceInfo | None


def _exact_or_any(values: tuple[str, ...], value: str) -> bool:
    return "*" in values or value in values


def _resource_matches(patterns: tuple[str, ...], resource: str, subresource: str) -> bool:
    for pattern in patterns:
        res, _, sub = pattern.partition("/")
        if res in ("*", resource) and sub in ("*", subresource):
            return True
    return False


def rule_matches(rule: Rule, operation: str, resource: GVR, subresource: str, namespace: str) -> bool:
    """kube's rules.Matcher: scope, operation, group, version and resource (with `*`, `*/*`, `x/*`, `*/sub`)."""
    if rule.scope == "Namespaced" and (resource == NAMESPACES or not namespace):
        return False
    if rule.scope == "Cluster" and not (resource == NAMESPACES or not namespace):
        return False
    group, version, plural = resource
    return (_exact_or_any(rule.operations, operation) and _exact_or_any(rule.groups, group)
            and _exact_or_any(rule.versions, version) and _resource_matches(rule.resources, plural, subresource))


def _labels(obj: Obj | None) -> dict[str, str] | None:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(meta, dict):
        return None
    labels = meta.get("labels")
    return labels if isinstance(labels, dict) else {}


def _parsed(selector: Selector) -> tuple[bool, errors.StatusError | None]:
    """(whether the selector matches everything, the error of one that does not parse)."""
    if selector.selector is None:
        return False, errors.internal_error(selector.error)
    return selector.selector.empty(), None


class Matcher:
    def __init__(self, catalogue: Catalogue, find_namespace: Callable[[str], Awaitable[Obj | None]]) -> None:
        self.catalogue = catalogue
        self.find_namespace = find_namespace

    def request_resource(self, attrs: Attributes) -> GVR:
        return (attrs.request_group, attrs.request_version, attrs.resource)

    def request_row(self, attrs: Attributes) -> ResourceInfo:
        return self.catalogue.lookup(*self.request_resource(attrs)) or attrs.row

    def _kind_for(self, row: ResourceInfo, attrs: Attributes) -> GVK:
        own = (SUBRESOURCES.get(attrs.subresource) or ((), None))[1]
        if attrs.kind is not None and row is self.request_row(attrs):
            return attrs.kind
        if own is not None:
            return (own["group"], own["version"], own["kind"])
        return (row.group, row.version, row.kind)

    def _converts(self, attrs: Attributes) -> bool:
        return attrs.kind is None and attrs.operation != Operation.CONNECT

    async def _namespace_matches(self, hook: Webhook, attrs: Attributes) -> tuple[bool, errors.StatusError | None]:
        resource = self.request_resource(attrs)
        is_namespace = attrs.row.group == "" and attrs.resource == "namespaces"
        if not attrs.namespace and not is_namespace:
            # cluster-scoped requests are never exempted by a namespace selector
            return True, None
        everything, error = _parsed(hook.namespace_selector)
        if error or everything:
            return everything, error
        assert hook.namespace_selector.selector is not None
        if is_namespace and not attrs.subresource and attrs.operation in (Operation.CREATE, Operation.UPDATE):
            # the namespace being written: its labels as sent, not the stored ones
            labels = _labels(attrs.obj) or {}
        else:
            name = attrs.namespace or (attrs.name if resource[2] == "namespaces" else "")
            namespace = await self.find_namespace(name)
            if namespace is None:
                return False, errors.not_found("namespaces", "", name)
            labels = _labels(namespace) or {}
        return hook.namespace_selector.selector.matches(labels), None

    def _object_matches(self, hook: Webhook, attrs: Attributes) -> tuple[bool, errors.StatusError | None]:
        everything, error = _parsed(hook.object_selector)
        if error or everything:
            return everything, error
        selector = hook.object_selector.selector
        assert selector is not None
        return any(selector.matches(labels) for labels in (_labels(attrs.obj), _labels(attrs.old))
                   if labels is not None), None

    def _by_rules(self, hook: Webhook, attrs: Attributes) -> Invocation | None:
        op, sub, namespace = attrs.operation.value, attrs.subresource, attrs.namespace
        resource = self.request_resource(attrs)
        row = self.request_row(attrs)
        target = row if self._converts(attrs) else None
        if any(rule_matches(rule, op, resource, sub, namespace) for rule in hook.rules):
            return Invocation(hook, resource, sub, self._kind_for(row, attrs), target)
        if hook.match_policy != "Equivalent":
            return None
        equivalents = [r for r in self.catalogue.rows if not r.virtual and r.stored_in == attrs.row.stored_in
                       and (r.group, r.version, r.plural) != resource]
        for rule in hook.rules:
            for other in equivalents:
                gvr = (other.group, other.version, other.plural)
                if rule_matches(rule, op, gvr, sub, namespace):
                    return Invocation(hook, gvr, sub, self._kind_for(other, attrs),
                                      other if self._converts(attrs) else None)
        return None

    async def invocation(self, hook: Webhook, attrs: Attributes) -> Invocation | None:
        """The call to make, None when the webhook is not for this request; a selector that cannot be evaluated
        fails the request only when the rules match it too, as kube's order has it."""
        ns_match, ns_error = await self._namespace_matches(hook, attrs)
        if not ns_match and ns_error is None:
            return None
        obj_match, obj_error = self._object_matches(hook, attrs)
        if not obj_match and obj_error is None:
            return None
        invocation = self._by_rules(hook, attrs)
        if invocation is None:
            return None
        if ns_error or obj_error:
            raise ns_error or obj_error  # type: ignore[misc]
        return invocation
