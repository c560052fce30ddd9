"""Build the station databases of every released schema, from the migration steps as
they were released (read from git history, never from today's file).

    python tests/station/data/make_old_stations.py

Run once per new release of the schema (add its commit below); the databases are
committed and ``tests/station/test_storage.py`` upgrades them with today's code.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
# schema version → the commit that released it (its migrations.py holds that step)
RELEASES = {1: "6830e82", 2: "6830e82", 3: "f0b67e6", 4: "57ad88f", 5: "2cf7da8"}


def released_migrations(commit: str) -> types.ModuleType:
    src = subprocess.run(["git", "show", f"{commit}:capture_station/storage/migrations.py"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    mod = types.ModuleType(f"migrations_{commit}")
    exec(compile(src, f"{commit}:migrations.py", "exec"), mod.__dict__)
    return mod


def fill(conn: sqlite3.Connection, v: int) -> None:
    """A few rows of each table the schema has, as a station writes them."""
    x = conn.execute
    x("INSERT INTO meta VALUES ('station_id', 'CATD-01'), ('chain_head', 'h3')")
    x("INSERT INTO operators VALUES ('ana', 'Ana López', 'supervisor', 'scrypt$x', 1, 1717300000000)")
    for seq, kind in ((1, "acopio"), (2, "digitalizacion"), (3, "captura")):
        x("INSERT INTO events (seq, hash, kind, clave_acta, at, operator, body, sig, acked) "
          "VALUES (?, ?, ?, '030001B01002', ?, 'ana', ?, 'c2ln', ?)",
          (seq, f"h{seq}", kind, 1717300000000 + seq, f'{{"seq": {seq}}}', int(seq < 3)))
    x("INSERT INTO images VALUES ('abc', 123456, 'image/jpeg', 1717300000001, 1)")
    x("INSERT INTO pages (source, name, sha256, status, clave_acta, message, at) "
      "VALUES ('folder', 'acta-0001.jpg', 'abc', 'identificada', '030001B01002', '', 1717300000001)")
    x("INSERT INTO pages (source, name, status, message, at) "
      "VALUES ('folder', 'borrosa.jpg', 'rechazada', 'imagen borrosa', 1717300000002)")
    if v >= 2:
        x("INSERT INTO receipts VALUES ('lote-1', 2, '{\"head\": {\"seq\": 2}}', 1717300000100, 'usb')")
        x("UPDATE pages SET message_en = 'blurred image', source_key = 'k2' WHERE name = 'borrosa.jpg'")
    if v >= 3:
        x("INSERT INTO work VALUES ('t1', '030002B01002', 'captura', '[\"PAN\"]', 'cd', 'DIP_LOC', 5, "
          "1717300000200)")
    if v >= 4:
        x("INSERT INTO server_events VALUES (1, 'sh1', 'resolucion', '030001B01002', 1717300000300, "
          "'{}', 'c2ln', 1717300000301, 'http')")
    if v >= 5:
        x("UPDATE pages SET identity = '{\"agrees\": false}', typed_clave = '030001B01002', "
          "typed_by = 'ana' WHERE name = 'acta-0001.jpg'")


def main() -> int:
    for v, commit in sorted(RELEASES.items()):
        out = HERE / f"station-schema-{v}.db"
        out.unlink(missing_ok=True)
        conn = sqlite3.connect(out, isolation_level=None)
        released_migrations(commit).migrate(conn, v)
        fill(conn, v)
        conn.execute("VACUUM")
        conn.close()
        print(out.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
