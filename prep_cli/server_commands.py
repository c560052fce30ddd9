"""Server commands for the ``prep`` CLI (wired by prep_cli/main.py):

prep audit verify [--db URL] [--published DIR] [--key FILE]
                                 check the audit log, its signed heads, every stored
                                 event and station chain, and the receipts issued
prep bench ingest [...]          verified events/s into SQLite and PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def add_parsers(subparsers: Any) -> None:
    """Add ``audit`` (with ``verify``) to the ``prep`` sub-commands."""
    audit = subparsers.add_parser("audit", help="bitácora del servidor / server audit log")
    sub = audit.add_subparsers(dest="audit_command", required=True)
    v = sub.add_parser(
        "verify",
        help="verificar bitácora, cabezas firmadas, eventos y recibos / "
        "verify the audit log, signed heads, events and receipts",
    )
    v.add_argument("--db", help="database URL (default DATABASE_URL or sqlite:///prep-server.db)")
    v.add_argument(
        "--published",
        help="publication folder whose auditoria.json the audit log must reach "
        "(default: the server's, when it exists)",
    )
    v.add_argument(
        "--key",
        help="the server key file whose public key is trusted "
        "(default: DATA_DIR/server-key.json when it exists)",
    )
    v.set_defaults(func=audit_verify)


def add_bench_target(bench_subparsers: Any) -> None:
    """Add ``ingest`` and ``national`` to ``prep bench``."""
    from prep_tools.bench.ingest import add_arguments

    p = bench_subparsers.add_parser("ingest", help="ingest throughput / rendimiento de ingesta")
    add_arguments(p)
    p.set_defaults(func=bench_ingest)
    from prep_tools.bench import national

    p = bench_subparsers.add_parser(
        "national",
        help="una noche nacional sin imágenes, contra la verdad / a national night without "
        "images, checked against the truth",
    )
    national.add_arguments(p)
    p.set_defaults(func=bench_national)


def bench_national(args: argparse.Namespace) -> int:
    from prep_tools.bench.national import run

    return run(args.casillas, tuple(args.elections.split(",")))


def audit_verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sqlalchemy.exc import SQLAlchemyError

    from prep_core.errors import PrepError
    from sync_server.config import DEFAULT_DB, Settings
    from sync_server.db.store import Store
    from sync_server.services.integrity import verify_store

    url = args.db or os.environ.get("DATABASE_URL") or DEFAULT_DB
    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///") :]):
        raise PrepError("no existe la base de datos", "database not found", where=url)
    settings = Settings.from_env()
    published = Path(args.published) if args.published else settings.publish_path
    if args.published and not published.is_dir():
        raise PrepError(
            "no existe la carpeta de publicación", "no such folder", where=str(published)
        )
    key = _server_public_key(Path(args.key) if args.key else settings.key_path, bool(args.key))
    store = Store(url)
    try:
        report = verify_store(
            store,
            server_key=key,
            published=published if published.is_dir() else None,
            server_station=settings.server_station,
        )
    except SQLAlchemyError as exc:
        raise PrepError(
            "no se puede leer la bitácora (¿es la base del servidor?)",
            f"cannot read the audit log (is it the server database?): {type(exc).__name__}",
            where=url.split("@")[-1],
        ) from None
    finally:
        store.dispose()
    for line in report.lines():
        print(line, file=sys.stderr)
    c = report.counts
    summary = (
        f"{c['audit_entries']} entradas / entries, {c['signed_heads']} cabezas firmadas / "
        f"signed heads, {c['published']} publicada / published, {c['stations']} estaciones / "
        f"stations, {c['events']} eventos / events, {c['receipts']} recibos / receipts"
    )
    if report.ok:
        print(f"bitácora íntegra, datos íntegros / audit log intact, data intact: {summary}")
        return 0
    print(
        f"ALTERADO / ALTERED: {report.total_errors} errores / errors ({summary})",
        file=sys.stderr,
    )
    return 1


def _server_public_key(path: Any, required: bool) -> bytes | None:
    """The public half of the server key file, when there is one (never created here)."""
    import json

    from prep_core.errors import PrepError
    from sync_server.services.context import load_or_create_key

    if not path.exists():
        if required:
            raise PrepError("no existe el archivo de llave", "key file not found", where=str(path))
        return None
    try:
        return load_or_create_key(path).public_bytes
    except (SystemExit, ValueError, KeyError, json.JSONDecodeError):
        raise PrepError(
            "no es un archivo de llave del servidor", "not a server key file", where=str(path)
        ) from None


def bench_ingest(args: argparse.Namespace) -> int:
    from prep_tools.bench.ingest import run

    run(
        args.casillas,
        tuple(args.elections.split(",")),
        args.batch,
        args.backends.split(","),
        threads=args.threads,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry for these commands until prep_cli/main.py wires them."""
    p = argparse.ArgumentParser(prog="prep")
    sub = p.add_subparsers(dest="command", required=True)
    add_parsers(sub)
    bench = sub.add_parser("bench").add_subparsers(dest="bench_command", required=True)
    add_bench_target(bench)
    args = p.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
