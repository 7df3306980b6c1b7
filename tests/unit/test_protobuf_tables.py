"""The generated tables against facts known independently of the generator, and against Go's own output:
k8s.io/api's serialization fixtures (tests/unit/protobuf_golden, copied by tools/protobuf_tables.py --golden-out)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apiserver.api.protobuf import (
    ProtobufEncodeError,
    decode_body,
    encode_object,
    watch_frame,
)
from apiserver.api.protobuf.registry import (
    CLASSES,
    SPECS,
    UNKNOWN,
    WATCH_EVENT,
    message_for,
)
from apiserver.api.protobuf.schema import Field
from apiserver.api.protobuf.shapes import SHAPES
from apiserver.api.protobuf.tojson import message_to_json
from apiserver.registry.catalogue import CATALOGUE, SUBRESOURCES

GOLDEN = Path(__file__).parent / "protobuf_golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.pb"))
META = "io.k8s.apimachinery.pkg.apis.meta.v1"


def field(message: str, name: str) -> Field:
    return next(f for f in SPECS[message].fields if f.name == name)


@pytest.mark.parametrize(("message", "name", "number", "flags"), [
    (f"{META}.ObjectMeta", "name", 1, ""),
    (f"{META}.ObjectMeta", "namespace", 3, ""),
    (f"{META}.ObjectMeta", "resourceVersion", 6, ""),
    (f"{META}.ObjectMeta", "deletionTimestamp", 9, "*"),
    (f"{META}.ObjectMeta", "managedFields", 17, ""),
    (f"{META}.Status", "code", 6, ""),
    (f"{META}.WatchEvent", "type", 1, "!"),
    (f"{META}.WatchEvent", "object", 2, "!"),
    ("io.k8s.api.apps.v1.DeploymentSpec", "replicas", 1, "*"),
    ("io.k8s.api.apps.v1.DeploymentSpec", "minReadySeconds", 5, ""),
    ("io.k8s.api.apps.v1.DeploymentStatus", "replicas", 2, ""),
    ("io.k8s.api.apps.v1.StatefulSetSpec", "replicas", 1, "*"),
    ("io.k8s.api.batch.v1.JobSpec", "parallelism", 1, "*"),
    ("io.k8s.api.core.v1.PodSpec", "containers", 2, ""),
    ("io.k8s.api.core.v1.Container", "image", 2, ""),
    ("io.k8s.api.core.v1.Volume", "volumeSource", 2, "^"),
    ("io.k8s.api.core.v1.ServiceSpec", "clusterIP", 3, ""),
    ("io.k8s.api.core.v1.ServiceAccount", "automountServiceAccountToken", 4, "*"),
    ("io.k8s.api.scheduling.v1.PriorityClass", "value", 2, "!"),
    ("io.k8s.api.autoscaling.v1.ScaleSpec", "replicas", 1, ""),
    ("io.k8s.api.coordination.v1.LeaseSpec", "renewTime", 4, "*"),
])
def test_well_known_fields(message: str, name: str, number: int, flags: str) -> None:
    f = field(message, name)
    assert f.number == number
    assert (f.pointer, f.always, f.inline) == ("*" in flags, "!" in flags, "^" in flags)


def test_types_and_shapes() -> None:
    data = field("io.k8s.api.core.v1.Secret", "data")
    assert data.map and data.type == "bytes"
    assert field("io.k8s.api.core.v1.PodSpec", "containers").repeated
    assert SPECS[f"{META}.Time"].shape == "time" and SPECS[f"{META}.MicroTime"].shape == "microtime"
    assert field("io.k8s.api.coordination.v1.LeaseSpec", "renewTime").type == f"{META}.MicroTime"
    assert SPECS["io.k8s.api.authentication.v1.ExtraValue"].shape == "items"
    assert SPECS["io.k8s.apimachinery.pkg.util.intstr.IntOrString"].shape == "intorstring"


# kinds the catalogue serves now, and those being added beside this work
PLANNED = [("v1", "ReplicationController"), ("v1", "PodTemplate"), ("apps/v1", "ControllerRevision"),
           ("autoscaling/v2", "HorizontalPodAutoscaler"), ("networking.k8s.io/v1", "IngressClass"),
           ("node.k8s.io/v1", "RuntimeClass"), ("storage.k8s.io/v1", "CSIDriver"), ("storage.k8s.io/v1", "CSINode"),
           ("storage.k8s.io/v1", "CSIStorageCapacity"), ("storage.k8s.io/v1", "VolumeAttachment"),
           ("certificates.k8s.io/v1", "CertificateSigningRequest"),
           ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"),
           ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration")]


@pytest.mark.parametrize(("api_version", "kind"), [(r.api_version, r.kind) for r in CATALOGUE] + PLANNED)
def test_every_kind_and_its_list_has_a_message(api_version: str, kind: str) -> None:
    assert message_for(api_version, kind) is not None
    # the create-only reviews have no list kind in kube either
    if not kind.endswith("Review"):
        assert message_for(api_version, kind + "List") is not None


def test_subresource_and_meta_kinds() -> None:
    for _, gvk in SUBRESOURCES.values():
        if gvk is not None:
            version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            assert message_for(version, gvk["kind"]) is not None, gvk
    for kind in ("Status", "DeleteOptions", "WatchEvent", "ListOptions"):
        assert message_for("apps/v1", kind) == f"{META}.{kind}"
    assert message_for("meta.k8s.io/v1", "Table") is None  # Table has no protobuf form in kube


# --- Go's own serialization of one object per kind ---

def golden(name: str) -> tuple[bytes, Any]:
    return (GOLDEN / f"{name}.pb").read_bytes(), json.loads((GOLDEN / f"{name}.json").read_text())


def test_golden_fixtures_present() -> None:
    assert len(CASES) >= 75
    assert "apps.v1.Deployment" in CASES and "core.v1.Pod" in CASES


@pytest.mark.parametrize("name", [c for c in CASES if not c.endswith(".WatchEvent")])
def test_golden_decode_and_encode(name: str) -> None:
    pb, obj = golden(name)
    assert decode_body(pb) == obj  # every field, named and shaped as Go prints it
    assert encode_object(obj) == pb  # and the very bytes Go writes


def test_golden_watch_event() -> None:
    # A WatchEvent has no TypeMeta: Go's envelope names no kind, and its object is embedded JSON here.
    pb, obj = golden("core.v1.WatchEvent")
    event = CLASSES[WATCH_EVENT].FromString(CLASSES[UNKNOWN].FromString(pb[4:]).raw)
    assert message_to_json(event) == obj


# --- zero values and errors ---

def deployment(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": spec}


def test_pointer_zero_survives_and_plain_zero_becomes_unset() -> None:
    back = decode_body(encode_object(deployment({"replicas": 0, "minReadySeconds": 0, "paused": False})))
    assert back["spec"] == {"replicas": 0}
    assert "spec" not in decode_body(encode_object(deployment({})))  # Go prints an empty struct as {}: dropped
    assert "replicas" not in decode_body(encode_object(deployment({"minReadySeconds": 3})))["spec"]


def test_unknown_json_field_is_an_encode_error() -> None:
    with pytest.raises(ProtobufEncodeError, match=r"spec\.template\.spec\.bogus: no protobuf field in "
                                                  r"io\.k8s\.api\.core\.v1\.PodSpec"):
        encode_object(deployment({"template": {"spec": {"bogus": 1}}}))


@pytest.mark.parametrize(("spec", "message"), [
    ({"replicas": "3"}, r"spec\.replicas: expected int32, got str"),
    ({"replicas": 2**40}, r"spec\.replicas"),
    ({"strategy": {"rollingUpdate": {"maxSurge": 1.5}}}, r"maxSurge: 1\.5 is neither"),
    ({"template": {"metadata": {"creationTimestamp": "yesterday"}}}, "not an RFC 3339 time"),
])
def test_bad_values_are_encode_errors(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(ProtobufEncodeError, match=message):
        encode_object(deployment(spec))


def test_unknown_kind_is_an_encode_error() -> None:
    with pytest.raises(ProtobufEncodeError, match="no protobuf schema"):
        encode_object({"apiVersion": "example.com/v1", "kind": "Widget"})


def test_shapes_round_trip() -> None:
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"},
             "spec": {"renewTime": "2024-05-06T07:08:09.123456Z", "leaseDurationSeconds": 0}}
    assert decode_body(encode_object(lease)) == lease
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "p", "creationTimestamp": "2024-05-06T09:08:09+02:00"}}
    assert decode_body(encode_object(pod))["metadata"]["creationTimestamp"] == "2024-05-06T07:08:09Z"


def test_watch_frame_is_length_prefixed_event() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}
    frame = watch_frame("ADDED", obj)
    assert int.from_bytes(frame[:4], "big") == len(frame) - 4
    event = CLASSES[WATCH_EVENT].FromString(frame[4:])
    assert event.type == "ADDED" and decode_body(event.object.raw) == obj


@pytest.mark.parametrize(("nanoseconds", "text"), [
    (0, "0s"), (1, "1ns"), (1_500, "1.5µs"), (1_500_000, "1.5ms"), (90_000_000_000, "1m30s"),
    (3_723_500_000_000, "1h2m3.5s"), (-2_000_000_000, "-2s"), (7_200_000_000_000, "2h0m0s"),
])
def test_duration_as_go_prints_it(nanoseconds: int, text: str) -> None:
    duration = SHAPES["duration"]
    assert duration.read(CLASSES[f"{META}.Duration"](duration=nanoseconds)) == text
    written = CLASSES[f"{META}.Duration"]()
    duration.write(written, text)
    assert written.duration == nanoseconds
