// The lineage map's parts (inlined before map.js): the graph's style, the overview, the
// details panel and the search box. Text from repositories is only ever set as textContent.
(function () {
  "use strict";
  const RED = "#cf222e", BLUE = "#0969da", ORANGE = "#bc4c00";
  window.nhiStyle = [
    {selector: "node", style: {
      shape: "round-rectangle", width: 280, height: 40, label: "data(text)",
      "text-wrap": "ellipsis", "text-max-width": 270, "font-size": 12, "text-valign": "center",
      "text-halign": "center", "background-color": "#ffffff", "border-width": 1,
      "border-color": "#8c959f", color: "#1f2328", "min-zoomed-font-size": 7}},
    {selector: "node[text]", style: {"text-wrap": "wrap"}},
    {selector: ".person", style: {"background-color": "#ddf4ff", "border-color": BLUE}},
    {selector: ".store", style: {"background-color": "#fff8c5", "border-color": "#9a6700"}},
    {selector: ".consumer", style: {"background-color": "#f6f8fa"}},
    {selector: ".orphan", style: {"background-color": "#ffebe9", "border-color": RED,
                                  "border-width": 2}},
    {selector: ".admin", style: {"font-weight": "bold"}},
    {selector: ".gone", style: {"background-color": "#eaeef2", "border-color": RED,
                                "border-width": 2, "border-style": "dashed", color: "#a40e26"}},
    {selector: ".leaving", style: {"background-color": "#fff1e5", "border-color": ORANGE,
                                   "border-width": 2, "border-style": "dotted"}},
    {selector: ".group", style: {
      shape: "round-rectangle", "background-color": "#f6f8fa", "background-opacity": 0.6,
      "border-color": "#d0d7de", "border-width": 1, label: "data(text)", "font-size": 13,
      "font-weight": "bold", "text-valign": "top", "text-halign": "center", padding: 14,
      color: "#59636e"}},
    {selector: ".summary", style: {height: 50, "font-size": 14, "text-max-width": 270}},
    {selector: ".more", style: {"border-style": "dashed", color: "#59636e"}},
    {selector: "edge", style: {
      width: 1.2, "line-color": "#8c959f", "curve-style": "bezier", opacity: 0.7,
      "target-arrow-shape": "triangle", "target-arrow-color": "#8c959f", "arrow-scale": 0.7}},
    {selector: "edge[weight]", style: {width: "data(weight)", label: "data(count)",
                                        "source-endpoint": "50% 0%", "target-endpoint": "-50% 0%",
                                        "font-size": 10, "text-background-color": "#fff",
                                        "text-background-opacity": 1, color: "#59636e"}},
    {selector: "edge.lit", style: {"line-color": BLUE, "target-arrow-color": BLUE, width: 2.5,
                                   opacity: 1, "z-index": 10}},
    {selector: "node.lit", style: {"border-color": BLUE, "border-width": 3}},
    {selector: ".faded", style: {opacity: 0.25}},
  ];

  const concern = (p) => ({departed: 0, unknown: 1, suspended: 2, leaving: 3}[p.state] ?? 4);

  // The opening view: people and repositories as two groups, each box with its counts and
  // orphans in red, the people who are gone first. At most 23 of each (two columns of 12
  // boxes, so the labels stay readable on one screen), the rest summed up in the last box.
  window.nhiOverview = function (api) {
    const {data, byKey, near} = api, MAX = 23, ROW = 62, elements = [];
    const repos = new Map(data.repositories.map((r) => [r, {n: 0, orphans: 0, admin: 0}]));
    const pairs = new Map();
    for (const n of data.nodes) {
      if (n.kind === undefined) continue;
      const r = repos.get(n.repo) || repos.set(n.repo, {n: 0, orphans: 0, admin: 0}).get(n.repo);
      r.n++; r.orphans += n.status === "orphan"; r.admin += !!n.admin;
      for (const p of n.people) {
        const key = p + "\u0000" + n.repo;
        pairs.set(key, (pairs.get(key) || 0) + 1);
      }
    }
    const folks = data.nodes.filter((n) => n.layer === 0).map((p) => {
      const mine = near.get(p.key).map((l) => byKey.get(l.key)).filter((n) => n.kind !== undefined);
      return {p, n: mine.length, orphans: mine.filter((n) => n.status === "orphan").length};
    }).sort((a, b) => concern(a.p) - concern(b.p) || b.n - a.n || (a.p.key < b.p.key ? -1 : 1));
    const ranked = [...repos.entries()].sort((a, b) => b[1].orphans - a[1].orphans
      || b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1));
    const column = (x, i) => ({x: x + Math.floor(i / 12) * 300, y: (i % 12) * ROW});
    const plural = (n, word) => n + " " + word + (n === 1 ? "" : "s");
    elements.push({group: "nodes", data: {id: "group:people",
                                          text: "People (" + folks.length + ")"}, classes: "group"});
    const cols = Math.ceil(Math.min(folks.length, MAX) / 12) || 1;
    const right = cols * 300 + 260;
    elements.push({group: "nodes", data: {id: "group:repos",
                                          text: "Repositories (" + repos.size + ")"}, classes: "group"});
    folks.slice(0, MAX).forEach(({p, n, orphans}, i) => {
      const state = p.state && p.state !== "active" ? p.state.toUpperCase() + " \u00b7 " : "";
      const cls = ["person", "summary"];
      if (["departed", "unknown", "suspended"].includes(p.state)) cls.push("gone");
      if (p.state === "leaving") cls.push("leaving");
      elements.push({group: "nodes", position: column(0, i), classes: cls.join(" "),
        data: {id: p.key, parent: "group:people", target: "person=" + encodeURIComponent(p.key.slice(2)),
               text: p.key.slice(2) + "\n" + state + plural(n, "identity").replace("identitys", "identities")
                 + (orphans ? " \u00b7 \u26a0 " + orphans + " orphaned" : "")}});
    });
    ranked.slice(0, MAX).forEach(([repo, r], i) => {
      elements.push({group: "nodes", position: column(right, i),
        classes: "identity summary" + (r.orphans ? " orphan" : ""),
        data: {id: "repo:" + repo, parent: "group:repos", target: "repo=" + encodeURIComponent(repo),
               text: (r.orphans ? "\u26a0 " : "") + repo + "\n" + plural(r.n, "identity")
                 .replace("identitys", "identities") + (r.orphans ? " \u00b7 " + r.orphans + " orphaned" : "")
                 + (r.admin ? " \u00b7 " + r.admin + " admin" : "")}});
    });
    const more = (id, x, count, what) => elements.push({group: "nodes", classes: "more summary",
      position: column(x, MAX), data: {id, parent: id.startsWith("more:p") ? "group:people" : "group:repos",
                                       text: "+ " + count + " more " + what + "\n(use the search box or a filter)"}});
    if (folks.length > MAX) more("more:people", 0, folks.length - MAX, "people");
    if (ranked.length > MAX) more("more:repos", right, ranked.length - MAX, "repositories");
    const shownPeople = new Set(folks.slice(0, MAX).map((f) => f.p.key));
    const shownRepos = new Set(ranked.slice(0, MAX).map((r) => r[0]));
    let i = 0;
    for (const [key, count] of [...pairs.entries()].sort()) {
      const [p, repo] = key.split("\u0000");
      if (!shownPeople.has(p) || !shownRepos.has(repo)) continue;
      elements.push({group: "edges", data: {id: "o" + i++, source: p, target: "repo:" + repo,
                                            count: String(count), weight: 1 + Math.log2(count)}});
    }
    return elements;
  };

  // The panel beside the graph: what the clicked box is, and every link it has.
  window.nhiDetails = function (api, n, go) {
    const {byKey, near} = api, panel = document.getElementById("details");
    const el = (tag, text, cls) => {
      const e = document.createElement(tag);
      if (text !== undefined) e.textContent = text;
      if (cls) e.className = cls;
      return e;
    };
    const parts = [el("h2", n.layer === 0 ? n.key.slice(2) : n.label),
                   el("div", n.layer === 0 ? (n.state || "no roster state") : (n.repo || "elsewhere"), "repo")];
    const tags = el("div");
    if (n.status === "orphan") tags.append(el("span", "orphaned", "tag bad"));
    if (n.admin) tags.append(el("span", "admin", "tag bad"));
    for (const r of n.reach || []) if (r !== "admin") tags.append(el("span", r, "tag"));
    for (const e of n.env || []) tags.append(el("span", "env " + e, "tag"));
    if (["departed", "unknown", "suspended"].includes(n.state)) tags.append(el("span", n.state, "tag bad"));
    if (n.state === "leaving") tags.append(el("span", "leaving" + (n.days_left != null ? " in " + n.days_left + " days" : ""), "tag warn"));
    parts.push(tags);
    if (n.detail) parts.push(el("div", n.detail, "detail"));
    if (n.layer === 0) {
      const b = el("button", "Offboarding checklist and access review \u2192");
      b.addEventListener("click", () => { location.hash = "view=person&person=" + encodeURIComponent(n.key.slice(2)); });
      parts.push(el("p"), b);
    }
    const links = near.get(n.key);
    parts.push(el("h3", links.length + (links.length === 1 ? " link" : " links")));
    const list = el("ul");
    list.id = "links";
    for (const l of links) {
      const other = byKey.get(l.key), item = el("li");
      const name = other.layer === 0 ? other.key.slice(2) : other.label + " \u00b7 " + (other.repo || "elsewhere");
      const button = el("button", name, "link");
      button.dataset.key = l.key;
      button.addEventListener("click", () => go(l.key));
      item.append(el("span", l.out ? l.relation + " \u2192 " : "\u2190 " + l.relation + " "), button);
      if (l.evidence) item.title = l.evidence;
      list.append(item);
    }
    parts.push(list);
    panel.replaceChildren(...parts);
  };

  // Search every person and identity by name, id, kind or repository; Enter opens the first.
  window.nhiSearch = function (api, input, results, go) {
    const index = api.data.nodes.map((n) => [n, (n.key + " " + n.label + " " + n.repo).toLowerCase()]);
    let found = [];
    const open = (n) => {
      results.replaceChildren();
      go(n.layer === 0 ? "person=" + encodeURIComponent(n.key.slice(2)) : "id=" + encodeURIComponent(n.key));
    };
    api.search = (query) => {
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      found = words.length ? index.filter(([, text]) => words.every((w) => text.includes(w)))
        .slice(0, 30).map(([n]) => n) : [];
      results.replaceChildren(...found.map((n) => {
        const li = document.createElement("li"), b = document.createElement("button");
        b.textContent = n.layer === 0 ? "person: " + n.key.slice(2) : n.label + " \u00b7 " + (n.repo || "elsewhere");
        b.dataset.key = n.key;
        b.addEventListener("click", () => open(n));
        li.append(b);
        return li;
      }));
      return found.map((n) => n.key);
    };
    input.addEventListener("input", () => api.search(input.value));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && found.length) open(found[0]);
      if (event.key === "Escape") results.replaceChildren();
    });
  };
})();
