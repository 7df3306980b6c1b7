"""PodNodeSelector: a new pod's nodeSelector takes in its namespace's node selector (the namespace annotation
`scheduler.alpha.kubernetes.io/node-selector`, else the configuration's `clusterDefaultNodeSelector`), and may
only ask for the labels its namespace's whitelist in the configuration allows. Only creates are judged, as in
kube: a pod's nodeSelector cannot change afterwards."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations
from apiserver.api.meta import errors
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.labels import label_value_errors, qualified_name_errors
from apiserver.api.meta.types import Obj

NODE_SELECTOR_ANNOTATION = "scheduler.alpha.kubernetes.io/node-selector"
CLUSTER_DEFAULT = "clusterDefaultNodeSelector"
CONFIG_KEY = "podNodeSelectorPluginConfig"

CONFLICT = "pod node label selector conflicts with its namespace node label selector"
NOT_WHITELISTED = "pod node label selector labels conflict with its namespace whitelist"


class SelectorMapError(ValueError):
    """A selector string that is no `k=v,k=v` list of valid labels; kube returns it as a plain error."""


def parse_selector_map(text: str) -> dict[str, str]:
    """kube's labels.ConvertSelectorToLabelsMap: comma-separated `key=value` pairs, spaces around each part
    dropped, keys and values checked as labels; the empty string is the empty map."""
    out: dict[str, str] = {}
    if not text:
        return out
    for pair in text.split(","):
        parts = pair.split("=")
        if len(parts) != 2:
            # Go prints the split parts as a %s slice
            raise SelectorMapError(f"invalid selector: [{' '.join(parts)}]")
        key, value = parts[0].strip(), parts[1].strip()
        key_errors = qualified_name_errors(key)
        if key_errors:
            # kube checks with no field path, which prints as <nil>
            raise SelectorMapError(f"<nil>: Invalid value: {quote(key)}: {'; '.join(key_errors)}")
        value_errors = label_value_errors(value)
        if value_errors:
            raise SelectorMapError(f"[{key}]: Invalid value: {quote(value)}: {'; '.join(value_errors)}")
        out[key] = value
    return out


def conflicts(a: dict[str, str], b: dict[str, str]) -> bool:
    """Whether a key both maps hold has different values in each."""
    return any(key in b and b[key] != value for key, value in a.items())


def merge(namespace: dict[str, str], pod: dict[str, str]) -> dict[str, str]:
    """The namespace's labels and the pod's (the pod's win), in key order as Go writes a map."""
    merged = {**namespace, **pod}
    return {key: merged[key] for key in sorted(merged)}


def allowed(selector: dict[str, str], whitelist: dict[str, str]) -> bool:
    """Every label of `selector` is in the whitelist with the same value; an empty whitelist allows all."""
    return not whitelist or all(whitelist.get(key) == value for key, value in selector.items())


@dataclass(frozen=True)
class NodeSelectorConfig:
    """The plugin's configuration: the selector of namespaces without the annotation, and the whitelist of each
    namespace named (selector strings, parsed when used, as kube does)."""
    cluster_default: str = ""
    whitelists: dict[str, str] = field(default_factory=dict)


def parse_config(config: dict[str, Any] | None) -> NodeSelectorConfig:
    """The `podNodeSelectorPluginConfig` map of the configuration; kube decodes it as JSON, whose field names
    match whatever their case, and takes what is no string map as no configuration."""
    section: Any = None
    for key, value in (config or {}).items():
        if isinstance(key, str) and key.lower() == CONFIG_KEY.lower():
            section = value
    if not isinstance(section, dict) or not all(isinstance(v, str) for v in section.values()):
        return NodeSelectorConfig()
    whitelists = {str(k): v for k, v in section.items() if k != CLUSTER_DEFAULT}
    return NodeSelectorConfig(section.get(CLUSTER_DEFAULT, ""), whitelists)


def _plain(error: SelectorMapError) -> errors.StatusError:
    """A plain Go error reaches the client as a 500 without a reason."""
    return errors.StatusError(500, "", str(error))


def _forbidden(attrs: Attributes, why: str) -> errors.StatusError:
    """kube's errors.NewForbidden on pods, named by the pod's name, which a generateName create lacks yet."""
    name = str(((attrs.obj or {}).get("metadata") or {}).get("name") or "")
    if name:
        return errors.forbidden_on("pods", "", name, why)
    return errors.StatusError(403, "Forbidden", f"pods is forbidden: {why}", kind="pods")


def _node_selector(spec: Obj) -> dict[str, str]:
    selector = spec.get("nodeSelector")
    return {str(k): str(v) for k, v in selector.items()} if isinstance(selector, dict) else {}


class PodNodeSelector(Plugin):
    name = "PodNodeSelector"
    operations = operations(Operation.CREATE)
    resources = frozenset({("", "pods", "")})

    def __init__(self, find_namespace: Callable[[str], Awaitable[Obj | None]], config: NodeSelectorConfig) -> None:
        self.find_namespace = find_namespace
        self.config = config

    async def _namespace_selector(self, namespace: str) -> dict[str, str]:
        """The namespace's annotation, or the cluster default when it has none."""
        found = await self.find_namespace(namespace)
        if found is None:
            # kube asks the server after its cache and reports the miss as an internal error
            raise errors.internal_error(f"namespace {namespace} does not exist")
        annotations = (found.get("metadata") or {}).get("annotations") or {}
        text = annotations.get(NODE_SELECTOR_ANNOTATION)
        try:
            return parse_selector_map(text if text is not None else self.config.cluster_default)
        except SelectorMapError as exc:
            raise _plain(exc) from None

    async def admit(self, attrs: Attributes) -> None:
        spec = (attrs.obj or {}).get("spec")
        if not isinstance(spec, dict):
            return
        namespace = await self._namespace_selector(attrs.namespace)
        own = _node_selector(spec)
        if conflicts(namespace, own):
            raise _forbidden(attrs, CONFLICT)
        merged = merge(namespace, own)
        if merged:
            spec["nodeSelector"] = merged
        # kube checks the merged selector at once, before later plugins run
        await self.validate(attrs)

    async def validate(self, attrs: Attributes) -> None:
        spec = (attrs.obj or {}).get("spec")
        if not isinstance(spec, dict):
            return
        own = _node_selector(spec)
        if conflicts(await self._namespace_selector(attrs.namespace), own):
            raise _forbidden(attrs, CONFLICT)
        try:
            whitelist = parse_selector_map(self.config.whitelists.get(attrs.namespace, ""))
        except SelectorMapError as exc:
            raise _plain(exc) from None
        if not allowed(own, whitelist):
            raise _forbidden(attrs, NOT_WHITELISTED)
