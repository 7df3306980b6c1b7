"""The catalogue of served resources: each resource is one row of data.

Every handler, the generic store, discovery and the watch caches read these rows; adding a resource
means adding a row, never a handler.
"""
from __future__ import annotations

from dataclasses import dataclass

from apiserver.api.conversion import events as eventconversion
from apiserver.api.conversion import hpa as hpaconversion
from apiserver.api.conversion.hub import IDENTITY, Conversion
from apiserver.registry import strategies as s
from apiserver.registry.strategy import DEFAULT_STRATEGY, Strategy

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
# what each subresource answers to, and the kind it speaks (None: the resource's own kind)
SUBRESOURCES: dict[str, tuple[tuple[str, ...], dict[str, str] | None]] = {
    "status": (("get", "patch", "update"), None),
    "scale": (("get", "patch", "update"), {"group": "autoscaling", "version": "v1", "kind": "Scale"}),
    "binding": (("create",), {"group": "", "version": "v1", "kind": "Binding"}),
    "eviction": (("create",), {"group": "policy", "version": "v1", "kind": "Eviction"}),
    "finalize": (("update",), None),
    "approval": (("get", "patch", "update"), None),
    "token": (("create",), {"group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest"}),
}


@dataclass(frozen=True)
class ResourceInfo:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    strategy: Strategy = DEFAULT_STRATEGY
    # the etcd key segment, where kube-apiserver's differs from the plural (e.g. nodes live under "minions")
    storage_segment: str = ""
    # create-only and never stored (reviews): answered by a handler of registry/virtual.py, no store or cache
    virtual: bool = False
    # the version of the same plural this one is stored as ("": itself); rows naming another share its store
    # and watch cache and convert through the hub
    storage_version: str = ""
    # this version's way to the resource's hub shape and back
    conversion: Conversion = IDENTITY
    # the group of the storage version when it is another group's (events.k8s.io Events are core Events in
    # kube's storage); None: this row's own group
    storage_group: str | None = None

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def stored_as(self) -> str:
        return self.storage_version or self.version

    @property
    def stored_in(self) -> tuple[str, str, str]:
        """(group, version, plural) of the row whose store holds this resource."""
        group = self.group if self.storage_group is None else self.storage_group
        return (group, self.stored_as, self.plural)

    @property
    def group_version(self) -> tuple[str, str]:
        return (self.group, self.version)

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def storage_prefix(self) -> str:
        """Key path under --etcd-prefix, e.g. `deployments` or `services/specs`."""
        return self.storage_segment or self.plural

    @property
    def subresources(self) -> tuple[str, ...]:
        return ((("status",) if self.strategy.has_status else ()) + (("scale",) if self.strategy.scalable else ())
                + self.strategy.actions)

    @property
    def verbs(self) -> tuple[str, ...]:
        return ("create",) if self.virtual else ALL_VERBS


def _r(group: str, version: str, kind: str, plural: str, namespaced: bool = True, *, short: tuple[str, ...] = (),
       all_category: bool = False, strategy: Strategy = DEFAULT_STRATEGY, segment: str = "",
       virtual: bool = False, stored_as: str = "", stored_group: str | None = None,
       conversion: Conversion = IDENTITY) -> ResourceInfo:
    elsewhere = stored_as not in ("", version) or stored_group not in (None, group)
    return ResourceInfo(group, version, kind, plural, namespaced, short, ("all",) if all_category else (),
                        strategy, segment, virtual, stored_as or version if elsewhere else "", conversion,
                        stored_group if elsewhere else None)


CATALOGUE: tuple[ResourceInfo, ...] = (
    _r("", "v1", "Namespace", "namespaces", False, short=("ns",), strategy=s.NAMESPACE),
    _r("", "v1", "Pod", "pods", short=("po",), all_category=True, strategy=s.POD),
    _r("", "v1", "Service", "services", short=("svc",), all_category=True, strategy=s.SERVICE,
       segment="services/specs"),
    _r("", "v1", "ConfigMap", "configmaps", short=("cm",), strategy=s.CONFIG_MAP),
    _r("", "v1", "Secret", "secrets", strategy=s.SECRET),
    _r("", "v1", "ServiceAccount", "serviceaccounts", short=("sa",), strategy=s.SERVICE_ACCOUNT),
    _r("", "v1", "Node", "nodes", False, short=("no",), strategy=s.NODE, segment="minions"),
    _r("", "v1", "Event", "events", short=("ev",), strategy=s.EVENT),
    _r("", "v1", "Endpoints", "endpoints", short=("ep",), strategy=s.ENDPOINTS, segment="services/endpoints"),
    _r("", "v1", "PersistentVolume", "persistentvolumes", False, short=("pv",), strategy=s.PERSISTENT_VOLUME),
    _r("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", short=("pvc",),
       strategy=s.PERSISTENT_VOLUME_CLAIM),
    _r("", "v1", "LimitRange", "limitranges", short=("limits",), strategy=s.LIMIT_RANGE),
    _r("", "v1", "ResourceQuota", "resourcequotas", short=("quota",), strategy=s.RESOURCE_QUOTA),
    _r("", "v1", "ReplicationController", "replicationcontrollers", short=("rc",), all_category=True,
       strategy=s.REPLICATION_CONTROLLER, segment="controllers"),
    _r("", "v1", "PodTemplate", "podtemplates", strategy=s.POD_TEMPLATE),
    _r("apps", "v1", "Deployment", "deployments", short=("deploy",), all_category=True, strategy=s.DEPLOYMENT),
    _r("apps", "v1", "ReplicaSet", "replicasets", short=("rs",), all_category=True, strategy=s.REPLICA_SET),
    _r("apps", "v1", "StatefulSet", "statefulsets", short=("sts",), all_category=True, strategy=s.STATEFUL_SET),
    _r("apps", "v1", "DaemonSet", "daemonsets", short=("ds",), all_category=True, strategy=s.DAEMON_SET),
    _r("apps", "v1", "ControllerRevision", "controllerrevisions", strategy=s.CONTROLLER_REVISION),
    # v2 first: the preferred version of the group; stored as v2, kube 1.32's storage version
    _r("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", short=("hpa",),
       all_category=True, strategy=s.HORIZONTAL_POD_AUTOSCALER),
    _r("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", short=("hpa",),
       all_category=True, strategy=s.HORIZONTAL_POD_AUTOSCALER_V1, stored_as="v2",
       conversion=hpaconversion.V1),
    _r("batch", "v1", "Job", "jobs", all_category=True, strategy=s.JOB),
    _r("batch", "v1", "CronJob", "cronjobs", short=("cj",), all_category=True, strategy=s.CRON_JOB),
    _r("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", False, virtual=True),
    _r("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", False, virtual=True),
    _r("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", False, virtual=True),
    _r("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", False, virtual=True),
    _r("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", virtual=True),
    _r("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", False, virtual=True),
    _r("coordination.k8s.io", "v1", "Lease", "leases", strategy=s.LEASE),
    _r("rbac.authorization.k8s.io", "v1", "Role", "roles", strategy=s.ROLE),
    _r("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", strategy=s.ROLE_BINDING),
    _r("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False, strategy=s.CLUSTER_ROLE),
    _r("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False,
       strategy=s.CLUSTER_ROLE_BINDING),
    _r("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, short=("sc",), strategy=s.STORAGE_CLASS),
    _r("storage.k8s.io", "v1", "CSIDriver", "csidrivers", False, strategy=s.CSI_DRIVER),
    _r("storage.k8s.io", "v1", "CSINode", "csinodes", False, strategy=s.CSI_NODE),
    _r("storage.k8s.io", "v1", "CSIStorageCapacity", "csistoragecapacities", strategy=s.CSI_STORAGE_CAPACITY),
    _r("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", False, strategy=s.VOLUME_ATTACHMENT),
    _r("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", False, short=("pc",), strategy=s.PRIORITY_CLASS),
    _r("networking.k8s.io", "v1", "Ingress", "ingresses", short=("ing",), strategy=s.INGRESS, segment="ingress"),
    _r("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", short=("netpol",), strategy=s.NETWORK_POLICY),
    _r("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False, strategy=s.INGRESS_CLASS),
    _r("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", False, strategy=s.RUNTIME_CLASS),
    _r("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", strategy=s.ENDPOINT_SLICE),
    # stored as core v1 Events under /registry/events/, as kube stores them
    _r("events.k8s.io", "v1", "Event", "events", short=("ev",), strategy=s.EVENT_V1, stored_as="v1", stored_group="",
       conversion=eventconversion.V1),
    _r("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", short=("pdb",),
       strategy=s.POD_DISRUPTION_BUDGET),
    _r("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", False,
       short=("csr",), strategy=s.CERTIFICATE_SIGNING_REQUEST),
    _r("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", False,
       strategy=s.MUTATING_WEBHOOK_CONFIGURATION),
    _r("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations",
       False, strategy=s.VALIDATING_WEBHOOK_CONFIGURATION),
)


class Catalogue:
    """Lookups over the rows: by (group, version, plural) for requests, by group for discovery."""

    def __init__(self, rows: tuple[ResourceInfo, ...] = CATALOGUE) -> None:
        self.rows = rows
        self._by_path = {(r.group, r.version, r.plural): r for r in rows}

    def lookup(self, group: str, version: str, plural: str) -> ResourceInfo | None:
        return self._by_path.get((group, version, plural))

    def groups(self) -> list[str]:
        """Group names in first-seen order (the core group "" first)."""
        seen: dict[str, None] = {}
        for r in self.rows:
            seen.setdefault(r.group, None)
        return list(seen)

    def versions(self, group: str) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.rows:
            if r.group == group:
                seen.setdefault(r.version, None)
        return list(seen)

    def resources(self, group: str, version: str) -> list[ResourceInfo]:
        return [r for r in self.rows if r.group == group and r.version == version]

    def stored(self) -> list[ResourceInfo]:
        """The rows that own a store: one per resource, in its storage version (virtual rows have none)."""
        return [r for r in self.rows if not r.storage_version and not r.virtual]
