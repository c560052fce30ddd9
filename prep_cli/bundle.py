"""The entry point of a bundle (installer/bundle/prep.spec): one executable per
program, and ``prep`` (a link to it) for the admin commands, ``prep integrity``
above all. Which one runs is the name it was started by."""

from __future__ import annotations

import sys
from pathlib import Path


def run(program: str) -> int:
    sys.dont_write_bytecode = True  # a bundle's folder never gains files
    name = Path(sys.argv[0]).name.lower().removesuffix(".exe")
    # the station's self-test from `prep` too: on Windows only `prep.exe` has a console
    self_test = program == "station" and sys.argv[1:2] == ["--self-test"]
    if name == "prep" and not self_test:
        from prep_cli.main import main

        return main()
    if program == "station":
        from capture_station.app import main as station

        return station()
    from sync_server.main import main as server

    return int(server() or 0)
