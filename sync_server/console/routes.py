"""Console pages: login/logout, the views, an acta's history, images, USB import.

Every route but the login form, the login itself and the language switch names
the capability it needs (``console.auth``); the role table is in docs/SERVER.md.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from fastapi import APIRouter, Form, Path, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sync_server.api.client_address import client_address
from sync_server.api.deps import Ctx
from sync_server.console import pages
from sync_server.console.auth import (
    LANG_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Anyone,
    Auditor,
    Downloader,
    Importer,
    Lang,
    Reader,
    StationAdmin,
    UserAdmin,
    check_csrf,
)
from sync_server.console.i18n import texts
from sync_server.services import cuts, images, importer, offline, resolutions, users
from sync_server.services.context import Context
from sync_server.services.errors import ServiceError

router = APIRouter(prefix="/console", include_in_schema=False)
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=HEADERS)


def _login_page(ctx: Context, lang: str, error: str | None, status: int = 200) -> HTMLResponse:
    """The login form with a fresh double-submit CSRF token."""
    token = secrets.token_urlsafe(24)
    resp = html(pages.render("login.html", lang, "login", token=token, error=error), status)
    resp.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.secure_cookies,
        path="/console",
    )
    return resp


@router.get("/login")
def login_form(ctx: Ctx, lang: Lang, failed: int = 0) -> HTMLResponse:
    return _login_page(ctx, lang, texts(lang)["login_failed"] if failed else None)


@router.post("/login")
async def login(
    request: Request,
    ctx: Ctx,
    lang: Lang,
    username: str = Form(max_length=64),
    password: str = Form(max_length=256),
    csrf: str = Form(max_length=128),
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE)
    if not expected or not secrets.compare_digest(expected, csrf):
        raise ServiceError(403, "csrf", "token CSRF inválido", "invalid CSRF token")
    address = client_address(request, ctx.settings.trusted_proxies)
    try:
        token = await run_in_threadpool(users.login, ctx, username, password, address)
    except ServiceError as err:
        if err.status != 429:
            raise
        resp = _login_page(ctx, lang, err.message_en if lang == "en" else err.message_es, 429)
        resp.headers["Retry-After"] = str(err.extra["retry_after_s"])
        return resp
    if token is None:
        return RedirectResponse("/console/login?failed=1", status_code=303)
    resp = RedirectResponse("/console/", status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.secure_cookies,
        path="/",
        max_age=ctx.settings.session_hours * 3600,
    )
    resp.delete_cookie(LOGIN_COOKIE, path="/console")
    return resp


@router.post("/logout")
def logout(request: Request, ctx: Ctx, s: Anyone, csrf: str = Form(max_length=128)) -> Response:
    check_csrf(s, csrf)
    users.logout(ctx, request.cookies.get(SESSION_COOKIE, ""), s.username)
    resp = RedirectResponse("/console/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/lang")
def set_lang(to: str = "es", next: str = "/console/") -> Response:
    target = next if next.startswith("/console") and "//" not in next else "/console/"
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(LANG_COOKIE, "en" if to == "en" else "es", samesite="strict", path="/")
    return resp


@router.get("/")
def dashboard(ctx: Ctx, s: Reader, lang: Lang) -> HTMLResponse:
    from sync_server.services.certificates import published_certificates

    return html(pages.render("dashboard.html", lang, "dashboard", s,
                             **published_certificates(ctx)))


@router.get("/certificados/{name}")
def certificate(ctx: Ctx, s: Reader, name: str = Path(max_length=64)) -> Response:
    """A published certificate, as published (``certificados/`` of the public folder)."""
    from sync_server.services.certificates import certificate_file

    return Response(
        certificate_file(ctx, name),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"',
                 "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/stations")
def stations_page(s: Reader, lang: Lang) -> HTMLResponse:
    return html(pages.render("view.html", lang, "stations", s))


@router.get("/conflicts")
def conflicts_page(s: Reader, lang: Lang) -> HTMLResponse:
    return html(pages.render("view.html", lang, "conflicts", s))


@router.get("/audit")
def audit_page(s: Auditor, lang: Lang) -> HTMLResponse:
    return html(pages.render("view.html", lang, "audit", s))


@router.get("/users")
def users_page(s: UserAdmin, lang: Lang) -> HTMLResponse:
    return html(pages.render("view.html", lang, "users", s))


@router.get("/stations/{station_id}/approval.json")
def approval_file(ctx: Ctx, s: StationAdmin, station_id: str = Path(max_length=64)) -> Response:
    """The signed approval file an offline station imports (offline enrollment)."""
    doc = offline.approval_file(ctx, station_id, s.username)
    return _download(doc, f"aprobacion-{station_id}.json")


def _download(doc: dict[str, Any], name: str) -> Response:
    return Response(
        json.dumps(doc, indent=1, ensure_ascii=False).encode(),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/stations/{station_id}/receipts.json")
def receipts_file(ctx: Ctx, s: Downloader, station_id: str = Path(max_length=64)) -> Response:
    """The station's signed receipts, for a station that syncs by USB."""
    return _download(offline.receipts_file(ctx, station_id), f"recibos-{station_id}.json")


@router.get("/actas/{clave}")
def acta_page(ctx: Ctx, s: Reader, lang: Lang, clave: str = Path(max_length=32)) -> HTMLResponse:
    h = resolutions.acta_history(ctx, clave)
    return html(
        pages.render("acta.html", lang, "conflicts", s, here=f"/console/actas/{clave}", h=h)
    )


@router.get("/images/{sha256}")
def image(ctx: Ctx, s: Reader, sha256: str = Path(max_length=64)) -> Response:
    data, media = images.get_image(ctx, sha256)
    return Response(
        data,
        media_type=media,
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/import")
def import_form(s: Importer, lang: Lang) -> HTMLResponse:
    return html(pages.render("import.html", lang, "import", s, results=None))


@router.post("/import")
async def import_file(
    ctx: Ctx, s: Importer, lang: Lang, file: UploadFile, csrf: str = Form(max_length=128)
) -> HTMLResponse:
    check_csrf(s, csrf)
    data = await file.read()
    try:
        results = await run_in_threadpool(importer.import_file, ctx, data, file.filename or "")
    except ServiceError as err:
        results = [{"kind": "file", "ok": False, **err.to_json()}]
    return html(
        pages.render(
            "import.html",
            lang,
            "import",
            s,
            results=results,
            receipt_stations=pages.import_stations(results),
        )
    )


@router.get("/cuts/{cut_id}.csv")
def cut_csv(ctx: Ctx, s: Downloader, cut_id: int = Path(ge=1, le=2**31 - 1)) -> Response:
    data, name = cuts.cut_csv(ctx, cut_id)
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
