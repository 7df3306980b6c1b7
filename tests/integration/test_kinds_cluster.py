"""The cluster kinds through the server as kube-apiserver 1.32 answers: StorageClass, CSIDriver, CSINode,
CSIStorageCapacity, VolumeAttachment, PriorityClass, RuntimeClass, Lease, CertificateSigningRequest and
PodDisruptionBudget. Each bad create and update is kube's 422 Invalid with its causes' fields and messages; then
the status split, generation, warnings, delete answers and selectable fields where kube has them."""
from __future__ import annotations

from typing import Any

import pytest

from tests.csr_tools import csr_request, issued_certificate
from tests.integration.conftest import make_namespace

STORAGE = "/apis/storage.k8s.io/v1"
LABEL_VALUE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
               "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex "
               "used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
NAME_PART = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
             "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
             "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
             "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
DNS_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
             "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
MERGE = {"Content-Type": "application/merge-patch+json"}


def _collection(kind: str, ns: str) -> str:
    return {
        "StorageClass": f"{STORAGE}/storageclasses",
        "CSIDriver": f"{STORAGE}/csidrivers",
        "CSINode": f"{STORAGE}/csinodes",
        "CSIStorageCapacity": f"{STORAGE}/namespaces/{ns}/csistoragecapacities",
        "VolumeAttachment": f"{STORAGE}/volumeattachments",
        "PriorityClass": "/apis/scheduling.k8s.io/v1/priorityclasses",
        "RuntimeClass": "/apis/node.k8s.io/v1/runtimeclasses",
        "Lease": f"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases",
        "CertificateSigningRequest": "/apis/certificates.k8s.io/v1/certificatesigningrequests",
        "PodDisruptionBudget": f"/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets",
    }[kind]


def _valid(kind: str) -> dict[str, Any]:
    """A body kube accepts, without metadata."""
    return {
        "StorageClass": {"provisioner": "example.com/disk", "parameters": {"tier": "1"}},
        "CSIDriver": {"spec": {}},
        "CSINode": {"spec": {"drivers": [{"name": "disk.example.com", "nodeID": "node-1", "topologyKeys": ["zone"]}]}},
        "CSIStorageCapacity": {"storageClassName": "standard", "capacity": "10Gi",
                               "nodeTopology": {"matchLabels": {"zone": "a"}}},
        "VolumeAttachment": {"spec": {"attacher": "disk.example.com", "nodeName": "node-1",
                                      "source": {"persistentVolumeName": "pv-1"}}},
        "PriorityClass": {"value": 100},
        "RuntimeClass": {"handler": "runc"},
        "Lease": {"spec": {"holderIdentity": "me", "leaseDurationSeconds": 15}},
        "CertificateSigningRequest": {"spec": {"request": csr_request(), "signerName": "example.com/signer",
                                               "usages": ["client auth"]}},
        "PodDisruptionBudget": {"spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}},
    }[kind]


async def _refused(api, method: str, path: str, body: Any, causes: list[tuple[str, str, str]],
                   headers: dict[str, str] | None = None) -> dict:
    status, answer = await api.request(method, path, body, headers=headers)
    assert status == 422 and answer["reason"] == "Invalid", answer
    assert [(c["field"], c["reason"], c["message"]) for c in answer["details"]["causes"]] == causes
    return answer


CREATES = [
    ("StorageClass", {"provisioner": "", "reclaimPolicy": "Recycle", "volumeBindingMode": "Later",
                      "parameters": {"": "x"}, "allowedTopologies": [{"matchLabelExpressions": [{"key": "zone"}]}]}, [
        ("provisioner", "FieldValueRequired", "Required value"),
        ("parameters", "FieldValueInvalid", 'Invalid value: "": field can not be empty.'),
        ("reclaimPolicy", "FieldValueNotSupported",
         'Unsupported value: "Recycle": supported values: "Delete", "Retain"'),
        ("volumeBindingMode", "FieldValueNotSupported",
         'Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"'),
        ("allowedTopologies[0].matchLabelExpressions[0].values", "FieldValueRequired", "Required value")]),
    ("StorageClass", {"provisioner": "Bad Disk"}, [
        ("provisioner", "FieldValueInvalid", f'Invalid value: "bad disk": {NAME_PART}')]),
    ("CSIDriver", {"spec": {"fsGroupPolicy": "Sometimes", "volumeLifecycleModes": ["Persistent", "Forever"],
                            "tokenRequests": [{"audience": "a", "expirationSeconds": 60}, {"audience": "a"}]}}, [
        ("spec.fsGroupPolicy", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "File", "None", "ReadWriteOnceWithFSType"'),
        ("spec.tokenRequests[0].expirationSeconds", "FieldValueInvalid",
         "Invalid value: 60: may not specify a duration less than 10 minutes"),
        ("spec.tokenRequests[1].audience", "FieldValueDuplicate", 'Duplicate value: "a"'),
        ("spec.volumeLifecycleModes", "FieldValueNotSupported",
         'Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"')]),
    ("CSINode", {"spec": {"drivers": [{"name": "", "nodeID": ""}, {
        "name": "disk.example.com", "nodeID": "n", "topologyKeys": ["bad key!", "bad key!"],
        "allocatable": {"count": -1}}]}}, [
        ("spec.drivers[0].name", "FieldValueRequired", "Required value"),
        ("spec.drivers[0].name", "FieldValueInvalid", f'Invalid value: "": {SUBDOMAIN}'),
        ("spec.drivers[0].nodeID", "FieldValueRequired", "Required value"),
        ("spec.drivers[1].allocatable.count", "FieldValueInvalid",
         "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.drivers[1]", "FieldValueInvalid", f'Invalid value: "bad key!": {NAME_PART}'),
        ("spec.drivers[1]", "FieldValueDuplicate", 'Duplicate value: "bad key!"'),
        ("spec.drivers[1]", "FieldValueInvalid", f'Invalid value: "bad key!": {NAME_PART}')]),
    ("CSIStorageCapacity", {"storageClassName": "Bad_Name", "capacity": "-1Gi",
                            "nodeTopology": {"matchLabels": {"zone": "a b"},
                                             "matchExpressions": [{"key": "rack", "operator": "Exists",
                                                                   "values": ["x"]}]}}, [
        ("nodeTopology.matchLabels", "FieldValueInvalid", f'Invalid value: "a b": {LABEL_VALUE}'),
        ("nodeTopology.matchExpressions[0].values", "FieldValueForbidden",
         "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
        ("storageClassName", "FieldValueInvalid", f'Invalid value: "Bad_Name": {SUBDOMAIN}'),
        ("capacity", "FieldValueInvalid", 'Invalid value: "-1Gi": must be greater than or equal to 0')]),
    ("VolumeAttachment", {"spec": {"attacher": "", "nodeName": "Node_1", "source": {}}}, [
        ("spec.attacher", "FieldValueRequired", "Required value"),
        ("spec.source", "FieldValueRequired",
         "Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName"),
        ("spec.nodeName", "FieldValueInvalid", f'Invalid value: "Node_1": {SUBDOMAIN}'),
        ("spec.attacher", "FieldValueRequired", "Required value"),
        ("spec.attacher", "FieldValueInvalid", f'Invalid value: "": {SUBDOMAIN}')]),
    ("VolumeAttachment", {"spec": {"attacher": "disk.example.com", "nodeName": "n",
                                   "source": {"persistentVolumeName": "PV"}}}, [
        ("spec.source.persistentVolumeName", "FieldValueInvalid", f'Invalid value: "PV": {SUBDOMAIN}')]),
    ("PriorityClass", {"value": 2000000000, "preemptionPolicy": "Sometimes"}, [
        ("value", "FieldValueForbidden", "Forbidden: maximum allowed value of a user defined priority is 1000000000"),
        ("preemptionPolicy", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"')]),
    ("RuntimeClass", {"handler": "Not_A_Label", "scheduling": {"nodeSelector": {"bad key!": "v"}, "tolerations": [
        {"operator": "Equal"}, {"key": "k", "effect": "Sometimes"}]}}, [
        ("handler", "FieldValueInvalid", f'Invalid value: "Not_A_Label": {DNS_LABEL}'),
        ("scheduling.nodeSelector", "FieldValueInvalid", f'Invalid value: "bad key!": {NAME_PART}'),
        ("scheduling.tolerations[0].operator", "FieldValueInvalid",
         'Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all '
         'keys"'),
        ("scheduling.tolerations[1].effect", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"')]),
    ("Lease", {"spec": {"leaseDurationSeconds": 0, "leaseTransitions": -1}}, [
        ("spec.leaseDurationSeconds", "FieldValueInvalid", "Invalid value: 0: must be greater than 0"),
        ("spec.leaseTransitions", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0")]),
    ("CertificateSigningRequest", {"spec": {"request": "Y3Ny", "signerName": "signer", "usages": [],
                                            "expirationSeconds": 60}}, [
        ("spec.request", "FieldValueInvalid",
         "Invalid value: []byte{0x63, 0x73, 0x72}: PEM block type must be CERTIFICATE REQUEST"),
        ("spec.usages", "FieldValueRequired", "Required value"),
        ("spec.signerName", "FieldValueInvalid",
         "Invalid value: \"signer\": must be a fully qualified domain and path of the form 'example.com/signer-name'"),
        ("spec.expirationSeconds", "FieldValueInvalid",
         "Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)")]),
    ("CertificateSigningRequest", {"spec": {"request": csr_request(), "signerName": "kubernetes.io/legacy-unknown",
                                            "usages": ["client auth", "teleport", "client auth"]}}, [
        ("spec.usages[1]", "FieldValueNotSupported",
         'Unsupported value: "teleport": supported values: "any", "cert sign", "client auth", "code signing", '
         '"content commitment", "crl sign", "data encipherment", "decipher only", "digital signature", '
         '"email protection", "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement", '
         '"key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime", "server auth", "signing", '
         '"timestamping"'),
        ("spec.usages[2]", "FieldValueDuplicate", 'Duplicate value: "client auth"'),
        ("spec.signerName", "FieldValueInvalid",
         'Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version')]),
    ("PodDisruptionBudget", {"spec": {"minAvailable": "150%", "unhealthyPodEvictionPolicy": "Never", "selector": {
        "matchExpressions": [{"key": "app", "operator": "In"}]}}}, [
        ("spec.minAvailable", "FieldValueInvalid",
         'Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%'),
        ("spec.selector.matchExpressions[0].values", "FieldValueRequired",
         "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
        ("spec.unhealthyPodEvictionPolicy", "FieldValueNotSupported",
         'Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"')]),
    ("PodDisruptionBudget", {"spec": {"maxUnavailable": "half"}}, [
        ("spec.maxUnavailable", "FieldValueInvalid",
         'Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"half"}: a valid percent string must be a '
         "numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")]),
]


@pytest.mark.parametrize(("kind", "body", "causes"), CREATES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CREATES)])
async def test_create_is_validated(api, new_ns, kind, body, causes):
    ns = new_ns()
    await make_namespace(api, ns)
    answer = await _refused(api, "POST", _collection(kind, ns), {**body, "metadata": {"name": ns}}, causes)
    group = _collection(kind, ns).split("/")[2]
    assert answer["details"]["kind"] == kind and answer["details"]["group"] == group
    assert answer["message"].startswith(f'{kind}.{group} "{ns}" is invalid: ')


async def test_reserved_and_system_priority_classes(api):
    path = _collection("PriorityClass", "")
    await _refused(api, "POST", path, {"metadata": {"name": "system-mine"}, "value": 5}, [
        ("metadata.name", "FieldValueForbidden", "Forbidden: priority class names with 'system-' prefix are reserved "
                                                 "for system use only. error: system-mine is not a known system "
                                                 "priority class")])
    await _refused(api, "POST", path, {"metadata": {"name": "system-node-critical"}, "value": 5}, [
        ("metadata.name", "FieldValueForbidden", "Forbidden: priority class names with 'system-' prefix are reserved "
                                                 "for system use only. error: value of system-node-critical "
                                                 "PriorityClass must be 2000001000")])
    status, created = await api.post(path, {"metadata": {"name": "system-cluster-critical"}, "value": 2000000000})
    assert status in (201, 409), created
    status, body = await api.delete(f"{path}/system-cluster-critical")
    assert status == 403 and body["reason"] == "Forbidden", body
    assert body["message"] == ('priorityclasses.scheduling.k8s.io "system-cluster-critical" is forbidden: this is a '
                               'system priority class and cannot be deleted')


async def test_pdb_min_available_and_max_unavailable_exclude_each_other(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    status, body = await api.post(_collection("PodDisruptionBudget", ns), {
        "metadata": {"name": "both"}, "spec": {"minAvailable": 1, "maxUnavailable": "10%"}})
    assert status == 422 and [c["field"] for c in body["details"]["causes"]] == ["spec"]
    message = body["details"]["causes"][0]["message"]
    assert message.startswith("Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(")
    assert message.endswith("UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: "
                            "minAvailable and maxUnavailable cannot be both set")


async def _created(api, kind: str, ns: str, name: str, **extra: Any) -> dict:
    status, body = await api.post(_collection(kind, ns), {**_valid(kind), **extra, "metadata": {"name": name}})
    assert status == 201, body
    return body


UPDATES = [
    ("StorageClass", {"provisioner": "example.com/other", "reclaimPolicy": "Retain"}, [
        ("provisioner", "FieldValueForbidden", "Forbidden: updates to provisioner are forbidden."),
        ("reclaimPolicy", "FieldValueForbidden", "Forbidden: updates to reclaimPolicy are forbidden.")]),
    ("CSIDriver", {"spec": {"attachRequired": False, "volumeLifecycleModes": ["Ephemeral"]}}, [
        ("spec.attachedRequired", "FieldValueInvalid", "Invalid value: false: field is immutable"),
        ("spec.volumeLifecycleModes", "FieldValueInvalid",
         'Invalid value: []storage.VolumeLifecycleMode{"Ephemeral"}: field is immutable')]),
    ("CSINode", {"spec": {"drivers": [{"name": "disk.example.com", "nodeID": "node-2", "topologyKeys": ["zone"]}]}}, [
        ("spec.drivers", "FieldValueInvalid",
         'Invalid value: storage.CSINodeDriver{Name:"disk.example.com", NodeID:"node-2", '
         'TopologyKeys:[]string{"zone"}, Allocatable:(*storage.VolumeNodeResources)(nil)}: field is immutable')]),
    ("CSIStorageCapacity", {"storageClassName": "fast", "nodeTopology": {"matchLabels": {"zone": "b"}}}, [
        ("nodeTopology", "FieldValueInvalid",
         'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"zone":"b"}, '
         "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"),
        ("storageClassName", "FieldValueInvalid", 'Invalid value: "fast": field is immutable')]),
    ("PriorityClass", {"value": 200, "preemptionPolicy": "Never"}, [
        ("value", "FieldValueForbidden", "Forbidden: may not be changed in an update."),
        ("preemptionPolicy", "FieldValueInvalid", 'Invalid value: "Never": field is immutable')]),
    ("RuntimeClass", {"handler": "kata"}, [
        ("handler", "FieldValueInvalid", 'Invalid value: "kata": field is immutable')]),
    ("Lease", {"spec": {"leaseDurationSeconds": -5}}, [
        ("spec.leaseDurationSeconds", "FieldValueInvalid", "Invalid value: -5: must be greater than 0")]),
    ("PodDisruptionBudget", {"spec": {"minAvailable": -2}}, [
        ("spec.minAvailable", "FieldValueInvalid", "Invalid value: -2: must be greater than or equal to 0")]),
]


@pytest.mark.parametrize(("kind", "patch", "causes"), UPDATES, ids=[u[0] for u in UPDATES])
async def test_update_is_validated(api, new_ns, kind, patch, causes):
    ns = new_ns()
    await make_namespace(api, ns)
    await _created(api, kind, ns, ns)
    await _refused(api, "PATCH", f"{_collection(kind, ns)}/{ns}", patch, causes, headers=MERGE)


async def test_volume_attachment_spec_is_fixed_and_status_split(api, new_ns):
    name = new_ns()
    path = f"{_collection('VolumeAttachment', '')}/{name}"
    created = await _created(api, "VolumeAttachment", "", name, status={"attached": True})
    assert created["status"] == {"attached": False} and "generation" not in created["metadata"]
    status, body = await api.request("PATCH", path, {"spec": {"nodeName": "node-2"}}, headers=MERGE)
    assert status == 422 and [c["field"] for c in body["details"]["causes"]] == ["spec"]
    assert body["details"]["causes"][0]["message"].startswith(
        'Invalid value: storage.VolumeAttachmentSpec{Attacher:"disk.example.com", Source:storage.VolumeAttachmentSource'
        "{PersistentVolumeName:(*string)(")
    assert body["details"]["causes"][0]["message"].endswith(
        'InlineVolumeSpec:(*core.PersistentVolumeSpec)(nil)}, NodeName:"node-2"}: field is immutable')
    # the main resource keeps the status, the status subresource the spec
    status, body = await api.request("PATCH", path, {"status": {"attached": True}, "metadata": {"labels": {"a": "b"}}},
                                     headers=MERGE)
    assert status == 200 and body["status"] == {"attached": False} and body["metadata"]["labels"] == {"a": "b"}
    status, body = await api.request("PATCH", f"{path}/status", {"status": {"attached": True}, "spec": {
        "nodeName": "node-2"}}, headers=MERGE)
    assert status == 200, body
    assert body["status"] == {"attached": True} and body["spec"]["nodeName"] == "node-1"
    await _refused(api, "PATCH", f"{path}/status", {"status": {"attachError": {"message": "x" * 1025}}}, [
        ("status.attachError.message", "FieldValueTooLong", "Too long: may not be more than 262144 bytes")],
        headers=MERGE)


async def test_pdb_status_split_generation_and_status_checks(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"{_collection('PodDisruptionBudget', ns)}/budget"
    created = await _created(api, "PodDisruptionBudget", ns, "budget", status={"currentHealthy": 9})
    assert created["metadata"]["generation"] == 1
    assert created["status"] == {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}
    status, body = await api.request("PATCH", path, {"spec": {"minAvailable": "50%"}, "status": {"expectedPods": 3}},
                                     headers=MERGE)
    assert status == 200, body
    assert body["metadata"]["generation"] == 2 and body["status"]["expectedPods"] == 0
    status, body = await api.request("PATCH", f"{path}/status", {"status": {"expectedPods": 3, "observedGeneration": 2},
                                                                 "spec": {"minAvailable": 5}}, headers=MERGE)
    assert status == 200, body
    assert body["status"]["expectedPods"] == 3 and body["spec"]["minAvailable"] == "50%"
    assert body["metadata"]["generation"] == 2
    await _refused(api, "PATCH", f"{path}/status", {"status": {"currentHealthy": -1, "conditions": [
        {"type": "DisruptionAllowed", "status": "Maybe", "reason": "1bad"}]}}, [
        ("status.conditions[0].status", "FieldValueNotSupported",
         'Unsupported value: "Maybe": supported values: "False", "True", "Unknown"'),
        ("status.conditions[0].lastTransitionTime", "FieldValueRequired", "Required value: must be set"),
        ("status.conditions[0].reason", "FieldValueInvalid",
         "Invalid value: \"1bad\": a condition reason must start with alphabetic character, optionally followed by a "
         "string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. "
         "'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for "
         "validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')"),
        ("status.currentHealthy", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0")],
        headers=MERGE)
    # kube checks no name rule of its own on budgets: any path segment will do
    status, body = await api.post(_collection("PodDisruptionBudget", ns), {**_valid("PodDisruptionBudget"),
                                                                           "metadata": {"name": "Budget_A"}})
    assert status == 201, body


async def test_csi_driver_generation_counts_spec_changes_from_zero(api, new_ns):
    name = f"{new_ns()}.csi.example.com"
    path = f"{_collection('CSIDriver', '')}/{name}"
    created = await _created(api, "CSIDriver", "", name)
    assert "generation" not in created["metadata"]
    status, body = await api.request("PATCH", path, {"metadata": {"labels": {"a": "b"}}}, headers=MERGE)
    assert status == 200 and "generation" not in body["metadata"]
    status, body = await api.request("PATCH", path, {"spec": {"podInfoOnMount": True}}, headers=MERGE)
    assert status == 200 and body["metadata"]["generation"] == 1


async def test_priority_class_generation_and_value(api, new_ns):
    name = new_ns()
    path = f"{_collection('PriorityClass', '')}/{name}"
    status, created = await api.post(_collection("PriorityClass", ""), {"metadata": {"name": name}})
    assert status == 201, created
    assert created["value"] == 0 and created["metadata"]["generation"] == 1
    status, body = await api.request("PATCH", path, {"description": "changed", "globalDefault": False}, headers=MERGE)
    assert status == 200 and body["metadata"]["generation"] == 1


async def test_lease_drops_coordinated_election_fields_and_upserts(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"{_collection('Lease', ns)}/held"
    status, body = await api.put(path, {"metadata": {"name": "held"}, "spec": {
        "holderIdentity": "me", "strategy": "OldestEmulationVersion", "preferredHolder": "you"}})
    assert status == 201, body
    assert body["spec"] == {"holderIdentity": "me"}


async def test_runtime_class_upserts_and_warns(api, new_ns):
    name = new_ns()
    path = f"{_collection('RuntimeClass', '')}/{name}"
    body = {"metadata": {"name": name}, "handler": "runc",
            "scheduling": {"nodeSelector": {"beta.kubernetes.io/os": "linux"}}}
    async with api.session.put(api.url + path, json=body) as resp:
        assert resp.status == 201, await resp.text()
        assert resp.headers.getall("Warning") == [
            '299 - "scheduling.nodeSelector: deprecated since v1.14; use \\"kubernetes.io/os\\" instead"']


async def test_storage_warnings(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    sc = {"metadata": {"name": ns}, "provisioner": "example.com/disk", "allowedTopologies": [{"matchLabelExpressions": [
        {"key": "failure-domain.beta.kubernetes.io/zone", "values": ["a"]}]}]}
    async with api.session.post(api.url + _collection("StorageClass", ns), json=sc) as resp:
        assert resp.status == 201, await resp.text()
        assert resp.headers.getall("Warning") == [
            '299 - "allowedTopologies[0].matchLabelExpressions[0]: deprecated since v1.17; use '
            '\\"topology.kubernetes.io/zone\\" instead"']
    capacity = {"metadata": {"name": "c"}, "storageClassName": "standard", "nodeTopology": {
        "matchExpressions": [{"key": "beta.kubernetes.io/arch", "operator": "Exists"}]}}
    async with api.session.post(api.url + _collection("CSIStorageCapacity", ns), json=capacity) as resp:
        assert resp.status == 201, await resp.text()
        assert resp.headers.getall("Warning") == [
            '299 - "nodeTopology.matchExpressions[0]: beta.kubernetes.io/arch is deprecated since v1.14; use '
            '\\"kubernetes.io/arch\\" instead"']


# ReturnDeletedObject in kube's storage.go: the deleted object, else a Success Status
DELETES = [("StorageClass", True), ("CSIDriver", True), ("CSINode", True), ("VolumeAttachment", True),
           ("CSIStorageCapacity", False), ("PriorityClass", False), ("RuntimeClass", False), ("Lease", False),
           ("CertificateSigningRequest", False), ("PodDisruptionBudget", False)]


@pytest.mark.parametrize(("kind", "returns_object"), DELETES, ids=[d[0] for d in DELETES])
async def test_delete_answer(api, new_ns, kind, returns_object):
    ns = new_ns()
    await make_namespace(api, ns)
    name = ns
    await _created(api, kind, ns, name)
    status, body = await api.delete(f"{_collection(kind, ns)}/{name}")
    assert status == 200, body
    if returns_object:
        assert body["kind"] == kind and body["metadata"]["name"] == name
    else:
        assert body["kind"] == "Status" and body["status"] == "Success" and body["details"]["name"] == name


async def test_csr_approval_and_status_rules(api, new_ns):
    name = new_ns()
    base = f"{_collection('CertificateSigningRequest', '')}/{name}"
    created = await _created(api, "CertificateSigningRequest", "", name)
    assert created["status"] == {}
    approved = {"type": "Approved", "status": "True", "reason": "Test"}
    denied = {"type": "Denied", "status": "True", "reason": "Test"}
    await _refused(api, "PUT", f"{base}/approval", {**created, "status": {"conditions": [approved, denied]}}, [
        ("status.conditions[1].type", "FieldValueInvalid",
         'Invalid value: "Denied": Approved and Denied conditions are mutually exclusive')])
    await _refused(api, "PUT", f"{base}/approval", {**created, "status": {"conditions": [
        {**approved, "status": "False"}]}}, [
        ("status.conditions[0].status", "FieldValueNotSupported",
         'Unsupported value: "False": supported values: "True"')])
    status, after = await api.put(f"{base}/approval", {**created, "status": {"conditions": [approved]}})
    assert status == 200, after
    condition = after["status"]["conditions"][0]
    assert condition["lastUpdateTime"] and condition["lastTransitionTime"]
    await _refused(api, "PUT", f"{base}/approval", {**after, "status": {"conditions": []}}, [
        ("status.conditions", "FieldValueForbidden",
         'Forbidden: updates may not remove a condition of type "Approved"')])
    # the status subresource writes the certificate and keeps the approval as stored
    await _refused(api, "PUT", f"{base}/status", {**after, "status": {**after["status"], "certificate": "Y2VydA=="}}, [
        ("status.certificate", "FieldValueInvalid",
         'Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block')])
    certificate = issued_certificate()
    status, issued = await api.put(f"{base}/status", {**after, "status": {
        "certificate": certificate, "conditions": [{**approved, "reason": "Rewritten"}]}})
    assert status == 200, issued
    assert issued["status"] == {"certificate": certificate, "conditions": after["status"]["conditions"]}
    await _refused(api, "PUT", f"{base}/status", {**issued, "status": {**issued["status"],
                                                                      "certificate": issued_certificate()}}, [
        ("status.certificate", "FieldValueForbidden",
         "Forbidden: updates may not modify existing certificate content")])
    # a failure is the signer's to report, through the status subresource
    failed = {"type": "Failed", "status": "True", "reason": "SignerError"}
    status, body = await api.put(f"{base}/status", {**issued, "status": {
        **issued["status"], "conditions": issued["status"]["conditions"] + [failed]}})
    assert status == 200 and [c["type"] for c in body["status"]["conditions"]] == ["Approved", "Failed"]
    status, listed = await api.get(_collection("CertificateSigningRequest", ""),
                                   params={"fieldSelector": f"spec.signerName=example.com/signer,metadata.name={name}"})
    assert status == 200 and [i["metadata"]["name"] for i in listed["items"]] == [name]
    status, body = await api.get(_collection("CertificateSigningRequest", ""),
                                 params={"fieldSelector": "spec.usages=x"})
    assert status == 400 and body["message"] == "field label not supported: spec.usages"
