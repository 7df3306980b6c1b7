"""Generate the field tables under `apiserver/api/protobuf/tables/` from Kubernetes' own machine-readable sources.

    python tools/protobuf_tables.py --api DIR --apimachinery DIR [--golden-out tests/unit/protobuf_golden]

(a development tool outside the package: importing the package would import the very tables being rewritten).

DIR are checkouts of k8s.io/api and k8s.io/apimachinery at the served release (v0.32.x). Each package's
`generated.proto` gives message names, field numbers and wire types; the Go structs beside it give what
the .proto cannot: the JSON name, whether the field is a pointer, whether its json tag has omitempty,
whether it is embedded inline, and which structs are top-level kinds (they embed TypeMeta).

`--golden-out` also copies k8s.io/api's testdata/HEAD fixtures (one object per kind, every field filled,
as JSON and as the protobuf Go writes) for the generated packages: the tests check the tables against them.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

# (proto package, module name, source folder relative to its repository, which repository)
API_PACKAGES = ("admissionregistration/v1", "apps/v1", "authentication/v1", "authorization/v1", "autoscaling/v1",
                "autoscaling/v2", "batch/v1", "certificates/v1", "coordination/v1", "core/v1", "discovery/v1",
                "events/v1", "flowcontrol/v1", "networking/v1", "node/v1", "policy/v1", "rbac/v1",
                "scheduling/v1", "storage/v1")
MACHINERY_PACKAGES = {"pkg/apis/meta/v1": "meta_v1", "pkg/runtime": "runtime", "pkg/util/intstr": "intstr",
                      "pkg/api/resource": "resource"}
# Types whose Go JSON form is not an object (they implement their own marshalling); see shapes.py.
SHAPED = {"meta_v1.Time": "time", "meta_v1.MicroTime": "microtime", "meta_v1.Duration": "duration",
          "meta_v1.FieldsV1": "fieldsv1", "intstr.IntOrString": "intorstring", "resource.Quantity": "quantity",
          "runtime.RawExtension": "rawextension"}
# meta/v1 registers WatchEvent as a kind in every group version, although the struct carries no TypeMeta.
EXTRA_KINDS = {"meta_v1": ("WatchEvent",)}

_PROTO_FIELD = re.compile(r"^\s*(optional|repeated|required)\s+(\S+)\s+(\w+)\s*=\s*(\d+)\s*;")
_PROTO_MAP = re.compile(r"^\s*map<\s*string\s*,\s*(\S+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;")
_GO_STRUCT = re.compile(r"^type (\w+) struct \{\s*$")
_GO_SLICE = re.compile(r"^type (\w+) \[\](\w+)\s*$")
_GO_FIELD = re.compile(r"^\s*(?:(\w+)\s+)?(\S+)\s+`([^`]*)`")
_TAG = re.compile(r'(\w+):"([^"]*)"')
_PROTO_SCALARS = {"string": "string", "bool": "bool", "int32": "int32", "int64": "int64", "bytes": "bytes",
                  "double": "double"}


@dataclass
class GoField:
    json_name: str
    pointer: bool
    omitempty: bool
    inline: bool
    proto_name: str


@dataclass
class GoPackage:
    structs: dict[str, dict[int, GoField]] = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)
    slices: set[str] = field(default_factory=set)


@dataclass
class ProtoField:
    label: str  # optional, repeated or map
    type: str  # scalar or "alias.Message"
    name: str
    number: int


@dataclass
class Source:
    module: str
    proto_package: str
    group_version: str | None
    messages: dict[str, list[ProtoField]]
    go: GoPackage


def read_go(folder: Path) -> GoPackage:
    out = GoPackage()
    for path in sorted(folder.glob("*.go")):
        if path.name.endswith("_test.go") or path.name.startswith(("zz_generated", "generated.pb")):
            continue
        struct: str | None = None
        for line in path.read_text().splitlines():
            if struct is None:
                if m := _GO_STRUCT.match(line):
                    struct = m.group(1)
                    out.structs[struct] = {}
                elif m := _GO_SLICE.match(line):
                    out.slices.add(m.group(1))
                continue
            if line.startswith("}"):
                struct = None
                continue
            m = _GO_FIELD.match(line)
            if not m:
                continue
            name, go_type, tags = m.group(1), m.group(2), dict(_TAG.findall(m.group(3)))
            json_tag = tags.get("json", "").split(",")
            if name is None and go_type.endswith("TypeMeta") and "inline" in json_tag:
                out.kinds.append(struct)
            proto = tags.get("protobuf", "").split(",")
            if len(proto) < 2 or not proto[1].isdigit():
                continue
            proto_name = next((p[5:] for p in proto if p.startswith("name=")), "")
            json_name = json_tag[0] if json_tag[0] != "-" else proto_name
            out.structs[struct][int(proto[1])] = GoField(
                json_name=json_name, pointer=go_type.startswith("*"), omitempty="omitempty" in json_tag,
                inline="inline" in json_tag, proto_name=proto_name)
    return out


def read_proto(path: Path, aliases: dict[str, str]) -> tuple[str, dict[str, list[ProtoField]]]:
    package = ""
    messages: dict[str, list[ProtoField]] = {}
    current: list[ProtoField] | None = None
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("package "):
            package = stripped[len("package "):].rstrip(";")
        elif stripped.startswith("message "):
            current = messages.setdefault(stripped.split()[1], [])
        elif stripped == "}":
            current = None
        elif current is not None and (m := _PROTO_MAP.match(line)):
            current.append(ProtoField("map", _type(m.group(1), package, aliases), m.group(2), int(m.group(3))))
        elif current is not None and (m := _PROTO_FIELD.match(line)):
            label = "repeated" if m.group(1) == "repeated" else "optional"
            current.append(ProtoField(label, _type(m.group(2), package, aliases), m.group(3), int(m.group(4))))
    return package, messages


def _type(proto_type: str, package: str, aliases: dict[str, str]) -> str:
    if proto_type in _PROTO_SCALARS:
        return _PROTO_SCALARS[proto_type]
    qualified = proto_type[1:] if proto_type.startswith(".") else f"{package}.{proto_type}"
    owner, _, name = qualified.rpartition(".")
    if owner not in aliases:
        raise ValueError(f"{package}: no module for proto package {owner}")
    return f"{aliases[owner]}.{name}"


def table_package(proto_package: str) -> str:
    """The descriptor package tables use: the OpenAPI spelling (io.k8s...) of the proto package."""
    return "io.k8s." + proto_package[len("k8s.io."):]


def load(api: Path, machinery: Path) -> list[Source]:
    folders: list[tuple[str, Path, str | None]] = [(m, machinery / f, None) for f, m in MACHINERY_PACKAGES.items()]
    for gv in API_PACKAGES:
        folder = api / gv
        group = _group_name(folder)
        version = gv.split("/")[1]
        folders.append((gv.replace("/", "_"), folder, f"{group}/{version}" if group else version))
    aliases = {_proto_package(folder / "generated.proto"): module for module, folder, _ in folders}
    sources = []
    for module, folder, group_version in folders:
        package, messages = read_proto(folder / "generated.proto", aliases)
        sources.append(Source(module, package, group_version, messages, read_go(folder)))
    return sources


def _proto_package(path: Path) -> str:
    return _first_group(r"^package ([\w.]+);", path, re.M)


def _group_name(folder: Path) -> str:
    """The API group the Go package registers ("" for the core group)."""
    return _first_group(r'const GroupName = "([^"]*)"', folder / "register.go")


def _first_group(pattern: str, path: Path, flags: int = 0) -> str:
    m = re.search(pattern, path.read_text(), flags)
    if m is None:
        raise ValueError(f"{path}: nothing matches {pattern!r}")
    return m.group(1)


def render(source: Source, referenced: set[str]) -> str:
    """One table module's text."""
    lines: list[str] = []
    for name in sorted(source.messages):
        qualified = f"{source.module}.{name}"
        shape = SHAPED.get(qualified) or ("items" if name in source.go.slices else None)
        go = source.go.structs.get(name)
        readable = go is not None and all(f.number in go for f in source.messages[name])
        if shape is None and not readable:
            if qualified in referenced:
                raise ValueError(f"{qualified}: referenced, but its Go struct does not describe every field")
            continue  # a proto-only helper message no served type uses
        lines.append(f"{name} @{shape}" if shape else name)
        for f in source.messages[name]:
            lines.append("  " + _field_line(f, go or {}, shaped=shape is not None))
    kinds: list[str] = []
    if source.group_version is not None or source.module in EXTRA_KINDS:  # runtime.Unknown is no kind
        kinds = sorted(set(source.go.kinds) & set(source.messages) | set(EXTRA_KINDS.get(source.module, ())))
    body = "\n".join(lines)
    return (f'"""Generated by tools/protobuf_tables.py from {source.proto_package}; do not edit."""\n'
            f'from __future__ import annotations\n\n'
            f'PACKAGE = "{table_package(source.proto_package)}"\n'
            f"GROUP_VERSION: str | None = {source.group_version!r}\n"
            f"KINDS: tuple[str, ...] = {_tuple(kinds)}\n\n"
            f'MESSAGES = """\n{body}\n"""\n')


def _tuple(items: list[str]) -> str:
    return "(\n" + "".join(f"    {i!r},\n" for i in items) + ")" if items else "()"


def _field_line(f: ProtoField, go: dict[int, GoField], *, shaped: bool) -> str:
    type_text = {"map": f"{{{f.type}}}", "repeated": f"[]{f.type}"}.get(f.label, f.type)
    g = go.get(f.number)
    if shaped:  # shapes.py reads these fields by name; no JSON facts apply
        return f"{f.number} {g.proto_name if g and g.proto_name else f.name} {type_text}"
    assert g is not None, f.name  # render() passes unshaped messages only when their Go struct has every field
    flags = ""
    if f.label == "optional":
        flags += "*" if g.pointer else ""
        flags += "!" if not (g.pointer or g.omitempty or g.inline) else ""
        flags += "^" if g.inline else ""
    name = g.json_name if g.json_name and not g.inline else (g.proto_name or f.name)
    return f"{f.number} {name} {type_text}" + (f" {flags}" if flags else "")


def write(sources: list[Source], out: Path) -> None:
    referenced = {f.type for s in sources for fields in s.messages.values() for f in fields if "." in f.type}
    texts = {source.module: render(source, referenced) for source in sources}  # all or nothing
    for module, text in texts.items():
        (out / f"{module}.py").write_text(text)
    modules = [s.module for s in sources]
    (out / "__init__.py").write_text(
        '"""The field tables, one generated module per protobuf package '
        '(see tools/protobuf_tables.py and ../schema.py).\n\n'
        "Every module defines PACKAGE, GROUP_VERSION (the apiVersion its kinds travel under, or None), KINDS\n"
        '(the structs that embed TypeMeta) and MESSAGES (the table text). Tables name each other by module name.\n"""\n'
        "from __future__ import annotations\n\nfrom types import ModuleType\n\n"
        f"from . import {', '.join(sorted(modules))}\n\n"
        f"MODULES: tuple[ModuleType, ...] = ({', '.join(modules)},)\n\n"
        "ALIASES: dict[str, str] = {module.__name__.rsplit('.', 1)[1]: module.PACKAGE for module in MODULES}\n")


def copy_golden(api: Path, out: Path) -> None:
    """k8s.io/api's own serialization fixtures (testdata/HEAD/<group>.<version>.<Kind>.json|pb) for our packages."""
    out.mkdir(parents=True, exist_ok=True)
    for gv in API_PACKAGES:
        group = _group_name(api / gv)
        prefix = f"{group or 'core'}.{gv.split('/')[1]}."
        for path in sorted((api / "testdata" / "HEAD").glob(prefix + "*")):
            if path.suffix in (".json", ".pb") and path.name.count(".") == prefix.count(".") + 1:
                shutil.copyfile(path, out / path.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", type=Path, required=True, help="a k8s.io/api checkout (v0.32.x)")
    parser.add_argument("--apimachinery", type=Path, required=True, help="a k8s.io/apimachinery checkout")
    tables = Path(__file__).resolve().parent.parent / "apiserver" / "api" / "protobuf" / "tables"
    parser.add_argument("--out", type=Path, default=tables)
    parser.add_argument("--golden-out", type=Path, help="where to copy k8s.io/api's fixtures for the tests")
    args = parser.parse_args(argv)
    try:
        write(load(args.api, args.apimachinery), args.out)
        if args.golden_out:
            copy_golden(args.api, args.golden_out)
    except (OSError, ValueError, AttributeError) as err:
        print(f"generate: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
