"""Console sessions, roles and CSRF.

Every console page and API route takes one of the ``require(capability)``
dependencies below (named ``Reader``, ``Auditor``, ...): it finds the session,
reads the account's role from the database, and refuses a role the table in
``services.roles`` does not allow (403: JSON under ``/console/api``, a page
elsewhere). No session: 401 JSON for the API, a redirect to the login page for
pages. The session cookie is HttpOnly and SameSite=Strict; every state-changing
request carries the session's CSRF token (form field ``csrf`` or header
``X-CSRF-Token``). The login form uses a double-submit token."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from sync_server.api.deps import Ctx
from sync_server.console.i18n import pick_lang
from sync_server.services import roles, users
from sync_server.services.errors import ServiceError

SESSION_COOKIE = "prep_session"
LOGIN_COOKIE = "prep_login_csrf"
LANG_COOKIE = "prep_lang"
API_PREFIX = "/console/api/"


class LoginRequired(Exception):
    pass


class RoleForbidden(Exception):
    def __init__(self, session: users.Session, capability: str) -> None:
        super().__init__(capability)
        self.session = session
        self.capability = capability


def require(capability: str) -> Any:
    """A dependency: the session of a user whose role allows ``capability``."""
    if capability not in roles.CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")

    def check(request: Request, ctx: Ctx) -> users.Session:
        api = request.url.path.startswith(API_PREFIX)
        s = users.get_session(ctx, request.cookies.get(SESSION_COOKIE))
        if s is None:
            if api:
                raise ServiceError(401, "login_required", "inicie sesión", "log in first")
            raise LoginRequired
        if not roles.allows(s.role, capability):
            if api:
                raise ServiceError(
                    403,
                    "forbidden_role",
                    f"su rol ({s.role}) no permite esta acción",
                    f"your role ({s.role}) does not allow this",
                    extra={"capability": capability},
                )
            raise RoleForbidden(s, capability)
        return s

    check.capability = capability  # type: ignore[attr-defined]
    return Depends(check)


def capability_of(dependant: Callable[..., Any]) -> str | None:
    return getattr(dependant, "capability", None)


Reader = Annotated[users.Session, require(roles.READ)]
Auditor = Annotated[users.Session, require(roles.AUDIT)]
Downloader = Annotated[users.Session, require(roles.DOWNLOAD)]
Importer = Annotated[users.Session, require(roles.IMPORT)]
Resolver = Annotated[users.Session, require(roles.RESOLVE)]
StationAdmin = Annotated[users.Session, require(roles.STATIONS)]
CutMaker = Annotated[users.Session, require(roles.CUT)]
Certifier = Annotated[users.Session, require(roles.CERTIFY)]
UserAdmin = Annotated[users.Session, require(roles.USERS)]
# any signed-in user (logout only)
Anyone = Reader
# routes written before roles: coordinador only until they name their capability
Sess = StationAdmin
ApiSess = StationAdmin


def check_csrf(session: users.Session, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, session.csrf):
        raise ServiceError(403, "csrf", "token CSRF inválido", "invalid CSRF token")


def lang_of(request: Request) -> str:
    ctx = request.app.state.ctx
    return pick_lang(request.cookies.get(LANG_COOKIE), ctx.settings.default_lang)


Lang = Annotated[str, Depends(lang_of)]
