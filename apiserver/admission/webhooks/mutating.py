"""MutatingAdmissionWebhook: the matching mutating webhooks, one after another in configuration-name order, each
sent the object as the previous ones left it; a JSONPatch answer changes the object. A webhook with
reinvocationPolicy IfNeeded is called once more when a webhook after it changed the object (kube reinvokes the
in-tree mutating plugins too; here they ran before the webhooks and are not run again: docs/kinds.md)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import jsonpatch
import orjson

from apiserver.admission.attributes import Attributes
from apiserver.admission.webhooks.client import CallError
from apiserver.admission.webhooks.config import Webhook
from apiserver.admission.webhooks.dispatcher import (
    MUTATING,
    Rejected,
    WebhookPlugin,
    internal,
    mutation_annotation,
    to_version,
)
from apiserver.admission.webhooks.matching import Invocation
from apiserver.api.conversion.hub import converter
from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.api.schema import openapi, typecheck

MUTATION_PREFIX = "mutation.webhook.admission.k8s.io"
_GO_JSON_TYPES = {dict: "object", str: "string", bool: "bool", int: "number", float: "number"}


@dataclass
class Reinvocation:
    """kube's webhookReinvokeContext: IfNeeded webhooks called since the last change, and those to call again."""
    invoked: set[str] = field(default_factory=set)
    again: set[str] = field(default_factory=set)
    changed: bool = False

    def object_changed(self) -> None:
        self.again |= self.invoked
        self.invoked = set()
        self.changed = True


def _decode_patch(hook: str, patch: bytes) -> list[Obj]:
    try:
        operations = orjson.loads(patch)
    except orjson.JSONDecodeError as exc:
        raise CallError(hook, f"received undecodable patch in webhook response: {exc}") from None
    odd = operations if not isinstance(operations, list) else next(
        (op for op in operations if not isinstance(op, dict)), None)
    if odd is not None:
        into = "jsonpatch.Patch" if odd is operations else "jsonpatch.Operation"
        raise CallError(hook, f"received undecodable patch in webhook response: json: cannot unmarshal "
                              f"{_GO_JSON_TYPES.get(type(odd), 'array')} into Go value of type {into}")
    return operations


class MutatingWebhooks(WebhookPlugin):
    name = "MutatingAdmissionWebhook"
    plural = "mutatingwebhookconfigurations"
    step = MUTATING

    async def admit(self, attrs: Attributes) -> None:
        hooks = await self.dispatcher.webhooks(attrs)
        state = Reinvocation()
        await self._round(hooks, attrs, state, 0)
        if state.changed and state.again:
            await self._round(hooks, attrs, state, 1)

    async def _round(self, hooks: list[Webhook], attrs: Attributes, state: Reinvocation, round_: int) -> None:
        for index, hook in enumerate(hooks):
            invocation = await self.dispatcher.matcher.invocation(hook, attrs)
            # a webhook skipped in the first round is not called for the first time in the second
            if invocation is None or (round_ == 1 and hook.uid not in state.again):
                continue
            started = time.perf_counter()
            changed = False
            try:
                changed = await self._call(invocation, attrs)
            except (CallError, Rejected, errors.StatusError) as exc:
                self.dispatcher.observe(hook, attrs, started, exc)
                attrs.annotate(MUTATION_PREFIX, f"round_{round_}_index_{index}",
                               mutation_annotation(hook.configuration, hook.name, False))
                if isinstance(exc, CallError) and hook.fails_open:
                    self.dispatcher.failed_open(hook, attrs, round_, index)
                    continue
                if isinstance(exc, CallError):
                    raise internal(exc) from None
                raise exc.status if isinstance(exc, Rejected) else exc from None
            self.dispatcher.observe(hook, attrs, started, None)
            attrs.annotate(MUTATION_PREFIX, f"round_{round_}_index_{index}",
                           mutation_annotation(hook.configuration, hook.name, changed))
            if changed:
                state.object_changed()
            if hook.reinvocation == "IfNeeded":
                state.invoked.add(hook.uid)

    async def _call(self, invocation: Invocation, attrs: Attributes) -> bool:
        """Calls the webhook and applies its patch to attrs.obj; whether the object changed."""
        hook = invocation.webhook
        to_webhook = to_version(attrs, invocation.row)
        obj = to_webhook(attrs.obj)
        answer = await self.dispatcher.ask(invocation, attrs, obj, to_webhook(attrs.old))
        if not answer.patch:
            return False
        operations = _decode_patch(hook.name, answer.patch)
        if not operations:
            return False
        if obj is None:
            raise internal(f'admission webhook "{hook.name}" attempted to modify the object, which is not supported '
                           "for this operation")
        if answer.patch_type != "JSONPatch":
            raise CallError(hook.name, f'unsupported patch type "{answer.patch_type}"')
        try:
            patched = jsonpatch.JsonPatch(operations).apply(obj)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError, KeyError) as exc:
            raise internal(exc) from None
        if not isinstance(patched, dict):
            raise internal(f"json: cannot unmarshal {_GO_JSON_TYPES.get(type(patched), 'array')} into Go value of "
                           f"type {invocation.kind[2]}")
        if patched == obj:
            return False
        row = invocation.row
        if row is not None:
            schema = openapi.schema_for(row)
            if schema is not None:
                try:
                    typecheck.check(patched, *schema, row.kind)
                except typecheck.DecodeError as exc:
                    raise internal(exc) from None
            # kube defaults what a patch left; only the storage version's defaults are plain defaulting here (other
            # rows' hooks also mark the request as one of their version)
            if row is attrs.row:
                row.strategy.default(patched)
            stored = converter(row, attrs.row)(patched)
        else:
            stored = patched
        assert attrs.obj is not None
        # the object keeps the type fields it had (the store writes its own)
        for key in ("apiVersion", "kind"):
            if key in attrs.obj:
                stored[key] = attrs.obj[key]
            else:
                stored.pop(key, None)
        attrs.obj.clear()
        attrs.obj.update(stored)
        return True
