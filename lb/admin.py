"""The plain-HTTP admin endpoint: backend states, Prometheus metrics and the balancer's own liveness."""
from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from lb.balancer import Pool
from lb.metrics import registry


def admin_app(pool: Pool) -> web.Application:
    metrics = registry(pool)

    async def backends(request: web.Request) -> web.Response:
        return web.json_response([backend.as_dict() for backend in pool.backends])

    async def prometheus(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(metrics), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/backends", backends)
    app.router.add_get("/metrics", prometheus)
    app.router.add_get("/healthz", healthz)
    return app
