"""admissionregistration.k8s.io/v1's defaults for the webhooks of a Mutating/ValidatingWebhookConfiguration. v1
defaults neither sideEffects nor admissionReviewVersions: validation requires them."""
from __future__ import annotations

from apiserver.api.meta.types import Obj


def _webhook(hook: Obj, mutating: bool) -> None:
    for field, value in (("failurePolicy", "Fail"), ("matchPolicy", "Equivalent"), ("timeoutSeconds", 10)):
        if hook.get(field) is None:
            hook[field] = value
    for field in ("namespaceSelector", "objectSelector"):
        if hook.get(field) is None:
            hook[field] = {}
    if mutating and hook.get("reinvocationPolicy") is None:
        hook["reinvocationPolicy"] = "Never"
    for rule in hook.get("rules") or []:
        if isinstance(rule, dict) and rule.get("scope") is None:
            rule["scope"] = "*"
    service = (hook.get("clientConfig") or {}).get("service") if isinstance(hook.get("clientConfig"), dict) else None
    if isinstance(service, dict) and service.get("port") is None:
        service["port"] = 443


def mutating_webhook_configuration(obj: Obj) -> None:
    for hook in obj.get("webhooks") or []:
        if isinstance(hook, dict):
            _webhook(hook, mutating=True)


def validating_webhook_configuration(obj: Obj) -> None:
    for hook in obj.get("webhooks") or []:
        if isinstance(hook, dict):
            _webhook(hook, mutating=False)
