"""Line numbers are git's: only LF ends a line (issue 20). U+2028, U+2029, NEL, a lone CR and
a form feed inside a value must not move any scanner's line numbers."""

from __future__ import annotations

import pytest

from scanner.scanners import SCANNERS

ODD = ["\u2028", "\u2029", "\x85", "\r", "\x0c"]


@pytest.mark.parametrize("odd", ODD, ids=[hex(ord(c)) for c in ODD])
@pytest.mark.parametrize(
    ("scanner", "path", "text", "line"),
    [
        (
            "workflows",
            ".github/workflows/ci.yml",
            "on: push\n# a note{odd}with an odd break\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: echo ${{{{ secrets.DEPLOY_TOKEN }}}}\n",
            7,
        ),
        (
            "mcp",
            ".codex/config.toml",
            '# a note{odd}with an odd break\n[mcp_servers.github]\ncommand = "npx"\n'
            'args = ["-y", "@modelcontextprotocol/server-github"]\n\n'
            '[mcp_servers.github.env]\nGITHUB_PERSONAL_ACCESS_TOKEN = "${{GITHUB_PAT}}"\n',
            7,
        ),
        ("dotenv", ".env", '# a note{odd}with an odd break\nAPI_TOKEN="${{VAULT_TOKEN}}"\n', 2),
    ],
)
def test_odd_line_breaks_do_not_move_lines(scanner, path, text, line, odd) -> None:
    if scanner == "mcp" and odd in "\r\x0c":
        pytest.skip("TOML forbids control characters in comments: tomllib rightly refuses it")
    if scanner == "dotenv" and odd == "\r":
        pytest.skip("a lone CR ends a .env line for python-dotenv: tested in tests/hostile")
    found = list(SCANNERS[scanner].scan(path, text.format(odd=odd)))
    credentials = [i for i in found if i.category.value == "credential"]
    assert [i.line for i in credentials] == [line]
