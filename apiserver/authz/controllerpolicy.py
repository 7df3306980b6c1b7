"""kube-apiserver 1.32's controller roles, as data: one `system:controller:<name>` ClusterRole per
kube-controller-manager controller, bound to the ServiceAccount kube-system/<name> that the controller uses
when kube-controller-manager runs with --use-service-account-credentials. They follow the release-1.32 branch,
whose patch releases added watch wherever a role had list (1.32's controller manager lists through watches).

Roles behind feature gates that are off by default in 1.32 (DynamicResourceAllocation, MultiCIDRServiceAllocator,
VolumeAttributesClass, ClusterTrustBundle, StorageVersionAPI, StorageVersionMigrator, SELinuxChangePolicy) are
left out, as kube leaves them out."""
from __future__ import annotations

from apiserver.api.meta.types import Obj
from apiserver.authz.bootstrappolicy import (
    APPS,
    AUTHZ,
    AUTOSCALING,
    BATCH,
    CERTIFICATES,
    DISCOVERY,
    EVENTS_RULE,
    EXTENSIONS,
    LEGACY,
    POLICY,
    RBAC,
    READ,
    STORAGE,
    binding,
    r,
    role,
    subject_account,
)

PREFIX = "system:controller:"
ADMISSION = "admissionregistration.k8s.io"
ANY = "*"

# (controller name, rules); the role is PREFIX + name and its ServiceAccount kube-system/name
_CONTROLLER_ROLES: list[tuple[str, list[Obj]]] = [
    ("attachdetach-controller", [
        r(["list", "watch"], [LEGACY], ["persistentvolumes", "persistentvolumeclaims"]),
        r(READ, [LEGACY], ["nodes"]),
        r(["patch", "update"], [LEGACY], ["nodes/status"]),
        r(["list", "watch"], [LEGACY], ["pods"]),
        EVENTS_RULE,
        r(["get", "create", "delete", "list", "watch"], [STORAGE], ["volumeattachments"]),
        r(READ, [STORAGE], ["csidrivers"]),
        r(READ, [STORAGE], ["csinodes"]),
    ]),
    ("certificate-controller", [
        r(["get", "list", "watch", "delete"], [CERTIFICATES], ["certificatesigningrequests"]),
        r(["update"], [CERTIFICATES], ["certificatesigningrequests/status", "certificatesigningrequests/approval"]),
        r(["approve"], [CERTIFICATES], ["signers"], ["kubernetes.io/kube-apiserver-client-kubelet"]),
        r(["sign"], [CERTIFICATES], ["signers"], ["kubernetes.io/legacy-unknown", "kubernetes.io/kube-apiserver-client",
                                                  "kubernetes.io/kube-apiserver-client-kubelet",
                                                  "kubernetes.io/kubelet-serving"]),
        r(["create"], [AUTHZ], ["subjectaccessreviews"]),
        EVENTS_RULE,
    ]),
    # it may write any rule into a ClusterRole, hence escalate
    ("clusterrole-aggregation-controller", [
        r(["escalate", "get", "list", "watch", "update", "patch"], [RBAC], ["clusterroles"]),
    ]),
    ("cronjob-controller", [
        r(["get", "list", "watch", "update"], [BATCH], ["cronjobs"]),
        r(["get", "list", "watch", "create", "update", "delete", "patch"], [BATCH], ["jobs"]),
        r(["update"], [BATCH], ["cronjobs/status"]),
        r(["update"], [BATCH], ["cronjobs/finalizers"]),
        r(["list", "watch", "delete"], [LEGACY], ["pods"]),
        EVENTS_RULE,
    ]),
    ("daemon-set-controller", [
        r(READ, [EXTENSIONS, APPS], ["daemonsets"]),
        r(["update"], [EXTENSIONS, APPS], ["daemonsets/status"]),
        r(["update"], [EXTENSIONS, APPS], ["daemonsets/finalizers"]),
        r(["list", "watch"], [LEGACY], ["nodes"]),
        r(["list", "watch", "create", "delete", "patch"], [LEGACY], ["pods"]),
        r(["create"], [LEGACY], ["pods/binding"]),
        r(["get", "list", "watch", "create", "delete", "update", "patch"], [APPS], ["controllerrevisions"]),
        EVENTS_RULE,
    ]),
    ("deployment-controller", [
        r(["get", "list", "watch", "update"], [EXTENSIONS, APPS], ["deployments"]),
        r(["update"], [EXTENSIONS, APPS], ["deployments/status"]),
        r(["update"], [EXTENSIONS, APPS], ["deployments/finalizers"]),
        r(["get", "list", "watch", "create", "update", "patch", "delete"], [APPS, EXTENSIONS], ["replicasets"]),
        r(["get", "list", "watch", "update"], [LEGACY], ["pods"]),
        EVENTS_RULE,
    ]),
    # pods/status comes last: in 1.32 it is still appended behind the (GA) PodDisruptionConditions gate
    ("disruption-controller", [
        r(READ, [EXTENSIONS, APPS], ["deployments"]),
        r(READ, [APPS, EXTENSIONS], ["replicasets"]),
        r(READ, [LEGACY], ["replicationcontrollers"]),
        r(READ, [POLICY], ["poddisruptionbudgets"]),
        r(READ, [APPS], ["statefulsets"]),
        r(["update"], [POLICY], ["poddisruptionbudgets/status"]),
        r(["get"], [ANY], ["*/scale"]),
        EVENTS_RULE,
        r(["patch", "update"], [LEGACY], ["pods/status"]),
    ]),
    ("endpoint-controller", [
        r(READ, [LEGACY], ["services", "pods"]),
        r(["get", "list", "watch", "create", "update", "delete"], [LEGACY], ["endpoints"]),
        r(["create"], [LEGACY], ["endpoints/restricted"]),
        EVENTS_RULE,
    ]),
    # the finalizers rules let it set blockOwnerDeletion on the slices it owns
    ("endpointslice-controller", [
        r(READ, [LEGACY], ["services", "pods", "nodes"]),
        r(["update"], [LEGACY], ["services/finalizers"]),
        r(["get", "list", "watch", "create", "update", "delete"], [DISCOVERY], ["endpointslices"]),
        EVENTS_RULE,
    ]),
    ("endpointslicemirroring-controller", [
        r(READ, [LEGACY], ["services", "endpoints"]),
        r(["update"], [LEGACY], ["services/finalizers"]),
        r(["update"], [LEGACY], ["endpoints/finalizers"]),
        r(["get", "list", "watch", "create", "update", "delete"], [DISCOVERY], ["endpointslices"]),
        EVENTS_RULE,
    ]),
    ("ephemeral-volume-controller", [
        r(READ, [LEGACY], ["pods"]),
        r(["update"], [LEGACY], ["pods/finalizers"]),
        r(["get", "list", "watch", "create"], [LEGACY], ["persistentvolumeclaims"]),
        EVENTS_RULE,
    ]),
    # services: the in-tree portworx plugin, still present in 1.32
    ("expand-controller", [
        r(["get", "list", "watch", "update", "patch"], [LEGACY], ["persistentvolumes"]),
        r(["update", "patch"], [LEGACY], ["persistentvolumeclaims/status"]),
        r(READ, [LEGACY], ["persistentvolumeclaims"]),
        EVENTS_RULE,
        r(["get"], [LEGACY], ["services"]),
    ]),
    ("generic-garbage-collector", [
        r(["get", "list", "watch", "patch", "update", "delete"], [ANY], ["*"]),
        EVENTS_RULE,
    ]),
    ("horizontal-pod-autoscaler", [
        r(READ, [AUTOSCALING], ["horizontalpodautoscalers"]),
        r(["update"], [AUTOSCALING], ["horizontalpodautoscalers/status"]),
        r(["get", "update"], [ANY], ["*/scale"]),
        r(["list", "watch"], [LEGACY], ["pods"]),
        r(["list", "watch"], ["metrics.k8s.io"], ["pods"]),
        r(READ, ["custom.metrics.k8s.io"], ["*"]),
        r(READ, ["external.metrics.k8s.io"], ["*"]),
        EVENTS_RULE,
    ]),
    ("job-controller", [
        r(["get", "list", "watch", "update", "patch"], [BATCH], ["jobs"]),
        r(["update"], [BATCH], ["jobs/status"]),
        r(["update"], [BATCH], ["jobs/finalizers"]),
        r(["list", "watch", "create", "delete", "patch"], [LEGACY], ["pods"]),
        EVENTS_RULE,
    ]),
    ("legacy-service-account-token-cleaner", [
        r(["get"], [LEGACY], ["configmaps"], ["kube-apiserver-legacy-service-account-token-tracking"]),
        r(["patch", "delete"], [LEGACY], ["secrets"]),
    ]),
    ("namespace-controller", [
        r(["get", "list", "watch", "delete"], [LEGACY], ["namespaces"]),
        r(["update"], [LEGACY], ["namespaces/finalize", "namespaces/status"]),
        r(["get", "list", "watch", "delete", "deletecollection"], [ANY], ["*"]),
    ]),
    ("node-controller", [
        r(["get", "list", "watch", "update", "delete", "patch"], [LEGACY], ["nodes"]),
        r(["patch", "update"], [LEGACY], ["nodes/status"]),
        r(["patch", "update"], [LEGACY], ["pods/status"]),
        r(["list", "watch", "get", "delete"], [LEGACY], ["pods"]),
        EVENTS_RULE,
    ]),
    # events watch: the recycler pod's events; services get: the portworx plugin
    ("persistent-volume-binder", [
        r(["get", "list", "watch", "update", "create", "delete"], [LEGACY], ["persistentvolumes"]),
        r(["update"], [LEGACY], ["persistentvolumes/status"]),
        r(["get", "list", "watch", "update"], [LEGACY], ["persistentvolumeclaims"]),
        r(["update"], [LEGACY], ["persistentvolumeclaims/status"]),
        r(["list", "watch", "get", "create", "delete"], [LEGACY], ["pods"]),
        r(READ, [STORAGE], ["storageclasses"]),
        r(["list", "watch"], [LEGACY], ["nodes"]),
        EVENTS_RULE,
        r(["watch"], [LEGACY], ["events"]),
        r(["get"], [LEGACY], ["services"]),
    ]),
    ("pod-garbage-collector", [
        r(["list", "watch", "delete"], [LEGACY], ["pods"]),
        r(READ, [LEGACY], ["nodes"]),
        r(["patch"], [LEGACY], ["pods/status"]),
    ]),
    ("pv-protection-controller", [
        r(["get", "list", "watch", "update"], [LEGACY], ["persistentvolumes"]),
        EVENTS_RULE,
    ]),
    ("pvc-protection-controller", [
        r(["get", "list", "watch", "update"], [LEGACY], ["persistentvolumeclaims"]),
        r(READ, [LEGACY], ["pods"]),
        EVENTS_RULE,
    ]),
    ("replicaset-controller", [
        r(["get", "list", "watch", "update"], [APPS, EXTENSIONS], ["replicasets"]),
        r(["update"], [APPS, EXTENSIONS], ["replicasets/status"]),
        r(["update"], [APPS, EXTENSIONS], ["replicasets/finalizers"]),
        r(["list", "watch", "patch", "create", "delete"], [LEGACY], ["pods"]),
        EVENTS_RULE,
    ]),
    ("replication-controller", [
        r(["get", "list", "watch", "update"], [LEGACY], ["replicationcontrollers"]),
        r(["update"], [LEGACY], ["replicationcontrollers/status"]),
        r(["update"], [LEGACY], ["replicationcontrollers/finalizers"]),
        r(["list", "watch", "patch", "create", "delete"], [LEGACY], ["pods"]),
        EVENTS_RULE,
    ]),
    # quota may count anything, so it reads everything
    ("resourcequota-controller", [
        r(["list", "watch"], [ANY], ["*"]),
        r(["update"], [LEGACY], ["resourcequotas/status"]),
        EVENTS_RULE,
    ]),
    ("root-ca-cert-publisher", [
        r(["create", "update"], [LEGACY], ["configmaps"]),
        EVENTS_RULE,
    ]),
    ("route-controller", [
        r(["list", "watch"], [LEGACY], ["nodes"]),
        r(["patch"], [LEGACY], ["nodes/status"]),
        EVENTS_RULE,
    ]),
    ("service-account-controller", [
        r(["create"], [LEGACY], ["serviceaccounts"]),
        EVENTS_RULE,
    ]),
    ("service-controller", [
        r(READ, [LEGACY], ["services"]),
        r(["patch", "update"], [LEGACY], ["services/status"]),
        r(["list", "watch"], [LEGACY], ["nodes"]),
        EVENTS_RULE,
    ]),
    # in 1.32 the claim-retention rules still come after the events rule (they were gated until then)
    ("statefulset-controller", [
        r(["list", "watch"], [LEGACY], ["pods"]),
        r(READ, [APPS], ["statefulsets"]),
        r(["update"], [APPS], ["statefulsets/status"]),
        r(["update"], [APPS], ["statefulsets/finalizers"]),
        r(["get", "create", "delete", "update", "patch"], [LEGACY], ["pods"]),
        r(["get", "create", "delete", "update", "patch", "list", "watch"], [APPS], ["controllerrevisions"]),
        r(["get", "create", "list", "watch"], [LEGACY], ["persistentvolumeclaims"]),
        EVENTS_RULE,
        r(["update", "delete"], [LEGACY], ["persistentvolumeclaims"]),
        r(["update"], [LEGACY], ["pods/finalizers"]),
    ]),
    ("ttl-after-finished-controller", [
        r(["get", "list", "watch", "delete"], [BATCH], ["jobs"]),
        EVENTS_RULE,
    ]),
    ("ttl-controller", [
        r(["update", "patch", "list", "watch"], [LEGACY], ["nodes"]),
        EVENTS_RULE,
    ]),
    ("validatingadmissionpolicy-status-controller", [
        r(READ, [ADMISSION], ["validatingadmissionpolicies"]),
        r(["get", "patch", "update"], [ADMISSION], ["validatingadmissionpolicies/status"]),
        EVENTS_RULE,
    ]),
]


def controller_roles() -> list[Obj]:
    return [role("ClusterRole", PREFIX + name, rules) for name, rules in _CONTROLLER_ROLES]


def controller_role_bindings() -> list[Obj]:
    return [binding("ClusterRoleBinding", PREFIX + name, "ClusterRole", PREFIX + name,
                    [subject_account("kube-system", name)]) for name, _ in _CONTROLLER_ROLES]
