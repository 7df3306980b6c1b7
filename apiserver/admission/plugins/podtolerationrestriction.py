"""PodTolerationRestriction: a new pod gets its namespace's default tolerations (the namespace annotation
`scheduler.alpha.kubernetes.io/defaultTolerations`, else the configuration's `default`), every pod that is not
BestEffort tolerates node memory pressure, and a pod's tolerations must be covered by its namespace's whitelist
(the annotation `scheduler.alpha.kubernetes.io/tolerationsWhitelist`, else the configuration's `whitelist`)."""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations
from apiserver.admission.plugins import tolerations
from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.api.validation.cluster import tolerations as validate_tolerations
from apiserver.controllers.quotausage import is_best_effort
from apiserver.options.errors import ConfigError

DEFAULT_ANNOTATION = "scheduler.alpha.kubernetes.io/defaultTolerations"
WHITELIST_ANNOTATION = "scheduler.alpha.kubernetes.io/tolerationsWhitelist"
CONFIG_API_VERSION = "podtolerationrestriction.admission.k8s.io/v1alpha1"
MEMORY_PRESSURE = {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"}

# a Toleration's JSON fields and the Go type kube decodes each into
_FIELDS = {"key": "string", "operator": "v1.TolerationOperator", "value": "string", "effect": "v1.TaintEffect",
           "tolerationSeconds": "int64"}


class TolerationsError(ValueError):
    """An annotation that is no JSON list of tolerations, in the words of Go's JSON decoder."""


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _syntax_error(text: str, exc: json.JSONDecodeError) -> TolerationsError:
    if exc.pos >= len(text.rstrip()):
        return TolerationsError("unexpected end of JSON input")
    return TolerationsError(f"invalid character {text[exc.pos]!r} looking for beginning of value")


def _toleration(item: Any) -> Obj:
    """One entry as Go's decoder leaves it: known fields of the right type (names match whatever their case),
    empty ones dropped as the v1 type's JSON omits them."""
    if item is None:
        return {}
    if not isinstance(item, dict):
        raise TolerationsError(f"json: cannot unmarshal {_json_type(item)} into Go value of type v1.Toleration")
    out: Obj = {}
    for name, go_type in _FIELDS.items():
        value = next((v for k, v in item.items() if isinstance(k, str) and k.lower() == name.lower()), None)
        if value is None:
            continue
        wanted = int if go_type == "int64" else str
        if not isinstance(value, wanted) or isinstance(value, bool):
            shown = _json_type(value) + (f" {value}" if isinstance(value, float) and go_type == "int64" else "")
            raise TolerationsError(f"json: cannot unmarshal {shown} into Go struct field Toleration.{name} of type "
                                   f"{go_type}")
        if value != "":
            out[name] = value
    return out


def decode(text: str | None) -> list[Obj] | None:
    """An annotation's tolerations: None when it is absent (or JSON null), so the configuration's apply; the
    empty list when it is empty."""
    if text is None:
        return None
    if not text:
        return []
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _syntax_error(text, exc) from None
    if items is None:
        return None
    if not isinstance(items, list):
        raise TolerationsError(f"json: cannot unmarshal {_json_type(items)} into Go value of type []v1.Toleration")
    return [_toleration(item) for item in items]


@dataclass(frozen=True)
class TolerationConfig:
    """The cluster's default tolerations and whitelist, for namespaces without the annotations."""
    default: list[Obj] = field(default_factory=list)
    whitelist: list[Obj] = field(default_factory=list)


def parse_config(config: dict[str, Any] | None) -> TolerationConfig:
    """The plugin's Configuration, held to kube's validation; a ConfigError in kube's words otherwise (the replica
    does not start, as kube-apiserver does not)."""
    if not config:
        return TolerationConfig()
    prefix = 'couldn\'t init admission plugin "PodTolerationRestriction"'
    if (config.get("apiVersion"), config.get("kind")) != (CONFIG_API_VERSION, "Configuration"):
        raise ConfigError(f"{prefix}: expected a {CONFIG_API_VERSION} Configuration, got apiVersion "
                          f"{config.get('apiVersion')!r} kind {config.get('kind')!r}")
    lists: dict[str, list[Obj]] = {}
    for name in ("default", "whitelist"):
        raw = config.get(name)
        try:
            lists[name] = decode(json.dumps(raw)) or []
        except TolerationsError as exc:
            raise ConfigError(f"{prefix}: {exc}") from None
    causes = (validate_tolerations(lists["default"], "podtolerationrestriction.default")
              + validate_tolerations(lists["whitelist"], "podtolerationrestriction.whitelist"))
    if causes:
        raise ConfigError(f"{prefix}: invalid config: [{' '.join(f'{c.field}: {c.message}' for c in causes)}]")
    return TolerationConfig(lists["default"], lists["whitelist"])


def _plain(message: str) -> errors.StatusError:
    """A plain Go error reaches the client as a 500 without a reason."""
    return errors.StatusError(500, "", message)


def best_effort(pod: Obj) -> bool:
    """kube's GetPodQOS: the class the pod's status states, else the one its resources make."""
    stated = (pod.get("status") or {}).get("qosClass") if isinstance(pod.get("status"), dict) else None
    return stated == "BestEffort" if stated else is_best_effort(pod)


def _pod_tolerations(spec: Obj) -> list[Obj]:
    return [t for t in spec.get("tolerations") or [] if isinstance(t, dict)]


class PodTolerationRestriction(Plugin):
    name = "PodTolerationRestriction"
    operations = operations(Operation.CREATE, Operation.UPDATE)
    resources = frozenset({("", "pods", "")})

    def __init__(self, find_namespace: Callable[[str], Awaitable[Obj | None]], config: TolerationConfig) -> None:
        self.find_namespace = find_namespace
        self.config = config

    async def _annotation(self, namespace: str, key: str) -> list[Obj] | None:
        found = await self.find_namespace(namespace)
        if found is None:
            raise errors.not_found("namespaces", "", namespace)
        annotations = (found.get("metadata") or {}).get("annotations") or {}
        try:
            return decode(annotations.get(key))
        except TolerationsError as exc:
            raise _plain(str(exc)) from None

    async def admit(self, attrs: Attributes) -> None:
        pod = attrs.obj or {}
        spec = pod.get("spec")
        if not isinstance(spec, dict):
            return
        extra: list[Obj] = []
        if attrs.operation == Operation.CREATE:
            defaults = await self._annotation(attrs.namespace, DEFAULT_ANNOTATION)
            extra = list(self.config.default if defaults is None else defaults)
        if not best_effort(pod):
            extra.append(dict(MEMORY_PRESSURE))
        if extra:
            # the pod's own come first: of two that cover each other, the pod's stays
            spec["tolerations"] = tolerations.merge(_pod_tolerations(spec), extra)
        # kube checks the merged tolerations at once, before later plugins run
        await self.validate(attrs)

    async def validate(self, attrs: Attributes) -> None:
        spec = (attrs.obj or {}).get("spec")
        if not isinstance(spec, dict):
            return
        present = _pod_tolerations(spec)
        if not present:
            return
        whitelist, scope = await self._annotation(attrs.namespace, WHITELIST_ANNOTATION), "namespace"
        if whitelist is None:
            whitelist, scope = self.config.whitelist, "cluster"
        if not tolerations.whitelisted(present, whitelist):
            raise _plain("pod tolerations (possibly merged with namespace default tolerations) conflict with its "
                         f"{scope} whitelist")
