"""The ``label_swap`` fault: actas that reach the CATD under the wrong key.

Some actas are printed with a neighbour's QR label (a slip at acopio: the label of the
next casilla of the sección stuck on the envelope); some with no label, so the key is
typed by hand, with a slip (:func:`prep_core.labels.typo_key`). The figures and the
identification written in section 1 stay those of the acta's true casilla. A slip is
either corrected by the second person, who types the key again from the image, or
repeated by both (the key read off a wrong acopio register), which leaves the writing
in section 1 as the last check.

:func:`plan` chooses them; :func:`judge` says, for each, whether the station stopped it
before capture (no image of it stored under another key on the server), how it was
resolved (the signed ``identidad`` events) and what the final cut published.
"""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from prep_core.catalog import Catalog
from prep_core.labels import expected_written, swapped_label, typo_key
from prep_core.qr import parse_qr
from prep_sim.checks import Published
from prep_sim.truth import Truth, TruthActa

SWAP, SLIP = "swap", "slip"
# how the two people at digitalización type a key with no label: the second corrects the
# first ("right"), or both type the same slip ("same")
RIGHT, SAME = "right", "same"
RATE = 0.03  # of the scanned actas, at least MIN
MIN = 4


@dataclass
class Mistake:
    clave: str  # the acta's true key (its figures, its section 1)
    kind: str  # SWAP or SLIP
    label: str | None  # the QR payload stuck on (SWAP) or None (no label)
    wrong: str  # the key the label names (SWAP) or the key typed with a slip (SLIP)
    confirm: str = RIGHT  # SLIP: how the second person types it

    @property
    def sheet(self) -> str:
        return f"{self.clave}.jpg"


def written_of(a: TruthActa, catalog: Catalog) -> dict[str, Any]:
    """Section 1 as the officials wrote it: the acta's own casilla (its true QR)."""
    layout = next(e.qr_layout for e in catalog.elections if e.id == a.election)
    return expected_written(parse_qr(a.qr, layout)).to_json()


def default_count(truth: Truth) -> int:
    return max(MIN, round(RATE * sum(1 for a in truth.actas if a.scanned)))


def _slip(catalog: Catalog, clave: str, rng: random.Random) -> str | None:
    """A slip of ``clave`` that names another acta of the same election (a slip outside
    the catalog is refused by the station at once, which tests nothing)."""
    own = catalog.acta(clave)
    start = rng.randrange(1 << 16)
    for pick in range(start, start + 64):
        k = typo_key(clave, pick)
        other = catalog.acta(k)
        if other is not None and own is not None and other.election.id == own.election.id:
            return k
    return None


def plan(catalog: Catalog, truth: Truth, n: int, seed: int) -> dict[str, Mistake]:
    """``n`` actas printed with a mistake in their label, by clave: swaps and slips in
    turn (swap, slip corrected by the second person, swap, slip repeated by both).
    Chosen among the scanned actas in the catalog without a PREP Casilla photo, ordinary
    ones first."""
    rng = random.Random(f"etiquetas:{seed}")
    pool = [a for a in truth.actas if a.scanned and not a.photo
            and catalog.acta(a.clave_acta) is not None]
    rng.shuffle(pool)
    pool.sort(key=lambda a: a.kind != "normal")
    out: dict[str, Mistake] = {}
    for a in pool:
        if len(out) >= n:
            break
        i = len(out)
        if i % 2 == 0:
            label = swapped_label(catalog, a.clave_acta, rng.randrange(4))
            layout = catalog.acta(a.clave_acta).election.qr_layout  # type: ignore[union-attr]
            out[a.clave_acta] = Mistake(a.clave_acta, SWAP, label,
                                        parse_qr(label, layout).clave_acta)
        else:
            slip = _slip(catalog, a.clave_acta, rng)
            if slip is None:
                continue
            out[a.clave_acta] = Mistake(a.clave_acta, SLIP, None, slip,
                                        RIGHT if i % 4 == 1 else SAME)
    return out


def save(mistakes: dict[str, Mistake], path: Path) -> None:
    path.write_text("".join(json.dumps(asdict(m)) + "\n" for m in mistakes.values()),
                    encoding="utf-8")


def load(path: Path | str) -> dict[str, Mistake]:
    p = Path(path)
    if not str(path) or not p.is_file():
        return {}
    return {m.clave: m for m in (Mistake(**json.loads(x))
                                 for x in p.read_text(encoding="utf-8").splitlines() if x)}


def _server_events(db: Path, kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        rows = con.execute(f"SELECT station, clave_acta, body FROM events WHERE kind IN "
                           f"({','.join('?' * len(kinds))}) ORDER BY ingest_seq", kinds)
        return [{**json.loads(b), "station": s, "clave_acta": k} for s, k, b in rows]
    finally:
        con.close()


def _how(m: Mistake, decisions: list[dict[str, Any]], notes: list[dict[str, Any]]) -> str:
    """How the station resolved it, in words, from its signed decisions and its log."""
    parts = []
    if any(n.get("step") == "scan" and n.get("status") == "identidad_en_duda" for n in notes):
        parts.append("la sección 1 no coincide con la etiqueta: detenida / section 1 disagrees "
                     "with the label: held")
    if any(n.get("step") == "confirm" and n.get("status") == "identidad_en_duda" for n in notes):
        parts.append("las dos personas teclearon la misma errata; la sección 1 la detuvo / both "
                     "typed the same slip; section 1 held it")
    if any(n.get("step") == "lost" for n in notes):
        parts.append("la estación murió mientras se decidía; la hoja se escaneó de nuevo / the "
                     "station died while it was being decided; the sheet was scanned again")
    if any(n.get("step") == "confirm" and n.get("status") == "sin_qr" for n in notes):
        parts.append("la segunda persona tecleó otra clave viendo la imagen / the second "
                     "person typed another key from the image")
    for d in decisions:
        p = d.get("payload", {})
        if p.get("decision") == "relabel":
            parts.append(f"{d.get('operator')} reetiquetó {p.get('from')} → {d.get('clave_acta')}"
                         f" / relabelled ({p.get('reason', '')})")
        elif p.get("decision") == "typed":
            parts.append(f"clave tecleada por {p.get('typed_by')} y confirmada por "
                         f"{p.get('confirmed_by')} / typed key confirmed")
        elif p.get("decision"):
            parts.append(f"{d.get('operator')}: {p.get('decision')} ({p.get('reason', '')})")
    return "; ".join(parts) or "sin resolver / unresolved"


def judge(mistakes: dict[str, Mistake], truth: Truth, db: Path, images: dict[str, str],
          final: dict[str, Published], notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per mistake. ``images``: sha256 of every sheet delivered → its true key;
    ``final``: the final cut per election; ``notes``: the stations' ``identidad`` and
    ``page`` log.
    ``ok`` is False when an image of the acta was stored under another key (not caught
    before capture), when its figures were published under the wrong key, or when the
    acta itself was not published exactly once with its figures."""
    by = truth.by_clave()
    digs = _server_events(db, ("digitalizacion", "identidad"))
    out = []
    for m in mistakes.values():
        a = by[m.clave]
        mine = {s for s, k in images.items() if k == m.clave}
        elsewhere = sorted({d["clave_acta"] for d in digs if d["kind"] == "digitalizacion"
                            and d["payload"].get("image") in mine and d["clave_acta"] != m.clave})
        decisions = [d for d in digs if d["kind"] == "identidad" and d["clave_acta"] == m.clave]
        mine_notes = [n for n in notes if n["what"] == "identidad" and n.get("clave") == m.clave]
        scans = [n for n in notes if n["what"] == "page"
                 and str(n.get("file", "")).split("-")[-1] == m.sheet]
        pub = final.get(a.election)
        rows = pub.rows.get(m.clave, []) if pub is not None else []
        own = len(rows) == 1 and pub is not None and all(
            pub.values(rows[0]).get(k) == v for k, v in a.values.items()  # type: ignore[union-attr]
            if k in pub.values(rows[0]))
        under_wrong = False
        if pub is not None:
            theirs = by.get(m.wrong)
            for row in pub.rows.get(m.wrong, []):
                vals = pub.values(row)
                same = all(vals.get(k) == v for k, v in a.values.items() if k in vals)  # type: ignore[union-attr]
                differs = theirs is None or theirs.values is None or any(
                    vals.get(k) != v for k, v in theirs.values.items() if k in vals)
                under_wrong |= same and differs
        caught = not elsewhere
        out.append({
            "clave": m.clave, "kind": m.kind, "wrong_key": m.wrong, "confirm": m.confirm,
            "stopped_before_capture": caught,
            "scanned": len(scans),
            "held": sum(1 for n in mine_notes if n.get("status") == "identidad_en_duda"),
            "stored_under": elsewhere, "resolved": _how(m, decisions, mine_notes),
            "identidad_events": [{"station": d["station"], "operator": d.get("operator"),
                                  **{k: v for k, v in d["payload"].items()
                                     if k in ("decision", "from", "reason", "typed_by",
                                              "confirmed_by")}} for d in decisions],
            "published_once_with_its_figures": own,
            "figures_under_wrong_key": under_wrong,
            "ok": caught and own and not under_wrong})
    return out


def false_alarms(mistakes: dict[str, Mistake], notes: list[dict[str, Any]]) -> list[str]:
    """Good actas (their own label) the station held: the supervisor accepted them."""
    return sorted({str(n.get("clave")) for n in notes if n["what"] == "identidad"
                   and n.get("status") == "identidad_en_duda" and n.get("clave") not in mistakes})


def lost(notes: list[dict[str, Any]]) -> int:
    """Sheets whose identity decision a station's death left unstored (fed again)."""
    return sum(1 for n in notes if n["what"] == "identidad" and n.get("step") == "lost")
