"""What the two webhook plugins share: finding the calls a request needs, one call from review to answer with
kube's errors and metrics, and the versions objects travel in."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from apiserver.admission.attributes import Attributes
from apiserver.admission.plugin import Plugin, forbidden
from apiserver.admission.webhooks.client import CallError, Client
from apiserver.admission.webhooks.config import ConfigurationSource, Webhook
from apiserver.admission.webhooks.matching import Invocation, Matcher
from apiserver.admission.webhooks.review import Answer, ReviewError, build, review_version, verify
from apiserver.api.conversion.hub import converter
from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.metrics.registry import Metrics
from apiserver.registry.catalogue import ResourceInfo
from apiserver.registry.registry import Registry
from apiserver.request.warnings import add_warning

ADMISSION_GROUP = "admissionregistration.k8s.io"
# kube never sends writes of its admission configuration to webhooks: a broken webhook could not be removed
EXEMPT = frozenset({"mutatingwebhookconfigurations", "validatingwebhookconfigurations",
                    "validatingadmissionpolicies", "validatingadmissionpolicybindings",
                    "mutatingadmissionpolicies", "mutatingadmissionpolicybindings"})
CALLING_ERROR, NO_ERROR, INTERNAL_ERROR = "calling_webhook_error", "no_error", "apiserver_internal_error"


def rejection(webhook: str, result: Obj | None) -> errors.StatusError:
    """kube's ToStatusErr: the webhook's Status, at least 400, its message prefixed with who denied."""
    result = result if isinstance(result, dict) else {}
    denied = f'admission webhook "{webhook}" denied the request'
    code: int = result["code"] if isinstance(result.get("code"), int) else 0
    if result.get("message"):
        message = f"{denied}: {result['message']}"
    elif result.get("reason"):
        message = f"{denied}: {result['reason']}"
    else:
        message = f"{denied} without explanation"
    details: Obj = result["details"] if isinstance(result.get("details"), dict) else {}
    causes = [errors.Cause(str(c.get("reason") or ""), str(c.get("message") or ""), str(c.get("field") or ""))
              for c in details.get("causes") or [] if isinstance(c, dict)]
    return errors.StatusError(max(code, 400), str(result.get("reason") or ""), message,
                              name=str(details.get("name") or ""), group=str(details.get("group") or ""),
                              kind=str(details.get("kind") or ""), causes=causes,
                              retry_after_seconds=int(details.get("retryAfterSeconds") or 0))


class Rejected(Exception):
    """kube's ErrWebhookRejection: the webhook answered and said no."""

    def __init__(self, status: errors.StatusError) -> None:
        super().__init__(status.message)
        self.status = status


def internal(error: Exception | str) -> errors.StatusError:
    return errors.internal_error(str(error))


def dry_run_check(hook: Webhook) -> None:
    """A dry run reaches only webhooks that declare they have no side effects on one."""
    if hook.side_effects is None:
        raise CallError(hook.name, "Webhook SideEffects is nil", 400)
    if hook.side_effects not in ("None", "NoneOnDryRun"):
        raise errors.bad_request(f'admission webhook "{hook.name}" does not support dry run')


def to_version(attrs: Attributes, row: ResourceInfo | None) -> Callable[[Obj | None], Obj | None]:
    """Storage version → the version a webhook is sent (identity for objects not of the stored kind)."""
    if row is None:
        return lambda obj: obj
    convert = converter(attrs.row, row)
    return lambda obj: None if obj is None else convert(obj)


@dataclass(frozen=True)
class StepType:
    # what kube's metrics call the phase: "admit" for mutating webhooks, "validating" for validating ones
    metric: str
    # the audit annotation prefix of a webhook that failed open
    failed_open_prefix: str
    mutating: bool


MUTATING = StepType("admit", "failed-open.mutation.webhook.admission.k8s.io", True)
VALIDATING = StepType("validating", "failed-open.validating.webhook.admission.k8s.io", False)


class Dispatcher:
    def __init__(self, registry: Registry, source: ConfigurationSource, metrics: Metrics, step: StepType) -> None:
        self.source = source
        self.matcher = Matcher(registry.catalogue, registry.find_namespace)
        self.client = Client(registry)
        self.metrics = metrics
        self.step = step

    def handles(self, attrs: Attributes) -> bool:
        if attrs.row.group == ADMISSION_GROUP and attrs.resource in EXEMPT:
            return False
        # before the first listing arrives every request waits for it (admit/validate refuse after a while)
        return bool(self.source.webhooks()) or not self.source.synced()

    async def webhooks(self, attrs: Attributes) -> list[Webhook]:
        if not await self.source.ready():
            raise forbidden(attrs, "not yet ready to handle request")
        return self.source.webhooks()

    def request_kind(self, attrs: Attributes) -> tuple[str, str, str]:
        row = self.matcher.request_row(attrs)
        return attrs.kind or (row.group, row.version, row.kind)

    async def ask(self, invocation: Invocation, attrs: Attributes, obj: Obj | None, old: Obj | None) -> Answer:
        """One call's allowing answer; CallError when the webhook could not be asked (its failure policy decides),
        Rejected when it said no, a StatusError for a dry run it may not see."""
        hook = invocation.webhook
        if attrs.dry_run:
            dry_run_check(hook)
        try:
            version = review_version(hook.review_versions)
        except ReviewError as exc:
            raise CallError(hook.name, f"could not create admission objects: {exc}", 400) from None
        uid, review = build(version, invocation, attrs, self.request_kind(attrs), obj, old)
        body = await self.client.post(hook, review)
        try:
            answer = verify(version, uid, self.step.mutating, body)
        except ReviewError as exc:
            raise CallError(hook.name, f"received invalid webhook response: {exc}") from None
        for key, value in answer.audit_annotations.items():
            attrs.annotate(hook.name, key, value)
        for text in answer.warnings:
            add_warning(text)
        if not answer.allowed:
            raise Rejected(rejection(hook.name, answer.result))
        return answer

    def observe(self, hook: Webhook, attrs: Attributes, started: float, error: Exception | None) -> None:
        """kube's webhook metrics for one call: the latency and request count, a rejection's kind, a fail-open."""
        operation, step = attrs.operation.value, self.step.metric
        rejected, code, error_type = False, 200, ""
        if isinstance(error, CallError):
            code = error.code
            if not hook.fails_open:
                rejected, error_type = True, CALLING_ERROR
        elif isinstance(error, Rejected):
            rejected, code, error_type = True, error.status.code, NO_ERROR
        elif error is not None:
            rejected, code, error_type = True, 0, INTERNAL_ERROR
        code = min(code, 600)
        self.metrics.admission_webhook.labels(name=hook.name, operation=operation, rejected=str(rejected).lower(),
                                              type=step).observe(time.perf_counter() - started)
        self.metrics.admission_webhook_requests.labels(name=hook.name, type=step, operation=operation,
                                                       code=str(code), rejected=str(rejected).lower()).inc()
        if error_type:
            rejection_code = code if error_type != INTERNAL_ERROR else 0
            self.metrics.admission_webhook_rejections.labels(
                name=hook.name, type=step, operation=operation, error_type=error_type,
                rejection_code=str(rejection_code)).inc()

    def failed_open(self, hook: Webhook, attrs: Attributes, round_: int, index: int) -> None:
        self.metrics.admission_webhook_fail_open.labels(name=hook.name, type=self.step.metric).inc()
        attrs.annotate(self.step.failed_open_prefix, f"round_{round_}_index_{index}", hook.name)

    async def close(self) -> None:
        await self.client.close()


def mutation_annotation(configuration: str, webhook: str, mutated: bool) -> str:
    return json.dumps({"configuration": configuration, "webhook": webhook, "mutated": mutated},
                      separators=(",", ":"))


class WebhookPlugin(Plugin):
    """What the mutating and the validating webhook plugins share: their configurations from the watch cache of
    `plural`, and the dispatcher that matches and calls them."""
    plural = ""
    step = MUTATING

    def __init__(self, registry: Registry, metrics: Metrics) -> None:
        self.source = ConfigurationSource(registry.store(ADMISSION_GROUP, "v1", self.plural))
        self.dispatcher = Dispatcher(registry, self.source, metrics, self.step)

    def handles(self, attrs: Attributes) -> bool:
        return self.dispatcher.handles(attrs)

    async def start(self) -> None:
        await self.source.start()

    async def stop(self) -> None:
        await self.source.stop()
        await self.dispatcher.close()
