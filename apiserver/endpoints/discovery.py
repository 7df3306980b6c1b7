"""Legacy discovery documents: /api, /apis, /apis/<group>, /api/v1 and /apis/<group>/<version>."""
from __future__ import annotations

from typing import Any

from apiserver.registry.catalogue import SUBRESOURCES, Catalogue, ResourceInfo


def api_versions(server_address: str) -> dict[str, Any]:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def _group(catalogue: Catalogue, group: str) -> dict[str, Any]:
    versions = [{"groupVersion": f"{group}/{v}", "version": v} for v in catalogue.versions(group)]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def api_group_list(catalogue: Catalogue) -> dict[str, Any]:
    return {"kind": "APIGroupList", "apiVersion": "v1",
            "groups": [_group(catalogue, g) for g in catalogue.groups() if g]}


def api_group(catalogue: Catalogue, group: str) -> dict[str, Any] | None:
    if not group or group not in catalogue.groups():
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(catalogue, group)}


def _resource_entries(info: ResourceInfo) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {"name": info.plural, "singularName": info.singular, "namespaced": info.namespaced,
                             "kind": info.kind, "verbs": list(info.verbs)}
    if info.short_names:
        entry["shortNames"] = list(info.short_names)
    if info.categories:
        entry["categories"] = list(info.categories)
    entries = [entry]
    for sub in info.subresources:
        verbs, kind = SUBRESOURCES[sub]
        entry = {"name": f"{info.plural}/{sub}", "singularName": "", "namespaced": info.namespaced,
                 "kind": kind["kind"] if kind else info.kind, "verbs": list(verbs)}
        if kind:
            entry.update(group=kind["group"], version=kind["version"])
        entries.append(entry)
    return entries


def api_resource_list(catalogue: Catalogue, group: str, version: str) -> dict[str, Any] | None:
    resources = catalogue.resources(group, version)
    if not resources:
        return None
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
            "resources": [e for r in resources for e in _resource_entries(r)]}


# --- aggregated discovery (apidiscovery.k8s.io v2 and v2beta1) ---------------------------------------------

AGGREGATED_VERSIONS = ("v2", "v2beta1")


def aggregated_version(accept: str | None) -> str | None:
    """The apidiscovery version the client asks for first, if it asks for an APIGroupDiscoveryList at all."""
    for part in (accept or "").split(","):
        params = dict(p.strip().split("=", 1) for p in part.split(";")[1:] if "=" in p)
        if (params.get("g") == "apidiscovery.k8s.io" and params.get("as") == "APIGroupDiscoveryList"
                and params.get("v") in AGGREGATED_VERSIONS):
            return params["v"]
    return None


def aggregated_content_type(version: str) -> str:
    return f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"


def _aggregated_resource(info: ResourceInfo) -> dict[str, Any]:
    kind = {"group": info.group, "version": info.version, "kind": info.kind}
    entry: dict[str, Any] = {"resource": info.plural, "responseKind": kind,
                             "scope": "Namespaced" if info.namespaced else "Cluster",
                             "singularResource": info.singular, "verbs": list(info.verbs)}
    if info.short_names:
        entry["shortNames"] = list(info.short_names)
    if info.categories:
        entry["categories"] = list(info.categories)
    if info.subresources:
        entry["subresources"] = [{"subresource": sub, "responseKind": SUBRESOURCES[sub][1] or kind,
                                  "verbs": list(SUBRESOURCES[sub][0])} for sub in info.subresources]
    return entry


def aggregated_list(catalogue: Catalogue, legacy: bool, version: str) -> dict[str, Any]:
    """/api (legacy=True: the core group only) or /apis (every named group), versions in preference order."""
    groups = [""] if legacy else [g for g in catalogue.groups() if g]
    items = [{"metadata": {"name": group},
              "versions": [{"version": v, "freshness": "Current",
                            "resources": [_aggregated_resource(r) for r in catalogue.resources(group, v)]}
                           for v in catalogue.versions(group)]}
             for group in groups]
    return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{version}", "metadata": {},
            "items": items}
