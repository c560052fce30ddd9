"""App factory: everything the app needs arrives as arguments (no globals)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from prep_core.catalog import Catalog
from prep_core.errors import CatalogError
from sync_server.api.errors import install_error_handlers
from sync_server.api.limits import BodyLimit, JsonDepthLimit
from sync_server.api.openapi import install as install_openapi
from sync_server.api.routes import (
    batches,
    catalogs,
    decisions,
    health,
    images,
    server,
    stations,
    work,
)
from sync_server.clock import Clock, system_clock
from sync_server.config import Settings
from sync_server.db.store import Store
from sync_server.services.context import Context, load_or_create_key
from sync_server.services.resolutions import ensure_server_station
from sync_server.services.schedule import Schedule

log = logging.getLogger("prep.server")

API_DESCRIPTION = """Servidor de sincronización del PREP / PREP sync server.

Stations send signed batches of events; the server verifies, chains, stores and
re-derives the affected actas in one transaction and answers with a signed
receipt. See docs/SERVER.md for the receipt format and the rules."""


def load_catalog_for(settings: Settings) -> Catalog:
    """The election's catalog; there is no default (a server on the wrong catalog
    would accept and publish the wrong actas)."""
    if not settings.catalog_path:
        raise CatalogError(
            "falta el catálogo: indique --catalog CARPETA o PREP_CATALOG",
            "no catalog given: pass --catalog DIR or set PREP_CATALOG",
        )
    from prep_io.files import load_catalog

    return load_catalog(settings.catalog_path)


def _lifespan(ctx: Context):  # type: ignore[no-untyped-def]
    """While the app runs, cuts are taken every ``settings.cut_every_min`` minutes;
    when it stops, the audit chain's head is signed and the signature-verification
    worker processes are shut down (none is left behind)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sched = None
        if ctx.settings.cut_every_min > 0 or ctx.settings.cut_start_ms is not None:
            from sync_server.services.scheduler import CutScheduler

            every = ctx.settings.cut_every_min * 60_000 or 5 * 60_000
            sched = CutScheduler(ctx, every, schedule_of(ctx.settings))
            sched.start()
        try:
            yield
        finally:
            if sched is not None:
                sched.stop()
            _at_shutdown(ctx)

    return lifespan


def schedule_of(settings: Settings) -> Schedule | None:
    """The configured schedule of cuts (checked: a bad one stops the server's start)."""
    if settings.cut_start_ms is None:
        return None
    every = settings.cut_every_min * 60_000 or 5 * 60_000
    return Schedule.checked(settings.cut_start_ms, every, settings.cut_end_ms)


def body_limits(settings: Settings) -> tuple[tuple[str, int], ...]:
    """Paths with a smaller body limit than ``max_body_bytes``."""
    return (
        ("/api/v1/stations/", settings.enroll_body_bytes),
        ("/api/v1/images/", settings.max_image_bytes + 4096),
        ("/console/api/", settings.console_body_bytes),
    )


def _at_shutdown(ctx: Context) -> None:
    from sync_server.services.audit_heads import sign_now
    from sync_server.services.chain import shutdown_pool

    try:
        sign_now(ctx, "shutdown")
    except Exception:  # a broken database must not keep the workers alive
        log.exception("no se firmó la cabeza de la bitácora / audit head not signed")
    finally:
        shutdown_pool()


def create_app(
    settings: Settings,
    store: Store,
    clock: Clock = system_clock,
    *,
    catalog: Catalog | None = None,
    migrate: bool = True,
) -> FastAPI:
    schedule_of(settings)  # a schedule against the rules stops the start here
    if migrate:
        store.migrate()
    ctx = Context(
        settings=settings,
        store=store,
        clock=clock,
        catalog=catalog if catalog is not None else load_catalog_for(settings),
        key=load_or_create_key(settings.key_path),
    )
    ensure_server_station(ctx)
    app = FastAPI(
        title="PREP Abierto — servidor",
        version="0.1.0",
        description=API_DESCRIPTION,
        lifespan=_lifespan(ctx),
        docs_url=None,
        redoc_url=None,
    )
    install_openapi(app)
    if settings.api_docs:
        from sync_server.api.docs import install_docs

        install_docs(app)
    app.state.ctx = ctx
    install_error_handlers(app)
    for module in (health, server, catalogs, stations, batches, images, work, decisions):
        app.include_router(module.router)
    from sync_server.console import mount_console

    mount_console(app)
    app.add_middleware(
        JsonDepthLimit, max_depth=settings.max_json_depth, raw_paths=("/api/v1/images/",)
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, per_path=body_limits(settings))
    return app
