"""The pure parts of the storage, network and small admission plugins: which default class wins, the token
buckets of EventRateLimit and its configuration's validation, which owner references newly block, AlwaysDeny's
refusal and the resize rule no API request reaches (validation refuses an unbound claim's growth first)."""
from __future__ import annotations

import pytest

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugins.always import AlwaysDeny
from apiserver.admission.plugins.defaultclass import newest_default
from apiserver.admission.plugins.eventratelimit import Limit, LimitEnforcer, TokenBucket, parse_config
from apiserver.admission.plugins.ownerrefs import OwnerReferencesPermissionEnforcement, UnmappedKind, newly_blocking
from apiserver.admission.plugins.pvcresize import PersistentVolumeClaimResize
from apiserver.api.meta.errors import StatusError
from apiserver.authz.authorizer import UnionAuthorizer
from apiserver.options.errors import ConfigError
from apiserver.registry.catalogue import Catalogue
from apiserver.request.user import UserInfo

CATALOGUE = Catalogue()


def _class(name: str, created: str, default: bool = True) -> dict:
    return {"metadata": {"name": name, "creationTimestamp": created,
                         "annotations": {"d": "true" if default else "false"}}}


def _is_default(obj: dict) -> bool:
    return obj["metadata"]["annotations"]["d"] == "true"


def test_the_newest_default_wins_and_ties_go_to_the_first_name():
    classes = [_class("b", "2024-01-01T00:00:02Z"), _class("a", "2024-01-01T00:00:01Z"),
               _class("z", "2024-01-01T00:00:09Z", default=False)]
    assert newest_default(classes, _is_default)["metadata"]["name"] == "b"
    classes.append(_class("c", "2024-01-01T00:00:02Z"))
    classes.append(_class("bb", "2024-01-01T00:00:02Z"))
    assert newest_default(classes, _is_default)["metadata"]["name"] == "b"
    assert newest_default([_class("x", "2024-01-01T00:00:00Z", default=False)], _is_default) is None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_token_bucket_starts_full_and_refills_at_its_rate():
    clock = Clock()
    bucket = TokenBucket(2, 3, clock)
    assert [bucket.try_accept() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.5
    assert [bucket.try_accept() for _ in range(2)] == [True, False]
    clock.now += 60
    assert sum(bucket.try_accept() for _ in range(10)) == 3


def _attrs(resource: str, obj: dict | None, old: dict | None = None, *, namespace: str = "ns",
           group: str = "", version: str = "v1", operation: Operation | None = None) -> Attributes:
    row = CATALOGUE.lookup(group, version, resource)
    assert row is not None
    name = ((obj or old or {}).get("metadata") or {}).get("name", "")
    op = operation or (Operation.CREATE if old is None else Operation.UPDATE)
    return Attributes(op, row, group, version, resource, "", namespace, name, obj, old, UserInfo("u"), None, False)


def test_an_lru_of_buckets_forgets_the_least_recently_used():
    clock = Clock()
    enforcer = LimitEnforcer(Limit("Namespace", 1, 1, cache_size=2), clock)
    event = {"metadata": {"name": "e"}}
    assert enforcer.accept(_attrs("events", event, namespace="a")) is None
    assert enforcer.accept(_attrs("events", event, namespace="a")) == "limit reached on type Namespace for key a"
    enforcer.accept(_attrs("events", event, namespace="b"))
    enforcer.accept(_attrs("events", event, namespace="c"))
    # "a" was evicted: its bucket comes back full
    assert enforcer.accept(_attrs("events", event, namespace="a")) is None


def test_the_event_rate_limit_configuration_is_held_to_kubes_rules():
    prefix = 'couldn\'t init admission plugin "EventRateLimit": '
    with pytest.raises(ConfigError) as missing:
        parse_config(None)
    assert str(missing.value) == prefix + "limits: Invalid value: []eventratelimit.Limit(nil): must not be empty"
    config = {"apiVersion": "eventratelimit.admission.k8s.io/v1alpha1", "kind": "Configuration", "limits": [
        {"type": "Pod", "qps": 0, "burst": 1}, {"type": "User", "qps": 1, "burst": 1, "cacheSize": -1}]}
    with pytest.raises(ConfigError) as wrong:
        parse_config(config)
    assert str(wrong.value) == prefix + (
        '[limits[0].type: Unsupported value: "Pod": supported values: "Namespace", "Server", "SourceAndObject", '
        '"User", limits[0].qps: Invalid value: 0: must be positive, limits[1].cacheSize: Invalid value: -1: '
        "must not be negative]")
    config["limits"] = [{"type": "Server", "qps": 5, "burst": 10, "cacheSize": -1}]
    assert parse_config(config) == [Limit("Server", 5, 10, -1)]


def _ref(uid: str, block: bool | None) -> dict:
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": uid, "uid": uid}
    if block is not None:
        ref["blockOwnerDeletion"] = block
    return ref


def test_only_references_that_start_blocking_are_checked():
    old = {"metadata": {"ownerReferences": [_ref("a", True), _ref("b", False), _ref("c", None)]}}
    new = {"metadata": {"ownerReferences": [_ref("a", True), _ref("b", True), _ref("c", None), _ref("d", True)]}}
    assert [r["uid"] for r in newly_blocking(new, old)] == ["b", "d"]
    assert [r["uid"] for r in newly_blocking(new, None)] == ["a", "b", "d"]


def test_owner_kinds_map_to_resources_as_kubes_rest_mapper_does():
    plugin = OwnerReferencesPermissionEnforcement(UnionAuthorizer([]), CATALOGUE)
    assert plugin.resources_for("apps/v1", "Deployment") == ("apps", "v1", ["deployments"])
    assert plugin.resources_for("v1", "ConfigMap") == ("", "v1", ["configmaps"])
    with pytest.raises(UnmappedKind, match='no matches for kind "Deployment" in version "apps/v9"'):
        plugin.resources_for("apps/v9", "Deployment")
    with pytest.raises(UnmappedKind, match="unexpected GroupVersion string: a/b/c"):
        plugin.resources_for("a/b/c", "Deployment")


async def test_always_deny_refuses_in_both_phases_naming_the_object():
    plugin = AlwaysDeny()
    for call in (plugin.admit, plugin.validate):
        with pytest.raises(StatusError) as refused:
            await call(_attrs("configmaps", None, {"metadata": {"name": "c"}}, operation=Operation.DELETE))
        assert refused.value.code == 403
        assert refused.value.message == 'configmaps "c" is forbidden: admission control is denying all modifications'


async def test_only_a_bound_claim_may_grow():
    def claim(size: str, phase: str) -> dict:
        return {"metadata": {"name": "c"}, "spec": {"resources": {"requests": {"storage": size}}},
                "status": {"phase": phase}}

    plugin = PersistentVolumeClaimResize(classes=None)  # type: ignore[arg-type]  # never asked: refused first
    with pytest.raises(StatusError) as refused:
        await plugin.validate(_attrs("persistentvolumeclaims", claim("2Gi", "Pending"), claim("1Gi", "Pending")))
    assert refused.value.message == ('persistentvolumeclaims "c" is forbidden: Only bound persistent volume claims '
                                     "can be expanded")
    # shrinking or keeping the size is not the plugin's business
    await plugin.validate(_attrs("persistentvolumeclaims", claim("1Gi", "Pending"), claim("2Gi", "Pending")))
