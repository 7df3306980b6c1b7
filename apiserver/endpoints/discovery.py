"""Legacy discovery documents: /api, /apis, /apis/<group>, /api/v1 and /apis/<group>/<version>."""
from __future__ import annotations

from typing import Any

from apiserver.api.catalogue import Catalogue, ResourceInfo

SUBRESOURCE_VERBS = ["get", "patch", "update"]


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
        entries.append({"name": f"{info.plural}/{sub}", "singularName": "", "namespaced": info.namespaced,
                        "kind": info.kind, "verbs": SUBRESOURCE_VERBS})
    return entries


def api_resource_list(catalogue: Catalogue, group: str, version: str) -> dict[str, Any] | None:
    resources = catalogue.resources(group, version)
    if not resources:
        return None
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
            "resources": [e for r in resources for e in _resource_entries(r)]}
