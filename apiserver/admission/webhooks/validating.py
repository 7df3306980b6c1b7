"""ValidatingAdmissionWebhook: every matching validating webhook at once; the request fails with the first refusal
(or the first failure of a webhook that fails closed), as kube's dispatcher returns the first error."""
from __future__ import annotations

import asyncio
import time

from apiserver.admission.attributes import Attributes
from apiserver.admission.webhooks.client import CallError
from apiserver.admission.webhooks.dispatcher import VALIDATING, Rejected, WebhookPlugin, internal, to_version
from apiserver.admission.webhooks.matching import Invocation
from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.registry.catalogue import ResourceInfo


class ValidatingWebhooks(WebhookPlugin):
    name = "ValidatingAdmissionWebhook"
    plural = "validatingwebhookconfigurations"
    step = VALIDATING

    async def validate(self, attrs: Attributes) -> None:
        calls: list[tuple[int, Invocation]] = []
        for index, hook in enumerate(await self.dispatcher.webhooks(attrs)):
            invocation = await self.dispatcher.matcher.invocation(hook, attrs)
            if invocation is not None:
                calls.append((index, invocation))
        if not calls:
            return
        # each version the webhooks want, converted once
        versions: dict[ResourceInfo | None, tuple[Obj | None, Obj | None]] = {}
        for _, invocation in calls:
            if invocation.row not in versions:
                convert = to_version(attrs, invocation.row)
                versions[invocation.row] = (convert(attrs.obj), convert(attrs.old))
        outcomes = await asyncio.gather(*(self._call(index, invocation, attrs, *versions[invocation.row])
                                          for index, invocation in calls))
        failure = next((outcome for outcome in outcomes if outcome is not None), None)
        if failure is not None:
            raise failure

    async def _call(self, index: int, invocation: Invocation, attrs: Attributes, obj: Obj | None,
                    old: Obj | None) -> errors.StatusError | None:
        hook = invocation.webhook
        started = time.perf_counter()
        try:
            await self.dispatcher.ask(invocation, attrs, obj, old)
        except (CallError, Rejected, errors.StatusError) as exc:
            self.dispatcher.observe(hook, attrs, started, exc)
            if isinstance(exc, CallError):
                if hook.fails_open:
                    self.dispatcher.failed_open(hook, attrs, 0, index)
                    return None
                return internal(exc)
            return exc.status if isinstance(exc, Rejected) else exc
        self.dispatcher.observe(hook, attrs, started, None)
        return None
