"""The admission chain: the enabled plugins in kube's order. A request's write runs every mutating plugin in
order (the store then prepares and validates the object again), then every validating plugin. A plugin
that fails without a Status fails the request with a 500 that names it."""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin
from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.metrics.registry import Metrics
from apiserver.registry.catalogue import ResourceInfo
from apiserver.request.user import UserInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestScope:
    """What the REST handler knows of a write before it reaches the store."""
    row: ResourceInfo
    request_group: str
    request_version: str
    subresource: str
    namespace: str
    name: str
    user: UserInfo
    options: Obj | None
    dry_run: bool
    kind: tuple[str, str, str] | None = None


class Chain:
    def __init__(self, plugins: Sequence[Plugin], metrics: Metrics | None = None) -> None:
        self.plugins = list(plugins)
        self.mutating = [p for p in self.plugins if p.mutating]
        self.validating = [p for p in self.plugins if p.validating]
        self.metrics = metrics

    async def start(self) -> None:
        for plugin in self.plugins:
            await plugin.start()

    async def stop(self) -> None:
        for plugin in reversed(self.plugins):
            await plugin.stop()

    def bind(self, scope: RequestScope) -> BoundAdmission:
        return BoundAdmission(self, scope)

    async def run(self, phase: str, attrs: Attributes) -> None:
        plugins = self.mutating if phase == "admit" else self.validating
        started = time.perf_counter()
        rejected = False
        try:
            for plugin in plugins:
                if not plugin.handles(attrs):
                    continue
                await self._run_one(plugin, phase, attrs)
        except errors.StatusError:
            rejected = True
            raise
        finally:
            if self.metrics:
                self.metrics.admission_step.labels(attrs.operation.value, str(rejected).lower(), phase).observe(
                    time.perf_counter() - started)

    async def _run_one(self, plugin: Plugin, phase: str, attrs: Attributes) -> None:
        started = time.perf_counter()
        rejected = False
        try:
            await (plugin.admit(attrs) if phase == "admit" else plugin.validate(attrs))
        except errors.StatusError:
            rejected = True
            raise
        except Exception as exc:
            rejected = True
            log.exception("admission plugin %s failed", plugin.name)
            raise errors.StatusError(500, "InternalError", f'admission plugin "{plugin.name}" failed: {exc}') from exc
        finally:
            if self.metrics:
                self.metrics.admission_controller.labels(plugin.name, attrs.operation.value, str(rejected).lower(),
                                                         phase).observe(time.perf_counter() - started)


class BoundAdmission:
    """One request's chain, as the store calls it (registry/admit.py's Admit)."""

    def __init__(self, chain: Chain, scope: RequestScope) -> None:
        self.chain = chain
        self.scope = scope
        # what plugins add for the audit event, shared by every call of this request
        self.annotations: dict[str, str] = {}

    def attributes(self, new: Obj | None, old: Obj | None) -> Attributes:
        """CONNECT requests (exec, attach, port-forward, proxy) come with the subresources that need kubelets."""
        s = self.scope
        operation = Operation.DELETE if new is None else Operation.CREATE if old is None else Operation.UPDATE
        obj = new if new is not None else old
        name = ((obj or {}).get("metadata") or {}).get("name") or s.name
        return Attributes(operation, s.row, s.request_group, s.request_version, s.row.plural, s.subresource,
                          s.namespace, name, new, old, s.user, s.options, s.dry_run, s.kind, self.annotations)

    async def mutate(self, new: Obj | None, old: Obj | None) -> None:
        await self.chain.run("admit", self.attributes(new, old))

    async def validate(self, new: Obj | None, old: Obj | None) -> None:
        await self.chain.run("validate", self.attributes(new, old))
