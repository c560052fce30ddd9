"""``prep-server``: run the sync server and console with uvicorn.

    prep-server [--host 127.0.0.1] [--port 8000] [--db URL] [--catalog PATH]
                [--publish-dir DIR] [--cut-every MIN] [--api-docs]

On first run it creates the admin user from PREP_ADMIN_USER / PREP_ADMIN_PASSWORD,
or prints a generated password once.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from sync_server.config import Settings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="prep-server", description="PREP sync server and console")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--db", help="database URL (default sqlite:///prep-server.db or DATABASE_URL)")
    p.add_argument("--catalog", help="catalog folder (default: the BCS demo catalog)")
    p.add_argument("--data-dir", help="folder for the server key (default prep-server-data)")
    p.add_argument(
        "--publish-dir", help="publication folder for difusores (default DATA_DIR/publicacion)"
    )
    p.add_argument(
        "--cut-every",
        type=int,
        metavar="MIN",
        help="take and publish a cut every MIN minutes (default: only from the console)",
    )
    p.add_argument(
        "--api-docs",
        action="store_true",
        help="serve the API documentation at /docs (offline); /openapi.json is always served",
    )
    return p.parse_args(argv)


def ensure_admin(app) -> None:  # type: ignore[no-untyped-def]
    from sync_server.services import users

    ctx = app.state.ctx
    if users.has_users(ctx):
        return
    name = os.environ.get("PREP_ADMIN_USER", "admin")
    password = os.environ.get("PREP_ADMIN_PASSWORD")
    generated = password is None
    if password is None:
        password = secrets.token_urlsafe(12)
    users.create_user(ctx, name, password, role="admin")
    if generated:
        print(
            f"Usuario inicial / initial user: {name}  contraseña / password: {password}",
            file=sys.stderr,
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import uvicorn

    from sync_server.app import create_app
    from sync_server.db.store import Store

    settings = Settings.from_env(
        database_url=args.db,
        catalog_path=args.catalog,
        data_dir=Path(args.data_dir) if args.data_dir else None,
        publish_dir=Path(args.publish_dir) if args.publish_dir else None,
        cut_every_min=args.cut_every,
        api_docs=args.api_docs or None,
    )
    app = create_app(settings, Store(settings.database_url))
    ensure_admin(app)
    from sync_server.heap import settle

    settle()  # the catalog and the app are built: keep the collector off them
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
