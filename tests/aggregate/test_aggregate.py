"""`nhi aggregate` on the demo organisation's real reports, with a roster where Bob has left."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner import demo
from scanner.cli import main

ROSTER = """\
email,status,manager,github_login,name,aliases
carol@acme.example,active,,carolc,Carol Chen,
bob@acme.example,departed,carol@acme.example,bobb,Bob Baker,
alice@acme.example,active,bob@acme.example,alice-a,Alice Archer,
"""


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> Path:
    """The demo organisation's JSON reports, a roster, teams, and one broken report."""
    root = tmp_path_factory.mktemp("aggregate")
    reports = root / "reports"
    reports.mkdir()
    for repo in demo.build(root / "org"):
        out = reports / f"{repo.name}.json"
        assert main(
            [
                "scan",
                "--repo",
                str(repo),
                "--today",
                "2026-11-01",
                "--format",
                "json",
                "--output",
                str(out),
                "--no-cache",
            ]
        ) in (0, 1)
    (reports / "broken.json").write_text('{"broken": ')
    (root / "roster.csv").write_text(ROSTER)
    (root / "teams.json").write_text('{"@acme/payments-platform": ["alice-a"]}')
    return root


def edited_reports(org: Path, tmp_path: Path, edit: Callable[[dict], None]) -> Path:
    """A copy of the demo organisation's readable reports, each changed by `edit`."""
    reports = tmp_path / "reports"
    reports.mkdir()
    for source in (org / "reports").glob("*.json"):
        if source.name == "broken.json":
            continue
        document = json.loads(source.read_text())
        edit(document)
        (reports / source.name).write_text(json.dumps(document))
    return reports


def aggregate_json(org: Path, capsys, *extra: str) -> tuple[int, dict]:
    code = main(
        [
            "aggregate",
            str(org / "reports"),
            "--roster",
            str(org / "roster.csv"),
            "--teams",
            str(org / "teams.json"),
            "--as-of",
            "2026-11-01",
            "--format",
            "json",
            "--no-db",
            *extra,
        ]
    )
    return code, json.loads(capsys.readouterr().out)


def test_orphans_are_flagged_and_routed(org: Path, capsys) -> None:
    code, result = aggregate_json(org, capsys)
    assert code == 1
    assert result["repositories"] == ["acme/data-pipeline", "acme/payments-infra"]
    assert [
        (o["repository"], o["identity"], o["rules"], o["route_to"], o["why"])
        for o in result["orphans"]
    ] == [
        (
            "acme/payments-infra",
            "deployer.tf#aws_iam_access_key.ci_deployer_2",
            ["NHI103"],
            ["@acme/payments-platform"],
            "the active owners",
        ),
        # No owner at all, but Carol, who wrote them, is still here: she is asked (#23).
        (
            "acme/data-pipeline",
            ".github/workflows/load.yml#secrets/ETL_SA_KEY",
            ["NHI001"],
            ["carol@acme.example"],
            "the active provisioner; no manager or active owner could decide",
        ),
        (
            "acme/data-pipeline",
            "etl/service_accounts.tf#google_service_account.etl",
            ["NHI001", "NHI101"],
            ["carol@acme.example"],
            "manager of bob@acme.example",
        ),
        (
            "acme/data-pipeline",
            "etl/service_accounts.tf#google_service_account_key.etl",
            ["NHI001", "NHI101"],
            ["carol@acme.example"],
            "manager of bob@acme.example",
        ),
        (
            "acme/data-pipeline",
            "etl/service_accounts.tf#github_actions_secret.etl_key",
            ["NHI001"],
            ["carol@acme.example"],
            "the active provisioner; no manager or active owner could decide",
        ),
    ]
    assert result["orphans"][2]["people"] == [
        {
            "person": "bob@acme.example",
            "email": "bob@acme.example",
            "state": "departed",
            "reference": "bob@acme.example",
            "role": "provisioner",
        }
    ]
    assert (result["orphans"][2]["orphaned_since"], result["orphans"][2]["new"]) == (None, None)
    assert [(i["identity"], i["state"]) for i in result["identities"]] == [
        (".github/workflows/load.yml#secrets/ETL_SA_KEY", "orphaned"),
        ("etl/service_accounts.tf#google_service_account.etl", "orphaned"),
        ("etl/service_accounts.tf#google_service_account_key.etl", "orphaned"),
        ("etl/service_accounts.tf#github_actions_secret.etl_key", "orphaned"),
        ("deployer.tf#aws_iam_user.ci_deployer", "owned"),
        ("deployer.tf#aws_iam_access_key.ci_deployer", "owned"),
        ("deployer.tf#aws_iam_user_policy_attachment.ci_deployer", "owned"),
        ("deployer.tf#aws_iam_access_key.ci_deployer_2", "orphaned"),
    ]
    assert result["summary"] == {
        "repositories": 2,
        "identities": 8,
        "orphans": 5,
        "new_orphans": 0,
        "rejected": 1,
        "previous_run": None,
    }
    assert result["rejected"] == [
        {"source": str(org / "reports/broken.json"), "reason": "not valid JSON (line 1)"}
    ]


def test_a_departed_team_goes_to_the_default_owner(org: Path, capsys, tmp_path: Path) -> None:
    (tmp_path / "teams.json").write_text('{"@acme/payments-platform": ["bobb"]}')
    code = main(
        [
            "aggregate",
            str(org / "reports"),
            "--roster",
            str(org / "roster.csv"),
            "--teams",
            str(tmp_path / "teams.json"),
            "--as-of",
            "2026-11-01",
            "--default-owner",
            "security@acme.example",
            "--no-db",
            "--format",
            "csv",
        ]
    )
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert code == 1
    assert rows[0] == [
        "decider",
        "repository",
        "identity",
        "kind",
        "name",
        "path",
        "line",
        "state",
        "reason",
        "people",
        "orphaned_since",
        "why",
        "decision",  # the columns a decider fills in: the sheet is a --decisions file (#24)
        "reassign_to",
        "decided_by",
        "decided_on",
    ]
    # The team is gone, but Alice, who wrote its identities, is still here: she is asked
    # before the default owner (#23); only Dana, in no roster, leaves it to the default owner.
    assert [(row[0], row[2], row[8], row[9]) for row in rows[1:]] == [
        (
            "alice@acme.example",
            "deployer.tf#aws_iam_user.ci_deployer",
            # `'` before a formula character after a separator too (#16: OWASP CSV injection)
            "NHI102; '@acme/payments-platform departed",
            "alice@acme.example (provisioner, active); '@acme/payments-platform (owner, departed)",
        ),
        (
            "alice@acme.example",
            "deployer.tf#aws_iam_access_key.ci_deployer",
            # `'` before a formula character after a separator too (#16: OWASP CSV injection)
            "NHI102; '@acme/payments-platform departed",
            "alice@acme.example (provisioner, active); '@acme/payments-platform (owner, departed)",
        ),
        (
            "carol@acme.example",
            ".github/workflows/load.yml#secrets/ETL_SA_KEY",
            "NHI001",
            "carol@acme.example (provisioner, active)",
        ),
        (
            "carol@acme.example",
            "etl/service_accounts.tf#google_service_account.etl",
            "NHI001; NHI101; bob@acme.example departed",
            "bob@acme.example (provisioner, departed)",
        ),
        (
            "carol@acme.example",
            "etl/service_accounts.tf#google_service_account_key.etl",
            "NHI001; NHI101; bob@acme.example departed",
            "bob@acme.example (provisioner, departed)",
        ),
        (
            "carol@acme.example",
            "etl/service_accounts.tf#github_actions_secret.etl_key",
            "NHI001",
            "carol@acme.example (provisioner, active)",
        ),
        (
            "security@acme.example",
            "deployer.tf#aws_iam_access_key.ci_deployer_2",
            "NHI102; NHI103; dana@acme.example unknown; '@acme/payments-platform departed",
            "dana@acme.example (provisioner, unknown); '@acme/payments-platform (owner, departed)",
        ),
    ]
    # the decision columns are left for the decider
    assert [row[-4:] for row in rows[1:]] == [["", "", "", ""]] * 7


def test_bad_inputs_exit_3_with_one_message(org: Path, capsys, tmp_path: Path) -> None:
    (tmp_path / "only-bad.json").write_text("[]")
    assert (
        main(["aggregate", str(tmp_path / "only-bad.json"), "--roster", str(org / "roster.csv")])
        == 3
    )
    assert capsys.readouterr().err == (
        f"nhi: error: no report could be read ({tmp_path / 'only-bad.json'}: /: expected object)\n"
    )
    (tmp_path / "roster.json").write_text('{"what": 1}')
    assert main(["aggregate", str(org / "reports"), "--roster", str(tmp_path / "roster.json")]) == 3
    assert capsys.readouterr().err == (
        f"nhi: error: {tmp_path / 'roster.json'}: cannot tell the roster's format; give "
        "--roster-format\n"
    )


NOT_A_LIST = "must be a list of logins or emails"


@pytest.mark.parametrize(
    ("option", "text", "reason"),
    [
        ("--teams", '{"@acme/a": "alice"}', f"the members of '@acme/a' {NOT_A_LIST}"),
        ("--teams", "{1: [alice]}", f"the members of '1' {NOT_A_LIST}"),
        (
            "--people-map",
            '{"@alice": ["a@x"]}',
            "'@alice' must map to an email, not a list or number",
        ),
    ],
)
def test_bad_teams_and_people_maps_exit_3(
    org: Path, capsys, tmp_path: Path, option: str, text: str, reason: str
) -> None:
    path = tmp_path / ("map.yaml" if text.startswith("{1") else "map.json")
    path.write_text(text)
    argv = ["aggregate", str(org / "reports"), "--roster", str(org / "roster.csv"), "--no-db"]
    assert main([*argv, option, str(path)]) == 3
    assert capsys.readouterr().err == f"nhi: error: {path}: {reason}\n"


def test_a_team_that_contains_itself_is_judged_by_its_people(org: Path, capsys, tmp_path) -> None:
    teams = {"@acme/payments-platform": ["@acme/payments-platform", "@acme/core"],
             "@acme/core": ["@acme/payments-platform", "bobb"]}  # fmt: skip
    (tmp_path / "teams.json").write_text(json.dumps(teams))
    argv = ["aggregate", str(org / "reports"), "--roster", str(org / "roster.csv"), "--no-db"]
    assert main([*argv, "--teams", str(tmp_path / "teams.json"), "--format", "json"]) == 1
    people = {o["identity"]: o["people"] for o in json.loads(capsys.readouterr().out)["orphans"]}
    assert people["deployer.tf#aws_iam_access_key.ci_deployer"][-1] == {
        "person": "@acme/payments-platform",
        "email": None,
        "state": "departed",
        "reference": "@acme/payments-platform",
        "role": "owner",
    }


def test_the_inventory_says_since_when_and_what_is_new(org: Path, capsys, tmp_path: Path) -> None:
    db = tmp_path / "inventory.sqlite"
    (tmp_path / "before.csv").write_text(ROSTER.replace("departed", "active"))

    def aggregate(roster: Path, day: str, fmt: str = "text", reports: str = "") -> str:
        args = [str(org / "reports" / reports), "--roster", str(roster)]
        args += ["--teams", str(org / "teams.json"), "--as-of", day, "--db", str(db)]
        assert main(["aggregate", *args, "--format", fmt]) == 1
        return capsys.readouterr().out

    aggregate(tmp_path / "before.csv", "2026-03-01", reports="payments-infra.json")
    text = aggregate(org / "roster.csv", "2026-03-02")
    lines = text.splitlines()
    assert lines[-2] == f"rejected: {org / 'reports/broken.json'}: not valid JSON (line 1)"
    start = lines.index(
        "acme/data-pipeline: etl/service_accounts.tf:5: google_service_account_key etl "
        "[NHI001, NHI101] NEW"
    )
    # The roster does not say when Bob left: the inventory says when it was noticed (#23).
    assert [*lines[start + 1 : start + 4], lines[-1]] == [
        "    people: provisioner bob@acme.example (departed)",
        "    decide: carol@acme.example (manager of bob@acme.example)",
        "    noticed on 2026-03-02; bob@acme.example has left",
        "5 orphaned (4 new since 2026-03-01) of 8 identities in 2 repositories, 1 rejected",
    ]
    result = json.loads(aggregate(org / "roster.csv", "2026-03-09", "json"))
    assert [(o["name"], o["orphaned_since"], o["new"]) for o in result["orphans"]] == [
        ("ci_deployer_2", "2026-03-01", False),
        ("ETL_SA_KEY", "2026-03-02", False),
        ("etl", "2026-03-02", False),
        ("etl", "2026-03-02", False),
        ("etl_key", "2026-03-02", False),
    ]
    assert result["summary"]["previous_run"] == "2026-03-02"


def test_markdown_neutralises_untrusted_names() -> None:
    from scanner.aggregate.output import md
    from scanner.csv_cells import safe_cell

    assert md("<img src=x> [a](http://x) @everyone #1 `x`\n|") == (
        "&lt;img src=x&gt; \\[a\\]\\(http:&#8203;//x\\) @&#8203;everyone \\#1 \\`x\\` \\|"
    )
    assert [safe_cell(v) for v in ("=HYPERLINK(1)", "@acme/x", "-1", "ok", 3)] == [
        "'=HYPERLINK(1)", "'@acme/x", "'-1", "ok", "3"
    ]  # fmt: skip


def test_markdown_stops_at_its_row_limit_and_points_to_the_csv(
    org: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.aggregate import output as aggregate_output

    monkeypatch.setattr(aggregate_output, "MARKDOWN_ROWS", 1)
    argv = ["aggregate", str(org / "reports"), "--roster", str(org / "roster.csv"), "--no-db"]
    assert main([*argv, "--teams", str(org / "teams.json"), "--format", "markdown"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line.startswith(("## ", "| acme", "4 more"))] == [
        "## @&#8203;acme/payments\\-platform",
        "| acme/payments\\-infra | aws\\_iam\\_access\\_key ci\\_deployer\\_2 at deployer.tf:15 "
        "| NHI103 | dana@&#8203;acme.example \\(unknown\\), @&#8203;acme/payments\\-platform "
        "\\(active\\) |  |",
        "4 more orphans are not shown here: `--format csv` lists them all.",
        "## Rejected reports",
    ]


def test_duplicate_people_and_a_manager_cycle(org: Path, capsys, tmp_path: Path) -> None:
    """Bob twice (active in one row, departed in another: departed wins) and Carol and Bob
    managing each other, both gone: the decision goes to the default owner, saying why."""
    (tmp_path / "cycle.csv").write_text(
        "email,status,manager,github_login,name,aliases\n"
        "carol@acme.example,departed,bob@acme.example,carolc,Carol Chen,\n"
        "bob@acme.example,active,carol@acme.example,bobb,Bob Baker,\n"
        "bob@acme.example,departed,carol@acme.example,bobb,Bob Baker,\n"
    )
    argv = ["aggregate", str(org / "reports"), "--roster", str(tmp_path / "cycle.csv"), "--no-db"]
    argv += ["--default-owner", "security@acme.example", "--format", "json"]
    assert main(argv) == 1
    orphans = json.loads(capsys.readouterr().out)["orphans"]
    why = {o["identity"]: (o["route_to"], o["why"]) for o in orphans}
    assert why["etl/service_accounts.tf#google_service_account.etl"] == (
        ["security@acme.example"],
        "the default owner; nobody else could decide (bob@acme.example's managers: "
        "carol@acme.example (departed), cycle at bob@acme.example)",
    )


def test_an_unknown_provisioner_is_never_called_gone(org: Path, capsys, tmp_path: Path) -> None:
    # A shallow clone's boundary names whoever made the last commit: the aggregator must not
    # raise NHI101 on that person's departure nor send the identity to their manager (#20).
    def shallow_bob(document: dict) -> None:
        for item in document["identities"]:
            if (
                item["provisioner"] is not None
                and item["provisioner"]["email"] == "bob@acme.example"
            ):
                item["provisioner"]["confidence"] = "unknown"
        document["repository"]["shallow"] = document["repository"]["name"] == "acme/data-pipeline"

    reports = edited_reports(org, tmp_path, shallow_bob)
    code = main(["aggregate", str(reports), "--roster", str(org / "roster.csv"), "--teams",
                 str(org / "teams.json"), "--as-of", "2026-11-01", "--format", "json",
                 "--no-db"])  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    wanted = "etl/service_accounts.tf#google_service_account.etl"
    etl = next(o for o in result["orphans"] if o["identity"] == wanted)
    assert etl["rules"] == ["NHI001"]
    assert {"reference": "bob@acme.example", "role": "provisioner", "state": "unknown"}.items() <= (
        etl["people"][0].items()
    )
    assert "manager of bob" not in etl["why"]
    # The shallow report's warning reaches the organisation's output.
    assert result["notes"][0] == (
        "made on a shallow clone: acme/data-pipeline (1 of the reports); nobody there can be "
        "named as provisioner, so no departure can be told from them: scan with the full "
        "history (actions/checkout fetch-depth: 0)"
    )


def test_a_provisioner_nobody_could_name_is_no_person(org: Path, capsys, tmp_path: Path) -> None:
    """Only bots wrote it (or blame failed): the report's provisioner is unknown with an empty
    email and the evidence. The organisation lists no nameless person, routes to nobody by it,
    and never says ' is in no roster' of an empty name."""

    def bot_only(document: dict) -> None:
        for item in document["identities"]:
            if item["id"] == "etl/service_accounts.tf#google_service_account.etl":
                item["provisioner"] = {
                    "name": "", "email": "", "commit": "a" * 40,
                    "date": "2026-01-01T00:00:00+00:00", "uncommitted": False,
                    "confidence": "unknown", "co_authors": [],
                    "evidence": ["introduced in aaaaaaa on 2026-01-01 by the bot ci[bot]; no "
                                 "human wrote or co-authored it"],
                }  # fmt: skip

    reports = edited_reports(org, tmp_path, bot_only)
    args = ["aggregate", str(reports), "--roster", str(org / "roster.csv"), "--teams",
            str(org / "teams.json"), "--as-of", "2026-11-01", "--no-db"]  # fmt: skip
    assert main([*args, "--format", "json"]) == 1
    result = json.loads(capsys.readouterr().out)
    wanted = "etl/service_accounts.tf#google_service_account.etl"
    etl = next(o for o in result["orphans"] if o["identity"] == wanted)
    assert (etl["rules"], etl["people"]) == (["NHI001"], [])
    assert main([*args, "--format", "text"]) == 1
    text = capsys.readouterr().out
    assert "google_service_account etl [NHI001]" in text
    assert "provisioner  (" not in text and ";  is in no roster" not in text
