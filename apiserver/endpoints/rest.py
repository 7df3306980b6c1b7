"""The REST handler for resource requests: one code path for every resource in the catalogue."""
from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Mapping
from typing import Any

import jsonpatch
from aiohttp import web

from apiserver.admission.chain import BoundAdmission, Chain, RequestScope
from apiserver.api.meta import errors
from apiserver.api.meta.goformat import quote
from apiserver.api.patch import strategicpatch
from apiserver.api.printing import tables
from apiserver.api.schema import fieldvalidation, openapi, typecheck
from apiserver.endpoints import serialization
from apiserver.endpoints.query import (
    CREATE_OPTIONS,
    PATCH_OPTIONS,
    UPDATE_OPTIONS,
    delete_options_object,
    flag,
    options_object,
    parse_delete_options,
    parse_list_query,
    write_options,
)
from apiserver.endpoints.watch import WatchSettings, serve_watch
from apiserver.registry.actions import Action, ActionRequest
from apiserver.registry.catalogue import SUBRESOURCES, ResourceInfo
from apiserver.registry.registry import Registry
from apiserver.registry.scale import scale_of
from apiserver.registry.store import OWNED_PATHS
from apiserver.registry.versioned import AnyStore, VersionedStore
from apiserver.registry.virtual import VirtualResources
from apiserver.request.context import request_user
from apiserver.request.info import RequestInfo
from apiserver.request.warnings import add_warning
from apiserver.storage.interface import ListOptions, Obj

MAX_BODY_BYTES = 3 * 1024 * 1024
JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
# what admission is shown for a write through a scale subresource, whatever the resource
SCALE_KIND = ("autoscaling", "v1", "Scale")


def field_manager(request: web.Request) -> str:
    """The `fieldManager` of a write (checked by `write_options`); without one, the client's User-Agent up to its
    first '/', as kube does."""
    return request.query.get("fieldManager", "") or (request.headers.get("User-Agent") or "unknown").split("/", 1)[0]


async def read_body(request: web.Request) -> bytes:
    """The body, refused with 413 past 3 MiB without reading the rest of it."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise errors.too_large(f"Request entity too large: limit is {MAX_BODY_BYTES}")
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise errors.too_large(f"Request entity too large: limit is {MAX_BODY_BYTES}")
    return bytes(body)


async def read_object_body(request: web.Request) -> bytes:
    """The body of a write that carries an object, read as kube's handlers read it: a Content-Type it cannot
    decode is 415 before anything else, then the size limit; the options and the decoding come after."""
    serialization.check_decodable(request.headers.get("Content-Type"))
    return await read_body(request)


INCLUDE_OBJECT = ("None", "Metadata", "Object")


def table_request(request: web.Request) -> tuple[str, str] | None:
    """(Table version, includeObject) when the client asked for server-side printing."""
    version = tables.table_version(request.headers.get("Accept"))
    if version is None:
        return None
    include = request.query.get("includeObject") or "Metadata"
    if include not in INCLUDE_OBJECT:
        raise errors.bad_request(f'includeObject: Unsupported value: {quote(include)}: supported values: "None", '
                                 f'"Metadata", "Object"')
    return version, include


def respond_table(table: dict[str, Any], version: str) -> web.Response:
    return web.Response(body=serialization.encode(table),
                        headers={"Content-Type": f"application/json;as=Table;v={version};g=meta.k8s.io"})


def respond(request: web.Request, obj: Any, status: int = 200) -> web.Response:
    """The answer; warnings recorded for the request go out as Warning headers (filters/requestinfo.py)."""
    body, content_type = serialization.encode_response(obj, request.headers.get("Accept"))
    return web.Response(body=body, status=status, content_type=content_type)


def check_fields(request: web.Request, info: ResourceInfo, obj: Obj, duplicates: list[str] | None = None) -> None:
    """Typed-decoding checks against the kind's schema: a value of the wrong type is 400; unknown fields are
    dropped and, with `duplicates`, refused under Strict or recorded as warnings under Warn."""
    mode = fieldvalidation.parse_mode(request.query.get("fieldValidation"))
    schema = openapi.schema_for(info)
    if schema is None:
        return
    try:
        typecheck.check(obj, *schema, info.kind)
    except typecheck.DecodeError as exc:
        raise typecheck.decode_error(info.kind, info.version, str(exc)) from None
    problems = fieldvalidation.unknown_errors(fieldvalidation.prune_unknown(obj, *schema)) + (duplicates or [])
    if problems and mode == "Strict":
        raise fieldvalidation.strict_error(problems)
    if mode == "Warn":
        for problem in problems:
            add_warning(problem)


def decode_body(request: web.Request, body: bytes, content_type: str | None = None) -> tuple[Obj, list[str]]:
    """The request's object and the strict-decoding errors for any field it gives twice."""
    content_type = content_type or request.headers.get("Content-Type")
    obj = serialization.decode_object(content_type, body)
    if request.query.get("fieldValidation") == "Ignore":
        return obj, []
    return obj, fieldvalidation.duplicate_fields(serialization.media_type(content_type), body, obj)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386. Written out because the algorithm is ten lines and no maintained library offers it alone."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


MAX_JSON_PATCH_OPERATIONS = 10000
_GO_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "bool", int: "number", float: "number"}


def _rejected(detail: str) -> errors.StatusError:
    return errors.StatusError(422, "Invalid", f"the server rejected our request due to an error in our request: "
                              f"{detail}")


def _json_patch(current: Obj, body: bytes) -> Obj:
    """RFC 6902 as kube applies it: a body that does not decode as a list of operations is 400, too many operations
    413, an operation that does not apply 422. The failure names the operation and its path, never the document's
    content: a client may patch what it may not read."""
    operations = serialization.decode(serialization.JSON, body)
    if operations is None:
        return current
    odd = operations if not isinstance(operations, list) else next(
        (op for op in operations if op is not None and not isinstance(op, dict)), None)
    if odd is not None:
        into = "[]handlers.jsonPatchOp" if odd is operations else "handlers.jsonPatchOp"
        raise errors.bad_request(f"error decoding patch: json: cannot unmarshal {_GO_JSON_TYPES[type(odd)]} into Go "
                                 f"value of type {into}")
    if len(operations) > MAX_JSON_PATCH_OPERATIONS:
        raise errors.too_large(f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got "
                               f"{len(operations)}")
    document: Any = copy.deepcopy(current)
    for operation in operations:
        operation = operation or {}
        try:
            document = jsonpatch.JsonPatch([operation]).apply(document, in_place=True)
        except jsonpatch.InvalidJsonPatch as exc:
            raise _rejected(str(exc)) from None     # the operation's own shape: nothing of the document
        except jsonpatch.JsonPatchTestFailed:
            raise _rejected(f"testing value {operation.get('path')} failed: test failed") from None
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError):
            raise _rejected(f"{operation.get('op')} operation does not apply: doc is missing path: "
                            f"{quote(str(operation.get('path')))}: missing value") from None
    return document


def _apply_patch(content_type: str, current: Obj, body: bytes, schema: tuple[Obj, Obj] | None) -> Obj:
    if content_type == JSON_PATCH:
        return _json_patch(current, body)
    patch = serialization.decode(serialization.JSON, body)
    if not isinstance(patch, dict):
        raise errors.bad_request("a merge patch must be a JSON object")
    if content_type == STRATEGIC_PATCH and schema is not None:
        return strategicpatch.apply(current, patch, *schema)
    return merge_patch(current, patch)


def table_events(store: AnyStore, version: str, include: str) -> Callable[[Obj], Obj]:
    """Each watched object as a one-row Table; the first carries the column definitions, as kube sends them."""
    first = True

    def convert(obj: Obj) -> Obj:
        nonlocal first
        table = tables.to_table(store.info.group, store.info.plural, [obj],
                                {"resourceVersion": obj["metadata"].get("resourceVersion", "")}, include, version,
                                with_definitions=first, printable=store.printable)
        first = False
        return table

    return convert


class RestHandler:
    def __init__(self, registry: Registry, watch_settings: WatchSettings, stopping: asyncio.Event,
                 virtual: VirtualResources, admission: Chain | None = None,
                 actions: Mapping[str, Action] | None = None) -> None:
        self.registry = registry
        self.admission = admission or Chain([])
        self.watch_settings = watch_settings
        self.stopping = stopping
        self.virtual = virtual
        # by subresource name, as the server registers them
        self.actions: Mapping[str, Action] = actions or {}

    def _admit(self, request: web.Request, info: RequestInfo, store: AnyStore, options: Obj | None,
               kind: tuple[str, str, str] | None = None) -> BoundAdmission | None:
        """The admission chain bound to this request, on objects of the store's storage version."""
        if not self.admission.plugins:
            return None
        row = store.store.info if isinstance(store, VersionedStore) else store.info
        dry_run = bool((options or {}).get("dryRun"))
        return self.admission.bind(RequestScope(row, info.api_group, info.api_version, info.subresource,
                                                info.namespace, info.name, request_user(request), options, dry_run,
                                                kind))

    def _store(self, info: RequestInfo) -> AnyStore:
        store = self.registry.serving(info.api_group, info.api_version, info.resource)
        if store is None:
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")
        r = store.info
        if info.subresource and info.subresource not in r.subresources:
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")
        if r.namespaced and not info.namespace and info.verb not in ("list", "watch"):
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")
        if not r.namespaced and info.namespace and r.plural != "namespaces":
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")
        return store

    async def handle(self, request: web.Request, info: RequestInfo) -> web.StreamResponse:
        row = self.registry.catalogue.lookup(info.api_group, info.api_version, info.resource)
        if row is not None and row.virtual:
            return await self._virtual(request, info, row)
        store = self._store(info)
        verb = info.verb
        # like kube, refuse an Accept header nothing could satisfy before doing any work
        serialization.check_acceptable(request.headers.get("Accept"), watch=verb == "watch")
        if verb in ("get", "list", "watch") and request.method not in ("GET", "HEAD"):
            verb = "unsupported"
        if info.subresource:
            if verb not in SUBRESOURCES[info.subresource][0]:
                raise errors.method_not_allowed("the server does not allow this method on the requested resource")
            if verb == "create":
                return await self._action(request, info, store)
        handler = getattr(self, f"_{verb}", None)
        misplaced = (verb in ("update", "patch") and not info.name) or (verb == "create" and info.name)
        if handler is None or misplaced:
            raise errors.method_not_allowed("the server does not allow this method on the requested resource")
        return await handler(request, info, store)

    async def _virtual(self, request: web.Request, info: RequestInfo, row: ResourceInfo) -> web.StreamResponse:
        """POST to a create-only resource that is never stored (a review)."""
        if row.namespaced != bool(info.namespace):
            raise errors.StatusError(404, "NotFound", "the server could not find the requested resource")
        if info.verb != "create" or info.name or info.subresource:
            raise errors.method_not_allowed("the server does not allow this method on the requested resource")
        body = await read_object_body(request)
        write_options(request.query, CREATE_OPTIONS)
        obj, duplicates = decode_body(request, body)
        # typed decoding as for stored kinds: kube decodes a review into its Go struct too
        check_fields(request, row, obj, duplicates)
        answer = await self.virtual.create(row, request_user(request), info.namespace, obj)
        return respond(request, answer, 201)

    async def _action(self, request: web.Request, info: RequestInfo, store: AnyStore) -> web.StreamResponse:
        """POST to an action subresource of one object, answered by that subresource's action."""
        action = self.actions.get(info.subresource)
        if action is None:
            raise errors.method_not_allowed("the server does not allow this method on the requested resource")
        body = await read_object_body(request)
        dry = write_options(request.query, CREATE_OPTIONS)
        obj = serialization.decode_object(request.headers.get("Content-Type"), body)
        # admission sees the action's own object (an Eviction, a Binding, a TokenRequest) as a CREATE
        group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
        admit = self._admit(request, info, store, options_object(request.query, CREATE_OPTIONS),
                            (group, version, str(obj.get("kind") or "")))
        if admit:
            await admit.mutate(obj, None)
            await admit.validate(obj, None)
        result = await action(ActionRequest(info.namespace, info.name, obj, dry))
        return respond(request, result.obj, 201)

    async def _get(self, request: web.Request, info: RequestInfo, store: AnyStore) -> web.StreamResponse:
        rv = request.query.get("resourceVersion", "")
        if rv and not rv.isdigit():
            raise errors.bad_request(f"invalid resource version {quote(rv)}")
        obj = await store.get(info.namespace, info.name, rv)
        if info.subresource == "scale":
            return respond(request, scale_of(obj))
        table = table_request(request)
        if table:
            r = store.info
            return respond_table(tables.to_table(r.group, r.plural, [obj], {"resourceVersion": obj["metadata"].get(
                "resourceVersion", "")}, table[1], table[0], printable=store.printable), table[0])
        return respond(request, obj)

    def _list_options(self, store: AnyStore, query) -> tuple[Any, ListOptions]:
        q = parse_list_query(query, watch=False)
        return q, ListOptions(resource_version=q.resource_version, resource_version_match=q.resource_version_match,
                              limit=q.limit, continue_token=q.continue_token,
                              predicate=store.predicate(q.label_selector, q.field_selector))

    async def _list(self, request: web.Request, info: RequestInfo, store: AnyStore) -> web.StreamResponse:
        _, options = self._list_options(store, request.query)
        listed = await store.list(info.namespace, options)
        table = table_request(request)
        if table:
            r = store.info
            return respond_table(tables.to_table(r.group, r.plural, listed["items"], listed["metadata"], table[1],
                                                 table[0], printable=store.printable), table[0])
        return respond(request, listed)

    async def _watch(self, request: web.Request, info: RequestInfo, store: AnyStore) -> web.StreamResponse:
        q = parse_list_query(request.query, watch=True)
        predicate = store.predicate(q.label_selector, q.field_selector)
        table = table_request(request)
        content_type = serialization.watch_type(request.headers.get("Accept"), store.info.api_version,
                                                store.info.kind)
        start = await store.watch(info.namespace, q.resource_version, predicate, q.send_initial_events)
        return await serve_watch(request, store.info, start, q.timeout_seconds, q.allow_bookmarks,
                                 bool(q.send_initial_events), self.watch_settings, self.stopping,
                                 table_events(store, *table) if table else None,
                                 serialization.JSON if table else content_type)

    async def _create(self, request: web.Request, info: RequestInfo, store: AnyStore) -> web.StreamResponse:
        body = await read_object_body(request)
        dry = write_options(request.query, CREATE_OPTIONS)
        obj, duplicates = decode_body(request, body)
        check_fields(request, store.info, obj, duplicates)
        admit = self._admit(request, info, store, options_object(request.query, CREATE_OPTIONS))
        created = await store.create(info.namespace, obj, dry, field_manager(request), admit)
        return respond(request, created, 201)

    async def _update(self, request: web.Request, info: RequestInfo, store: AnyStore) -> web.StreamResponse:
        body = await read_object_body(request)
        dry = write_options(request.query, UPDATE_OPTIONS)
        obj, duplicates = decode_body(request, body)
        if info.subresource != "scale":
            check_fields(request, store.info, obj, duplicates)
        options = options_object(request.query, UPDATE_OPTIONS)
        if info.subresource == "scale":
            return respond(request, await store.update_scale(info.namespace, info.name, lambda _: obj,
                                                             dry, field_manager(request),
                                                             self._admit(request, info, store, options, SCALE_KIND)))
        admit = self._admit(request, info, store, options)
        if info.subresource in OWNED_PATHS:
            result = await store.update_subresource(info.namespace, info.name, info.subresource, obj, dry,
                                                    field_manager(request), admit)
            return respond(request, result)
        result, created = await store.update(info.namespace, info.name, obj, dry, field_manager(request), admit)
        return respond(request, result, 201 if created else 200)

    async def _patch(self, request: web.Request, info: RequestInfo, store: AnyStore) -> web.StreamResponse:
        content_type = serialization.media_type(request.headers.get("Content-Type"))
        schema = openapi.schema_for(store.info)
        accepted = (JSON_PATCH, MERGE_PATCH) + ((STRATEGIC_PATCH, APPLY_PATCH) if schema else ())
        if content_type not in accepted:
            raise errors.StatusError(415, "UnsupportedMediaType", f'the body of the request was in an unknown '
                                     f'format - accepted media types include: {", ".join(accepted)}')
        body = await read_body(request)
        dry = write_options(request.query, PATCH_OPTIONS, content_type)
        options = options_object(request.query, PATCH_OPTIONS)
        if content_type == APPLY_PATCH:
            if info.subresource and info.subresource not in OWNED_PATHS:
                raise errors.StatusError(415, "UnsupportedMediaType", f"{APPLY_PATCH} is not supported on the "
                                         f"{info.subresource} subresource here")
            return await self._server_side_apply(request, info, store, body, dry, options)
        if info.subresource == "scale":
            return respond(request, await store.update_scale(
                info.namespace, info.name, lambda scale: _apply_patch(content_type, scale, body, None),
                dry, field_manager(request), self._admit(request, info, store, options, SCALE_KIND)))

        def patched(current: Obj) -> Obj:
            result = _apply_patch(content_type, current, body, schema)
            # a retried attempt records the same warnings again, which the recorder keeps once
            if isinstance(result, dict):
                check_fields(request, store.info, result)
            return result

        return respond(request, await store.patch(info.namespace, info.name, info.subresource, patched,
                                                  dry, field_manager(request),
                                                  self._admit(request, info, store, options)))

    async def _server_side_apply(self, request: web.Request, info: RequestInfo, store: AnyStore,
                                 body: bytes, dry: bool, options: Obj) -> web.StreamResponse:
        manager = field_manager(request)
        config, duplicates = decode_body(request, body, serialization.YAML)
        check_fields(request, store.info, config, duplicates)
        force = flag(request.query.get("force", "false"))
        result, created = await store.apply(info.namespace, info.name, config, manager, force, dry, info.subresource,
                                            self._admit(request, info, store, options))
        return respond(request, result, 201 if created else 200)

    async def _delete(self, request: web.Request, info: RequestInfo, store: AnyStore) -> web.StreamResponse:
        body = await read_body(request)
        options = parse_delete_options(
            request.query, serialization.decode_object(request.headers.get("Content-Type"), body) if body else None)
        obj, deleted = await store.delete(info.namespace, info.name, options,
                                          self._admit(request, info, store, delete_options_object(options)))
        if not deleted:
            # kube answers 202 only to the legacy orphanDependents=false; everything else still pending is 200
            return respond(request, obj, 202 if options.orphan_dependents is False else 200)
        if store.info.strategy.return_deleted_object:
            return respond(request, obj)
        r = store.info
        # kube's generic store: the resource (not the kind) under `kind`, an empty group left out, no code
        details = {"name": info.name, "group": r.group, "kind": r.plural, "uid": obj["metadata"].get("uid", "")}
        return respond(request, {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": {k: v for k, v in details.items() if v},
        })

    async def _deletecollection(self, request: web.Request, info: RequestInfo,
                                store: AnyStore) -> web.StreamResponse:
        body = await read_body(request)
        options = parse_delete_options(
            request.query, serialization.decode_object(request.headers.get("Content-Type"), body) if body else None)
        _, list_options = self._list_options(store, request.query)
        admit = self._admit(request, info, store, delete_options_object(options))
        return respond(request, await store.delete_collection(info.namespace, list_options, options, admit))
