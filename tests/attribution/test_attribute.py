"""Attribution in real temporary repositories with pinned authors, committers and dates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scanner import pipeline
from scanner.attribution.installer import NO_HISTORY
from scanner.model import Confidence, Provisioner
from tests.conftest import GIT_ENV, GitRepo

ALICE = "Alice Example <alice@example.com>"
BOB = "Bob Builder <bob@example.com>"
CAROL = "Carol Coder <carol@example.com>"
RENOVATE = "renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>"
KEY = 'resource "aws_iam_access_key" "{name}" {{\n  user = "{user}"\n}}\n'


def provisioners(root: Path) -> dict[str, tuple[str, str, bool] | None]:
    report = pipeline.scan(root)
    return {
        s.identity.id: None
        if s.attribution.provisioner is None
        else (
            s.attribution.provisioner.email,
            s.attribution.provisioner.confidence,
            s.attribution.provisioner.uncommitted,
        )
        for s in report.subjects
    }


def subject(root: Path, identity_id: str):
    return next(s for s in pipeline.scan(root).subjects if s.identity.id == identity_id)


def test_whitespace_only_reformat_keeps_the_author(git_repo: GitRepo) -> None:
    git_repo.write("iam.tf", KEY.format(name="ci", user="ci"))
    git_repo.commit("key", author=ALICE, date="2026-01-01T00:00:00Z")
    git_repo.write("iam.tf", KEY.format(name="ci", user="ci").replace("  user", "\tuser  "))
    git_repo.commit("reformat", author=BOB, date="2026-02-01T00:00:00Z")
    assert provisioners(git_repo.root) == {
        "iam.tf#aws_iam_access_key.ci": ("alice@example.com", "high", False)
    }


def test_a_bot_is_never_the_provisioner(git_repo: GitRepo) -> None:
    git_repo.write("iam.tf", KEY.format(name="ci", user="ci"))
    git_repo.commit("key", author=ALICE)
    git_repo.write("iam.tf", 'resource "aws_iam_access_key" "ci" { # bumped\n  user = "ci2"\n}\n')
    git_repo.commit("chore(deps): bump", author=RENOVATE, date="2026-03-01T00:00:00Z")
    found = subject(git_repo.root, "iam.tf#aws_iam_access_key.ci").attribution
    assert found.provisioner is not None
    assert (found.provisioner.email, found.provisioner.confidence) == (
        "alice@example.com",
        "medium",
    )
    assert found.provisioner.evidence[1].startswith("looked past bot commit ")
    assert [(p.email, p.lines) for p in found.contributors] == [("alice@example.com", 3)]


def test_ignored_revisions_are_skipped_with_lower_confidence(git_repo: GitRepo) -> None:
    git_repo.write("iam.tf", KEY.format(name="a", user="a"))
    git_repo.commit("key a", author=ALICE)
    git_repo.write(
        "iam.tf",
        'resource "aws_iam_access_key" "a" { # renamed\n  user = "A"\n}\n'
        + KEY.format(name="b", user="b"),
    )
    sweep = git_repo.commit("mass rename", author=BOB)
    git_repo.write(".git-blame-ignore-revs", f"# the big rename\n{sweep}\n")
    git_repo.commit("ignore the sweep", author=CAROL)
    result = provisioners(git_repo.root)
    assert result["iam.tf#aws_iam_access_key.a"] == ("alice@example.com", "medium", False)
    # b was added by the ignored commit itself: git cannot place it anywhere else.
    assert result["iam.tf#aws_iam_access_key.b"] == ("bob@example.com", "low", False)


def test_a_file_no_ignored_revision_touched_is_blamed_once(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Ignoring a revision changes only the lines blamed on it (#21): the file the sweep never
    touched keeps its one blame, the file it touched is blamed with and without the file."""
    git_repo.write("a.tf", KEY.format(name="a", user="a"))
    git_repo.write("b.tf", KEY.format(name="b", user="b"))
    git_repo.commit("keys", author=ALICE)
    git_repo.write("b.tf", 'resource "aws_iam_access_key" "b" {   # reformatted\n  user = "B"\n}\n')
    sweep = git_repo.commit("sweep", author=BOB)
    git_repo.write(".git-blame-ignore-revs", f"{sweep}\n")
    git_repo.commit("ignore the sweep", author=CAROL)
    trace = tmp_path / "trace2"
    monkeypatch.setenv("GIT_TRACE2", str(trace))
    assert provisioners(git_repo.root) == {
        "a.tf#aws_iam_access_key.a": ("alice@example.com", "high", False),
        "b.tf#aws_iam_access_key.b": ("alice@example.com", "medium", False),
    }
    blamed = [line.rpartition(" -- ")[2] for line in trace.read_text().splitlines()
              if " start git " in line and " blame " in line]  # fmt: skip
    assert sorted(blamed) == ["a.tf", "b.tf", "b.tf"]


def test_rename_then_edit_follows_the_file(git_repo: GitRepo) -> None:
    git_repo.write("old/iam.tf", KEY.format(name="ci", user="ci") + "# end\n")
    git_repo.commit("key", author=ALICE)
    (git_repo.root / "new").mkdir()
    git_repo.git("mv", "old/iam.tf", "new/iam.tf")
    git_repo.commit("move", author=BOB)
    git_repo.write("new/iam.tf", KEY.format(name="ci", user="ci") + "# the end\n")
    git_repo.commit("edit the last line", author=CAROL)
    found = subject(git_repo.root, "new/iam.tf#aws_iam_access_key.ci").attribution
    assert found.provisioner is not None
    assert (found.provisioner.email, found.provisioner.confidence) == ("alice@example.com", "high")


def test_uncommitted_and_staged_lines_belong_to_the_configured_identity(git_repo) -> None:
    git_repo.git("config", "user.name", "Dana Dev")
    git_repo.git("config", "user.email", "Dana@Example.com")
    git_repo.write("iam.tf", KEY.format(name="old", user="x"))
    git_repo.commit("old", author=ALICE)
    git_repo.write("iam.tf", KEY.format(name="old", user="x") + KEY.format(name="new", user="y"))
    git_repo.write("staged.tf", KEY.format(name="staged", user="z"))
    git_repo.git("add", "staged.tf")
    subprocess.run(["git", "var", "GIT_AUTHOR_IDENT"], cwd=git_repo.root, check=True)
    assert provisioners(git_repo.root) == {
        "iam.tf#aws_iam_access_key.old": ("alice@example.com", "high", False),
        "iam.tf#aws_iam_access_key.new": ("dana@example.com", "high", True),
        "staged.tf#aws_iam_access_key.staged": ("dana@example.com", "high", True),
    }


def test_shallow_clone_is_never_a_confident_author(git_repo: GitRepo, tmp_path: Path) -> None:
    git_repo.write("iam.tf", KEY.format(name="ci", user="ci"))
    git_repo.commit("key", author=ALICE)
    git_repo.write("README.md", "later\n")
    git_repo.commit("docs", author=BOB)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{git_repo.root}", str(clone)],
        check=True,
        env={**GIT_ENV, "PATH": "/usr/bin:/bin"},
    )
    report = pipeline.scan(clone)
    provisioner = report.subjects[0].attribution.provisioner
    assert report.repository.shallow is True
    assert provisioner is not None
    assert (provisioner.email, provisioner.confidence) == ("bob@example.com", "unknown")
    assert "fetch-depth: 0" in provisioner.evidence[-1]
    # The root commit of a full clone is a boundary too, but not a shallow one.
    assert provisioners(git_repo.root) == {
        "iam.tf#aws_iam_access_key.ci": ("alice@example.com", "high", False)
    }


def test_mailmap_and_co_author_trailers(git_repo: GitRepo) -> None:
    git_repo.write(
        ".mailmap", "Alice Example <alice@corp.example> <12345+alice@users.noreply.github.com>\n"
    )
    git_repo.write("iam.tf", KEY.format(name="ci", user="ci"))
    git_repo.commit(
        "key\n\nCo-authored-by: Bob Builder <bob@example.com>",
        author="alice <12345+alice@users.noreply.github.com>",
    )
    provisioner = subject(git_repo.root, "iam.tf#aws_iam_access_key.ci").attribution.provisioner
    assert provisioner is not None
    assert (provisioner.name, provisioner.email, provisioner.confidence) == (
        "Alice Example",
        "alice@corp.example",
        "high",
    )
    assert provisioner.co_authors == ("Bob Builder <bob@example.com>",)


def test_last_modified_by_and_contributors(git_repo: GitRepo) -> None:
    git_repo.write("iam.tf", 'resource "aws_iam_user" "ci" {\n  name = "ci"\n  path = "/"\n}\n')
    git_repo.commit("user", author=ALICE, date="2026-01-01T00:00:00Z")
    git_repo.write("iam.tf", 'resource "aws_iam_user" "ci" {\n  name = "ci-2"\n  path = "/x/"\n}\n')
    git_repo.commit("rename", author=BOB, date="2026-02-01T00:00:00Z")
    attribution = subject(git_repo.root, "iam.tf#aws_iam_user.ci").attribution
    assert attribution.provisioner is not None
    assert attribution.provisioner.email == "alice@example.com"
    assert attribution.last_modified_by is not None
    assert (attribution.last_modified_by.email, attribution.last_modified_by.date) == (
        "bob@example.com",
        "2026-02-01T00:00:00+00:00",
    )
    assert [(p.email, p.lines) for p in attribution.contributors] == [
        ("alice@example.com", 2),
        ("bob@example.com", 2),
    ]


def test_codeowners_owners_and_declared_comment_owners(git_repo: GitRepo) -> None:
    git_repo.write("docs/CODEOWNERS", "* @acme/docs\n")
    git_repo.write(
        ".github/CODEOWNERS",
        "# owners\n* @acme/all\n/infra/ @acme/platform @bob\n/infra/legacy/\n/x/ !bad\n",
    )
    git_repo.write("infra/iam.tf", "# owner: @carol\n" + KEY.format(name="ci", user="ci"))
    git_repo.write(
        "infra/legacy/old.tf",
        "// nhi:owner=team-x@example.com\n" + KEY.format(name="old", user="o"),
    )
    git_repo.write("app/iam.tf", KEY.format(name="app", user="a"))
    git_repo.commit("files", author=ALICE)
    report = pipeline.scan(git_repo.root)
    assert [
        (
            s.identity.id,
            s.attribution.owners,
            s.attribution.owners_source,
            s.identity.declared_owners,
        )
        for s in report.subjects
    ] == [
        ("app/iam.tf#aws_iam_access_key.app", ("@acme/all",), ".github/CODEOWNERS:2", ()),
        (
            "infra/iam.tf#aws_iam_access_key.ci",
            ("@acme/platform", "@bob"),
            ".github/CODEOWNERS:3",
            ("@carol",),
        ),
        (
            "infra/legacy/old.tf#aws_iam_access_key.old",
            (),
            ".github/CODEOWNERS:4",
            ("team-x@example.com",),
        ),
    ]
    assert [(e.path, e.line, e.message) for e in report.errors] == [
        (
            ".github/CODEOWNERS",
            5,
            "owner 1 is not an @user, @org/team or email; line skipped",
        )
    ]


def test_outside_git_the_provisioner_is_unknown_but_codeowners_still_count(tmp_path) -> None:
    # Issue 18: outside git the provisioner says why it is unknown (it was None).
    (tmp_path / "CODEOWNERS").write_text("*.tf @acme/platform\n")
    (tmp_path / "iam.tf").write_text(KEY.format(name="ci", user="ci"))
    found = pipeline.scan(tmp_path).subjects[0].attribution
    assert found.owners == ("@acme/platform",)
    assert found.provisioner == Provisioner(
        name="", email="", commit="", date="", uncommitted=False,
        confidence=Confidence.UNKNOWN, evidence=(NO_HISTORY,),
    )  # fmt: skip
    assert NO_HISTORY == (
        "unknown: the folder is not a git repository, so no commit says who wrote it; give "
        "--owner EMAIL when the folder is one person's (a home folder, an MDM-collected bundle)"
    )


def test_repository_without_commits(git_repo: GitRepo) -> None:
    git_repo.git("config", "user.email", "first@example.com")
    git_repo.write("iam.tf", KEY.format(name="ci", user="ci"))
    assert provisioners(git_repo.root) == {
        "iam.tf#aws_iam_access_key.ci": ("first@example.com", "high", True)
    }


@pytest.mark.parametrize("pattern", ["^ci-deployer", "deploy-bot@"])
def test_custom_bot_patterns(git_repo: GitRepo, pattern: str) -> None:
    git_repo.write("iam.tf", KEY.format(name="ci", user="ci"))
    git_repo.commit("key", author=ALICE)
    git_repo.write("iam.tf", KEY.format(name="ci", user="changed"))
    git_repo.commit("automation", author="ci-deployer <deploy-bot@example.com>")
    options = pipeline.Options(bot_patterns=(pattern,))
    provisioner = pipeline.scan(git_repo.root, options=options).subjects[0].attribution.provisioner
    assert provisioner is not None and provisioner.email == "alice@example.com"


def test_cli_says_plainly_when_the_clone_is_shallow(
    git_repo: GitRepo, tmp_path: Path, capsys
) -> None:
    from scanner.cli import SHALLOW_NOTE, main

    git_repo.write("iam.tf", KEY.format(name="ci", user="ci"))
    git_repo.commit("key", author=ALICE)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{git_repo.root}", str(clone)],
        check=True,
        env={**GIT_ENV, "PATH": "/usr/bin:/bin"},
    )
    main(["scan", "--repo", str(clone)])
    assert capsys.readouterr().err == SHALLOW_NOTE + "\n"
    main(["scan", "--repo", str(git_repo.root)])
    assert capsys.readouterr().err == ""


def test_past_the_deadline_nothing_is_blamed_or_matched(git_repo: GitRepo) -> None:
    """Issue 16: the deadline covers blame and CODEOWNERS matching, and says so."""
    import time

    from scanner.attribution import Options, attribute

    git_repo.write("iam.tf", KEY.format(name="ci", user="ci"))
    git_repo.write("CODEOWNERS", "* @acme/platform\n")
    git_repo.commit("key", author=ALICE, date="2026-01-01T00:00:00Z")
    identities = pipeline.detect(
        git_repo.root, [pipeline.Candidate(path="iam.tf", scanner="terraform")], 1_000_000
    ).identities
    options = Options(deadline=time.monotonic() - 1, deadline_seconds=5)
    subjects, errors = attribute(git_repo.root, identities, True, options)
    assert [(e.path, e.line, e.message) for e in errors] == [
        (
            "CODEOWNERS",
            None,
            "owners not matched for 1 of 1 files: the scan's deadline (5 s) passed",
        ),
        ("iam.tf", None, "not attributed (no git blame): the scan's deadline (5 s) passed"),
    ]
    # A missing provisioner always says why (#20).
    assert [
        (s.attribution.owners, s.attribution.provisioner.confidence,
         s.attribution.provisioner.evidence) for s in subjects
    ] == [((), "unknown", ("not blamed: the scan's deadline passed",))]  # fmt: skip


DEPENDABOT = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"
# grafana/k6's .github/workflows/build.yml (Grafana's shared get-vault-secrets action signs in
# to Vault with the job's OIDC token): the declaration's first line is the `uses:` line.
DEPLOY = """on: push
permissions:
  id-token: write
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: grafana/shared-workflows/actions/get-vault-secrets@{version}
        id: get-secrets
        with:
          repo_secrets: |
            IAM_ROLE_ARN=deploy:packager-iam-role
"""


def test_a_line_bumped_by_bot_after_bot_names_the_human_who_wrote_it(git_repo: GitRepo) -> None:
    """grafana/k6's build.yml: a human wrote the `uses:` line, dependabot bumped it, renovate
    pinned and bumped it three times. Every bot commit of the file is looked past at once,
    however deep, not one per blame (three deep named dependabot the only author)."""
    path = ".github/workflows/deploy.yml"
    git_repo.write(path, DEPLOY.format(version="v1"))
    git_repo.commit("deploy with OIDC", author=ALICE, date="2025-01-01T00:00:00Z")
    bumps = [(DEPENDABOT, "v2"), (RENOVATE, "0123456789abcdef0123456789abcdef01234567 # v2"),
             (RENOVATE, "89abcdef0123456789abcdef0123456789abcdef # v3"),
             (RENOVATE, "fedcba9876543210fedcba9876543210fedcba98 # v4")]  # fmt: skip
    for month, (bot, version) in enumerate(bumps, start=2):
        git_repo.write(path, DEPLOY.format(version=version))
        git_repo.commit(f"chore(deps): bump to {version}", author=bot,
                        date=f"2025-0{month}-01T00:00:00Z")  # fmt: skip
    found = [s.attribution.provisioner for s in pipeline.scan(git_repo.root).subjects
             if s.identity.kind == "workflow_oidc"]  # fmt: skip
    assert [(p.email, p.confidence) if p else None for p in found] == [
        ("alice@example.com", "medium")
    ]
    assert found[0] is not None and found[0].evidence[1].startswith("looked past bot commit ")


def test_a_bug_of_ours_on_one_identity_costs_its_provisioner_only(
    git_repo: GitRepo, monkeypatch
) -> None:
    import scanner.attribution as attribution

    real = attribution._choose

    def broken(repo, identity, *args):  # type: ignore[no-untyped-def]
        if identity.name == "bad":
            raise KeyError("a message that could quote the file")
        return real(repo, identity, *args)

    git_repo.write(".github/CODEOWNERS", "*.tf @acme/platform\n")
    git_repo.write("iam.tf", KEY.format(name="bad", user="ci") + KEY.format(name="good", user="ci"))
    git_repo.commit("keys", author=ALICE)
    monkeypatch.setattr(attribution, "_choose", broken)
    report = pipeline.scan(git_repo.root)
    why = "not attributed: internal error (KeyError); this is a bug, please report it"
    found = {s.identity.id: s.attribution for s in report.subjects}
    bad, good = found["iam.tf#aws_iam_access_key.bad"], found["iam.tf#aws_iam_access_key.good"]
    assert bad.provisioner is not None and good.provisioner is not None
    assert (bad.provisioner.email, bad.provisioner.confidence, bad.provisioner.evidence) == (
        "", Confidence.UNKNOWN, (why,))  # fmt: skip
    assert (good.provisioner.email, good.provisioner.confidence) == (
        "alice@example.com", Confidence.HIGH)  # fmt: skip
    assert bad.owners == good.owners == ("@acme/platform",)  # CODEOWNERS still holds
    assert [(e.path, e.line, e.message) for e in report.errors] == [("iam.tf", 1, why)]


def test_the_package_never_hides_its_history_module() -> None:
    """The package once re-exported the function `history` under its submodule's name, so
    `from scanner.attribution import history` gave the function or the module depending on
    which module was imported first: the CLI's order gave the function, and every walk back
    past an edit failed (an internal error on 4 of 524 real repositories)."""
    import types

    from scanner.attribution import edits, history

    assert isinstance(history, types.ModuleType)
    assert edits.history is history
