"""kube-apiserver 1.32's Table columns for every served resource, as `kubectl get` prints them (kube's
pkg/printers/internalversion); a `*` marks a column kubectl shows only with `-o wide` (priority 1)."""
from __future__ import annotations

import pytest

from apiserver.api.printing.tables import to_table
from apiserver.registry.catalogue import CATALOGUE

KUBE_COLUMNS = {
    ("", "namespaces"): "Name|Status|Age",
    ("", "pods"): "Name|Ready|Status|Restarts|Age|IP*|Node*|Nominated Node*|Readiness Gates*",
    ("", "services"): "Name|Type|Cluster-IP|External-IP|Port(s)|Age|Selector*",
    ("", "configmaps"): "Name|Data|Age",
    ("", "secrets"): "Name|Type|Data|Age",
    ("", "serviceaccounts"): "Name|Secrets|Age",
    ("", "nodes"): ("Name|Status|Roles|Age|Version|"
                   "Internal-IP*|External-IP*|OS-Image*|Kernel-Version*|Container-Runtime*"),
    ("events.k8s.io", "events"): "Last Seen|Type|Reason|Object|Subobject*|Source*|Message|First Seen*|Count*|Name*",
    ("", "events"): "Last Seen|Type|Reason|Object|Subobject*|Source*|Message|First Seen*|Count*|Name*",
    ("", "endpoints"): "Name|Endpoints|Age",
    ("", "persistentvolumes"): ("Name|Capacity|Access Modes|Reclaim Policy|Status|"
                               "Claim|StorageClass|VolumeAttributesClass|Reason|Age|VolumeMode*"),
    ("", "persistentvolumeclaims"): ("Name|Status|Volume|Capacity|"
                                    "Access Modes|StorageClass|VolumeAttributesClass|Age|VolumeMode*"),
    ("", "limitranges"): "Name|Created At",
    ("", "resourcequotas"): "Name|Request|Limit|Age",
    ("", "replicationcontrollers"): "Name|Desired|Current|Ready|Age|Containers*|Images*|Selector*",
    ("", "podtemplates"): "Name|Containers|Images|Pod Labels",
    ("apps", "deployments"): "Name|Ready|Up-to-date|Available|Age|Containers*|Images*|Selector*",
    ("apps", "replicasets"): "Name|Desired|Current|Ready|Age|Containers*|Images*|Selector*",
    ("apps", "statefulsets"): "Name|Ready|Age|Containers*|Images*",
    ("apps", "daemonsets"): ("Name|Desired|Current|Ready|Up-to-date|"
                            "Available|Node Selector|Age|Containers*|Images*|Selector*"),
    ("apps", "controllerrevisions"): "Name|Controller|Revision|Age",
    ("autoscaling", "horizontalpodautoscalers"): "Name|Reference|Targets|MinPods|MaxPods|Replicas|Age",
    ("batch", "jobs"): "Name|Status|Completions|Duration|Age|Containers*|Images*|Selector*",
    ("batch", "cronjobs"): "Name|Schedule|Timezone|Suspend|Active|Last Schedule|Age|Containers*|Images*|Selector*",
    ("coordination.k8s.io", "leases"): "Name|Holder|Age",
    ("rbac.authorization.k8s.io", "roles"): "Name|Created At",
    ("rbac.authorization.k8s.io", "rolebindings"): "Name|Role|Age|Users*|Groups*|ServiceAccounts*",
    ("rbac.authorization.k8s.io", "clusterroles"): "Name|Created At",
    ("rbac.authorization.k8s.io", "clusterrolebindings"): "Name|Role|Age|Users*|Groups*|ServiceAccounts*",
    ("storage.k8s.io", "storageclasses"): "Name|Provisioner|ReclaimPolicy|VolumeBindingMode|AllowVolumeExpansion|Age",
    ("storage.k8s.io", "csidrivers"): ("Name|AttachRequired|PodInfoOnMount|StorageCapacity|"
                                      "TokenRequests|RequiresRepublish|Modes|Age"),
    ("storage.k8s.io", "csinodes"): "Name|Drivers|Age",
    ("storage.k8s.io", "csistoragecapacities"): "Name|StorageClassName|Capacity",
    ("storage.k8s.io", "volumeattachments"): "Name|Attacher|PV|Node|Attached|Age",
    ("scheduling.k8s.io", "priorityclasses"): "Name|Value|Global-Default|Age|PreemptionPolicy",
    ("networking.k8s.io", "ingresses"): "Name|Class|Hosts|Address|Ports|Age",
    ("networking.k8s.io", "networkpolicies"): "Name|Pod-Selector|Age",
    ("networking.k8s.io", "ingressclasses"): "Name|Controller|Parameters|Age",
    ("node.k8s.io", "runtimeclasses"): "Name|Handler|Age",
    ("discovery.k8s.io", "endpointslices"): "Name|AddressType|Ports|Endpoints|Age",
    ("policy", "poddisruptionbudgets"): "Name|Min Available|Max Unavailable|Allowed Disruptions|Age",
    ("certificates.k8s.io", "certificatesigningrequests"): "Name|Age|SignerName|Requestor|RequestedDuration|Condition",
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): "Name|Webhooks|Age",
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): "Name|Webhooks|Age",
}


def test_every_stored_resource_is_listed() -> None:
    served = {(r.group, r.plural) for r in CATALOGUE if not r.virtual}
    assert served == set(KUBE_COLUMNS)


@pytest.mark.parametrize("group, plural", sorted(KUBE_COLUMNS))
def test_columns_are_kubes(group: str, plural: str) -> None:
    table = to_table(group, plural, [], {}, "None")
    got = [c["name"] + ("*" if c["priority"] else "") for c in table["columnDefinitions"]]
    assert got == KUBE_COLUMNS[(group, plural)].split("|")
