"""No Markdown nhi writes can link or mention: rendered with GitHub's renderer (cmark-gfm).

Each case is one hostile name, given to an identity in a scanned repository; the job summary
(`nhi scan --format markdown`), the aggregate summary and the issue body are rendered with
cmark-gfm's GitHub flavour (autolink extension on) and must hold no link and no `@login` that
GitHub's mention filter would pick up.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from scanner.aggregate.resolve import Resolved
from scanner.cli import main

USER = 'resource "aws_iam_access_key" "k" {{\n  user = "{name}"\n}}\n'
ROSTER = "email,status\nalice@example.com,departed\n"
# GitHub's mention filter: `@login` or `@org/team` after a non-word character.
MENTION = re.compile(r"(?<![\w`])@[a-z0-9][a-z0-9-]*", re.IGNORECASE)

CASES = {
    "https_url": "https://evil.example/login",
    "upper_case_scheme": "HTTP://evil.example",
    "ftp_url": "ftp://evil.example/f",
    "www_host": "www.evil.example",
    "upper_case_www": "WWW.evil.example",
    "email": "attacker@evil.example",
    "mailto": "mailto:attacker@evil.example",
    "mention": "@everyone",
    "team_mention": "@acme/security",
    "entity_at": "a &#64;everyone",
}


def rendered(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def assert_inert(markdown: str) -> None:
    page = rendered(markdown)
    assert "<a " not in page
    text = html.unescape(re.sub(r"<[^>]*>", " ", page))
    assert MENTION.findall(text) == []


def resolved(orphan: dict) -> Resolved:
    keep = ("repository", "identity", "kind", "name", "path", "line")
    return Resolved(**{k: orphan[k] for k in keep}, state="orphaned", rules=("NHI101",),
                    people=(), route_to=(), why="")  # fmt: skip


@pytest.mark.parametrize("name", CASES.values(), ids=CASES.keys())
def test_markdown_cannot_link_or_mention(git_repo, tmp_path: Path, capsys, name: str) -> None:
    from scanner.aggregate.notify import body  # PyGithub: only here

    git_repo.write(f"{name.replace('/', '_')}.tf", USER.format(name=name))
    git_repo.commit("hostile", author="Alice <alice@example.com>")
    report, summary = tmp_path / "report.json", tmp_path / "summary.md"
    assert main(["scan", "--repo", str(git_repo.root), "--no-cache", "--output", str(report),
                 "--format", "json", "--write", f"markdown={summary}"]) == 1  # fmt: skip
    assert_inert(summary.read_text())
    (tmp_path / "roster.csv").write_text(ROSTER)
    aggregate = ["aggregate", str(report), "--roster", str(tmp_path / "roster.csv"), "--no-db",
                 "--as-of", "2026-11-01", "--write", f"markdown={tmp_path / 'aggregate.md'}",
                 "--format", "json"]  # fmt: skip
    assert main(aggregate) == 1
    assert_inert((tmp_path / "aggregate.md").read_text())
    result = json.loads(capsys.readouterr().out)
    orphans = [resolved(o) for o in result["orphans"]]
    assert any(name in o.name or name.replace("/", "_") in o.path for o in orphans)
    assert_inert(body(orphans, lambda _email: []))
