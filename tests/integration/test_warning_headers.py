"""Warning headers stay within kube's limits: a body with thousands of unknown fields (found by the fuzz run,
tools/fuzz) got one megabyte of Warning headers, more than HTTP clients take; kube's recorder sends them whole up to
4096 characters, then cut to 256 characters each, and adds none past 4096."""
from __future__ import annotations

from tests.integration.conftest import configmap, make_namespace


async def warnings_of(api, path: str, body: dict) -> list[str]:
    async with api.session.post(api.url + path, json=body, params={"fieldValidation": "Warn"}) as resp:
        assert resp.status == 201, await resp.text()
        return resp.headers.getall("Warning", [])


async def test_unknown_field_warnings_are_bounded(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    many = {**configmap("many"), **{f"f{i:04d}" + "x" * 300: 1 for i in range(3000)}}
    sent = await warnings_of(api, path, many)
    # 'unknown field "f0000xxx…"' is 318 characters: 13 of them pass 4096, so 16 go out cut to 256
    assert len(sent) == 16
    assert sent[0] == '299 - "unknown field \\"f0000' + "x" * (256 - len('unknown field "f0000')) + '"'
    few = {**configmap("few"), **{f"f{i:03d}": 1 for i in range(100)}}
    assert len(await warnings_of(api, path, few)) == 100
