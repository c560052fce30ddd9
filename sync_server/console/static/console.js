/* PREP console: polls the JSON endpoints and redraws the views in place. */
"use strict";
(function () {
  const T = JSON.parse(document.getElementById("prep-texts").textContent);
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const PAGE = document.body.dataset.page;
  const POLL_MS = 4000;
  const STAGES = ["esperadas", "acopiadas", "digitalizadas", "capturadas", "verificadas", "contabilizadas"];
  const COLORS = { acopiadas: "#8a94a6", digitalizadas: "#3f6fb5", capturadas: "#c7892a", verificadas: "#1e7a46" };

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
    return e;
  }
  const svgEl = (tag, attrs) => {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  function fmt(ms) {
    if (ms === null || ms === undefined) return "—";
    const d = new Date(ms - 6 * 3600 * 1000), p = (n) => String(n).padStart(2, "0");
    return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  }
  const pct = (a, b) => (b ? (Math.floor((a * 10000) / b) / 100).toFixed(2) : "0.00") + "%";
  async function getJSON(url) {
    const r = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (r.status === 401) { location.href = "/console/login"; throw new Error("login"); }
    return r.json();
  }
  async function postJSON(url, body) {
    const r = await fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF }, body: JSON.stringify(body || {}) });
    const doc = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(doc.detail || r.status);
    return doc;
  }
  const replace = (id, node) => { const c = document.getElementById(id); if (c) c.replaceChildren(node); };

  function stageTable(rows, label) {
    return el("table", { class: "stages" },
      el("tr", {}, el("th", {}, label), STAGES.map((s) => el("th", {}, T[s]))),
      rows.map((r) => el("tr", {}, el("td", {}, r.label),
        STAGES.map((s) => el("td", { class: "num" }, String(r[s]), s === "esperadas" ? "" : el("br"), s === "esperadas" ? "" : el("small", {}, pct(r[s], r.esperadas)))))));
  }
  function stationsTable(list) {
    return el("table", { id: "stations" },
      el("tr", {}, ["station", "role", "name", "status", "last_contact", "head", "gap", "queue", "fingerprint", ""].map((k) => el("th", {}, k ? T[k] : ""))),
      list.map((s) => el("tr", { "data-station": s.station },
        el("td", {}, s.station), el("td", {}, s.role), el("td", {}, s.name),
        el("td", { class: s.status === "approved" ? "status-ok" : s.status === "revoked" ? "status-bad" : "" }, T[s.status] || s.status),
        el("td", {}, fmt(s.last_contact)), el("td", { class: "num" }, String(s.head.seq)),
        el("td", { class: s.gap ? "status-bad" : "" }, s.gap ? `${s.gap[0]}–${s.gap[1]}` : "—"),
        el("td", { class: "num" }, String(s.gap_events)), el("td", {}, el("code", {}, s.fingerprint.slice(0, 16))),
        el("td", {}, s.role === "SERVER" ? "" : [
          s.status === "pending" ? el("button", { class: "approve", onclick: () => decide(s.station, "approve") }, T.approve) : "",
          s.status === "approved" ? el("a", { class: "button secondary approval-file", download: `aprobacion-${s.station}.json`, href: `/console/stations/${encodeURIComponent(s.station)}/approval.json` }, T.approval_file) : "",
          s.status === "approved" ? el("a", { class: "button secondary receipts-file", download: `recibos-${s.station}.json`, href: `/console/stations/${encodeURIComponent(s.station)}/receipts.json` }, T.receipts_file) : "",
          s.status !== "revoked" ? el("button", { class: "secondary revoke", onclick: () => decide(s.station, "revoke") }, T.revoke) : "",
        ]))));
  }
  async function decide(station, action) {
    if (action === "revoke" && !confirm(`${T.revoke} ${station}?`)) return;
    try { await postJSON(`/console/api/stations/${encodeURIComponent(station)}/${action}`); } catch (e) { alert(e.message); }
    refresh();
  }
  function chart(p) {
    const W = 880, H = 260, L = 48, B = 30, svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", id: "progress-svg" });
    const max = Math.max(1, p.esperadas || 1);
    const x = (i, n) => L + ((W - L - 10) * i) / Math.max(1, n - 1), y = (v) => H - B - ((H - B - 10) * v) / max;
    for (const f of [0, 0.25, 0.5, 0.75, 1]) {
      svg.append(svgEl("line", { x1: L, x2: W - 10, y1: y(max * f), y2: y(max * f), stroke: "#e3e6ec" }));
      const t = svgEl("text", { x: 4, y: y(max * f) + 4, "font-size": 11, fill: "#5b6475" }); t.textContent = `${f * 100}%`; svg.append(t);
    }
    if (p.start !== null) {
      for (const [i, lab] of [[0, fmt(p.start)], [1, fmt(p.end)]]) {
        const t = svgEl("text", { x: i ? W - 150 : L, y: H - 8, "font-size": 11, fill: "#5b6475" }); t.textContent = lab; svg.append(t);
      }
      for (const [name, vals] of Object.entries(p.series)) {
        const pts = vals.map((v, i) => `${x(i, vals.length).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
        svg.append(svgEl("polyline", { points: pts, fill: "none", stroke: COLORS[name] || "#000", "stroke-width": 2, "data-series": name }));
      }
    }
    const legend = el("div", { class: "legend" }, Object.keys(COLORS).map((k) => el("span", {}, el("i", {}), T[k])));
    legend.querySelectorAll("i").forEach((i, n) => { i.style.background = Object.values(COLORS)[n]; });
    return el("div", {}, svg, legend);
  }
  async function dashboard() {
    const [s, p, cuts] = await Promise.all([getJSON("/console/api/summary"), getJSON("/console/api/progress"), getJSON("/console/api/cuts")]);
    document.getElementById("catalog").textContent = `${T.catalog}: ${s.catalog.name} (${s.catalog.fingerprint.slice(0, 12)}…)`;
    document.getElementById("updated").textContent = fmt(s.now);
    replace("totals", el("div", { class: "cards" }, s.elections.map((e) => el("div", { class: "card election", "data-election": e.id },
      el("div", { class: "l" }, e.name), el("div", { class: "n" }, `${e.totals.contabilizadas} / ${e.totals.esperadas}`),
      el("div", { class: "p" }, `${T.contabilizadas} ${pct(e.totals.contabilizadas, e.totals.esperadas)} · ${T.acopiadas} ${e.totals.acopiadas}`)))));
    replace("queues", el("div", { class: "cards" },
      el("a", { class: "card" + (s.queue.conflicto ? " warn" : ""), href: "/console/conflicts", id: "queue-conflicto" }, el("div", { class: "n" }, String(s.queue.conflicto)), el("div", { class: "l" }, T.conflicto)),
      el("a", { class: "card" + (s.queue.discrepancia ? " warn" : ""), href: "/console/conflicts", id: "queue-discrepancia" }, el("div", { class: "n" }, String(s.queue.discrepancia)), el("div", { class: "l" }, T.discrepancia)),
      el("div", { class: "card" + (s.stations_with_gap ? " warn" : "") }, el("div", { class: "n" }, String(s.stations_with_gap)), el("div", { class: "l" }, T.stations_with_gap)),
      el("div", { class: "card" }, el("div", { class: "n" }, String(s.fuera_de_catalogo)), el("div", { class: "l" }, T.fuera))));
    replace("demarcaciones", el("div", {}, s.elections.map((e) => el("div", {}, el("h2", {}, e.name),
      stageTable([{ label: T.total, ...e.totals }, ...e.demarcaciones.map((d) => ({ label: `${d.id} ${d.name}`, ...d }))], T[e.ambito])))));
    replace("chart", chart(p));
    replace("stations-table", stationsTable(s.stations));
    replace("cuts", el("table", { id: "cut-list" },
      el("tr", {}, ["#", T.election, T.at, T.contabilizadas, T.participation, "SHA-256", ""].map((k) => el("th", {}, k))),
      cuts.map((c) => el("tr", {}, el("td", { class: "num" }, String(c.id)), el("td", {}, c.election_id), el("td", {}, fmt(c.cut_time)),
        el("td", { class: "num" }, `${c.figures.ACTAS_CONTABILIZADAS} (${c.figures.PORCENTAJE_ACTAS_CONTABILIZADAS}%)`),
        el("td", { class: "num" }, `${c.figures.PORCENTAJE_PARTICIPACION_CIUDADANA}%`), el("td", {}, el("code", {}, c.sha256.slice(0, 16))),
        el("td", {}, el("a", { href: `/console/cuts/${c.id}.csv` }, T.download))))));
  }
  async function makeCut() {
    try { await postJSON("/console/api/cuts"); } catch (e) { alert(e.message); }
    refresh();
  }
  function readingBox(c, r, i) {
    const txt = Object.entries(r).map(([k, v]) => `${c.disputed.includes(k) ? "▶ " : "  "}${k}: ${v}`).join("\n");
    return el("div", { class: "reading" }, el("strong", {}, `${T.reading} ${i + 1}`), el("pre", {}, txt),
      el("button", { class: "choose", "data-reading": i, onclick: () => resolve(c, "choose", i) }, T.choose));
  }
  async function resolve(c, action, reading) {
    const box = document.querySelector(`[data-conflict="${c.id}"] input.reason`);
    const reason = (box && box.value.trim()) || "";
    if (!reason) { alert(T.reason + "?"); if (box) box.focus(); return; }
    try { await postJSON(`/console/api/conflicts/${c.id}/resolve`, { action, reading, reason }); } catch (e) { alert(e.message); }
    refresh();
  }
  const keep = {};
  async function conflicts() {
    const list = await getJSON("/console/api/conflicts");
    document.querySelectorAll("input.reason").forEach((i) => { keep[i.dataset.id] = i.value; });
    replace("conflicts-view", list.length ? el("div", {}, list.map((c) => el("div", { class: "conflict", "data-conflict": c.id },
      el("h3", {}, el("a", { href: `/console/actas/${c.clave_acta}` }, `${T.acta} ${c.clave_acta}`), " · ", T[c.kind] || c.kind),
      el("p", { class: "disputed" }, `${T.disputed}: ${c.disputed.join(", ") || "—"}`),
      el("div", { class: "readings" },
        (c.images || []).map((im) => el("figure", { class: "thumb" }, el("a", { href: `/console/images/${im.sha256}` },
          el("img", { src: `/console/images/${im.sha256}`, alt: im.origen })), el("figcaption", {}, im.origen))),
        c.readings.map((r, i) => readingBox(c, r, i))),
      el("p", {}, el("label", {}, `${T.reason}: `, el("input", { class: "reason", "data-id": c.id, size: 50, value: keep[c.id] || "" })), " ",
        el("button", { class: "secondary recapture", onclick: () => resolve(c, "recapture", null) }, T.recapture), " ",
        el("button", { class: "secondary rescan", onclick: () => resolve(c, "rescan", null) }, T.rescan))))) : el("p", { id: "no-conflicts" }, T.no_conflicts));
  }
  async function stationsPage() { replace("stations-view", stationsTable(await getJSON("/console/api/stations"))); }
  async function auditPage() {
    const a = await getJSON("/console/api/audit");
    replace("audit-view", el("div", {},
      el("p", { id: "audit-status", class: a.ok ? "status-ok" : "status-bad" }, `${a.ok ? T.audit_ok : T.audit_bad} (${a.entries})`),
      a.errors.length ? el("pre", {}, a.errors.join("\n")) : "",
      el("table", { id: "audit" }, el("tr", {}, ["#", "at", "actor", "action", "detail"].map((k) => el("th", {}, T[k] || k))),
        a.recent.map((r) => el("tr", {}, el("td", { class: "num" }, String(r.seq)), el("td", {}, fmt(r.at)), el("td", {}, r.actor),
          el("td", {}, r.action), el("td", { class: "vals" }, JSON.stringify(r.detail)))))));
  }
  const VIEWS = { dashboard, conflicts, stations: stationsPage, audit: auditPage };
  let busy = false;
  async function refresh() {
    const view = VIEWS[PAGE];
    if (!view || busy) return;
    busy = true;
    try { await view(); document.body.dataset.loaded = String(Date.now()); } catch (e) { console.error(e); } finally { busy = false; }
  }
  const cutButton = document.getElementById("make-cut");
  if (cutButton) cutButton.addEventListener("click", makeCut);
  if (VIEWS[PAGE]) { refresh(); setInterval(() => { if (!document.querySelector("input.reason:focus")) refresh(); }, POLL_MS); }
})();
