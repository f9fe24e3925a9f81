// The lineage map (scanner/lineage/html.py inlines this file). Every string from a scanned
// repository reaches the page as JSON parsed from the page's application/json data block and
// is shown through textContent or as a canvas label: never as markup.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("nhi-data").textContent);
  const $ = (id) => document.getElementById(id);
  const LIMIT = 1500, READABLE = 0.78, GONE = ["departed", "unknown", "suspended"];
  const FILTERS = ["person", "repo", "status", "reach", "env", "leaving", "id", "view"];
  const byKey = new Map(), near = new Map();
  for (const n of data.nodes) { byKey.set(n.key, n); near.set(n.key, []); }
  for (const e of data.edges) {
    near.get(e.from).push({key: e.to, relation: e.relation, evidence: e.evidence, out: true});
    near.get(e.to).push({key: e.from, relation: e.relation, evidence: e.evidence, out: false});
  }
  const isIdentity = (n) => n.kind !== undefined;
  const identities = data.nodes.filter(isIdentity);
  const people = data.nodes.filter((n) => n.layer === 0);
  const personState = (n) => n.state || "";
  const leaving = (n) => n.verdict === "leaving"
    || n.people.some((p) => (byKey.get(p) || {}).state === "leaving");
  const api = window.nhiMap = {data, byKey, near};
  let cy = null, firstRender = null;
  api.ready = new Promise((ok) => { firstRender = ok; });

  function option(select, value, label) {
    const o = document.createElement("option");
    o.value = value; o.textContent = label; select.appendChild(o);
  }
  for (const p of people) option($("person"), p.key.slice(2), p.label);
  for (const r of data.repositories) option($("repo"), r, r);
  for (const s of data.services) option($("reach"), s, s === "admin" ? "admin (* on *)" : s);
  for (const e of data.environments) option($("env"), e, e);

  function filters() {
    const f = {};
    for (const k of FILTERS) f[k] = "";
    const hash = location.hash.slice(1);
    if (!hash) return Object.assign(f, data.initial || {});
    const h = new URLSearchParams(hash);
    for (const k of FILTERS) f[k] = h.get(k) || "";
    return f;
  }
  const filtering = (f) => ["person", "repo", "status", "reach", "env", "leaving"]
    .some((k) => f[k]);
  api.filters = filters;

  function matches(n, f) {
    const person = f.person ? "p:" + f.person.toLowerCase() : "";
    return (!f.repo || n.repo === f.repo) && (!f.status || n.status === f.status)
      && (!f.reach || (n.reach || []).includes(f.reach))
      && (!f.env || (n.env || []).includes(f.env)) && (!f.leaving || leaving(n))
      && (!person || n.people.some((p) => p.toLowerCase() === person));
  }

  // What a filter shows: the matching identities, two hops of what they link to (in the same
  // repository when one is chosen), and their people.
  function around(seeds, f) {
    const seen = new Set(seeds);
    let frontier = [...seeds];
    for (let depth = 0; depth < 2; depth++) {
      const next = [];
      for (const key of frontier) for (const link of near.get(key)) {
        const n = byKey.get(link.key);
        if (n.layer > 0 && !seen.has(link.key) && (!f.repo || !n.repo || n.repo === f.repo)) {
          seen.add(link.key); next.push(link.key);
        }
      }
      frontier = next;
    }
    const person = f.person ? "p:" + f.person.toLowerCase() : "";
    for (const key of [...seen]) for (const link of near.get(key)) {
      if (link.key.startsWith("p:") && (!person || link.key.toLowerCase() === person)) {
        seen.add(link.key);
      }
    }
    return seen;
  }

  function label(n) {
    if (n.layer === 0) {
      const count = near.get(n.key).length;
      return n.label + "\n" + count + (count === 1 ? " identity" : " identities");
    }
    const mark = n.status === "orphan" ? "\u26a0 " : "";
    return mark + n.label + "\n" + (n.repo || "elsewhere");
  }

  function classes(n) {
    const c = [n.layer === 0 ? "person" : ["", "identity", "store", "consumer"][n.layer]];
    if (n.status === "orphan") c.push("orphan");
    if (n.admin) c.push("admin");
    if (GONE.includes(personState(n))) c.push("gone");
    if (personState(n) === "leaving") c.push("leaving");
    return c.join(" ");
  }

  api.graph = function (keys) {
    // Columns: people | identities | stores | consumers, one block per repository, each
    // person beside the middle of what they are linked to.
    const STEP = 320, ROW = 54, shown = [...keys].map((k) => byKey.get(k));
    const repos = [...new Set(shown.filter((n) => n.layer > 0).map((n) => n.repo))].sort();
    const y = new Map(), elements = [];
    let top = 0;
    for (const repo of repos) {
      const rows = [0, 0, 0, 0], parent = "group:" + repo;
      const mine = shown.filter((n) => n.layer > 0 && n.repo === repo);
      elements.push({group: "nodes", data: {id: parent, text: repo || "elsewhere"},
                     classes: "group"});
      // Left to right, each box beside the middle of what it links to further left (one
      // sweep of the barycentre heuristic: fewer crossings, in linear time).
      const middle = (n) => {
        const ys = near.get(n.key).filter((l) => y.has(l.key)).map((l) => y.get(l.key));
        return ys.length ? ys.reduce((a, b) => a + b) / ys.length : Infinity;
      };
      const placed = [1, 2, 3].flatMap((layer) => {
        const column = mine.filter((n) => n.layer === layer).map((n) => [middle(n), n]);
        column.sort((a, b) => a[0] - b[0]);
        return column.map(([, n]) => { y.set(n.key, top + rows[layer]++ * ROW); return n; });
      });
      for (const n of placed) {
        const at = y.get(n.key);
        y.set(n.key, at);
        elements.push({group: "nodes", data: {id: n.key, text: label(n), parent},
                       position: {x: n.layer * STEP, y: at}, classes: classes(n)});
      }
      top += Math.max(...rows) * ROW + 70;
    }
    const folks = shown.filter((n) => n.layer === 0).map((n) => {
      const ys = near.get(n.key).filter((l) => y.has(l.key)).map((l) => y.get(l.key));
      return [ys.length ? ys.reduce((a, b) => a + b) / ys.length : 0, n];
    }).sort((a, b) => a[0] - b[0]);
    let last = -Infinity;
    for (const [want, n] of folks) {
      last = Math.max(want, last + ROW);
      elements.push({group: "nodes", data: {id: n.key, text: label(n)},
                     position: {x: 0, y: last}, classes: classes(n)});
    }
    for (const [i, e] of data.edges.entries()) {
      if (keys.has(e.from) && keys.has(e.to)) {
        elements.push({group: "edges", data: {id: "e" + i, source: e.from, target: e.to,
                                              relation: e.relation}});
      }
    }
    return elements;
  };

  function draw(elements, message) {
    $("notice").textContent = message || "";
    cy.elements().remove();
    cy.add(elements);
    cy.fit(undefined, 30);
    // Too big to read when fitted: readable labels instead, from the top left (the columns
    // fit the width at this zoom; scroll down for more).
    if (cy.zoom() < READABLE) {
      const box = cy.elements().boundingBox();
      cy.zoom(READABLE);
      cy.pan({x: 16 - box.x1 * READABLE, y: 16 - box.y1 * READABLE});
    }
  }

  function render() {
    const f = filters();
    for (const k of ["person", "repo", "status", "reach", "env"]) $(k).value = f[k];
    $("leaving").checked = !!f.leaving;
    document.body.dataset.view = f.view === "person" && f.person ? "person"
      : f.id ? "identity" : filtering(f) ? "graph" : "overview";
    document.body.dataset.filtered = filtering(f) ? "yes" : "no";
    document.body.dataset.drawn = location.hash;  // which fragment is drawn (tests wait on it)
    if (document.body.dataset.view === "person") {
      window.nhiPerson.render(f.person);
      firstRender({ms: performance.now()});
      return;
    }
    if (!cy) start();
    let keys, message = "";
    if (f.id && byKey.has(f.id)) {
      keys = around([f.id], {});
    } else if (filtering(f)) {
      const seeds = identities.filter((n) => matches(n, f)).map((n) => n.key);
      keys = around(seeds, f);
      if (f.person && byKey.has("p:" + f.person)) keys.add("p:" + f.person);
    }
    if (keys) {
      if (keys.size > LIMIT) {
        message = "Showing the first " + LIMIT + " of " + keys.size
          + " boxes: narrow the view with a filter or the search box.";
        keys = new Set([...keys].slice(0, LIMIT));
      }
      draw(api.graph(keys), message);
    } else {
      draw(window.nhiOverview(api), "");
    }
    const count = identities.filter((n) => cy.getElementById(n.key).nonempty()).length;
    $("count").textContent = document.body.dataset.view === "overview"
      ? identities.length + " identities in " + data.repositories.length + " repositories, "
        + identities.filter((n) => n.status === "orphan").length + " orphaned"
      : count + " of " + identities.length + " identities shown";
    if (f.id && byKey.has(f.id)) select(f.id);
    else $("details").replaceChildren(hint());
  }

  function hint() {
    const p = document.createElement("p");
    p.textContent = document.body.dataset.view === "overview"
      ? "Click a person or a repository to open it; search for any identity."
      : "Click a box to see its links and bring in its neighbours.";
    return p;
  }

  api.shown = () => cy ? cy.nodes().not(".group").map((n) => n.id()) : [];
  api.select = select;
  function select(key) {
    const n = byKey.get(key);
    if (!n) return;
    const missing = near.get(key).filter((l) => cy.getElementById(l.key).empty());
    if (missing.length) {  // expand: bring in the neighbourhood, keep what is shown
      const keys = new Set([...api.shown().filter((k) => byKey.has(k)), key,
                            ...missing.map((l) => l.key)]);
      draw(api.graph(keys), $("notice").textContent);
    }
    cy.elements().removeClass("lit faded");
    const node = cy.getElementById(key);
    const hood = node.closedNeighborhood();
    cy.elements().not(hood).not(".group").addClass("faded");
    hood.addClass("lit");
    window.nhiDetails(api, n, (k) => { location.hash = "id=" + encodeURIComponent(k); });
  }

  function start() {
    cy = api.cy = cytoscape({
      container: $("graph"), style: window.nhiStyle, layout: {name: "preset"},
      minZoom: 0.05, maxZoom: 3, boxSelectionEnabled: false,
      textureOnViewport: true, hideEdgesOnViewport: true,
    });
    cy.one("render", () => requestAnimationFrame(() => firstRender({ms: performance.now()})));
    cy.on("tap", "node", (event) => {
      const el = event.target;
      if (el.hasClass("group")) return;
      const target = el.data("target");
      if (target) location.hash = target;
      else select(el.id());
    });
    cy.on("tap", (event) => {
      if (event.target === cy) cy.elements().removeClass("lit faded");
    });
  }

  function update() {
    const h = new URLSearchParams();
    for (const k of ["person", "repo", "status", "reach", "env"]) if ($(k).value) h.set(k, $(k).value);
    if ($("leaving").checked) h.set("leaving", "1");
    location.hash = h.toString() || "all";
  }
  for (const k of ["person", "repo", "status", "reach", "env", "leaving"]) {
    $(k).addEventListener("change", update);
  }
  $("overview").addEventListener("click", () => { location.hash = "all"; });
  window.nhiSearch(api, $("search"), $("results"), (hash) => { location.hash = hash; });
  window.addEventListener("hashchange", render);
  render();
})();
