"""The lineage map's page size and time to first render, in headless Chromium.

    python bench/map.py [--sizes 1000 10000 50000] [--runs 3]

Each page is `scanner.lineage.html.render` of a generated organisation (tests/lineage/
synthetic.py: one person per 20 identities, one repository per 25, a third of the identities
stored in a secret a workflow consumes). Load is navigation to the load event (parsing the
inlined library and the JSON); first render is navigation to the first frame of the view
drawn: the overview, one repository (`#repo=`), and one person's checklist page. Medians of
`--runs` fresh loads; the machine and its load are printed with the table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from scanner.lineage import html
from tests.lineage import synthetic
from tests.lineage.cdp import Browser

LOAD = "performance.getEntriesByType('navigation')[0].loadEventStart"


def views(size: int) -> dict[str, str]:
    return {"overview": "", "repository": f"#repo={synthetic.repository(1)}",
            "person page": f"#view=person&person={synthetic.person(1)}"}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("bench/out/map"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print("| identities | page MB | view | load ms | first render ms |")
    print("|---:|---:|---|---:|---:|")
    for size in args.sizes:
        page = args.work / f"map-{size}.html"
        page.write_text(html.render(synthetic.organisation(size), f"{size} identities"))
        mb = page.stat().st_size / 1e6
        with Browser() as browser:
            for view, fragment in views(size).items():
                loads, renders = [], []
                for _ in range(args.runs):
                    browser.open(page.as_uri() + fragment)
                    renders.append(browser.evaluate("nhiMap.ready.then((r) => r.ms)"))
                    loads.append(browser.evaluate(LOAD))
                print(f"| {size:,} | {mb:.1f} | {view} | {statistics.median(loads):.0f} | "
                      f"{statistics.median(renders):.0f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
