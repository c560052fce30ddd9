"""The OpenAPI document, complete enough for tools: every schema resolvable, the
errors each route can answer, and the ways to authenticate.

FastAPI builds the document from the routes; :func:`complete` then

- moves the ``$defs`` of hand-written request bodies into ``components/schemas``
  (no dangling ``#/$defs/…`` reference);
- declares the security schemes: a station's signed request (headers
  ``X-PREP-Station``, ``X-PREP-At``, ``X-PREP-Signature``, docs/SERVER.md) and the
  console's session cookie with its CSRF header; each route lists the one it uses;
- documents every error answer with the one shape all errors have (``ErrorOut``):
  401/403 where a credential is required, 413 and 422 where a body is read, 422
  where a parameter is validated, 409 where the state can refuse a change.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from sync_server.api.routes.schemas import ErrorOut

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
STATION_HEADERS = {
    "x-prep-station": "stationId",
    "x-prep-at": "stationTime",
    "x-prep-signature": "stationSignature",
}
CSRF_HEADER = "x-csrf-token"
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "stationId": {
        "type": "apiKey",
        "in": "header",
        "name": "X-PREP-Station",
        "description": "Id of the enrolled station that signs the request (prep-request/1)",
    },
    "stationTime": {
        "type": "apiKey",
        "in": "header",
        "name": "X-PREP-At",
        "description": "The station's time of the request, ms since the epoch",
    },
    "stationSignature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-PREP-Signature",
        "description": "Ed25519 signature (base64) of the request line, see docs/SERVER.md",
    },
    "consoleSession": {
        "type": "apiKey",
        "in": "cookie",
        "name": "prep_session",
        "description": "Console session, set by POST /console/login",
    },
    "consoleCsrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "The session's CSRF token (meta csrf-token of the console pages)",
    },
}
DESCRIPTIONS = {
    "400": "Solicitud mal formada / Malformed request",
    "401": "Sin credenciales válidas / No valid credentials",
    "403": "Sin permiso / Not allowed",
    "404": "No existe / Not found",
    "409": "El estado actual lo impide / The current state refuses it",
    "413": "Cuerpo demasiado grande / Body too large",
    "422": "Datos inválidos / Invalid data",
}
# routes whose state can refuse a change with 409, beyond those that declare it
CONFLICTS = {
    ("post", "/console/api/stations/{station_id}/{action}"),
    ("post", "/console/api/conflicts/{conflict_id}/resolve"),
    ("post", "/console/api/users"),  # the name is taken
    ("post", "/console/api/users/{username}/disable"),  # the last active coordinador
    ("post", "/console/api/certificates/puesta-en-ceros"),  # issued already, or results in
}


def install(app: FastAPI) -> None:
    """Serve the completed document at ``/openapi.json``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = complete(doc)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(doc: dict[str, Any]) -> dict[str, Any]:
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorOut", ErrorOut.model_json_schema())
    doc = _hoist_defs(doc)
    schemas = doc["components"]["schemas"]
    doc["components"]["securitySchemes"] = SECURITY_SCHEMES
    for path, ops in doc.get("paths", {}).items():
        for method, op in ops.items():
            _complete_operation(path, method, op)
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in schemas and f"/{unused}" not in json.dumps(doc["paths"]):
            del schemas[unused]
    return doc


def _hoist_defs(doc: dict[str, Any]) -> dict[str, Any]:
    """Every nested ``$defs`` entry becomes a component, and refs follow it."""
    schemas = doc["components"]["schemas"]

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            defs = node.pop("$defs", None)
            if isinstance(defs, dict):
                for name, sub in defs.items():
                    schemas.setdefault(name, walk(sub))
            out = {}
            for k, v in node.items():
                if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/"):
                    v = "#/components/schemas/" + v[len("#/$defs/") :]
                out[k] = walk(v)
            return out
        if isinstance(node, list):
            return [walk(x) for x in node]
        return node

    doc["paths"] = walk(doc.get("paths", {}))
    for name in list(schemas):
        schemas[name] = walk(schemas[name])
    return doc


def _complete_operation(path: str, method: str, op: dict[str, Any]) -> None:
    params = op.get("parameters", [])
    headers = {p["name"].lower() for p in params if p.get("in") == "header"}
    responses = op.setdefault("responses", {})
    codes: set[str] = set()
    if STATION_HEADERS.keys() <= headers:
        op["security"] = [{scheme: [] for scheme in STATION_HEADERS.values()}]
        codes |= {"401", "403"}
    elif path.startswith("/console/api/"):
        needs_csrf = CSRF_HEADER in headers
        op["security"] = [{"consoleSession": [], **({"consoleCsrf": []} if needs_csrf else {})}]
        codes |= {"401", "403"}  # no session; a wrong CSRF token or a role without the right
    if "security" in op:  # the credentials are the schemes', not free parameters
        names = set(STATION_HEADERS) | {CSRF_HEADER}
        op["parameters"] = [
            p for p in params if not (p.get("in") == "header" and p["name"].lower() in names)
        ]
        if not op["parameters"]:
            del op["parameters"]
    if "requestBody" in op:
        codes |= {"400", "413", "422"}
    if op.get("parameters"):
        codes.add("422")
    if "{" in path:
        codes.add("404")
    if (method, path) in CONFLICTS:
        codes.add("409")
    for code in codes:
        responses.setdefault(code, {"description": DESCRIPTIONS[code]})
    for code, resp in responses.items():
        if code.startswith("4"):
            resp["content"] = {"application/json": {"schema": ERROR_REF}}
            resp.setdefault("description", DESCRIPTIONS.get(code, "Error"))
