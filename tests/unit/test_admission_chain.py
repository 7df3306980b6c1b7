"""The admission chain without storage: phases, order, which plugins a request reaches, failures and metrics."""
from __future__ import annotations

import pytest
from prometheus_client import generate_latest

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.chain import Chain, RequestScope
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.api.meta import errors
from apiserver.metrics.registry import Metrics
from apiserver.registry.catalogue import ResourceInfo
from apiserver.request.user import UserInfo

CONFIGMAPS = ResourceInfo("", "v1", "ConfigMap", "configmaps", True)


class Recorder(Plugin):
    def __init__(self, name: str, log: list[str], *, mutate: bool = True, check: bool = True,
                 ops: frozenset[Operation] | None = None) -> None:
        self.name, self.log = name, log
        self._mutate, self._check = mutate, check
        if ops is not None:
            self.operations = ops

    async def admit(self, attrs: Attributes) -> None:
        if self._mutate:
            self.log.append(f"admit {self.name} {attrs.operation.value}")
            assert attrs.obj is not None or attrs.operation is Operation.DELETE
            if attrs.obj is not None:
                attrs.obj.setdefault("data", {})[self.name] = "x"

    async def validate(self, attrs: Attributes) -> None:
        if self._check:
            self.log.append(f"validate {self.name}")


def scope(**kw) -> RequestScope:
    values = dict(row=CONFIGMAPS, request_group="", request_version="v1", subresource="", namespace="ns", name="",
                  user=UserInfo("alice"), options=None, dry_run=False)
    return RequestScope(**{**values, **kw})


async def test_mutating_in_order_then_validating_in_order() -> None:
    log: list[str] = []
    chain = Chain([Recorder("A", log), Recorder("B", log, check=False), Recorder("C", log, mutate=False)])
    bound = chain.bind(scope())
    obj = {"metadata": {"name": "cm"}}
    await bound.mutate(obj, None)
    await bound.validate(obj, None)
    assert log == ["admit A CREATE", "admit B CREATE", "validate A", "validate C"]
    assert obj["data"] == {"A": "x", "B": "x"}


async def test_operation_follows_old_and_new_and_plugins_see_only_theirs() -> None:
    log: list[str] = []
    chain = Chain([Recorder("A", log, ops=operations(Operation.CREATE)), Recorder("D", log)])
    bound = chain.bind(scope())
    await bound.mutate({"metadata": {"name": "cm"}}, {"metadata": {"name": "cm"}})
    await bound.mutate(None, {"metadata": {"name": "cm"}})
    assert log == ["admit D UPDATE", "admit D DELETE"]
    assert bound.attributes(None, {"metadata": {"name": "old"}}).name == "old"


class Refuses(Plugin):
    name = "Refuses"

    async def validate(self, attrs: Attributes) -> None:
        raise forbidden(attrs, "no")


class Breaks(Plugin):
    name = "Breaks"

    async def admit(self, attrs: Attributes) -> None:
        raise KeyError("spec")


async def test_refusal_and_failure_name_the_plugin_and_count() -> None:
    metrics = Metrics()
    both = Chain([Refuses(), Breaks()])
    # a plugin is in the phases it implements
    assert [p.name for p in both.mutating] == ["Breaks"] and [p.name for p in both.validating] == ["Refuses"]
    bound = Chain([Refuses()], metrics).bind(scope())
    with pytest.raises(errors.StatusError) as refused:
        await bound.validate({"metadata": {"name": "cm"}}, None)
    assert refused.value.code == 403 and refused.value.message == 'configmaps "cm" is forbidden: no'
    # a name not generated yet: kube names the generateName
    with pytest.raises(errors.StatusError) as unnamed:
        await bound.validate({"metadata": {"generateName": "cm-"}}, None)
    assert unnamed.value.message == 'configmaps "cm-" is forbidden: no'
    with pytest.raises(errors.StatusError) as failed:
        await Chain([Breaks()], metrics).bind(scope()).mutate({"metadata": {"name": "cm"}}, None)
    assert failed.value.code == 500 and 'admission plugin "Breaks" failed' in failed.value.message
    text = generate_latest(metrics.registry).decode()
    assert ('apiserver_admission_controller_admission_duration_seconds_count{name="Refuses",operation="CREATE",'
            'rejected="true",type="validate"} 2.0') in text
    assert ('apiserver_admission_step_admission_duration_seconds_count{operation="CREATE",rejected="true",'
            'type="admit"} 1.0') in text
