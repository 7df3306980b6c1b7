"""/healthz, /livez and /readyz with named checks, `?verbose`, `?exclude=` and /<endpoint>/<check>."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

# a check returns None when healthy, or the reason it is not
Check = Callable[[], Awaitable[str | None]]


@dataclass(frozen=True)
class NamedCheck:
    name: str
    run: Check


async def _ping() -> str | None:
    return None


PING = NamedCheck("ping", _ping)


async def serve_checks(request: web.Request, endpoint: str, checks: list[NamedCheck],
                       only: str = "") -> web.Response:
    if only:
        selected = [c for c in checks if c.name == only]
        if not selected:
            return web.Response(status=404, text="404 page not found\n")
        reason = await selected[0].run()
        if reason is None:
            return web.Response(text="ok")
        return web.Response(status=500, text=f"internal server error: {reason}\n")
    excluded = set(request.query.getall("exclude", []))
    lines, failed = [], False
    for check in checks:
        if check.name in excluded:
            lines.append(f"[+]{check.name} excluded: ok")
            continue
        reason = await check.run()
        if reason is None:
            lines.append(f"[+]{check.name} ok")
        else:
            failed = True
            # like kube-apiserver, the reason goes to the log and the verbose page only names the check
            lines.append(f"[-]{check.name} failed: reason withheld")
            request.app.logger.warning("%s check %s failed: %s", endpoint, check.name, reason)
    if failed:
        return web.Response(status=500, text="\n".join(lines) + f"\n{endpoint} check failed\n")
    if "verbose" in request.query:
        return web.Response(text="\n".join(lines) + f"\n{endpoint} check passed\n")
    return web.Response(text="ok")
