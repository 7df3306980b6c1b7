"""Protobuf body decoding, on bodies built byte by byte (independently of the decoder's own descriptors)."""
from __future__ import annotations

from typing import Any

import pytest

from apiserver.api.protobuf import ProtobufDecodeError, decode_body

GO_ZERO_TIME = -62135596800  # Go's time.Time{}.Unix()


# --- a minimal protobuf writer: just what these tests need ---

def varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int32/int64 travel as 10-byte two's complement
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def vint(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def blob(number: int, value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return varint(number << 3 | 2) + varint(len(data)) + data


def entry(number: int, key: str, value: bytes | str) -> bytes:
    return blob(number, blob(1, key) + blob(2, value))


def body(api_version: str, kind: str, raw: bytes, *extra: bytes) -> bytes:
    type_meta = blob(1, api_version) + blob(2, kind)
    return b"k8s\x00" + blob(1, type_meta) + blob(2, raw) + blob(3, "") + blob(4, "") + b"".join(extra)


def meta(*fields: bytes) -> bytes:
    """ObjectMeta as Go writes it: every non-pointer field present, zero or not."""
    return blob(1, b"".join([blob(1, "n1"), blob(2, ""), blob(3, ""), blob(4, ""), blob(5, ""), blob(6, ""),
                             vint(7, 0), blob(8, b""), *fields]))


# --- envelope ---

def test_bad_magic() -> None:
    with pytest.raises(ProtobufDecodeError, match="magic"):
        decode_body(b'{"kind":"Namespace"}')


def test_truncated_envelope() -> None:
    with pytest.raises(ProtobufDecodeError, match="runtime.Unknown"):
        decode_body(b"k8s\x00" + b"\x0a\x20ab")


def test_unknown_field_in_envelope() -> None:
    with pytest.raises(ProtobufDecodeError) as err:
        decode_body(body("v1", "Namespace", meta(), vint(9, 1)))
    assert "unknown field number 9 (wire type 0) in io.k8s.apimachinery.pkg.runtime.Unknown" in str(err.value)


def test_content_encoding_refused() -> None:
    with pytest.raises(ProtobufDecodeError, match="contentEncoding 'gzip'"):
        decode_body(body("v1", "Namespace", meta(), blob(3, "gzip")))


def test_unknown_kind() -> None:
    with pytest.raises(ProtobufDecodeError, match="'example.com/v1', kind 'Widget'"):
        decode_body(body("example.com/v1", "Widget", meta()))


def test_missing_kind() -> None:
    with pytest.raises(ProtobufDecodeError, match="no kind"):
        decode_body(b"k8s\x00" + blob(2, meta()))


# --- strictness ---

def test_unknown_field_number_names_message_and_number() -> None:
    spec = blob(4, "ClusterIP") + vint(16, 1)
    with pytest.raises(ProtobufDecodeError) as err:
        decode_body(body("v1", "Service", meta() + blob(2, spec)))
    assert "unknown field number 16 (wire type 0) in io.k8s.api.core.v1.ServiceSpec at spec" in str(err.value)


def test_wrong_wire_type_for_known_field_is_unknown() -> None:
    # ServiceSpec.type (4) is a string; a varint under that number is not the field we know.
    with pytest.raises(ProtobufDecodeError, match="unknown field number 4 .*ServiceSpec"):
        decode_body(body("v1", "Service", meta() + blob(2, vint(4, 1))))


def test_unknown_field_inside_map_entry() -> None:
    bad_entry = blob(2, blob(1, "k") + blob(2, "v") + vint(3, 1))
    with pytest.raises(ProtobufDecodeError, match="unknown field number 3 .*DataEntry at data"):
        decode_body(body("v1", "ConfigMap", meta() + bad_entry))


def test_malformed_object_bytes() -> None:
    with pytest.raises(ProtobufDecodeError, match="malformed io.k8s.api.core.v1.Namespace"):
        decode_body(body("v1", "Namespace", b"\x0a\x50"))


# --- JSON shapes and zero values ---

def test_non_pointer_zero_values_are_dropped() -> None:
    obj = decode_body(body("v1", "Secret", meta() + blob(3, "")))  # Secret.type "" must not hide the default
    assert obj == {"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "n1"}}


def test_pointer_zero_values_are_kept() -> None:
    sa = decode_body(body("v1", "ServiceAccount", meta() + vint(4, 0)))
    assert sa["automountServiceAccountToken"] is False
    deployment_spec = vint(1, 0) + blob(3, blob(1, blob(1, "")) + blob(2, blob(3, "Always"))) + blob(4, blob(1, ""))
    deployment = decode_body(body("apps/v1", "Deployment", meta() + blob(2, deployment_spec) + blob(3, vint(1, 0))))
    assert deployment["spec"] == {"replicas": 0, "template": {"spec": {"restartPolicy": "Always"}}}
    assert "status" not in deployment
    job = decode_body(body("batch/v1", "Job", meta() + blob(2, vint(1, 0) + vint(2, 0))))
    assert job["spec"] == {"parallelism": 0, "completions": 0}


def test_fields_without_omitempty_keep_their_zero() -> None:
    # PriorityClass.value has no omitempty in Go, globalDefault has: JSON shows the first and not the second.
    obj = decode_body(body("scheduling.k8s.io/v1", "PriorityClass", meta() + vint(2, 0) + vint(3, 0)))
    assert obj["value"] == 0 and "globalDefault" not in obj


def test_negative_int32() -> None:
    obj = decode_body(body("scheduling.k8s.io/v1", "PriorityClass", meta() + vint(2, -5)))
    assert obj["value"] == -5


def test_bytes_become_base64_and_maps_become_dicts() -> None:
    obj = decode_body(body("v1", "Secret", meta() + entry(2, "a", b"\x00\xff") + entry(2, "a", b"b")
                           + entry(2, "e", b"") + blob(3, "Opaque")))
    assert obj["data"] == {"a": "Yg==", "e": ""}  # a repeated key keeps its last value, as in Go
    assert obj["type"] == "Opaque"


def test_time() -> None:
    stamp = vint(1, 1_700_000_000) + vint(2, 123)  # Go keeps whole seconds only
    obj = decode_body(body("v1", "Namespace", meta(blob(9, stamp))))
    assert obj["metadata"]["deletionTimestamp"] == "2023-11-14T22:13:20Z"
    assert "creationTimestamp" not in obj["metadata"]  # Go writes the zero Time as an empty message
    zero = decode_body(body("v1", "Namespace", meta(blob(9, vint(1, GO_ZERO_TIME)))))
    assert "deletionTimestamp" not in zero["metadata"]


def test_epoch_is_a_real_time() -> None:
    # Only an empty message is Go's zero Time; explicit zero seconds are 1970.
    condition = blob(1, "Terminating") + blob(2, "True") + blob(4, vint(1, 0) + vint(2, 0))
    ns = decode_body(body("v1", "Namespace", meta() + blob(3, blob(2, condition))))
    assert ns["status"]["conditions"] == [{"type": "Terminating", "status": "True",
                                           "lastTransitionTime": "1970-01-01T00:00:00Z"}]


def test_int_or_string() -> None:
    def pdb(min_available: bytes) -> dict[str, Any]:
        return decode_body(body("policy/v1", "PodDisruptionBudget", meta() + blob(2, blob(1, min_available))))

    assert pdb(vint(1, 1) + vint(2, 0) + blob(3, "50%"))["spec"]["minAvailable"] == "50%"
    assert pdb(vint(1, 0) + vint(2, 2) + blob(3, ""))["spec"]["minAvailable"] == 2
    assert pdb(vint(1, 0) + vint(2, 0) + blob(3, ""))["spec"]["minAvailable"] == 0  # a pointer: 0 is real
    with pytest.raises(ProtobufDecodeError, match="IntOrString has invalid type 7"):
        pdb(vint(1, 7))


def test_quantity() -> None:
    hard = entry(1, "cpu", blob(1, "1")) + entry(1, "memory", blob(1, "1G")) + entry(1, "pods", b"")
    obj = decode_body(body("v1", "ResourceQuota", meta() + blob(2, hard)))
    assert obj["spec"] == {"hard": {"cpu": "1", "memory": "1G", "pods": "0"}}


def test_inline_fields_and_empty_pointer_message() -> None:
    # Volume embeds VolumeSource inline; emptyDir is a pointer, so `{}` is a choice and stays.
    volume = blob(1, "cache") + blob(2, blob(2, b""))
    pod_spec = blob(1, volume)
    template = blob(1, b"") + blob(2, pod_spec)
    obj = decode_body(body("apps/v1", "Deployment", meta() + blob(2, blob(3, template))))
    assert obj["spec"]["template"]["spec"]["volumes"] == [{"name": "cache", "emptyDir": {}}]


def test_managed_fields_embed_json() -> None:
    managed = blob(17, blob(1, "kubectl") + blob(2, "Update") + blob(6, "FieldsV1")
                   + blob(7, blob(1, b'{"f:data":{}}')))
    obj = decode_body(body("v1", "ConfigMap", meta(managed)))
    assert obj["metadata"]["managedFields"] == [{"manager": "kubectl", "operation": "Update",
                                                 "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {}}}]


def test_invalid_utf8_prints_as_replacement_character() -> None:
    obj = decode_body(body("v1", "ConfigMap", meta() + entry(2, "k", b"a\xffb")))
    assert obj["data"] == {"k": "a\ufffdb"}


def test_extra_value_is_a_list() -> None:
    user = blob(1, "alice") + blob(4, blob(1, "scopes") + blob(2, blob(1, "a") + blob(1, "b")))
    obj = decode_body(body("authentication.k8s.io/v1", "SelfSubjectReview", meta() + blob(2, blob(1, user))))
    assert obj["status"]["userInfo"] == {"username": "alice", "extra": {"scopes": ["a", "b"]}}


@pytest.mark.parametrize("api_version", ["v1", "meta.k8s.io/v1", "apps/v1"])
def test_delete_options_under_any_api_version(api_version: str) -> None:
    raw = vint(1, 0) + blob(4, "Foreground") + blob(5, "All")
    assert decode_body(body(api_version, "DeleteOptions", raw)) == {
        "kind": "DeleteOptions", "apiVersion": api_version,
        "gracePeriodSeconds": 0, "propagationPolicy": "Foreground", "dryRun": ["All"],
    }
