// The Lattice query page: loads the named queries, runs them, renders a table, CSV, and an accountability picture.
"use strict";

// Filled from the server's /api/prefixes (kg/namespaces.py is the one place prefixes are declared).
let PREFIXES = {};

async function loadPrefixes() {
  const response = await fetch("/api/prefixes", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`prefixes: HTTP ${response.status}`);
  PREFIXES = await response.json();
}
const PUBLIC_BASE = "https://w3id.org/lattice";
const MECHANISM_COLOURS = {
  HierarchicalAccountability: "#1f5fa8", SupervisoryAccountability: "#2a9d8f", FiscalAccountability: "#e9a23b",
  LegalAccountability: "#8e44ad", MarketAccountability: "#6c757d", PeerAccountability: "#d35400",
  PublicReputationalAccountability: "#c0392b", ElectoralAccountability: "#27ae60",
};

const $ = (id) => document.getElementById(id);
const state = { queries: [], current: null, last: null, lastName: "results" };

function shorten(iri) {
  let best = null;
  for (const [p, base] of Object.entries(PREFIXES)) {
    if (iri.startsWith(base) && (!best || base.length > PREFIXES[best].length)) best = p;
  }
  return best ? best + ":" + iri.slice(PREFIXES[best].length) : iri;
}

function localHref(iri) {
  if (iri.startsWith(PUBLIC_BASE + "/")) return iri.slice(PUBLIC_BASE.length);
  return /^https?:\/\//i.test(iri) ? iri : "#";  // javascript:, data: ... IRIs never become live links
}

function expand(text) {
  const t = text.trim();
  if (t.startsWith("<") && t.endsWith(">")) return t.slice(1, -1);
  const m = /^([A-Za-z][A-Za-z0-9_.-]*):(.*)$/.exec(t);
  if (m && PREFIXES[m[1]] !== undefined) return PREFIXES[m[1]] + m[2];
  return t;
}

function setStatus(text, isError) {
  const s = $("status");
  s.textContent = text;
  s.className = isError ? "error" : "";
}

// ------------------------------------------------------------------------------------- named queries

async function loadQueries() {
  const response = await fetch("/api/queries", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error("cannot list the named queries: HTTP " + response.status);
  state.queries = await response.json();
  const select = $("named-query");
  select.innerHTML = "";
  const free = document.createElement("option");
  free.value = "";
  free.textContent = "(write your own query)";
  select.appendChild(free);
  for (const q of state.queries) {
    const option = document.createElement("option");
    option.value = q.name;
    option.textContent = q.name + (q.title ? " — " + q.title : "");
    select.appendChild(option);
  }
  const first = state.queries.find((q) => q.params.every((p) => !p.required)) || state.queries[0];
  if (first && !(window.latticeEditor && window.latticeEditor.shared)) {  // a shared link keeps its query
    select.value = first.name;
    selectQuery(first.name);
  }
  select.dataset.loaded = "true";
}

// The editor's text: the text area, and YASGUI over it when it loaded (kg/web/editor.js).
function setEditorText(text) {
  $("editor").value = text;
  if (window.latticeEditor) window.latticeEditor.set(text);
}

function selectQuery(name) {
  const q = state.queries.find((x) => x.name === name) || null;
  state.current = q;
  const form = $("params");
  form.innerHTML = "";
  $("question").textContent = q ? q.question : "";
  if (!q) {
    setEditorText("SELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 20\n");
    return;
  }
  setEditorText(q.sparql);
  for (const p of q.params) {
    const row = document.createElement("div");
    row.className = "param";
    const label = document.createElement("label");
    label.htmlFor = "param-" + p.name;
    label.textContent = p.name + " (" + p.type + (p.required ? ", required" : "") + ")";
    const input = document.createElement("input");
    input.id = "param-" + p.name;
    input.name = p.name;
    input.value = p.default || "";
    input.placeholder = p.type === "iri" ? "lat-id:… or a full IRI" : p.type === "date" ? "YYYY-MM-DD" : p.type;
    if (p.type === "iri") input.setAttribute("list", "actors");
    row.appendChild(label);
    row.appendChild(input);
    form.appendChild(row);
  }
}

function paramQueryString() {
  const params = new URLSearchParams();
  for (const input of $("params").querySelectorAll("input")) {
    if (input.value.trim() !== "") params.set(input.name, input.value.trim());
  }
  return params.toString();
}

// The request for the current editor state: the REST API when the named query is unchanged, else /sparql.
function currentRequest() {
  const q = state.current;
  const text = $("editor").value;
  if (q && text === q.sparql) {
    const qs = paramQueryString();
    return { method: "GET", url: "/api/queries/" + encodeURIComponent(q.name) + (qs ? "?" + qs : ""), name: q.name };
  }
  return { method: "POST", url: "/sparql", body: text, name: q ? q.name + "-edited" : "query" };
}

async function send(request, accept) {
  const init = { method: request.method, headers: { Accept: accept } };
  if (request.method === "POST") {
    init.headers["Content-Type"] = "application/sparql-query";
    init.body = request.body;
  }
  return fetch(request.url, init);
}

async function readError(response) {
  const text = await response.text();
  try {
    const data = JSON.parse(text);
    if (data && data.error) return data.error;
  } catch (e) { /* plain text */ }
  return text;
}

async function runQuery() {
  const request = currentRequest();
  const started = performance.now();
  setStatus("running…");
  $("run").disabled = true;
  try {
    const response = await send(request, "application/sparql-results+json, text/turtle;q=0.5");
    if (!response.ok) {
      clearTable();
      setStatus("HTTP " + response.status + ": " + (await readError(response)), true);
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    const ms = Math.round(performance.now() - started);
    if (type.includes("sparql-results+json")) {
      const text = await response.text();
      const data = JSON.parse(text);
      if (window.latticeEditor) window.latticeEditor.show(text, type, ms);
      const truncated = response.headers.get("X-Lattice-Truncated");
      if ("boolean" in data) {
        renderBoolean(data.boolean);
        setStatus("answer: " + data.boolean + " (" + ms + " ms)");
      } else {
        renderTable(data);
        const n = data.results.bindings.length;
        const cap = truncated ? (truncated.match(/max-rows=(\d+)/) || [])[1] : null;
        setStatus(n + " row" + (n === 1 ? "" : "s") + " in " + ms + " ms" +
          (truncated ? " — cut at the server's row cap" + (cap ? " of " + cap + " rows" : "") + ": the answer is incomplete" : ""));
      }
    } else {
      renderText(await response.text());
      setStatus("graph result (" + ms + " ms)");
    }
    state.last = request;
    state.lastName = request.name;
    $("csv").disabled = false;
  } catch (err) {
    setStatus(String(err), true);
  } finally {
    $("run").disabled = false;
  }
}

function clearTable() {
  $("results").querySelector("thead").innerHTML = "";
  $("results").querySelector("tbody").innerHTML = "";
  $("results").dataset.rows = "0";
}

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const a = document.createElement("a");
    a.href = localHref(term.value);
    a.textContent = shorten(term.value);
    a.title = term.value;
    td.appendChild(a);
  } else if (term.type === "bnode") {
    td.textContent = "_:" + term.value;
  } else {
    td.textContent = term.value;
    if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
    else if (term.datatype) td.title = shorten(term.datatype);
  }
  return td;
}

function renderTable(data) {
  clearTable();
  const vars = data.head.vars;
  const tr = document.createElement("tr");
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = v;
    tr.appendChild(th);
  }
  $("results").querySelector("thead").appendChild(tr);
  const body = $("results").querySelector("tbody");
  for (const b of data.results.bindings) {
    const row = document.createElement("tr");
    for (const v of vars) row.appendChild(cell(b[v]));
    body.appendChild(row);
  }
  $("results").dataset.rows = String(data.results.bindings.length);
}

function renderBoolean(value) {
  clearTable();
  const tr = document.createElement("tr");
  const td = document.createElement("td");
  td.textContent = String(value);
  tr.appendChild(td);
  $("results").querySelector("tbody").appendChild(tr);
  $("results").dataset.rows = "1";
}

function renderText(text) {
  clearTable();
  const tr = document.createElement("tr");
  const td = document.createElement("td");
  const pre = document.createElement("pre");
  pre.textContent = text;
  td.appendChild(pre);
  tr.appendChild(td);
  $("results").querySelector("tbody").appendChild(tr);
}

async function downloadCsv() {
  if (!state.last) return;
  const response = await send(state.last, "text/csv");
  if (!response.ok) {
    setStatus("CSV: HTTP " + response.status + ": " + (await readError(response)), true);
    return;
  }
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = state.lastName + ".csv";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 5000);
}

// --------------------------------------------------------------------------------- network picture

const NETWORK_QUERY = `PREFIX lat: <https://w3id.org/lattice/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?actor ?forum ?mechanism ?actorLabel ?forumLabel WHERE {
  { ?r a lat:AccountabilityRelation ; lat:accountableActor ?actor ; lat:forum ?forum .
    OPTIONAL { ?r lat:mechanism ?mechanism } }
  UNION
  { ?actor lat:accountableTo ?forum .
    FILTER NOT EXISTS { ?r2 lat:accountableActor ?actor ; lat:forum ?forum } }
  OPTIONAL { ?actor rdfs:label ?actorLabel }
  OPTIONAL { ?forum rdfs:label ?forumLabel }
}`;

const network = { edges: [], labels: {}, loaded: false };

async function loadNetwork() {
  const response = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json" },
    body: NETWORK_QUERY,
  });
  if (!response.ok) throw new Error("HTTP " + response.status + ": " + (await readError(response)));
  const data = await response.json();
  const seen = new Set();
  network.edges = [];
  for (const b of data.results.bindings) {
    const a = b.actor.value, f = b.forum.value, m = b.mechanism ? b.mechanism.value : "";
    if (b.actorLabel && !network.labels[a]) network.labels[a] = b.actorLabel.value;
    if (b.forumLabel && !network.labels[f]) network.labels[f] = b.forumLabel.value;
    const key = a + " " + f + " " + m;
    if (seen.has(key)) continue;
    seen.add(key);
    network.edges.push({ from: a, to: f, mechanism: m });
  }
  const counts = {};
  for (const e of network.edges) {
    counts[e.from] = (counts[e.from] || 0) + 1;
    counts[e.to] = (counts[e.to] || 0) + 1;
  }
  const list = $("actors");
  list.innerHTML = "";
  for (const iri of Object.keys(counts).sort()) {
    const option = document.createElement("option");
    option.value = shorten(iri);
    option.label = network.labels[iri] || "";
    list.appendChild(option);
  }
  network.loaded = true;
  const busiest = Object.keys(counts).sort((x, y) => counts[y] - counts[x])[0];
  if (busiest && !$("actor").value) $("actor").value = shorten(busiest);
}

// Columns by signed distance: negative = answers (directly or not) to the focus; positive = the focus answers to.
function layers(focus, depth) {
  const column = new Map([[focus, 0]]);
  let frontier = [focus];
  for (let d = 1; d <= depth && frontier.length; d++) {
    const next = [];
    for (const n of frontier) for (const e of network.edges) {
      if (e.from === n && !column.has(e.to)) { column.set(e.to, d); next.push(e.to); }
    }
    frontier = next;
  }
  frontier = [focus];
  for (let d = 1; d <= depth && frontier.length; d++) {
    const next = [];
    for (const n of frontier) for (const e of network.edges) {
      if (e.to === n && !column.has(e.from)) { column.set(e.from, -d); next.push(e.from); }
    }
    frontier = next;
  }
  return column;
}

function svgEl(name, attrs, text) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", name);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function drawNetwork(focus) {
  const host = $("network");
  host.innerHTML = "";
  const column = layers(focus, 3);
  const nodes = [...column.keys()];
  const edges = network.edges.filter((e) => column.has(e.from) && column.has(e.to) && e.from !== e.to);
  if (nodes.length === 1 && edges.length === 0) {
    $("network-status").textContent = "no accountability relations recorded for " + shorten(focus);
    return 0;
  }
  const cols = [...new Set(column.values())].sort((a, b) => a - b);
  const byCol = new Map(cols.map((c) => [c, nodes.filter((n) => column.get(n) === c).sort()]));
  const colWidth = 240, rowHeight = 56, margin = 110;
  const height = Math.max(...[...byCol.values()].map((v) => v.length)) * rowHeight + 60;
  const width = cols.length * colWidth + 2 * margin - colWidth + 40;
  const svg = svgEl("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "group",
    "aria-label": "accountability network of " + shorten(focus) });
  const defs = svgEl("defs");
  const marker = svgEl("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7",
    markerHeight: "7", orient: "auto-start-reverse" });
  marker.appendChild(svgEl("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#5b6475" }));
  defs.appendChild(marker);
  svg.appendChild(defs);
  const pos = new Map();
  cols.forEach((c, i) => {
    const members = byCol.get(c);
    const offset = (height - members.length * rowHeight) / 2 + rowHeight / 2;
    members.forEach((n, j) => pos.set(n, { x: margin + i * colWidth, y: offset + j * rowHeight }));
  });
  const used = new Set();
  for (const e of edges) {
    const a = pos.get(e.from), b = pos.get(e.to);
    const mech = e.mechanism ? shorten(e.mechanism).replace(/^lat:/, "") : "";
    used.add(mech);
    const colour = MECHANISM_COLOURS[mech] || "#5b6475";
    const dx = b.x - a.x, dy = b.y - a.y, len = Math.max(1, Math.hypot(dx, dy));
    const r = 14;
    const line = svgEl("line", { x1: a.x + dx / len * r, y1: a.y + dy / len * r, x2: b.x - dx / len * (r + 2),
      y2: b.y - dy / len * (r + 2), stroke: colour, "stroke-width": 2, "marker-end": "url(#arrow)", class: "edge" });
    line.appendChild(svgEl("title", {}, `${shorten(e.from)} is accountable to ${shorten(e.to)}${mech ? " (" + mech + ")" : ""}`));
    svg.appendChild(line);
    if (mech) svg.appendChild(svgEl("text", { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 4, "text-anchor": "middle",
      class: "edge-label" }, mech.replace(/Accountability$/, "")));
  }
  for (const n of nodes) {
    const p = pos.get(n);
    const g = svgEl("g", { class: "node" + (n === focus ? " focus" : ""), transform: `translate(${p.x},${p.y})` });
    const link = svgEl("a", { href: localHref(n) });
    link.appendChild(svgEl("circle", { r: 12, fill: n === focus ? "#f4d35e" : column.get(n) > 0 ? "#9ecae1" : "#c7e9c0" }));
    link.appendChild(svgEl("text", { y: 26, "text-anchor": "middle" }, network.labels[n] || shorten(n)));
    link.appendChild(svgEl("title", {}, n));
    g.appendChild(link);
    svg.appendChild(g);
  }
  host.appendChild(svg);
  const legend = $("legend");
  legend.innerHTML = "";
  for (const m of [...used].filter(Boolean).sort()) {
    const span = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = MECHANISM_COLOURS[m] || "#5b6475";
    span.appendChild(swatch);
    span.appendChild(document.createTextNode(m));
    legend.appendChild(span);
  }
  $("network-status").textContent = nodes.length + " actors, " + edges.length + " relations";
  host.dataset.nodes = String(nodes.length);
  return nodes.length;
}

async function draw() {
  try {
    if (!network.loaded) await loadNetwork();
    const value = $("actor").value;
    if (!value) {
      $("network-status").textContent = "the graph records no accountability relations yet";
      return;
    }
    drawNetwork(expand(value));
  } catch (err) {
    $("network-status").textContent = String(err);
  }
}

// -------------------------------------------------------------------------------------------- start

document.addEventListener("DOMContentLoaded", () => {
  $("named-query").addEventListener("change", (e) => selectQuery(e.target.value));
  $("run").addEventListener("click", runQuery);
  $("csv").addEventListener("click", downloadCsv);
  $("draw").addEventListener("click", draw);
  $("editor").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); runQuery(); }
  });
  loadPrefixes().catch((err) => setStatus(String(err), true)).finally(() => {
    loadQueries().catch((err) => setStatus(String(err), true));
    loadNetwork().then(() => draw()).catch((err) => { $("network-status").textContent = String(err); });
  });
});
