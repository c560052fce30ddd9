"""Coordinators' console: server-rendered pages and a small script that polls
JSON endpoints so the views refresh without reloading."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def mount_console(app: FastAPI) -> None:
    from fastapi import Request
    from fastapi.responses import HTMLResponse, RedirectResponse

    from sync_server.console import api, api_enrollment, pages, routes
    from sync_server.console.auth import LoginRequired, RoleForbidden, lang_of

    async def _login(_: Request, __: Exception) -> RedirectResponse:
        return RedirectResponse("/console/login", status_code=303)

    async def _forbidden(request: Request, exc: Exception) -> HTMLResponse:
        assert isinstance(exc, RoleForbidden)
        text = pages.render("forbidden.html", lang_of(request), "forbidden", exc.session)
        return routes.html(text, 403)

    app.add_exception_handler(LoginRequired, _login)
    app.add_exception_handler(RoleForbidden, _forbidden)
    app.include_router(routes.router)
    app.include_router(api.router)
    app.include_router(api_enrollment.router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
