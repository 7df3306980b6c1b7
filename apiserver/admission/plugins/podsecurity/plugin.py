"""PodSecurity: holds pods to the Pod Security Standards level their namespace's labels ask for. `enforce`
refuses a violating pod, `warn` admits it with a warning, `audit` admits it and notes the violations for the audit
log. Pod controllers' templates are warned about and audited, never refused; namespace label changes are
checked, and a tighter enforce level warns about the existing pods it would refuse."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.admission.plugins.podsecurity import baseline, restricted
from apiserver.admission.plugins.podsecurity.config import PodSecurityConfig, load
from apiserver.admission.plugins.podsecurity.evaluator import Evaluator
from apiserver.admission.plugins.podsecurity.levels import (
    LABEL_PREFIX,
    PRIVILEGED_LATEST,
    Level,
    Policy,
    compare_levels,
    field_error_text,
    policy_from_labels,
)
from apiserver.admission.plugins.podsecurity.namespaces import existing_pod_warnings, prioritized
from apiserver.admission.plugins.podsecurity.podspec import TEMPLATE_PATHS, significant_update, template
from apiserver.api.meta import errors
from apiserver.api.meta.goformat import aggregate, quote
from apiserver.api.meta.types import Obj
from apiserver.registry.registry import Registry
from apiserver.request.warnings import add_warning
from apiserver.storage.interface import ListOptions

# audit annotations are "pod-security.kubernetes.io/<key>"
ANNOTATION_PLUGIN = LABEL_PREFIX.rstrip("/")
# pod subresources that cannot change what the checks look at
IGNORED_POD_SUBRESOURCES = frozenset({"exec", "attach", "binding", "eviction", "log", "portforward", "proxy",
                                      "status"})

FindNamespace = Callable[[str], Awaitable[Obj | None]]
ListPods = Callable[[str], Awaitable[list[Obj]]]


def default_evaluator() -> Evaluator:
    return Evaluator(baseline.CHECKS + restricted.CHECKS)


def build(registry: Registry, config: dict[str, Any] | None) -> PodSecurity:
    """The plugin reading namespaces and pods through the registry's stores."""
    pods = registry.store("", "v1", "pods")

    async def list_pods(namespace: str) -> list[Obj]:
        return list((await pods.list(namespace, ListOptions()))["items"])

    return PodSecurity(load(config), registry.find_namespace, list_pods)


class PodSecurity(Plugin):
    name = "PodSecurity"
    operations = operations(Operation.CREATE, Operation.UPDATE)

    def __init__(self, config: PodSecurityConfig, find_namespace: FindNamespace, list_pods: ListPods,
                 evaluator: Evaluator | None = None) -> None:
        self.config = config
        self.find_namespace = find_namespace
        self.list_pods = list_pods
        self.evaluator = evaluator or default_evaluator()

    def handles(self, attrs: Attributes) -> bool:
        if attrs.operation not in self.operations:
            return False
        key = (attrs.group, attrs.resource)
        return key in (("", "pods"), ("", "namespaces")) or key in TEMPLATE_PATHS

    async def validate(self, attrs: Attributes) -> None:
        if attrs.matches("", "namespaces"):
            await self._namespace(attrs)
        elif attrs.group == "" and attrs.resource == "pods":
            await self._pod(attrs)
        elif not attrs.subresource:
            await self._controller(attrs)

    def _annotate(self, attrs: Attributes, key: str, value: str) -> None:
        attrs.annotate(ANNOTATION_PLUGIN, key, value)

    def _exempt(self, attrs: Attributes) -> bool:
        """Exempt namespaces and users skip every check; the audit log says why."""
        exemptions = self.config.exemptions
        if attrs.namespace and attrs.namespace in exemptions.namespaces:
            self._annotate(attrs, "exempt", "namespace")
            return True
        if attrs.user.name and attrs.user.name in exemptions.usernames:
            self._annotate(attrs, "exempt", "user")
            return True
        return False

    async def _policy(self, attrs: Attributes) -> tuple[Policy, list[errors.Cause]] | None:
        namespace = await self.find_namespace(attrs.namespace)
        if namespace is None:
            return None
        return policy_from_labels((namespace.get("metadata") or {}).get("labels"), self.config.defaults)

    async def _pod(self, attrs: Attributes) -> None:
        if attrs.subresource in IGNORED_POD_SUBRESOURCES or attrs.obj is None or self._exempt(attrs):
            return
        found = await self._policy(attrs)
        if found is None:
            raise errors.internal_error(f"failed to lookup namespace {quote(attrs.namespace)}")
        policy, label_errors = found
        if not label_errors and policy.fully_privileged():
            self._annotate(attrs, "enforce-policy", str(PRIVILEGED_LATEST))
            return
        if attrs.operation is Operation.UPDATE and attrs.old is not None and not significant_update(attrs.obj,
                                                                                                    attrs.old):
            return
        self._evaluate(attrs, policy, label_errors, attrs.obj.get("metadata") or {}, attrs.obj.get("spec") or {},
                       enforce=True)

    async def _controller(self, attrs: Attributes) -> None:
        if attrs.obj is None or self._exempt(attrs):
            return
        found = await self._policy(attrs)
        if found is None:
            # a controller is never refused: the audit log notes what could not be judged
            self._annotate(attrs, "error", f"failed to lookup namespace {quote(attrs.namespace)}")
            return
        policy, label_errors = found
        if not label_errors and policy.warn.level is Level.PRIVILEGED and policy.audit.level is Level.PRIVILEGED:
            return
        pod_template = template(attrs.group, attrs.resource, attrs.obj)
        if pod_template is not None:
            self._evaluate(attrs, policy, label_errors, *pod_template, enforce=False)

    def _evaluate(self, attrs: Attributes, policy: Policy, label_errors: list[errors.Cause], meta: Obj, spec: Obj,
                  *, enforce: bool) -> None:
        """kube's EvaluatePod: enforce (pods only) refuses, audit annotates, warn warns unless refused; a mode at
        the same level and version as an earlier one reuses its verdict."""
        runtime_class = spec.get("runtimeClassName")
        if runtime_class and runtime_class in self.config.exemptions.runtime_classes:
            self._annotate(attrs, "exempt", "runtimeClass")
            return
        if label_errors:
            self._annotate(attrs, "error", "Failed to parse policy: " +
                           aggregate(field_error_text(c) for c in label_errors))
        verdicts = {}
        refusal = None
        if enforce:
            self._annotate(attrs, "enforce-policy", str(policy.enforce))
            verdicts[policy.enforce] = verdict = self.evaluator.evaluate(policy.enforce, meta, spec)
            if not verdict.allowed:
                refusal = forbidden(attrs, f"violates PodSecurity {quote(str(policy.enforce))}: {verdict.detail()}")
        if policy.audit not in verdicts:
            verdicts[policy.audit] = self.evaluator.evaluate(policy.audit, meta, spec)
        audit = verdicts[policy.audit]
        if not audit.allowed:
            self._annotate(attrs, "audit-violations",
                           f"would violate PodSecurity {quote(str(policy.audit))}: {audit.detail()}")
        if refusal is not None:
            raise refusal
        warn = verdicts.get(policy.warn) or self.evaluator.evaluate(policy.warn, meta, spec)
        if not warn.allowed:
            add_warning(f"would violate PodSecurity {quote(str(policy.warn))}: {warn.detail()}")

    async def _namespace(self, attrs: Attributes) -> None:
        if attrs.subresource or attrs.obj is None:
            return
        name = (attrs.obj.get("metadata") or {}).get("name", "")
        labels = (attrs.obj.get("metadata") or {}).get("labels")
        policy, label_errors = policy_from_labels(labels, self.config.defaults)
        old_errors: list[errors.Cause] = []
        old_policy = Policy()
        if attrs.operation is Operation.UPDATE and attrs.old is not None:
            old_policy, old_errors = policy_from_labels((attrs.old.get("metadata") or {}).get("labels"),
                                                        self.config.defaults)
        # bad labels are refused when set, not when an update leaves the same bad labels in place
        if label_errors and (attrs.operation is Operation.CREATE or label_errors != old_errors):
            raise errors.invalid("Namespace", "", name, label_errors)
        exempt = name in self.config.exemptions.namespaces
        if attrs.operation is Operation.CREATE:
            if exempt:
                self._warn_exempt(name, policy, labels or {})
            return
        if policy.enforce == old_policy.enforce or policy.enforce.level is Level.PRIVILEGED:
            return
        if (policy.enforce.version == old_policy.enforce.version
                and compare_levels(policy.enforce.level, old_policy.enforce.level) < 1):
            return
        if exempt:
            self._warn_exempt(name, policy, labels or {})
            return
        pods = prioritized(await self.list_pods(name), self._exempt_runtime_class)
        for warning in existing_pod_warnings(self.evaluator, name, policy.enforce, pods):
            add_warning(warning)

    def _exempt_runtime_class(self, pod: Obj) -> bool:
        runtime_class = (pod.get("spec") or {}).get("runtimeClassName")
        return bool(runtime_class) and runtime_class in self.config.exemptions.runtime_classes

    def _warn_exempt(self, name: str, policy: Policy, labels: dict[str, str]) -> None:
        """An exempt namespace whose labels ask for a policy: the client is told it will not apply."""
        if policy.fully_privileged() or policy.equivalent(self.config.defaults):
            return
        modes = []
        for mode in ("enforce", "audit", "warn"):
            lv = getattr(policy, mode)
            labelled = LABEL_PREFIX + mode in labels or LABEL_PREFIX + mode + "-version" in labels
            if lv.level is not Level.PRIVILEGED and labelled:
                modes.append(f"{mode}={lv}")
        add_warning(f"namespace {quote(name)} is exempt from Pod Security, and the policy ({', '.join(modes)}) "
                    "will be ignored")
