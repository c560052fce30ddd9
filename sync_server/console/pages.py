"""The console's pages, rendered from Jinja2 templates (``templates/``, autoescaped).

Dynamic views are filled by ``static/console.js`` from the JSON endpoints and
refreshed in place; both read their words from ``console.i18n``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from sync_server.console.i18n import texts, word
from sync_server.services import roles
from sync_server.services.users import Session

TEMPLATES = Path(__file__).resolve().parent / "templates"
# (page, address, capability needed to see it)
NAV = (
    ("dashboard", "/console/", roles.READ),
    ("stations", "/console/stations", roles.READ),
    ("conflicts", "/console/conflicts", roles.READ),
    ("audit", "/console/audit", roles.AUDIT),
    ("import", "/console/import", roles.IMPORT),
    ("users", "/console/users", roles.USERS),
)
MX = timedelta(hours=-6)


def fmt_ms(ms: int | None) -> str:
    if ms is None:
        return "—"
    try:
        return (datetime.fromtimestamp(ms / 1000, UTC) + MX).strftime("%d/%m/%Y %H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return str(ms)


ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters["ms"] = fmt_ms
ENV.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}


def render(
    template: str,
    lang: str,
    page: str,
    user: Session | None = None,
    *,
    here: str | None = None,
    **values: Any,
) -> str:
    t = texts(lang)
    caps = sorted(roles.capabilities(user.role)) if user else []
    nav = [(key, href) for key, href, cap in NAV if cap in caps]
    return ENV.get_template(template).render(
        t=t,
        word=partial(word, t),
        lang=lang,
        page=page,
        user=user,
        caps=caps,
        nav=nav,
        here=here or ("/console/" if page in ("dashboard", "login") else f"/console/{page}"),
        **values,
    )


def import_stations(results: list[dict[str, Any]] | None) -> list[str]:
    """Stations whose batches were imported: their receipts go back on the USB drive."""
    return sorted(
        {str(r["station"]) for r in results or [] if r.get("ok") and r["kind"] == "batch"}
    )
