"""The lineage map: one standalone HTML file (CSS and script inline, no network at all).

People, identities, where credentials are stored, and what consumes them, as four layers of
an SVG graph, filterable by person, repository and status. Filters live in the URL fragment
(`map.html#person=alice@acme.example&status=orphan`), so a link (or a headless browser)
opens a filtered view. The data is embedded as JSON with `<` escaped, so nothing from a
scanned repository can close the script element or inject markup; labels are set as text.
"""

from __future__ import annotations

import html
import json

from scanner.model import JSON

_STYLE = """
body{font:13px system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}
header{position:sticky;top:0;background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:8px 12px;
  display:flex;gap:12px;align-items:center;flex-wrap:wrap;z-index:1}
header h1{font-size:15px;margin:0 12px 0 0}
select{font:inherit;max-width:260px}
#count{color:#59636e}
.columns{display:flex;padding:6px 12px 0 12px;font-weight:600;color:#59636e}
.columns div{width:320px}
main{display:flex}
svg{flex:none}
aside{padding:12px;max-width:420px;white-space:pre-wrap;word-break:break-word}
.node rect{fill:#fff;stroke:#8c959f;rx:4}
.node.layer-0 rect{fill:#ddf4ff;stroke:#0969da}
.node.layer-2 rect{fill:#fff8c5;stroke:#9a6700}
.node.layer-3 rect{fill:#f6f8fa}
.node.orphan rect{stroke:#cf222e;stroke-width:2;fill:#ffebe9}
.node.gone rect{stroke:#cf222e;stroke-dasharray:4 2;fill:#f6f8fa}
.node.admin text{font-weight:700}
.node{cursor:pointer}
.node text{font-size:12px;dominant-baseline:middle}
.edge{fill:none;stroke:#6e7781;stroke-opacity:.6}
.edge.lit{stroke:#0969da;stroke-opacity:1;stroke-width:2}
.node.lit rect{stroke:#0969da;stroke-width:2}
.legend span{margin-right:10px}
"""

_SCRIPT = r"""
(function () {
  const data = JSON.parse(document.getElementById("nhi-data").textContent);
  const byKey = new Map(data.nodes.map((n) => [n.key, n]));
  const near = new Map(data.nodes.map((n) => [n.key, []]));
  for (const e of data.edges) { near.get(e.from).push(e.to); near.get(e.to).push(e.from); }
  const NS = "http://www.w3.org/2000/svg", W = 300, GAP = 320, H = 22, STEP = 26;
  const $ = (id) => document.getElementById(id);
  function option(select, value, label) {
    const o = document.createElement("option"); o.value = value; o.textContent = label;
    select.appendChild(o);
  }
  const people = data.nodes.filter((n) => n.layer === 0);
  for (const p of people) option($("person"), p.key.slice(2), p.label);
  for (const r of data.repositories) option($("repo"), r, r);
  function filters() {
    const none = {person: "", repo: "", status: ""};
    if (!location.hash) return Object.assign(none, data.initial || {});
    const h = new URLSearchParams(location.hash.slice(1));
    for (const k of Object.keys(none)) none[k] = h.get(k) || "";
    return none;
  }
  function visible(f) {
    if (!f.person && !f.repo && !f.status) return new Set(byKey.keys());
    const person = f.person ? "p:" + f.person.toLowerCase() : "";
    const seen = new Set(data.nodes.filter((n) => n.layer > 0 && (!f.repo || n.repo === f.repo)
      && (!f.status || n.status === f.status) && (!person || n.people.includes(person)))
      .map((n) => n.key));
    let frontier = [...seen];
    for (let depth = 0; depth < 2; depth++) {
      const next = [];
      for (const key of frontier) for (const other of near.get(key)) {
        const n = byKey.get(other);
        if (n.layer > 0 && !seen.has(other) && (!f.repo || !n.repo || n.repo === f.repo)) {
          seen.add(other); next.push(other);
        }
      }
      frontier = next;
    }
    for (const key of [...seen]) for (const other of near.get(key)) {
      if (other.startsWith("p:") && (!person || other === person)) seen.add(other);
    }
    return seen;
  }
  function render() {
    const f = filters();
    $("person").value = f.person; $("repo").value = f.repo; $("status").value = f.status;
    const shown = visible(f), rows = [0, 0, 0, 0], at = new Map();
    const svg = $("map");
    svg.replaceChildren();
    const edges = document.createElementNS(NS, "g"), nodes = document.createElementNS(NS, "g");
    svg.append(edges, nodes);
    for (const n of data.nodes) {
      if (!shown.has(n.key)) continue;
      const x = 10 + n.layer * GAP, y = 10 + rows[n.layer]++ * STEP;
      at.set(n.key, [x, y]);
      const g = document.createElementNS(NS, "g");
      const gone = ["departed", "unknown", "suspended", "leaving"].includes(n.state);
      g.setAttribute("class", "node layer-" + n.layer + (n.status === "orphan" ? " orphan" : "")
        + (gone ? " gone" : "") + (n.admin ? " admin" : ""));
      g.setAttribute("data-key", n.key);
      g.setAttribute("transform", "translate(" + x + "," + y + ")");
      const rect = document.createElementNS(NS, "rect");
      rect.setAttribute("width", W); rect.setAttribute("height", H);
      const text = document.createElementNS(NS, "text");
      text.setAttribute("x", 6); text.setAttribute("y", H / 2 + 1);
      const label = (n.status === "orphan" ? "\u26a0 " : "") + n.label;
      text.textContent = label.length > 44 ? label.slice(0, 43) + "\u2026" : label;
      const title = document.createElementNS(NS, "title");
      title.textContent = [n.label, n.repo, n.detail].filter(Boolean).join("\n");
      g.append(rect, text, title);
      g.addEventListener("click", () => select(n.key));
      nodes.appendChild(g);
    }
    for (const e of data.edges) {
      let a = at.get(e.from), b = at.get(e.to);
      if (!a || !b) continue;
      if (a[0] > b[0]) [a, b] = [b, a];  // always drawn left to right
      const p = document.createElementNS(NS, "path");
      const x1 = a[0] + W, y1 = a[1] + H / 2, y2 = b[1] + H / 2;
      const x2 = a[0] === b[0] ? x1 : b[0];
      const mid = a[0] === b[0] ? x1 + 30 : (x1 + x2) / 2;
      const d = `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
      p.setAttribute("d", d); p.setAttribute("class", "edge");
      p.setAttribute("data-from", e.from); p.setAttribute("data-to", e.to);
      const t = document.createElementNS(NS, "title");
      t.textContent = e.relation + (e.evidence ? ": " + e.evidence : "");
      p.appendChild(t);
      edges.appendChild(p);
    }
    svg.setAttribute("width", 10 + 4 * GAP);
    svg.setAttribute("height", 20 + Math.max(1, ...rows) * STEP);
    const identities = data.nodes.filter((n) => n.layer > 0 && n.repo);
    const count = identities.filter((n) => shown.has(n.key)).length;
    $("count").textContent = count + " of " + identities.length + " shown";
    document.body.setAttribute("data-filtered", f.person || f.repo || f.status ? "yes" : "no");
  }
  function select(key) {
    const n = byKey.get(key);
    for (const el of document.querySelectorAll(".lit")) el.classList.remove("lit");
    for (const el of document.querySelectorAll(".edge")) {
      if (el.dataset.from === key || el.dataset.to === key) el.classList.add("lit");
    }
    const g = document.querySelector(`.node[data-key="${CSS.escape(key)}"]`);
    if (g) g.classList.add("lit");
    const links = data.edges.filter((e) => e.from === key || e.to === key).map((e) =>
      (e.from === key ? e.relation + " \u2192 " + byKey.get(e.to).label
                      : byKey.get(e.from).label + " \u2192 " + e.relation));
    $("details").textContent = [n.label, n.repo, n.detail, "", ...links].join("\n");
  }
  function update() {
    const h = new URLSearchParams();
    for (const k of ["person", "repo", "status"]) if ($(k).value) h.set(k, $(k).value);
    location.hash = h.toString() || "all";
  }
  for (const k of ["person", "repo", "status"]) $(k).addEventListener("change", update);
  window.addEventListener("hashchange", render);
  render();
})();
"""


def render(data: dict[str, JSON], title: str = "nhi lineage map") -> str:
    """The whole page; `data` is `lineage.view.map_data(...)`."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{html.escape(title)}</title><style>{_STYLE}</style></head>
<body>
<header><h1>{html.escape(title)}</h1>
<label>person <select id="person"><option value="">everyone</option></select></label>
<label>repository <select id="repo"><option value="">all</option></select></label>
<label>status <select id="status"><option value="">all</option>
<option value="orphan">orphans (no owner)</option>
<option value="owned">owned</option></select></label>
<span id="count"></span>
<span class="legend"><span>\u26a0 red: orphaned (no owner, or its people have left)</span>
<span><b>bold</b>: admin</span>
<span>dashed: a person who has left or is not in the roster</span></span>
</header>
<div class="columns"><div>people</div><div>identities and grants</div>
<div>where credentials are stored</div><div>consumers</div></div>
<main><svg id="map" xmlns="http://www.w3.org/2000/svg"></svg>
<aside id="details">Click a box to see its links.</aside></main>
<script type="application/json" id="nhi-data">{payload}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
