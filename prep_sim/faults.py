"""The faults of a drill, each switchable. Each returns a record: what was done, what
it cost, and whether the system behaved (a refused attack stores nothing, a repeated
batch gets the same receipt, a killed process loses nothing)."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from prep_sim.run import Night

ALL = ("link", "server_kill", "station_kill", "tamper", "duplicate", "clock", "usb", "label_swap")


@dataclass
class Fault:
    name: str
    station: str = ""
    started: float = 0.0
    ended: float = 0.0
    ok: bool = True
    cost: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def parse(spec: str) -> set[str]:
    if spec in ("all", ""):
        return set(ALL) if spec == "all" else set()
    if spec == "none":
        return set()
    names = {s.strip() for s in spec.split(",") if s.strip()}
    unknown = names - set(ALL)
    if unknown:
        raise ValueError(f"fallas desconocidas / unknown faults: {sorted(unknown)}; use {ALL}")
    return names


def server_events(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(con.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    finally:
        con.close()


def server_rows(db: Path, station: str, first: int, last: int) -> list[tuple[Any, ...]]:
    """The server's stored events of one station in a range of seqs (hash, body, sig)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return list(con.execute(
            "SELECT seq, hash, body, sig FROM events WHERE station = ? AND seq BETWEEN ? AND ? "
            "ORDER BY seq", (station, first, last)))
    finally:
        con.close()


def _station_rows(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        return list(con.execute(sql, args))
    finally:
        con.close()


def _wire(row: sqlite3.Row) -> dict[str, Any]:
    return {"event": json.loads(row["body"]), "sig": row["sig"]}


def link_down(night: Night, seconds: float) -> Fault:
    st = night.catd[0]
    f = Fault("link", st.id, time.time())
    (st.control / "offline").touch()
    peak = 0
    end = time.time() + seconds
    while time.time() < end:
        peak = max(peak, int(st.status().get("pending", 0)))
        night.step()
    (st.control / "offline").unlink()
    back = time.time()
    while time.time() - back < 120 and int(st.status().get("pending", 1)) > 0:
        night.step()
    f.ended = time.time()
    f.cost = {"down_s": round(seconds, 1), "pending_peak": peak,
              "drain_s": round(f.ended - back, 1)}
    f.ok = int(st.status().get("pending", 1)) == 0
    return f


def server_kill(night: Night) -> Fault:
    f = Fault("server_kill", "SERVIDOR", time.time())
    deadline = time.time() + 30  # mid-ingest: while some station has events to send
    while time.time() < deadline and not sum(int(s.status().get("pending", 0)) for s in night.online()):
        night.step()
    pending = sum(int(s.status().get("pending", 0)) for s in night.online())
    before = server_events(night.server.db_path)
    night.kill_server()
    down = time.time()
    night.restart_server()
    f.ended = time.time()
    after = server_events(night.server.db_path)
    f.cost = {"pending_at_kill": pending, "restart_s": round(f.ended - down, 1),
              "events_before": before, "events_after_restart": after}
    f.ok = after >= before  # every receipt given before the kill is still honoured
    return f


def station_kill(night: Night) -> Fault:
    st = night.catd[0]
    f = Fault("station_kill", st.id, time.time())
    # wait until it is in the middle of something (sheets waiting or events unsent)
    deadline = time.time() + 30
    while time.time() < deadline:
        s = st.status()
        if int(s.get("inbox", 0)) > 0 or int(s.get("pending", 0)) > 0:
            break
        night.step()
    s = st.status()
    st.kill()
    killed = time.time()
    time.sleep(1.0)
    st.start()
    f.ended = time.time()
    f.cost = {"inbox_at_kill": s.get("inbox"), "pending_at_kill": s.get("pending"),
              "restart_s": round(f.ended - killed, 1)}
    return f


def tamper(night: Night) -> Fault:
    """A station's accepted events, one figure changed in transit: refused whole."""
    st, events, target = night.catd[0], [], None
    for st in night.online():
        last = _station_rows(st.root / "data" / "station.db",
                             "SELECT seq FROM events WHERE acked = 1 AND kind = 'captura' LIMIT 1")
        if last:
            rows = _station_rows(st.root / "data" / "station.db",
                                 "SELECT body, sig FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq",
                                 max(1, last[0]["seq"] - 3), last[0]["seq"])
            events = [_wire(r) for r in rows]
            target = events[-1]
            break
    f = Fault("tamper", st.id, time.time())
    if target is None:
        f.ok, f.note = False, "no accepted capture to tamper with"
        return f
    vals = target["event"]["payload"]["values"]
    k = next(k for k, v in vals.items() if isinstance(v, int))
    vals[k] += 100
    # judged on the tampered station's own rows for those seqs, not on the server's
    # total, which other stations keep raising while this runs
    seqs = (events[0]["event"]["seq"], events[-1]["event"]["seq"])
    before = server_rows(night.server.db_path, st.id, *seqs)
    r = requests.post(night.server.url + "/api/v1/batches", json={"station": st.id, "events": events},
                      timeout=60)
    after = server_rows(night.server.db_path, st.id, *seqs)
    f.ended = time.time()
    f.cost = {"status": r.status_code, "error": _code(r),
              "rows_changed": sum(a != b for a, b in zip(before, after, strict=False))
              + abs(len(after) - len(before))}
    f.ok = 400 <= r.status_code < 500 and after == before
    return f


def duplicate(night: Night) -> Fault:
    """A batch the server accepted, sent again: the same receipt, nothing new."""
    st = night.catd[0]
    f = Fault("duplicate", st.id, time.time())
    db = st.root / "data" / "station.db"
    for rec in _station_rows(db, "SELECT body FROM receipts WHERE via = 'http' ORDER BY head_seq"):
        wire = json.loads(rec["body"])
        body = wire["receipt"]
        if body["new"] != body["events"]:
            continue
        first, last = body["accepted"]["first"], body["accepted"]["last"]
        rows = _station_rows(db, "SELECT body, sig FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq",
                             first, last)
        before = server_rows(night.server.db_path, st.id, first, last)
        r = requests.post(night.server.url + "/api/v1/batches",
                          json={"station": st.id, "events": [_wire(x) for x in rows]}, timeout=60)
        after = server_rows(night.server.db_path, st.id, first, last)
        f.ended = time.time()
        same = r.status_code == 200 and r.json().get("receipt") == body
        f.cost = {"status": r.status_code, "events": len(rows), "rows_unchanged": after == before,
                  "same_receipt": same, "replay_header": r.headers.get("X-Prep-Replay")}
        f.ok = same and after == before and len(after) == len(rows)
        return f
    f.ok, f.note = False, "no receipt of a whole batch yet"
    return f


def _code(r: requests.Response) -> str:
    try:
        return str(r.json().get("error", ""))
    except ValueError:
        return ""
