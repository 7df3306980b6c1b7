"""The pure parts of the pod scheduling admission plugins: merging tolerations, the labels a kubelet may set,
AlwaysPullImages' validating phase (reached only when a later mutation undid its work) and the toleration flags."""
from __future__ import annotations

import argparse

import pytest

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugins import tolerations
from apiserver.admission.plugins.alwayspullimages import AlwaysPullImages
from apiserver.admission.plugins.extendedresourcetoleration import is_extended_resource
from apiserver.admission.plugins.noderestriction import forbidden_labels, node_identity
from apiserver.api.meta.errors import StatusError
from apiserver.options import admission
from apiserver.options.admission import AdmissionOptions
from apiserver.registry.catalogue import CATALOGUE
from apiserver.request.user import UserInfo

PODS = next(row for row in CATALOGUE if row.group == "" and row.plural == "pods")
EXISTS_ALL = {"operator": "Exists"}
NO_EXECUTE = {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}


def test_merging_drops_tolerations_another_covers():
    narrow = {"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}
    wide = {"key": "k", "operator": "Exists", "effect": "NoSchedule"}
    assert tolerations.merge([narrow], [wide]) == [wide]
    assert tolerations.merge([wide, narrow], [wide]) == [wide]
    assert tolerations.merge([narrow], [EXISTS_ALL]) == [EXISTS_ALL]
    # a longer toleration of NoExecute is not covered by a shorter one
    longer = {**NO_EXECUTE, "tolerationSeconds": 600}
    assert tolerations.merge([longer], [NO_EXECUTE]) == [longer]
    assert tolerations.merge([NO_EXECUTE], [longer]) == [longer]
    # an empty operator is Equal in the covering toleration only: it covers the Equal one, not the other way round
    unset = {"key": "k", "value": "v", "effect": "NoSchedule"}
    assert tolerations.merge([unset], [narrow]) == tolerations.merge([narrow], [unset]) == [unset]


def test_add_or_update_replaces_the_matching_toleration():
    spec = {"tolerations": [NO_EXECUTE, EXISTS_ALL]}
    tolerations.add_or_update(spec, {**NO_EXECUTE, "tolerationSeconds": 5})
    assert spec["tolerations"] == [{**NO_EXECUTE, "tolerationSeconds": 5}, EXISTS_ALL]
    tolerations.add_or_update(spec, {"key": "other", "operator": "Exists"})
    assert spec["tolerations"][-1] == {"key": "other", "operator": "Exists"}


def test_the_labels_a_kubelet_may_not_set():
    old = {"kubernetes.io/hostname": "n", "team": "a"}
    new = {"kubernetes.io/hostname": "m", "team": "b", "topology.kubernetes.io/zone": "z",
           "kubelet.kubernetes.io/x": "1", "sub.node.kubernetes.io/y": "1", "node-restriction.kubernetes.io/t": "1",
           "example.node-restriction.kubernetes.io/t": "1", "kubernetes.io/role": "r", "x.k8s.io/y": "1"}
    assert forbidden_labels(new, old) == ["example.node-restriction.kubernetes.io/t", "kubernetes.io/role",
                                          "node-restriction.kubernetes.io/t", "x.k8s.io/y"]
    # removing one counts as changing it
    assert forbidden_labels({}, {"kubernetes.io/role": "r"}) == ["kubernetes.io/role"]


def test_who_is_a_node():
    assert node_identity(UserInfo("system:node:n1", groups=("system:nodes",))) == "n1"
    assert node_identity(UserInfo("system:node:", groups=("system:nodes",))) == ""
    assert node_identity(UserInfo("system:node:n1")) is None
    assert node_identity(UserInfo("alice", groups=("system:nodes",))) is None


@pytest.mark.parametrize(("name", "extended"), [
    ("example.com/gpu", True), ("cpu", False), ("kubernetes.io/x", False), ("requests.example.com/x", False),
    ("example.com/bad name", False)])
def test_extended_resource_names(name, extended):
    assert is_extended_resource(name) is extended


def _attrs(pod: dict, operation: Operation = Operation.CREATE, old: dict | None = None) -> Attributes:
    return Attributes(operation, PODS, "", "v1", "pods", "", "ns", pod["metadata"]["name"], pod, old,
                      UserInfo("u"), None, False)


async def test_always_pull_images_refuses_what_a_later_mutation_changed():
    plugin = AlwaysPullImages()
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "a", "image": "x", "imagePullPolicy": "IfNotPresent"}, {"name": "b", "image": "y"}]}}
    with pytest.raises(StatusError) as raised:
        await plugin.validate(_attrs(pod))
    assert raised.value.code == 500
    assert raised.value.message == (
        '[pods "p" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresent": supported '
        'values: "Always", pods "p" is forbidden: spec.containers[1].imagePullPolicy: Unsupported value: "": '
        'supported values: "Always"]')
    await plugin.admit(_attrs(pod))
    await plugin.validate(_attrs(pod))
    # an update bringing no new image is not its business
    assert not plugin.handles(_attrs({**pod, "metadata": {"name": "p"}}, Operation.UPDATE, pod))


def _options(*argv: str) -> AdmissionOptions:
    parser = argparse.ArgumentParser(exit_on_error=False)
    admission.add_flags(parser)
    return admission.from_args(parser.parse_args(argv))


def test_the_toleration_flags():
    options = _options("--default-not-ready-toleration-seconds=-1")
    assert (options.default_not_ready_toleration_seconds, options.default_unreachable_toleration_seconds) == (-1, 300)
    with pytest.raises(argparse.ArgumentError, match='strconv.ParseInt: parsing "soon": invalid syntax'):
        _options("--default-unreachable-toleration-seconds=soon")
