"""Checks of a published cut: what ``prep verify-publication`` checks (signature,
hashes, images, the header counted again by :mod:`prep_core.crosscheck`), and, at
the end, every figure and every acta against the truth."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prep_core.crosscheck import second_count
from prep_core.published import PublishedFile, parse_cell, read_results_csv
from prep_core.values import Mark
from prep_sim.expected import Expected
from prep_sim.truth import Truth


def verify_publication(folder: Path, corte: str, key: bytes | None) -> tuple[list[str], bytes]:
    """``prep verify-publication`` on one cut as difusores mirror it (the server's
    publication folder): the manifest's signature under ``key`` (the key of the
    first cut when None, pinned for the rest of the night), every file's hash,
    every acta image against its CODIGO_INTEGRIDAD, each header counted again
    from its rows. Returns the problems found (empty when the cut verifies) and
    the key it was checked under."""
    from prep_core.manifest import NAME
    from prep_core.pubverify import verify_cut
    from prep_core.signing import unb64
    from prep_io.layouts import shipped_layouts
    from prep_io.publication_source import open_publication

    pub = open_publication(str(folder / "cortes" / corte))
    if key is None:
        raw = pub.read(f"{pub.cut_dir}/{NAME}") or b"{}"
        try:
            key = unb64(json.loads(raw)["manifiesto"]["public_key"], "public_key")
        except (ValueError, KeyError, TypeError):
            return [f"{pub.cut_dir}/{NAME}: manifiesto ilegible / unreadable manifest"], b""
    rep = verify_cut(pub.read, pub.cut_dir, key, present=pub.present, layouts=shipped_layouts())
    return rep.lines(), key


def _cell(v: Any) -> Any:
    return v.value if isinstance(v, Mark) else v


@dataclass
class Published:
    """One election's published rows by CLAVE_ACTA."""

    pf: PublishedFile
    rows: dict[str, list[list[str]]] = field(default_factory=dict)

    @classmethod
    def read(cls, csv: bytes) -> Published:
        from prep_io.layouts import shipped_layouts

        pf = read_results_csv(csv, layouts=shipped_layouts())
        out = cls(pf)
        i = pf.columns.index("CLAVE_ACTA")
        for row in pf.rows:
            out.rows.setdefault(row[i].strip("'"), []).append(row)
        return out

    def values(self, row: list[str]) -> dict[str, Any]:
        cols = self.pf.columns
        return {name: _cell(parse_cell(row[cols.index(name)]))
                for name in cols if name.startswith("TOTAL_") or name in self.pf.vote_fields}

    def captured(self, clave: str) -> bool:
        """Published with figures (or as Sin acta)."""
        for row in self.rows.get(clave, []):
            vals = self.values(row)
            if any(isinstance(v, int) or v in ("Ilegible", "Sin dato", "Sin acta")
                   for k, v in vals.items() if k in self.pf.vote_fields):
                return True
        return False


def compare_with_truth(pub: Published, truth: Truth, election: str, exp: Expected,
                       final: bool = True, ballots: Mapping[str, int] | None = None) -> list[str]:
    """Differences between the final cut and the truth: header figures, votes, and
    each acta (lost, doubled, or published with a figure its paper does not say).
    ``ballots``: each casilla especial's approved ballots (the catalog's), without
    which an especial that exceeds them would be counted again as counted."""
    problems = [f"{k}: publicado {pub.pf.header.get(k)!r}, verdad {v!r}"
                for k, v in exp.header.items() if pub.pf.header.get(k) != v]
    votes = second_count(pub.pf, final=final, especial_ballots=ballots).votes
    problems += [f"votos {k}: publicado {votes.get(k)}, verdad {v}"
                 for k, v in exp.votes.items() if votes.get(k) != v]
    for a in truth.actas:
        if a.election != election:
            continue
        if a.fuera:
            continue  # published without a key (CLAVE_ACTA "-"): counted in the header
        rows = pub.rows.get(a.clave_acta, [])
        if not rows:
            problems.append(f"{a.clave_acta}: no publicada (perdida)")
            continue
        if len(rows) > 1:
            problems.append(f"{a.clave_acta}: publicada {len(rows)} veces")
        vals = pub.values(rows[0])
        if a.values is None:
            if not any(v == "Sin acta" for v in vals.values()):
                problems.append(f"{a.clave_acta}: debía publicarse como Sin acta")
            continue
        wrong = {k: (vals.get(k), v) for k, v in a.values.items() if k in vals and vals[k] != v}
        if wrong:
            problems.append(f"{a.clave_acta}: cifras distintas del acta {wrong}")
    return problems


def wrong_actas(pub: Published, truth: Truth, election: str) -> int:
    """Actas published with figures that differ from their paper (must be 0)."""
    n = 0
    for a in truth.actas:
        if a.election != election or a.values is None or a.fuera:
            continue
        for row in pub.rows.get(a.clave_acta, []):
            vals = pub.values(row)
            if any(isinstance(vals.get(k), int) for k in pub.pf.vote_fields) and any(
                    k in vals and vals[k] != v for k, v in a.values.items()):
                n += 1
    return n
