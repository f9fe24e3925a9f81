"""CODEOWNERS as GitHub reads it: every example of GitHub's documentation, and its refusals."""

from __future__ import annotations

import pytest

from scanner.attribution import codeowners, load_codeowners

# The example file of GitHub's "About code owners" page (its patterns, in its order).
GITHUB_EXAMPLE = """\
# This is a comment.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
/apps/ @octocat
/apps/github @doctocat
"""


@pytest.mark.parametrize(
    ("path", "line", "owners"),
    [
        ("README.md", 2, ("@global-owner1", "@global-owner2")),
        ("src/app.js", 3, ("@js-owner",)),
        ("cmd/main.go", 4, ("docs@example.com",)),
        ("notes.txt", 5, ("@octo-org/octocats",)),
        ("build/logs/app.log", 11, ("@octocat",)),  # **/logs comes later and wins
        ("docs/getting-started.md", 9, ("@doctocat",)),
        ("docs/build-app/troubleshooting.md", 9, ("@doctocat",)),
        ("src/apps/main.py", 8, ("@octocat",)),
        ("scripts/deploy.sh", 10, ("@doctocat", "@octocat")),
        ("deeply/nested/logs/x.txt", 11, ("@octocat",)),
        ("apps/github/readme.md", 15, ("@doctocat",)),
        ("apps/web/index.html", 14, ("@octocat",)),
        ("Docs/readme.md", 2, ("@global-owner1", "@global-owner2")),  # case-sensitive
    ],
)
def test_github_documentation_examples(path: str, line: int, owners: tuple[str, ...]) -> None:
    rule = codeowners.parse(GITHUB_EXAMPLE).match(path)
    assert rule is not None
    assert (rule.line, rule.owners) == (line, owners)


@pytest.mark.parametrize(
    ("rules", "path", "expected"),
    [
        ("docs/* @a\n", "docs/getting-started.md", ("@a",)),
        ("docs/* @a\n", "docs/build-app/troubleshooting.md", None),
        ("/apps/ @octocat\n/apps/github\n", "apps/github/x.tf", ()),  # explicitly unowned
        ("apps/ @a\n", "apps", None),  # a folder pattern never names a file
        ("/build/logs/ @a\n", "x/build/logs/y", None),  # anchored at the root
        ("**/logs @a\n", "logs", ("@a",)),
        ("infra/** @a\n", "infra/a/b/c.tf", ("@a",)),
        ("a/**/b @a\n", "a/x/y/b", ("@a",)),
        ("a/**/b @a\n", "a/b", ("@a",)),
        ("*.TF @a\n", "main.tf", None),
        ("infra/iam.tf @a\n", "x/infra/iam.tf", None),  # a middle slash anchors it
        ("iam.tf @a\n", "x/infra/iam.tf", ("@a",)),
        ("? @a\n", "x", ("@a",)),
        ("*.tf @mona_octocorp\n", "main.tf", ("@mona_octocorp",)),  # an EMU handle
    ],
)
def test_pattern_semantics(rules: str, path: str, expected: tuple[str, ...] | None) -> None:
    rule = codeowners.parse(rules).match(path)
    assert (None if rule is None else rule.owners) == expected


def test_invalid_lines_are_skipped_whole_and_reported() -> None:
    parsed = codeowners.parse(
        "!negated @x\nfile[0-9].txt @x\n\\#hash @x\n/src/ @user1 TODO\n*.js @a # ping @bob\n"
        "*.md @-bad\n/ok/ @org/team-name user@example.com\n"
        "/old/ @tobias-\n"  # accounts GitHub kept when it stopped allowing a trailing `-`
    )
    assert [(p.line, p.message) for p in parsed.problems] == [
        (1, "negation (!) is not supported by GitHub; line skipped"),
        (2, "character ranges ([ ]) are not supported by GitHub; line skipped"),
        (3, "escaping a pattern with \\ is not supported by GitHub; line skipped"),
        (4, "owner 2 is not an @user, @org/team or email; line skipped"),
        (6, "owner 1 is not an @user, @org/team or email; line skipped"),
    ]
    assert [(r.line, r.pattern, r.owners) for r in parsed.rules] == [
        (5, "*.js", ("@a",)),
        (7, "/ok/", ("@org/team-name", "user@example.com")),
        (8, "/old/", ("@tobias-",)),
    ]


def test_only_the_first_location_counts(tmp_path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/CODEOWNERS").write_text("* @docs\n")
    (tmp_path / "CODEOWNERS").write_text("* @root\n")
    found, _ = load_codeowners(tmp_path)
    assert found is not None and found.path == "CODEOWNERS"
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/CODEOWNERS").write_text("* @dotgithub\n")
    found, _ = load_codeowners(tmp_path)
    assert found is not None and (found.path, found.rules[0].owners) == (
        ".github/CODEOWNERS",
        ("@dotgithub",),
    )


def test_three_megabytes_or_more_is_ignored(tmp_path) -> None:
    (tmp_path / "CODEOWNERS").write_text("* @a\n" + "# padding\n" * 320_000)
    found, errors = load_codeowners(tmp_path)
    assert found is None
    assert [(e.path, e.line, e.message) for e in errors] == [
        ("CODEOWNERS", None, "3 MB or larger: GitHub ignores it, so nobody owns anything")
    ]


@pytest.mark.parametrize(
    ("rules", "path", "expected"),
    [
        # `\ ` escapes a space in a path, as GitHub reads it (#20).
        ("/docs/My\\ Guide.md @docs\n", "docs/My Guide.md", ("@docs",)),
        ("/docs/My\\ Guide.md @docs\n", "docs/My", None),
        # `/*` is the files at the root only, never a file in a folder (#20).
        ("/* @root\n", "README.md", ("@root",)),
        ("/* @root\n", "infra/iam.tf", None),
    ],
)
def test_escaped_spaces_and_the_root_star(rules: str, path: str, expected) -> None:
    parsed = codeowners.parse(rules)
    assert parsed.problems == ()
    rule = parsed.match(path)
    assert (None if rule is None else rule.owners) == expected


@pytest.mark.parametrize(
    ("rules", "path", "expected"),
    [
        # `\` makes the next character literal: GitHub asks that `[` `]` be escaped (#20).
        ("/apps/\\[id\\]/page.tsx @web\n", "apps/[id]/page.tsx", ("@web",)),
        ("/apps/\\[id\\]/page.tsx @web\n", "apps/i/page.tsx", None),
        ("docs/a\\#b.md @d\n", "docs/a#b.md", ("@d",)),
        ("f\\*o @a\n", "foo", None),
        # A final `/**` is what is below the folder, never a file of the folder's name (#20).
        ("/build/** @b\n", "build", None),
        ("/build/** @b\n", "build/x/y", ("@b",)),
    ],
)
def test_escapes_and_the_final_double_star(rules: str, path: str, expected) -> None:
    parsed = codeowners.parse(rules)
    assert parsed.problems == ()
    rule = parsed.match(path)
    assert (None if rule is None else rule.owners) == expected


def test_a_lone_trailing_backslash_skips_the_line() -> None:
    parsed = codeowners.parse("docs\\\n/apps/[id]/ @web\n")
    assert [(p.line, p.message) for p in parsed.problems] == [
        (1, "a pattern cannot end in a lone \\; line skipped"),
        (2, "character ranges ([ ]) are not supported by GitHub; line skipped"),
    ]
