"""Entry script of the server bundle (prep.spec); the code is in prep_cli/bundle.py."""

from prep_cli.bundle import run

raise SystemExit(run("server"))
