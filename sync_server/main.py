"""``prep-server``: run the sync server and console with uvicorn.

    prep-server --catalog DIR [--host 127.0.0.1] [--port 8000] [--db URL]
                [--publish-dir DIR] [--cut-every MIN] [--site-workers N]
                [--cut-start ISO] [--cut-end ISO] [--trusted-proxy ADDR ...] [--api-docs]
    prep-server users {add,list,disable,password} ...   (console accounts)

On first run it creates the admin user from PREP_ADMIN_USER / PREP_ADMIN_PASSWORD,
or prints a generated password once.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from sync_server.config import Settings, parse_when


def trusted_proxy(text: str) -> str:
    """An address or network (``10.0.0.0/8``); argparse reports anything else."""
    import ipaddress

    return str(ipaddress.ip_network(text.strip(), strict=False))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="prep-server", description="PREP sync server and console")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--db", help="database URL (default sqlite:///prep-server.db or DATABASE_URL)")
    p.add_argument(
        "--catalog",
        help="carpeta del catálogo (o PREP_CATALOG; obligatoria) / catalog folder "
        "(or PREP_CATALOG; required)",
    )
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
        "--cut-start",
        type=when,
        metavar="ISO",
        help="first cut, e.g. 2024-06-02T20:00 (central Mexico time; 18:00-20:00); "
        "then every --cut-every minutes (default 5), the last one final",
    )
    p.add_argument(
        "--cut-end",
        type=when,
        metavar="ISO",
        help="the final cut (default and at most 24 hours after --cut-start; earlier "
        "when every expected acta is captured)",
    )
    p.add_argument(
        "--site-workers",
        type=int,
        metavar="N",
        help="worker processes that render a large cut's public site (default: one per "
        "core; 0: in the server's process)",
    )
    p.add_argument(
        "--trusted-proxy",
        action="append",
        type=trusted_proxy,
        metavar="ADDR",
        help="believe X-Forwarded-For/Forwarded only from this address or network (repeatable)",
    )
    p.add_argument(
        "--api-docs",
        action="store_true",
        help="serve the API documentation at /docs (offline); /openapi.json is always served",
    )
    return p.parse_args(argv)


def when(text: str) -> int:
    try:
        return parse_when(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: no es una hora ISO (2024-06-02T20:00) / not an ISO time"
        ) from None


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
    users.create_user(ctx, name, password, role="coordinador")
    if generated:
        print(
            f"Usuario inicial / initial user: {name}  contraseña / password: {password}",
            file=sys.stderr,
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["users"]:  # console accounts: sync_server/users_cli.py
        from sync_server.users_cli import run

        return run(argv[1:])
    args = parse_args(argv)
    import uvicorn

    from prep_core.errors import PrepError
    from sync_server.app import create_app
    from sync_server.db.store import Store

    settings = Settings.from_env(
        database_url=args.db,
        catalog_path=args.catalog,
        data_dir=Path(args.data_dir) if args.data_dir else None,
        publish_dir=Path(args.publish_dir) if args.publish_dir else None,
        cut_every_min=args.cut_every,
        cut_start_ms=args.cut_start,
        cut_end_ms=args.cut_end,
        site_workers=args.site_workers,
        trusted_proxies=tuple(args.trusted_proxy) if args.trusted_proxy else None,
        api_docs=args.api_docs or None,
    )
    try:
        app = create_app(settings, Store(settings.database_url))
    except PrepError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ensure_admin(app)
    from sync_server.heap import settle

    settle()  # the catalog and the app are built: keep the collector off them
    # proxy_headers=False: uvicorn would believe X-Forwarded-For from loopback; the
    # console reads it only from --trusted-proxy addresses (api/client_address.py)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
