"""Attribution through the histories real teams produce (issue 20): the creator, not whoever
moved, renamed, split or commented a declaration; bots, odd author data, uncommitted lines."""

from __future__ import annotations

import os

from scanner import pipeline
from tests.conftest import GitRepo

ALICE = "Alice Example <alice@example.com>"
BOB = "Bob Builder <bob@example.com>"
CAROL = "Carol Coder <carol@example.com>"
PROVIDER = 'provider "aws" {\n  region = "eu-west-1"\n}\n'
USER = 'resource "aws_iam_user" "{name}" {{\n  name = "{name}"\n  path = "/system/"\n}}\n'


def provisioner(root, identity_id: str) -> tuple[str, str, tuple[str, ...]]:
    subject = next(s for s in pipeline.scan(root).subjects if s.identity.id == identity_id)
    found = subject.attribution.provisioner
    assert found is not None
    return found.email, found.confidence, found.evidence


def test_splitting_a_file_keeps_the_author(git_repo: GitRepo) -> None:
    git_repo.write("main.tf", PROVIDER + "\n" + USER.format(name="ci"))
    first = git_repo.commit("all in one file", author=ALICE)
    git_repo.write("main.tf", PROVIDER)
    git_repo.write("iam.tf", USER.format(name="ci"))
    split = git_repo.commit("split main.tf", author=BOB)
    email, confidence, evidence = provisioner(git_repo.root, "iam.tf#aws_iam_user.ci")
    assert (email, confidence) == ("alice@example.com", "medium")
    assert evidence == (
        f"introduced in {first[:7]} on 2026-01-01 by alice@example.com: all in one file",
        f"moved to iam.tf from main.tf by bob@example.com in {split[:7]}",
    )


def test_moving_into_a_module_folder_keeps_the_author(git_repo: GitRepo) -> None:
    git_repo.write("main.tf", PROVIDER + "\n" + USER.format(name="ci"))
    git_repo.commit("user", author=ALICE)
    git_repo.write("main.tf", PROVIDER + '\nmodule "iam" {\n  source = "./modules/iam"\n}\n')
    git_repo.write("modules/iam/main.tf", USER.format(name="ci"))
    git_repo.commit("extract a module", author=BOB)
    email, confidence, evidence = provisioner(git_repo.root, "modules/iam/main.tf#aws_iam_user.ci")
    assert (email, confidence) == ("alice@example.com", "medium")
    assert evidence[1].startswith("moved to modules/iam/main.tf from main.tf by bob@example.com")


def test_a_rename_under_gits_similarity_threshold_keeps_the_author(git_repo: GitRepo) -> None:
    git_repo.write("roles.tf", USER.format(name="ci"))
    git_repo.commit("user", author=ALICE)
    git_repo.git("rm", "-q", "roles.tf")
    header = "".join(f'variable "v{n}" {{}}\n' for n in range(8))
    git_repo.write("identities.tf", "# platform identities\n" + header + USER.format(name="ci"))
    git_repo.commit("rename and restructure", author=BOB)
    email, confidence, _ = provisioner(git_repo.root, "identities.tf#aws_iam_user.ci")
    assert (email, confidence) == ("alice@example.com", "medium")


def test_a_comment_on_the_first_line_is_not_provisioning(git_repo: GitRepo) -> None:
    git_repo.write("iam.tf", USER.format(name="ci"))
    first = git_repo.commit("user", author=ALICE)
    git_repo.write("iam.tf", USER.format(name="ci").replace("{\n", "{ # tfsec:ignore:aws-iam\n", 1))
    edit = git_repo.commit("silence tfsec", author=BOB)
    email, confidence, evidence = provisioner(git_repo.root, "iam.tf#aws_iam_user.ci")
    assert (email, confidence) == ("alice@example.com", "medium")
    assert evidence == (
        f"introduced in {first[:7]} on 2026-01-01 by alice@example.com: user",
        f"the first line was edited by bob@example.com in {edit[:7]}; the declaration is older",
    )


def test_a_rename_with_a_moved_block_is_the_same_resource(git_repo: GitRepo) -> None:
    git_repo.write("iam.tf", USER.format(name="ci"))
    git_repo.commit("user", author=ALICE)
    renamed = USER.format(name="ci").replace('"aws_iam_user" "ci"', '"aws_iam_user" "deployer"')
    moved = "\nmoved {\n  from = aws_iam_user.ci\n  to   = aws_iam_user.deployer\n}\n"
    git_repo.write("iam.tf", renamed + moved)
    rename = git_repo.commit("rename the user", author=BOB)
    email, confidence, evidence = provisioner(git_repo.root, "iam.tf#aws_iam_user.deployer")
    assert (email, confidence) == ("alice@example.com", "medium")
    assert evidence[1] == (
        f"renamed from aws_iam_user.ci by bob@example.com in {rename[:7]} "
        "(a moved block: the same resource)"
    )


def test_a_rename_without_a_moved_block_is_a_new_resource(git_repo: GitRepo) -> None:
    git_repo.write("iam.tf", USER.format(name="ci"))
    git_repo.commit("user", author=ALICE)
    git_repo.write(
        "iam.tf", USER.format(name="ci").replace('"aws_iam_user" "ci"', '"aws_iam_user" "new"')
    )
    git_repo.commit("replace the user", author=BOB)
    email, confidence, _ = provisioner(git_repo.root, "iam.tf#aws_iam_user.new")
    assert (email, confidence) == ("bob@example.com", "high")


WORKFLOW = """on: push
jobs:
{jobs}"""
JOB = (
    "  {name}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: deploy\n        env:\n"
    "          TOKEN: ${{{{ secrets.DEPLOY_TOKEN }}}}\n"
)


PREVIEW = (
    "  preview:\n    runs-on: ubuntu-22.04\n    if: github.event_name == 'pull_request'\n"
    "    steps:\n      - uses: actions/checkout@v4\n      - run: ./preview.sh\n"
    "        env:\n          PREVIEW_TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n"
)


def test_an_earlier_reference_to_an_existing_secret_is_not_provisioning(git_repo) -> None:
    git_repo.write(".github/workflows/ci.yml", WORKFLOW.format(jobs=JOB.format(name="deploy")))
    first = git_repo.commit("deploy job", author=ALICE)
    jobs = PREVIEW + JOB.format(name="deploy")
    git_repo.write(".github/workflows/ci.yml", WORKFLOW.format(jobs=jobs))
    git_repo.commit("a preview job above it", author=BOB)
    email, confidence, evidence = provisioner(
        git_repo.root, ".github/workflows/ci.yml#secrets/DEPLOY_TOKEN"
    )
    assert (email, confidence) == ("alice@example.com", "medium")
    assert evidence[1].startswith(f"first named in this file in {first[:7]}")


def test_automation_accounts_are_never_provisioners(git_repo: GitRepo) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.commit("by a workflow", author="GitHub Action <action@github.com>")
    git_repo.write("b.tf", USER.format(name="b"))
    git_repo.commit("by the agent", author="Copilot <198982749+Copilot@users.noreply.github.com>")
    report = pipeline.scan(git_repo.root)
    assert [s.attribution.provisioner for s in report.subjects] == [None, None]


def test_a_bot_squash_names_its_human_co_author(git_repo: GitRepo) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.commit(
        "Add the deploy user (#12)\n\nCo-authored-by: Alice Example <alice@example.com>",
        author="Copilot <198982749+Copilot@users.noreply.github.com>",
    )
    email, confidence, evidence = provisioner(git_repo.root, "a.tf#aws_iam_user.a")
    assert (email, confidence) == ("alice@example.com", "medium")
    assert "which names Alice Example <alice@example.com> as co-author" in evidence[0]


def test_a_co_author_quoted_in_the_body_is_not_a_trailer(git_repo: GitRepo) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.commit(
        "user\n\nWe agreed to write\nCo-authored-by: Bob Builder <bob@example.com>\n"
        "in squashes.\n\nSigned-off-by: Alice Example <alice@example.com>",
        author=ALICE,
    )
    subject = pipeline.scan(git_repo.root).subjects[0]
    assert subject.attribution.provisioner is not None
    assert subject.attribution.provisioner.co_authors == ()


def test_an_empty_author_email_is_never_high(git_repo: GitRepo) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.commit("user", author="Anonymous Admin <>")
    email, confidence, evidence = provisioner(git_repo.root, "a.tf#aws_iam_user.a")
    assert (email, confidence) == ("", "medium")
    assert evidence[-1] == "the commit has no author email: only the name identifies its author"


def test_an_author_date_in_the_future_is_not_the_latest_change(git_repo: GitRepo) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    # A broken clock on Alice's machine: her author date is in the future, the commit is not.
    git_repo.git("add", "-A")
    future = {"GIT_AUTHOR_NAME": "Alice Example", "GIT_AUTHOR_EMAIL": "alice@example.com",
              "GIT_AUTHOR_DATE": "2099-01-01T00:00:00Z"}  # fmt: skip
    git_repo.git("commit", "-q", "-m", "user", env=future)
    git_repo.write("a.tf", USER.format(name="a").replace("/system/", "/ci/"))
    git_repo.commit("path", author=BOB, date="2026-02-01T00:00:00Z")
    subject = pipeline.scan(git_repo.root).subjects[0]
    assert subject.attribution.last_modified_by is not None
    assert subject.attribution.last_modified_by.email == "bob@example.com"


def test_uncommitted_lines_name_nobody_when_git_would_guess_the_identity(
    git_repo, monkeypatch
) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    for name in [n for n in os.environ if n.startswith(("GIT_AUTHOR", "GIT_COMMITTER", "EMAIL"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)  # no user.email anywhere
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # Where the host has a domain, git would guess user@host: that is no identity either.
    subject = pipeline.scan(git_repo.root).subjects[0]
    found = subject.attribution.provisioner
    assert found is not None
    assert (found.email, found.confidence, found.uncommitted) == ("", "unknown", True)
    assert found.evidence[-1].startswith("unknown: no user.email is configured")


def test_a_token_written_as_the_old_address_is_never_named(git_repo: GitRepo) -> None:
    token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    git_repo.write("iam.tf", USER.format(name="ci").replace('"ci" {', f'"{token}" {{', 1))
    git_repo.commit("user", author=ALICE)
    moved = f"\nmoved {{\n  from = aws_iam_user.{token}\n  to   = aws_iam_user.ci\n}}\n"
    git_repo.write("iam.tf", USER.format(name="ci") + moved)
    rename = git_repo.commit("rename the user", author=BOB)
    email, confidence, evidence = provisioner(git_repo.root, "iam.tf#aws_iam_user.ci")
    assert (email, confidence) == ("alice@example.com", "medium")
    assert evidence[1] == (
        f"renamed from an earlier address by bob@example.com in {rename[:7]} "
        "(a moved block: the same resource)"
    )
