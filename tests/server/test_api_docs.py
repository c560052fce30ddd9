"""The OpenAPI document is complete for tools, and ``/docs`` is off unless asked
for, then served entirely by this server (no CDN)."""

from __future__ import annotations

import json
import re

import pytest

from tests.server.helpers import live_server

CONSOLE_API = "/console/api/"


def _schema(live) -> dict:  # type: ignore[no-untyped-def,type-arg]
    with live.client() as c:
        r = c.get("/openapi.json")
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


def test_openapi_resolvable_documented_and_secured(catalog, tmp_path) -> None:
    with live_server(f"sqlite:///{tmp_path / 's.db'}", catalog, tmp_path) as live:
        doc = _schema(live)
        with live.client() as c:
            assert c.get("/docs").status_code == 404  # off by default
            assert c.get("/redoc").status_code == 404
    text = json.dumps(doc)
    assert "$defs" not in text
    for ref in set(re.findall(r'"\$ref": "([^"]+)"', text)):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"], ref
    schemes = doc["components"]["securitySchemes"]
    assert {s["name"] for s in schemes.values()} == {
        "X-PREP-Station",
        "X-PREP-At",
        "X-PREP-Signature",
        "prep_session",
        "X-CSRF-Token",
    }
    assert schemes["consoleSession"]["in"] == "cookie"
    ops = {(m, p): op for p, o in doc["paths"].items() for m, op in o.items()}
    for (method, path), op in ops.items():
        codes = set(op["responses"])
        if path.startswith(CONSOLE_API):
            assert op["security"][0].keys() >= {"consoleSession"}, path
            assert {"401", "403"} <= codes, path
            if method == "post":
                assert "consoleCsrf" in op["security"][0], path
        if "requestBody" in op:
            assert {"413", "422"} <= codes, (method, path)
        for code, resp in op["responses"].items():
            if code.startswith("4"):
                schema = resp["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (path, code)
    assert "409" in ops[("post", "/api/v1/batches")]["responses"]
    work = ops[("get", "/api/v1/work")]
    assert set(work["security"][0]) == {"stationId", "stationTime", "stationSignature"}
    assert "401" in work["responses"]


def test_docs_offline_when_asked(catalog, tmp_path) -> None:
    pytest.importorskip("swagger_ui_bundle", reason="pip install swagger-ui-bundle")
    url = f"sqlite:///{tmp_path / 's.db'}"
    with live_server(url, catalog, tmp_path, api_docs=True) as live, live.client() as c:
        page = c.get("/docs")
        assert page.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert assets and all(a.startswith("/docs/static/") for a in assets), assets
        assert "http://" not in page.text and "https://" not in page.text
        for a in assets:
            r = c.get(a)
            assert r.status_code == 200 and len(r.content) > 100, a
        assert c.get("/openapi.json").status_code == 200
