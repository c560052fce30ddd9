"""Server commands for the ``prep`` CLI (wired by prep_cli/main.py):

prep audit verify [--db URL]     check the server's hash-chained audit log
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
    v = sub.add_parser("verify", help="verificar la cadena de la bitácora / verify the audit chain")
    v.add_argument("--db", help="database URL (default DATABASE_URL or sqlite:///prep-server.db)")
    v.set_defaults(func=audit_verify)


def add_bench_target(bench_subparsers: Any) -> None:
    """Add ``ingest`` to ``prep bench``."""
    from prep_tools.bench.ingest import add_arguments

    p = bench_subparsers.add_parser("ingest", help="ingest throughput / rendimiento de ingesta")
    add_arguments(p)
    p.set_defaults(func=bench_ingest)


def audit_verify(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from prep_core.errors import PrepError
    from sync_server.config import DEFAULT_DB
    from sync_server.db.store import Store
    from sync_server.services.audit import verify_audit

    url = args.db or os.environ.get("DATABASE_URL") or DEFAULT_DB
    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///") :]):
        raise PrepError("no existe la base de datos", "database not found", where=url)
    store = Store(url)
    try:
        with store.read() as conn:
            check = verify_audit(conn)
    except SQLAlchemyError as exc:
        raise PrepError(
            "no se puede leer la bitácora (¿es la base del servidor?)",
            f"cannot read the audit log (is it the server database?): {type(exc).__name__}",
            where=url.split("@")[-1],
        ) from None
    finally:
        store.dispose()
    for e in check.errors:
        print(e, file=sys.stderr)
    if check.ok:
        print(f"bitácora íntegra / audit log intact: {check.entries} entradas / entries")
        return 0
    print(
        f"bitácora ALTERADA / audit log ALTERED: {len(check.errors)} errores / errors",
        file=sys.stderr,
    )
    return 1


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
