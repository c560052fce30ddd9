"""Red team: only a coordinador issues the *puesta en ceros* certificate from the
console, with a session and its CSRF token; every refused attempt writes no
certificate and no audit entry (live server, SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from sync_server.db.tables import audit_log
from tests.server.helpers import ADMIN, PASSWORD
from tests.server.redteam.test_console_roles import add_users, audit_count, session

ISSUE = "/console/api/certificates/puesta-en-ceros"


def test_only_a_coordinador_with_a_session_and_csrf_issues_it(live) -> None:
    names = add_users(live)
    cert = live.ctx.settings.publish_path / "certificados" / "puesta-en-ceros.json"
    sessions = {role: session(live, names[role]) for role in ("supervisor", "consulta", "auditor")}
    admin, csrf = session(live, ADMIN, PASSWORD)
    _, other_csrf = session(live, names["coordinador"])
    before = audit_count(live)  # the logins are audited; no attempt below may be
    # no session at all, with or without a made-up token
    anon = live.client()
    for headers in ({}, {"X-CSRF-Token": "x" * 32}):
        r = anon.post(ISSUE, headers=headers)
        assert r.status_code == 401 and r.json()["error"] == "login_required"
    # a forged session cookie
    anon.cookies.set("prep_session", "a" * 43)
    assert anon.post(ISSUE, headers={"X-CSRF-Token": "x"}).status_code == 401
    # every other role, with its own valid session and CSRF token
    for role, (c, token) in sessions.items():
        r = c.post(ISSUE, headers={"X-CSRF-Token": token})
        assert r.status_code == 403 and r.json()["error"] == "forbidden_role", (role, r.text)
        assert 'id="issue-zero"' not in c.get("/console/").text  # no button either
    # a coordinador without the token, or with another session's token
    for headers in ({}, {"X-CSRF-Token": "nope"}, {"X-CSRF-Token": other_csrf}):
        r = admin.post(ISSUE, headers=headers)
        assert r.status_code == 403 and r.json()["error"] == "csrf", r.text
    assert not cert.exists()
    assert audit_count(live) == before
    # the coordinador, properly: issued once, audited once
    r = admin.post(ISSUE, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and cert.exists()
    with live.store.read() as conn:
        actions = [a for (a,) in conn.execute(select(audit_log.c.action))]
    assert actions.count("puesta_en_ceros") == 1
