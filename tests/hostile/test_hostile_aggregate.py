"""`nhi aggregate` on hostile inputs: broken reports, rosters and teams, duplicates and cycles.

A report that cannot be used is a `rejected` entry and the rest go on; a roster or teams file
that cannot be used stops the run with exit 3 and one line naming the file, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from scanner.cli import main

REPORT = Path(__file__).parent.parent / "reporters" / "golden" / "report.json"
SECRET = "ghp_Y6tR3wQ9zX2cV5bN8mL1kJ4hG7fD0sA3pO6iU"


def run(tmp_path: Path, capsys, files: dict[str, str], *args: str) -> tuple[int, str, str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    code = main(["aggregate", *(str(tmp_path / a) if a in files else a for a in args),
                 "--as-of", "2026-11-01", "--format", "json", "--no-db"])  # fmt: skip
    out, err = capsys.readouterr()
    return code, out, err


def test_bad_reports_are_rejected_and_never_quoted(tmp_path: Path, capsys) -> None:
    bad_version = json.dumps({"schema_version": SECRET})
    wrong_type = json.loads(REPORT.read_text())
    wrong_type["identities"][0]["name"] = ["not", SECRET]
    files = {
        "good.json": REPORT.read_text(),
        "deep.json": "[" * 100_000,
        "version.json": bad_version,
        "type.json": json.dumps(wrong_type),
        "roster.csv": "email,status\nalice@example.com,active\n",
    }
    code, out, err = run(tmp_path, capsys, files, "good.json", "deep.json", "version.json",
                         "type.json", "--roster", "roster.csv")  # fmt: skip
    assert (code, err) == (1, "")  # the good report has orphans
    assert SECRET not in out
    assert json.loads(out)["rejected"] == [
        {"source": str(tmp_path / "deep.json"), "reason": "not valid JSON (nested too deeply)"},
        {"source": str(tmp_path / "version.json"),
         "reason": "report format version of type str is not supported; this nhi reads version 1"},
        {"source": str(tmp_path / "type.json"), "reason": "/identities/0/name: expected string"},
    ]  # fmt: skip


def test_no_usable_report_is_one_clear_error(tmp_path: Path, capsys) -> None:
    files = {"a.json": "{", "roster.csv": "email\n"}
    code, out, err = run(tmp_path, capsys, files, "a.json", "--roster", "roster.csv")
    assert (code, out) == (3, "")
    assert (
        err
        == f"nhi: error: no report could be read ({tmp_path / 'a.json'}: not valid JSON (line 1))\n"
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("roster.json", '[{"profile": ' + "[" * 100_000,
         "roster.json: not valid JSON (nested too deeply)"),
        ("roster.json", '{"value": {"a": 1}}', "roster.json: cannot tell the roster's format; "
         "give --roster-format"),
        ("teams.json", '{"@acme/x": "alice"}',
         "teams.json: the members of '@acme/x' must be a list of logins or emails"),
        ("teams.json", '{"@acme/x": [["alice"]]}',
         "teams.json: the members of '@acme/x' must be a list of logins or emails"),
        ("teams.yaml", "a: &a [*a]\n", "teams.yaml: the members of 'a' must be a list of "
         "logins or emails"),
        # A team as a mapping (#23): a lead that is not text, a key we do not know.
        ("teams.json", '{"@acme/x": {"members": ["a"], "lead": 3}}',
         "teams.json: the lead of '@acme/x' must be a login or email"),
        ("teams.json", '{"@acme/x": {"members": ["a"], "boss": "b"}}',
         "teams.json: the members of '@acme/x' must be a list of logins or emails"),
        ("teams.json", '{"@acme/x": {"members": "a"}}',
         "teams.json: the members of '@acme/x' must be a list of logins or emails"),
        ("teams.yaml", "[" * 100_000, "teams.yaml: not valid YAML"),
        ("people.json", '{"bob@x": 3}',
         "people.json: 'bob@x' must map to an email, not a list or number"),
    ],
)  # fmt: skip
def test_unusable_roster_files_exit_3_with_one_line(
    tmp_path: Path, capsys, name: str, text: str, message: str
) -> None:
    files = {"good.json": REPORT.read_text(), "roster.csv": "email\nalice@example.com\n",
             name: text}  # fmt: skip
    option = {"roster": "--roster", "teams": "--teams", "people": "--people-map"}[
        name.split(".")[0]
    ]
    args = ["good.json", "--roster", "roster.csv", option, name]
    if option == "--roster":
        args = ["good.json", "--roster", name]
    code, out, err = run(tmp_path, capsys, files, *args)
    assert (code, out) == (3, "")
    assert err == f"nhi: error: {tmp_path / message}\n"


def test_duplicate_people_and_a_manager_cycle(tmp_path: Path, capsys) -> None:
    roster = (
        "email,status,manager\n"
        "alice@example.com,active,bob@example.com\n"
        "bob@example.com,departed,alice@example.com\n"
        "alice@example.com,departed,bob@example.com\n"  # listed twice: departed wins
    )
    files = {"good.json": REPORT.read_text(), "roster.csv": roster}
    code, out, err = run(tmp_path, capsys, files, "good.json", "--roster", "roster.csv",
                         "--default-owner", "sec@example.com")  # fmt: skip
    assert (code, err) == (1, "")
    orphans = json.loads(out)["orphans"]
    # alice (departed: the more severe of her two rows) -> bob (departed) -> alice: a cycle,
    # so nobody up the chain can decide and the default owner gets it.
    assert [(o["identity"], o["route_to"], o["why"]) for o in orphans] == [
        (
            ".github/workflows/deploy.yml#secrets/DEPLOY_TOKEN",
            ["sec@example.com"],
            "the default owner; nobody else could decide",
        ),
        (
            "a%b,c:d.tf#aws_iam_user.weird",
            ["sec@example.com"],
            "the default owner; nobody else could decide",
        ),
        (
            "infra/iam.tf#aws_iam_access_key.ci",
            ["sec@example.com"],
            "the default owner; nobody else could decide (alice@example.com's managers: "
            "bob@example.com (departed), cycle at alice@example.com)",
        ),
    ]
    assert orphans[2]["people"] == [
        {
            "person": "alice@example.com",
            "reference": "alice@example.com",
            "role": "provisioner",
            "state": "departed",
            "email": "alice@example.com",
        }
    ]


def _chain(depth: int) -> str:
    teams = {f"@acme/t{n}": [f"@acme/t{n + 1}"] for n in range(depth)}
    return json.dumps({"@acme/ci": ["@acme/t0"], **teams, f"@acme/t{depth}": ["alice"]})


def _diamond(layers: int) -> str:
    """82 teams, two per layer, each listing both of the next layer: 2**41 paths, 82 teams."""
    teams = {"@acme/ci": ["@acme/a0", "@acme/b0"]}
    for n in range(layers):
        below = [f"@acme/a{n + 1}", f"@acme/b{n + 1}"] if n + 1 < layers else ["gone"]
        teams |= {f"@acme/a{n}": below, f"@acme/b{n}": below}
    return json.dumps(teams)


def test_teams_nested_3000_deep_exit_3(tmp_path: Path, capsys) -> None:
    files = {"good.json": REPORT.read_text(), "roster.csv": "email\nalice@example.com\n",
             "teams.json": _chain(3000)}  # fmt: skip
    code, out, err = run(tmp_path, capsys, files, "good.json", "--roster", "roster.csv",
                         "--teams", "teams.json")  # fmt: skip
    assert (code, out) == (3, "")
    assert err == (
        f"nhi: error: {tmp_path / 'teams.json'}: @acme/ci nests teams more than 100 levels deep\n"
    )


def test_a_diamond_of_82_teams_resolves(tmp_path: Path, capsys) -> None:
    files = {"good.json": REPORT.read_text(), "roster.csv": "email\nalice@example.com\n",
             "teams.json": _diamond(41)}  # fmt: skip
    code, out, err = run(tmp_path, capsys, files, "good.json", "--roster", "roster.csv",
                         "--teams", "teams.json")  # fmt: skip
    assert (code, err) == (1, "")
    people = {o["identity"]: o["people"] for o in json.loads(out)["orphans"]}
    # Its only person, "gone", is in no roster: the team is unknown, not departed (#23).
    assert people[".github/workflows/deploy.yml#secrets/DEPLOY_TOKEN"] == [
        {
            "person": "@acme/ci",
            "reference": "@acme/ci",
            "role": "owner",
            "state": "unknown",
            "email": None,
        }
    ]


# Names a spreadsheet would run: at the start of a cell, or after a separator it may split on
# (a `;` locale, tab- or pipe-separated import) (#16: OWASP CSV injection).
FORMULA_NAMES = {
    "start": ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
    "after_semicolon": ("ok;=1+1", "ok;'=1+1"),
    "after_semicolon_blank": ("ok; @SUM(1)", "ok; '@SUM(1)"),
    "after_comma": ("ok,-2+3", "ok,'-2+3"),
    "after_tab": ("ok\t+cmd", "ok\t'+cmd"),
    "after_pipe": ("ok|=cmd", "ok|'=cmd"),
    "after_newline": ("ok\n=cmd", "ok\n'=cmd"),
    "leading_blank": (" =cmd", "' =cmd"),
}


@pytest.mark.parametrize("case", sorted(FORMULA_NAMES))
def test_csv_cells_never_start_a_formula(tmp_path: Path, capsys, case: str) -> None:
    name, expected = FORMULA_NAMES[case]
    report = json.loads(REPORT.read_text())
    report["identities"][0]["name"] = name
    files = {"r.json": json.dumps(report), "roster.csv": "email,status\n"}
    for path, text in files.items():
        (tmp_path / path).write_text(text)
    db = str(tmp_path / "inventory.sqlite")
    code = main(["aggregate", str(tmp_path / "r.json"), "--roster", str(tmp_path / "roster.csv"),
                 "--as-of", "2026-11-01", "--db", db, "--format", "csv"])  # fmt: skip
    review = capsys.readouterr().out
    assert main(["inventory", "--db", db, "--format", "csv"]) == 0
    inventory = capsys.readouterr().out
    assert code == 1
    for text, column in ((review, 4), (inventory, 3)):
        rows = [r for r in csv.reader(io.StringIO(text)) if r[column] == expected]
        assert len(rows) == 1, text
        # An importer that splits on any separator and ignores quotes still sees no formula.
        for line in text.splitlines():
            for piece in re.split(r"[,;\t|]", line):
                assert not piece.lstrip(' "').startswith(("=", "+", "-", "@")), (line, piece)
