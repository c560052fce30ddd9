"""``prep verify-publication``: what a difusor, a party or a citizen checks of a
published cut, from the published files alone (docs/SERVER.md, "Verifying a cut").

1. The manifest's signature, under the key the checker trusts (else the key it
   names, and the report says so), and the signed audit head inside it.
2. The manifest belongs to this cut's folder and its CSVs carry its cut time.
3. Every file listed: present, with its SHA-256 (and, when the folder can be
   listed, no file that the manifest does not list).
4. Each election's CSV: the header and the votes counted again from the rows by
   :mod:`prep_core.crosscheck` (the rules written apart from the code that wrote
   the file), each row's CONTABILIZADA against that count, and the CSV inside the
   zip the same, row by row.
5. Every acta image named by a CODIGO_INTEGRIDAD: listed, present, and hashing to it.

Reading is the caller's (:mod:`prep_io.publication_source`): ``read(path)`` gives
the bytes of a path under the publication root, or None when it is absent.
Each finding names the file, the row or the figure, in Spanish and English.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from prep_core.crosscheck import second_count
from prep_core.errors import PrepError
from prep_core.figures import HEADER_FIELDS
from prep_core.layout import INE_FEDERAL, Layout, integrity_code, integrity_label
from prep_core.manifest import NAME, WIRE_FORMAT, head_ok, signature_ok
from prep_core.published import PublishedFile, read_results_csv
from prep_core.signing import fingerprint, unb64

Reader = Callable[[str], bytes | None]
SHOWN = 20


@dataclass
class Verification:
    findings: list[tuple[str, str]] = field(default_factory=list)  # (kind, "es / en")
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    corte: str = ""
    # the cut's images by CODIGO_INTEGRIDAD, per hash other than SHA-256 (read once)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, kind: str, where: str, es: str, en: str) -> None:
        self.findings.append((kind, f"{where}: {es} / {en}"))

    @property
    def ok(self) -> bool:
        return not self.findings

    def lines(self) -> list[str]:
        per: dict[str, int] = {}
        out = []
        for kind, text in self.findings:
            per[kind] = per.get(kind, 0) + 1
            if per[kind] <= SHOWN:
                out.append(f"[{kind}] {text}")
        out += [f"[{k}] … y {n - SHOWN} más / and {n - SHOWN} more"
                for k, n in per.items() if n > SHOWN]
        return out


def verify_cut(
    read: Reader,
    cut_dir: str,
    public_key: bytes | None = None,
    *,
    present: Iterable[str] | None = None,
    images: bool = True,
    layouts: Sequence[Layout] = (INE_FEDERAL,),
) -> Verification:
    """Check the cut in ``cut_dir`` (``cortes/<corte>``, relative to the root); its
    CSVs are read in whichever of ``layouts`` they fit (an OPLE publishes its own)."""
    rep = Verification(corte=cut_dir.rsplit("/", 1)[-1])
    where = f"{cut_dir}/{NAME}"
    raw = read(where)
    if raw is None:
        rep.add("manifiesto", where, "falta el manifiesto", "the manifest is missing")
        return rep
    try:
        wire = json.loads(raw)
        doc, sig = wire["manifiesto"], wire["sig"]
        if wire.get("formato") != WIRE_FORMAT or not isinstance(doc, dict):
            raise ValueError
        key = unb64(doc["public_key"], "public_key")
    except (ValueError, KeyError, TypeError):
        rep.add("manifiesto", where, "no es un manifiesto legible", "not a readable manifest")
        return rep
    if public_key is None:
        public_key = key
        rep.notes.append(
            f"llave no indicada: se usa la del manifiesto, huella {fingerprint(key)}; compárela "
            "con la del certificado de puesta en ceros / no key given: the manifest's own is "
            "used; compare its fingerprint with the puesta en ceros certificate's"
        )
    if doc.get("servidor") != fingerprint(public_key) or not signature_ok(doc, sig, public_key):
        rep.add("firma", where, "la firma no verifica con la llave de publicación",
                "the signature does not verify under the publication key")
        return rep
    if not head_ok(doc.get("auditoria"), public_key):
        rep.add("firma", f"{where} auditoria", "la cabeza de la bitácora no verifica",
                "the audit head does not verify")
    if doc.get("corte") != rep.corte:
        rep.add("manifiesto", where,
                f"manifiesto de otro corte: dice {doc.get('corte')}, la carpeta es {rep.corte}",
                f"manifest of another cut: it says {doc.get('corte')}, the folder is {rep.corte}")
    kept = _check_files(read, cut_dir, doc, present, rep)
    for eid, election in sorted((doc.get("elecciones") or {}).items()):
        _check_election(kept, cut_dir, doc, eid, election, rep, read if images else None,
                        layouts)
    return rep


def _check_files(
    read: Reader, cut_dir: str, doc: dict[str, Any], present: Iterable[str] | None,
    rep: Verification,
) -> dict[str, bytes]:
    """Every listed file against its hash; returns the bytes of the CSVs and zips."""
    files: dict[str, str] = doc.get("archivos") or {}
    wanted = {e.get("csv") for e in (doc.get("elecciones") or {}).values()} | {
        e.get("zip") for e in (doc.get("elecciones") or {}).values()}
    kept: dict[str, bytes] = {}
    for name, digest in sorted(files.items()):
        data = read(f"{cut_dir}/{name}")
        if data is None:
            rep.add("archivos", f"{cut_dir}/{name}", "falta el archivo", "the file is missing")
            continue
        if hashlib.sha256(data).hexdigest() != digest:
            rep.add("archivos", f"{cut_dir}/{name}",
                    "su SHA-256 no es el del manifiesto (archivo alterado)",
                    "its SHA-256 is not the manifest's (file altered)")
        if name in wanted:
            kept[name] = data
    rep.counts["archivos"] = len(files)
    if present is not None:
        for name in sorted(set(present) - set(files) - {NAME}):
            rep.add("archivos", f"{cut_dir}/{name}", "archivo que el manifiesto no lista",
                    "a file the manifest does not list")
    return kept


def _check_election(
    kept: dict[str, bytes], cut_dir: str, doc: dict[str, Any], eid: str,
    election: dict[str, Any], rep: Verification, read: Reader | None,
    layouts: Sequence[Layout],
) -> None:
    csv_name = str(election.get("csv"))
    where = f"{cut_dir}/{csv_name}"
    data = kept.get(csv_name)
    if data is None:
        return  # already reported missing
    try:
        pf = read_results_csv(data, where=where, layouts=layouts)
    except PrepError as exc:
        rep.add("csv", where, exc.message_es, exc.message_en)
        return
    if pf.cut_label != doc.get("hora_corte"):
        rep.add("csv", where, f"es del corte {pf.cut_label}, el manifiesto dice "
                f"{doc.get('hora_corte')}", f"it is of the cut {pf.cut_label}, the manifest "
                f"says {doc.get('hora_corte')}")
    ballots = {str(k): int(v) for k, v in (election.get("boletas_especiales") or {}).items()}
    count = second_count(pf, final=bool(doc.get("final")), especial_ballots=ballots)
    figures = election.get("cifras") or {}
    for name in HEADER_FIELDS:
        mine = count.header[name]
        if pf.header.get(name) != mine:
            rep.add("cifras", f"{where} {name}", f"el archivo dice {pf.header.get(name)}, el "
                    f"recuento independiente da {mine}", f"the file says {pf.header.get(name)}, "
                    f"the independent count gives {mine}")
        if figures.get(name) != mine:
            rep.add("cifras", f"{cut_dir}/{NAME} {eid} {name}", f"el manifiesto dice "
                    f"{figures.get(name)}, el recuento da {mine}", f"the manifest says "
                    f"{figures.get(name)}, the count gives {mine}")
    for party, n in count.votes.items():
        said = (election.get("votos") or {}).get(party)
        if said != n:
            rep.add("votos", f"{cut_dir}/{NAME} {eid} {party}", f"el manifiesto dice {said}, "
                    f"el recuento da {n}", f"the manifest says {said}, the count gives {n}")
    _check_rows(pf, count.rows, where, rep)
    _check_zip(kept.get(str(election.get("zip"))), pf, eid, where, rep, layouts)
    rep.counts["filas"] = rep.counts.get("filas", 0) + len(pf.rows)
    if read is not None:
        _check_images(read, pf, doc, where, rep)


def _codes(read: Reader, by_sha: dict[str, str], algorithm: str,
           rep: Verification) -> dict[str, str]:
    """Every listed image's path by its CODIGO_INTEGRIDAD under ``algorithm``, each image
    read once per cut (and checked against the SHA-256 it is named by); an image missing
    or not matching its name is reported and maps no code, so its rows are reported too."""
    cache = rep.codes.setdefault(algorithm, {})
    if not cache and by_sha:
        for sha, path in by_sha.items():
            data = read(f"imagenes/{path}")
            if data is None:
                rep.add("imagenes", f"imagenes/{path}", "falta la imagen del manifiesto",
                        "an image of the manifest is missing")
            elif hashlib.sha256(data).hexdigest() != sha:
                rep.add("imagenes", f"imagenes/{path}", "no corresponde a su nombre (SHA-256)",
                        "does not match its name (SHA-256)")
            else:
                cache[integrity_code(algorithm, data)] = path
    return cache


def _row_name(pf: PublishedFile, i: int) -> str:
    clave = pf.rows[i][pf.index("CLAVE_ACTA")]
    return f"fila {i + 1} ({clave})"


def _check_rows(pf: PublishedFile, facts: list[tuple[bool, bool, bool]], where: str,
                rep: Verification) -> None:
    if "CONTABILIZADA" not in pf.columns:
        return
    col = pf.index("CONTABILIZADA")
    for i, (captured, counted, _) in enumerate(facts):
        expect = "1" if counted else ("0" if captured else "2")
        have = pf.rows[i][col].strip()
        if have != expect:
            rep.add("filas", f"{where} {_row_name(pf, i)}", f"CONTABILIZADA dice {have}, el "
                    f"recuento da {expect}", f"CONTABILIZADA says {have}, the count gives {expect}")


def _check_zip(data: bytes | None, pf: PublishedFile, eid: str, where: str,
               rep: Verification, layouts: Sequence[Layout]) -> None:
    if data is None:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            member = next(m for m in z.namelist() if m.endswith(f"/{eid}.csv"))
            inner = read_results_csv(z.read(member), where=member, layouts=layouts)
    except (zipfile.BadZipFile, StopIteration, KeyError, PrepError):
        rep.add("zip", where, "el zip no tiene un CSV legible de la elección",
                "the zip holds no readable CSV of the election")
        return
    if inner.header != pf.header:
        rep.add("zip", where, "el encabezado del CSV del zip difiere",
                "the header of the zip's CSV differs")
    for i, (a, b) in enumerate(zip(pf.rows, inner.rows, strict=False)):
        if a != b:
            rep.add("zip", f"{where} {_row_name(pf, i)}", "difiere de la misma fila en el zip",
                    "differs from the same row in the zip")
            break
    if len(pf.rows) != len(inner.rows):
        rep.add("zip", where, f"{len(pf.rows)} filas, el zip tiene {len(inner.rows)}",
                f"{len(pf.rows)} rows, the zip has {len(inner.rows)}")


def _check_images(read: Reader, pf: PublishedFile, doc: dict[str, Any], where: str,
                  rep: Verification) -> None:
    """Each row's image: the manifest lists images by their SHA-256; a profile whose
    CODIGO_INTEGRIDAD is another hash (SHA-512) is checked against each listed image's
    hash under it."""
    if "CODIGO_INTEGRIDAD" not in pf.columns:
        return
    algorithm = pf.layout.integrity
    by_sha = {str(p).rsplit("/", 1)[-1].split(".")[0]: str(p) for p in doc.get("imagenes") or ()}
    by_code = by_sha if algorithm == "sha256" else _codes(read, by_sha, algorithm, rep)
    col = pf.index("CODIGO_INTEGRIDAD")
    seen = rep.counts.get("imagenes", 0)
    for i, row in enumerate(pf.rows):
        code = row[col].strip()
        if code in ("", "-", pf.layout.unknown):
            continue
        path = by_code.get(code)
        name = f"{where} {_row_name(pf, i)}"
        if path is None:
            rep.add("imagenes", name, f"la imagen {code[:12]}… no está en el manifiesto "
                    f"({integrity_label(algorithm)})", f"the image {code[:12]}… is not in the "
                    f"manifest ({integrity_label(algorithm)})")
            continue
        seen += 1
        if algorithm != "sha256":
            continue  # hashed once for every row (``_codes``)
        data = read(f"imagenes/{path}")
        if data is None:
            rep.add("imagenes", f"imagenes/{path}", f"falta la imagen del acta "
                    f"({_row_name(pf, i)})", f"the acta's image is missing ({_row_name(pf, i)})")
        elif hashlib.sha256(data).hexdigest() != code:
            rep.add("imagenes", f"imagenes/{path}", f"no corresponde a su CODIGO_INTEGRIDAD "
                    f"({_row_name(pf, i)})", f"does not match its CODIGO_INTEGRIDAD "
                    f"({_row_name(pf, i)})")
    rep.counts["imagenes"] = seen
