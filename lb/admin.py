"""The plain-HTTP admin endpoint on loopback: backend states, Prometheus metrics, and its own health."""
from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from lb.backends import Pool
from lb.metrics import LbMetrics


def admin_app(pool: Pool, metrics: LbMetrics) -> web.Application:
    async def backends(request: web.Request) -> web.Response:
        return web.json_response([b.as_dict() for b in pool.backends])

    async def prometheus(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/backends", backends)
    app.router.add_get("/metrics", prometheus)
    app.router.add_get("/healthz", healthz)
    return app
