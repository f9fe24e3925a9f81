"""PyGithub against a real HTTP server on 127.0.0.1 (tests/aggregate/server.py): no mocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from github import Auth, Github

from scanner.aggregate.github import Organisation, Repo, clone_and_scan, shards
from scanner.aggregate.notify import MARKER, body, sync_all
from scanner.aggregate.resolve import PersonState, Resolved
from scanner.errors import RosterError
from tests.aggregate.server import State, github, repo, zip_of

TOKEN = "ghp_test_token_value"
REPORT = b'{"schema_version": 1}'


def client(state: State) -> Github:
    return Github(
        auth=Auth.Token(TOKEN),
        base_url=state.base,
        retry=None,
        per_page=100,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


@pytest.fixture
def server():
    with github(State()) as state:
        state.repos = [
            repo(state.base, "api"),
            repo(state.base, "old", archived=True),
            repo(state.base, "web"),
            repo(state.base, "copy", fork=True),
            repo(state.base, "db"),
        ]
        yield state


def artifact(state: State, number: int, *, expired: bool = False) -> dict[str, object]:
    return {
        "id": number,
        "name": "nhi-report",
        "expired": expired,
        "size_in_bytes": 10,
        "archive_download_url": f"{state.base}/repos/acme/api/actions/artifacts/{number}/zip",
    }


def test_repositories_follow_link_pages_and_skip_archived_and_forks(server: State) -> None:
    org = Organisation(client(server), "acme", TOKEN)
    assert [r.full_name for r in org.repositories()] == ["acme/api", "acme/db", "acme/web"]
    pages = [r.query.get("page", ["1"])[0] for r in server.requests if r.path.endswith("/repos")]
    assert pages == ["1", "2", "3"]
    assert [r.full_name for r in org.repositories(archived=True, forks=True)] == [
        "acme/api",
        "acme/copy",
        "acme/db",
        "acme/old",
        "acme/web",
    ]
    assert shards(org.repositories(), 2) == [["acme/api", "acme/web"], ["acme/db"]]


def test_latest_artifact_downloaded_through_the_redirect_without_our_token(
    server: State, tmp_path: Path
) -> None:
    server.artifacts["acme/api"] = [artifact(server, 12, expired=True), artifact(server, 11)]
    server.archives[11] = zip_of({"nhi-report.json": REPORT, "notes.txt": b"x"})
    server.fail = {"acme/web"}
    org = Organisation(client(server), "acme", TOKEN)
    seen: list[tuple[str, int, int]] = []
    collected = org.collect(
        org.repositories(), "nhi-report", tmp_path, lambda *step: seen.append(step)
    )
    assert collected.reports == (tmp_path / "acme__api/nhi-report.json",)
    assert collected.reports[0].read_bytes() == REPORT
    assert [r.full_name for r in collected.missing] == ["acme/db"]
    assert collected.failures == (("acme/web", "GitHub answered 500: Server Error"),)
    assert seen == [("acme/api", 1, 3), ("acme/db", 2, 3), ("acme/web", 3, 3)]
    api, blob = [r for r in server.requests if r.path.endswith("/zip") or "/blob/" in r.path]
    assert (api.path, api.headers.get("Authorization")) == (
        "/repos/acme/api/actions/artifacts/11/zip",
        f"Bearer {TOKEN}",
    )
    assert (blob.path, blob.query, "Authorization" in blob.headers) == (
        "/blob/11.zip",
        {"sig": ["abc"]},
        False,
    )


@pytest.mark.parametrize("name", ["../evil.json", "/etc/evil.json", "a/../../evil.json"])
def test_a_zip_slip_archive_is_refused(server: State, tmp_path: Path, name: str) -> None:
    server.repos = [repo(server.base, "api")]
    server.artifacts["acme/api"] = [artifact(server, 11)]
    server.archives[11] = zip_of({"ok.json": REPORT, name: REPORT})
    org = Organisation(client(server), "acme", TOKEN)
    collected = org.collect(org.repositories(), "nhi-report", tmp_path / "out")
    assert collected.failures == (("acme/api", f"unsafe path in the artifact: {name!r}"),)
    assert sorted(p.name for p in tmp_path.rglob("*.json")) == []


def test_team_members_and_rate_limits(server: State) -> None:
    server.teams = {"platform": ["alice-a", "bobb"]}
    waits: list[float] = []
    org = Organisation(
        client(server), "acme", TOKEN, sleep=waits.append, clock=lambda: 1_999_999_990.0
    )
    found = org.team_members(["@acme/platform", "@acme/ghosts", "@other/platform"])
    assert found.members == {"@acme/platform": ["alice-a", "bobb"]}
    assert found.notes() == (
        "GitHub has no team @acme/ghosts that this token can see (deleted, renamed, or secret): "
        "the identities it owns have no known owner; describe it (or its successor) in --teams",
    )
    assert waits == []
    server.remaining = 12  # below the reserve: wait until the reset (10 s away) and a second
    org.repositories()
    org.respect_rate_limit()
    assert waits == [11.0]


@pytest.mark.parametrize("status", [403, 500])
def test_a_team_lookup_that_fails_stops_the_run(server: State, status: int) -> None:
    """No Members permission or a server error must not pass for 'unknown team': every
    identity the team owns would become an orphan (#23)."""
    server.teams = {"platform": ["alice-a"]}
    server.team_status = {"secrets": status}
    org = Organisation(client(server), "acme", TOKEN, sleep=lambda _: None)
    with pytest.raises(RosterError) as raised:
        org.team_members(["@acme/platform", "@acme/secrets"])
    reason = "Must have admin rights"
    assert str(raised.value) == (
        f"cannot read the members of @acme/secrets (GitHub answered {status}: {reason}); the "
        "token needs the organisation's Members read permission, or describe the team in "
        "--teams. Stopped: guessing would make every identity the team owns an orphan"
    )


def orphan(repository: str, name: str) -> Resolved:
    bob = PersonState(
        reference="bob@acme.example", role="provisioner", state="departed", email="bob@acme.example"
    )
    return Resolved(
        repository=repository,
        identity=f"iam.tf#aws_iam_access_key.{name}",
        kind="aws_iam_access_key",
        name=name,
        path="iam.tf",
        line=3,
        state="orphaned",
        rules=("NHI101",),
        people=(bob,),
        route_to=("carol@acme.example",),
        why="manager of bob@acme.example",
    )


def logins(email: str) -> list[str]:
    return {"carol@acme.example": ["carolc"]}.get(email, [])


def test_issues_are_opened_updated_ticked_and_closed(server: State) -> None:
    gh = client(server)
    handle = gh.get_repo
    evil = orphan("acme/api", "x [click](http://evil) @everyone <b>")
    keep = orphan("acme/api", "deployer")
    actions, failures = sync_all(handle, [keep, evil], ["acme/api"], logins, dry_run=True)
    assert ([a.describe() for a in actions], failures, server.issues) == (
        ["create issue in acme/api"],
        [],
        {"acme/api": []},
    )
    actions, _ = sync_all(handle, [keep, evil], ["acme/api"], logins, dry_run=False)
    assert [a.describe() for a in actions] == ["create issue #1 in acme/api"]
    text = server.issues["acme/api"][0]["body"]
    assert text.splitlines()[0] == MARKER
    assert text.splitlines()[4:] == [
        "- [ ] aws\\_iam\\_access\\_key deployer at iam.tf:3 (NHI101): decide @carolc "
        "<!-- nhi-key:aWFtLnRmI2F3c19pYW1fYWNjZXNzX2tleS5kZXBsb3llcg== -->",
        "- [ ] aws\\_iam\\_access\\_key x \\[click\\]\\(http:&#8203;//evil\\) @&#8203;everyone "
        "&lt;b&gt; "
        "at iam.tf:3 (NHI101): decide @carolc <!-- nhi-key:aWFtLnRmI2F3c19pYW1fYWNjZXNzX2tleS54"
        "IFtjbGlja10oaHR0cDovL2V2aWwpIEBldmVyeW9uZSA8Yj4= -->",
    ]
    actions, _ = sync_all(handle, [keep, evil], ["acme/api"], logins, dry_run=False)
    assert [a.describe() for a in actions] == ["unchanged issue #1 in acme/api"]
    actions, _ = sync_all(handle, [keep], ["acme/api"], logins, dry_run=False)
    assert [a.describe() for a in actions] == ["update issue #1 in acme/api"]
    assert (
        server.issues["acme/api"][0]["body"]
        .splitlines()[-1]
        .startswith("- [x] aws\\_iam\\_access\\_key x \\[click\\]")
    )
    actions, _ = sync_all(handle, [], ["acme/api"], logins, dry_run=False)
    assert [a.describe() for a in actions] == ["close issue #1 in acme/api"]
    issue = server.issues["acme/api"][0]
    assert (issue["state"], [line[:5] for line in issue["body"].splitlines()[4:]]) == (
        "closed",
        ["- [x]", "- [x]"],
    )
    assert len(server.issues["acme/api"]) == 1
    assert [(r.method, r.path) for r in server.requests if r.method != "GET"] == [
        ("POST", "/repos/acme/api/issues"),
        ("PATCH", "/repos/acme/api/issues/1"),
        ("PATCH", "/repos/acme/api/issues/1"),
    ]


def test_a_resolved_line_is_not_ticked_twice() -> None:
    first = body([orphan("acme/api", "a")], logins)
    assert body([], logins, body([], logins, first)) == body([], logins, first)


def test_clone_and_scan_bounded_and_one_failure_listed(git_repo, tmp_path: Path) -> None:
    git_repo.write("iam.tf", 'resource "aws_iam_user" "ci" { name = "ci" }\n')
    git_repo.commit("add ci")
    repos = [
        Repo(full_name="acme/good", clone_url=str(git_repo.root), archived=False, fork=False),
        Repo(
            full_name="acme/gone", clone_url=str(tmp_path / "nowhere"), archived=False, fork=False
        ),
    ]
    work = tmp_path / "work"
    work.mkdir()
    collected = clone_and_scan(
        repos,
        work,
        None,
        2,
        lambda root, name: json.dumps(
            [name, sorted(p.name for p in root.iterdir() if p.name != ".git")]
        ),
    )
    assert collected.reports == (work / "acme__good/report.json",)
    assert json.loads(collected.reports[0].read_text()) == ["acme/good", ["iam.tf"]]
    assert [(name, reason.split(":")[0]) for name, reason in collected.failures] == [
        ("acme/gone", "git clone failed")
    ]
