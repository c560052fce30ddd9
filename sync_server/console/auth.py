"""Console sessions and CSRF: the session cookie is HttpOnly and SameSite=Strict;
every state-changing request carries the session's CSRF token (form field
``csrf`` or header ``X-CSRF-Token``). The login form uses a double-submit token."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from sync_server.api.deps import Ctx
from sync_server.console.i18n import pick_lang
from sync_server.services import users
from sync_server.services.errors import ServiceError

SESSION_COOKIE = "prep_session"
LOGIN_COOKIE = "prep_login_csrf"
LANG_COOKIE = "prep_lang"


class LoginRequired(Exception):
    pass


def current_session(request: Request, ctx: Ctx) -> users.Session:
    s = users.get_session(ctx, request.cookies.get(SESSION_COOKIE))
    if s is None:
        raise LoginRequired
    return s


Sess = Annotated[users.Session, Depends(current_session)]


def api_session(request: Request, ctx: Ctx) -> users.Session:
    s = users.get_session(ctx, request.cookies.get(SESSION_COOKIE))
    if s is None:
        raise ServiceError(401, "login_required", "inicie sesión", "log in first")
    return s


ApiSess = Annotated[users.Session, Depends(api_session)]


def check_csrf(session: users.Session, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, session.csrf):
        raise ServiceError(403, "csrf", "token CSRF inválido", "invalid CSRF token")


def lang_of(request: Request) -> str:
    ctx = request.app.state.ctx
    return pick_lang(request.cookies.get(LANG_COOKIE), ctx.settings.default_lang)


Lang = Annotated[str, Depends(lang_of)]
