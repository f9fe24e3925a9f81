"""One-pass blame (#21): the same lines, commits and names `git blame` gives, or the file left
to git blame with the reason, never a different answer. Each test builds a real history and
compares with the real `git blame --porcelain` that attribution ran before."""

from __future__ import annotations

import random

import pytest

from scanner import git, gitindex, gitlog, pipeline
from scanner.attribution import batch, blame, onepass, schedule
from tests.conftest import GitRepo

ALICE = "Alice Example <alice@example.com>"
BOB = "Bob Builder <bob@example.com>"
CAROL = "Carol Coder <carol@example.com>"
ROLE = 'resource "aws_iam_role" "{name}" {{\n  name = "{name}"\n  path = "/service/"\n}}\n'


def answer(repo: GitRepo, path: str, ranges: list[tuple[int, int]], copies: bool = False):
    """The one-pass answer for `path` (or why it was refused), checked against git blame."""
    asked = {path: batch.Asked(ranges, copies)}
    found, refused = batch.answers(repo.root, asked, gitindex.clean_blobs(repo.root))
    if path in refused:
        return None, refused[path]
    lines = blame.parse(found[path].porcelain)
    assert lines == blame.parse(git.blame(repo.root, path, ranges, moves=copies))
    return {n: (line.commit.email, line.original_path, line.original_line)
            for n, line in lines.items()}, None  # fmt: skip


def test_edits_and_whitespace_only_changes(git_repo: GitRepo) -> None:
    git_repo.write("iam.tf", ROLE.format(name="ci") + ROLE.format(name="deploy"))
    git_repo.commit("roles", author=ALICE)
    git_repo.write("iam.tf", ROLE.format(name="ci").replace("/service/", "/ci/")
                   + ROLE.format(name="deploy"))  # fmt: skip
    git_repo.commit("ci path", author=BOB)
    git_repo.write(
        "iam.tf", git_repo.root.joinpath("iam.tf").read_text().replace("  name", "    name")
    )
    git_repo.commit("reindent", author=CAROL)
    lines, refused = answer(git_repo, "iam.tf", [(1, 8)])
    assert refused is None
    assert lines == {
        1: ("alice@example.com", "iam.tf", 1),
        2: ("alice@example.com", "iam.tf", 2),
        3: ("bob@example.com", "iam.tf", 3),
        **{n: ("alice@example.com", "iam.tf", n) for n in range(4, 9)},
    }


def test_a_merge_that_took_the_file_from_its_branch(git_repo: GitRepo) -> None:
    git_repo.write("iam.tf", ROLE.format(name="ci"))
    git_repo.write("README.md", "infra\n")
    git_repo.commit("role", author=ALICE)
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("iam.tf", ROLE.format(name="ci") + ROLE.format(name="deploy"))
    git_repo.commit("deploy role", author=BOB)
    git_repo.git("checkout", "-q", "main")
    git_repo.write("README.md", "infra, by the platform team\n")
    git_repo.commit("readme", author=CAROL)
    git_repo.git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    lines, refused = answer(git_repo, "iam.tf", [(5, 8)])
    assert refused is None
    assert lines == {n: ("bob@example.com", "iam.tf", n) for n in range(5, 9)}


def test_a_merge_that_changed_the_file_against_both_parents_is_left_to_git(
    git_repo: GitRepo,
) -> None:
    git_repo.write("iam.tf", ROLE.format(name="ci"))
    git_repo.commit("role", author=ALICE)
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("iam.tf", ROLE.format(name="ci") + ROLE.format(name="deploy"))
    git_repo.commit("deploy role", author=BOB)
    git_repo.git("checkout", "-q", "main")
    git_repo.write("iam.tf", ROLE.format(name="audit") + ROLE.format(name="ci"))
    git_repo.commit("audit role", author=CAROL)
    git_repo.git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    merge = git_repo.git("rev-parse", "HEAD").strip()
    lines, refused = answer(git_repo, "iam.tf", [(1, 12)])
    assert (lines, refused) == (None, f"the merge {merge} changed it against every parent")


def renamed(repo: GitRepo) -> None:
    """Alice's role file, renamed whole by Bob, then Carol's role added to it."""
    repo.write("roles.tf", ROLE.format(name="ci"))
    repo.commit("role", author=ALICE)
    repo.git("mv", "roles.tf", "iam.tf")
    repo.commit("rename", author=BOB)
    repo.write("iam.tf", ROLE.format(name="ci") + ROLE.format(name="deploy"))
    repo.commit("deploy role", author=CAROL)


def test_an_exact_rename_is_followed(git_repo: GitRepo) -> None:
    renamed(git_repo)
    lines, refused = answer(git_repo, "iam.tf", [(1, 8)])
    assert refused is None
    assert lines == {
        **{n: ("alice@example.com", "roles.tf", n) for n in range(1, 5)},
        **{n: ("carol@example.com", "iam.tf", n) for n in range(5, 9)},
    }


def test_a_chain_of_renames_is_followed_in_one_more_pass(git_repo: GitRepo) -> None:
    renamed(git_repo)
    git_repo.git("mv", "iam.tf", "roles.tf")  # back to the first name, then into a folder
    git_repo.commit("rename back", author=BOB)
    git_repo.write("identity/.keep", "")
    git_repo.git("mv", "roles.tf", "identity/roles.tf")
    git_repo.commit("move", author=BOB)
    lines, refused = answer(git_repo, "identity/roles.tf", [(1, 8)])
    assert refused is None
    assert lines == {
        **{n: ("alice@example.com", "roles.tf", n) for n in range(1, 5)},
        **{n: ("carol@example.com", "iam.tf", n) for n in range(5, 9)},
    }


def test_renames_listed_beforehand_are_read_in_the_first_pass(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed(git_repo)
    git_repo.git("mv", "iam.tf", "roles.tf")
    git_repo.commit("rename back", author=BOB)
    listed = onepass.exact_renames(gitlog.renames(git_repo.root))
    passes: list[list[list[str]]] = []
    real = gitlog.histories
    monkeypatch.setattr(gitlog, "histories", lambda root, groups, *rest: (
        passes.append([list(g) for g in groups]) or real(root, groups, *rest)))  # fmt: skip
    asked = {"roles.tf": batch.Asked([(1, 8)], False)}
    found, refused = batch.answers(git_repo.root, asked, gitindex.clean_blobs(git_repo.root),
                                   listed=lambda: listed)  # fmt: skip
    assert refused == {}
    assert passes == [[["roles.tf", "iam.tf"]]]  # one pass, under both names
    lines = blame.parse(found["roles.tf"].porcelain)
    assert {n: (line.commit.email, line.original_path) for n, line in lines.items()} == {
        **dict.fromkeys(range(1, 5), ("alice@example.com", "roles.tf")),
        **dict.fromkeys(range(5, 9), ("carol@example.com", "iam.tf")),
    }


def test_a_rename_with_edits_is_left_to_git(git_repo: GitRepo) -> None:
    git_repo.write("roles.tf", ROLE.format(name="ci") + ROLE.format(name="deploy"))
    git_repo.commit("roles", author=ALICE)
    git_repo.git("rm", "-q", "roles.tf")
    git_repo.write("iam.tf", ROLE.format(name="ci") + ROLE.format(name="deployer"))
    rename = git_repo.commit("rename and edit", author=BOB)
    lines, refused = answer(git_repo, "iam.tf", [(1, 4)])
    assert (lines, refused) == (None, f"{rename} renamed files: this one may be one of them")


def test_a_block_moved_within_the_file_is_left_to_git(git_repo: GitRepo) -> None:
    git_repo.write("iam.tf", ROLE.format(name="ci") + "\n" + ROLE.format(name="deploy"))
    git_repo.commit("roles", author=ALICE)
    git_repo.write("iam.tf", ROLE.format(name="deploy") + "\n" + ROLE.format(name="ci"))
    git_repo.commit("reorder", author=BOB)
    lines, refused = answer(git_repo, "iam.tf", [(1, 4)])
    assert lines is None and refused is not None
    assert refused.startswith("lines at 1 may have moved from blob ")


def test_lines_copied_from_a_file_the_commit_changed_are_left_to_git_with_copies(
    git_repo: GitRepo,
) -> None:
    step = "      - run: deploy --role arn:aws:iam::123456789012:role/deployer\n"
    git_repo.write(".github/workflows/a.yml", "jobs:\n  a:\n    steps:\n" + step)
    git_repo.commit("workflow a", author=ALICE)
    git_repo.write(".github/workflows/a.yml", "jobs:\n  a:\n    steps:\n" + step + step)
    git_repo.write(".github/workflows/b.yml", "jobs:\n  b:\n    steps:\n" + step)
    git_repo.commit("workflow b", author=BOB)
    lines, refused = answer(git_repo, ".github/workflows/b.yml", [(4, 4)], copies=True)
    assert lines is None and refused is not None
    assert refused.startswith("lines at 1 may have moved from blob ")
    lines, refused = answer(git_repo, ".github/workflows/b.yml", [(4, 4)], copies=False)
    assert refused is None
    assert lines == {4: ("bob@example.com", ".github/workflows/b.yml", 4)}


def test_staged_and_uncommitted_files_are_left_to_git(git_repo: GitRepo) -> None:
    git_repo.write("iam.tf", ROLE.format(name="ci"))
    git_repo.write("users.tf", ROLE.format(name="deploy"))
    git_repo.commit("roles", author=ALICE)
    git_repo.write("iam.tf", ROLE.format(name="ci") + ROLE.format(name="audit"))
    git_repo.git("add", "iam.tf")
    git_repo.write("users.tf", ROLE.format(name="deployer"))
    asked = {name: batch.Asked([(1, 4)], False) for name in ("iam.tf", "users.tf")}
    found, refused = batch.answers(git_repo.root, asked, gitindex.clean_blobs(git_repo.root))
    assert (found, refused) == ({}, {"iam.tf": "staged changes",
                                     "users.tf": "not clean, or an unusual name"})  # fmt: skip


def test_the_scan_attributes_the_same_with_or_without_the_pass(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole scan through the pass, then with every file left to git blame: the same
    attributions, evidence included."""
    renamed(git_repo)
    git_repo.write("users.tf", ROLE.format(name="audit"))
    git_repo.commit("audit role", author=BOB)
    asked: list[list[str]] = []
    real = batch.answers
    monkeypatch.setattr(batch, "answers", lambda root, files, *rest: (
        asked.append(sorted(files)) or real(root, files, *rest)))  # fmt: skip
    walked = {s.identity.id: s.attribution for s in pipeline.scan(git_repo.root).subjects}
    assert asked == [["iam.tf", "users.tf"]]
    monkeypatch.setattr(schedule, "asked", lambda *_: {})
    blamed = {s.identity.id: s.attribution for s in pipeline.scan(git_repo.root).subjects}
    assert walked == blamed
    found = {name: (a.provisioner.email, a.provisioner.confidence)
             for name, a in walked.items() if a.provisioner is not None}  # fmt: skip
    assert found == {"iam.tf#aws_iam_role.ci": ("alice@example.com", "high"),
                     "iam.tf#aws_iam_role.deploy": ("carol@example.com", "high"),
                     "users.tf#aws_iam_role.audit": ("bob@example.com", "high")}  # fmt: skip


def test_the_repositorys_diff_and_log_config_change_nothing(git_repo: GitRepo) -> None:
    """A scanned repository's config is untrusted: prefixes, the algorithm, context, renames
    and --follow it may set must not move a line to another commit."""
    for key, value in (("diff.noprefix", "true"), ("diff.mnemonicPrefix", "true"),
                       ("diff.algorithm", "patience"), ("diff.context", "5"),
                       ("diff.renames", "copies"), ("log.follow", "true"),
                       ("core.quotePath", "false")):  # fmt: skip
        git_repo.git("config", key, value)
    git_repo.write("iam.tf", ROLE.format(name="ci"))
    git_repo.commit("role", author=ALICE)
    git_repo.write("iam.tf", ROLE.format(name="ci").replace("/service/", "/ci/"))
    git_repo.commit("path", author=BOB)
    lines, refused = answer(git_repo, "iam.tf", [(1, 4)])
    assert refused is None
    alice = "alice@example.com"
    assert lines == {1: (alice, "iam.tf", 1), 2: (alice, "iam.tf", 2),
                     3: ("bob@example.com", "iam.tf", 3), 4: (alice, "iam.tf", 4)}  # fmt: skip


def test_crlf_lines_a_missing_final_newline_and_an_unusual_name(git_repo: GitRepo) -> None:
    """What real files hold: Windows line ends, no newline at the end, a name git quotes."""
    name = "idéntités/rôles.tf"
    git_repo.write(name, ROLE.format(name="ci").replace("\n", "\r\n").rstrip("\r\n"))
    git_repo.commit("role", author=ALICE)
    git_repo.write(
        name, (ROLE.format(name="ci") + ROLE.format(name="deploy")).replace("\n", "\r\n")
    )
    git_repo.commit("deploy", author=BOB)
    lines, refused = answer(git_repo, name, [(1, 8)])
    assert refused is None
    alice, bob = "alice@example.com", "bob@example.com"
    assert lines == {n: (alice if n <= 4 else bob, name, n) for n in range(1, 9)}  # -w: "}\\r\\n"


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_histories_give_git_blames_answer_or_none(git_repo: GitRepo, seed: int) -> None:
    """Edits, insertions, deletions, whitespace-only changes, exact renames, moved lines and
    merged branches at random: every file the pass answers has git blame's lines."""
    rng = random.Random(seed)
    files = {name: [f"{name} line {n} {rng.randrange(10**6)}" for n in range(12)]
             for name in ("a.tf", "b.tf", "c.yml")}  # fmt: skip
    people = [ALICE, BOB, CAROL]

    def save(message: str) -> None:
        for name, lines in files.items():
            git_repo.write(name, "\n".join(lines) + "\n")
        git_repo.commit(message, author=rng.choice(people))

    def change(name: str) -> None:
        lines, at = files[name], rng.randrange(len(files[name]))
        kind = rng.choice(["edit", "insert", "delete", "space", "swap", "rename"])
        if kind == "edit":
            lines[at] = f"{name} edited {rng.randrange(10**6)}"
        elif kind == "insert":
            lines.insert(at, f"{name} new {rng.randrange(10**6)}")
        elif kind == "delete" and len(lines) > 4:
            del lines[at]
        elif kind == "space":
            lines[at] = "  " + lines[at]
        elif kind == "swap":
            other = rng.randrange(len(lines))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == "rename":
            new = f"r{rng.randrange(1000)}_{name}"
            git_repo.git("mv", name, new)
            files[new] = files.pop(name)

    def current() -> dict[str, list[str]]:
        return {name: git_repo.root.joinpath(name).read_text().split("\n")[:-1]
                for name in git_repo.git("ls-files").split()}  # fmt: skip

    save("start")
    for step in range(24):
        if step % 6 == 5:  # a branch with its own changes, merged back
            git_repo.git("checkout", "-q", "-b", f"topic{step}")
            mine = rng.choice(sorted(files))
            change(mine)
            save(f"topic {step}")
            topic = set(files)
            git_repo.git("checkout", "-q", "main")
            files = current()
            others = sorted(set(files) & topic - {mine})  # main moves on elsewhere meanwhile
            if others and rng.random() < 0.7:
                lines = files[rng.choice(others)]
                lines[rng.randrange(len(lines))] = f"main {rng.randrange(10**6)}"
                save(f"main {step}")
            git_repo.git("merge", "-q", "--no-ff", "-m", f"merge {step}", f"topic{step}")
            files = current()
        else:
            change(rng.choice(sorted(files)))
            save(f"step {step}")
    answered = 0
    for name, lines in files.items():
        found, _ = answer(git_repo, name, [(1, len(lines))], copies=name.endswith(".yml"))
        answered += found is not None
    assert answered >= 1


def test_a_name_holding_a_line_break_is_never_misread_in_a_batch(git_repo: GitRepo) -> None:
    """`cat-file --batch-check` reads one name a line: such a name would shift every answer
    after it, so it is refused with a reason instead."""
    git_repo.write("iam.tf", ROLE.format(name="ci"))
    git_repo.commit("role", author=ALICE)
    with pytest.raises(git.GitError, match="a file name holding a line break"):
        gitlog.blob_ids(git_repo.root, [("HEAD", "iam.tf"), ("HEAD", "a\nb.tf")])
    assert gitlog.blob_ids(git_repo.root, [("HEAD", "iam.tf"), ("HEAD", "gone.tf")]) == [
        git_repo.git("rev-parse", "HEAD:iam.tf").strip(),
        None,
    ]


def test_blobs_are_read_one_at_a_time_and_a_missing_one_has_no_answer(
    git_repo: GitRepo,
) -> None:
    """More than a pipe holds, both ways (the ids are written while the blobs are read):
    each blob's answer, in any order asked, once; an id this clone lacks has none."""
    for n in range(300):
        git_repo.write(f"f{n:03}.tf", f"# {n}\n" + "x" * (4096 + n))
    git_repo.write("big.tf", "y" * 3_000_000)
    git_repo.commit("files", author=ALICE)
    names = [f"f{n:03}.tf" for n in range(300)] + ["big.tf"]
    ids = [id_ for id_ in gitlog.blob_ids(git_repo.root, [("HEAD", n) for n in names]) if id_]
    absent = "0123456789abcdef0123456789abcdef01234567"
    found = gitlog.read_blobs(git_repo.root, [*reversed(ids), absent, ids[0]], len)
    assert found == {id_: (git_repo.root / name).stat().st_size
                     for id_, name in zip(ids, names, strict=True)}  # fmt: skip


def test_a_failing_reader_stops_git_and_says_why(git_repo: GitRepo) -> None:
    """git, stopped while it still has a megabyte to write, cannot hold the scan up; and git
    failing says so in its own words."""
    git_repo.write("iam.tf", ROLE.format(name="ci") + "#" * 1_000_000)
    git_repo.write("big.tf", "#" * 1_000_000)
    git_repo.commit("role", author=ALICE)
    blob, big = gitlog.blob_ids(git_repo.root, [("HEAD", "iam.tf"), ("HEAD", "big.tf")])
    assert blob is not None and big is not None

    def broken(content: bytes) -> int:
        raise ValueError("reader failed")

    with pytest.raises(ValueError, match="reader failed"):
        gitlog.read_blobs(git_repo.root, [blob, big], broken)
    outside = git_repo.root.parent / "not-a-repository"
    outside.mkdir()
    with pytest.raises(git.GitError, match="git cat-file failed: fatal: not a git repository"):
        gitlog.read_blobs(outside, [blob], len)


def test_an_author_with_no_email_and_a_commit_with_no_message(git_repo: GitRepo) -> None:
    """Real histories hold both (aztfmod/terraform-azurerm-caf: `Dimitri <>`); each writes an
    empty field, two NULs in a row, which once cut a record in two and refused the whole pass."""
    git_repo.write("iam.tf", ROLE.format(name="ci"))
    git_repo.commit("role", author=ALICE)
    git_repo.write("iam.tf", ROLE.format(name="ci") + ROLE.format(name="deploy"))
    git_repo.commit("deploy role", author="Dimitri <>")
    git_repo.write("iam.tf", ROLE.format(name="ci").replace("/service/", "/ci/")
                   + ROLE.format(name="deploy"))  # fmt: skip
    git_repo.git("add", "-A")
    bob = {"GIT_AUTHOR_NAME": "Bob Builder", "GIT_AUTHOR_EMAIL": "bob@example.com"}
    git_repo.git("commit", "-q", "--allow-empty-message", "-m", "", env=bob)
    lines, refused = answer(git_repo, "iam.tf", [(1, 8)])
    assert refused is None
    assert lines == {
        1: ("alice@example.com", "iam.tf", 1),
        2: ("alice@example.com", "iam.tf", 2),
        3: ("bob@example.com", "iam.tf", 3),
        4: ("alice@example.com", "iam.tf", 4),
        **{n: ("", "iam.tf", n) for n in range(5, 9)},
    }
