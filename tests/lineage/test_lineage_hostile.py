"""Names from scanned repositories never become markup or script on the lineage map: the
hardening suite's hostile names (tests/hostile) and markup aimed at the page itself, as
identity names in the embedded data, read back in headless Chromium as the same text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scanner.lineage import html
from tests.hostile.test_hostile_markdown import CASES as MARKDOWN
from tests.hostile.test_hostile_output import CASES as OUTPUT
from tests.lineage import synthetic
from tests.lineage.cdp import CHROMIUM, Browser

PAGE = {
    "close_script": "</script><script>window.pwned = 1</script>",
    "close_script_upper": "</SCRIPT ><img src=x onerror='window.pwned = 2'>",
    "comment_open": "<!--<script>window.pwned = 3</script>-->",
    "svg_onload": '"><svg onload="window.pwned = 4">',
    "entities": "&lt;b&gt;&amp;&#x3c;",
    "line_separators": "a\u2028b\u2029c",
    "cdata": "]]><iframe srcdoc='x'>",
}
NAMES = dict(enumerate([*OUTPUT.values(), *MARKDOWN.values(), *PAGE.values()]))


def page_for(tmp_path: Path) -> Path:
    page = tmp_path / "hostile.html"
    page.write_text(html.render(synthetic.organisation(len(NAMES) + 5, NAMES), "<b>title</b>"))
    return page


def test_the_embedded_data_is_inert_and_still_the_names(tmp_path: Path) -> None:
    text = page_for(tmp_path).read_text()
    # Our five script elements and nothing else; one data block that parses to the names.
    assert len(re.findall("<script", text, re.IGNORECASE)) == 5
    assert len(re.findall("</script", text, re.IGNORECASE)) == 5
    assert "<!--" not in text
    block = re.search(r'id="nhi-data">(.*?)</script>', text, re.S)
    assert block is not None
    assert not set("<>&\u2028\u2029") & set(block[1])
    data = json.loads(block[1])
    labels = {n["label"] for n in data["nodes"]}
    assert {f"aws_iam_access_key {name}" for name in NAMES.values()} <= labels
    assert "<title>&lt;b&gt;title&lt;/b&gt;</title>" in text


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_the_browser_shows_the_names_as_text(tmp_path: Path) -> None:
    page = page_for(tmp_path)
    repos = max(1, (len(NAMES) + 5) // 25)
    with Browser() as browser:
        browser.open(page.as_uri())
        browser.evaluate("nhiMap.ready")
        for i, name in NAMES.items():
            key = synthetic.identity_key(i, repos)
            assert browser.evaluate(f"nhiMap.search('key_{i:05d}')") == [key]
            shown = browser.evaluate("document.querySelector('#results button').textContent")
            assert shown == f"aws_iam_access_key {name} · {synthetic.repository(i % repos)}"
        browser.open(page.as_uri() + f"#view=person&person={synthetic.person(0)}")
        browser.evaluate("nhiMap.ready")
        cells = browser.evaluate(
            "[...document.querySelectorAll('#person-page td:nth-child(3)')]"
            ".map((td) => td.textContent.split('\\n')[0])"
        )
        assert f"aws_iam_access_key {NAMES[0]}" in cells
        assert browser.evaluate("window.pwned === undefined")
        assert browser.evaluate("document.querySelectorAll('img, svg, iframe').length") == 0
        assert browser.evaluate("document.querySelector('h1').textContent") == "<b>title</b>"
        assert browser.evaluate("document.scripts.length") == 5
