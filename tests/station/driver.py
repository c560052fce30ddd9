"""Headless station driver for the crash-safety test (no GUI).

    python -m tests.station.driver DATA PHASE --inbox DIR --truth FILE --journal FILE
                                   [--server URL] [--pace-ms N]

PHASE is ``scan`` (watched folder → pipeline), ``capture`` (double capture with
disagreements, then verification) or ``sync`` (push to the server in small
batches). After every committed action the driver appends the station's chain
head to the journal (fsynced), so the test can tell that nothing it was told
about was lost. Prints READY once the station is open, DONE when the phase ends.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from capture_station.capture import CaptureDesk
from capture_station.operators import login
from capture_station.pipeline import Pipeline
from capture_station.recognizer import read_page
from capture_station.sources import WatchedFolder
from capture_station.station import Station
from capture_station.sync.client import SyncClient, pending_count
from tests.station.helpers import PASSPHRASE, PASSWORDS, entries


def journal(path: Path, st: Station) -> None:
    row = st.store.one("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
    if row is None:
        return
    with open(path, "a") as fh:
        fh.write(f"{row[0]} {row[1]}\n")
        fh.flush()
        os.fsync(fh.fileno())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data", type=Path)
    ap.add_argument("phase", choices=("scan", "capture", "sync"))
    ap.add_argument("--inbox", type=Path)
    ap.add_argument("--truth", type=Path)
    ap.add_argument("--journal", type=Path, required=True)
    ap.add_argument("--server", default="")
    ap.add_argument("--pace-ms", type=int, default=0)
    a = ap.parse_args(argv)
    st = Station(a.data, PASSPHRASE)
    truth = json.loads(a.truth.read_text()) if a.truth else {}
    pace = a.pace_ms / 1000
    print("READY", flush=True)
    if a.phase == "scan":
        wf = WatchedFolder(a.inbox, settle_s=0)
        hints = truth.get("hints", {})
        pipe = Pipeline(st)

        def no_qr(data, catalog):  # type: ignore[no-untyped-def]
            return replace(read_page(data, catalog), qr=None)

        for page in wf.pages():
            hint = hints.get(page.name)
            pipe.recognizer = no_qr if hint else read_page
            r = pipe.process(page, "dani", clave_hint=hint)
            wf.done(page, r.stored or r.status == "imagen_repetida")
            journal(a.journal, st)
            time.sleep(pace)
    elif a.phase == "capture":
        ops = {k: login(st.store, k, v) for k, v in PASSWORDS.items()}
        desk = CaptureDesk(st)
        values = truth["values"]
        for name, mode in (("ana", "captura"), ("beto", "captura"), ("caro", "verificacion")):
            while (t := desk.next_task(ops[name], mode)) is not None:
                vals = entries(values[t.clave_acta], t.fields)
                if name == "beto" and int(t.clave_acta[2:6]) % 2 == 0:
                    vals[t.fields[0]] = "999"  # a disagreement the verifier resolves
                desk.submit(ops[name], t, vals)
                journal(a.journal, st)
                time.sleep(pace)
    else:
        client = SyncClient(st, st.store, a.server, batch_size=1)
        call = client._call

        def paced(*args, **kw):  # type: ignore[no-untyped-def]
            time.sleep(pace)  # a slow link: more requests in flight when killed
            return call(*args, **kw)

        client._call = paced  # type: ignore[method-assign]
        while pending_count(st.store):
            client.sync_once()
            journal(a.journal, st)
    st.close()
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
