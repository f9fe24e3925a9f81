// A person's page (`#view=person&person=<email>`): an offboarding checklist and access review
// from the map's own data. Printable: the print stylesheet shows only this page.
(function () {
  "use strict";
  const ROLES = ["provisioned", "owns", "installed"];
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };
  const name = (n) => n.layer === 0 ? n.key.slice(2) : n.label + " (" + (n.repo || "elsewhere") + ")";

  function entries(api, key) {
    const {byKey, near} = api, rows = new Map();
    for (const l of near.get(key) || []) {
      const n = byKey.get(l.key);
      if (!ROLES.includes(l.relation) || n.kind === undefined) continue;
      const row = rows.get(n.key) || rows.set(n.key, {n, roles: []}).get(n.key);
      if (!row.roles.includes(l.relation)) row.roles.push(l.relation);
    }
    for (const row of rows.values()) {
      const links = near.get(row.n.key);
      const stores = links.filter((l) => l.out && l.relation === "stored_as").map((l) => byKey.get(l.key));
      const users = new Set();
      for (const at of [row.n, ...stores]) for (const l of near.get(at.key)) {
        const used = (l.out && l.relation === "used by") || (!l.out && ["consumes", "assumes"].includes(l.relation));
        if (used) users.add(name(byKey.get(l.key)));
      }
      const others = row.n.people.filter((p) => p !== key).map((p) => byKey.get(p))
        .filter((p) => p && !["departed", "unknown", "suspended"].includes(p.state));
      row.stored = stores.map(name);
      if (row.n.layer === 2) row.stored.unshift("is itself a stored secret (" + row.n.kind + ")");
      row.users = [...users];
      row.decides = (row.n.decides && row.n.decides.length) ? row.n.decides.join(", ") + (row.n.why ? " (" + row.n.why + ")" : "")
        : others.length ? others.map((p) => p.key.slice(2)).join(", ") + " (co-owner)" : "nobody named: assign an owner";
    }
    return [...rows.values()].sort((a, b) => (a.n.repo + a.n.label < b.n.repo + b.n.label ? -1 : 1));
  }

  window.nhiPerson = {entries, render(person) {
    const api = window.nhiMap, key = "p:" + person, page = document.getElementById("person-page");
    const p = api.byKey.get(key) || api.byKey.get(key.toLowerCase());
    const rows = p ? entries(api, p.key) : [];
    const state = !p ? "not in this map" : !p.state ? "no roster state given"
      : p.state === "departed" ? "DEPARTED" + (p.left_on ? " on " + p.left_on : "")
      : p.state === "leaving" ? "LEAVING" + (p.left_on ? " on " + p.left_on : "") + (p.days_left != null ? " (in " + p.days_left + " days)" : "")
      : p.state.toUpperCase();
    const repos = new Set(rows.map((r) => r.n.repo));
    const orphans = rows.filter((r) => r.n.status === "orphan").length;
    const admin = rows.filter((r) => r.n.admin).length;
    const nav = el("p", undefined, "noprint");
    const back = el("button", "\u2190 Back to the map"), print = el("button", "Print");
    back.addEventListener("click", () => { location.hash = "person=" + encodeURIComponent(person); });
    print.addEventListener("click", () => window.print());
    nav.append(back, " ", print);
    const steps = el("ol");
    for (const s of ["Revoke or rotate every credential below that the person could have copied (keys, tokens, secrets they provisioned).",
                     "Hand each identity to the person who decides now; write the new owner into the repository (tags, CODEOWNERS).",
                     "Delete what nobody needs any more, with every store and consumer listed beside it.",
                     "Re-run nhi aggregate: this person must own nothing afterwards."]) steps.append(el("li", s));
    const table = el("table"), head = el("tr");
    for (const h of ["\u2610", "Repository", "Identity", "Their role", "Reach", "Stored in", "Consumed by", "Decides now", "Status"]) head.append(el("th", h));
    table.append(head);
    for (const r of rows) {
      const tr = el("tr", undefined, r.n.status === "orphan" ? "orphan" : "");
      const status = r.n.status === "orphan" ? "\u26a0 orphaned" : r.n.verdict || r.n.status;
      for (const [text, cls] of [["\u2610", "check"], [r.n.repo], [r.n.label + "\n" + r.n.path + ":" + r.n.line],
                                 [r.roles.join(", ")], [r.n.reach_text || "\u2014"], [r.stored.join("; ") || "\u2014"],
                                 [r.users.join("; ") || "\u2014"], [r.decides], [status]]) {
        const td = el("td", text, cls);
        td.style.whiteSpace = "pre-wrap";
        tr.append(td);
      }
      table.append(tr);
    }
    page.replaceChildren(nav, el("h2", "Offboarding checklist and access review: " + person),
      el("p", "Roster: " + state, "summary"),
      el("p", rows.length + " identities in " + repos.size + " repositories provisioned, owned or installed by this person; "
        + orphans + " orphaned, " + admin + " with admin reach.", "summary"),
      steps, table);
    document.title = "nhi: " + person;
  }};
})();
