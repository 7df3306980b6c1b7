"""--storage-media-type: every media type round-trips, and every encoding is read whatever the configured one."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import orjson
import pytest
import yaml

from apiserver.api.protobuf import decode_body
from apiserver.api.protobuf.envelope import MAGIC, open_envelope, seal_envelope
from apiserver.api.protobuf.registry import CLASSES, message_for
from apiserver.options.errors import ConfigError
from apiserver.options.flags import parse_flags
from apiserver.registry.semantic import spec_changed
from apiserver.storage.codec import decode, encode, normalize
from apiserver.storage.media_type import JSON, MEDIA_TYPES, PROTOBUF, YAML

GOLDEN = Path(__file__).parent / "protobuf_golden"

POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web", "namespace": "ns", "uid": "0b7e1c9e-5f8d-4a57-a5c2-0c7d3c4a9b11",
                    "resourceVersion": "12", "creationTimestamp": "2026-12-03T20:00:00Z",
                    "labels": {"app": "web"}, "annotations": {"note": "yes"}},
       "spec": {"containers": [{"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80,
                                                                                 "protocol": "TCP"}],
                                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                                "terminationMessagePath": "/dev/termination-log",
                                "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
                "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                "securityContext": {}, "schedulerName": "default-scheduler", "enableServiceLinks": True},
       "status": {"phase": "Pending", "qosClass": "Burstable"}}
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": "d", "namespace": "ns", "generation": 1, "uid": "u-1",
                           "creationTimestamp": "2026-12-03T20:00:00Z"},
              "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "d"}},
                       "template": {"metadata": {"labels": {"app": "d"}},
                                    "spec": {"containers": [{"name": "c", "image": "busybox"}]}},
                       "strategy": {"type": "RollingUpdate",
                                    "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}},
                       "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
              "status": {}}
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ns"},
             "data": {"on": "yes", "when": "2026-01-01", "n": "1", "empty": "", "multi": "a\nb\n"}}
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "ns"}, "type": "Opaque",
          "data": {"k": "dmFsdWU="}}
LEASE = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l", "namespace": "ns"},
         "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15, "renewTime": "2026-12-03T20:00:00.123456Z"}}
OBJECTS = [POD, DEPLOYMENT, CONFIGMAP, SECRET, LEASE]


def read_back(obj: dict, revision: int = 10) -> dict:
    """What a reader sees: the object as stored, with the revision as its resourceVersion."""
    out = copy.deepcopy(obj)
    out["metadata"]["resourceVersion"] = str(revision)
    if out.get("status") == {}:  # an empty struct: Go's JSON omits it after a protobuf round trip
        del out["status"]
    return out


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: o["kind"])
def test_every_media_type_round_trips(media_type, obj):
    data = encode(obj, media_type)
    back = decode(data, 10)
    expected = read_back(obj) if media_type == PROTOBUF else {**obj, "metadata": {**obj["metadata"],
                                                                                    "resourceVersion": "10"}}
    assert back == expected
    assert decode(encode(back, media_type), 10) == back


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: o["kind"])
def test_what_each_media_type_writes(obj):
    assert orjson.loads(encode(obj, JSON))["kind"] == obj["kind"]
    assert yaml.safe_load(encode(obj, YAML))["kind"] == obj["kind"]
    data = encode(obj, PROTOBUF)
    # what `etcdctl get` shows: the magic, then runtime.Unknown naming the stored apiVersion and kind
    assert data.startswith(MAGIC)
    envelope = open_envelope(data)
    assert (envelope.api_version, envelope.kind) == (obj["apiVersion"], obj["kind"])


@pytest.mark.parametrize("media_type", MEDIA_TYPES)
def test_resource_version_is_stored_in_no_encoding(media_type):
    data = encode(POD, media_type)
    stored = {JSON: orjson.loads, YAML: yaml.safe_load, PROTOBUF: decode_body}[media_type](data)
    assert "resourceVersion" not in stored["metadata"] and stored["metadata"]["uid"] == POD["metadata"]["uid"]
    assert POD["metadata"]["resourceVersion"] == "12"   # the caller's object is left alone


def test_a_kind_without_a_protobuf_table_is_stored_as_json():
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 3}}
    assert encode(widget, PROTOBUF) == orjson.dumps(widget)


def test_a_value_protobuf_cannot_hold_is_stored_as_json_whole():
    odd = {**CONFIGMAP, "extra": {"kept": True}}   # no such field in the ConfigMap message
    assert decode(encode(odd, PROTOBUF), 3)["extra"] == {"kept": True}


@pytest.mark.parametrize("name", ["core.v1.Pod", "apps.v1.Deployment", "core.v1.Secret"])
def test_kube_written_protobuf_is_read(name):
    # Go's own bytes for a fully populated object, as kube-apiserver would have stored it
    stored = (GOLDEN / f"{name}.pb").read_bytes()
    obj = decode(stored, 5)
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    expected["metadata"]["resourceVersion"] = "5"
    assert obj == expected


def test_yaml_as_kube_writes_it_is_read():
    stored = b"apiVersion: v1\ndata:\n  \"on\": \"yes\"\n  when: \"2026-01-01\"\nkind: ConfigMap\nmetadata:\n" \
             b"  creationTimestamp: 2026-12-03T20:00:00Z\n  name: c\n"
    assert decode(stored, 4) == {"apiVersion": "v1", "kind": "ConfigMap", "data": {"on": "yes", "when": "2026-01-01"},
                                 "metadata": {"name": "c", "creationTimestamp": "2026-12-03T20:00:00Z",
                                              "resourceVersion": "4"}}


@pytest.fixture
def base(tmp_path: Path) -> list[str]:
    for name in ("cert", "key"):
        (tmp_path / name).write_text(name)
    return ["--etcd-servers=https://127.0.0.1:2379", f"--tls-cert-file={tmp_path / 'cert'}",
            f"--tls-private-key-file={tmp_path / 'key'}"]


@pytest.mark.parametrize("value, expected", [(None, JSON), ("", JSON)] + [(m, m) for m in MEDIA_TYPES])
def test_flag(base, value, expected):
    flags = base if value is None else [*base, f"--storage-media-type={value}"]
    assert parse_flags(flags).etcd.storage_media_type == expected


def test_flag_refuses_other_values(base):
    with pytest.raises(ConfigError) as caught:
        parse_flags([*base, "--storage-media-type=application/cbor"])
    assert str(caught.value) == ('--storage-media-type "application/cbor" invalid, allowed values: application/json, '
                                 'application/vnd.kubernetes.protobuf, application/yaml')


# --- protobuf bodies are Go's bytes even for sparse objects: Go writes every non-pointer field ---

def test_a_sparse_object_carries_gos_zero_values():
    data = encode({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "resourceVersion": "9"}},
                  PROTOBUF)
    meta = (b"\x0a\x01c"       # name
            b"\x12\x00\x1a\x00\x22\x00\x2a\x00\x32\x00"   # generateName, namespace, selfLink, uid, resourceVersion: ""
            b"\x38\x00"        # generation: 0
            b"\x42\x00")       # creationTimestamp: the zero Time, an empty message
    raw = b"\x0a" + bytes([len(meta)]) + meta   # ConfigMap.metadata; data and binaryData are empty maps, immutable nil
    envelope = b"\x0a\x0f\x0a\x02v1\x12\x09ConfigMap" + b"\x12" + bytes([len(raw)]) + raw + b"\x1a\x00\x22\x00"
    assert data == MAGIC + envelope


def test_zero_values_of_shaped_types():
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
    message = CLASSES[message_for("v1", "Service")].FromString(open_envelope(encode(service, PROTOBUF)).raw)
    # a zero IntOrString writes all three of its fields; the port's other strings are written empty
    assert message.spec.ports[0].targetPort.SerializeToString() == b"\x08\x00\x10\x00\x1a\x00"
    assert message.spec.ports[0].HasField("name") and message.spec.ports[0].HasField("nodePort")
    assert not message.spec.HasField("ipFamilyPolicy")   # a pointer stays absent
    assert decode(encode(service, PROTOBUF), 1)["spec"] == service["spec"]


def test_fields_of_another_kube_version_are_dropped_on_read():
    # field 99 of ConfigMap is unknown here; Go skips unknown fields, so a value a newer kube wrote still reads
    data = encode(CONFIGMAP, PROTOBUF)
    envelope = open_envelope(data)
    raw = envelope.raw + b"\xfa\x06\x03new"   # field 99, length-delimited
    stored = seal_envelope(envelope.api_version, envelope.kind, raw)
    assert decode(stored, 2) == decode(data, 2)


# --- generation: a spec change as kube's typed comparison sees it ---

@pytest.mark.parametrize("new_spec, changed", [
    (DEPLOYMENT["spec"], False),
    # what protobuf storage reads back: no empty structs, no omitted zeros; the same Go value
    ({**DEPLOYMENT["spec"], "minReadySeconds": 0, "paused": False,
      "template": {**DEPLOYMENT["spec"]["template"], "metadata": {**DEPLOYMENT["spec"]["template"]["metadata"],
                                                                  "annotations": {}}}}, False),
    ({**DEPLOYMENT["spec"], "minReadySeconds": 5}, True),
    ({**DEPLOYMENT["spec"], "replicas": 1}, True),
    ({**DEPLOYMENT["spec"], "noSuchField": 1}, True),   # no protobuf form: the JSON difference stands
])
def test_spec_changed(new_spec, changed):
    old = copy.deepcopy(DEPLOYMENT)
    new = {**copy.deepcopy(DEPLOYMENT), "spec": new_spec, "status": {"replicas": 7},
           "metadata": {**DEPLOYMENT["metadata"], "labels": {"x": "y"}}}
    assert spec_changed(new, old) is changed


def test_spec_changed_for_a_kind_without_protobuf_form():
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"a": 0}}
    assert spec_changed({**widget, "spec": {}}, widget)
    assert not spec_changed({**widget, "metadata": {"name": "w", "labels": {"l": "v"}}}, widget)


@pytest.mark.parametrize("media_type", [JSON, YAML])
def test_normalize_is_the_identity_for_text(media_type):
    assert normalize(POD, media_type) is POD


def test_normalize_gives_what_protobuf_reads_back():
    pod = copy.deepcopy(POD)
    pod["spec"]["containers"][0]["resources"] = {}
    pod["spec"]["containers"][0]["ports"][0]["hostPort"] = 0
    normal = normalize(pod, PROTOBUF)
    assert normal == {**decode(encode(pod, PROTOBUF), 12)}   # the resourceVersion is kept, here "12"
    assert "resources" not in normal["spec"]["containers"][0]
    assert normal["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {}}
    assert normalize(widget, PROTOBUF) is widget   # stored as JSON
