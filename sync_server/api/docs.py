"""``/docs``: Swagger UI served from this server, never from a CDN.

Off unless ``settings.api_docs`` (``prep-server --api-docs``); ``/openapi.json``
is always served. The Swagger UI files come from the ``swagger-ui-bundle``
package (a declared dependency), mounted at ``/docs/static``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = "/docs/static"


def install_docs(app: FastAPI) -> None:
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        raise SystemExit(
            "--api-docs: falta el paquete swagger-ui-bundle / "
            "the swagger-ui-bundle package is missing (pip install swagger-ui-bundle)"
        ) from None

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon-32x32.png",
        )

    app.mount(STATIC, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
