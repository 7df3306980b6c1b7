"""Turn parsed tables into real protobuf message classes, so the protobuf library does the wire parsing.

Each package becomes one proto2 file in a private descriptor pool (proto2, as in the upstream
generated.proto files, because it records which optional fields were present on the wire: that is how
a Go pointer's real 0 is told apart from an absent field). Maps are declared as plain repeated entry
messages rather than proto map fields: the wire form is identical, and plain messages keep any unknown
field inside an entry visible to the strictness check.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message as ProtoMessage

from .schema import Field, Message

if TYPE_CHECKING:
    class DynamicMessage(ProtoMessage):
        """A message of a class built here from the tables. The protobuf stubs know the methods every message
        has, not the fields the tables give it: those are read, set and passed to the constructor by name."""

        def __init__(self, **fields: Any) -> None: ...

        def __getattr__(self, name: str) -> Any: ...

        def __setattr__(self, name: str, value: Any) -> None: ...
else:
    DynamicMessage = ProtoMessage

_FDP = descriptor_pb2.FieldDescriptorProto
_SCALAR_TYPES: dict[str, descriptor_pb2.FieldDescriptorProto.Type.ValueType] = {
    "string": _FDP.TYPE_STRING,
    "bool": _FDP.TYPE_BOOL,
    "int32": _FDP.TYPE_INT32,
    "int64": _FDP.TYPE_INT64,
    "bytes": _FDP.TYPE_BYTES,
    "double": _FDP.TYPE_DOUBLE,
}


def entry_name(field: Field) -> str:
    """The nested message name carrying one entry of a map field."""
    return field.name[0].upper() + field.name[1:] + "Entry"


def build_classes(messages: Iterable[Message]) -> dict[str, type[DynamicMessage]]:
    """Message classes by full name for every table message (map entry classes are reached through them)."""
    by_package: dict[str, list[Message]] = {}
    for message in messages:
        by_package.setdefault(message.package, []).append(message)
    pool = descriptor_pool.DescriptorPool()
    added: set[str] = set()

    def add(package: str) -> None:
        if package in added:
            return
        added.add(package)
        deps = _dependencies(by_package[package])
        for dep in deps:
            add(dep)
        pool.Add(_file_proto(package, by_package[package], deps))

    for package in by_package:
        add(package)
    return {m.full_name: cast("type[DynamicMessage]",
                              message_factory.GetMessageClass(pool.FindMessageTypeByName(m.full_name)))
            for ms in by_package.values() for m in ms}


def _file_name(package: str) -> str:
    return package.replace(".", "/") + ".proto"


def _dependencies(messages: list[Message]) -> list[str]:
    own = messages[0].package
    deps = {f.type.rsplit(".", 1)[0] for m in messages for f in m.fields if f.is_message}
    return sorted(deps - {own})


def _file_proto(package: str, messages: list[Message], deps: list[str]) -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto(name=_file_name(package), package=package, syntax="proto2",
                                              dependency=[_file_name(d) for d in deps])
    for message in messages:
        proto = file.message_type.add(name=message.full_name.rsplit(".", 1)[1])
        for field in message.fields:
            if field.map:
                entry = proto.nested_type.add(name=entry_name(field))
                _add_field(entry, 1, "key", "string", repeated=False)
                _add_field(entry, 2, "value", field.type, repeated=False)
                _add_field(proto, field.number, field.name, f"{message.full_name}.{entry.name}", repeated=True,
                           message=True)
            else:
                _add_field(proto, field.number, field.name, field.type, repeated=field.repeated)
    return file


def _add_field(proto: descriptor_pb2.DescriptorProto, number: int, name: str, type_name: str, *, repeated: bool,
               message: bool = False) -> None:
    field = proto.field.add(name=name, number=number,
                            label=_FDP.LABEL_REPEATED if repeated else _FDP.LABEL_OPTIONAL)
    if not message and type_name in _SCALAR_TYPES:
        field.type = _SCALAR_TYPES[type_name]
    else:
        field.type = _FDP.TYPE_MESSAGE
        field.type_name = "." + type_name
