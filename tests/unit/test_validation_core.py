"""The core/v1 kinds' validators (api/validation/core.py), defaults (registry/coredefaults.py) and quantities
(api/meta/quantity.py), against kube 1.32's field paths and messages."""
from __future__ import annotations

import copy

import pytest

from apiserver.api.meta import quantity as q
from apiserver.api.validation import core as cv
from apiserver.registry import coredefaults, corekinds, defaults

_QUALIFIED = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
              "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
              "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
_SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
              "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
              "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")


def triples(causes) -> list[tuple[str, str, str]]:
    return [(c.reason, c.field, c.message) for c in causes]


# --- quantities ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "canonical"), [
    ("1", "1"), ("1Gi", "1Gi"), ("1.5Gi", "1536Mi"), ("1024Mi", "1Gi"), ("1000m", "1"), ("0.5", "500m"),
    ("1e3", "1e3"), ("1.5e3", "1500"), ("2000", "2k"), ("-1", "-1"), ("0Gi", "0"), ("512", "512"),
    ("0.0001", "1m"), (12, "12"), ("100m", "100m"), ("1E", "1E"), ("1023Ki", "1023Ki"), ("0.5Ki", "512"),
])
def test_quantities_print_in_kubes_canonical_form_after_milli_rounding(text, canonical) -> None:
    assert q.canonical_text(text) == canonical


def test_quantities_compare_and_round_as_go_does() -> None:
    assert q.parse("1Gi").value > q.parse("1G").value
    assert q.ceil_value(q.parse("-0.5")) == -1 and q.ceil_value(q.parse("1.2")) == 2
    assert q.milli_value(q.parse("1.5")) == 1500
    assert str(q.parse("1u")) == "1u" and str(q.round_up_milli(q.parse("1u"))) == "1m"
    with pytest.raises(q.QuantityError):
        q.parse("1.2.3")
    with pytest.raises(q.QuantityError):
        q.parse("5Q")


def test_quantity_structs_print_as_gos_percent_hash_v() -> None:
    assert q.go_struct("1Gi") == ('resource.Quantity{i:resource.int64Amount{value:1073741824, scale:0}, '
                                  'd:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1Gi", Format:"BinarySI"}')
    # not in canonical form: Go does not keep the string
    assert 's:""' in q.go_struct("8Gi") and 's:""' in q.go_struct("1000m")
    assert "value:1, scale:-3" in q.go_struct("1u")


# --- ServiceAccount, Namespace ------------------------------------------------------------------------------

def test_service_account_checks_finalizer_names_and_warns_of_mountable_secrets() -> None:
    sa = {"metadata": {"name": "sa", "finalizers": ["example.com/f", "custom"],
                       "annotations": {"kubernetes.io/enforce-mountable-secrets": "true"}},
          "secrets": [{"name": "s", "namespace": "x", "uid": "u"}, {"kind": "Secret"}]}
    assert triples(cv.service_account(sa)) == [
        ("FieldValueInvalid", "metadata.finalizers[1]",
         'Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified')]
    assert cv.service_account_warnings(sa) == [
        "metadata.annotations[kubernetes.io/enforce-mountable-secrets]: deprecated in v1.32+; prefer separate "
        "namespaces to isolate access to mounted secrets"]
    corekinds.clean_secret_references(sa)
    assert sa["secrets"] == [{"name": "s"}, {}]


def test_namespace_spec_finalizers_are_qualified_or_kubes_own() -> None:
    ns = {"metadata": {"name": "n"}, "spec": {"finalizers": ["kubernetes", "bar", "a/b_"]}}
    assert triples(cv.namespace(ns)) == [
        ("FieldValueInvalid", "spec.finalizers",
         'Invalid value: "bar": name is neither a standard finalizer name nor is it fully qualified'),
        ("FieldValueInvalid", "spec.finalizers", f'Invalid value: "a/b_": {_QUALIFIED}')]


# --- Node ---------------------------------------------------------------------------------------------------

def test_node_taints_resources_and_pod_cidrs() -> None:
    node = {"metadata": {"name": "n"},
            "spec": {"taints": [{"key": "k", "effect": "Bad"}, {"key": "k", "effect": "Bad"}, {"key": "k2"}],
                     "podCIDRs": ["10.0.0.0/24", "10.1.0.0/24"]},
            "status": {"capacity": {"cpu": "-1", "pods": "1.5"}}}
    coredefaults.node(node)
    assert node["spec"]["podCIDR"] == "10.0.0.0/24" and node["status"]["allocatable"] == {"cpu": "-1",
                                                                                            "pods": "1500m"}
    effects = '"NoSchedule", "PreferNoSchedule", "NoExecute"'
    assert triples(cv.node(node)) == [
        ("FieldValueNotSupported", "metadata.taints[0].effect",
         f'Unsupported value: "Bad": supported values: {effects}'),
        ("FieldValueNotSupported", "metadata.taints[1].effect",
         f'Unsupported value: "Bad": supported values: {effects}'),
        ("FieldValueDuplicate", "metadata.taints[1]",
         'Duplicate value: core.Taint{Key:"k", Value:"", Effect:"Bad", TimeAdded:(*v1.Time)(nil)}: taints must be '
         "unique by key and effect pair"),
        ("FieldValueRequired", "metadata.taints[2].effect", "Required value"),
        ("FieldValueInvalid", "status.capacity.cpu", 'Invalid value: "-1": must be greater than or equal to 0'),
        ("FieldValueInvalid", "status.capacity.pods", "Invalid value: 1500m: must be an integer"),
        ("FieldValueInvalid", "status.allocatable.cpu", 'Invalid value: "-1": must be greater than or equal to 0'),
        ("FieldValueInvalid", "status.allocatable.pods", "Invalid value: 1500m: must be an integer"),
        ("FieldValueInvalid", "spec.podCIDRs",
         'Invalid value: []string{"10.0.0.0/24", "10.1.0.0/24"}: may specify no more than one CIDR for each IP '
         "family")]


def test_node_pod_cidr_wins_over_pod_cidrs_and_dual_stack_is_fine() -> None:
    node = {"metadata": {"name": "n"}, "spec": {"podCIDR": "10.0.0.0/24", "podCIDRs": ["10.9.0.0/24"]}}
    coredefaults.node(node)
    assert node["spec"]["podCIDRs"] == ["10.0.0.0/24"]
    node["spec"]["podCIDRs"] = ["10.0.0.0/24", "fd00::/64"]
    assert cv.node(node) == []
    node["spec"]["podCIDRs"] = ["010.0.0.0/24", "nope"]
    assert [(c.reason, c.field) for c in cv.node(node)] == [
        ("FieldValueInvalid", "spec.podCIDRs[1]"), ("InternalError", "spec.podCIDRs"),
        ("FieldValueInvalid", "spec.podCIDRs")]


def test_node_update_keeps_pod_cidrs_provider_id_and_external_id() -> None:
    old = {"metadata": {"name": "n"}, "spec": {"podCIDRs": ["10.0.0.0/24"], "providerID": "aws://1",
                                               "externalID": "x"}}
    new = {"metadata": {"name": "n"}, "spec": {"podCIDRs": ["10.0.1.0/24"], "providerID": "aws://2"},
           "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.1"},
                                    {"type": "InternalIP", "address": "10.0.0.1"}]}}
    assert triples(cv.node_update(new, old)) == [
        ("FieldValueDuplicate", "status.addresses[1]",
         'Duplicate value: core.NodeAddress{Type:"InternalIP", Address:"10.0.0.1"}'),
        ("FieldValueForbidden", "spec.podCIDRs", 'Forbidden: node updates may not change podCIDR except from "" to '
                                                 "valid"),
        ("FieldValueForbidden", "spec.providerID",
         'Forbidden: node updates may not change providerID except from "" to valid'),
        ("FieldValueForbidden", "spec.externalID", "Forbidden: may not be updated")]
    assert cv.node_update({"metadata": {}, "spec": {"podCIDRs": ["10.0.1.0/24"], "providerID": "p"}},
                          {"metadata": {}, "spec": {}}) == []


# --- Endpoints ----------------------------------------------------------------------------------------------

def test_endpoints_addresses_and_ports() -> None:
    ep = {"metadata": {"name": "e"}, "subsets": [
        {"addresses": [{"ip": "bad"}, {"ip": "0.0.0.0"}, {"ip": "169.254.1.1", "hostname": "Bad_Host"}],
         "notReadyAddresses": [{"ip": "10.0.0.1", "nodeName": "Node_1"}],
         "ports": [{"port": 0, "protocol": "X"}, {"name": "a", "port": 70000}]},
        {"ports": [{"port": 80}]}]}
    coredefaults.endpoints(ep)
    assert ep["subsets"][1]["ports"] == [{"port": 80, "protocol": "TCP"}]
    assert triples(cv.endpoints(ep)) == [
        ("FieldValueInvalid", "subsets[0].addresses[0].ip",
         'Invalid value: "bad": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
        ("FieldValueInvalid", "subsets[0].addresses[0].ip", 'Invalid value: "bad": must be a valid IP address'),
        ("FieldValueInvalid", "subsets[0].addresses[1].ip", 'Invalid value: "0.0.0.0": may not be unspecified '
                                                             "(0.0.0.0)"),
        ("FieldValueInvalid", "subsets[0].addresses[2].hostname",
         "Invalid value: \"Bad_Host\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
         "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
         "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
        ("FieldValueInvalid", "subsets[0].addresses[2].ip",
         'Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)'),
        ("FieldValueInvalid", "subsets[0].notReadyAddresses[0].nodeName", f'Invalid value: "Node_1": {_SUBDOMAIN}'),
        ("FieldValueRequired", "subsets[0].ports[0].name", "Required value"),
        ("FieldValueInvalid", "subsets[0].ports[0].port", "Invalid value: 0: must be between 1 and 65535, inclusive"),
        ("FieldValueNotSupported", "subsets[0].ports[0].protocol",
         'Unsupported value: "X": supported values: "SCTP", "TCP", "UDP"'),
        ("FieldValueInvalid", "subsets[0].ports[1].port",
         "Invalid value: 70000: must be between 1 and 65535, inclusive"),
        ("FieldValueRequired", "subsets[1]", "Required value: must specify `addresses` or `notReadyAddresses`")]


def test_endpoints_take_sloppy_and_loopback_addresses() -> None:
    # leading zeros are Go's sloppy IPv4; loopback addresses are what the replicas of one host advertise
    ep = {"metadata": {"name": "e"}, "subsets": [{"addresses": [{"ip": "010.0.0.1"}, {"ip": "127.0.0.1"},
                                                                {"ip": "::1"}]}]}
    assert cv.endpoints(ep) == []


# --- PersistentVolume ---------------------------------------------------------------------------------------

def pv(**spec) -> dict:
    obj = {"metadata": {"name": "pv"}, "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                                                 **spec}}
    coredefaults.persistent_volume(obj)
    return obj


def test_persistent_volume_needs_capacity_access_modes_and_one_source() -> None:
    empty = {"metadata": {"name": "pv"}, "spec": {}}
    coredefaults.persistent_volume(empty)
    assert empty["spec"] == {"persistentVolumeReclaimPolicy": "Retain", "volumeMode": "Filesystem"}
    assert triples(cv.persistent_volume(empty)) == [
        ("FieldValueRequired", "spec.accessModes", "Required value"),
        ("FieldValueRequired", "spec.capacity", "Required value"),
        ("FieldValueNotSupported", "spec.capacity",
         'Unsupported value: core.ResourceList(nil): supported values: "storage"'),
        ("FieldValueRequired", "spec", "Required value: must specify a volume type")]


def test_persistent_volume_sources_modes_and_capacity() -> None:
    obj = pv(capacity={"storage": "0", "cpu": "1"}, accessModes=["ReadWriteOncePod", "ReadWriteOnce", "RWO"],
             hostPath={"path": "/x/../y", "type": "Dir"}, nfs={"server": "s", "path": "/p"},
             gcePersistentDisk={"pdName": ""}, persistentVolumeReclaimPolicy="Keep")
    supported = '"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"'
    assert triples(cv.persistent_volume(obj)) == [
        ("FieldValueNotSupported", "spec.accessModes", f'Unsupported value: "RWO": supported values: {supported}'),
        ("FieldValueForbidden", "spec.accessModes", "Forbidden: may not use ReadWriteOncePod with other access "
                                                    "modes"),
        ("FieldValueNotSupported", "spec.capacity", 'Unsupported value: core.ResourceList{"cpu":resource.Quantity{'
         'i:resource.int64Amount{value:1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", '
         'Format:"DecimalSI"}, "storage":resource.Quantity{i:resource.int64Amount{value:0, scale:0}, '
         'd:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"0", Format:"DecimalSI"}}: supported values: "storage"'),
        ("FieldValueInvalid", "spec.capacity[storage]", 'Invalid value: "0": must be greater than zero'),
        ("FieldValueNotSupported", "spec.persistentVolumeReclaimPolicy",
         'Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"'),
        ("FieldValueInvalid", "spec.hostPath.path", 'Invalid value: "/x/../y": must not contain \'..\''),
        ("FieldValueNotSupported", "spec.hostPath.type",
         'Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", '
         '"DirectoryOrCreate", "File", "FileOrCreate", "Socket"'),
        ("FieldValueForbidden", "spec.gcePersistentDisk", "Forbidden: may not specify more than 1 volume type"),
        ("FieldValueForbidden", "spec.nfs", "Forbidden: may not specify more than 1 volume type")]


@pytest.mark.parametrize(("source", "expected"), [
    ({"nfs": {"server": "", "path": "rel"}}, [
        ("FieldValueRequired", "spec.nfs.server", "Required value"),
        ("FieldValueInvalid", "spec.nfs.path", 'Invalid value: "rel": must be an absolute path')]),
    ({"gcePersistentDisk": {"partition": 300}}, [
        ("FieldValueRequired", "spec.persistentDisk.pdName", "Required value"),
        ("FieldValueInvalid", "spec.persistentDisk.partition", "Invalid value: 300: must be between 1 and 255, "
                                                               "inclusive")]),
    ({"csi": {"driver": "", "nodePublishSecretRef": {"name": "s"}}}, [
        ("FieldValueRequired", "spec.csi.driver", "Required value"),
        ("FieldValueInvalid", "spec.csi.driver", f'Invalid value: "": {_SUBDOMAIN}'),
        ("FieldValueRequired", "spec.csi.volumeHandle", "Required value"),
        ("FieldValueRequired", "spec.csi.nodePublishSecretRef.namespace", "Required value")]),
    ({"local": {"path": "/mnt"}}, [
        ("FieldValueRequired", "spec.nodeAffinity", "Required value: Local volume requires node affinity")]),
    ({"iscsi": {"targetPortal": "1.2.3.4:3260", "iqn": "bad", "lun": 300}}, [
        ("FieldValueInvalid", "spec.iscsi.iqn", 'Invalid value: "bad": must be valid format'),
        ("FieldValueInvalid", "spec.iscsi.lun", "Invalid value: 300: must be between 0 and 255, inclusive")]),
    ({"cephfs": {}}, [("FieldValueRequired", "spec.cephfs.monitors", "Required value")]),
    # kube never counts a flexVolume as a second source
    ({"flexVolume": {"driver": "d", "options": {"kubernetes.io/x": "1"}}, "nfs": {"server": "s", "path": "/"}}, [
        ("FieldValueInvalid", "spec.flexVolume.options[kubernetes.io/x]",
         'Invalid value: "kubernetes.io/x": kubernetes.io and k8s.io namespaces are reserved')]),
])
def test_persistent_volume_source_checks(source, expected) -> None:
    assert triples(cv.persistent_volume(pv(**source))) == expected


def test_persistent_volume_node_affinity() -> None:
    affinity = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
        {"key": "k", "operator": "In"}, {"key": "k", "operator": "Exists", "values": ["v"]},
        {"key": "bad key", "operator": "Lt", "values": ["1", "2"]}, {"key": "k", "operator": "Near"}]}]}}
    assert triples(cv.persistent_volume(pv(local={"path": "/mnt"}, nodeAffinity=affinity))) == [
        ("FieldValueRequired", "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values",
         "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
        ("FieldValueForbidden", "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[1].values",
         "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
        ("FieldValueRequired", "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[2].values",
         "Required value: must be specified single value when `operator` is 'Lt' or 'Gt'"),
        ("FieldValueInvalid", "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[2].key",
         f'Invalid value: "bad key": {_QUALIFIED}'),
        ("FieldValueInvalid", "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[3].operator",
         'Invalid value: "Near": not a valid selector operator')]
    assert triples(cv.persistent_volume(pv(local={"path": "/mnt"}, nodeAffinity={}))) == [
        ("FieldValueRequired", "spec.nodeAffinity.required", "Required value: must specify required node "
                                                             "constraints")]


def test_persistent_volume_update_keeps_the_source_volume_mode_and_node_affinity() -> None:
    affinity = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
        {"key": "failure-domain.beta.kubernetes.io/zone", "operator": "In", "values": ["a"]}]}]}}
    old = pv(hostPath={"path": "/a"}, nodeAffinity=affinity)
    # moving a beta node label to its GA label is allowed; the volume source may not change
    moved = copy.deepcopy(old)
    key = moved["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]
    key["key"] = "topology.kubernetes.io/zone"
    assert cv.persistent_volume_update(moved, old) == []
    new = copy.deepcopy(moved)
    new["spec"]["hostPath"]["path"] = "/b"
    new["spec"]["volumeMode"] = "Block"
    key["values"] = ["b"]
    new["spec"]["nodeAffinity"] = moved["spec"]["nodeAffinity"]
    found = triples(cv.persistent_volume_update(new, old))
    assert [(r, f) for r, f, _ in found] == [("FieldValueForbidden", "spec.persistentvolumesource"),
                                             ("FieldValueInvalid", "volumeMode"),
                                             ("FieldValueInvalid", "nodeAffinity")]
    assert found[0][2].startswith("Forbidden: spec.persistentvolumesource is immutable after creation\n")
    assert found[1][2] == 'Invalid value: "Block": field is immutable'
    assert found[2][2] == ("Invalid value: core.VolumeNodeAffinity{Required:(*core.NodeSelector)(0xc000000000)}: "
                           "field is immutable, except for updating from beta label to GA")


def test_persistent_volume_update_may_add_a_controller_expand_secret() -> None:
    old = pv(csi={"driver": "csi.example.com", "volumeHandle": "h"})
    new = copy.deepcopy(old)
    new["spec"]["csi"]["controllerExpandSecretRef"] = {"name": "s", "namespace": "ns"}
    assert cv.persistent_volume_update(new, old) == []


def test_persistent_volume_warnings_and_mount_options() -> None:
    obj = pv(rbd={"monitors": ["m"], "image": "i"}, persistentVolumeReclaimPolicy="Recycle",
             nodeAffinity={"required": {"nodeSelectorTerms": [{"matchExpressions": [
                 {"key": "beta.kubernetes.io/arch", "operator": "In", "values": ["amd64"]}]}]}})
    obj["metadata"]["annotations"] = {"volume.beta.kubernetes.io/storage-class": "fast"}
    assert obj["spec"]["rbd"] == {"monitors": ["m"], "image": "i", "pool": "rbd", "user": "admin",
                                  "keyring": "/etc/ceph/keyring"}
    assert cv.persistent_volume_warnings(obj) == [
        'metadata.annotations[volume.beta.kubernetes.io/storage-class]: deprecated since v1.8; use '
        '"storageClassName" attribute instead',
        "spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended "
        "approach is to use dynamic provisioning.",
        'spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].key: beta.kubernetes.io/arch is '
        'deprecated since v1.14; use "kubernetes.io/arch" instead',
        "spec.rbd: deprecated in v1.28, non-functional in v1.31+"]
    local = pv(local={"path": "/mnt"}, nodeAffinity={"required": {"nodeSelectorTerms": [{}]}})
    local["metadata"]["annotations"] = {"volume.beta.kubernetes.io/mount-options": "ro"}
    assert triples(cv.persistent_volume(local)) == [
        ("FieldValueForbidden", "metadata.annotations.volume.beta.kubernetes.io/mount-options",
         "Forbidden: may not specify mount options for this volume type")]


def test_persistent_volume_status_writes_time_phase_changes() -> None:
    stored = {"phase": "Pending", "lastPhaseTransitionTime": "2024-01-01T00:00:00Z"}
    assert corekinds.pv_status({"phase": "Pending"}, stored) == stored
    moved = corekinds.pv_status({"phase": "Bound"}, stored)
    assert moved is not None and moved["phase"] == "Bound"
    assert moved["lastPhaseTransitionTime"] != stored["lastPhaseTransitionTime"]
    timed = {"phase": "Bound", "lastPhaseTransitionTime": "2025-01-01T00:00:00Z"}
    assert corekinds.pv_status(timed, stored) == timed


# --- PersistentVolumeClaim ----------------------------------------------------------------------------------

def pvc(**spec) -> dict:
    obj = {"metadata": {"name": "c"}, "spec": {"accessModes": ["ReadWriteOnce"],
                                                "resources": {"requests": {"storage": "1Gi"}}, **spec}}
    corekinds.pvc_create(obj)
    coredefaults.persistent_volume_claim(obj)
    return obj


def test_persistent_volume_claim_create_checks() -> None:
    empty = {"metadata": {"name": "c"}, "spec": {}}
    coredefaults.persistent_volume_claim(empty)
    assert triples(cv.persistent_volume_claim(empty)) == [
        ("FieldValueRequired", "spec.accessModes", "Required value: at least 1 access mode is required"),
        ("FieldValueRequired", "spec.resources[storage]", "Required value")]
    obj = pvc(resources={"requests": {"storage": "-1Gi"}}, storageClassName="Fast", volumeMode="Raw",
              selector={"matchLabels": {"a": "b c"}, "matchExpressions": [{"key": "k", "operator": "In"}]},
              dataSource={"kind": "PersistentVolumeClaim", "name": "src"},
              dataSourceRef={"kind": "PersistentVolumeClaim", "name": "other"})
    assert triples(cv.persistent_volume_claim(obj)) == [
        ("FieldValueInvalid", "spec.selector.matchLabels",
         "Invalid value: \"b c\": a valid label must be an empty string or consist of alphanumeric characters, "
         "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
         "or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
        ("FieldValueRequired", "spec.selector.matchExpressions[0].values",
         "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
        ("FieldValueInvalid", "spec.resources[storage]", 'Invalid value: "-1Gi": must be greater than zero'),
        ("FieldValueInvalid", "spec.storageClassName", f'Invalid value: "Fast": {_SUBDOMAIN}'),
        ("FieldValueNotSupported", "spec.volumeMode",
         'Unsupported value: "Raw": supported values: "Block", "Filesystem"'),
        ("FieldValueInvalid", "spec", "Invalid value: spec.dataSource: must match dataSourceRef")]


def test_persistent_volume_claim_data_sources_are_mirrored_or_dropped() -> None:
    mirrored = pvc(dataSource={"kind": "PersistentVolumeClaim", "name": "src"})
    assert mirrored["spec"]["dataSourceRef"] == {"kind": "PersistentVolumeClaim", "name": "src"}
    dropped = pvc(dataSource={"apiGroup": "example.com", "kind": "Thing", "name": "t"})
    assert "dataSource" not in dropped["spec"] and "dataSourceRef" not in dropped["spec"]
    populated = pvc(dataSourceRef={"apiGroup": "example.com", "kind": "Thing", "name": "t"},
                    volumeAttributesClassName="gold")
    assert populated["spec"]["dataSource"] == {"apiGroup": "example.com", "kind": "Thing", "name": "t"}
    assert "volumeAttributesClassName" not in populated["spec"]


def test_persistent_volume_claim_spec_is_fixed_but_for_a_bound_claims_size() -> None:
    old = pvc()
    # only a bound claim may be resized
    grown = pvc(resources={"requests": {"storage": "2Gi"}})
    assert [c.field for c in cv.persistent_volume_claim_update(grown, old)] == ["spec"]
    bound_grown = {**grown, "status": {"phase": "Bound"}}
    assert cv.persistent_volume_claim_update(bound_grown, {**old, "status": {"phase": "Bound"}}) == []
    changed = pvc(accessModes=["ReadWriteMany"])
    found = triples(cv.persistent_volume_claim_update(changed, old))
    assert [(r, f) for r, f, _ in found] == [("FieldValueForbidden", "spec")]
    assert found[0][2] == ("Forbidden: spec is immutable after creation except resources.requests and "
                           "volumeAttributesClassName for bound claims\n  core.PersistentVolumeClaimSpec{\n"
                           '- \taccessModes: {"ReadWriteOnce"},\n+ \taccessModes: {"ReadWriteMany"},\n  }')
    # a bound claim may shrink back to its capacity, not below it; its volume name is set once
    bound_old = {**pvc(resources={"requests": {"storage": "4Gi"}}),
                 "status": {"phase": "Bound", "capacity": {"storage": "1Gi"}}}
    bound = {**pvc(resources={"requests": {"storage": "2Gi"}}, volumeName="pv-1"), "status": bound_old["status"]}
    assert cv.persistent_volume_claim_update(bound, bound_old) == []
    bound["spec"]["resources"]["requests"]["storage"] = "1Gi"
    assert triples(cv.persistent_volume_claim_update(bound, bound_old)) == [
        ("FieldValueForbidden", "spec.resources.requests.storage",
         "Forbidden: field can not be less than status.capacity")]


def test_persistent_volume_claim_storage_class_may_be_set_once_from_nothing() -> None:
    old = pvc()
    assert cv.persistent_volume_claim_update(pvc(storageClassName="fast"), old) == []
    assert [c.field for c in cv.persistent_volume_claim_update(pvc(storageClassName="slow"),
                                                                pvc(storageClassName="fast"))] == ["spec"]
    annotated = pvc()
    annotated["metadata"]["annotations"] = {"volume.beta.kubernetes.io/storage-class": "gold"}
    assert cv.persistent_volume_claim_update({**pvc(storageClassName="gold"), "metadata": annotated["metadata"]},
                                             annotated) == []


def test_persistent_volume_claim_warnings() -> None:
    obj = pvc(resources={"requests": {"storage": "1.5"}, "limits": {"storage": "2.5"}})
    assert cv.persistent_volume_claim_warnings(obj) == [
        'spec.resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer',
        'spec.resources.limits[storage]: fractional byte value "2500m" is invalid, must be an integer']


# --- LimitRange ---------------------------------------------------------------------------------------------

def test_limit_range_defaults_and_bounds() -> None:
    lr = {"metadata": {"name": "l"}, "spec": {"limits": [
        {"type": "Container", "min": {"cpu": "200m"}, "max": {"cpu": "100m"}, "maxLimitRequestRatio": {"cpu": "0.5"}},
        {"type": "Pod", "default": {"cpu": "1"}},
        {"type": "Foo", "max": {"foo": "1"}},
        {"type": "PersistentVolumeClaim"},
        {"type": "Container", "max": {"example.com/gpu": "2"}, "defaultRequest": {"example.com/gpu": "1"}},
        {"type": "Pod", "max": {"storage": "1", "Bad_Name": "1"}}]}}
    coredefaults.limit_range(lr)
    container = lr["spec"]["limits"][0]
    assert container["default"] == {"cpu": "100m"} and container["defaultRequest"] == {"cpu": "100m"}
    assert triples(cv.limit_range(lr)) == [
        ("FieldValueInvalid", "spec.limits[0].min[cpu]", "Invalid value: 200m: min value 200m is greater than max "
                                                         "value 100m"),
        ("FieldValueInvalid", "spec.limits[0].defaultRequest[cpu]",
         "Invalid value: 100m: min value 200m is greater than default request value 100m"),
        ("FieldValueInvalid", "spec.limits[0].default[cpu]",
         "Invalid value: 200m: min value 200m is greater than default value 100m"),
        ("FieldValueInvalid", "spec.limits[0].maxLimitRequestRatio[cpu]", "Invalid value: 500m: ratio 500m is less "
                                                                          "than 1"),
        ("FieldValueForbidden", "spec.limits[1].default", "Forbidden: may not be specified when `type` is 'Pod'"),
        ("FieldValueInvalid", "spec.limits[2].type",
         'Invalid value: "Foo": must be a standard limit type or fully qualified'),
        ("FieldValueInvalid", "spec.limits[2].max[foo]",
         "Invalid value: foo: must be a standard resource type or fully qualified"),
        ("FieldValueRequired", "spec.limits[3].limits",
         "Required value: either minimum or maximum storage value is required, but neither was provided"),
        ("FieldValueDuplicate", "spec.limits[4].type", 'Duplicate value: "Container"'),
        ("FieldValueInvalid", "spec.limits[4].defaultRequest[example.com/gpu]",
         "Invalid value: 1: default value 2 must equal to defaultRequest value 1 in example.com/gpu"),
        ("FieldValueDuplicate", "spec.limits[5].type", 'Duplicate value: "Pod"'),
        ("FieldValueInvalid", "spec.limits[5].max[Bad_Name]",
         "Invalid value: Bad_Name: must be a standard resource type or fully qualified"),
        ("FieldValueInvalid", "spec.limits[5].max[Bad_Name]",
         "Invalid value: Bad_Name: must be a standard resource for containers"),
        ("FieldValueInvalid", "spec.limits[5].max[storage]",
         "Invalid value: storage: must be a standard resource for containers")]


def test_limit_range_ratio_may_not_exceed_max_over_min() -> None:
    lr = {"metadata": {"name": "l"}, "spec": {"limits": [
        {"type": "Pod", "min": {"memory": "1Gi"}, "max": {"memory": "2Gi"}, "maxLimitRequestRatio": {"memory": "3"}}]}}
    assert triples(cv.limit_range(lr)) == [
        ("FieldValueInvalid", "spec.limits[0].maxLimitRequestRatio[memory]",
         "Invalid value: 3: ratio 3 is greater than max/min = 2.000000")]


# --- ResourceQuota ------------------------------------------------------------------------------------------

def test_resource_quota_names_values_and_scopes() -> None:
    rq = {"metadata": {"name": "q"}, "spec": {"hard": {"pods": "1.5", "foo": "1", "cpu": "-1",
                                                        "example.com/widgets": "2"},
                                               "scopes": ["BestEffort", "NotBestEffort", "Bogus"]}}
    coredefaults.resource_quota(rq)
    assert rq["spec"]["hard"]["pods"] == "1500m"
    scopes = '[]core.ResourceQuotaScope{"BestEffort", "NotBestEffort", "Bogus"}'
    assert triples(cv.resource_quota(rq)) == [
        ("FieldValueInvalid", "spec.hard[cpu]", 'Invalid value: "-1": must be greater than or equal to 0'),
        ("FieldValueInvalid", "spec.hard[foo]", "Invalid value: foo: must be a standard resource type or fully "
                                                "qualified"),
        ("FieldValueInvalid", "spec.hard[foo]", "Invalid value: foo: must be a standard resource for quota"),
        ("FieldValueInvalid", "spec.hard[pods]", "Invalid value: 1500m: must be an integer"),
        ("FieldValueInvalid", "spec.scopes", f"Invalid value: {scopes}: unsupported scope applied to resource"),
        ("FieldValueInvalid", "spec.scopes", f"Invalid value: {scopes}: unsupported scope"),
        ("FieldValueInvalid", "spec.scopes", f"Invalid value: {scopes}: conflicting scopes")]


def test_resource_quota_scope_selector() -> None:
    rq = {"metadata": {"name": "q"}, "spec": {"hard": {"pods": "1"}, "scopeSelector": {"matchExpressions": [
        {"scopeName": "Terminating", "operator": "In", "values": ["x"]},
        {"scopeName": "PriorityClass", "operator": "Exists", "values": ["high"]},
        {"scopeName": "Nope", "operator": "Near"}]}}}
    assert triples(cv.resource_quota(rq)) == [
        ("FieldValueInvalid", "spec.scopeSelector.matchExpressions.operator",
         'Invalid value: "In": must be \'Exists\' when scope is any of ResourceQuotaScopeTerminating, '
         "ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or "
         "ResourceQuotaScopeCrossNamespacePodAffinity"),
        ("FieldValueInvalid", "spec.scopeSelector.matchExpressions.values",
         "Invalid value: []string{\"high\"}: must be no value when `operator` is 'Exist' or 'DoesNotExist' for "
         "scope selector"),
        ("FieldValueInvalid", "spec.scopeSelector.matchExpressions.scopeName", 'Invalid value: "Nope": unsupported '
                                                                               "scope"),
        ("FieldValueInvalid", "spec.scopeSelector.matchExpressions.operator",
         'Invalid value: "Near": not a valid selector operator')]


def test_resource_quota_scopes_are_fixed() -> None:
    old = {"spec": {"scopes": ["BestEffort", "Terminating"]}}
    assert cv.resource_quota_update({"spec": {"scopes": ["Terminating", "BestEffort"]}}, old) == []
    assert triples(cv.resource_quota_update({"spec": {}}, old)) == [
        ("FieldValueInvalid", "spec.scopes", "Invalid value: []core.ResourceQuotaScope(nil): field is immutable")]


# --- ReplicationController, PodTemplate ---------------------------------------------------------------------

def test_replication_controller_spec() -> None:
    rc = {"metadata": {"name": "r"}, "spec": {
        "replicas": -1, "minReadySeconds": -2, "selector": {"a": "b"},
        "template": {"metadata": {"labels": {"a": "c", "bad key": "v"}}, "spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}], "activeDeadlineSeconds": 5}}}}
    defaults.replication_controller(rc)  # validation sees the defaulted template, as in kube
    assert triples(cv.replication_controller(rc)) == [
        ("FieldValueInvalid", "spec.minReadySeconds", "Invalid value: -2: must be greater than or equal to 0"),
        ("FieldValueInvalid", "spec.replicas", "Invalid value: -1: must be greater than or equal to 0"),
        ("FieldValueInvalid", "spec.template.metadata.labels",
         'Invalid value: map[string]string{"a":"c", "bad key":"v"}: `selector` does not match template `labels`'),
        ("FieldValueInvalid", "spec.template.labels", f'Invalid value: "bad key": {_QUALIFIED}'),
        ("FieldValueNotSupported", "spec.template.spec.restartPolicy",
         'Unsupported value: "Never": supported values: "Always"'),
        ("FieldValueForbidden", "spec.template.spec.activeDeadlineSeconds",
         "Forbidden: activeDeadlineSeconds in ReplicationController is not Supported")]
    assert triples(cv.replication_controller({"metadata": {"name": "r"}, "spec": {}})) == [
        ("FieldValueRequired", "spec.selector", "Required value"),
        ("FieldValueRequired", "spec.template", "Required value")]


def test_pod_template_validates_its_template() -> None:
    template = {"metadata": {"name": "t"}, "template": {"metadata": {"annotations": {"bad key": "v"}},
                                                        "spec": {"containers": []}}}
    defaults.pod_template(template)
    assert [(c.field, c.reason) for c in cv.pod_template(template)] == [
        ("template.annotations", "FieldValueInvalid"), ("template.spec.containers", "FieldValueRequired")]


# --- Event --------------------------------------------------------------------------------------------------

def test_core_events_match_their_involved_object_and_new_ones_name_their_reporter() -> None:
    old_style = {"metadata": {"name": "e", "namespace": "ns"}, "involvedObject": {"kind": "Pod", "name": "p"}}
    mismatch = ("FieldValueInvalid", "involvedObject.namespace", 'Invalid value: "": does not match event.namespace')
    assert triples(cv.event(old_style)) == [mismatch]
    assert cv.event({**old_style, "metadata": {"name": "e", "namespace": "default"}}) == []
    new_style = {**old_style, "eventTime": "2024-01-01T00:00:00.000000Z", "reportingComponent": "example.com/ctl",
                 "reportingInstance": "i" * 129, "action": "Act", "message": "m" * 1025}
    assert triples(cv.event(new_style)) == [
        mismatch,
        ("FieldValueInvalid", "reportingInstance", 'Invalid value: "": can have at most 128 characters'),
        ("FieldValueRequired", "reason", "Required value"),
        ("FieldValueInvalid", "message", 'Invalid value: "": can have at most 1024 characters')]
    in_kube_system = {**new_style, "metadata": {"name": "e", "namespace": "kube-system"}, "reportingInstance": "i",
                      "reason": "R", "message": "m"}
    assert cv.event(in_kube_system) == []


def test_events_v1_rules() -> None:
    event = {"metadata": {"name": "Bad_Name", "namespace": "ns"}, "involvedObject": {"namespace": "ns"},
             "type": "Odd", "count": 2, "source": {"component": "kubelet"}, "firstTimestamp": "2024-01-01T00:00:00Z",
             "series": {"count": 1}}
    assert [(r, f) for r, f, _ in triples(cv.event_strict_create(event))] == [
        ("FieldValueInvalid", "metadata.name"), ("FieldValueInvalid", "series.count"),
        ("FieldValueRequired", "series.lastObservedTime"), ("FieldValueRequired", "eventTime"),
        ("FieldValueInvalid", "type"), ("FieldValueInvalid", "firstTimestamp"), ("FieldValueInvalid", "count"),
        ("FieldValueInvalid", "source")]
    assert triples(cv.event_strict_create(event))[4] == ("FieldValueInvalid", "type",
                                                         'Invalid value: "": has invalid value: Odd')
    old = {"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p"}, "message": "a",
           "count": 3, "firstTimestamp": "2024-01-01T00:00:00Z"}
    new = {**old, "message": "b", "count": 4, "firstTimestamp": "2024-01-02T00:00:01.5Z",
           "involvedObject": {"kind": "Pod", "name": "q"}}
    assert triples(cv.event_strict_update(new, old)) == [
        ("FieldValueInvalid", "involvedObject", 'Invalid value: core.ObjectReference{Kind:"Pod", Namespace:"", '
         'Name:"q", UID:"", APIVersion:"", ResourceVersion:"", FieldPath:""}: field is immutable'),
        ("FieldValueInvalid", "message", 'Invalid value: "b": field is immutable'),
        ("FieldValueInvalid", "firstTimestamp", "Invalid value: 2024-01-02 00:00:01.5 +0000 UTC: field is "
                                                "immutable"),
        ("FieldValueInvalid", "count", "Invalid value: 4: field is immutable")]
    assert cv.event_strict_update({**old, "series": {"count": 2, "lastObservedTime": "2024-01-01T00:00:00Z"}},
                                  old) == []


def test_event_source_field_falls_back_to_the_reporting_controller() -> None:
    assert corekinds.event_source({"source": {"component": "kubelet"}, "reportingComponent": "x"}) == "kubelet"
    assert corekinds.event_source({"reportingComponent": "example.com/ctl"}) == "example.com/ctl"
    assert corekinds.event_source({}) == ""


def test_defaulting_leaves_a_shared_status_alone() -> None:
    # an update's status is the stored object's own dict: defaulting it must not change the stored object
    stored = {"capacity": {"cpu": "4000m"}}
    node = {"metadata": {"name": "n"}, "status": stored}
    coredefaults.node(node)
    assert stored == {"capacity": {"cpu": "4000m"}}
    assert node["status"] == {"capacity": {"cpu": "4"}, "allocatable": {"cpu": "4"}}
    quota_status = {"hard": {"pods": "10"}, "used": {"cpu": "1000m"}}
    quota = {"metadata": {"name": "q"}, "spec": {}, "status": quota_status}
    coredefaults.resource_quota(quota)
    assert quota_status["used"] == {"cpu": "1000m"} and quota["status"]["used"] == {"cpu": "1"}
