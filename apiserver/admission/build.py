"""Builds the admission chain from the flags: each enabled name's plugin, in kube's order, then the steps kube
runs in its registries rather than as named plugins (always on)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apiserver.admission.chain import Chain
from apiserver.admission.plugin import Plugin
from apiserver.admission.plugins import (
    eventratelimit,
    imagepolicywebhook,
    podnodeselector,
    podtolerationrestriction,
    resourcequota,
)
from apiserver.admission.plugins.always import AlwaysAdmit, AlwaysDeny
from apiserver.admission.plugins.alwayspullimages import AlwaysPullImages
from apiserver.admission.plugins.certapproval import CertificateApproval
from apiserver.admission.plugins.certsigning import CertificateSigning
from apiserver.admission.plugins.certsubject import CertificateSubjectRestriction
from apiserver.admission.plugins.csrrequestor import CSRRequestor
from apiserver.admission.plugins.defaultingressclass import DefaultIngressClass
from apiserver.admission.plugins.defaultstorageclass import DefaultStorageClass
from apiserver.admission.plugins.defaulttolerationseconds import DefaultTolerationSeconds
from apiserver.admission.plugins.denyexternalips import DenyServiceExternalIPs
from apiserver.admission.plugins.eventratelimit import EventRateLimit
from apiserver.admission.plugins.extendedresourcetoleration import ExtendedResourceToleration
from apiserver.admission.plugins.limitpodhardantiaffinity import LimitPodHardAntiAffinityTopology
from apiserver.admission.plugins.limitranger import LimitRanger
from apiserver.admission.plugins.namespaceautoprovision import NamespaceAutoProvision
from apiserver.admission.plugins.namespaceexists import NamespaceExists
from apiserver.admission.plugins.namespacelifecycle import NamespaceLifecycle
from apiserver.admission.plugins.noderestriction import NodeRestriction
from apiserver.admission.plugins.ownerrefs import OwnerReferencesPermissionEnforcement
from apiserver.admission.plugins.podnodeselector import PodNodeSelector
from apiserver.admission.plugins.podsecurity import plugin as podsecurity
from apiserver.admission.plugins.podtolerationrestriction import PodTolerationRestriction
from apiserver.admission.plugins.priority import Priority
from apiserver.admission.plugins.pvcresize import PersistentVolumeClaimResize
from apiserver.admission.plugins.rbacescalation import EscalationCheck
from apiserver.admission.plugins.resourcequota import ResourceQuota
from apiserver.admission.plugins.runtimeclass import RuntimeClass
from apiserver.admission.plugins.serviceaccount import ServiceAccount
from apiserver.admission.plugins.storageprotection import StorageObjectInUseProtection
from apiserver.admission.plugins.taintnodesbycondition import TaintNodesByCondition
from apiserver.admission.webhooks.mutating import MutatingWebhooks
from apiserver.admission.webhooks.validating import ValidatingWebhooks
from apiserver.authz.authorizer import UnionAuthorizer
from apiserver.authz.rbac import RBACAuthorizer
from apiserver.metrics.registry import Metrics
from apiserver.options.admission import AdmissionOptions
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
    # the admission flags, for plugins kube configures by flags of their own
    options: AdmissionOptions = field(default_factory=AdmissionOptions)


Factory = Callable[[PluginContext], Plugin]

FACTORIES: dict[str, Factory] = {
    "NamespaceLifecycle": lambda c: NamespaceLifecycle(c.registry.find_namespace),
    "AlwaysAdmit": lambda c: AlwaysAdmit(),
    "AlwaysDeny": lambda c: AlwaysDeny(),
    "NamespaceAutoProvision": lambda c: NamespaceAutoProvision(c.registry.namespaces),
    "NamespaceExists": lambda c: NamespaceExists(c.registry.namespaces),
    "DefaultStorageClass": lambda c: DefaultStorageClass(c.registry.store("storage.k8s.io", "v1", "storageclasses")),
    "StorageObjectInUseProtection": lambda c: StorageObjectInUseProtection(),
    "PersistentVolumeClaimResize":
        lambda c: PersistentVolumeClaimResize(c.registry.store("storage.k8s.io", "v1", "storageclasses")),
    "CertificateApproval": lambda c: CertificateApproval(c.authorizer),
    "CertificateSigning": lambda c: CertificateSigning(c.authorizer),
    "CertificateSubjectRestriction": lambda c: CertificateSubjectRestriction(),
    "DefaultIngressClass":
        lambda c: DefaultIngressClass(c.registry.store("networking.k8s.io", "v1", "ingressclasses")),
    "DenyServiceExternalIPs": lambda c: DenyServiceExternalIPs(),
    "EventRateLimit": lambda c: EventRateLimit(eventratelimit.parse_config(c.config)),
    "OwnerReferencesPermissionEnforcement":
        lambda c: OwnerReferencesPermissionEnforcement(c.authorizer, c.registry.catalogue),
    "PodSecurity": lambda c: podsecurity.build(c.registry, c.config),
    "LimitRanger": lambda c: LimitRanger(c.registry.store("", "v1", "limitranges")),
    "ResourceQuota": lambda c: ResourceQuota(c.registry.store("", "v1", "resourcequotas"),
                                             resourcequota.parse_config(c.config)),
    "ServiceAccount": lambda c: ServiceAccount(c.registry.store("", "v1", "serviceaccounts")),
    "LimitPodHardAntiAffinityTopology": lambda c: LimitPodHardAntiAffinityTopology(),
    "PodNodeSelector": lambda c: PodNodeSelector(c.registry.find_namespace, podnodeselector.parse_config(c.config)),
    "PodTolerationRestriction": lambda c: PodTolerationRestriction(c.registry.find_namespace,
                                                                   podtolerationrestriction.parse_config(c.config)),
    "NodeRestriction": lambda c: NodeRestriction.from_stores(c.registry.store("", "v1", "pods"),
                                                             c.registry.store("", "v1", "nodes")),
    "TaintNodesByCondition": lambda c: TaintNodesByCondition(),
    "AlwaysPullImages": lambda c: AlwaysPullImages(),
    "Priority": lambda c: Priority(c.registry.store("scheduling.k8s.io", "v1", "priorityclasses")),
    "DefaultTolerationSeconds": lambda c: DefaultTolerationSeconds(c.options.default_not_ready_toleration_seconds,
                                                                   c.options.default_unreachable_toleration_seconds),
    "ExtendedResourceToleration": lambda c: ExtendedResourceToleration(),
    "RuntimeClass": lambda c: RuntimeClass(c.registry.store("node.k8s.io", "v1", "runtimeclasses")),
    "ImagePolicyWebhook": lambda c: imagepolicywebhook.ImagePolicyWebhook(imagepolicywebhook.parse_config(c.config)),
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
        if name in INERT:
            log.debug("admission plugin %s is enabled and inert: %s", name, INERT[name])
            continue
        plugins.append(FACTORIES[name](PluginContext(registry, authorizer, metrics, options.plugin_configs.get(name),
                                             options=options)))
    # last, so they judge the object as every mutating plugin left it
    plugins.append(CSRRequestor())
    rbac = authorizer.find(RBACAuthorizer)
    if rbac:
        plugins.append(EscalationCheck(rbac, authorizer))
    return Chain(plugins, metrics)
