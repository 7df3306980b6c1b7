"""Strategic merge patch against the Deployment schema: merge keys and directives."""
from __future__ import annotations

import pytest

from apiserver.api.meta.errors import StatusError
from apiserver.api.patch import strategicpatch
from apiserver.api.schema import openapi
from apiserver.registry.catalogue import Catalogue

DEPLOYMENT = Catalogue().lookup("apps", "v1", "deployments")


def _deploy(containers, finalizers=None):
    meta = {"name": "d", "labels": {"a": "1", "b": "2"}}
    if finalizers is not None:
        meta["finalizers"] = finalizers
    return {"metadata": meta, "spec": {"replicas": 1, "template": {"spec": {"containers": containers}}}}


def _patch(original, patch):
    return strategicpatch.apply(original, patch, *openapi.schema_for(DEPLOYMENT))


def _containers(obj):
    return obj["spec"]["template"]["spec"]["containers"]


def test_merges_containers_by_name_and_env_by_name():
    original = _deploy([{"name": "a", "image": "x", "env": [{"name": "E", "value": "1"}]}, {"name": "b", "image": "y"}])
    result = _patch(original, {"spec": {"template": {"spec": {"containers": [
        {"name": "a", "image": "x2", "env": [{"name": "F", "value": "2"}]}, {"name": "c", "image": "z"}]}}}})
    assert _containers(result) == [
        {"name": "a", "image": "x2", "env": [{"name": "E", "value": "1"}, {"name": "F", "value": "2"}]},
        {"name": "b", "image": "y"}, {"name": "c", "image": "z"}]
    assert _containers(original)[0]["image"] == "x", "the original is not modified"


def test_null_deletes_and_maps_merge():
    result = _patch(_deploy([]), {"metadata": {"labels": {"a": None, "c": "3"}}, "spec": {"replicas": None}})
    assert result["metadata"]["labels"] == {"b": "2", "c": "3"}
    assert "replicas" not in result["spec"]


def test_patch_directives():
    original = _deploy([{"name": "a", "image": "x"}, {"name": "b", "image": "y"}], finalizers=["f1"])
    deleted = _patch(original, {"spec": {"template": {"spec": {"containers": [{"name": "a", "$patch": "delete"}]}}}})
    assert [c["name"] for c in _containers(deleted)] == ["b"]
    replaced = _patch(original, {"metadata": {"labels": {"$patch": "replace", "only": "this"}}})
    assert replaced["metadata"]["labels"] == {"only": "this"}
    ordered = _patch(original, {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
        "containers": [{"name": "a", "image": "x3"}]}}}})
    assert [(c["name"], c["image"]) for c in _containers(ordered)] == [("b", "y"), ("a", "x3")]
    union = _patch(original, {"metadata": {"finalizers": ["f2", "f1"]}})
    assert union["metadata"]["finalizers"] == ["f1", "f2"]
    removed = _patch(original, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["f1"]}})
    assert removed["metadata"]["finalizers"] == []
    retained = _patch(original, {"spec": {"$retainKeys": ["template"], "replicas": 5}})
    assert set(retained["spec"]) == {"template"}


def test_lists_without_merge_key_are_replaced_and_bad_elements_refused():
    original = _deploy([{"name": "a", "image": "x", "args": ["1", "2"]}])
    result = _patch(original, {"spec": {"template": {"spec": {"containers": [{"name": "a", "args": ["3"]}]}}}})
    assert _containers(result)[0]["args"] == ["3"]
    with pytest.raises(StatusError):
        _patch(original, {"spec": {"template": {"spec": {"containers": [{"image": "nameless"}]}}}})
