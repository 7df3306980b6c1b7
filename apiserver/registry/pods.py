"""The pods' action subresources: `binding` (assign a node) and `eviction` (delete, honouring
PodDisruptionBudgets)."""
from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

from apiserver.api.meta import errors
from apiserver.api.meta.labels import selector_from_label_selector_object
from apiserver.registry.actions import Action, ActionRequest, ActionResult
from apiserver.registry.deletion import DeleteOptions
from apiserver.registry.registry import Registry
from apiserver.registry.store import RegistryStore, now_rfc3339
from apiserver.storage.interface import ListOptions, Obj

SUCCESS = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}

# the DeleteOptions of an Eviction's `deleteOptions` (None when it has none)
DeleteOptionsDecoder = Callable[[Obj | None], DeleteOptions]


def _check_name(subresource: str, request: ActionRequest) -> None:
    if (request.body.get("metadata") or {}).get("name") not in (None, "", request.name):
        raise errors.bad_request(f"name in URL does not match name in {subresource} object")


class PodActions:
    def __init__(self, registry: Registry, delete_options: DeleteOptionsDecoder) -> None:
        self.registry = registry
        # an eviction reads its DeleteOptions as a DELETE does, with the endpoints' decoder this layer may not import
        self.delete_options = delete_options

    def handlers(self) -> dict[str, Action]:
        """The actions by subresource, as the server registers them."""
        return {"binding": self.bind, "eviction": self.evict}

    async def bind(self, request: ActionRequest) -> ActionResult:
        _check_name("binding", request)
        name = request.name
        node = ((request.body.get("target") or {}).get("name")) or ""
        if not node:
            raise errors.invalid("Binding", "", name, [errors.Cause("FieldValueRequired", "Required value",
                                                                    "target.name")])

        async def assign(current: Obj | None) -> Obj:
            assert current is not None
            bound = (current.get("spec") or {}).get("nodeName")
            if bound:
                raise errors.conflict("pods", "", name, f"pod {name} is already assigned to node \"{bound}\"")
            new = copy.deepcopy(current)
            new["spec"]["nodeName"] = node
            conditions = [c for c in (new.setdefault("status", {}).get("conditions") or [])
                          if c.get("type") != "PodScheduled"]
            new["status"]["conditions"] = conditions + [{"type": "PodScheduled", "status": "True",
                                                         "lastTransitionTime": now_rfc3339()}]
            return new

        await self.registry.store("", "v1", "pods").read_modify_write(request.namespace, name, assign, request.dry_run,
                                                               False)
        return ActionResult(SUCCESS)

    async def evict(self, request: ActionRequest) -> ActionResult:
        _check_name("eviction", request)
        options = self.delete_options(request.body.get("deleteOptions"))
        namespace, name = request.namespace, request.name
        pods = self.registry.store("", "v1", "pods")
        budgets = self.registry.store("policy", "v1", "poddisruptionbudgets")
        pod = await pods.get(namespace, name)
        labels = (pod.get("metadata") or {}).get("labels") or {}
        # a pod that is not running cannot be disrupted further: kube-apiserver evicts it without a budget check
        if (pod.get("status") or {}).get("phase") == "Running":
            listed = await budgets.list(namespace, ListOptions())
            matching = [b for b in listed["items"]
                        if selector_from_label_selector_object((b.get("spec") or {}).get("selector")).matches(labels)]
            if len(matching) > 1:
                raise errors.internal_error("This pod has more than one PodDisruptionBudget, which the eviction "
                                            "subresource does not support.")
            if matching:
                await _check_budget(pods, namespace, matching[0])
        if not (options.dry_run or request.dry_run):
            # the eviction deletes exactly the pod whose budget was checked
            uid = options.preconditions.uid or pod["metadata"].get("uid")
            await pods.delete(namespace, name, dataclasses.replace(
                options, preconditions=dataclasses.replace(options.preconditions, uid=uid)))
        return ActionResult(SUCCESS)


def _healthy(pod: Obj) -> bool:
    status = pod.get("status") or {}
    return status.get("phase") == "Running" and any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])


def _count(value: Any, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        share = int(value[:-1]) * total / 100
        return int(-(-share // 1)) if round_up else int(share)
    return int(value or 0)


async def _check_budget(pods: RegistryStore, namespace: str, budget: Obj) -> None:
    spec = budget.get("spec") or {}
    selector = selector_from_label_selector_object(spec.get("selector"))
    covered = [p for p in (await pods.list(namespace, ListOptions()))["items"]
               if selector.matches((p.get("metadata") or {}).get("labels") or {})]
    healthy = sum(1 for p in covered if _healthy(p))
    if spec.get("maxUnavailable") is not None:
        allowed = _count(spec["maxUnavailable"], len(covered), True) - (len(covered) - healthy)
    else:
        allowed = healthy - _count(spec.get("minAvailable", 0), len(covered), True)
    if allowed <= 0:
        raise errors.StatusError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's "
                                 "disruption budget.", causes=[errors.Cause(
                                     "DisruptionBudget", f"The disruption budget {budget['metadata']['name']} "
                                     f"needs {healthy - allowed} healthy pods and has {healthy} currently")])
