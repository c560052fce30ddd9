"""HTML of the console pages (plain strings, everything escaped). Dynamic views
are filled by static/console.js from the JSON endpoints and refreshed in place."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import quote

from sync_server.console.i18n import texts

NAV = (
    ("dashboard", "/console/"),
    ("stations", "/console/stations"),
    ("conflicts", "/console/conflicts"),
    ("audit", "/console/audit"),
    ("import", "/console/import"),
)
MX = timedelta(hours=-6)


def fmt_ms(ms: int | None) -> str:
    if ms is None:
        return "—"
    return (datetime.fromtimestamp(ms / 1000, UTC) + MX).strftime("%d/%m/%Y %H:%M:%S")


def layout(lang: str, page: str, body: str, *, user: str | None = None, csrf: str = "") -> str:
    t = texts(lang)
    other = "en" if lang == "es" else "es"
    nav = ""
    if user:
        links = "".join(
            f'<a href="{href}" class="{"on" if key == page else ""}" id="nav-{key}">{escape(t[key])}</a>'
            for key, href in NAV
        )
        nav = (
            f'<nav>{links}<span class="who">{escape(user)}</span>'
            f'<form method="post" action="/console/logout" class="inline">'
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            f'<button id="logout">{escape(t["logout"])}</button></form></nav>'
        )
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="{escape(csrf)}">
<title>{escape(t[page] if page in t else t["title"])} — PREP</title>
<link rel="stylesheet" href="/console/static/console.css">
<script type="application/json" id="prep-texts">{_json(t)}</script>
<script src="/console/static/console.js" defer></script>
</head><body data-page="{page}" data-lang="{lang}">
<header><h1>{escape(t["title"])}</h1>
<a class="lang" href="/console/lang?to={other}&amp;next=/console/{"" if page == "dashboard" else page}">{escape(t["language"])}</a>
</header>{nav}<main>{body}</main></body></html>"""


def _json(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False).replace("<", "\\u003c")


def login_page(lang: str, token: str, error: str | None) -> str:
    t = texts(lang)
    err = f'<p class="error" id="login-error">{escape(error)}</p>' if error else ""
    body = f"""<section class="login"><h2>{escape(t["login"])}</h2>{err}
<form method="post" action="/console/login">
<input type="hidden" name="csrf" value="{escape(token)}">
<label>{escape(t["username"])} <input name="username" id="username" autocomplete="username" required></label>
<label>{escape(t["password"])} <input name="password" id="password" type="password" autocomplete="current-password" required></label>
<button type="submit" id="login-submit">{escape(t["login"])}</button></form></section>"""
    return layout(lang, "login", body)


def dashboard_page(lang: str, user: str, csrf: str) -> str:
    t = texts(lang)
    body = f"""<p class="meta"><span id="catalog"></span> · {escape(t["updated"])}: <span id="updated">…</span></p>
<section id="totals" class="cards"></section>
<section><h2>{escape(t["progress"])}</h2><div id="chart" class="chart"></div></section>
<section id="queues" class="cards"></section>
<section id="demarcaciones"></section>
<section><h2>{escape(t["cuts"])}</h2><button id="make-cut">{escape(t["make_cut"])}</button><div id="cuts"></div></section>
<section><h2>{escape(t["stations"])}</h2><div id="stations-table"></div></section>"""
    return layout(lang, "dashboard", body, user=user, csrf=csrf)


def simple_page(lang: str, page: str, user: str, csrf: str) -> str:
    t = texts(lang)
    body = f'<h2>{escape(t[page])}</h2><div id="{page}-view" class="view">…</div>'
    return layout(lang, page, body, user=user, csrf=csrf)


def import_page(lang: str, user: str, csrf: str, results: list[dict[str, Any]] | None) -> str:
    t = texts(lang)
    rows = ""
    stations = sorted(
        {str(r["station"]) for r in results or [] if r.get("ok") and r["kind"] == "batch"}
    )
    links = "".join(
        f'<p><a class="button secondary receipts-file" download href="/console/stations/{quote(s)}/receipts.json">'
        f"{escape(t['receipts_file'])}: {escape(s)}</a></p>"
        for s in stations
    )
    for r in results or []:
        ok = t["ok"] if r.get("ok") else t["rejected"]
        what = r.get("station", "") or ""
        why = "" if r.get("ok") else r.get("detail", "")
        extra = f" new={r['new']}" if r.get("ok") and r["kind"] == "batch" else ""
        rows += (
            f'<tr class="{"ok" if r.get("ok") else "bad"}"><td>{escape(r["kind"])}</td>'
            f"<td>{escape(str(what))}</td><td>{escape(ok)}{escape(extra)}</td><td>{escape(str(why))}</td></tr>"
        )
    table = (
        f'<table id="import-results"><tr><th>{escape(t["kind"])}</th><th>{escape(t["station"])}</th><th>{escape(t["result"])}</th><th>{escape(t["detail"])}</th></tr>{rows}</table>{links}'
        if results is not None
        else ""
    )
    body = f"""<h2>{escape(t["import"])}</h2>
<form method="post" action="/console/import" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="{escape(csrf)}">
<label>{escape(t["file"])} <input type="file" name="file" id="import-file" accept=".json" required></label>
<button type="submit" id="import-submit">{escape(t["upload"])}</button></form>{table}"""
    return layout(lang, "import", body, user=user, csrf=csrf)


def acta_page(lang: str, user: str, csrf: str, h: dict[str, Any]) -> str:
    t = texts(lang)
    st = h["state"] or {}
    imgs = "".join(
        f'<figure><a href="/console/images/{i["sha256"]}"><img src="/console/images/{i["sha256"]}" alt="acta"></a>'
        f"<figcaption>{escape(i['origen'])} · {fmt_ms(i['at'])}<br><code>{i['sha256'][:16]}…</code></figcaption></figure>"
        for i in st.get("images", [])
    )
    rows = ""
    for e in h["events"]:
        p = e["payload"]
        vals = p.get("values")
        what = (
            json.dumps(vals, ensure_ascii=False)
            if vals
            else json.dumps({k: v for k, v in p.items() if k != "values"}, ensure_ascii=False)
        )
        rows += (
            f'<tr class="k-{escape(e["kind"])}"><td>{fmt_ms(e["at"])}</td><td>{escape(e["station"])}#{e["seq"]}</td>'
            f'<td>{escape(e["kind"])}</td><td>{escape(e["operator"])}</td><td class="vals">{escape(what)}</td></tr>'
        )
    reading = json.dumps(st.get("reading"), ensure_ascii=False) if st.get("reading") else "—"
    body = f"""<h2>{escape(t["acta"])} {escape(h["clave_acta"])}</h2>
<p>{escape(t["status"])}: <strong id="acta-status">{escape(str(h["status"]))}</strong> · CONTABILIZADA: {escape(str(h["contabilizada"]))} · {escape(st.get("observaciones", ""))}</p>
<p>{escape(t["reading"])}: <code>{escape(reading)}</code></p>
<div class="side"><section class="imgs"><h3>{escape(t["images"])}</h3>{imgs or "—"}</section>
<section class="hist"><h3>{escape(t["history"])}</h3><table id="history"><tr><th>{escape(t["at"])}</th><th>{escape(t["event"])}</th><th>{escape(t["kind"])}</th><th>{escape(t["actor"])}</th><th>{escape(t["detail"])}</th></tr>{rows}</table></section></div>"""
    return layout(lang, "conflicts", body, user=user, csrf=csrf)
