"""`nhi aggregate --github-org` end to end: the CLI lists the organisation on a local GitHub
server, downloads one repository's report artifact, clones and scans the one without, resolves
team members through the API, and opens one issue per repository with orphans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import demo
from scanner.cli import main
from tests.aggregate.server import State, github, repo, zip_of

ROSTER = """\
email,status,manager,github_login,name,aliases
carol@acme.example,active,,carolc,Carol Chen,
bob@acme.example,departed,carol@acme.example,bobb,Bob Baker,
alice@acme.example,active,bob@acme.example,alice-a,Alice Archer,
"""


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The demo organisation on a local GitHub: payments-infra uploaded its report artifact,
    data-pipeline never ran the workflow (its clone URL is the local demo repository)."""
    infra, pipeline = demo.build(tmp_path / "org")
    report = tmp_path / "infra.json"
    scan = ["scan", "--repo", str(infra), "--today", "2026-11-01", "--no-cache"]
    assert main([*scan, "--format", "json", "--output", str(report)]) == 0
    (tmp_path / "roster.csv").write_text(ROSTER)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test_token_value")
    with github(State()) as state:
        state.repos = [
            repo(state.base, "payments-infra"),
            repo(state.base, "data-pipeline", clone_url=str(pipeline)),
            repo(state.base, "archive", archived=True),
        ]
        state.artifacts["acme/payments-infra"] = [
            {
                "id": 5,
                "name": "nhi-report",
                "expired": False,
                "size_in_bytes": 10,
                "archive_download_url": f"{state.base}/repos/acme/payments-infra/actions/"
                "artifacts/5/zip",
            }
        ]
        state.archives[5] = zip_of({"nhi-report.json": report.read_bytes()})
        state.teams = {"payments-platform": ["alice-a"]}
        yield state, tmp_path


def run(state: State, tmp: Path, *extra: str) -> int:
    return main(
        [
            "aggregate",
            "--github-org",
            "acme",
            "--github-url",
            state.base,
            "--roster",
            str(tmp / "roster.csv"),
            "--as-of",
            "2026-11-01",
            "--clone-missing",
            "--reports-dir",
            str(tmp / "collected"),
            "--db",
            str(tmp / "inventory.sqlite"),
            *extra,
        ]
    )


def test_list_repos_prints_the_shard_matrix(org, capsys) -> None:
    state, tmp = org
    assert run(state, tmp, "--list-repos", "--shards", "3") == 0
    assert json.loads(capsys.readouterr().out) == {
        "include": [{"shard": 0, "repositories": 1}, {"shard": 1, "repositories": 1}]
    }


def test_collect_clone_aggregate_and_open_issues(org, capsys) -> None:
    state, tmp = org
    assert run(state, tmp, "--format", "json", "--open-issues", "--dry-run") == 1
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    # Carol, who wrote the two secrets nobody owns, is asked about them (#23).
    assert [(o["repository"], o["identity"], o["route_to"]) for o in result["orphans"]] == [
        (
            "acme/payments-infra",
            "deployer.tf#aws_iam_access_key.ci_deployer_2",
            ["@acme/payments-platform"],
        ),
        (
            "acme/data-pipeline",
            ".github/workflows/load.yml#secrets/ETL_SA_KEY",
            ["carol@acme.example"],
        ),
        (
            "acme/data-pipeline",
            "etl/service_accounts.tf#google_service_account.etl",
            ["carol@acme.example"],
        ),
        (
            "acme/data-pipeline",
            "etl/service_accounts.tf#google_service_account_key.etl",
            ["carol@acme.example"],
        ),
        (
            "acme/data-pipeline",
            "etl/service_accounts.tf#github_actions_secret.etl_key",
            ["carol@acme.example"],
        ),
    ]
    assert captured.err.splitlines() == [
        "nhi: [1/2] acme/data-pipeline",
        "nhi: [2/2] acme/payments-infra",
        "nhi: [1/1] acme/data-pipeline",
        "nhi: would create issue in acme/data-pipeline",
        "nhi: would create issue in acme/payments-infra",
    ]
    assert state.issues == {"acme/data-pipeline": [], "acme/payments-infra": []}
    # The team's members came from the API: alice is active, so the team is an active owner.
    assert [r.path for r in state.requests if "teams" in r.path] == [
        "/orgs/acme/teams/payments-platform",
        "/teams/payments-platform/members",
    ]

    # The same --reports-dir again: last run's clone and archive are replaced, not reused.
    assert run(state, tmp, "--format", "json", "--open-issues") == 1
    assert capsys.readouterr().err.splitlines()[-2:] == [
        "nhi: create issue #1 in acme/data-pipeline",
        "nhi: create issue #1 in acme/payments-infra",
    ]
    pipeline = state.issues["acme/data-pipeline"][0]["body"].splitlines()
    infra = state.issues["acme/payments-infra"][0]["body"].splitlines()
    assert [line.split(" <!--")[0] for line in pipeline[4:]] == [
        "- [ ] workflow\\_secret ETL\\_SA\\_KEY at .github/workflows/load.yml:8 (NHI001): "
        "decide @carolc",
        "- [ ] google\\_service\\_account etl at etl/service\\_accounts.tf:1 (NHI001, NHI101): "
        "decide @carolc",
        "- [ ] google\\_service\\_account\\_key etl at etl/service\\_accounts.tf:5 "
        "(NHI001, NHI101): decide @carolc",
        "- [ ] github\\_actions\\_secret etl\\_key at etl/service\\_accounts.tf:9 (NHI001): "
        "decide @carolc",
    ]
    assert [line.split(" <!--")[0] for line in infra[4:]] == [
        "- [ ] aws\\_iam\\_access\\_key ci\\_deployer\\_2 at deployer.tf:15 (NHI103): "
        "decide @acme/payments-platform",
    ]
    assert "ghp_test_token_value" not in json.dumps(state.issues)


def test_shard_jobs_collect_and_the_final_job_aggregates_without_collecting(org, capsys) -> None:
    state, tmp = org
    for shard in ("0", "1"):
        assert run(state, tmp, "--shards", "2", "--shard", shard, "--collect-only") == 0
    assert capsys.readouterr().err.splitlines() == [
        "nhi: [1/1] acme/data-pipeline",
        "nhi: [1/1] acme/data-pipeline",
        f"nhi: collected into {tmp / 'collected'}: reports 1, without a report 0, failed 0",
        "nhi: [1/1] acme/payments-infra",
        f"nhi: collected into {tmp / 'collected'}: reports 1, without a report 0, failed 0",
    ]
    listed = len(state.requests)
    code = main(
        [
            "aggregate",
            str(tmp / "collected"),
            "--github-org",
            "acme",
            "--github-url",
            state.base,
            "--no-collect",
            "--roster",
            str(tmp / "roster.csv"),
            "--as-of",
            "2026-11-01",
            "--no-db",
            "--format",
            "markdown",
            "--write",
            f"csv={tmp / 'review.csv'}",
        ]
    )
    assert code == 1
    assert [r.path for r in state.requests[listed:]] == [  # no listing, no download: teams only
        "/orgs/acme",
        "/orgs/acme/teams/payments-platform",
        "/teams/payments-platform/members",
    ]
    assert (tmp / "review.csv").read_text().splitlines()[0].startswith("decider,repository,")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--shards", "2", "--shard", "2"), "--shard 2 is out of range: shards are 0 to 1"),
        (("--write", "pdf=x.pdf"), "'pdf=x.pdf': expected FORMAT=FILE with FORMAT one of"),
    ],
)
def test_bad_org_options_exit_2(org, capsys, extra: tuple[str, ...], message: str) -> None:
    state, tmp = org
    assert run(state, tmp, *extra) == 2
    assert message in capsys.readouterr().err


def test_github_org_without_the_org_extra_is_one_clear_message(monkeypatch, capsys) -> None:
    # PyGithub comes with `nhi-scanner[org]` only; the pull-request scan never installs it.
    import sys

    import scanner.aggregate

    monkeypatch.setitem(sys.modules, "github", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "scanner.aggregate.github", raising=False)
    monkeypatch.delattr(scanner.aggregate, "github", raising=False)
    assert main(["aggregate", "--github-org", "acme", "--list-repos"]) == 3
    assert capsys.readouterr().err == (
        "nhi: error: --github-org needs the org extra (github is not installed): "
        "pip install 'nhi-scanner[org]'\n"
    )


def test_a_team_github_will_not_list_stops_the_run_unless_teams_describes_it(org, capsys) -> None:
    state, tmp = org
    state.team_status = {"payments-platform": 403}
    assert run(state, tmp, "--format", "json") == 3
    assert capsys.readouterr().err.splitlines()[-1] == (
        "nhi: error: cannot read the members of @acme/payments-platform (GitHub answered 403: "
        "Must have admin rights); the token needs the organisation's Members read permission, "
        "or describe the team in --teams. Stopped: guessing would make every identity the team "
        "owns an orphan"
    )
    # Described in --teams, the team is not asked for and the run goes on.
    (tmp / "teams.yml").write_text("'@acme/payments-platform':\n  - alice-a\n")
    before = len(state.requests)
    assert run(state, tmp, "--format", "json", "--teams", str(tmp / "teams.yml")) == 1
    assert not [r.path for r in state.requests[before:] if "teams" in r.path]
    orphans = json.loads(capsys.readouterr().out)["orphans"]
    assert orphans[0]["route_to"] == ["@acme/payments-platform"]
