"""The drill's report: ``report.json`` and ``report.html`` (inline SVG charts) in the
run folder, from the stations' metrics, the cuts and the faults."""

from __future__ import annotations

import html
import json
import time
from dataclasses import asdict
from statistics import quantiles
from typing import TYPE_CHECKING, Any

from prep_sim.faults import server_events
from prep_sim.stations import metrics

if TYPE_CHECKING:
    from prep_sim.run import Night


def _pct(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 2)
    return round(quantiles(values, n=100, method="inclusive")[q - 1], 2)


def latency(night: Night, ms: list[dict[str, Any]]) -> dict[str, Any]:
    """Seconds from acopio (the sheet stored, or Sin acta registered) to the first
    published cut that shows the acta captured."""
    acopio: dict[str, float] = {}
    for m in ms:
        clave = m.get("clave")
        if clave and ((m["what"] == "page" and m.get("status") in ("guardada", "fuera_catalogo"))
                      or m["what"] == "sin_acta"):
            acopio.setdefault(clave, m["t"] / 1000)
    first: dict[str, float] = {}
    for c in night.cuts:
        for k in c.captured:
            first.setdefault(k, c.t)
    lat = [first[k] - t for k, t in acopio.items() if k in first and first[k] >= t]
    return {"actas": len(lat), "p50_s": _pct(lat, 50), "p95_s": _pct(lat, 95)}


def build_report(night: Night, checks: dict[str, Any]) -> dict[str, Any]:
    ms = metrics(night.out / "stations")
    truth = night.truth.by_clave()
    pages = [m for m in ms if m["what"] == "page"]
    stored = [m for m in pages if m["status"] in ("guardada", "fuera_catalogo")]
    ocr = [m for m in stored if m.get("ocr")]
    fields = sum(m.get("ocr_fields", 0) for m in ocr)
    wrong = sum(m.get("ocr_wrong", 0) for m in ocr)
    caps = [m for m in ms if m["what"] == "capture"]
    human = [m for m in caps if m["mode"] == "captura"]
    per_station: dict[str, dict[str, Any]] = {}
    for m in ms:
        s = per_station.setdefault(m["station"], {"pages": 0, "captures": 0, "first": m["t"],
                                                  "last": m["t"]})
        s["last"] = m["t"]
        s["pages"] += m["what"] == "page" and m.get("status") == "guardada"
        s["captures"] += m["what"] == "capture"
    for s in per_station.values():
        minutes = max(1e-9, (s.pop("last") - s.pop("first")) / 60000)
        s["pages_per_min"] = round(s["pages"] / minutes, 1)
        s["captures_per_min"] = round(s["captures"] / minutes, 1)
    night_s = time.time() - night.t_night
    events = server_events(night.server.db_path)
    kinds: dict[str, int] = {}
    for a in truth.values():
        kinds[a.kind] = kinds.get(a.kind, 0) + 1
    sheets = list(night.sheets.values())
    rep = {
        "ok": checks["ok"],
        "sizes": {"casillas": len(night.catalog.casillas),
                  "elections": [e.id for e in night.catalog.elections],
                  "actas": len(truth), "kinds": kinds, "catd": night.o.catd, "ccv": night.o.ccv,
                  "especiales": sum(1 for k in truth if (x := night.catalog.acta(k)) is not None
                                    and x.casilla.especial),
                  "sheets": {"200dpi": sum(s["dpi"] == 200 for s in sheets),
                             "300dpi": sum(s["dpi"] == 300 for s in sheets),
                             "dark_backing": sum(s["backing"] == "dark" for s in sheets),
                             "grey": sum(bool(s["grey"]) for s in sheets)}},
        "wall_s": {"printing": round(getattr(night, "print_s", 0.0), 1),
                   "night": round(night_s, 1), "total": round(time.time() - night.t0, 1)},
        "latency_acopio_to_publication": latency(night, ms),
        "ocr": {"pages_stored": len(stored), "auto_rate": round(len(ocr) / max(1, len(stored)), 4),
                "field_accuracy": round(1 - wrong / max(1, fields), 4),
                "actas_all_right": sum(1 for m in ocr if m.get("ocr_wrong") == 0),
                "quality_gate_rejections": sum(1 for m in pages if m["status"] == "rechazada"),
                "rescans": sum(1 for m in ms if m["what"] == "rescan")},
        "people": {"captures": len(human),
                   "mistyped": sum(1 for m in human if m.get("mistyped")),
                   "human_disagreement_rate": round(
                       sum(1 for m in human if m.get("mistyped")) / max(1, len(human)), 4),
                   "verifications": sum(1 for m in caps if m["mode"] == "verificacion"),
                   "pulled_from_server": sum(1 for m in caps if m.get("pulled")),
                   "skips": sum(1 for m in ms if m["what"] == "skip"),
                   "recaptures": sum(1 for m in ms if m["what"] == "recapture"),
                   "coordinator_resolutions": night.resolved},
        "errors_reached_publication": sum(e["errors_published"]
                                          for e in checks["elections"].values()),
        "throughput": {"stations": per_station,
                       "server_events": events,
                       "server_events_per_s": round(events / max(1e-9, night_s), 1)},
        "usb": {k: v for k, v in night._usb.items() if k not in ("phase", "asked")},
        "prep_casilla": {"photos_sent": night.phone.sent if night.phone else 0,
                         "retries": night.phone.retries if night.phone else 0},
        "faults": [asdict(f) for f in night.faults],
        "cuts": [{"t": round(c.t - night.t_night, 1), "election": c.election, "id": c.cut_id,
                  "final": c.final, "header": c.header, "crosscheck_problems": c.problems}
                 for c in night.cuts],
        "checks": checks,
    }
    (night.out / "report.json").write_text(json.dumps(rep, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    (night.out / "report.html").write_text(render_html(rep), encoding="utf-8")
    return rep


def _chart(title: str, series: dict[str, list[tuple[float, float]]], y_label: str) -> str:
    w, h, pad = 640, 240, 40
    pts = [p for s in series.values() for p in s]
    if not pts:
        return ""
    x_max = max(p[0] for p in pts) or 1
    y_max = max(p[1] for p in pts) or 1
    colors = ["#1f5fa8", "#c0392b", "#27864a", "#8e44ad", "#d35400", "#555"]
    out = [f'<h3>{html.escape(title)}</h3><svg width="{w}" height="{h}" '
           f'xmlns="http://www.w3.org/2000/svg" role="img">',
           f'<line x1="{pad}" y1="{h - pad}" x2="{w - 10}" y2="{h - pad}" stroke="#333"/>',
           f'<line x1="{pad}" y1="10" x2="{pad}" y2="{h - pad}" stroke="#333"/>',
           f'<text x="{pad}" y="{h - 8}" font-size="11">0 s</text>',
           f'<text x="{w - 60}" y="{h - 8}" font-size="11">{x_max:.0f} s</text>',
           f'<text x="2" y="18" font-size="11">{y_max:g} {html.escape(y_label)}</text>']
    for i, (name, s) in enumerate(series.items()):
        c = colors[i % len(colors)]
        path = " ".join(f"{pad + (x / x_max) * (w - pad - 10):.1f},{h - pad - (y / y_max) * (h - pad - 10):.1f}"
                        for x, y in s)
        out.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{path}"/>')
        out.append(f'<text x="{w - 200}" y="{20 + 14 * i}" font-size="11" fill="{c}">{html.escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def _labels_table(labels: dict[str, Any] | None) -> str:
    """The label_swap fault: a line per acta with a wrong label."""
    if not labels:
        return ""
    out = ["<h2>Etiquetas equivocadas / wrong labels</h2><table border=1 cellpadding=4><tr>"
           "<th>acta</th><th>error</th><th>clave equivocada / wrong key</th>"
           "<th>detenida antes de capturar / stopped before capture</th>"
           "<th>resolución / how resolved</th><th>publicada bien / published right</th></tr>"]
    for x in labels["mistakes"]:
        what = "etiqueta del vecino / neighbour's label" if x["kind"] == "swap" else \
            "clave tecleada con errata / key typed with a slip"
        right = x["published_once_with_its_figures"] and not x["figures_under_wrong_key"]
        out.append(f"<tr><td>{x['clave']}</td><td>{what}</td><td>{x['wrong_key']}</td>"
                   f"<td>{'sí' if x['stopped_before_capture'] else 'NO'}</td>"
                   f"<td>{html.escape(x['resolved'])}</td><td>{'sí' if right else 'NO'}</td></tr>")
    out.append("</table>")
    if labels.get("false_alarms"):
        out.append("<p>Falsas alarmas (aceptadas por el supervisor) / false alarms: "
                   f"{html.escape(', '.join(labels['false_alarms']))}</p>")
    return "".join(out)


def render_html(rep: dict[str, Any]) -> str:
    cuts = [c for c in rep["cuts"]]
    states: dict[str, list[tuple[float, float]]] = {}
    pct: dict[str, list[tuple[float, float]]] = {}
    for c in cuts:
        h = c["header"]
        for label, key in (("registradas", "ACTAS_REGISTRADAS"), ("capturadas", "ACTAS_CAPTURADAS"),
                           ("contabilizadas", "ACTAS_CONTABILIZADAS")):
            states.setdefault(f"{c['election']} {label}", []).append((c["t"], float(h.get(key, 0) or 0)))
        pct.setdefault(c["election"], []).append(
            (c["t"], float(h.get("PORCENTAJE_ACTAS_CONTABILIZADAS", 0) or 0)))
    verdict = "CORRECTO / OK" if rep["ok"] else "FALLÓ / FAILED"
    body = [f"<h1>Simulacro PREP — {verdict}</h1>",
            _chart("Actas por estado a lo largo de la noche / actas per state over time", states, "actas"),
            _chart("% contabilizadas por corte / % counted per cut", pct, "%"),
            "<h2>Fallas / faults</h2><table border=1 cellpadding=4><tr><th>falla</th><th>estación</th>"
            "<th>correcto</th><th>costo / cost</th><th>nota</th></tr>"]
    for f in rep["faults"]:
        body.append(f"<tr><td>{f['name']}</td><td>{f['station']}</td><td>{'sí' if f['ok'] else 'NO'}</td>"
                    f"<td>{html.escape(json.dumps(f['cost'], ensure_ascii=False))}</td>"
                    f"<td>{html.escape(f['note'])}</td></tr>")
    body.append("</table>")
    body.append(_labels_table(rep["checks"].get("labels")))
    for key in ("sizes", "wall_s", "latency_acopio_to_publication", "ocr", "people",
                "errors_reached_publication", "throughput", "usb"):
        body.append(f"<h2>{key}</h2><pre>{html.escape(json.dumps(rep[key], ensure_ascii=False, indent=1))}</pre>")
    body.append(f"<h2>checks</h2><pre>{html.escape(json.dumps(rep['checks'], ensure_ascii=False, indent=1))}</pre>")
    return ("<!doctype html><html lang=es><meta charset=utf-8><title>Simulacro PREP</title>"
            "<body style='font-family:sans-serif;max-width:900px;margin:auto'>" + "".join(body)
            + "</body></html>")
