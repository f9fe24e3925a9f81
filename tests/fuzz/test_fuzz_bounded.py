"""The bounded-time rewrites keep their old answers (issue 16, class 5).

The old regexes backtracked badly on hostile input; on short input they are the definition of
what the new code must answer. Each test compares both on what hypothesis draws, then checks
that the new code answers a hostile input the old one could not finish.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from scanner import globs, placeholders, secrets
from scanner.scanners import dotenv

OLD_PLACEHOLDER = re.compile(  # the definition, kept in step with every word added since
    r"(?i)^(?:x{3,}|\.{3,}|-+|\?+|changeme|change[_-]?(?:me|it)|replace[_-]?me|todo|tbd|none|"
    r"null|dummy|example|sample|placeholder|secret|password|token|test|fake|redacted|foo(?:bar)?|"
    r"baz|<[^>]*>|\[[^\]]*\]|your[_\- ].*|.*[_\-]here|enter[_\- ].*|insert[_\- ].*|"
    r".*x{3,}.*|.*\*{3,}.*|.*\.{3}|.*example(?:key)?|"
    r".*(?:placeholder|change[_\-]?(?:me|it)|change[_\-]this|replace[_\-]?me|example[_\-]?key|"
    r"not[_\-]?a[_\-]?secret).*|(?:.*[_\-])?(?:your|dummy)[_\-].*|"
    r".*(?-i:[Yy]our[A-Z]).*|(?-i:(?:change|replace)[A-Z]).*)$"
)
OLD_REFERENCE = re.compile(
    r"\$\{\{?\s*[^}]+\}\}?|\$[A-Za-z_][A-Za-z0-9_]*|\{env:[^}]+\}|"
    r"(?:vault|op|aws-sm|gcp-sm|azure-kv|secretsmanager)://\S+"
)
PIECES = ["x", "X", "xxx", "*", ".", "-", "?", "<", ">", "[", "]", "\n", " ", "_here", "your_",
          "Your", "A", "example", "key", "changeme", "$", "{", "}", "${", "{env:", "vault://",
          "a", "0", "token", "@", ":", "dummy", "changeit", "not-a-secret", "foo", "bar", "baz",
          "_", "change", "replace", "Password"]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


@given(texts)
def test_placeholder_answers_as_the_old_regex(value: str) -> None:
    assert placeholders.is_placeholder(value) == bool(OLD_PLACEHOLDER.fullmatch(value))


@given(texts)
def test_reference_answers_as_the_old_regex(value: str) -> None:
    assert secrets._has_reference(value) == bool(OLD_REFERENCE.search(value))


def test_hostile_values_are_answered() -> None:
    decoy = "x" * 20_000 + "\ny"  # cubic for the old placeholder regex
    assert secrets.value_state(decoy) == "literal"
    assert secrets.value_state("${" * 200_000) == "literal"  # quadratic for the old reference


def _old_glob(body: str, anchored: bool) -> re.Pattern[str]:
    # A final `/**` is `/` and any run: below the folder, never the folder itself (#20).
    parts = re.split(r"(\*\*/|\*\*|\*|\?)", body)
    regex = "".join(
        {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part))
        for part in parts
    )
    return re.compile(regex if anchored else "(?:.*/)?" + regex)


bodies = st.lists(st.sampled_from(["a", "b", "/", "*", "?", "**", "**/", "/**", "."]),
                  max_size=7).map("".join)  # fmt: skip
paths = st.lists(st.sampled_from(["a", "b", "/", "."]), max_size=8).map("".join)


@given(bodies, st.booleans(), paths)
def test_globs_answer_as_the_old_regex(body: str, anchored: bool, path: str) -> None:
    old = _old_glob(body, anchored)
    compiled = globs.compile_glob(body, anchored=anchored)
    nfa = globs.Glob(pattern=body, steps=compiled.steps, regex=None)  # the slow path too
    parts = path.split("/")[:-1]
    folder = any(old.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1))
    assert compiled.fullmatch(path) == nfa.fullmatch(path) == bool(old.fullmatch(path))
    assert compiled.matches_folder_of(path) == nfa.matches_folder_of(path) == folder


def test_hostile_glob_is_answered() -> None:
    glob = globs.compile_glob("*a" * 40 + "*b", anchored=False)
    assert glob.regex is None
    assert not glob.fullmatch("a" * 5000)
    assert glob.fullmatch("a" * 5000 + "b")


@given(st.lists(st.sampled_from(['A="', "B='", "x", "\\", '"', "'", "\n", "=", "#"]),
                max_size=12).map("".join))  # fmt: skip
def test_dotenv_parse_is_total(text: str) -> None:
    found, bad = dotenv.parse(text)
    assert all(a.line <= a.end_line for a in found)
    assert bad is None or bad[0] >= 1


def test_unclosed_quote_is_answered() -> None:
    found, bad = dotenv.parse('A=1\nB="\n' + "C=1\n" * 200_000)
    assert [a.key for a in found] == ["A"]
    assert bad == (2, 'has a " quote that is never closed')


OLD_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
OLD_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
OLD_MCP_REF = re.compile(
    r"\$\{input:(?P<input>[^}]+)\}|\$\{\{\s*secrets\.(?P<secret>[A-Za-z0-9_]+)\s*\}\}|"
    r"\$\{env:(?P<env1>[A-Za-z_][A-Za-z0-9_]*)\}|\{env:(?P<env2>[A-Za-z_][A-Za-z0-9_]*)\}|"
    r"\$\{(?P<env3>[A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}|\$(?P<env4>[A-Za-z_][A-Za-z0-9_]*)"
)
OLD_TABLE = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(?:#.*)?$")
SCANNER_PIECES = ["$", "{", "}", "${", "${{", "}}", '"', "\\", "a", "_", ".", " ", "\n",
                  "input:", "env:", ":-", "secrets.", "[", "]", "#", "a_b.c"]  # fmt: skip
scanner_texts = st.lists(st.sampled_from(SCANNER_PIECES), max_size=10).map("".join)


@given(scanner_texts)
def test_scanner_helpers_answer_as_the_old_regexes(text: str) -> None:
    from scanner.scanners import _expressions, _toml, mcp_values
    from scanner.scanners.terraform import expressions as terraform_lineage

    assert _expressions.expressions(text) == [m[1] for m in OLD_EXPRESSION.finditer(text)]
    assert terraform_lineage._blank_strings(text) == OLD_STRING.sub('""', text)
    old = OLD_MCP_REF.search(text)
    new = mcp_values.reference(text)
    if old is None:
        assert new == ("literal", None)
    elif old["input"] or old["secret"]:
        expected = ("input", old["input"]) if old["input"] else ("secret_ref", old["secret"])
        assert new == expected
    else:
        assert new == ("env_ref", old["env1"] or old["env2"] or old["env3"] or old["env4"])
    line = text.replace("\n", "")
    old_table = OLD_TABLE.match(line)
    new_table = _toml._TABLE.match(line)
    assert (old_table is None) == (new_table is None)
    if old_table and new_table:
        assert old_table[1] == (new_table[1].strip() or new_table[1][-1:])


def test_hostile_scanner_strings_are_answered() -> None:
    from scanner.scanners import _expressions, _toml, mcp_values
    from scanner.scanners.terraform import expressions as terraform_lineage

    assert _expressions.expressions("${{" * 200_000) == []
    assert mcp_values.reference("${input:" * 200_000) == ("literal", None)
    assert list(terraform_lineage.addresses('${"\\' * 200_000)) == []
    assert _toml._TABLE.match("[" + " " * 200_000) is None
