"""kube-apiserver 1.32's default RBAC policy (its bootstrappolicy package with default feature gates), as data:
the ClusterRoles and ClusterRoleBindings every replica reconciles at start-up. Every object carries the
`kubernetes.io/bootstrapping: rbac-defaults` label and the autoupdate annotation set to "true"."""
from __future__ import annotations

from apiserver.api.meta.types import Obj

READ = ["get", "list", "watch"]
WRITE = ["create", "update", "patch", "delete", "deletecollection"]
READ_WRITE = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
READ_UPDATE = ["get", "list", "watch", "update", "patch"]

AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate"
LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
RBAC_API = "rbac.authorization.k8s.io/v1"

LEGACY, APPS, AUTHN, AUTHZ = "", "apps", "authentication.k8s.io", "authorization.k8s.io"
AUTOSCALING, BATCH, CERTIFICATES = "autoscaling", "batch", "certificates.k8s.io"
COORDINATION, DISCOVERY, EXTENSIONS = "coordination.k8s.io", "discovery.k8s.io", "extensions"
POLICY, RBAC, STORAGE = "policy", "rbac.authorization.k8s.io", "storage.k8s.io"
NETWORKING, EVENTS, NODE = "networking.k8s.io", "events.k8s.io", "node.k8s.io"


def r(verbs: list[str], groups: list[str], resources: list[str], names: list[str] | None = None) -> Obj:
    # kube's rule builder sorts every list, so the stored objects read the same as kube-apiserver's
    rule: Obj = {"verbs": sorted(verbs), "apiGroups": sorted(groups), "resources": sorted(resources)}
    if names:
        rule["resourceNames"] = sorted(names)
    return rule


def urls(verbs: list[str], paths: list[str]) -> Obj:
    return {"verbs": sorted(verbs), "nonResourceURLs": sorted(paths)}


EVENTS_RULE = r(["create", "update", "patch"], [LEGACY, EVENTS], ["events"])


def _aggregate_to(name: str) -> dict[str, str]:
    return {f"rbac.authorization.k8s.io/aggregate-to-{name}": "true"}


def _aggregating(name: str) -> Obj:
    return {"clusterRoleSelectors": [{"matchLabels": _aggregate_to(name)}]}


NODE_RULES = [
    r(["create"], [AUTHN], ["tokenreviews"]),
    r(["create"], [AUTHZ], ["subjectaccessreviews", "localsubjectaccessreviews"]),
    r(READ, [LEGACY], ["services"]),
    r(["create", "get", "list", "watch"], [LEGACY], ["nodes"]),
    r(["update", "patch"], [LEGACY], ["nodes/status"]),
    r(["update", "patch"], [LEGACY], ["nodes"]),
    r(["create", "update", "patch"], [LEGACY], ["events"]),
    r(READ, [LEGACY], ["pods"]),
    r(["create", "delete"], [LEGACY], ["pods"]),
    r(["update", "patch"], [LEGACY], ["pods/status"]),
    r(["create"], [LEGACY], ["pods/eviction"]),
    r(["get", "list", "watch"], [LEGACY], ["secrets", "configmaps"]),
    r(["get"], [LEGACY], ["persistentvolumeclaims", "persistentvolumes"]),
    r(["get"], [LEGACY], ["endpoints"]),
    r(["create", "get", "list", "watch"], [CERTIFICATES], ["certificatesigningrequests"]),
    r(["get", "create", "update", "patch", "delete"], [COORDINATION], ["leases"]),
    r(["get", "watch"], [STORAGE], ["volumeattachments"]),
    r(["create"], [LEGACY], ["serviceaccounts/token"]),
    r(["get", "update", "patch"], [LEGACY], ["persistentvolumeclaims/status"]),
    r(["get", "watch", "list"], [STORAGE], ["csidrivers"]),
    r(["get", "create", "update", "patch", "delete"], [STORAGE], ["csinodes"]),
    r(["get", "list", "watch"], [NODE], ["runtimeclasses"]),
]

# (name, labels beyond the defaults, rules, aggregationRule)
_CLUSTER_ROLES: list[tuple[str, dict[str, str], list[Obj], Obj | None]] = [
    ("cluster-admin", {}, [r(["*"], ["*"], ["*"]), urls(["*"], ["*"])], None),
    ("system:discovery", {}, [urls(["get"], ["/livez", "/readyz", "/healthz", "/version", "/version/", "/openapi",
                                             "/openapi/*", "/api", "/api/*", "/apis", "/apis/*"])], None),
    ("system:monitoring", {}, [urls(["get"], ["/metrics", "/metrics/slis", "/livez", "/readyz", "/healthz",
                                              "/livez/*", "/readyz/*", "/healthz/*"])], None),
    ("system:basic-user", {}, [r(["create"], [AUTHZ], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
                               r(["create"], [AUTHN], ["selfsubjectreviews"])], None),
    ("system:public-info-viewer", {}, [urls(["get"], ["/livez", "/readyz", "/healthz", "/version", "/version/"])],
     None),
    ("admin", {}, [], _aggregating("admin")),
    ("edit", _aggregate_to("admin"), [], _aggregating("edit")),
    ("view", _aggregate_to("edit"), [], _aggregating("view")),
    ("system:aggregate-to-admin", _aggregate_to("admin"), [
        r(["create"], [AUTHZ], ["localsubjectaccessreviews"]),
        r(READ_WRITE, [RBAC], ["roles", "rolebindings"]),
    ], None),
    ("system:aggregate-to-edit", _aggregate_to("edit"), [
        r(READ, [LEGACY], ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"]),
        r(["impersonate"], [LEGACY], ["serviceaccounts"]),
        r(WRITE, [LEGACY], ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
        r(["create"], [LEGACY], ["pods/eviction"]),
        r(WRITE, [LEGACY], ["replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                            "services/proxy", "persistentvolumeclaims", "configmaps", "secrets", "events"]),
        r(["create"], [LEGACY], ["serviceaccounts/token"]),
        r(WRITE, [APPS], ["statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale",
                          "deployments/rollback", "replicasets", "replicasets/scale"]),
        r(WRITE, [AUTOSCALING], ["horizontalpodautoscalers"]),
        r(WRITE, [BATCH], ["jobs", "cronjobs"]),
        r(WRITE, [EXTENSIONS], ["daemonsets", "deployments", "deployments/scale", "deployments/rollback",
                                "ingresses", "replicasets", "replicasets/scale", "replicationcontrollers/scale",
                                "networkpolicies"]),
        r(WRITE, [POLICY], ["poddisruptionbudgets"]),
        r(WRITE, [NETWORKING], ["networkpolicies", "ingresses"]),
        r(READ_WRITE, [COORDINATION], ["leases"]),
    ], None),
    ("system:aggregate-to-view", _aggregate_to("view"), [
        r(READ, [LEGACY], ["pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
                           "services", "services/status", "endpoints", "persistentvolumeclaims",
                           "persistentvolumeclaims/status", "configmaps"]),
        r(READ, [LEGACY], ["limitranges", "resourcequotas", "bindings", "events", "pods/status",
                           "resourcequotas/status", "namespaces/status", "replicationcontrollers/status",
                           "pods/log"]),
        r(READ, [LEGACY], ["namespaces"]),
        r(READ, [DISCOVERY], ["endpointslices"]),
        r(READ, [APPS], ["controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale",
                         "daemonsets", "daemonsets/status", "deployments", "deployments/status",
                         "deployments/scale", "replicasets", "replicasets/status", "replicasets/scale"]),
        r(READ, [AUTOSCALING], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        r(READ, [BATCH], ["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
        r(READ, [EXTENSIONS], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                               "deployments/status", "ingresses", "ingresses/status", "replicasets",
                               "replicasets/scale", "replicasets/status", "replicationcontrollers/scale",
                               "networkpolicies"]),
        r(READ, [POLICY], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        r(READ, [NETWORKING], ["networkpolicies", "ingresses", "ingresses/status"]),
    ], None),
    ("system:heapster", {}, [r(READ, [LEGACY], ["events", "pods", "nodes", "namespaces"]),
                             r(READ, [EXTENSIONS], ["deployments"])], None),
    ("system:node", {}, NODE_RULES, None),
    ("system:node-problem-detector", {}, [r(["get"], [LEGACY], ["nodes"]), r(["patch"], [LEGACY], ["nodes/status"]),
                                          EVENTS_RULE], None),
    ("system:kubelet-api-admin", {}, [
        r(["get", "list", "watch"], [LEGACY], ["nodes"]),
        r(["proxy"], [LEGACY], ["nodes"]),
        r(["*"], [LEGACY], ["nodes/proxy", "nodes/metrics", "nodes/stats", "nodes/log"]),
    ], None),
    ("system:node-bootstrapper", {}, [r(["create", "get", "list", "watch"], [CERTIFICATES],
                                        ["certificatesigningrequests"])], None),
    ("system:auth-delegator", {}, [r(["create"], [AUTHN], ["tokenreviews"]),
                                   r(["create"], [AUTHZ], ["subjectaccessreviews"])], None),
    ("system:kube-aggregator", {}, [r(READ, [LEGACY], ["services", "endpoints"])], None),
    ("system:kube-controller-manager", {}, [
        EVENTS_RULE,
        r(["create"], [COORDINATION], ["leases"]),
        r(["get", "update"], [COORDINATION], ["leases"], ["kube-controller-manager"]),
        r(["create"], [LEGACY], ["secrets", "serviceaccounts"]),
        r(["delete"], [LEGACY], ["secrets"]),
        r(["get"], [LEGACY], ["namespaces", "secrets", "serviceaccounts", "configmaps"]),
        r(["update"], [LEGACY], ["secrets", "serviceaccounts"]),
        r(["create"], [AUTHN], ["tokenreviews"]),
        r(["create"], [AUTHZ], ["subjectaccessreviews"]),
        r(["list", "watch"], ["*"], ["*"]),
        r(["create"], [LEGACY], ["serviceaccounts/token"]),
    ], None),
    ("system:kube-dns", {}, [r(["list", "watch"], [LEGACY], ["endpoints", "services"])], None),
    ("system:persistent-volume-provisioner", {}, [
        r(["get", "list", "watch", "create", "delete"], [LEGACY], ["persistentvolumes"]),
        r(["get", "list", "watch", "update"], [LEGACY], ["persistentvolumeclaims"]),
        r(READ, [STORAGE], ["storageclasses"]),
        r(["watch"], [LEGACY], ["events"]),
        EVENTS_RULE,
    ], None),
    ("system:certificates.k8s.io:certificatesigningrequests:nodeclient", {},
     [r(["create"], [CERTIFICATES], ["certificatesigningrequests/nodeclient"])], None),
    ("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", {},
     [r(["create"], [CERTIFICATES], ["certificatesigningrequests/selfnodeclient"])], None),
    ("system:volume-scheduler", {}, [r(READ_UPDATE, [LEGACY], ["persistentvolumes"]),
                                     r(READ, [STORAGE], ["storageclasses"]),
                                     r(READ_UPDATE, [LEGACY], ["persistentvolumeclaims"])], None),
    ("system:certificates.k8s.io:legacy-unknown-approver", {},
     [r(["approve"], [CERTIFICATES], ["signers"], ["kubernetes.io/legacy-unknown"])], None),
    ("system:certificates.k8s.io:kubelet-serving-approver", {},
     [r(["approve"], [CERTIFICATES], ["signers"], ["kubernetes.io/kubelet-serving"])], None),
    ("system:certificates.k8s.io:kube-apiserver-client-approver", {},
     [r(["approve"], [CERTIFICATES], ["signers"], ["kubernetes.io/kube-apiserver-client"])], None),
    ("system:certificates.k8s.io:kube-apiserver-client-kubelet-approver", {},
     [r(["approve"], [CERTIFICATES], ["signers"], ["kubernetes.io/kube-apiserver-client-kubelet"])], None),
    ("system:service-account-issuer-discovery", {}, [urls(["get"], [
        "/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks",
        "/openid/v1/jwks/"])], None),
    ("system:node-proxier", {}, [
        r(["list", "watch"], [LEGACY], ["services", "endpoints"]),
        r(["get", "list", "watch"], [LEGACY], ["nodes"]),
        EVENTS_RULE,
        r(["list", "watch"], [DISCOVERY], ["endpointslices"]),
    ], None),
    ("system:kube-scheduler", {}, [
        EVENTS_RULE,
        r(["create"], [COORDINATION], ["leases"]),
        # list and watch of its lease and the lease candidates: coordinated leader election (kube 1.31)
        r(["get", "update", "list", "watch"], [COORDINATION], ["leases"], ["kube-scheduler"]),
        r(READ_WRITE, [COORDINATION], ["leasecandidates"]),
        r(READ, [LEGACY], ["nodes"]),
        r(["get", "list", "watch", "delete"], [LEGACY], ["pods"]),
        r(["create"], [LEGACY], ["pods/binding", "bindings"]),
        r(["patch", "update"], [LEGACY], ["pods/status"]),
        r(READ, [LEGACY], ["services", "replicationcontrollers"]),
        r(READ, [APPS, EXTENSIONS], ["replicasets"]),
        r(READ, [APPS], ["statefulsets"]),
        r(READ, [POLICY], ["poddisruptionbudgets"]),
        r(READ, [LEGACY], ["persistentvolumeclaims", "persistentvolumes"]),
        r(["create"], [AUTHN], ["tokenreviews"]),
        r(["create"], [AUTHZ], ["subjectaccessreviews"]),
        r(READ, [STORAGE], ["csinodes"]),
        r(READ, [LEGACY], ["namespaces"]),
        r(READ, [STORAGE], ["csidrivers"]),
        r(READ, [STORAGE], ["csistoragecapacities"]),
    ], None),
]


def group(name: str) -> Obj:
    return {"apiGroup": RBAC, "kind": "Group", "name": name}


def user(name: str) -> Obj:
    return {"apiGroup": RBAC, "kind": "User", "name": name}


def subject_account(namespace: str, name: str) -> Obj:
    return {"kind": "ServiceAccount", "name": name, "namespace": namespace}


# (binding and role name, subjects)
_CLUSTER_ROLE_BINDINGS: list[tuple[str, list[Obj]]] = [
    ("cluster-admin", [group("system:masters")]),
    ("system:monitoring", [group("system:monitoring")]),
    ("system:discovery", [group("system:authenticated")]),
    ("system:basic-user", [group("system:authenticated")]),
    ("system:public-info-viewer", [group("system:authenticated"), group("system:unauthenticated")]),
    ("system:node-proxier", [user("system:kube-proxy")]),
    ("system:kube-controller-manager", [user("system:kube-controller-manager")]),
    ("system:kube-dns", [subject_account("kube-system", "kube-dns")]),
    ("system:kube-scheduler", [user("system:kube-scheduler")]),
    ("system:volume-scheduler", [user("system:kube-scheduler")]),
    # kept without subjects since the Node authorizer took over (kube 1.8), so that reconciliation never
    # re-adds the group
    ("system:node", []),
    ("system:service-account-issuer-discovery", [group("system:serviceaccounts")]),
]


def metadata(name: str, labels: dict[str, str] | None = None, namespace: str | None = None) -> Obj:
    meta: Obj = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta.update({"labels": {**LABELS, **(labels or {})}, "annotations": {AUTOUPDATE: "true"}})
    return meta


def role(kind: str, name: str, rules: list[Obj], namespace: str | None = None,
         labels: dict[str, str] | None = None) -> Obj:
    """A ClusterRole (or, with a namespace, a Role) of the default policy."""
    return {"apiVersion": RBAC_API, "kind": kind, "metadata": metadata(name, labels, namespace),
            "rules": [dict(rule) for rule in rules]}


def binding(kind: str, name: str, role_kind: str, role_name: str, subjects: list[Obj],
            namespace: str | None = None) -> Obj:
    """A ClusterRoleBinding (or, with a namespace, a RoleBinding) of the default policy."""
    obj: Obj = {"apiVersion": RBAC_API, "kind": kind, "metadata": metadata(name, None, namespace),
                "roleRef": {"apiGroup": RBAC, "kind": role_kind, "name": role_name}}
    if subjects:   # kube's serialization omits an empty list (system:node's binding)
        obj["subjects"] = [dict(s) for s in subjects]
    return obj


def cluster_roles() -> list[Obj]:
    roles = []
    for name, labels, rules, aggregation in _CLUSTER_ROLES:
        obj = role("ClusterRole", name, rules, labels=labels)
        if aggregation:
            obj["aggregationRule"] = aggregation
        roles.append(obj)
    return roles


def cluster_role_bindings() -> list[Obj]:
    return [binding("ClusterRoleBinding", name, "ClusterRole", name, subjects)
            for name, subjects in _CLUSTER_ROLE_BINDINGS]
