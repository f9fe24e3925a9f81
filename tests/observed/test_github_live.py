"""The live GitHub export through PyGithub against a real HTTP server on 127.0.0.1
(tests/aggregate/server.py): every endpoint paginated, a refused repository listed, the rate
limit waited for, and the written file read back by the offline parser. No mocks."""

from __future__ import annotations

import json

import pytest
from github import Auth, Github

from scanner.observed import parse
from scanner.observed.github_live import save
from tests.aggregate.server import State, github, repo

SECRET = {"created_at": "2025-01-10T10:00:00Z", "updated_at": "2025-02-10T10:00:00Z"}


def client(state: State) -> Github:
    return Github(auth=Auth.Token("ghp_test_token_value"), base_url=state.base, retry=None,
                  per_page=100, seconds_between_requests=0, seconds_between_writes=0)  # fmt: skip


@pytest.fixture
def server():
    with github(State()) as s:
        s.repos = [repo(s.base, "api", id=11), repo(s.base, "old", archived=True),
                   repo(s.base, "web", id=12)]  # fmt: skip
        s.pages = {
            "/orgs/acme/actions/secrets": ("secrets", [
                {"name": "NPM_TOKEN", "visibility": "all", **SECRET},
                {"name": "SONAR_TOKEN", "visibility": "selected", **SECRET,
                 "selected_repositories_url":
                     f"{s.base}/orgs/acme/actions/secrets/SONAR_TOKEN/repositories"},
                {"name": "THIRD", "visibility": "private", **SECRET}]),
            "/orgs/acme/actions/secrets/SONAR_TOKEN/repositories": ("repositories", [
                repo(s.base, "web", id=12)]),
            "/orgs/acme/personal-access-tokens": (None, [
                {"id": n, "token_id": 100 + n, "token_name": f"bot-{n}",
                 "owner": {"login": "octocat"},
                 "token_expired": n == 3, "access_granted_at": "2026-03-05T00:00:00Z",
                 "token_last_used_at": None, "token_expires_at": "2027-03-05T00:00:00Z",
                 "repository_selection": "all"} for n in (1, 2, 3)]),
            "/orgs/acme/installations": ("installations", [
                {"id": 7, "app_id": 42, "app_slug": "deploy-helper", "target_type": "Organization",
                 "permissions": {"contents": "write"}, "repository_selection": "all",
                 "created_at": "2025-06-01T00:00:00Z", "suspended_at": None}]),
            "/repos/acme/api/actions/secrets": ("secrets", [
                {"name": "DEPLOY_TOKEN", **SECRET}, {"name": "OLD_TOKEN", **SECRET},
                {"name": "SPARE", **SECRET}]),
            "/repos/acme/api/environments": ("environments", [
                {"name": "prod", "id": 5, "url": f"{s.base}/repos/acme/api/environments/prod"}]),
            "/repos/acme/api/environments/prod/secrets": ("secrets", [
                {"name": "DB_PASSWORD", **SECRET}]),
            "/repos/acme/api/keys": (None, [
                {"id": 9, "title": "mirror", "key": "ssh-ed25519 AAAAC3Nza", "read_only": False,
                 "verified": True, "created_at": "2024-01-15T00:00:00Z",
                 "last_used": "2026-11-20T00:00:00Z", "added_by": "janedoe"}]),
        }  # fmt: skip
        s.errors = {"/repos/acme/web/actions/secrets": 403}
        yield s


def test_the_organisation_is_collected_paginated_and_read_back(server, tmp_path) -> None:
    waits: list[float] = []
    server.remaining = 12  # below the reserve: every repository waits for the reset
    path = tmp_path / "github.json"
    failures = save(client(server), "acme", path, sleep=waits.append,
                    clock=lambda: 1_999_999_990.0)  # fmt: skip
    assert failures == [
        ("acme/web: secrets and deploy keys", "GitHub answered 403: Must have admin rights")
    ]
    assert waits == [11.0, 11.0]  # api and web; the archived one is not asked
    pages = sorted(r.query.get("page", ["1"])[0] + " " + r.path for r in server.requests
                   if r.path in server.pages)  # fmt: skip
    assert "2 /orgs/acme/personal-access-tokens" in pages
    assert "2 /orgs/acme/actions/secrets" in pages
    assert "2 /repos/acme/api/actions/secrets" in pages
    saved = path.read_text()
    assert "AAAAC3Nza" not in saved  # a deploy key's public key is not kept
    name, found = parse(str(path), saved)
    assert name == "github"
    assert [(o.kind, o.scope, o.name, o.live, o.owner, o.creator) for o in found] == [
        ("github_repository", "org:acme", "org:acme", True, None, None),
        ("github_secret", "org:acme", "NPM_TOKEN", True, None, None),
        ("github_secret", "org:acme", "SONAR_TOKEN", True, None, None),
        ("github_secret", "org:acme", "THIRD", True, None, None),
        ("github_pat", "org:acme", "bot-1", True, "@octocat", None),
        ("github_pat", "org:acme", "bot-2", True, "@octocat", None),
        ("github_pat", "org:acme", "bot-3", False, "@octocat", None),
        ("github_app_installation", "org:acme", "deploy-helper", True, None, None),
        ("github_repository", "acme/api", "acme/api", True, None, None),
        ("github_secret", "acme/api", "DEPLOY_TOKEN", True, None, None),
        ("github_secret", "acme/api", "OLD_TOKEN", True, None, None),
        ("github_secret", "acme/api", "SPARE", True, None, None),
        ("github_secret", "acme/api:env:prod", "DB_PASSWORD", True, None, None),
        ("github_deploy_key", "acme/api", "mirror", True, None, "@janedoe"),
    ]  # fmt: skip
    assert dict(found[2].details)["repositories"] == "acme/web"
    assert json.loads(saved)["exported_at"] == "2033-05-18T03:33:10Z"


def test_refused_organisation_endpoints_are_listed_not_guessed(server, tmp_path) -> None:
    del server.pages["/orgs/acme/actions/secrets"]
    server.errors["/orgs/acme/actions/secrets"] = 403
    server.errors["/orgs/acme/personal-access-tokens"] = 403
    path = tmp_path / "github.json"
    failures = save(client(server), "acme", path, sleep=lambda _s: None)
    assert failures[:2] == [
        ("acme: organisation secrets", "GitHub answered 403: Must have admin rights"),
        ("acme: fine-grained personal access tokens",
         "GitHub answered 403: Must have admin rights"),
    ]  # fmt: skip
    assert "organization_secrets" not in json.loads(path.read_text())


WORKFLOW = """on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps: [{run: ./deploy.sh, env: {TOKEN: "${{ secrets.DEPLOY_TOKEN }}",
                                     GONE: "${{ secrets.MISSING }}"}}]
"""


def test_aggregate_observe_github_joins_the_live_export(server, git_repo, tmp_path, capsys,
                                                        monkeypatch) -> None:  # fmt: skip
    from scanner import pipeline, policy
    from scanner.cli import main
    from scanner.reporters import json as json_report

    git_repo.write(".github/workflows/deploy.yml", WORKFLOW)
    git_repo.commit("deploy", author="Ann <ann@acme.example>", date="2026-01-02T09:00:00Z")
    options = pipeline.Options(policies=policy.builtin(), repository_name="acme/api")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "api.json").write_text(
        json_report.render(pipeline.scan(git_repo.root, options=options))
    )
    roster = tmp_path / "roster.csv"
    roster.write_text("email,status,manager,github_login,name,aliases\n"
                      "ann@acme.example,active,,ann,Ann,\n"
                      "octo@acme.example,active,,octocat,Octo,\n")  # fmt: skip
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test_token_value")
    kept = tmp_path / "kept"
    code = main(["aggregate", str(reports), "--roster", str(roster), "--github-org", "acme",
                 "--github-url", server.base, "--no-collect", "--observe-github",
                 "--reports-dir", str(kept), "--no-db", "--format", "json", "--as-of",
                 "2026-12-01", "--default-owner", "sec@acme.example"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1, captured.err
    assert captured.err == (
        "nhi: acme/web: secrets and deploy keys: GitHub answered 403: Must have admin rights\n"
    )
    document = json.loads(captured.out)
    assert sorted((s["state"], s["name"], " ".join(s["rules"]), s["route_to"])
                  for s in document["observed"] if s["rules"]) == [
        # never used since granted in March: unused too; routed to the owner GitHub names
        ("undeclared", "bot-1", "NHI110 NHI113", ["octo@acme.example"]),
        ("undeclared", "bot-2", "NHI110 NHI113", ["octo@acme.example"]),
        ("undeclared", "deploy-helper", "NHI113", ["sec@acme.example"]),
        ("undeclared", "mirror", "NHI113", ["sec@acme.example"]),  # janedoe: in no roster
        ("unreferenced", "DB_PASSWORD", "NHI114", ["ann@acme.example"]),
        ("unreferenced", "NPM_TOKEN", "NHI114", ["sec@acme.example"]),
        ("unreferenced", "OLD_TOKEN", "NHI114", ["ann@acme.example"]),
        ("unreferenced", "SPARE", "NHI114", ["ann@acme.example"]),
        ("unreferenced", "THIRD", "NHI114", ["sec@acme.example"]),
        ("unsatisfied", "MISSING", "NHI115", ["ann@acme.example"]),
    ]  # fmt: skip
    assert (kept / "observed-github.json").is_file()


def test_observe_github_needs_github_org(tmp_path, capsys) -> None:
    from scanner.cli import main

    assert main(["aggregate", str(tmp_path), "--roster", "x.csv", "--observe-github"]) == 2
