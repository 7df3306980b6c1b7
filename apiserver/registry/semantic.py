"""Whether an update changed an object's spec, as kube-apiserver's typed comparison sees it.

kube compares Go structs, where an empty struct and an absent one, or an omitted zero and an explicit one,
are the same value; JSON equality alone would bump metadata.generation when a client writes back an explicit
`minReadySeconds: 0` it left out before. So when the JSON differs, the kind's protobuf message decides; kinds
without one keep the JSON answer.
"""
from __future__ import annotations

from apiserver.api.meta.types import Obj
from apiserver.api.protobuf import ProtobufEncodeError, can_encode, encode_object

_NOT_SPEC = ("metadata", "status", "kind", "apiVersion")


def spec_of(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in _NOT_SPEC}


def spec_changed(new: Obj, old: Obj) -> bool:
    new_spec, old_spec = spec_of(new), spec_of(old)
    if new_spec == old_spec:
        return False   # the common case costs one comparison, as before
    if not can_encode(new):
        return True
    type_meta = {"apiVersion": new.get("apiVersion", ""), "kind": new.get("kind", "")}
    try:
        return encode_object({**type_meta, **new_spec}) != encode_object({**type_meta, **old_spec})
    except ProtobufEncodeError:
        return True
