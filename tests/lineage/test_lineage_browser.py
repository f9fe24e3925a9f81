"""The lineage map in a real browser: headless Chromium (driven over its DevTools pipe by
tests/lineage/cdp.py, no driver) opens the demo organisation's map and generated maps of 10
and 10,000 identities: the overview renders, search finds an identity, a filter in the URL
applies, clicking a box lists its links, a person's page lists what they must hand over.
Screenshots are kept in tests/artifacts/ (ignored by git; CI uploads them) and checked for
content. Times are printed (pytest -s), never asserted; bench/map.py measures them.

Chromium is installed by CI (.ci/run); this is skipped only when no chromium binary exists.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner import demo
from scanner.lineage import html
from tests.lineage import synthetic
from tests.lineage.cdp import CHROMIUM, Browser

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"
)

PEOPLE = {"p:@acme/payments-platform", "p:alice@acme.example", "p:bob@acme.example",
          "p:carol@acme.example", "p:dana@acme.example"}  # fmt: skip
CUSTOMER = {  # a role on the customer-data cluster and its copy, Dana's (#25)
    "acme/customer-data:rds.tf#aws_iam_role.etl_reader",
    "acme/customer-data:rds.tf#aws_iam_role.etl_reader_euw1",
    "acme/customer-data:rds.tf#aws_iam_role_policy.etl_reader",
    "acme/customer-data:rds.tf#aws_iam_role_policy.etl_reader_euw1",
}
PAYMENTS = {
    "acme/payments-infra:deployer.tf#aws_iam_user.ci_deployer",
    "acme/payments-infra:deployer.tf#aws_iam_access_key.ci_deployer",
    "acme/payments-infra:deployer.tf#aws_iam_access_key.ci_deployer_2",
    "acme/payments-infra:deployer.tf#aws_iam_user_policy_attachment.ci_deployer",
}
DATA = {
    "acme/data-pipeline:etl/service_accounts.tf#google_service_account.etl",
    "acme/data-pipeline:etl/service_accounts.tf#google_service_account_key.etl",
    "acme/data-pipeline:etl/service_accounts.tf#github_actions_secret.etl_key",
    "acme/data-pipeline:.github/workflows/load.yml#secrets/ETL_SA_KEY",
    "acme/data-pipeline:c:.github/workflows/load.yml#load",
}
STATE = ("JSON.stringify({view: document.body.dataset.view, shown: nhiMap.shown().sort(), "
         "count: document.getElementById('count').textContent})")  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser(1400, 900) as opened:
        yield opened


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("org")
    printed = demo.run(folder)
    assert printed.endswith(f"Map of who owns what, and who uses it: {folder / demo.MAP}\n")
    return folder / demo.MAP


def show(browser: Browser, page: Path, fragment: str = "") -> dict[str, object]:
    """Open the page on `fragment`; wait for its first frame; what it shows."""
    browser.open(page.as_uri() + fragment)
    browser.evaluate("nhiMap.ready")
    return dict(json.loads(browser.evaluate(STATE)))


def settled(browser: Browser) -> dict[str, object]:
    """What the page shows once it has drawn the fragment in its URL (a hash change is drawn
    by an event after the key press that caused it; given up on after five seconds)."""
    browser.evaluate("""new Promise((ok) => {
        const until = Date.now() + 5000;
        const wait = () => document.body.dataset.drawn === location.hash || Date.now() > until
          ? ok() : setTimeout(wait, 20);
        wait();
    })""")
    return dict(json.loads(browser.evaluate(STATE)))


def colours(browser: Browser, png: Path) -> int:
    """How many distinct colours the screenshot has (a blank page has one or two)."""
    data = base64.b64encode(png.read_bytes()).decode()
    browser.open("about:blank")
    return int(browser.evaluate(f"""new Promise((ok) => {{
        const img = new Image();
        img.onload = () => {{
          const c = document.createElement("canvas");
          c.width = img.width; c.height = img.height;
          const g = c.getContext("2d"); g.drawImage(img, 0, 0);
          const px = g.getImageData(0, 0, c.width, c.height).data, seen = new Set();
          for (let i = 0; i < px.length; i += 4) seen.add((px[i] << 16) | (px[i+1] << 8) | px[i+2]);
          ok(seen.size);
        }};
        img.src = "data:image/png;base64,{data}";
    }})"""))  # fmt: skip


def screenshot(browser: Browser, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    browser.screenshot(shot)
    assert shot.read_bytes().startswith(b"\x89PNG")
    return shot


def click(browser: Browser, key: str) -> list[str]:
    """Click the box drawn for `key` where it is on screen; the keys its panel links to."""
    x, y = browser.evaluate(f"""(() => {{
        const box = document.getElementById("graph").getBoundingClientRect();
        const at = nhiMap.cy.getElementById({json.dumps(key)}).renderedPosition();
        return [box.left + at.x, box.top + at.y];
    }})()""")  # fmt: skip
    browser.click(x, y)
    return list(
        browser.evaluate(
            "[...document.querySelectorAll('#links button')].map((b) => b.dataset.key)"
        )
    )


def test_the_demo_opens_on_an_overview_with_bob_departed(browser, demo_page) -> None:
    state = show(browser, demo_page)
    assert state["view"] == "overview"
    assert state["count"] == "12 identities in 3 repositories, 4 orphaned"
    assert set(state["shown"]) == PEOPLE | {
        "repo:acme/customer-data",
        "repo:acme/data-pipeline",
        "repo:acme/payments-infra",
    }
    bob = browser.evaluate("nhiMap.cy.getElementById('p:bob@acme.example').data('text')")
    assert bob == "bob@acme.example\nDEPARTED · 3 identities · ⚠ 2 orphaned"
    assert browser.evaluate("nhiMap.cy.getElementById('p:bob@acme.example').hasClass('gone')")
    dana = browser.evaluate("nhiMap.cy.getElementById('p:dana@acme.example').classes()")
    assert "leaving" in dana
    shot = screenshot(browser, "lineage-overview.png")
    assert colours(browser, shot) > 50


def test_the_demo_filters_from_the_url(browser, demo_page) -> None:
    state = show(browser, demo_page, "#person=carol@acme.example")
    # Carol's secret and workflow, what they link to, and the consumer: nobody else's.
    assert set(state["shown"]) == {"p:carol@acme.example"} | DATA
    assert state["count"] == "4 of 12 identities shown"
    state = show(browser, demo_page, "#repo=acme/payments-infra")
    assert (
        set(state["shown"])
        == {
            "p:@acme/payments-platform",
            "p:alice@acme.example",
            "p:bob@acme.example",
            "p:dana@acme.example",
        }
        | PAYMENTS
    )
    state = show(browser, demo_page, "#status=orphan")
    assert set(state["shown"]) == {"p:bob@acme.example", "p:carol@acme.example"} | DATA
    state = show(browser, demo_page, "#leaving=1")  # Dana leaves on 2026-11-20
    assert set(state["shown"]) == CUSTOMER | {
        "acme/payments-infra:deployer.tf#aws_iam_access_key.ci_deployer_2",
        "p:@acme/payments-platform",
        "p:dana@acme.example",
    }
    assert state["count"] == "5 of 12 identities shown"


def test_the_demo_filters_by_environment_and_by_reach_as_people_name_a_service(
    browser, demo_page
) -> None:
    """The aggregator's environments and reach (#25) reach the map: `rds` finds the roles on
    the customer-data cluster, whose grants say `rds-db`."""
    roles = {key for key in CUSTOMER if "aws_iam_role." in key}
    for fragment in ("#env=production", "#reach=rds", "#reach=database"):
        state = show(browser, demo_page, fragment)
        assert {key for key in state["shown"] if not key.startswith("p:")} >= roles, fragment
        assert all(key in CUSTOMER for key in state["shown"] if not key.startswith("p:"))
    assert show(browser, demo_page, "#reach=s3")["count"] == "0 of 12 identities shown"


def test_clicking_a_box_lists_its_links(browser, demo_page) -> None:
    show(browser, demo_page, "#repo=acme/data-pipeline")
    key = "acme/data-pipeline:etl/service_accounts.tf#github_actions_secret.etl_key"
    assert sorted(click(browser, key)) == [
        "acme/data-pipeline:.github/workflows/load.yml#secrets/ETL_SA_KEY",
        "acme/data-pipeline:etl/service_accounts.tf#google_service_account_key.etl",
        "p:carol@acme.example",
    ]
    lit = browser.evaluate("nhiMap.cy.edges('.lit').length")
    assert lit == 3
    # A box whose neighbour is not drawn brings it in: Bob's view stops before the workflow.
    show(browser, demo_page, "#person=bob@acme.example")
    use = "acme/data-pipeline:c:.github/workflows/load.yml#load"
    secret = "acme/data-pipeline:.github/workflows/load.yml#secrets/ETL_SA_KEY"
    assert use not in browser.evaluate("nhiMap.shown()")
    assert use in click(browser, secret)
    assert use in browser.evaluate("nhiMap.shown()")


def test_a_person_page_is_an_offboarding_checklist(browser, demo_page) -> None:
    show(browser, demo_page, "#view=person&person=bob@acme.example")
    rows = browser.evaluate(
        "[...document.querySelectorAll('#person-page tr')].slice(1)"
        ".map((tr) => [...tr.cells].slice(1).map((td) => td.textContent))"
    )
    assert rows[1] == [
        "acme/data-pipeline",
        "google_service_account_key etl\netl/service_accounts.tf:5",
        "provisioned",
        "—",
        "github_actions_secret etl_key (acme/data-pipeline)",
        "workflow_secret ETL_SA_KEY (acme/data-pipeline)",
        "carol@acme.example (manager of bob@acme.example)",
        "⚠ orphaned",
    ]
    assert len(rows) == 3
    text = browser.evaluate("document.getElementById('person-page').innerText")
    assert "Roster: DEPARTED on 2026-10-09" in text
    shot = screenshot(browser, "lineage-person.png")
    # Printed, the checklist is all there is: the map and its controls are hidden.
    browser.page("Emulation.setEmulatedMedia", media="print")
    shown = "(id) => getComputedStyle(document.querySelector(id)).display"
    assert browser.evaluate(f"['header', 'main', '#person-page'].map({shown})") == [
        "none",
        "none",
        "block",
    ]
    browser.page("Emulation.setEmulatedMedia", media="")
    assert colours(browser, shot) > 20


@pytest.fixture(scope="module", params=[10, 10_000], ids=["10", "10000"])
def generated(request, tmp_path_factory) -> tuple[int, Path]:
    size = request.param
    page = tmp_path_factory.mktemp("generated") / f"map-{size}.html"
    page.write_text(html.render(synthetic.organisation(size), f"{size} identities"))
    return size, page


def test_a_generated_map_loads_searches_filters_and_expands(browser, generated) -> None:
    size, page = generated
    state = show(browser, page)
    took = browser.evaluate("nhiMap.ready.then((r) => r.ms)")
    print(f"\n{size} identities: {page.stat().st_size / 1e6:.1f} MB, overview in {took:.0f} ms")
    assert state["view"] == "overview"
    assert state["count"].startswith(f"{size:,} identities in ".replace(",", ""))
    assert len(state["shown"]) <= 48  # at most 23 people and 23 repositories, and the rest
    shot = screenshot(browser, f"lineage-{size}.png")
    assert colours(browser, shot) > 20
    state = show(browser, page)
    wanted = size - 3
    key = synthetic.identity_key(wanted, max(1, size // 25))
    assert browser.evaluate(f"nhiMap.search('key_{wanted:05d}')") == [key]
    browser.evaluate("document.getElementById('search').focus()")
    browser.page("Input.insertText", text=f"key_{wanted:05d}")
    browser.page("Input.dispatchKeyEvent", type="keyDown", key="Enter", code="Enter",
                 windowsVirtualKeyCode=13, text="\r")  # fmt: skip
    state = settled(browser)
    assert state["view"] == "identity" and key in state["shown"]
    repo = synthetic.repository(1)
    state = show(browser, page, f"#repo={repo}&reach=admin")
    admins = [synthetic.identity_key(i, max(1, size // 25)) for i in range(size)
              if synthetic.identity_key(i, max(1, size // 25)).startswith(repo + ":")
              and i % 17 == 0]  # fmt: skip
    assert [k for k in state["shown"] if "aws_iam_access_key" in k] == sorted(admins)
    if admins:
        owner = browser.evaluate(f"nhiMap.byKey.get({json.dumps(admins[0])}).people[0]")
        assert owner in click(browser, admins[0])
