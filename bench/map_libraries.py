"""Which graph library the lineage map is built on: cytoscape.js (canvas; ELK layered layout
through cytoscape-elk) against sigma.js + graphology (WebGL), measured in headless Chromium.

    python bench/map_libraries.py --packages /tmp/npm [--sizes 1000 10000 50000]

`--packages` is a folder where `npm pack` unpacked cytoscape, elkjs, cytoscape-elk, sigma and
graphology (each in `<name>-<version>/package`). Every page draws the same synthetic lineage
graph of N identities (people, identities, stores, consumers; about 1.9 nodes and 2 edges per
identity) with every node shown, which is the worst case the map must survive; the map itself
opens on a grouped overview. Load is navigation to the load event (parsing the inlined library
and the JSON data); first render is from creating the graph (after load) to the first frame
drawn, layout included.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.lineage.cdp import Browser, BrowserError

FILES = {
    "cytoscape": ["cytoscape-*/package/dist/cytoscape.min.js"],
    "cytoscape+elk": ["cytoscape-3*/package/dist/cytoscape.min.js",
                      "elkjs-*/package/lib/elk.bundled.js",
                      "cytoscape-elk-*/package/dist/cytoscape-elk.js"],
    "sigma": ["graphology-*/package/dist/graphology.umd.min.js",
              "sigma-*/package/dist/sigma.min.js"],
}  # fmt: skip

DRAW = {
    "cytoscape": """
const t0 = performance.now();
const els = [];
for (const n of data.nodes) els.push({group: "nodes", data: {id: n.id, label: n.label},
                                      position: {x: n.x, y: n.y}});
for (const [i, e] of data.edges.entries()) {
  els.push({group: "edges", data: {id: "e" + i, source: e[0], target: e[1]}});
}
const cy = cytoscape({container: document.getElementById("g"), elements: els,
  layout: {name: "preset"}, textureOnViewport: true, hideEdgesOnViewport: true,
  style: [{selector: "node", style: {label: "data(label)", "font-size": 8, width: 8, height: 8}}]});
return new Promise((ok) => cy.one("render", () => requestAnimationFrame(
  () => ok({render: performance.now() - t0}))));
""",
    "cytoscape+elk": """
const t0 = performance.now();
const els = [];
for (const n of data.nodes) els.push({group: "nodes", data: {id: n.id, label: n.label}});
for (const [i, e] of data.edges.entries()) {
  els.push({group: "edges", data: {id: "e" + i, source: e[0], target: e[1]}});
}
const cy = cytoscape({container: document.getElementById("g"), elements: els,
  style: [{selector: "node", style: {label: "data(label)", "font-size": 8, width: 8, height: 8}}]});
return new Promise((ok) => {
  const layout = cy.layout({name: "elk", elk: {algorithm: "layered", "elk.direction": "RIGHT"}});
  layout.one("layoutstop", () => requestAnimationFrame(() => ok({render: performance.now() - t0})));
  layout.run();
});
""",
    "sigma": """
const t0 = performance.now();
const g = new graphology.Graph();
for (const n of data.nodes) g.addNode(n.id, {label: n.label, x: n.x, y: -n.y, size: 2});
for (const e of data.edges) g.addEdge(e[0], e[1]);
const s = new Sigma(g, document.getElementById("g"), {labelRenderedSizeThreshold: 6});
// sigma draws its first frame inside the constructor; wait for it to reach the screen
return new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(
  () => ok({render: performance.now() - t0}))));
""",
}


def graph(identities: int, seed: int = 7) -> dict[str, list[object]]:
    """Columns: people, identities, stores, consumers; ids are what the real map uses."""
    rng = random.Random(seed)
    people = max(1, identities // 20)
    nodes: list[object] = [{"id": f"p:{i}", "label": f"person{i}@acme.example", "x": 0,
                            "y": i * 12} for i in range(people)]  # fmt: skip
    edges: list[object] = []
    for i in range(identities):
        repo = f"acme/repo-{i % max(1, identities // 50)}"
        key = f"{repo}:main.tf#aws_iam_access_key.k{i}"
        nodes.append({"id": key, "label": f"aws_iam_access_key k{i} · {repo}", "x": 400,
                      "y": i * 12})  # fmt: skip
        edges.append([f"p:{rng.randrange(people)}", key])
        if i % 2 == 0:
            store = f"{repo}:s{i}"
            nodes.append({"id": store, "label": f"github_actions_secret s{i}", "x": 800,
                          "y": i * 12})  # fmt: skip
            edges.append([key, store])
            if i % 4 == 0:
                use = f"{repo}:c{i}"
                nodes.append({"id": use, "label": f"workflow c{i}", "x": 1200, "y": i * 12})
                edges.append([store, use])
    return {"nodes": nodes, "edges": edges}


def page(library: str, packages: Path, data: dict[str, list[object]]) -> str:
    scripts = "".join(
        f"<script>{next(packages.glob(pattern)).read_text()}</script>" for pattern in FILES[library]
    )
    payload = json.dumps(data).replace("<", "\\u003c")
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{scripts}</head><body '
            f'style="margin:0"><div id="g" style="width:1400px;height:900px"></div>'
            f'<script type="application/json" id="d">{payload}</script><script>'
            f'const data = JSON.parse(document.getElementById("d").textContent);'
            f"window.draw = () => {{{DRAW[library]}}};</script></body></html>")  # fmt: skip


def measure(browser: Browser, path: Path, cap_s: float) -> dict[str, float | str]:
    browser.open(path.as_uri())
    load = browser.evaluate("performance.getEntriesByType('navigation')[0].loadEventStart")
    try:
        timing = browser.evaluate(
            f"Promise.race([window.draw(), new Promise((ok) => setTimeout("
            f"() => ok({{render: -1}}), {cap_s * 1000}))])"
        )
    except BrowserError as error:
        return {"load_ms": round(load), "render_ms": f"failed: {str(error)[:60]}"}
    render = timing["render"]
    return {"load_ms": round(load), "render_ms": round(render) if render >= 0 else f">{cap_s:.0f}s"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--libraries", nargs="+", default=list(FILES))
    parser.add_argument("--cap", type=float, default=120.0, help="seconds before giving up")
    parser.add_argument("--work", type=Path, default=Path("bench/out/map-libraries"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print("| library | identities | nodes | page MB | load ms | first render ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        data = graph(size)
        for library in args.libraries:
            path = args.work / f"{library}-{size}.html"
            path.write_text(page(library, args.packages, data))
            with Browser() as browser:
                got = measure(browser, path, args.cap)
                browser.screenshot(path.with_suffix(".png"))
            mb = path.stat().st_size / 1e6
            print(f"| {library} | {size:,} | {len(data['nodes']):,} | {mb:.1f} | "
                  f"{got['load_ms']} | {got['render_ms']} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
