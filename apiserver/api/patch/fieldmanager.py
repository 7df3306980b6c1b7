"""Field ownership (`metadata.managedFields`) and server-side apply.

Every write records which manager set which fields (operation Update; Apply for server-side apply). A field is
a path through the object: `f:<name>` for struct and map fields, `k:<merge key JSON>` for elements of lists
merged by key, `v:<value JSON>` for set-like primitive lists; other lists are owned whole. Apply merges the
applied configuration into the live object, removes fields the manager applied before and no longer applies
(unless someone else owns them), and refuses to change a field another manager owns unless forced.
Written here because no maintained Python library implements Kubernetes' structured-merge-diff.
"""
from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from typing import Any

import orjson

from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.api.patch.strategicpatch import MERGE_KEYS, model_of

Path = tuple[str, ...]
SKIPPED = {"apiVersion", "kind"}
SKIPPED_META = {"managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink",
                "deletionTimestamp", "deletionGracePeriodSeconds", "name", "namespace"}


def _key(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def leaves(obj: Any, schema: dict[str, Any], schemas: dict[str, Any], model: str = "",
           prefix: Path = ()) -> dict[Path, Any]:
    """Every owned path of `obj` with its value."""
    out: dict[Path, Any] = {}
    if not isinstance(obj, dict):
        return out
    properties = schema.get("properties") or {}
    for name, value in obj.items():
        if not prefix and name in SKIPPED:
            continue
        if prefix == ("f:metadata",) and name in SKIPPED_META:
            continue
        path = prefix + (f"f:{name}",)
        child_model, child_schema = model_of(properties.get(name) or schema.get("additionalProperties") or {},
                                           schemas)
        if isinstance(value, dict) and value and (child_schema.get("properties") or
                                                  child_schema.get("additionalProperties") or not child_schema):
            out.update(leaves(value, child_schema, schemas, child_model, path))
        elif isinstance(value, list) and (model, name) in MERGE_KEYS:
            merge_key = MERGE_KEYS[(model, name)]
            item_model, item_schema = model_of((properties.get(name) or {}).get("items") or {}, schemas)
            for item in value:
                if merge_key == "":
                    out[path + (f"v:{_key(item)}",)] = item
                elif isinstance(item, dict) and merge_key in item:
                    item_path = path + (f"k:{_key({merge_key: item[merge_key]})}",)
                    out[item_path + (".",)] = None
                    out.update(leaves(item, item_schema, schemas, item_model, item_path))
        else:
            out[path] = value
    return out


def to_fields_v1(paths: set[Path]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in sorted(paths):
        node = tree
        for part in path:
            node = node.setdefault(part, {})
    return tree


def from_fields_v1(tree: dict[str, Any], prefix: Path = ()) -> set[Path]:
    paths: set[Path] = set()
    for part, child in (tree or {}).items():
        path = prefix + (part,)
        if child:
            paths |= from_fields_v1(child, path)
        else:
            paths.add(path)
    return paths


def readable(path: Path) -> str:
    """`.spec.template.spec.containers[name="c"].image`, as kube-apiserver prints a conflicting field."""
    out = ""
    for part in path:
        kind, _, rest = part.partition(":")
        if kind == "f":
            out += f".{rest}"
        elif kind == "k":
            out += "[" + ",".join(f'{k}="{v}"' for k, v in orjson.loads(rest).items()) + "]"
        elif kind == "v":
            out += f"[={rest}]"
    return out


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entries(obj: Obj) -> list[Obj]:
    return list((obj.get("metadata") or {}).get("managedFields") or [])


def _owned(entry: Obj) -> set[Path]:
    return from_fields_v1(entry.get("fieldsV1") or {})


def _store(obj: Obj, entries: list[Obj]) -> None:
    kept = [e for e in entries if e.get("fieldsV1")]
    if kept:
        obj["metadata"]["managedFields"] = kept
    else:
        obj["metadata"].pop("managedFields", None)


def _entry(manager: str, operation: str, api_version: str, paths: set[Path], subresource: str) -> Obj:
    entry = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": _now(),
             "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(paths)}
    if subresource:
        entry["subresource"] = subresource
    return entry


def record_update(new: Obj, old: Obj | None, manager: str, api_version: str, schema: tuple[Obj, Obj],
                  subresource: str = "") -> None:
    """A non-apply write: `manager` takes the fields whose values it changed; others lose them."""
    entries = _entries(old) if old else []
    now = leaves(new, *schema)
    before = leaves(old, *schema) if old else {}
    changed = {p for p, v in now.items() if p not in before or before[p] != v}
    removed = set(before) - set(now)
    for entry in entries:
        owned = _owned(entry) - changed - removed
        entry["fieldsV1"] = to_fields_v1(owned)
    mine = next((e for e in entries if e["manager"] == manager and e["operation"] == "Update"
                 and e.get("subresource", "") == subresource), None)
    if mine is None:
        if changed:
            entries.append(_entry(manager, "Update", api_version, changed, subresource))
    elif changed:
        mine.update(_entry(manager, "Update", api_version, _owned(mine) | changed, subresource))
    new.setdefault("metadata", {})
    _store(new, entries)


def apply(live: Obj | None, config: Obj, manager: str, force: bool, api_version: str,
          schema: tuple[Obj, Obj], subresource: str = "", scope: Callable[[Path], bool] = lambda path: True) -> Obj:
    """Server-side apply of `config` by `manager` onto `live` (None: the object does not exist yet).

    Only paths inside `scope` are owned: the endpoint resets the others (a status apply keeps only .status, a
    main-resource apply of an object with a status subresource ignores .status), so nobody owns them."""
    applied = {path: value for path, value in leaves(config, *schema).items() if scope(path)}

    def is_mine(entry: Obj) -> bool:
        return (entry["manager"] == manager and entry["operation"] == "Apply"
                and entry.get("subresource", "") == subresource)

    if live is None:
        result = copy.deepcopy(config)
        result.setdefault("metadata", {})
        _store(result, [_entry(manager, "Apply", api_version, set(applied), subresource)])
        return result
    current = leaves(live, *schema)
    entries = _entries(live)
    conflicts: dict[str, list[Path]] = {}
    for entry in entries:
        if is_mine(entry):
            continue
        owned = _owned(entry)
        clashing = [p for p in applied if p in owned and p in current and current[p] != applied[p]]
        if clashing and not force:
            conflicts.setdefault(entry["manager"], []).extend(clashing)
        elif clashing:
            entry["fieldsV1"] = to_fields_v1(owned - set(clashing))
    if conflicts:
        raise _conflict_error(conflicts, api_version)
    previous = next((_owned(e) for e in entries if is_mine(e)), set())
    others = set().union(*(_owned(e) for e in entries if not is_mine(e)))
    result = _merge(copy.deepcopy(live), config, schema[0], schema[1], "")
    for path in sorted(previous - set(applied) - others, key=len, reverse=True):
        _remove(result, path)
    entries = [e for e in entries if not is_mine(e)]
    entries.append(_entry(manager, "Apply", api_version, set(applied), subresource))
    _store(result, entries)
    return result


def _merge(live: Any, config: Any, schema: dict[str, Any], schemas: dict[str, Any], model: str) -> Any:
    if not isinstance(config, dict) or not isinstance(live, dict):
        return copy.deepcopy(config)
    properties = schema.get("properties") or {}
    for name, value in config.items():
        child_model, child_schema = model_of(properties.get(name) or schema.get("additionalProperties") or {},
                                           schemas)
        if isinstance(value, dict):
            live[name] = _merge(live.get(name) if isinstance(live.get(name), dict) else {}, value, child_schema,
                                schemas, child_model)
        elif isinstance(value, list) and (model, name) in MERGE_KEYS:
            key = MERGE_KEYS[(model, name)]
            current = list(live.get(name) or [])
            if key == "":
                live[name] = current + [v for v in value if v not in current]
                continue
            item_model, item_schema = model_of((properties.get(name) or {}).get("items") or {}, schemas)
            for item in value:
                index = next((i for i, c in enumerate(current) if isinstance(c, dict) and isinstance(item, dict)
                              and c.get(key) == item.get(key)), None)
                if index is None:
                    current.append(copy.deepcopy(item))
                else:
                    current[index] = _merge(current[index], item, item_schema, schemas, item_model)
            live[name] = current
        else:
            live[name] = copy.deepcopy(value)
    return live


def _remove(obj: Any, path: Path) -> None:
    """Deletes the field (or list element) at `path`, if it is there."""
    *parents, last = path
    if last == ".":
        *parents, last = parents
    node = obj
    for part in parents:
        node = _step(node, part)
        if node is None:
            return
    kind, _, rest = last.partition(":")
    if kind == "f" and isinstance(node, dict):
        node.pop(rest, None)
    elif isinstance(node, list):
        target = orjson.loads(rest)
        node[:] = [i for i in node if not _matches(i, kind, target)]


def _step(node: Any, part: str) -> Any:
    kind, _, rest = part.partition(":")
    if kind == "f":
        return node.get(rest) if isinstance(node, dict) else None
    if isinstance(node, list):
        target = orjson.loads(rest)
        return next((i for i in node if _matches(i, kind, target)), None)
    return None


def _matches(item: Any, kind: str, target: Any) -> bool:
    if kind == "v":
        return item == target
    return isinstance(item, dict) and all(item.get(k) == v for k, v in target.items())


def _conflict_error(conflicts: dict[str, list[Path]], api_version: str) -> errors.StatusError:
    total = sum(len(p) for p in conflicts.values())
    causes = [errors.Cause("FieldManagerConflict", f'conflict with "{m}" using {api_version}', readable(p))
              for m, paths in conflicts.items() for p in sorted(paths)]
    if total == 1:
        manager, paths = next(iter(conflicts.items()))
        message = f'Apply failed with 1 conflict: conflict with "{manager}" using {api_version}: {readable(paths[0])}'
    else:
        parts = [f'conflicts with "{m}" using {api_version}:\n' + "\n".join(f"- {readable(p)}" for p in sorted(ps))
                 for m, ps in conflicts.items()]
        message = f"Apply failed with {total} conflicts: " + "\n".join(parts)
    return errors.StatusError(409, "Conflict", message, causes=causes)
