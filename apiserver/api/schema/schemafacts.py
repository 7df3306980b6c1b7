"""The Kubernetes facts about schemas that the `kubernetes` client's models lack, in one table.

The models give every field's JSON name, description, required list and a coarse type; kube-apiserver's
published OpenAPI knows more: which integers are int64, which strings are `resource.Quantity`, the enum
values of its `+enum` string types, and the Go package each definition lives in (its `/openapi/v2` name).
Keys are (client model name, JSON field).
"""
from __future__ import annotations

# integers are int32 unless listed here (every `observedGeneration` is int64 too)
INT64: frozenset[tuple[str, str]] = frozenset({
    ("V1ObjectMeta", "generation"), ("V1ObjectMeta", "deletionGracePeriodSeconds"),
    ("V1PodSpec", "terminationGracePeriodSeconds"), ("V1PodSpec", "activeDeadlineSeconds"),
    ("V1PodSecurityContext", "fsGroup"), ("V1PodSecurityContext", "runAsGroup"),
    ("V1PodSecurityContext", "runAsUser"), ("V1PodSecurityContext", "supplementalGroups"),
    ("V1SecurityContext", "runAsGroup"), ("V1SecurityContext", "runAsUser"),
    ("V1LinuxContainerUser", "gid"), ("V1LinuxContainerUser", "uid"), ("V1LinuxContainerUser", "supplementalGroups"),
    ("V1Probe", "terminationGracePeriodSeconds"), ("V1SleepAction", "seconds"),
    ("V1Toleration", "tolerationSeconds"), ("V1ServiceAccountTokenProjection", "expirationSeconds"),
    ("V1ContainerImage", "sizeBytes"), ("V1NodeSwapStatus", "capacity"),
    ("V1JobSpec", "activeDeadlineSeconds"), ("V1CronJobSpec", "startingDeadlineSeconds"),
    ("V1DeleteOptions", "gracePeriodSeconds"),
})
INT64_FIELDS = frozenset({"observedGeneration"})

# string fields (or maps of them) that hold a resource.Quantity: "500m", "1Gi", or a plain number
QUANTITY: frozenset[tuple[str, str]] = frozenset({
    ("V1ResourceRequirements", "limits"), ("V1ResourceRequirements", "requests"),
    ("V1VolumeResourceRequirements", "limits"), ("V1VolumeResourceRequirements", "requests"),
    ("V1ResourceFieldSelector", "divisor"), ("V1EmptyDirVolumeSource", "sizeLimit"),
    ("V1PodSpec", "overhead"), ("V1ContainerStatus", "allocatedResources"),
    ("V1NodeStatus", "allocatable"), ("V1NodeStatus", "capacity"),
    ("V1PersistentVolumeSpec", "capacity"), ("V1PersistentVolumeClaimStatus", "capacity"),
    ("V1PersistentVolumeClaimStatus", "allocatedResources"),
    ("V1LimitRangeItem", "default"), ("V1LimitRangeItem", "defaultRequest"), ("V1LimitRangeItem", "max"),
    ("V1LimitRangeItem", "min"), ("V1LimitRangeItem", "maxLimitRequestRatio"),
    ("V1ResourceQuotaSpec", "hard"), ("V1ResourceQuotaStatus", "hard"), ("V1ResourceQuotaStatus", "used"),
})

# the values kube-apiserver's validation accepts, in the order its "supported values" messages list them
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("V1PodSpec", "restartPolicy"): ("Always", "OnFailure", "Never"),
    ("V1PodSpec", "dnsPolicy"): ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"),
    ("V1PodSpec", "preemptionPolicy"): ("Never", "PreemptLowerPriority"),
    ("V1Container", "imagePullPolicy"): ("Always", "IfNotPresent", "Never"),
    ("V1Container", "terminationMessagePolicy"): ("FallbackToLogsOnError", "File"),
    ("V1ContainerPort", "protocol"): ("SCTP", "TCP", "UDP"),
    ("V1ServicePort", "protocol"): ("SCTP", "TCP", "UDP"),
    ("V1Toleration", "operator"): ("Equal", "Exists"),
    ("V1Toleration", "effect"): ("NoSchedule", "PreferNoSchedule", "NoExecute"),
    ("V1ServiceSpec", "type"): ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort"),
    ("V1ServiceSpec", "sessionAffinity"): ("ClientIP", "None"),
    ("V1ServiceSpec", "externalTrafficPolicy"): ("Cluster", "Local"),
    ("V1ServiceSpec", "internalTrafficPolicy"): ("Cluster", "Local"),
    ("V1ServiceSpec", "ipFamilyPolicy"): ("PreferDualStack", "RequireDualStack", "SingleStack"),
    ("V1DeploymentStrategy", "type"): ("Recreate", "RollingUpdate"),
    ("V1StatefulSetSpec", "podManagementPolicy"): ("OrderedReady", "Parallel"),
    ("V1StatefulSetUpdateStrategy", "type"): ("OnDelete", "RollingUpdate"),
    ("V1DaemonSetUpdateStrategy", "type"): ("OnDelete", "RollingUpdate"),
    ("V1JobSpec", "completionMode"): ("Indexed", "NonIndexed"),
    ("V1CronJobSpec", "concurrencyPolicy"): ("Allow", "Forbid", "Replace"),
}

# the Go package of a model when it is not the group of the first served kind that reaches it
META_PACKAGE = "io.k8s.apimachinery.pkg.apis.meta.v1"
PACKAGE_OF: dict[str, str] = {
    **{name: META_PACKAGE for name in (
        "V1ObjectMeta", "V1ListMeta", "V1LabelSelector", "V1LabelSelectorRequirement", "V1OwnerReference",
        "V1ManagedFieldsEntry", "V1Condition", "V1Status", "V1StatusDetails", "V1StatusCause", "V1DeleteOptions",
        "V1Preconditions")},
    "V1PodTemplateSpec": "io.k8s.api.core.v1",
    "V1TopologySelectorTerm": "io.k8s.api.core.v1",
    "V1TopologySelectorLabelRequirement": "io.k8s.api.core.v1",
}
# an alpha/beta model under a v1 kind belongs to the group that owns that feature
PACKAGE_OF_PREFIX: dict[str, str] = {"V1alpha3Workload": "io.k8s.api.scheduling.v1alpha3",
                                     "V1alpha3Topology": "io.k8s.api.scheduling.v1alpha3"}
