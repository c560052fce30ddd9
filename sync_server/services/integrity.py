"""``prep audit verify``: everything the server stored, checked again from scratch.

1. The audit log's hash chain (:func:`sync_server.services.audit.verify_audit`).
2. The signed audit heads (``audit_heads``, and the last published
   ``auditoria.json``): each signature verifies under the server key, and the
   chain still reaches the signed entry with the signed hash; a log cut short or
   rewritten after a cut is reported.
3. Every stored event: its hash is the SHA-256 of its stored body, its signature
   verifies under its station's key, and each station's chain runs 1..head with
   every ``prev`` the previous hash, ending at ``stations.last_seq/last_hash``.
4. Every receipt issued (``batches``): its server signature, its counts against
   its row, the events stored under its batch, and the head it names.

Each finding names what is wrong (which entry, station, event or batch), in
Spanish and English. Signatures are checked on several cores
(:func:`sync_server.services.chain.bad_signatures`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from prep_core.signing import fingerprint, unb64
from sync_server.db.store import Store
from sync_server.db.tables import audit_log, batches, events, stations
from sync_server.services.audit import GENESIS, verify_audit
from sync_server.services.audit_heads import PUBLISHED_NAME, head_signature_ok, stored_heads
from sync_server.services.chain import bad_signatures, default_workers
from sync_server.services.receipts import verify_receipt

SHOWN = 20  # findings shown per kind; the rest are counted


@dataclass
class Report:
    counts: Counter[str] = field(default_factory=Counter)
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, es: str, en: str) -> None:
        self.errors[kind].append(f"{es} / {en}")

    @property
    def ok(self) -> bool:
        return not any(self.errors.values())

    def lines(self) -> list[str]:
        out = []
        for kind, errs in self.errors.items():
            out += [f"[{kind}] {e}" for e in errs[:SHOWN]]
            if len(errs) > SHOWN:
                out.append(f"[{kind}] … y {len(errs) - SHOWN} más / and {len(errs) - SHOWN} more")
        return out

    @property
    def total_errors(self) -> int:
        return sum(len(e) for e in self.errors.values())


def verify_store(
    store: Store,
    *,
    server_key: bytes | None = None,
    published: Path | None = None,
    server_station: str = "SERVIDOR",
    workers: int | None = None,
) -> Report:
    """Check the whole database (and the published head when ``published`` names
    a publication folder). ``server_key`` is the server's public key the checker
    trusts (from its key file); without it the published head's key, else the
    server station's stored key, is used and the report says so."""
    rep = Report()
    workers = workers or default_workers()
    pub = _published_head(published, rep)
    with store.read() as conn:
        key = _trusted_key(conn, server_key, pub, server_station, rep)
        _check_audit(conn, rep)
        _check_heads(conn, key, pub, rep)
        per_batch = _check_stations(conn, rep, workers)
        _check_receipts(conn, key, per_batch, rep)
    return rep


def _when(ms: int) -> str:
    try:
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return str(ms)


def _published_head(folder: Path | None, rep: Report) -> dict[str, Any] | None:
    if folder is None:
        return None
    path = folder / PUBLISHED_NAME
    if not path.exists():
        rep.counts["published"] = 0
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        int(doc["head"]["audit_seq"])  # its shape, checked here
    except (ValueError, KeyError, TypeError):
        rep.add(
            "publicación",
            f"{path}: no es una cabeza firmada legible",
            f"{path}: not a readable signed head",
        )
        return None
    rep.counts["published"] = 1
    return {"head": doc["head"], "sig": doc.get("sig", ""), "path": str(path)}


def _trusted_key(
    conn: Connection,
    given: bytes | None,
    pub: dict[str, Any] | None,
    server_station: str,
    rep: Report,
) -> bytes | None:
    if given is not None:
        rep.counts["key_from_file"] = 1
        return given
    if pub is not None:
        try:
            return unb64(pub["head"]["public_key"], "public_key")
        except (KeyError, TypeError, ValueError):
            pass
    row = conn.execute(
        select(stations.c.public_key).where(stations.c.id == server_station)
    ).scalar()
    if row is None:
        return None
    try:
        return unb64(row, "public_key")
    except ValueError:
        return None


def _check_audit(conn: Connection, rep: Report) -> None:
    check = verify_audit(conn)
    rep.counts["audit_entries"] = check.entries
    for e in check.errors:
        rep.errors["bitácora"].append(e)


def _check_heads(
    conn: Connection, key: bytes | None, pub: dict[str, Any] | None, rep: Report
) -> None:
    last = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    end = int(last.seq) if last else 0
    heads = stored_heads(conn)
    rep.counts["signed_heads"] = len(heads)
    top = 0
    for row_id, doc, sig, seq, digest in heads:
        name_es, name_en = f"cabeza firmada #{row_id}", f"signed head #{row_id}"
        if not head_signature_ok({"head": doc, "sig": sig}, key):
            rep.add("cabezas", f"{name_es}: firma inválida", f"{name_en}: invalid signature")
            continue
        if doc.get("audit_seq") != seq or doc.get("audit_hash") != digest:
            rep.add(
                "cabezas",
                f"{name_es}: sus columnas no son lo firmado",
                f"{name_en}: its columns differ from what was signed",
            )
            continue
        top = max(top, seq)
        _reach(
            conn,
            end,
            seq,
            digest,
            f"{name_es} ({doc.get('reason')}, {_when(doc.get('at', 0))})",
            f"{name_en} ({doc.get('reason')}, {_when(doc.get('at', 0))})",
            rep,
        )
    if pub is None:
        return
    where = pub["path"]
    if not head_signature_ok(pub, key):
        rep.add(
            "publicación",
            f"{where}: firma inválida o de otra llave",
            f"{where}: invalid signature, or another key's",
        )
        return
    seq, digest = int(pub["head"]["audit_seq"]), str(pub["head"]["audit_hash"])
    _reach(conn, end, seq, digest, f"cabeza publicada ({where})", f"published head ({where})", rep)
    if seq > top:
        rep.add(
            "cabezas",
            f"la cabeza publicada llega a la entrada {seq}, ninguna guardada pasa de {top} "
            "(cabezas firmadas borradas)",
            f"the published head reaches entry {seq}, no stored head beyond {top} "
            "(signed heads deleted)",
        )


def _reach(
    conn: Connection, end: int, seq: int, digest: str, name_es: str, name_en: str, rep: Report
) -> None:
    """The audit chain must hold entry ``seq`` with hash ``digest``."""
    if seq == 0:
        return
    have = conn.execute(select(audit_log.c.hash).where(audit_log.c.seq == seq)).scalar()
    if have is None:
        rep.add(
            "bitácora",
            f"bitácora recortada: {name_es} llega a la entrada {seq}, la bitácora termina en {end}",
            f"audit log cut short: {name_en} reaches entry {seq}, the log ends at {end}",
        )
    elif have != digest:
        rep.add(
            "bitácora",
            f"bitácora reescrita: la entrada {seq} no tiene el hash de {name_es}",
            f"audit log rewritten: entry {seq} does not have the hash of {name_en}",
        )


def _check_stations(conn: Connection, rep: Report, workers: int) -> Counter[str]:
    """Every station's chain and every event's hash and signature; returns the
    number of events stored under each batch."""
    per_batch: Counter[str] = Counter()
    known = set()
    for st in conn.execute(select(stations).order_by(stations.c.id)).all():
        known.add(st.id)
        rep.counts["stations"] += 1
        _check_chain(conn, st, rep, workers, per_batch)
    for station, n in conn.execute(
        select(events.c.station, func.count()).group_by(events.c.station)
    ):
        if station not in known:
            rep.add(
                "eventos",
                f"{n} eventos de la estación desconocida {station!r}",
                f"{n} events of the unknown station {station!r}",
            )
    return per_batch


def _check_chain(
    conn: Connection, st: Any, rep: Report, workers: int, per_batch: Counter[str]
) -> None:
    sid = st.id
    try:
        public = unb64(st.public_key, "public_key")
    except ValueError:
        public = b""
    q = (
        select(events.c.seq, events.c.hash, events.c.body, events.c.sig, events.c.batch)
        .where(events.c.station == sid)
        .order_by(events.c.seq)
        .execution_options(stream_results=True, yield_per=5_000)
    )
    expect, prev, n = 1, GENESIS, 0
    signed: list[tuple[str, str]] = []
    ids: list[int] = []
    for seq, digest, body, sig, batch in conn.execute(q):
        n += 1
        per_batch[batch] += 1
        label_es, label_en = f"evento {sid}#{seq}", f"event {sid}#{seq}"
        if seq != expect:
            rep.add(
                "cadenas",
                f"estación {sid}: faltan los eventos {expect}..{seq - 1}",
                f"station {sid}: events {expect}..{seq - 1} are missing",
            )
        actual = hashlib.sha256(body.encode()).hexdigest()
        if actual != digest:
            rep.add(
                "eventos",
                f"{label_es}: el cuerpo guardado no corresponde a su hash (cuerpo alterado)",
                f"{label_en}: the stored body does not match its hash (body altered)",
            )
        try:
            b = json.loads(body)
            fields_ok = b.get("station") == sid and b.get("seq") == seq
            body_prev = b.get("prev")
        except ValueError:
            fields_ok, body_prev = False, None
        if not fields_ok:
            rep.add(
                "eventos",
                f"{label_es}: el cuerpo no nombra esta estación y número",
                f"{label_en}: the body does not name this station and number",
            )
        if seq == expect and body_prev != prev:
            rep.add(
                "cadenas",
                f"{label_es}: no enlaza con el evento anterior",
                f"{label_en}: does not link to the previous event",
            )
        signed.append((sig, body))
        ids.append(seq)
        prev, expect = actual, seq + 1
    rep.counts["events"] += n
    for i in bad_signatures(public, signed, workers):
        rep.add(
            "firmas",
            f"evento {sid}#{ids[i]}: la firma no corresponde a la llave de la estación",
            f"event {sid}#{ids[i]}: the signature does not verify under the station's key",
        )
    last = ids[-1] if ids else 0
    if last != st.last_seq or (n and prev != st.last_hash):
        rep.add(
            "cadenas",
            f"estación {sid}: su cabeza es {st.last_seq}, los eventos guardados llegan a {last} "
            f"({n} eventos)",
            f"station {sid}: its head is {st.last_seq}, the stored events reach {last} "
            f"({n} events)",
        )
    elif n == 0 and st.last_hash != GENESIS:
        rep.add(
            "cadenas",
            f"estación {sid}: sin eventos pero con cabeza {st.last_hash[:12]}",
            f"station {sid}: no events but a head {st.last_hash[:12]}",
        )


def _check_receipts(
    conn: Connection, key: bytes | None, per_batch: Counter[str], rep: Report
) -> None:
    heads = {r.id: r for r in conn.execute(select(stations.c.id, stations.c.last_seq))}
    for row in conn.execute(select(batches).order_by(batches.c.received_at)):
        rep.counts["receipts"] += 1
        name_es = f"recibo del lote {row.hash[:12]} ({row.station})"
        name_en = f"receipt of batch {row.hash[:12]} ({row.station})"
        try:
            wire = json.loads(row.receipt)
            body = wire["receipt"]
        except (ValueError, KeyError, TypeError):
            rep.add("recibos", f"{name_es}: ilegible", f"{name_en}: unreadable")
            continue
        if key is not None and (
            not verify_receipt(key, wire) or body.get("server") != fingerprint(key)
        ):
            rep.add(
                "recibos",
                f"{name_es}: la firma del servidor no verifica",
                f"{name_en}: the server's signature does not verify",
            )
        if (body.get("batch"), body.get("station"), body.get("new"), body.get("events")) != (
            row.hash,
            row.station,
            row.accepted,
            row.events,
        ):
            rep.add(
                "recibos",
                f"{name_es}: la fila no es lo que dice el recibo firmado",
                f"{name_en}: the row differs from the signed receipt",
            )
        stored = per_batch.get(row.hash, 0)
        if stored != body.get("new"):
            rep.add(
                "recibos",
                f"{name_es}: el recibo firmado cubre {body.get('new')} eventos nuevos, "
                f"hay {stored} guardados",
                f"{name_en}: the signed receipt covers {body.get('new')} new events, "
                f"{stored} are stored",
            )
        _check_receipt_head(conn, body, heads, name_es, name_en, rep)


def _check_receipt_head(
    conn: Connection,
    body: dict[str, Any],
    heads: dict[str, Any],
    name_es: str,
    name_en: str,
    rep: Report,
) -> None:
    head = body.get("head") or {}
    seq, station = head.get("seq"), body.get("station")
    if station not in heads:
        rep.add(
            "recibos",
            f"{name_es}: la estación ya no existe",
            f"{name_en}: the station no longer exists",
        )
        return
    if not isinstance(seq, int) or seq <= 0:
        return
    have = conn.execute(
        select(events.c.hash).where(events.c.station == station, events.c.seq == seq)
    ).scalar()
    if have != head.get("hash"):
        what_es = "falta" if have is None else "es otro"
        what_en = "is missing" if have is None else "differs"
        rep.add(
            "recibos",
            f"{name_es}: el evento {station}#{seq} de su cabeza {what_es}",
            f"{name_en}: the event {station}#{seq} at its head {what_en}",
        )
