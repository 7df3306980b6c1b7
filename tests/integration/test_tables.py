"""Server-side printing: Table answers for get, list and watch, as kubectl asks for them."""
from __future__ import annotations

import pytest

from apiserver.api.printing.columns import human_duration
from apiserver.api.printing.tables import table_version
from tests.integration.conftest import configmap, make_namespace

TABLE = ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
         "application/json")


@pytest.mark.parametrize("seconds, text", [(5, "5s"), (119, "119s"), (125, "2m5s"), (600, "10m"),
                                           (3 * 3600, "3h"), (3 * 3600 + 60, "3h1m"), (9 * 3600, "9h"),
                                           (3 * 86400, "3d"), (400 * 86400, "400d"), (3 * 365 * 86400, "3y")])
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


def test_table_version_from_accept():
    assert table_version(TABLE) == "v1"
    assert table_version("application/json;as=Table;v=v1beta1;g=meta.k8s.io") == "v1beta1"
    assert table_version("application/json") is None


async def test_list_and_get_as_table(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap("t", {"a": "1", "b": "2"}))
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x"}, {"name": "d",
                                                                                          "image": "y"}]}}
    await api.post(f"/api/v1/namespaces/{ns}/pods", pod)
    async with api.session.get(f"{api.url}/api/v1/namespaces/{ns}/pods", headers={"Accept": TABLE}) as resp:
        assert resp.headers["Content-Type"] == "application/json;as=Table;v=v1;g=meta.k8s.io"
        table = await resp.json(content_type=None)
    assert table["kind"] == "Table" and table["metadata"]["resourceVersion"]
    names = [c["name"] for c in table["columnDefinitions"]]
    assert names == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node",
                     "Readiness Gates"]
    assert [c["priority"] for c in table["columnDefinitions"]][:5] == [0, 0, 0, 0, 0]
    cells = table["rows"][0]["cells"]
    assert cells[:4] == ["p", "0/2", "Pending", "0"]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert table["rows"][0]["object"]["metadata"]["namespace"] == ns

    async with api.session.get(f"{api.url}/api/v1/namespaces/{ns}/configmaps/t",
                               params={"includeObject": "Object"}, headers={"Accept": TABLE}) as resp:
        one = await resp.json(content_type=None)
    assert [c["name"] for c in one["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert one["rows"][0]["cells"][:2] == ["t", 2]
    assert one["rows"][0]["object"]["data"] == {"a": "1", "b": "2"}
    status, body = await api.get(f"/api/v1/namespaces/{ns}/configmaps", params={"includeObject": "All"},
                                 headers={"Accept": TABLE})
    assert status == 400


async def test_watch_as_table(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    for name in ("a", "b"):
        await api.post(f"/api/v1/namespaces/{ns}/configmaps", configmap(name))
    api.headers = {"Accept": TABLE}
    try:
        events = await api.watch(f"/api/v1/namespaces/{ns}/configmaps", {}, until=lambda ev: len(ev) == 2)
    finally:
        api.headers = {}
    assert [e["object"]["kind"] for e in events] == ["Table", "Table"]
    assert events[0]["object"]["columnDefinitions"] and not events[1]["object"]["columnDefinitions"]
    assert [e["object"]["rows"][0]["cells"][0] for e in events] == ["a", "b"]
