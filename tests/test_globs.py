"""One path-pattern meaning for CODEOWNERS, waivers and policies (issue 17)."""

from __future__ import annotations

import pytest

from scanner import globs


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        # A slash anchors to the repository root, as in CODEOWNERS and .gitignore.
        ("legacy/**", "legacy/iam.tf", True),
        ("legacy/**", "services/legacy/iam.tf", False),
        ("infra/prod/*.tf", "infra/prod/keys.tf", True),
        ("infra/prod/*.tf", "team-b/infra/prod/keys.tf", False),
        # Without one, any depth.
        ("*.tf", "a/b/c.tf", True),
        ("legacy", "services/legacy/iam.tf", True),
        # A trailing slash: every file under any folder of that name.
        ("legacy/", "services/legacy/iam.tf", True),
        ("legacy/", "legacy.tf", False),
        ("/legacy/", "services/legacy/iam.tf", False),
        # `dir/*`: direct children only.
        ("docs/*", "docs/a.md", True),
        ("docs/*", "docs/deep/a.md", False),
        # gitignore (git-scm.com/docs/gitignore): "Other consecutive asterisks are considered
        # regular asterisks": `**` within a folder name never crosses a `/`.
        ("/infra/**.tf", "infra/main.tf", True),
        ("/infra/**.tf", "infra/sub/main.tf", False),
        ("a/**b", "a/xb", True),
        ("a/**b", "a/c/d/xb", False),
        ("/infra/**prod/", "infra/eu/prod/a.tf", False),
        ("/infra/**/prod/", "infra/eu/prod/a.tf", True),
        ("**/prod/*.tf", "infra/eu/prod/a.tf", True),
    ],
)
def test_path_patterns(pattern: str, path: str, expected: bool) -> None:
    assert globs.matches(pattern, path) is expected


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("{a,b}/*.tf", "braces ({a,b}) are not supported: write one pattern for each"),
        ("!legacy/", "negation (!) is not supported"),
        ("key[0-9].tf", "character ranges ([ ]) are not supported"),
        ("/", "an empty pattern matches nothing"),
        ("a\\*b", "\\ escapes only a space (\\ )"),
        ("My\\ Docs/", None),
        ("legacy/**", None),
    ],
)
def test_patterns_that_match_nothing_are_named(pattern: str, reason: str | None) -> None:
    assert globs.unsupported(pattern) == reason
