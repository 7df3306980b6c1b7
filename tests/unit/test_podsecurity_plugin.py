"""The PodSecurity plugin without a server: audit annotations, exemptions, the PodSecurityConfiguration, namespace
labels, which pod updates are judged, and the warnings about existing pods."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugins.podsecurity.config import load
from apiserver.admission.plugins.podsecurity.levels import LATEST, Level, LevelVersion, Policy, policy_from_labels
from apiserver.admission.plugins.podsecurity.namespaces import existing_pod_warnings
from apiserver.admission.plugins.podsecurity.plugin import PodSecurity, default_evaluator
from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.options.errors import ConfigError
from apiserver.registry.catalogue import Catalogue
from apiserver.request.user import UserInfo
from apiserver.request.warnings import start_recording

CATALOGUE = Catalogue()
PRIVILEGED = {"containers": [{"name": "c", "image": "x", "securityContext": {"privileged": True}}]}


def pod(name: str = "p", spec: Obj | None = None, owner: str | None = None) -> Obj:
    meta: dict[str, Any] = {"name": name, "namespace": "ns"}
    if owner:
        meta["ownerReferences"] = [{"uid": owner, "controller": True, "kind": "ReplicaSet", "name": owner}]
    return {"metadata": meta, "spec": spec or PRIVILEGED}


def attrs(obj: Obj, *, group: str = "", version: str = "v1", plural: str = "pods", old: Obj | None = None,
          user: str = "alice", subresource: str = "", namespace: str = "ns") -> Attributes:
    row = CATALOGUE.lookup(group, version, plural)
    assert row is not None
    op = Operation.UPDATE if old is not None else Operation.CREATE
    return Attributes(op, row, group, version, plural, subresource, namespace, obj["metadata"]["name"], obj, old,
                      UserInfo(user), None, False)


def plugin(labels: dict[str, str] | None, config: dict | None = None, pods: list[Obj] | None = None) -> PodSecurity:
    async def find(name: str) -> Obj | None:
        return {"metadata": {"name": name, "labels": labels or {}}}

    async def list_pods(namespace: str) -> list[Obj]:
        return pods or []

    return PodSecurity(load(config), find, list_pods)


def run(p: PodSecurity, a: Attributes) -> list[str]:
    async def go() -> list[str]:
        warnings = start_recording()
        await p.validate(a)
        return warnings
    return asyncio.run(go())


ENFORCE = "pod-security.kubernetes.io/enforce"


def test_enforce_refuses_with_kubes_message_and_annotates_the_policy() -> None:
    a = attrs(pod())
    with pytest.raises(StatusError) as refused:
        run(plugin({ENFORCE: "baseline"}), a)
    assert refused.value.code == 403
    assert refused.value.message == ('pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged '
                                     '(container "c" must not set securityContext.privileged=true)')
    assert a.annotations["pod-security.kubernetes.io/enforce-policy"] == "baseline:latest"


def test_audit_annotates_and_admits() -> None:
    a = attrs(pod())
    assert run(plugin({"pod-security.kubernetes.io/audit": "baseline",
                       "pod-security.kubernetes.io/audit-version": "v1.30"}), a) == []
    assert a.annotations["pod-security.kubernetes.io/audit-violations"] == (
        'would violate PodSecurity "baseline:v1.30": privileged (container "c" must not set '
        'securityContext.privileged=true)')


def test_a_privileged_namespace_is_noted_as_such() -> None:
    a = attrs(pod())
    assert run(plugin(None), a) == []
    assert a.annotations == {"pod-security.kubernetes.io/enforce-policy": "privileged:latest"}


def test_controllers_are_warned_never_refused() -> None:
    deployment = {"metadata": {"name": "d"}, "spec": {"template": {"metadata": {}, "spec": PRIVILEGED}}}
    a = attrs(deployment, group="apps", plural="deployments")
    warnings = run(plugin({ENFORCE: "restricted", "pod-security.kubernetes.io/warn": "baseline"}), a)
    assert warnings == ['would violate PodSecurity "baseline:latest": privileged (container "c" must not set '
                        'securityContext.privileged=true)']


@pytest.mark.parametrize(("config", "a", "reason"), [
    ({"exemptions": {"usernames": ["alice"]}}, attrs(pod()), "user"),
    ({"exemptions": {"namespaces": ["ns"]}}, attrs(pod()), "namespace"),
    ({"exemptions": {"runtimeClasses": ["kata"]}}, attrs(pod(spec={**PRIVILEGED, "runtimeClassName": "kata"})),
     "runtimeClass"),
])
def test_exemptions_skip_the_checks_and_say_why(config: dict, a: Attributes, reason: str) -> None:
    doc = {"apiVersion": "pod-security.admission.config.k8s.io/v1", "kind": "PodSecurityConfiguration", **config}
    run(plugin({ENFORCE: "restricted"}, doc), a)
    assert a.annotations == {"pod-security.kubernetes.io/exempt": reason}


def test_configured_defaults_apply_to_unlabelled_namespaces() -> None:
    doc = {"apiVersion": "pod-security.admission.config.k8s.io/v1", "kind": "PodSecurityConfiguration",
           "defaults": {"enforce": "baseline", "enforce-version": "v1.29"}}
    with pytest.raises(StatusError, match='violates PodSecurity "baseline:v1.29"'):
        run(plugin(None, doc), attrs(pod()))


def test_configuration_errors_read_as_kubes() -> None:
    doc = {"apiVersion": "pod-security.admission.config.k8s.io/v1", "kind": "PodSecurityConfiguration",
           "defaults": {"enforce": "strict", "audit-version": "1.2"},
           "exemptions": {"usernames": ["a", "a"], "namespaces": ["Bad_Name"]}}
    with pytest.raises(ConfigError) as bad:
        load(doc)
    text = str(bad.value)
    assert 'defaults.enforce: Invalid value: "strict": must be one of privileged, baseline, restricted' in text
    assert 'defaults.audit-version: Invalid value: "1.2": must be "latest" or "v1.x"' in text
    assert 'exemptions.usernames[1]: Duplicate value: "a"' in text
    assert 'exemptions.namespaces[0]: Invalid value: "Bad_Name"' in text
    assert load(None).defaults == Policy()


def test_bad_labels_fail_closed_for_enforce_and_open_for_warn() -> None:
    policy, errors = policy_from_labels({ENFORCE: "bogus", "pod-security.kubernetes.io/warn": "bogus",
                                         "pod-security.kubernetes.io/warn-version": "v2"}, Policy())
    assert policy.enforce == LevelVersion(Level.RESTRICTED, LATEST)
    assert policy.warn.level is Level.PRIVILEGED
    assert [f"{e.field}: {e.message}" for e in errors] == [
        'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of privileged, '
        "baseline, restricted",
        'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "bogus": must be one of privileged, '
        "baseline, restricted",
        'metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "v2": must be "latest" or "v1.x"']


def test_pod_updates_are_judged_only_when_an_image_changes() -> None:
    old = pod()
    relabelled = {**old, "metadata": {**old["metadata"], "labels": {"a": "b"}}}
    p = plugin({ENFORCE: "baseline"})
    run(p, attrs(relabelled, old=old))
    new_image = {**old, "spec": {"containers": [{**PRIVILEGED["containers"][0], "image": "y"}]}}
    with pytest.raises(StatusError):
        run(p, attrs(new_image, old=old))
    run(p, attrs(old, subresource="status", old=old))


def test_namespace_labels_are_validated_on_create() -> None:
    ns = {"metadata": {"name": "x", "labels": {ENFORCE: "bogus"}}}
    with pytest.raises(StatusError) as bad:
        run(plugin(None), attrs(ns, plural="namespaces", namespace=""))
    assert bad.value.code == 422
    assert bad.value.message == ('Namespace "x" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: '
                                 'Invalid value: "bogus": must be one of privileged, baseline, restricted')


def test_tightening_a_namespace_warns_about_its_existing_pods() -> None:
    pods = [pod("b"), pod("a"), pod("r1", owner="rs"), pod("r2", owner="rs"),
            pod("ok", {"containers": [{"name": "c", "image": "x"}]})]
    old = {"metadata": {"name": "ns", "labels": {}}}
    new = {"metadata": {"name": "ns", "labels": {ENFORCE: "baseline"}}}
    warnings = run(plugin(None, pods=pods), attrs(new, plural="namespaces", old=old))
    assert warnings == ['existing pods in namespace "ns" violate the new PodSecurity enforce level "baseline:latest"',
                        "a (and 3 other pods): privileged"]


def test_existing_pod_warnings_name_the_first_of_each_group() -> None:
    two = [pod("z"), pod("y", {"containers": [{"name": "c", "image": "x"}], "hostPID": True}), pod("m")]
    assert existing_pod_warnings(default_evaluator(), "n", LevelVersion(Level.BASELINE, LATEST), two) == [
        'existing pods in namespace "n" violate the new PodSecurity enforce level "baseline:latest"',
        "m (and 1 other pod): privileged", "y: host namespaces"]
