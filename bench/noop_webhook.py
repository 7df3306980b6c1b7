"""A validating admission webhook that allows everything: `python -m bench.noop_webhook --port P --cert C
--key K`. The admission benchmark runs it as a process of its own, so that answering it costs the replica's
event loop nothing but the call."""
from __future__ import annotations

import argparse
import ssl

import orjson
from aiohttp import web


async def review(request: web.Request) -> web.Response:
    asked = orjson.loads(await request.read())
    answer = {"apiVersion": asked.get("apiVersion", "admission.k8s.io/v1"), "kind": "AdmissionReview",
              "response": {"uid": asked["request"]["uid"], "allowed": True}}
    return web.Response(body=orjson.dumps(answer), content_type="application/json")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.noop_webhook")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    app = web.Application()
    app.router.add_post("/", review)
    web.run_app(app, host="127.0.0.1", port=args.port, ssl_context=context, print=None, access_log=None)


if __name__ == "__main__":
    main()
