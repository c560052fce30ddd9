"""Red team: console roles, login hardening and CSRF against a live server
(SQLite and PostgreSQL). Every console route is enumerated from the app, so a
route added without a role check (or missing from the table below) fails here."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from prep_core.signing import KeyPair
from sync_server.console.auth import capability_of
from sync_server.db.tables import audit_log, conflicts, cuts, stations, users
from sync_server.services import accounts, ingest
from sync_server.services import stations as station_service
from sync_server.services.roles import ROLES, TABLE
from tests.server.helpers import (
    ADMIN,
    PASSWORD,
    Live,
    batch,
    conflict_night,
    enroll_all,
    enrollment,
    live_server,
)

PW = "una-clave-de-prueba"
PUBLIC = {("GET", "/console/login"), ("POST", "/console/login"), ("GET", "/console/lang")}
# (method, path) -> the capability it needs; docs/SERVER.md has the same table
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/console/"): "read",
    ("GET", "/console/stations"): "read",
    ("GET", "/console/conflicts"): "read",
    ("GET", "/console/actas/{clave}"): "read",
    ("GET", "/console/images/{sha256}"): "read",
    ("GET", "/console/audit"): "audit",
    ("GET", "/console/users"): "users",
    ("GET", "/console/import"): "import",
    ("POST", "/console/import"): "import",
    ("GET", "/console/stations/{station_id}/approval.json"): "stations",
    ("GET", "/console/stations/{station_id}/receipts.json"): "download",
    ("GET", "/console/cuts/{cut_id}.csv"): "download",
    ("POST", "/console/logout"): "read",
    ("GET", "/console/api/summary"): "read",
    ("GET", "/console/api/progress"): "read",
    ("GET", "/console/api/stations"): "read",
    ("GET", "/console/api/conflicts"): "read",
    ("GET", "/console/api/cuts"): "read",
    ("GET", "/console/api/audit"): "audit",
    ("POST", "/console/api/stations/{station_id}/permissions"): "stations",
    ("POST", "/console/api/stations/{station_id}/{action}"): "stations",
    ("POST", "/console/api/conflicts/{conflict_id}/resolve"): "resolve",
    ("POST", "/console/api/cuts"): "cut",
    ("POST", "/console/api/certificates/puesta-en-ceros"): "certify",
    ("GET", "/console/certificados/{name}"): "read",
    ("GET", "/console/api/users"): "users",
    ("POST", "/console/api/users"): "users",
    ("POST", "/console/api/users/{username}/disable"): "users",
    ("POST", "/console/api/users/{username}/password"): "users",
    ("GET", "/console/api/enrollment-codes"): "audit",
    ("POST", "/console/api/enrollment-codes"): "stations",
}
PARAMS = {
    "station_id": "CATD01",
    "clave": "NOEXISTE",
    "sha256": "0" * 64,
    "cut_id": "999",
    "conflict_id": "999999",
    "username": "nadie",
    "action": "approve",
    "name": "puesta-en-ceros.json",
}
BODIES: dict[str, Any] = {
    "/console/api/stations/{station_id}/permissions": {"scope": None, "self_verify": False},
    "/console/api/conflicts/{conflict_id}/resolve": {
        "action": "choose",
        "reading": 0,
        "reason": "prueba",
    },
    "/console/api/users": {"username": "intruso", "role": "consulta", "password": "x" * 12},
    "/console/api/users/{username}/password": {"password": "x" * 12},
    "/console/api/enrollment-codes": {"role": "CCV", "label": "x", "scope": None},
}


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI keeps them nested)."""
    for r in routes:
        if isinstance(r, APIRoute):
            yield r
        elif hasattr(r, "original_router"):
            yield from api_routes(r.original_router.routes)


def console_routes(app: Any) -> list[tuple[str, str, APIRoute]]:
    found = [
        (m, r.path, r)
        for r in api_routes(app.routes)
        if r.path.startswith("/console")
        for m in r.methods
    ]
    return sorted(found, key=lambda x: (x[0], x[1]))


def capabilities_of(route: APIRoute) -> set[str]:
    found: set[str] = set()
    todo = list(route.dependant.dependencies)
    while todo:
        d = todo.pop()
        cap = capability_of(d.call) if d.call else None
        if cap:
            found.add(cap)
        todo.extend(d.dependencies)
    return found


def login(c: httpx.Client, name: str, password: str, **headers: str) -> httpx.Response:
    page = c.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return c.post(
        "/console/login",
        data={"username": name, "password": password, "csrf": token},
        headers=headers,
    )


def session(live: Live, name: str, password: str = PW) -> tuple[httpx.Client, str]:
    c = live.client()
    r = login(c, name, password)
    assert r.status_code == 303 and r.headers["location"] == "/console/", r.text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/console/").text)
    assert csrf
    return c, csrf.group(1)


def add_users(live: Live) -> dict[str, str]:
    names = {role: f"u-{role}" for role in ROLES}
    for role, name in names.items():
        accounts.add(live.store, live.ctx.now(), name, PW, role, "tests")
    return names


def audit_count(live: Live) -> int:
    with live.store.read() as conn:
        return int(conn.scalar(select(func.count()).select_from(audit_log)) or 0)


def test_every_console_route_names_a_capability(live) -> None:
    seen = set()
    for method, path, route in console_routes(live.app):
        seen.add((method, path))
        if (method, path) in PUBLIC:
            assert not capabilities_of(route), (method, path)
            continue
        assert (method, path) in EXPECTED, f"{method} {path}: add it to the role table"
        assert capabilities_of(route) == {EXPECTED[(method, path)]}, (method, path)
    assert seen >= PUBLIC


def _call(c: httpx.Client, method: str, path: str, csrf: str) -> httpx.Response:
    url = path.format(**PARAMS)
    h = {"X-CSRF-Token": csrf}
    if method == "GET":
        return c.get(url)
    if path == "/console/import":
        return c.post(url, data={"csrf": csrf}, files={"file": ("x.json", b"{}", "text/json")})
    if path == "/console/logout":
        return c.post(url, data={"csrf": csrf})
    return c.post(url, json=BODIES.get(path, {}), headers=h)


def test_each_role_gets_what_the_table_says(live, night) -> None:
    enroll_all(live.ctx, {"CATD01": night.keys["CATD01"]})
    names = add_users(live)
    routes = [(m, p) for m, p, _ in console_routes(live.app) if (m, p) not in PUBLIC]
    routes.sort(key=lambda mp: mp[1] == "/console/logout")  # logging out ends the session: last
    for role, name in names.items():
        c, csrf = session(live, name)
        c.follow_redirects = False
        for method, path in routes:
            r = _call(c, method, path, csrf)
            allowed = EXPECTED[(method, path)] in TABLE[role]
            where = f"{role} {method} {path}: {r.status_code} {r.text[:200]}"
            if allowed:
                assert r.status_code not in (401, 403), where
                assert r.status_code < 500, where
            else:
                assert r.status_code == 403, where
                if path.startswith("/console/api/"):
                    assert r.json()["error"] == "forbidden_role", where
                else:
                    assert 'id="forbidden"' in r.text, where
        c.close()


def test_consulta_cannot_act(live, catalog, night) -> None:
    n = conflict_night(catalog)
    enroll_all(live.ctx, n.keys)
    for name, evs in n.events.items():
        ingest.ingest(live.ctx, batch(name, evs, n.images))
    station_service.request_enrollment(live.ctx, enrollment("CATD77", KeyPair.generate()))
    names = add_users(live)
    c, csrf = session(live, names["consulta"])
    h = {"X-CSRF-Token": csrf}
    queue = c.get("/console/api/conflicts").json()
    assert len(queue) == 1  # it may look
    before = audit_count(live)
    attempts = [
        c.post("/console/api/stations/CATD77/approve", headers=h),
        c.post(
            "/console/api/stations/CATD77/permissions",
            json={"scope": {"distritos": [1]}, "self_verify": True},
            headers=h,
        ),
        c.post(
            f"/console/api/conflicts/{queue[0]['id']}/resolve",
            json={"action": "choose", "reading": 1, "reason": "yo decido"},
            headers=h,
        ),
        c.post("/console/api/cuts", headers=h),
        c.post(
            "/console/import",
            data={"csrf": csrf},
            files={
                "file": (
                    "alta.json",
                    json.dumps(
                        {"format": "prep-enrollment/1", **enrollment("CATD88", KeyPair.generate())}
                    ).encode(),
                    "application/json",
                )
            },
        ),
        c.post(
            "/console/api/users",
            json={"username": "intruso", "role": "coordinador", "password": "x" * 12},
            headers=h,
        ),
        c.get("/console/api/audit"),
        c.get("/console/stations/CATD01/receipts.json"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert audit_count(live) == before  # nothing happened, nothing logged
    with live.store.read() as conn:
        assert conn.scalar(select(stations.c.status).where(stations.c.id == "CATD77")) == "pending"
        assert conn.scalar(select(stations.c.scope).where(stations.c.id == "CATD77")) is None
        assert conn.scalar(select(stations.c.id).where(stations.c.id == "CATD88")) is None
        assert conn.scalar(select(conflicts.c.closed_at)) is None
        assert conn.scalar(select(func.count()).select_from(cuts)) == 0
        assert conn.scalar(select(users.c.username).where(users.c.username == "intruso")) is None


def test_disabled_user_session_ends_at_once(live) -> None:
    names = add_users(live)
    sup, _ = session(live, names["supervisor"])
    sup.follow_redirects = False
    assert sup.get("/console/api/summary").status_code == 200
    admin, csrf = session(live, ADMIN, PASSWORD)
    r = admin.post(
        f"/console/api/users/{names['supervisor']}/disable", headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1
    assert sup.get("/console/api/summary").status_code == 401
    assert sup.get("/console/").status_code == 303
    assert login(live.client(), names["supervisor"], PW).headers["location"].endswith("failed=1")
    # the last active coordinador cannot disable themself; the attempt changes nothing
    other = names["coordinador"]
    h = {"X-CSRF-Token": csrf}
    assert admin.post(f"/console/api/users/{other}/disable", headers=h).status_code == 200
    me = admin.post(f"/console/api/users/{ADMIN}/disable", headers={"X-CSRF-Token": csrf})
    assert me.status_code == 409 and me.json()["error"] == "last_coordinador"
    with live.store.read() as conn:
        assert conn.scalar(select(users.c.active).where(users.c.username == ADMIN))
        actions = [r.action for r in conn.execute(select(audit_log.c.action))]
    assert actions.count("user_disabled") == 2


def test_role_change_in_the_database_applies_to_the_next_request(live) -> None:
    names = add_users(live)
    c, _ = session(live, names["consulta"])
    assert c.get("/console/api/audit").status_code == 403
    with live.store.write() as conn:
        conn.execute(
            users.update().where(users.c.username == names["consulta"]).values(role="auditor")
        )
    assert c.get("/console/api/audit").status_code == 200


def test_csrf_still_enforced_on_every_action(live, night) -> None:
    enroll_all(live.ctx, {"CATD01": night.keys["CATD01"]})
    c, _ = session(live, ADMIN, PASSWORD)
    before = audit_count(live)
    posts = [(m, p) for m, p, _ in console_routes(live.app) if m == "POST" and (m, p) not in PUBLIC]
    for method, path in posts:
        r = _call(c, method, path, "nope")
        assert r.status_code == 403 and r.json()["error"] == "csrf", (path, r.text[:200])
        r = _call(c, method, path, "")  # a form without the field is refused before it runs
        assert r.status_code in (403, 422) and "csrf" in r.text.lower(), (path, r.text[:200])
    assert audit_count(live) == before
    assert c.get("/console/api/summary").status_code == 200  # still logged in


@pytest.fixture
def proxied(db_url, catalog, tmp_path) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    """A live server that believes X-Forwarded-For from loopback (a proxy in front)."""
    with live_server(db_url, catalog, tmp_path, trusted_proxies=("127.0.0.1",)) as srv:
        yield srv


def test_a_strangers_failures_do_not_stop_the_coordinator(proxied) -> None:
    stranger = {"X-Forwarded-For": "203.0.113.5"}
    codes = [login(proxied.client(), ADMIN, "adivinanza-123", **stranger) for _ in range(5)]
    assert [r.status_code for r in codes] == [303, 303, 303, 429, 429]
    assert int(codes[-1].headers["retry-after"]) >= 1
    ok = login(proxied.client(), ADMIN, PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
    assert ok.status_code == 303 and ok.headers["location"] == "/console/"
    with proxied.store.read() as conn:
        rows = conn.execute(select(audit_log.c.action, audit_log.c.detail)).all()
    failed = [json.loads(d)["address"] for a, d in rows if a == "login_failed"]
    assert failed == ["203.0.113.5"] * 3
    assert [json.loads(d)["address"] for a, d in rows if a == "login"] == ["198.51.100.7"]


def test_forwarded_for_from_an_untrusted_peer_is_ignored(live) -> None:
    for i in range(3):
        r = login(live.client(), ADMIN, "adivinanza-123", **{"X-Forwarded-For": f"10.9.0.{i}"})
        assert r.status_code == 303
    r = login(live.client(), ADMIN, PASSWORD, **{"X-Forwarded-For": "10.9.0.99"})
    assert r.status_code == 429  # the pair (name, 127.0.0.1) still waits
    # the per-address limit covers many names, whatever the header says
    for i in range(7):
        login(live.client(), f"otro{i}", "adivinanza-123", Forwarded=f"for=10.8.0.{i}")
    r = login(live.client(), "alguien", "adivinanza-123", **{"X-Forwarded-For": "10.7.0.1"})
    assert r.status_code == 429
    with live.store.read() as conn:
        details = [
            json.loads(d)["address"]
            for a, d in conn.execute(select(audit_log.c.action, audit_log.c.detail))
            if a.startswith("login")
        ]
    assert set(details) == {"127.0.0.1"}


def _failed_logins(live: Live, name: str, tag: int) -> None:
    for i in range(3):
        c = live.client()
        page = c.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = c.post(
            "/console/login",
            data={"username": name, "password": "adivinanza-123", "csrf": token},
            headers={"X-Forwarded-For": f"192.0.2.{tag * 10 + i}"},
        )
        assert r.status_code == 303 and r.headers["location"].endswith("failed=1")


def test_unknown_and_known_names_do_the_same_work(proxied, monkeypatch) -> None:
    """Timing is not asserted (it varies with the machine's load): each failed login,
    known, unknown or disabled name, runs exactly one scrypt check of the password."""
    from sync_server.services import users

    accounts.add(proxied.store, proxied.ctx.now(), "apagada", PW, "consulta", "tests")
    accounts.disable(proxied.store, proxied.ctx.now(), "apagada", "tests")
    checked: list[str] = []
    real = users.check_password

    def counting(stored: str, password: str) -> bool:
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(users, "check_password", counting)
    for tag, name in enumerate((ADMIN, "no-existe", "apagada")):
        checked.clear()
        _failed_logins(proxied, name, tag)
        assert len(checked) == 3, (name, len(checked))  # one scrypt check per attempt
        if name != ADMIN:
            assert set(checked) == {users.DUMMY_HASH}
