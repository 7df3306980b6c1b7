"""Builds the admission chain from the flags: each enabled name's plugin, in kube's order, then the steps kube
runs in its registries rather than as named plugins (always on)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apiserver.admission.chain import Chain
from apiserver.admission.plugin import Plugin
from apiserver.admission.plugins.csrrequestor import CSRRequestor
from apiserver.admission.plugins.namespacelifecycle import NamespaceLifecycle
from apiserver.admission.plugins.rbacescalation import EscalationCheck
from apiserver.admission.webhooks.mutating import MutatingWebhooks
from apiserver.admission.webhooks.validating import ValidatingWebhooks
from apiserver.authz.authorizer import UnionAuthorizer
from apiserver.authz.rbac import RBACAuthorizer
from apiserver.metrics.registry import Metrics
from apiserver.options.admission import AdmissionOptions
from apiserver.options.errors import ConfigError
from apiserver.registry.registry import Registry

log = logging.getLogger(__name__)


@dataclass
class PluginContext:
    """What a plugin may be built from."""
    registry: Registry
    authorizer: UnionAuthorizer
    metrics: Metrics
    # this plugin's configuration from --admission-control-config-file, if the file has one
    config: dict[str, Any] | None


Factory = Callable[[PluginContext], Plugin]

FACTORIES: dict[str, Factory] = {
    "NamespaceLifecycle": lambda c: NamespaceLifecycle(c.registry.find_namespace),
    "MutatingAdmissionWebhook": lambda c: MutatingWebhooks(c.registry, c.metrics),
    "ValidatingAdmissionWebhook": lambda c: ValidatingWebhooks(c.registry, c.metrics),
}

# names kube knows whose plugin has nothing to act on here, so enabling them changes nothing, as in kube
# (docs/admission.md says why for each)
INERT = {
    "ClusterTrustBundleAttest": "ClusterTrustBundles (certificates.k8s.io/v1alpha1) are not served",
    "MutatingAdmissionPolicy": "its feature gate is off in 1.32, as in kube",
    "ValidatingAdmissionPolicy": "ValidatingAdmissionPolicies wait for CEL",
}


def build_chain(options: AdmissionOptions, registry: Registry, authorizer: UnionAuthorizer,
                metrics: Metrics) -> Chain:
    plugins: list[Plugin] = []
    for name in options.enabled:
        factory = FACTORIES.get(name)
        if factory is None:
            if name in options.enable:
                raise ConfigError(f"admission plugin {name!r} is not supported by this server (docs/admission.md)")
            log.info("admission plugin %s is on by default and inert: %s", name,
                     INERT.get(name, "not implemented yet"))
            continue
        plugins.append(factory(PluginContext(registry, authorizer, metrics, options.plugin_configs.get(name))))
    # last, so they judge the object as every mutating plugin left it
    plugins.append(CSRRequestor())
    rbac = authorizer.find(RBACAuthorizer)
    if rbac:
        plugins.append(EscalationCheck(rbac, authorizer))
    return Chain(plugins, metrics)
