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
    found = [s.attribution.provisioner for s in report.subjects]
    # Nobody is named, and the evidence says why (never a silent gap).
    assert [(p.email, p.confidence, p.evidence) for p in found if p is not None] == [
        ("", "unknown", (f"introduced in {c[:7]} on 2026-01-01 by the bot {bot}; no human wrote "
                         "or co-authored it",))
        for c, bot in zip(git_repo.git("log", "--format=%H", "--reverse").split(),
                          ["action@github.com", "198982749+copilot@users.noreply.github.com"],
                          strict=True)
    ]  # fmt: skip


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


SINK = (
    'resource "google_project_iam_member" "{name}" {{\n'
    "  for_each = local.sink_bindings\n"
    '  project  = split("/", each.value.destination)[1]\n'
    '  role     = "roles/logging.bucketWriter"\n'
    "  member   = google_logging_project_sink.sink[each.key].writer_identity\n"
    "}}\n"
)


def test_a_copy_into_a_new_module_is_a_new_declaration(git_repo: GitRepo) -> None:
    """A module started from another (whose file the same commit also changed, so blame -C
    would follow the lines there): the copier provisioned the new block; the source still
    declares the original."""
    git_repo.write("modules/a/main.tf", PROVIDER + "\n" + USER.format(name="ci"))
    git_repo.commit("module a", author=ALICE)
    git_repo.write("modules/a/main.tf", PROVIDER.replace("eu-west-1", "eu-west-2") + "\n"
                   + USER.format(name="ci"))  # fmt: skip
    git_repo.write("modules/b/main.tf", USER.format(name="ci"))
    copy = git_repo.commit("module b, started from module a", author=BOB)
    assert provisioner(git_repo.root, "modules/b/main.tf#aws_iam_user.ci") == (
        "bob@example.com",
        "high",
        (
            f"introduced in {copy[:7]} on 2026-01-01 by bob@example.com: module b, started "
            "from module a",
        ),
    )
    assert provisioner(git_repo.root, "modules/a/main.tf#aws_iam_user.ci")[:2] == (
        "alice@example.com",
        "high",
    )


def test_a_copy_later_moved_names_the_copier_and_the_move(git_repo: GitRepo) -> None:
    git_repo.write("modules/a/main.tf", PROVIDER + "\n" + USER.format(name="ci"))
    git_repo.commit("module a", author=ALICE)
    git_repo.write("modules/a/main.tf", PROVIDER.replace("eu-west-1", "eu-west-2") + "\n"
                   + USER.format(name="ci"))  # fmt: skip
    git_repo.write("modules/b/users.tf", USER.format(name="ci"))
    copy = git_repo.commit("module b", author=BOB)
    git_repo.git("rm", "-q", "modules/b/users.tf")
    header = "".join(f'variable "v{n}" {{}}\n' for n in range(8))  # no longer git's rename
    git_repo.write("modules/b/identity.tf", header + "\n" + USER.format(name="ci"))
    move = git_repo.commit("one identity file", author=CAROL)
    assert provisioner(git_repo.root, "modules/b/identity.tf#aws_iam_user.ci") == (
        "bob@example.com",
        "medium",
        (
            f"introduced in {copy[:7]} on 2026-01-01 by bob@example.com: module b",
            f"moved to modules/b/identity.tf from modules/b/users.tf by carol@example.com in "
            f"{move[:7]}",
        ),
    )


def test_a_renamed_block_that_repeats_older_lines_is_its_authors(git_repo: GitRepo) -> None:
    """The block's other lines repeat an older block's (blame -M gives them to the older
    one); the first line, renamed since with a moved block, is followed back instead."""
    git_repo.write("logging.tf", SINK.format(name="bucket-sinks-binding"))
    git_repo.commit("bucket sinks", author=ALICE)
    git_repo.write("logging.tf", SINK.format(name="bucket-sinks-binding") + "\n"
                   + SINK.format(name="project-sinks-binding"))  # fmt: skip
    added = git_repo.commit("project sinks", author=BOB)
    moved = ("\nmoved {{\n  from = google_project_iam_member.{0}-sinks-binding\n"
             "  to   = google_project_iam_member.{0}_sinks_binding\n}}\n")  # fmt: skip
    bucket = SINK.format(name="bucket_sinks_binding") + moved.format("bucket")
    project = SINK.format(name="project_sinks_binding") + moved.format("project")
    git_repo.write("logging.tf", bucket + "\n" + project)
    rename = git_repo.commit("tflint naming", author=CAROL)
    identity = "logging.tf#google_project_iam_member.project_sinks_binding"
    email, confidence, evidence = provisioner(git_repo.root, identity)
    assert (email, confidence) == ("bob@example.com", "medium")
    assert evidence == (
        f"introduced in {added[:7]} on 2026-01-01 by bob@example.com: project sinks",
        f"renamed from google_project_iam_member.project-sinks-binding by carol@example.com "
        f"in {rename[:7]} (a moved block: the same resource)",
    )


def moved_then_renamed(git_repo: GitRepo) -> tuple[str, str, str]:
    """Alice writes a sink binding in main.tf, Bob moves it to logging.tf, Carol renames it
    with a moved block: (Alice's, Bob's, Carol's commit)."""
    git_repo.write("main.tf", PROVIDER + "\n" + SINK.format(name="gcs-sinks-binding"))
    first = git_repo.commit("sinks", author=ALICE)
    git_repo.write("main.tf", PROVIDER)
    git_repo.write("logging.tf", SINK.format(name="gcs-sinks-binding"))
    split = git_repo.commit("refactor: logging.tf", author=BOB)
    git_repo.write("logging.tf", SINK.format(name="gcs_sinks_binding") + "\nmoved {\n  from = "
                   "google_project_iam_member.gcs-sinks-binding\n  to   = "
                   "google_project_iam_member.gcs_sinks_binding\n}\n")  # fmt: skip
    return first, split, git_repo.commit("tflint naming", author=CAROL)


def test_a_block_moved_then_renamed_keeps_its_creator(git_repo: GitRepo) -> None:
    first, split, rename = moved_then_renamed(git_repo)
    identity = "logging.tf#google_project_iam_member.gcs_sinks_binding"
    assert provisioner(git_repo.root, identity) == (
        "alice@example.com",
        "medium",
        (
            f"introduced in {first[:7]} on 2026-01-01 by alice@example.com: sinks",
            f"renamed from google_project_iam_member.gcs-sinks-binding by carol@example.com in "
            f"{rename[:7]} (a moved block: the same resource)",
            f"moved to logging.tf from main.tf by bob@example.com in {split[:7]}",
        ),
    )


def test_explain_prints_the_move_and_rename_chain(git_repo: GitRepo, capsys) -> None:
    from scanner.cli import main

    first, split, rename = moved_then_renamed(git_repo)
    identity = "logging.tf#google_project_iam_member.gcs_sinks_binding"
    assert main(["explain", "--repo", str(git_repo.root), identity]) == 0
    assert capsys.readouterr().out.splitlines()[3:7] == [
        "provisioner: Alice Example <alice@example.com>, confidence medium",
        f"  introduced in {first[:7]} on 2026-01-01 by alice@example.com: sinks",
        f"  renamed from google_project_iam_member.gcs-sinks-binding by carol@example.com in "
        f"{rename[:7]} (a moved block: the same resource)",
        f"  moved to logging.tf from main.tf by bob@example.com in {split[:7]}",
    ]


def test_a_move_whose_source_git_cannot_read_is_less_sure_and_says_why(git_repo: GitRepo) -> None:
    """A partial clone that lacks the source file's old blob: the move cannot be followed, so
    the mover is named at `medium` with the reason, never silently at `high`."""
    git_repo.write("main.tf", PROVIDER + "\n" + USER.format(name="ci"))
    git_repo.commit("all in one file", author=ALICE)
    lost = git_repo.git("rev-parse", "HEAD:main.tf").strip()
    git_repo.write("main.tf", PROVIDER)
    git_repo.write("iam.tf", USER.format(name="ci"))
    split = git_repo.commit("split main.tf", author=BOB)
    (git_repo.root / ".git" / "objects" / lost[:2] / lost[2:]).unlink()
    email, confidence, evidence = provisioner(git_repo.root, "iam.tf#aws_iam_user.ci")
    assert (email, confidence) == ("bob@example.com", "medium")
    assert (
        evidence[0] == f"introduced in {split[:7]} on 2026-01-01 by bob@example.com: split main.tf"
    )
    # One `git log -G` asks every introducing commit at once; when it meets the lost blob,
    # each commit is asked alone, so only this one is unknown.
    assert evidence[1] == (f"whether {split[:7]} moved it to iam.tf from another file is "
                           f"unknown (git diff failed: fatal: unable to read {lost})")  # fmt: skip
    assert len(evidence) == 2


def test_a_lost_blob_leaves_only_its_own_move_unknown(git_repo: GitRepo) -> None:
    """Every introducing commit is asked in one `git log`; when it fails on one lost blob,
    the commits are asked one by one, so the other move is still followed."""
    git_repo.write("main.tf", PROVIDER + "\n" + USER.format(name="ci"))
    git_repo.write("old.tf", USER.format(name="deploy"))
    git_repo.write("deploy.tf", PROVIDER)
    git_repo.commit("three files", author=ALICE)
    lost = git_repo.git("rev-parse", "HEAD:main.tf").strip()
    git_repo.write("main.tf", PROVIDER)
    git_repo.write("iam.tf", USER.format(name="ci"))
    split = git_repo.commit("split main.tf", author=BOB)
    (git_repo.root / "old.tf").unlink()
    git_repo.write("deploy.tf", PROVIDER + "\n" + USER.format(name="deploy"))
    moved = git_repo.commit("move old.tf's block into deploy.tf", author=CAROL)
    (git_repo.root / ".git" / "objects" / lost[:2] / lost[2:]).unlink()
    email, confidence, evidence = provisioner(git_repo.root, "iam.tf#aws_iam_user.ci")
    assert (email, confidence, evidence[1]) == ("bob@example.com", "medium", (
        f"whether {split[:7]} moved it to iam.tf from another file is unknown (git diff "
        f"failed: fatal: unable to read {lost})"))  # fmt: skip
    email, confidence, evidence = provisioner(git_repo.root, "deploy.tf#aws_iam_user.deploy")
    assert (email, confidence) == ("alice@example.com", "medium")  # a move is medium
    assert f"moved to deploy.tf from old.tf by carol@example.com in {moved[:7]}" in evidence


def test_one_block_taken_out_and_written_twice_moved_to_the_nearest_file(git_repo) -> None:
    """terraform-aws-iam's 31b31d7 (and philips-labs' webhook split) took a block out of one
    module and wrote it in several: the nearest path received it, the others are new."""
    git_repo.write("modules/iam-group-with-policies/main.tf", USER.format(name="this"))
    first = git_repo.commit("group module", author=ALICE)
    git_repo.write("modules/iam-group-with-policies/main.tf", PROVIDER)
    git_repo.write("modules/iam-group/main.tf", USER.format(name="this"))
    git_repo.write("examples/iam-role/main.tf", USER.format(name="this"))
    merge = git_repo.commit("merge the group modules; examples", author=BOB)
    assert provisioner(git_repo.root, "modules/iam-group/main.tf#aws_iam_user.this") == (
        "alice@example.com", "medium",
        (f"introduced in {first[:7]} on 2026-01-01 by alice@example.com: group module",
         f"moved to modules/iam-group/main.tf from modules/iam-group-with-policies/main.tf by "
         f"bob@example.com in {merge[:7]}"),
    )  # fmt: skip
    assert provisioner(git_repo.root, "examples/iam-role/main.tf#aws_iam_user.this")[:2] == (
        "bob@example.com",
        "high",
    )
