"""Fuzzing every parser: any input ends in results or our own documented error, never another
exception, and within a time bound.

Inputs are both raw text and text shaped like each format (JSON, YAML, TOML, HCL, porcelain,
CSV built from random structures), so the fuzzer gets past the first byte. The example count
is bounded for CI (profile `ci`, the default); for a long local run:

    HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/fuzz
"""

from __future__ import annotations

import datetime
import json
import string
import tomllib
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from scanner.attribution import blame, codeowners
from scanner.errors import ParseError, PolicyError, ReportError, RosterError
from scanner.model import Waiver, WaiverStatus
from scanner.policy.loader import parse as parse_policy
from scanner.policy.waivers import parse_file as parse_waivers
from scanner.reporters.json import from_json
from scanner.roster import ROSTER_FORMATS
from scanner.roster import parse as parse_roster
from scanner.scanners import SCANNERS, for_path

# The example budgets (profiles ci and long) are set in tests/conftest.py.

AS_OF = datetime.date(2026, 11, 1)
KEYS = st.sampled_from(
    ["mcpServers", "servers", "command", "args", "env", "headers", "url", "jobs", "steps", "on",
     "run", "with", "secrets", "resource", "name", "user", "policy", "token", "GITHUB_TOKEN",
     "value", "type", "id", "emails", "manager", "active", "Resources", "profile", "status"]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["${{ secrets.TOKEN }}", "${API_KEY}", "ghp_" + "a" * 36, "npx", "-e", "*"]),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(KEYS, st.text(max_size=10)), inner, max_size=6),
    ),
    max_leaves=40,
)
TEXT = st.text(max_size=2000)


def shaped(dump: Callable[[Any], str]) -> st.SearchStrategy[str]:
    """Random documents written in a format, plus raw text, plus a document cut short."""
    documents = DOCUMENTS.map(dump)
    cut = documents.flatmap(lambda t: st.integers(0, len(t)).map(lambda n: t[:n]))
    return st.one_of(TEXT, documents, cut)


def _toml(value: Any) -> str:
    table = value if isinstance(value, dict) else {"mcp_servers": {"x": {"command": value}}}
    lines = []
    for key, item in table.items():
        lines.append(f"{json.dumps(str(key))} = {json.dumps(item, default=str)}")
    return "\n".join(lines)


JSON_TEXT = shaped(lambda v: json.dumps(v, default=str))
YAML_TEXT = shaped(lambda v: yaml.safe_dump(v, default_flow_style=False))
TOML_TEXT = shaped(_toml)
RESOURCE_TYPES = ["aws_iam_user", "aws_iam_access_key", "google_service_account_key",
                  "github_actions_secret", "module", "x"]  # fmt: skip
HCL_TEXT = st.one_of(
    TEXT,
    st.builds(
        lambda kind, name, body: f'resource "{kind}" "{name}" {{\n{body}\n}}\n',
        st.sampled_from(RESOURCE_TYPES),
        st.text(alphabet=string.ascii_letters + "_-", min_size=0, max_size=12),
        st.text(alphabet=string.printable, max_size=300),
    ),
)
DOTENV_TEXT = st.one_of(
    TEXT,
    st.lists(
        st.builds(
            lambda key, quote, value: f"{key}={quote}{value}{quote}",
            st.text(alphabet=string.ascii_uppercase + "_ .-", min_size=0, max_size=12),
            st.sampled_from(["", "'", '"', "`"]),
            st.text(alphabet=string.printable, max_size=60),
        ),
        max_size=20,
    ).map("\n".join),
)
PATHS = {
    "terraform": (["main.tf"], HCL_TEXT),
    "terraform.json": (["main.tf.json"], JSON_TEXT),
    "workflows": ([".github/workflows/ci.yml"], YAML_TEXT),
    "mcp.json": (
        [".mcp.json", ".vscode/mcp.json", ".zed/settings.json", "opencode.jsonc"],
        JSON_TEXT,
    ),
    "mcp.toml": ([".codex/config.toml"], TOML_TEXT),
    "mcp.yaml": ([".continue/mcpServers/a.yaml"], YAML_TEXT),
    "dotenv": ([".env", "app/.env.local", ".envrc"], DOTENV_TEXT),
}


@pytest.mark.parametrize("case", sorted(PATHS))
def test_every_scanner_returns_facts_or_a_parse_error(case: str) -> None:
    paths, texts = PATHS[case]

    @given(path=st.sampled_from(paths), text=texts)
    def check(path: str, text: str) -> None:
        name = for_path(path)
        assert name is not None
        try:
            facts = list(SCANNERS[name].scan(path, text))
        except ParseError as error:
            assert error.message and "\n" not in error.message
            return
        for fact in facts:
            assert fact.path == path

    check()


def test_the_toml_shape_is_toml() -> None:
    assert tomllib.loads(_toml({"a": [1, "b"]})) == {"a": [1, "b"]}


OWNERS_LINE = st.builds(
    lambda pattern, owners: f"{pattern} {' '.join(owners)}",
    st.text(alphabet=string.ascii_letters + "/*?![]\\.#- ", max_size=20),
    st.lists(st.sampled_from(["@a", "@org/team", "a@b.c", "@", "x", "@a/b/c"]), max_size=4),
)


@given(st.one_of(TEXT, st.lists(OWNERS_LINE, max_size=30).map("\n".join)))
def test_codeowners_parses_anything_into_rules_and_problems(text: str) -> None:
    parsed = codeowners.parse(text)
    for problem in parsed.problems:
        assert problem.line >= 1 and "\n" not in problem.message
    parsed.match("infra/iam.tf")


PORCELAIN_KEYS = ["author A", "author-mail <a@b>", "author-time 1", "author-time x", "summary s",
                  "boundary", "previous 0 f", "filename f", "\tcode"]  # fmt: skip
PORCELAIN = st.lists(
    st.one_of(
        st.builds(
            lambda sha, a, b: f"{sha} {a} {b} 1",
            st.text(alphabet="0123456789abcdef", min_size=40, max_size=40),
            st.integers(0, 500),
            st.integers(0, 500),
        ),
        st.sampled_from(PORCELAIN_KEYS),
        st.text(max_size=30),
    ),
    max_size=40,
).map("\n".join)


@given(st.one_of(TEXT, PORCELAIN))
def test_blame_porcelain_parses_or_stops_cleanly(text: str) -> None:
    for number, line in blame.parse(text).items():
        assert number == line.number


ROSTER_TEXT = st.one_of(
    JSON_TEXT,
    st.lists(
        st.lists(st.text(alphabet=string.printable.replace("\n", ""), max_size=15), max_size=7).map(
            ",".join
        ),
        max_size=10,
    ).map(lambda rows: "email,status,manager,github_login,name,aliases\n" + "\n".join(rows)),
)


@pytest.mark.parametrize("fmt", ["auto", *sorted(ROSTER_FORMATS)])
def test_every_roster_format_gives_people_or_a_roster_error(fmt: str) -> None:
    @given(ROSTER_TEXT)
    def check(text: str) -> None:
        try:
            people = parse_roster(text, "roster", AS_OF, fmt)
        except RosterError as error:
            assert str(error).startswith("roster")
            return
        for person in people:
            assert person.state in {"active", "suspended", "departed", "not_started", "leaving",
                                    "unknown"}  # fmt: skip

    check()


@given(JSON_TEXT)
def test_a_report_reads_or_is_rejected(text: str) -> None:
    try:
        from_json(text, "r.json")
    except ReportError as error:
        assert str(error).startswith("r.json: ")


@given(YAML_TEXT)
def test_a_policy_loads_or_is_refused(text: str) -> None:
    try:
        parse_policy(text, "p.yaml")
    except PolicyError as error:
        assert str(error).startswith("p.yaml: ")


@given(YAML_TEXT)
def test_a_waivers_file_gives_waivers_or_invalid_entries(text: str) -> None:
    try:
        entries = parse_waivers(text)
    except PolicyError as error:
        assert str(error).startswith(".nhi-waivers.yaml: ")
        return
    for entry in entries:
        assert isinstance(entry, (Waiver, WaiverStatus))


def test_regressions_the_fuzzer_found() -> None:
    # A bare carriage return inside a CSV roster was a csv.Error traceback.
    assert parse_roster("email\n\r0", "r.csv", AS_OF, "csv") == []
    with pytest.raises(RosterError) as raised:  # and a csv.Error is a RosterError
        parse_roster("email\n" + "a" * 200_000, "r.csv", AS_OF, "csv")
    assert str(raised.value) == (
        "r.csv: not a valid CSV file (line 2: field larger than field limit (131072))"
    )
    # A YAML key that is not a string made jsonschema-rs raise ValueError.
    with pytest.raises(PolicyError) as refused:
        parse_policy("?", "p.yaml")
    assert str(refused.value).startswith("p.yaml: /: ")


def test_blame_with_a_time_that_is_not_a_number() -> None:
    sha = "a" * 40
    text = f"{sha} 1 1 1\nauthor A\nauthor-mail <a@b>\nauthor-time x\n\tcode\n"
    assert blame.parse(text)[1].commit.time == 0
