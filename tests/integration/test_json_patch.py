"""JSON patches answered as kube answers them: a body that is not a list of operations is 400 BadRequest, an
operation that does not apply 422 naming the operation, never the document (found by the fuzz run, tools/fuzz: the
422 quoted the whole stored object, a Secret's values included, to a client that may patch but not read it)."""
from __future__ import annotations

from tests.integration.conftest import make_namespace
from tests.integration.test_status_codes import assert_status

JSON_PATCH = {"Content-Type": "application/json-patch+json"}


async def patch(api, path: str, body: bytes) -> tuple[int, dict]:
    return await api.request("PATCH", path, data=body, headers=JSON_PATCH)


async def test_json_patch_errors_never_quote_the_document(api, new_ns):
    ns = new_ns()
    await make_namespace(api, ns)
    status, _ = await api.post(f"/api/v1/namespaces/{ns}/secrets",
                               {"metadata": {"name": "s"}, "data": {"password": "c3dvcmRmaXNo"}})
    assert status == 201
    path = f"/api/v1/namespaces/{ns}/secrets/s"
    for body, code, message in [
        (b'{"op": "add"}', 400, "error decoding patch: json: cannot unmarshal object into Go value of type "
                                "[]handlers.jsonPatchOp"),
        (b"[1]", 400, "error decoding patch: json: cannot unmarshal number into Go value of type "
                      "handlers.jsonPatchOp"),
        (b'[{"op": "add", "path": "/data/nope/x", "value": "1"}]', 422,
         'the server rejected our request due to an error in our request: add operation does not apply: doc is '
         'missing path: "/data/nope/x": missing value'),
        (b'[{"op": "test", "path": "/data/password", "value": "guess"}]', 422,
         "the server rejected our request due to an error in our request: testing value /data/password failed: "
         "test failed"),
    ]:
        status, answer = await patch(api, path, body)
        assert status == code, answer
        assert_status(answer, code, "BadRequest" if code == 400 else "Invalid")
        assert answer["message"] == message
        assert "c3dvcmRmaXNo" not in str(answer)
    status, answer = await patch(api, path, b'[{"op": "replace", "path": "/data/password", "value": "bmV3"}]')
    assert status == 200 and answer["data"] == {"password": "bmV3"}
    status, answer = await patch(api, path, b"null")
    assert status == 200 and answer["data"] == {"password": "bmV3"}
