"""The lineage map: one standalone HTML file, its graph library, styles and scripts inline.

The graph is drawn by cytoscape.js (scanner/lineage/vendor/, pinned in manifest.json and
refreshed only by tools/update_map_library.py; bench/map_libraries.py has the measurements
behind the choice); the page's own code is scanner/lineage/web/. Nothing is fetched: the
Content-Security-Policy allows no source but the inline script and style.

The page opens on an overview (people and repositories with their counts), or on what the URL
fragment says: `#person=alice@acme.example&status=orphan`, `#repo=acme/infra`, `#reach=admin`,
`#env=production`, `#leaving=1`, `#id=<repository>:<identity id>`, or a person's offboarding
checklist `#view=person&person=alice@acme.example`. The data is embedded as JSON with `<`,
`>`, `&` and the JavaScript line separators escaped, so nothing from a scanned repository can
close the script element or inject markup; the scripts set every text as text.
"""

from __future__ import annotations

import html
import json
from importlib import resources

from scanner.model import JSON

# The page's scripts, in order: the library, then ours (map.js last: it starts the page).
SCRIPTS = ("vendor/cytoscape.min.js", "web/parts.js", "web/person.js", "web/map.js")
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
            "\u2029": "\\u2029"}  # fmt: skip


def asset(name: str) -> str:
    """A file shipped beside this module (package data, never fetched)."""
    return resources.files("scanner.lineage").joinpath(name).read_text(encoding="utf-8")


def embedded(data: dict[str, JSON]) -> str:
    """`data` as JSON that is inert inside a <script> element."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "".join(_ESCAPES.get(char, char) for char in payload)


_BODY = """<header>
<h1>{title}</h1>
<button id="overview" type="button">Overview</button>
<span id="searchbox"><input id="search" type="search" placeholder="Search people, identities,
 repositories" autocomplete="off" aria-label="search"><ol id="results"></ol></span>
<label>person <select id="person"><option value="">everyone</option></select></label>
<label>repository <select id="repo"><option value="">all</option></select></label>
<label>status <select id="status"><option value="">all</option>
<option value="orphan">orphans (no owner)</option>
<option value="owned">owned</option></select></label>
<label>reach <select id="reach"><option value="">any</option></select></label>
<label>environment <select id="env"><option value="">any</option></select></label>
<label><input id="leaving" type="checkbox"> leaving soon</label>
<span id="count"></span>
</header>
<div id="legend"><span><i class="person"></i>person</span>
<span><i class="gone"></i>departed, suspended or not in the roster</span>
<span><i class="leaving"></i>leaving soon</span>
<span><i class="orphan"></i>\u26a0 orphaned (no owner, or its people have left)</span>
<span><i></i>identity (<b>bold</b>: admin)</span><span><i class="store"></i>where stored</span>
<span>scroll to zoom, drag to pan, click to expand</span></div>
<div id="notice"></div>
<main><div id="graph"></div><aside id="details"></aside></main>
<section id="person-page"></section>"""


def render(data: dict[str, JSON], title: str = "nhi lineage map") -> str:
    """The whole page; `data` is `lineage.mapdata.map_data(...)`."""
    scripts = "\n".join(f"<script>{asset(name)}</script>" for name in SCRIPTS)
    heading = html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title><style>{asset("web/map.css")}</style></head>
<body data-view="loading">
{_BODY.format(title=heading)}
<script type="application/json" id="nhi-data">{embedded(data)}</script>
{scripts}
</body></html>
"""
