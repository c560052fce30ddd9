"""``prep-server users``: console accounts from the command line.

    prep-server users add NAME --role ROLE [--db URL]
    prep-server users list [--db URL]
    prep-server users disable NAME [--db URL]
    prep-server users password NAME [--db URL]

The password is read from a prompt that does not echo (twice), or from
``PREP_USER_PASSWORD`` for scripts. Each change is an audit entry by
``system:cli``, as from the console.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time

from sync_server.config import Settings
from sync_server.db.store import Store
from sync_server.services import accounts
from sync_server.services.errors import ServiceError
from sync_server.services.roles import ROLES

ACTOR = "system:cli"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="prep-server users",
        description="Cuentas de la consola / console accounts",
    )
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", help="database URL (default sqlite:///prep-server.db or DATABASE_URL)")
    sub = p.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", parents=[db], help="crear una cuenta / create an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    sub.add_parser("list", parents=[db], help="listar cuentas / list accounts")
    dis = sub.add_parser("disable", parents=[db], help="desactivar / disable an account")
    dis.add_argument("name")
    pw = sub.add_parser("password", parents=[db], help="nueva contraseña / reset a password")
    pw.add_argument("name")
    return p.parse_args(argv)


def read_password() -> str:
    env = os.environ.get("PREP_USER_PASSWORD")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise ServiceError(
            2,
            "no_terminal",
            "sin terminal: dé la contraseña en PREP_USER_PASSWORD",
            "no terminal: give the password in PREP_USER_PASSWORD",
        )
    first = getpass.getpass("Contraseña / password: ")
    if getpass.getpass("Repita / repeat: ") != first:
        raise ServiceError(2, "mismatch", "las contraseñas no coinciden", "passwords differ")
    return first


def run(argv: list[str]) -> int:
    args = parse_args(argv)
    store = Store(Settings.from_env(database_url=args.db).database_url)
    try:
        store.migrate()
        now = int(time.time() * 1000)
        if args.command == "list":
            for u in accounts.list_all(store):
                state = "activa/active" if u["active"] else "desactivada/disabled"
                print(f"{u['username']:<32} {u['role']:<12} {state}")
        elif args.command == "add":
            accounts.add(store, now, args.name, read_password(), args.role, ACTOR)
            print(f"cuenta creada / account created: {args.name} ({args.role})")
        elif args.command == "disable":
            r = accounts.disable(store, now, args.name, ACTOR)
            print(
                f"desactivada / disabled: {args.name}; sesiones / sessions: {r['sessions_ended']}"
            )
        else:
            accounts.set_password(store, now, args.name, read_password(), ACTOR)
            print(f"contraseña cambiada / password changed: {args.name}")
    except ServiceError as err:
        print(f"error: {err.message_es} / {err.message_en}", file=sys.stderr)
        return 2 if err.status == 2 else 1
    finally:
        store.dispose()
    return 0
