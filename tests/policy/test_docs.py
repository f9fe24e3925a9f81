"""The generated rules page is committed and true, and every SARIF helpUri anchor is in it."""

from __future__ import annotations

from pathlib import Path

from scanner import policy
from scanner.policy import docs
from scanner.reporters.sarif import RULES_PAGE, help_uri

PAGE = Path(__file__).parents[2] / "docs" / "policies.md"


def test_the_rules_page_is_generated_from_the_policies(golden) -> None:
    golden(PAGE, docs.render(policy.builtin()))


def test_every_help_uri_points_at_a_section_of_the_page() -> None:
    text = PAGE.read_text()
    for item in policy.builtin():
        page, _, anchor = help_uri(item).partition("#")
        assert page == RULES_PAGE
        assert f'<a id="{anchor}"></a>' in text
