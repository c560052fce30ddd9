"""``prep simulacro``: a whole election night through the real processes (prep_sim)."""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from prep_sim.command import add_arguments

    p = sub.add_parser("simulacro", help="simulacro de una noche electoral con procesos reales / "
                                         "a drill of a whole election night, real processes")
    add_arguments(p)
    p.set_defaults(func=cmd_simulacro)


def cmd_simulacro(args: argparse.Namespace) -> int:
    from prep_sim.command import run

    return run(args)
