"""kube-apiserver 1.32's rules for the cluster kinds (storage.k8s.io, scheduling, node, coordination, certificates,
policy): validators with kube's paths and messages, and the strategy hooks that prepare, stamp and refuse writes."""
from __future__ import annotations

import base64
from typing import Any

import pytest

from apiserver.api.meta.errors import StatusError
from apiserver.api.validation import cluster as cv
from apiserver.api.validation import storage as sv
from apiserver.registry import strategies
from tests.csr_tools import b64, certificate_pem, csr_request, request_pem

Causes = list[tuple[str, str]]


def _pairs(causes: list[Any]) -> Causes:
    return [(c.field, c.message) for c in causes]


def _csr(**spec: Any) -> dict:
    return {"metadata": {"name": "c"}, "spec": {"request": csr_request(), "signerName": "example.com/signer",
                                                "usages": ["client auth"], **spec}}


CREATE_CASES: list[tuple[str, Any, dict, Causes]] = [
    ("storage class", sv.storage_class, {"provisioner": "example.com/disk", "volumeBindingMode": "Immediate"}, []),
    ("storage class without binding mode", sv.storage_class, {"provisioner": "p"},
     [("volumeBindingMode", "Required value")]),
    ("storage class parameters", sv.storage_class,
     {"provisioner": "p", "volumeBindingMode": "Immediate", "parameters": {str(i): "" for i in range(513)}},
     [("parameters", "Too long: may not be more than 512 bytes")]),
    ("empty topology terms are duplicates of kube's pre-filled entries", sv.storage_class,
     {"provisioner": "p", "volumeBindingMode": "Immediate", "allowedTopologies": [{}]},
     [("allowedTopologies[0].matchLabelExpressions", 'Duplicate value: ""')]),
    ("csi driver defaults missing", sv.csi_driver, {"spec": {}},
     [("spec.attachedRequired", "Required value"), ("spec.podInfoOnMount", "Required value"),
      ("spec.storageCapacity", "Required value"), ("spec.seLinuxMount", "Required value")]),
    ("csi driver token too long-lived", sv.csi_driver,
     {"spec": {"attachRequired": True, "podInfoOnMount": False, "storageCapacity": False, "seLinuxMount": False,
               "tokenRequests": [{"audience": "a", "expirationSeconds": (1 << 32) + 1}]}},
     [("spec.tokenRequests[0].expirationSeconds",
       "Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds")]),
    ("csi node id too long", sv.csi_node, {"spec": {"drivers": [{"name": "d", "nodeID": "n" * 257}]}},
     [("spec.drivers[0].nodeID", f'Invalid value: "{"n" * 257}": must be 256 characters or less')]),
    ("csi node duplicate driver", sv.csi_node,
     {"spec": {"drivers": [{"name": "d", "nodeID": "n"}, {"name": "d", "nodeID": "n"}]}},
     [("spec.drivers[1].name", 'Duplicate value: "d"')]),
    ("attacher too long", sv.volume_attachment,
     {"spec": {"attacher": "a" * 64, "nodeName": "n", "source": {"persistentVolumeName": "pv"}}},
     [("spec.attacher", "Too long: may not be more than 63 bytes")]),
    ("both sources", sv.volume_attachment,
     {"spec": {"attacher": "a", "nodeName": "n", "source": {"persistentVolumeName": "pv", "inlineVolumeSpec": {}}}},
     [("spec.source", "Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName")]),
    ("system class with its value", cv.priority_class,
     {"metadata": {"name": "system-node-critical"}, "value": 2000001000}, []),
    ("system class as default", cv.priority_class,
     {"metadata": {"name": "system-node-critical"}, "value": 2000001000, "globalDefault": True},
     [("metadata.name", "Forbidden: priority class names with 'system-' prefix are reserved for system use only. "
                        "error: globalDefault of system-node-critical PriorityClass must be false")]),
    ("empty preemption policy", cv.priority_class, {"metadata": {"name": "p"}, "preemptionPolicy": ""},
     [("preemptionPolicy", "Required value")]),
    ("runtime class handler", cv.runtime_class, {"handler": ""},
     [("handler", "Invalid value: \"\": a lowercase RFC 1123 label must consist of lower case alphanumeric "
                  "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
                  "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")]),
    ("toleration value with Exists", cv.runtime_class,
     {"handler": "runc", "scheduling": {"tolerations": [{"key": "k", "operator": "Exists", "value": "v",
                                                         "tolerationSeconds": 5}]}},
     [("scheduling.tolerations[0].effect",
       "Invalid value: \"\": effect must be 'NoExecute' when `tolerationSeconds` is set"),
      ("scheduling.tolerations[0].operator",
       'Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"", '
       "TolerationSeconds:(*int64)(0xc000010000)}: value must be empty when `operator` is 'Exists'")]),
    ("toleration operator", cv.runtime_class,
     {"handler": "runc", "scheduling": {"tolerations": [{"key": "k", "operator": "Has"}]}},
     [("scheduling.tolerations[0].operator", 'Unsupported value: "Has": supported values: "Equal", "Exists"')]),
    ("lease", cv.lease, {"spec": {"leaseDurationSeconds": 1, "leaseTransitions": 0}}, []),
    ("csr", cv.certificate_signing_request, _csr(), []),
    ("csr without request", cv.certificate_signing_request,
     {"spec": {"signerName": "example.com/s", "usages": ["any"]}},
     [("spec.request", "Invalid value: []byte(nil): PEM block type must be CERTIFICATE REQUEST")]),
    ("csr signer with more slashes", cv.certificate_signing_request, _csr(signerName="a.b/c/d"),
     [("spec.signerName",
       "Invalid value: \"a.b/c/d\": must be a fully qualified domain and path of the form 'example.com/signer-name'")]),
    ("csr signer domain of one label", cv.certificate_signing_request, _csr(signerName="example/signer"),
     [("spec.signerName", 'Invalid value: "example": should be a domain with at least two segments separated by '
                          "dots")]),
    ("csr signer path", cv.certificate_signing_request, _csr(signerName="example.com/Signer"),
     [("spec.signerName", 'Invalid value: "Signer": validating label "Signer": a lowercase RFC 1123 subdomain must '
                          "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
                          "alphanumeric character (e.g. 'example.com', regex used for validation is "
                          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")]),
    ("pdb percent", cv.pod_disruption_budget, {"spec": {"maxUnavailable": "100%"}}, []),
    ("pdb negative count", cv.pod_disruption_budget, {"spec": {"minAvailable": -1}},
     [("spec.minAvailable", "Invalid value: -1: must be greater than or equal to 0")]),
    ("pdb selector", cv.pod_disruption_budget, {"spec": {"selector": {"matchLabels": {"a/b/c": "x"},
                                                                      "matchExpressions": [{"key": "k",
                                                                                            "operator": "Exists"}]}}},
     [("spec.selector.matchLabels", 'Invalid value: "a/b/c": a qualified name must consist of alphanumeric '
                                    "characters, '-', '_' or '.', and must start and end with an alphanumeric "
                                    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                                    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
                                    "subdomain prefix and '/' (e.g. 'example.com/MyName')")]),
]


@pytest.mark.parametrize(("validator", "obj", "causes"), [c[1:] for c in CREATE_CASES],
                         ids=[c[0] for c in CREATE_CASES])
def test_validators(validator, obj, causes) -> None:
    assert _pairs(validator(obj)) == causes


def test_csr_request_signature_and_certificates() -> None:
    pem = request_pem()
    body = b"".join(pem.splitlines()[1:-1])
    der = bytearray(base64.b64decode(body))
    der[-3] ^= 0xFF
    tampered = b"-----BEGIN CERTIFICATE REQUEST-----\n" + base64.b64encode(bytes(der)) + \
        b"\n-----END CERTIFICATE REQUEST-----\n"
    assert cv.request_error(pem) == ""
    assert cv.request_error(b"junk before\n" + pem) == ""
    assert cv.request_error(tampered) == "x509: ECDSA verification failure"
    assert cv.request_error(certificate_pem()) == "PEM block type must be CERTIFICATE REQUEST"
    assert cv.certificate_error(certificate_pem() + certificate_pem()) == ""
    assert cv.certificate_error(pem) == 'only CERTIFICATE PEM blocks are allowed, found "CERTIFICATE REQUEST"'
    with_headers = certificate_pem().replace(b"-----\n", b"-----\nProc-Type: 4,ENCRYPTED\n\n", 1)
    assert cv.certificate_error(with_headers) == "no PEM block headers are permitted"
    assert cv.certificate_error(b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n") == \
        "found CERTIFICATE PEM block containing 0 certificates"


def _approved(*kinds: str) -> list[dict]:
    return [{"type": k, "status": "True", "reason": "R", "lastUpdateTime": "t", "lastTransitionTime": "t"}
            for k in kinds]


def test_csr_update_rules_and_tolerance_of_stored_data() -> None:
    old = {**_csr(), "status": {"conditions": _approved("Approved")}}
    removed = {**_csr(), "status": {}}
    assert _pairs(cv.certificate_signing_request_update(removed, old)) == [
        ("status.conditions", 'Forbidden: updates may not remove a condition of type "Approved"')]
    issued = {**_csr(), "status": {"conditions": _approved("Approved"), "certificate": b64(certificate_pem())}}
    assert cv.certificate_signing_request_update(issued, old) == []
    reissued = {**issued, "status": {**issued["status"], "certificate": b64(certificate_pem())}}
    assert _pairs(cv.certificate_signing_request_update(reissued, issued)) == [
        ("status.certificate", "Forbidden: updates may not modify existing certificate content")]
    # what a stored object already holds is tolerated, as kube tolerates it
    legacy = {**_csr(usages=["client auth", "odd", "odd"]),
              "status": {"conditions": _approved("Approved", "Denied", "Denied")}}
    assert cv.certificate_signing_request_update(legacy, legacy) == []
    assert [c.field for c in cv.certificate_signing_request(legacy)] == [
        "spec.usages[1]", "spec.usages[2]", "spec.usages[2]", "status.conditions[1].type",
        "status.conditions[2].type", "status.conditions[2].type"]


UPDATE_CASES: list[tuple[str, Any, dict, dict, Causes]] = [
    ("storage class binding mode", sv.storage_class_update, {"volumeBindingMode": "WaitForFirstConsumer"},
     {"volumeBindingMode": "Immediate"},
     [("volumeBindingMode", 'Invalid value: "WaitForFirstConsumer": field is immutable')]),
    ("csi driver lifecycle modes dropped", sv.csi_driver_update, {"spec": {"attachRequired": True}},
     {"spec": {"attachRequired": True, "volumeLifecycleModes": ["Persistent"]}},
     [("spec.volumeLifecycleModes", "Invalid value: []storage.VolumeLifecycleMode(nil): field is immutable")]),
    ("csi node driver added and removed", sv.csi_node_update, {"spec": {"drivers": [{"name": "b", "nodeID": "n"}]}},
     {"spec": {"drivers": [{"name": "a", "nodeID": "n", "topologyKeys": []}]}}, []),
    ("csi node empty topology keys are none", sv.csi_node_update,
     {"spec": {"drivers": [{"name": "a", "nodeID": "n"}]}},
     {"spec": {"drivers": [{"name": "a", "nodeID": "n", "topologyKeys": []}]}}, []),
    ("capacity topology", sv.csi_storage_capacity_update, {"storageClassName": "s"},
     {"storageClassName": "s", "nodeTopology": {"matchExpressions": [{"key": "k", "operator": "In",
                                                                      "values": ["v"]}]}},
     [("nodeTopology", "Invalid value: null: field is immutable")]),
    ("priority class value", cv.priority_class_update, {"value": 1, "preemptionPolicy": "Never"},
     {"value": 1, "preemptionPolicy": "Never"}, []),
    ("runtime class handler", cv.runtime_class_update, {"handler": "a"}, {"handler": "a"}, []),
]


@pytest.mark.parametrize(("check", "new", "old", "causes"), [c[1:] for c in UPDATE_CASES],
                         ids=[c[0] for c in UPDATE_CASES])
def test_update_checks(check, new, old, causes) -> None:
    assert _pairs(check(new, old)) == causes


def test_label_selector_rendering() -> None:
    selector = {"matchLabels": {"b": "2", "a": "1"},
                "matchExpressions": [{"key": "k", "operator": "In", "values": ["x", "y"]}]}
    assert cv.go_label_selector(selector) == (
        'v1.LabelSelector{MatchLabels:map[string]string{"a":"1", "b":"2"}, '
        'MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"k", Operator:"In", '
        'Values:[]string{"x", "y"}}}}')


def test_warnings_of_deprecated_node_labels() -> None:
    capacity = {"nodeTopology": {"matchLabels": {"beta.kubernetes.io/os": "linux"}}}
    assert sv.csi_storage_capacity_warnings(capacity) == [
        'nodeTopology.matchLabels.beta.kubernetes.io/os: deprecated since v1.14; use "kubernetes.io/os" instead']
    assert sv.storage_class_warnings({"allowedTopologies": [{"matchLabelExpressions": [{"key": "zone"}]}]}) == []


def test_csr_status_write_keeps_the_approval_and_stamps_conditions() -> None:
    status_write = strategies.CERTIFICATE_SIGNING_REQUEST.status_write("status")
    stored = {"conditions": _approved("Approved")}
    sent = {"certificate": "Y2VydA==", "conditions": [
        {"type": "Approved", "status": "True", "reason": "Changed"}, {"type": "Failed", "status": "True",
                                                                      "reason": "X"}]}
    written = status_write(sent, stored)
    assert written is not None
    assert written["certificate"] == "Y2VydA=="
    assert written["conditions"][0] == stored["conditions"][0]
    assert written["conditions"][1]["lastUpdateTime"] == written["conditions"][1]["lastTransitionTime"]
    # an approval added through status is left out; one removed stays removed, for the update check to refuse
    added = status_write({"conditions": _approved("Approved", "Denied")}, {"conditions": []})
    assert added == {}
    assert status_write({}, stored) == {}


def test_csr_approval_write_takes_conditions_only() -> None:
    approval = strategies.CERTIFICATE_SIGNING_REQUEST.status_write("approval")
    stored = {"certificate": "Y2VydA==", "conditions": [
        {"type": "Pending", "status": "True", "reason": "R", "lastUpdateTime": "t", "lastTransitionTime": "then"}]}
    written = approval({"certificate": "other", "conditions": [
        {"type": "Pending", "status": "True", "reason": "R"}, {"type": "Approved", "status": "True", "reason": "R"}]},
        stored)
    assert written is not None and written["certificate"] == "Y2VydA=="
    assert written["conditions"][0]["lastTransitionTime"] == "then"
    assert written["conditions"][1]["lastTransitionTime"] != "then"


def test_strategy_preparations() -> None:
    lease = {"metadata": {}, "spec": {"holderIdentity": "a", "strategy": "s", "preferredHolder": "b"}}
    strategies.LEASE.prepare_create(lease)
    assert lease["spec"] == {"holderIdentity": "a"}
    kept = {"metadata": {}, "spec": {"strategy": "s2", "preferredHolder": "c"}}
    strategies.LEASE.prepare_update(kept, {"spec": {"strategy": "s"}})
    assert kept["spec"] == {"strategy": "s2"}
    driver = {"metadata": {}, "spec": {"podInfoOnMount": True}}
    strategies.CSI_DRIVER.prepare_update(driver, {"metadata": {}, "spec": {"podInfoOnMount": False}})
    assert driver["metadata"]["generation"] == 1
    priority = {"metadata": {}}
    strategies.PRIORITY_CLASS.prepare_create(priority)
    assert priority["metadata"]["generation"] == 1
    with pytest.raises(StatusError) as refused:
        strategies.PRIORITY_CLASS.check_delete({"metadata": {"name": "system-node-critical"}})
    assert refused.value.code == 403
    strategies.PRIORITY_CLASS.check_delete({"metadata": {"name": "mine"}})
