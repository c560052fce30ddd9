"""The public site of a cut: static HTML in Spanish, readable without JavaScript.

Pages, relative to the cut's folder (``cortes/<corte>/``)::

    index.html                      the cut: time, header figures, votes, progress
    <ELECCION>/index.html           an election: figures, votes, its distritos/municipios
    <ELECCION>/d<N>.html            a distrito or municipio: votes, its secciones
    <ELECCION>/d<N>-s<SECCION>.html a sección: its casillas
    casillas/<CLAVE_CASILLA>.html   a casilla: its actas, one per election
    actas/<CLAVE_ACTA>.html         an acta: image, CODIGO_INTEGRIDAD, how it arrived,
                                    its times, its figures, every correction
    buscar.html, indice.json        search by sección or CLAVE_CASILLA (a small script;
                                    without it, the list of secciones)
    descargas.html                  zips, CSVs, manifest, public key, certificates

Charts are inline SVG with a table beside them; percentages have four decimals,
the fourth truncated (:func:`prep_core.figures.truncated_percent`). Images live
outside the cut's folder (``imagenes/``), shared by every cut.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from prep_core.acta import FIGURE_FIELDS
from prep_core.catalog import ExpectedActa
from prep_core.figures import truncated_percent
from prep_core.layout import integrity_label
from prep_core.publication import Cut
from prep_core.published import PublishedRow, format_cut, format_time, row_cells
from sync_server.publication.pages import Pages
from sync_server.publication.writer import FolderWriter

HERE = Path(__file__).resolve().parent
FIGURE_LABELS = {
    "TOTAL_BOLETAS_SOBRANTES": "Boletas sobrantes",
    "TOTAL_PERSONAS_VOTARON": "Personas que votaron",
    "TOTAL_REP_PARTIDO_CI_VOTARON": "Representantes que votaron",
    "TOTAL_VOTOS_SACADOS": "Votos sacados de la urna",
}
HEADER_LABELS = {
    "ACTAS_ESPERADAS": "Actas esperadas",
    "ACTAS_CAPTURADAS": "Actas capturadas",
    "PORCENTAJE_ACTAS_CAPTURADAS": "Actas capturadas (%)",
    "ACTAS_CONTABILIZADAS": "Actas contabilizadas",
    "PORCENTAJE_ACTAS_CONTABILIZADAS": "Actas contabilizadas (%)",
    "ACTAS_NO_CONTABILIZADAS": "Actas no contabilizadas",
    "ACTAS_FUERA_CATALOGO": "Actas fuera de catálogo",
    "PORCENTAJE_ACTAS_INCONSISTENCIAS": "Actas con inconsistencias (%)",
    "LISTA_NOMINAL_ACTAS_CONTABILIZADAS": "Lista nominal de actas contabilizadas",
    "TOTAL_VOTOS_C_CS": "Total de votos (con casillas especiales)",
    "PORCENTAJE_PARTICIPACION_CIUDADANA": "Participación ciudadana (%)",
}
ORIGEN = {"CATD": "CATD (centro de acopio)", "CASILLA": "Casilla (PREP Casilla)"}
DIGITALIZACION = {"ESCANER": "escáner", "MOVIL": "fotografía con teléfono"}


@dataclass
class SiteInput:
    cuts: Sequence[Cut]
    corte: str
    final: bool
    downloads: Mapping[str, Mapping[str, str]]  # election → {"zip", "csv"}
    images: Mapping[str, str]  # sha256 → path under imagenes/
    histories: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    progress: Sequence[Mapping[str, Any]] = ()  # earlier cuts: {"hora", "elecciones": {id: header}}
    server_fingerprint: str = ""
    code_hash: str = ""
    catalog_fingerprint: str = ""
    certificates: Sequence[str] = ()  # names under ../../certificados/
    # the previous cut's folder and, for its acta and casilla pages, the key of what
    # each page shows and the page's SHA-256: an unchanged page is linked, not written
    previous: Path | None = None
    previous_keys: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    workers: int = 0  # worker processes that render the pages (sync_server/publication/pages.py)


@dataclass(frozen=True)
class ElectionName:
    """What the acta, sección and distrito pages show of their election (a worker
    process receives this, not the whole election)."""

    id: str
    name: str


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["n"] = lambda v: f"{v:,}" if isinstance(v, int) else v
    return env


ENV = _env()


def vote_kind(name: str, parties: set[str]) -> str:
    if "-" in name and all(p in parties for p in name.split("-")):
        return "Coalición"
    if name.startswith(("CAND_IND", "CI_")):
        return "Candidatura independiente"
    if name in ("NO_REGISTRADAS", "NULOS"):
        return "Otros"
    return "Partido"


def vote_label(name: str) -> str:
    return {"NO_REGISTRADAS": "Candidaturas no registradas", "NULOS": "Votos nulos"}.get(
        name, name.replace("_", " ")
    )


def vote_table(fields: Sequence[str], totals: Mapping[str, int]) -> list[dict[str, Any]]:
    """One line per vote field: label, kind, votes, truncated percentage, bar width."""
    parties = {f for f in fields if "-" not in f}
    whole = sum(totals.values())
    top = max(totals.values(), default=0) or 1
    return [
        {
            "field": f,
            "label": vote_label(f),
            "kind": vote_kind(f, parties),
            "votes": totals.get(f, 0),
            "pct": str(truncated_percent(totals.get(f, 0), whole)),
            "width": round(totals.get(f, 0) * 100 / top, 2),
        }
        for f in fields
    ]


def _clave_acta(r: PublishedRow) -> str:
    return r.key.clave_acta(r.tipo_acta) if r.key else ""


class Site:
    def __init__(self, inp: SiteInput, out: FolderWriter) -> None:
        self.inp, self.out = inp, out
        self.cut_label = format_cut(inp.cuts[0].cut_time) if inp.cuts else ""
        self.common = {
            "corte": inp.corte,
            "hora": self.cut_label,
            "final": inp.final,
            "fingerprint": inp.server_fingerprint,
            "code_hash": inp.code_hash,
            "catalogo": inp.catalog_fingerprint,
        }
        self.casillas: dict[str, dict[str, Any]] = {}  # clave → {"casilla", "actas": [...]}
        self.index: list[list[Any]] = []
        self.keys: dict[str, tuple[str, str]] = {}  # rel → (key, sha256), for the next cut
        self.new_keys: dict[str, str] = {}  # rel → key of a stable page being rendered
        self.pages = Pages(out, ENV, inp.workers)
        unstable = {"hora": "", "final": False, "corte": ""}  # not shown on stable pages
        self.stable = repr(sorted({**self.common, **unstable}.items()))
        self.reused = 0

    def stable_page(self, rel: str, what: Any, template: str, **ctx: Any) -> None:
        """A page that does not name the cut (acta, casilla): reused from the previous
        cut when what it shows is the same."""
        key = hashlib.sha256(f"{template}|{self.stable}|{what!r}".encode()).hexdigest()
        before = self.inp.previous_keys.get(rel)
        previous = self.inp.previous
        if (before is not None and before[0] == key and previous is not None
                and self.out.link(rel, previous / rel, before[1])):
            self.keys[rel] = before
            self.reused += 1
            return
        self.page(rel, template, hora="", final=False, **ctx)
        self.new_keys[rel] = key

    def page(self, rel: str, template: str, **ctx: Any) -> None:
        depth = rel.count("/")
        base = "../" * depth
        self.pages.put(rel, template,
                       {"base": base, "img": base + "../../imagenes/", **self.common, **ctx})

    def build(self) -> None:
        elections = []
        for cut in self.inp.cuts:
            elections.append(self.election(cut))
        self.page(
            "index.html",
            "index.html",
            title=f"Resultados preliminares — corte {self.cut_label}",
            elections=elections,
            progress=self.progress_chart(),
        )
        for clave, c in self.casillas.items():
            self.stable_page(f"casillas/{clave}.html", c, "casilla.html",
                             title=f"Casilla {clave}", **c)
        self.search()
        self.page("descargas.html", "descargas.html", title="Descargas y verificación",
                  downloads=self.inp.downloads, elections=elections,
                  certificates=self.inp.certificates)
        for name in ("estilo.css", "buscar.js"):
            self.out.put(name, (HERE / "static" / name).read_bytes())
        self.pages.finish()
        self.keys.update((rel, (key, self.out.hashes[rel])) for rel, key in self.new_keys.items())

    # ------------------------------------------------------------- election

    def election(self, cut: Cut) -> dict[str, Any]:
        e, catalog = cut.election, cut.catalog
        header = cut.figures.as_header()
        rows = {_clave_acta(r): r for r in cut.rows if r.key is not None}
        tree: dict[int, dict[int, list[ExpectedActa]]] = defaultdict(lambda: defaultdict(list))
        for a in catalog.expected_actas(e.id):
            tree[a.id_demarcacion][a.casilla.key.seccion].append(a)
        dem_name = "Distrito" if e.column.startswith("DISTRITO") else "Municipio"
        summary = {
            "id": e.id,
            "name": e.name,
            "header": [(HEADER_LABELS[k], header[k]) for k in HEADER_LABELS],
            "figures": header,
            "votes": vote_table(e.vote_fields, cut.votes),
            "dem_name": dem_name,
            "fuera": [r for r in cut.rows if r.key is None],
        }
        dems = []
        for dem_id in sorted(tree):
            secciones = tree[dem_id]
            dem = self.demarcacion(cut, dem_id, dem_name, secciones, rows)
            dems.append(dem)
        summary["dems"] = dems
        self.page(f"{e.id}/index.html", "eleccion.html", title=e.name, e=summary,
                  progress=self.progress_chart(e.id))
        return summary

    def demarcacion(
        self, cut: Cut, dem_id: int, dem_name: str,
        secciones: Mapping[int, list[ExpectedActa]], rows: Mapping[str, PublishedRow],
    ) -> dict[str, Any]:
        e = cut.election
        named = ElectionName(e.id, e.name)
        name = cut.catalog.demarcacion_name(e, dem_id)
        totals = dict.fromkeys(e.vote_fields, 0)
        lines = []
        exp = cap = cnt = 0
        for seccion in sorted(secciones):
            actas = secciones[seccion]
            s_cap = s_cnt = 0
            casillas = []
            for a in actas:
                clave_acta = a.casilla.key.clave_acta(a.tipo_acta)
                r = rows.get(clave_acta)
                if r is not None:
                    s_cap += 1
                    if r.decision.counted:
                        s_cnt += 1
                        for f, v in zip(e.vote_fields, r.votes, strict=True):
                            if isinstance(v, int):
                                totals[f] += v
                    self.acta(cut, r, clave_acta, seccion, dem_id)
                casillas.append(self.casilla_entry(cut, a, r, clave_acta, dem_id))
            rel = f"{e.id}/d{dem_id}-s{seccion}.html"
            self.page(rel, "seccion.html", title=f"Sección {seccion} — {e.name}",
                      e=named, seccion=seccion, dem_id=dem_id, dem=name, dem_name=dem_name,
                      casillas=casillas)
            self.index.append([seccion, e.id, rel, [c["clave"] for c in casillas]])
            lines.append({"seccion": seccion, "esperadas": len(actas), "capturadas": s_cap,
                          "contabilizadas": s_cnt, "href": f"d{dem_id}-s{seccion}.html"})
            exp, cap, cnt = exp + len(actas), cap + s_cap, cnt + s_cnt
        self.page(f"{e.id}/d{dem_id}.html", "demarcacion.html",
                  title=f"{dem_name} {dem_id} {name} — {e.name}", e=named, dem_id=dem_id,
                  dem=name, dem_name=dem_name, secciones=lines,
                  votes=vote_table(e.vote_fields, totals),
                  pct_cap=str(truncated_percent(cap, exp)),
                  pct_cnt=str(truncated_percent(cnt, exp)))
        return {"id": dem_id, "name": name, "esperadas": exp, "capturadas": cap,
                "contabilizadas": cnt, "pct": str(truncated_percent(cnt, exp))}

    def casilla_entry(self, cut: Cut, a: ExpectedActa, r: PublishedRow | None,
                      clave_acta: str, dem_id: int) -> dict[str, Any]:
        c = a.casilla
        entry = self.casillas.setdefault(c.clave, {
            "clave": c.clave, "seccion": c.key.seccion, "tipo": c.key.tipo,
            "lista_nominal": c.lista_nominal, "actas": []})
        state = ("Pendiente" if r is None else
                 "Contabilizada" if r.decision.counted else "No contabilizada")
        entry["actas"].append({
            "clave": clave_acta, "eleccion": cut.election.name, "eid": cut.election.id,
            "estado": state, "href": f"../actas/{clave_acta}.html" if r else None,
            "observaciones": r.decision.observaciones if r else "",
            "total": r.total_calculado if r else None,
            "seccion_href": f"../{cut.election.id}/d{dem_id}-s{c.key.seccion}.html",
        })
        return {"clave": c.clave, "tipo": c.key.tipo, "estado": state,
                "total": r.total_calculado if r else None,
                "observaciones": r.decision.observaciones if r else ""}

    def acta(self, cut: Cut, r: PublishedRow, clave_acta: str, seccion: int,
             dem_id: int) -> None:
        e = cut.election
        cells = row_cells(r)
        n_fig = len(FIGURE_FIELDS)
        start = 12
        figures = [(FIGURE_LABELS[f], cells[start + i]) for i, f in enumerate(FIGURE_FIELDS)]
        votes = [(vote_label(f), cells[start + n_fig + i]) for i, f in enumerate(e.vote_fields)]
        sha = r.codigo_integridad
        history = self.inp.histories.get(clave_acta)
        image = self.inp.images.get(r.image_sha256) if r.image_sha256 else None
        self.stable_page(
            f"actas/{clave_acta}.html", (cells, image, history, e.id, seccion, dem_id),
            "acta.html",
            title=f"Acta {clave_acta} — {e.name}", e=ElectionName(e.id, e.name), clave=clave_acta,
            r=r,
            casilla=r.key.clave if r.key else "", seccion=seccion, dem_id=dem_id,
            image=image, sha=sha, algoritmo=integrity_label(cut.layout.integrity),
            origen=ORIGEN.get(r.origen or "", r.origen or "—"),
            digitalizacion=DIGITALIZACION.get(r.digitalizacion or "", r.digitalizacion or "—"),
            acopio=format_time(r.fecha_acopio), captura=format_time(r.fecha_captura),
            verificacion=format_time(r.fecha_verificacion),
            figures=figures, votes=votes, total_asentado=cells[start + n_fig + len(votes)],
            history=self.history_table(e.vote_fields, history),
        )

    @staticmethod
    def history_table(fields: Sequence[str], history: Mapping[str, Any] | None
                      ) -> dict[str, Any] | None:
        """The untouched original reading beside every correction, field by field."""
        if not history:
            return None
        original = history.get("original") or {}
        changes = history.get("cambios") or []
        names = [f for f in (*FIGURE_FIELDS, *fields, "TOTAL_VOTOS_ASENTADO")
                 if f in original or any(f in (c.get("valores") or {}) for c in changes)]
        return {
            "changes": changes,
            "rows": [
                {"field": vote_label(f) if f in fields else FIGURE_LABELS.get(f, f),
                 "original": original.get(f, "—"),
                 "values": [(c.get("valores") or {}).get(f, "") for c in changes],
                 "differs": f in original and any(
                     f in (c.get("valores") or {}) and (c.get("valores") or {})[f] != original[f]
                     for c in changes)}
                for f in names
            ],
        }

    # ------------------------------------------------------------- progress, search

    def progress_chart(self, election: str | None = None) -> dict[str, Any] | None:
        """Percent of actas captured and counted at each cut (this one last)."""
        now = {c.election.id: c.figures.as_header() for c in self.inp.cuts}
        points = [*self.inp.progress, {"hora": self.cut_label, "elecciones": now}]
        series = []
        for p in points:
            figs = [f for eid, f in p["elecciones"].items() if election in (None, eid)]
            if not figs:
                continue
            exp = sum(int(f["ACTAS_ESPERADAS"]) for f in figs)
            cap = sum(int(f["ACTAS_CAPTURADAS"]) for f in figs)
            cnt = sum(int(f["ACTAS_CONTABILIZADAS"]) for f in figs)
            series.append({"hora": p["hora"], "cap": str(truncated_percent(cap, exp)),
                           "cnt": str(truncated_percent(cnt, exp))})
        if not series:
            return None
        w, h, n = 600, 200, len(series)

        def xy(i: int, pct: str) -> str:
            x = 40 + (i * (w - 60) / max(n - 1, 1))
            y = h - 30 - float(pct) * (h - 50) / 100
            return f"{x:.1f},{y:.1f}"

        return {
            "series": series[-48:],
            "cap": " ".join(xy(i, s["cap"]) for i, s in enumerate(series)),
            "cnt": " ".join(xy(i, s["cnt"]) for i, s in enumerate(series)),
            "w": w, "h": h,
        }

    def search(self) -> None:
        self.index.sort()
        data = json.dumps(self.index, separators=(",", ":"), ensure_ascii=False)
        self.out.put("indice.json", data.encode("utf-8"))
        by_election: dict[str, list[list[Any]]] = defaultdict(list)
        for seccion, eid, rel, _ in self.index:
            by_election[eid].append([seccion, rel])
        names = {c.election.id: c.election.name for c in self.inp.cuts}
        self.page("buscar.html", "buscar.html", title="Buscar sección o casilla",
                  lists=[(names[eid], items) for eid, items in by_election.items()],
                  names=json.dumps(names, ensure_ascii=False))


def generate_site(inp: SiteInput, out: FolderWriter) -> dict[str, tuple[str, str]]:
    """Write the site; return the keys of its stable pages (for the next cut)."""
    site = Site(inp, out)
    site.build()
    return site.keys
