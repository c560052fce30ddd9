/* PREP console: polls the JSON endpoints and redraws the views in place. */
"use strict";
(function () {
  const T = JSON.parse(document.getElementById("prep-texts").textContent);
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const PAGE = document.body.dataset.page;
  const CAPS = new Set((document.body.dataset.caps || "").split(" ").filter(Boolean));
  const ME = document.body.dataset.user || "";
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
  const w = (prefix, code) => T[`${prefix}.${code}`] || String(code);
  const fill = (text, ...args) => args.reduce((s, a, i) => s.replace(`{${i}}`, a), text);
  class HttpError extends Error { constructor(status, msg) { super(msg); this.status = status; } }
  const message = (doc, status) => doc[`message_${document.body.dataset.lang}`] || doc.detail || `${T.error} ${status}`;
  async function getJSON(url) {
    const r = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (r.status === 401) { location.href = "/console/login"; throw new Error("login"); }
    const doc = await r.json().catch(() => ({}));
    if (!r.ok) throw new HttpError(r.status, message(doc, r.status));
    return doc;
  }
  async function postJSON(url, body) {
    const r = await fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF }, body: JSON.stringify(body || {}) });
    const doc = await r.json().catch(() => ({}));
    if (!r.ok) throw new HttpError(r.status, message(doc, r.status));
    return doc;
  }
  const replace = (id, node) => { const c = document.getElementById(id); if (c) c.replaceChildren(node); };
  const busyEditing = () => document.querySelector(".editing, main input:focus, main select:focus");

  function stageTable(rows, label) {
    return el("table", { class: "stages" },
      el("tr", {}, el("th", {}, label), STAGES.map((s) => el("th", {}, T[s]))),
      rows.map((r) => el("tr", {}, el("td", {}, r.label),
        STAGES.map((s) => el("td", { class: "num" }, String(r[s]), s === "esperadas" ? "" : el("br"), s === "esperadas" ? "" : el("small", {}, pct(r[s], r.esperadas)))))));
  }
  function scopeText(scope) {
    if (!scope) return T.scope_all;
    const [kind, ids] = Object.entries(scope)[0] || ["", []];
    return `${T[kind] || kind}: ${(ids || []).join(", ")}`;
  }
  function stationActions(s) {
    if (s.role === "SERVER") return "";
    const admin = CAPS.has("stations"), enc = encodeURIComponent(s.station);
    return [
      admin && s.status === "pending" ? el("button", { class: "approve", onclick: () => decide(s.station, "approve") }, T.approve) : "",
      admin && s.status === "approved" ? el("a", { class: "button secondary approval-file", download: `aprobacion-${s.station}.json`, href: `/console/stations/${enc}/approval.json` }, T.approval_file) : "",
      CAPS.has("download") && s.status === "approved" ? el("a", { class: "button secondary receipts-file", download: `recibos-${s.station}.json`, href: `/console/stations/${enc}/receipts.json` }, T.receipts_file) : "",
      admin && s.status !== "revoked" ? el("button", { class: "secondary revoke", onclick: () => decide(s.station, "revoke") }, T.revoke) : "",
      admin && s.status !== "revoked" ? el("button", { class: "secondary edit-permissions", onclick: (ev) => editPermissions(s, ev.target.closest("tr")) }, T.permissions) : "",
    ];
  }
  function stationsTable(list) {
    const heads = ["station", "role", "name", "status", "scope", "self_verify", "last_contact", "head", "gap", "queue", "fingerprint", ""];
    return el("table", { id: "stations" },
      el("tr", {}, heads.map((k) => el("th", {}, k ? T[k] : ""))),
      list.map((s) => el("tr", { "data-station": s.station },
        el("td", {}, s.station), el("td", {}, w("srole", s.role)), el("td", {}, s.name),
        el("td", { class: s.status === "approved" ? "status-ok" : s.status === "revoked" ? "status-bad" : "" }, T[s.status] || s.status),
        el("td", { class: "scope" }, s.role === "SERVER" ? "—" : scopeText(s.scope)),
        el("td", { class: "self-verify" }, s.role === "SERVER" ? "—" : (s.self_verify ? T.yes : T.no)),
        el("td", {}, fmt(s.last_contact)), el("td", { class: "num" }, String(s.head.seq)),
        el("td", { class: s.gap ? "status-bad" : "" }, s.gap ? `${s.gap[0]}–${s.gap[1]}` : "—"),
        el("td", { class: "num" }, String(s.gap_events)), el("td", {}, el("code", { title: s.fingerprint }, s.fingerprint.slice(0, 12))),
        el("td", { class: "actions" }, stationActions(s)))));
  }
  function parseIds(text) {
    const parts = text.split(",").map((x) => x.trim()).filter(Boolean);
    if (!parts.every((x) => /^\d{1,6}$/.test(x))) return null;
    return parts.map(Number);
  }
  function scopeEditor(scope) {
    const [kind, ids] = scope ? Object.entries(scope)[0] : ["", []];
    const sel = el("select", { class: "scope-kind" }, el("option", { value: "" }, T.scope_none),
      el("option", { value: "distritos" }, T.distritos), el("option", { value: "municipios" }, T.municipios));
    sel.value = kind;
    const box = el("input", { class: "scope-ids", size: 24, placeholder: T.scope_ids, value: (ids || []).join(", ") });
    const read = () => {
      if (!sel.value) return { ok: true, scope: null };
      const list = parseIds(box.value);
      return list && list.length ? { ok: true, scope: { [sel.value]: list } } : { ok: false };
    };
    return { node: el("span", {}, el("label", {}, `${T.scope_kind} `, sel), " ", box), read };
  }
  function editPermissions(s, row) {
    const old = document.querySelector("tr.perm-editor");
    if (old) old.remove();
    const scope = scopeEditor(s.scope);
    const self = el("input", { type: "checkbox", class: "self-verify-box" });
    self.checked = !!s.self_verify;
    const err = el("span", { class: "error" });
    const editor = el("tr", { class: "perm-editor editing", "data-for": s.station }, el("td", { colspan: 12 },
      el("strong", {}, `${T.permissions} · ${s.station}`), " ", scope.node, " ",
      el("label", { title: T.self_verify_help }, self, ` ${T.self_verify} (${T.self_verify_help})`), " ",
      el("button", { class: "save-permissions", onclick: async () => {
        const got = scope.read();
        if (!got.ok) { err.textContent = T.bad_ids; return; }
        try {
          await postJSON(`/console/api/stations/${encodeURIComponent(s.station)}/permissions`, { scope: got.scope, self_verify: self.checked });
          editor.remove(); refresh();
        } catch (e) { err.textContent = e.message; }
      } }, T.save), " ",
      el("button", { class: "secondary", onclick: () => { editor.remove(); refresh(); } }, T.cancel), " ", err));
    row.after(editor);
  }
  async function decide(station, action) {
    if (action === "revoke" && !confirm(fill(T.confirm_revoke, station))) return;
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
  function queueCard(kind, n) {
    return el("a", { class: "card" + (n ? " warn" : ""), href: "/console/conflicts", id: `queue-${kind}` },
      el("div", { class: "n" }, String(n)), el("div", { class: "l" }, w("q", kind)));
  }
  async function dashboard() {
    const [s, p, cuts] = await Promise.all([getJSON("/console/api/summary"), getJSON("/console/api/progress"), getJSON("/console/api/cuts")]);
    document.getElementById("catalog").textContent = `${T.catalog}: ${s.catalog.name} (${s.catalog.fingerprint.slice(0, 12)}…)`;
    document.getElementById("updated").textContent = fmt(s.now);
    replace("totals", el("div", { class: "cards" }, s.elections.map((e) => el("div", { class: "card election", "data-election": e.id },
      el("div", { class: "l" }, e.name), el("div", { class: "n" }, `${e.totals.contabilizadas} / ${e.totals.esperadas}`),
      el("div", { class: "p" }, `${T.contabilizadas} ${pct(e.totals.contabilizadas, e.totals.esperadas)} · ${T.acopiadas} ${e.totals.acopiadas}`)))));
    replace("queues", el("div", { class: "cards" },
      Object.entries(s.queue).map(([kind, n]) => queueCard(kind, n)),
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
        el("td", {}, CAPS.has("download") ? el("a", { href: `/console/cuts/${c.id}.csv` }, T.download) : "")))));
  }
  async function issueZero() {
    const err = document.getElementById("zero-error");
    try { await postJSON("/console/api/certificates/puesta-en-ceros"); location.reload(); }
    catch (e) { err.textContent = e.message; }
  }
  async function makeCut() {
    try { await postJSON("/console/api/cuts"); } catch (e) { alert(e.message); }
    refresh();
  }
  function readingsTable(c) {
    const fix = c.kind === "correccion";
    const names = c.readings.map((_, i) => fix ? (i === 0 ? T.verified_reading : T.proposed_correction) : `${T.reading} ${i + 1}`);
    const fields = [...new Set(c.readings.flatMap((r) => Object.keys(r)))];
    const show = (v) => (v === null || v === undefined ? "—" : String(v));
    const choose = (i) => CAPS.has("resolve") ? el("button", { class: "choose", "data-reading": i, onclick: () => resolve(c, "choose", i) },
      fix ? (i === 0 ? T.keep_verified : T.apply_correction) : T.choose) : "";
    return el("table", { class: "readings-table" },
      el("tr", {}, el("th", {}, T.field), names.map((n) => el("th", {}, n))),
      fields.map((f) => el("tr", { class: c.disputed.includes(f) ? "diff" : "" }, el("td", {}, c.disputed.includes(f) ? `▶ ${f}` : f),
        c.readings.map((r) => el("td", { class: "num" }, show(r[f]))))),
      el("tr", { class: "choose-row" }, el("td", {}), c.readings.map((_, i) => el("td", {}, choose(i)))));
  }
  async function resolve(c, action, reading) {
    const box = document.querySelector(`[data-conflict="${c.id}"] input.reason`);
    const reason = (box && box.value.trim()) || "";
    if (!reason) { alert(T.reason_needed); if (box) box.focus(); return; }
    try { await postJSON(`/console/api/conflicts/${c.id}/resolve`, { action, reading, reason }); } catch (e) { alert(e.message); }
    refresh();
  }
  const keep = {};
  const ALARMS = new Set(["cifras_repetidas", "fuera_de_rango"]);
  function thumbsOf(images, clave) {
    return (images || []).map((im) => el("figure", { class: "thumb" },
      el("a", { href: `/console/images/${im.sha256}`, target: "_blank" }, el("img", { src: `/console/images/${im.sha256}`, alt: `${T.acta} ${clave}`, loading: "lazy" })),
      el("figcaption", {}, `${clave} · ${w("srole", im.origen)}`)));
  }
  function conflictBox(c) {
    const alarm = ALARMS.has(c.kind);
    const thumbs = thumbsOf(c.images, c.clave_acta).concat(c.other ? thumbsOf(c.other.images, c.other.clave_acta) : []);
    return el("div", { class: `conflict kind-${c.kind}`, "data-conflict": c.id, "data-kind": c.kind },
      el("h3", {}, el("a", { href: `/console/actas/${c.clave_acta}` }, `${T.acta} ${c.clave_acta}`), " · ", w("q", c.kind)),
      alarm ? el("p", { class: "alarm-note" }, T.alarm_note) : "",
      c.other ? el("p", { class: "same-as" }, `${T.same_as} `, el("a", { href: `/console/actas/${c.other.clave_acta}` }, c.other.clave_acta)) : "",
      c.reason ? el("p", { class: "station-reason" }, el("strong", {}, `${T.station_reason}: `), c.reason) : "",
      alarm ? "" : el("p", { class: "disputed" }, `${T.disputed}: ${c.disputed.join(", ") || "—"}`),
      el("div", { class: "readings" }, el("div", { class: "thumbs" }, thumbs.length ? thumbs : el("p", {}, T.no_images)), alarm ? "" : readingsTable(c)),
      CAPS.has("resolve") ? el("p", {}, el("label", {}, `${T.reason}: `, el("input", { class: "reason", "data-id": c.id, size: 50, value: keep[c.id] || "" })), " ",
        c.kind === "correccion" ? "" : [el("button", { class: "secondary recapture", onclick: () => resolve(c, "recapture", null) }, T.recapture), " ",
          el("button", { class: "secondary rescan", onclick: () => resolve(c, "rescan", null) }, T.rescan)],
        alarm ? [" ", el("button", { class: "secondary dismiss", onclick: () => resolve(c, "dismiss", null) }, T.dismiss)] : "") : "");
  }
  async function conflicts() {
    const list = await getJSON("/console/api/conflicts");
    document.querySelectorAll("input.reason").forEach((i) => { keep[i.dataset.id] = i.value; });
    replace("conflicts-view", list.length ? el("div", {}, list.map(conflictBox)) : el("p", { id: "no-conflicts" }, T.no_conflicts));
  }
  function codesSection() {
    const role = el("select", { id: "code-role" }, ["CATD", "CCV", "CASILLA"].map((r) => el("option", { value: r }, w("srole", r))));
    const label = el("input", { id: "code-label", size: 28, maxlength: 200, placeholder: T.label });
    const scope = scopeEditor(null);
    const out = el("div", { id: "code-result" });
    const list = el("div", { id: "code-list" });
    const issue = async () => {
      const got = scope.read();
      if (!got.ok) { out.replaceChildren(el("p", { class: "error" }, T.bad_ids)); return; }
      try {
        const r = await postJSON("/console/api/enrollment-codes", { role: role.value, label: label.value.trim(), scope: got.scope });
        out.replaceChildren(el("div", { class: "code-once" }, el("p", {}, T.code_once), el("div", { class: "code", id: "issued-code" }, r.code),
          el("p", {}, `${w("srole", r.role)} · ${r.label} · ${T.expires}: ${fmt(r.expires_at)}`)));
        label.value = ""; loadCodes(list);
      } catch (e) { out.replaceChildren(el("p", { class: "error" }, e.status === 404 ? T.codes_unavailable : e.message)); }
    };
    loadCodes(list);
    return el("section", { id: "enrollment-codes" }, el("h2", {}, T.enrollment_codes),
      el("p", { class: "code-form" }, el("label", {}, `${T.role} `, role), " ", el("label", {}, `${T.label} `, label), " ", scope.node, " ",
        el("button", { id: "issue-code", onclick: issue }, T.issue_code)), out, list);
  }
  async function loadCodes(box) {
    try {
      const codes = await getJSON("/console/api/enrollment-codes");
      box.replaceChildren(el("table", { id: "codes" },
        el("tr", {}, ["label", "role", "scope", "created_by", "created_at", "expires", "used"].map((k) => el("th", {}, T[k]))),
        codes.map((c) => el("tr", {}, el("td", {}, c.label), el("td", {}, w("srole", c.role)), el("td", {}, scopeText(c.scope)),
          el("td", {}, c.created_by), el("td", {}, fmt(c.created_at)), el("td", {}, fmt(c.expires_at)),
          el("td", {}, c.used_at ? `${fmt(c.used_at)} · ${c.used_by}` : T.unused)))));
    } catch (e) { box.replaceChildren(el("p", { class: "meta" }, e.status === 404 ? T.codes_unavailable : e.message)); }
  }
  async function stationsPage() {
    const list = await getJSON("/console/api/stations");
    if (CAPS.has("stations") && !document.getElementById("enrollment-codes")) {
      document.getElementById("stations-view").after(codesSection());
    }
    replace("stations-view", stationsTable(list));
  }
  function detailValue(k, v) {
    if (v === null || v === undefined) return "—";
    if (typeof v === "boolean") return v ? T.yes : T.no;
    if (k === "scope") return scopeText(v);
    if (k === "reading" && typeof v === "number") return String(v + 1);
    if (typeof v === "object") return JSON.stringify(v);
    const s = String(v);
    return /^[0-9a-f]{40,}$/.test(s) ? `${s.slice(0, 12)}…` : (T[`pv.${s}`] || s);
  }
  function detailText(d) {
    return Object.entries(d || {}).map(([k, v]) => `${w("ak", k)}: ${detailValue(k, v)}`).join(" · ");
  }
  async function auditPage() {
    const a = await getJSON("/console/api/audit");
    replace("audit-view", el("div", {},
      el("p", { id: "audit-status", class: a.ok ? "status-ok" : "status-bad" }, `${a.ok ? T.audit_ok : T.audit_bad} (${a.entries} ${T.entries})`),
      a.errors.length ? el("pre", {}, a.errors.join("\n")) : "",
      el("table", { id: "audit" }, el("tr", {}, ["#", T.at, T.actor, T.action, T.detail].map((k) => el("th", {}, k))),
        a.recent.map((r) => el("tr", { "data-action": r.action }, el("td", { class: "num" }, String(r.seq)), el("td", {}, fmt(r.at)), el("td", {}, r.actor),
          el("td", { title: r.action }, w("act", r.action)), el("td", { class: "detail" }, detailText(r.detail)))))));
  }
  function usersForm() {
    const name = el("input", { id: "new-username", size: 18, maxlength: 32, autocomplete: "off" });
    const role = el("select", { id: "new-role" }, ["coordinador", "supervisor", "consulta", "auditor"].map((r) => el("option", { value: r }, w("urole", r))));
    const pass = el("input", { id: "new-password", type: "password", size: 18, autocomplete: "new-password" });
    const msg = el("span", { id: "user-message" });
    const create = async () => {
      try {
        await postJSON("/console/api/users", { username: name.value.trim(), role: role.value, password: pass.value });
        name.value = ""; pass.value = ""; msg.className = "status-ok"; msg.textContent = T.user_created; refresh();
      } catch (e) { msg.className = "error"; msg.textContent = e.message; }
    };
    return el("section", { id: "new-user" }, el("h3", {}, T.new_user),
      el("p", {}, el("label", {}, `${T.username} `, name), " ", el("label", {}, `${T.role} `, role), " ",
        el("label", {}, `${T.initial_password} `, pass), " ", el("button", { id: "create-user", onclick: create }, T.create), " ", msg));
  }
  async function userAction(u, action) {
    try {
      if (action === "disable") {
        if (!confirm(fill(T.confirm_disable, u.username))) return;
        await postJSON(`/console/api/users/${encodeURIComponent(u.username)}/disable`);
      } else {
        const pw = prompt(fill(T.new_password_for, u.username));
        if (!pw) return;
        await postJSON(`/console/api/users/${encodeURIComponent(u.username)}/password`, { password: pw });
        alert(T.password_changed);
      }
    } catch (e) { alert(e.message); }
    refresh();
  }
  async function usersPage() {
    const list = await getJSON("/console/api/users");
    if (!document.getElementById("new-user")) document.getElementById("users-view").before(usersForm());
    replace("users-view", el("table", { id: "users" },
      el("tr", {}, ["username", "role", "status", "created_by", "created_at", ""].map((k) => el("th", {}, k ? T[k] : ""))),
      list.map((u) => el("tr", { "data-user": u.username, class: u.active ? "" : "inactive" },
        el("td", {}, u.username, u.username === ME ? el("small", {}, ` (${T.you})`) : ""), el("td", {}, w("urole", u.role)),
        el("td", { class: u.active ? "status-ok" : "status-bad" }, u.active ? T.active : `${T.disabled} · ${fmt(u.disabled_at)}`),
        el("td", {}, u.created_by || "—"), el("td", {}, fmt(u.created_at)),
        el("td", { class: "actions" }, u.active ? [
          el("button", { class: "secondary reset-password", onclick: () => userAction(u, "password") }, T.reset_password), " ",
          el("button", { class: "secondary disable-user", onclick: () => userAction(u, "disable") }, T.disable)] : "")))));
  }
  const VIEWS = { dashboard, conflicts, stations: stationsPage, audit: auditPage, users: usersPage };
  let busy = false;
  async function refresh() {
    const view = VIEWS[PAGE];
    if (!view || busy) return;
    busy = true;
    try { await view(); document.body.dataset.loaded = String(Date.now()); } catch (e) { console.error(e); } finally { busy = false; }
  }
  const cutButton = document.getElementById("make-cut");
  if (cutButton) cutButton.addEventListener("click", makeCut);
  const zeroButton = document.getElementById("issue-zero");
  if (zeroButton) zeroButton.addEventListener("click", issueZero);
  if (VIEWS[PAGE]) { refresh(); setInterval(() => { if (!busyEditing()) refresh(); }, POLL_MS); }
})();
