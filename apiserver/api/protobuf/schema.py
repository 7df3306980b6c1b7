"""The compact field-table language and its parser.

Each table is a block per message: the message name on its own line (followed by `@shape` when Go gives
the type its own JSON form, see shapes.py), then one indented line per field, `<number> <jsonName> <type>
[flags]`. Types are `string bool int32 int64 bytes double`, a message name (same package) or `alias.Name`
(a table module's name), `[]T` for a repeated field and `{T}` for a `map<string, T>`. Flags carry the Go
facts the .proto files lack:
  `*`  the Go field is a pointer, so a zero value on the wire is a real value and is kept;
  `!`  the Go field has no `omitempty` (or is a struct Go always prints), so JSON shows its zero value too;
  `^`  the Go field is embedded with `json:",inline"`: its fields belong to the parent JSON object.
A singular field with neither `*` nor `!` is dropped when it holds its zero value.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SCALARS = frozenset({"string", "bool", "int32", "int64", "bytes", "double"})
_FLAGS = frozenset("*!^")


@dataclass(frozen=True)
class Field:
    number: int
    name: str  # the JSON name; also used as the descriptor field name
    type: str  # a scalar name or a fully qualified message name
    repeated: bool = False
    map: bool = False  # map<string, type>: on the wire a repeated {1 key, 2 value} entry
    pointer: bool = False
    always: bool = False
    inline: bool = False

    @property
    def is_message(self) -> bool:
        return self.type not in SCALARS


@dataclass(frozen=True)
class Message:
    full_name: str
    fields: tuple[Field, ...]
    shape: str | None = None  # the name of its JSON form in shapes.py; None: a JSON object

    @property
    def package(self) -> str:
        return self.full_name.rsplit(".", 1)[0]


def parse_table(package: str, text: str, aliases: Mapping[str, str]) -> list[Message]:
    """Parse one package's table; `aliases` maps a short prefix such as `meta` to its package."""
    messages: list[Message] = []
    name: str | None = None
    shape: str | None = None
    fields: list[Field] = []

    def close() -> None:
        if name is not None:
            messages.append(_checked(Message(f"{package}.{name}", tuple(fields), shape)))

    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if not line[0].isspace():
            close()
            name, _, shape_text = line.strip().partition(" @")
            shape, fields = shape_text or None, []
            continue
        if name is None:
            raise ValueError(f"{package} table line {lineno}: field before any message")
        fields.append(_parse_field(package, line.split(), aliases, lineno))
    close()
    return messages


def _parse_field(package: str, parts: list[str], aliases: Mapping[str, str], lineno: int) -> Field:
    if len(parts) not in (3, 4) or not parts[0].isdigit() or (len(parts) == 4 and set(parts[3]) - _FLAGS):
        raise ValueError(f"{package} table line {lineno}: cannot read {' '.join(parts)!r}")
    type_text, flags = parts[2], parts[3] if len(parts) == 4 else ""
    repeated = type_text.startswith("[]")
    is_map = type_text.startswith("{") and type_text.endswith("}")
    base = type_text[2:] if repeated else type_text[1:-1] if is_map else type_text
    return Field(number=int(parts[0]), name=parts[1], type=_qualify(package, base, aliases, lineno),
                 repeated=repeated, map=is_map, pointer="*" in flags, always="!" in flags, inline="^" in flags)


def _qualify(package: str, type_name: str, aliases: Mapping[str, str], lineno: int) -> str:
    if type_name in SCALARS:
        return type_name
    alias, dot, short = type_name.rpartition(".")
    if not dot:
        return f"{package}.{type_name}"
    if alias not in aliases:
        raise ValueError(f"{package} table line {lineno}: unknown package alias {alias!r}")
    return f"{aliases[alias]}.{short}"


def _checked(message: Message) -> Message:
    numbers = [f.number for f in message.fields]
    names = [f.name for f in message.fields]
    if len(set(numbers)) != len(numbers) or len(set(names)) != len(names):
        raise ValueError(f"{message.full_name}: duplicate field number or name in table")
    for f in message.fields:
        if f.inline and not (f.is_message and not f.repeated and not f.map):
            raise ValueError(f"{message.full_name}.{f.name}: only a singular message can be inlined")
    return message
