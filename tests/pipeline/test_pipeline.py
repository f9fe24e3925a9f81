"""The pipeline on real folders and real git repositories: discovery, reading, bad input."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import jsonschema
import pytest

from scanner import pipeline
from scanner.errors import ParseError
from scanner.reading import read
from scanner.reporters import json as json_reporter

USER = 'resource "aws_iam_user" "{name}" {{\n  name = "{name}"\n}}\n'
SCHEMA = json.loads((Path(pipeline.__file__).parents[1] / "schemas/report.schema.json").read_text())


def ids(report) -> list[str]:
    return [s.identity.id for s in report.subjects]


def errors(report) -> list[tuple[str, int | None, str]]:
    return [(e.path, e.line, e.message) for e in report.errors]


def test_git_repo_scans_tracked_and_untracked_but_not_ignored(git_repo) -> None:
    git_repo.write("infra/iam.tf", USER.format(name="tracked"))
    git_repo.write(".gitignore", "ignored.tf\n")
    git_repo.commit("initial")
    git_repo.write("new.tf", USER.format(name="untracked"))
    git_repo.write("ignored.tf", USER.format(name="ignored"))
    report = pipeline.scan(git_repo.root)
    assert ids(report) == ["infra/iam.tf#aws_iam_user.tracked", "new.tf#aws_iam_user.untracked"]
    assert report.errors == ()


def test_bad_files_become_errors_and_the_scan_goes_on(git_repo) -> None:
    git_repo.write("a_deleted.tf", USER.format(name="gone"))
    git_repo.write("b_binary.tf", b"\x00\x01resource")
    git_repo.write("c_big.tf", "# padding\n" * 50 + USER.format(name="big"))
    git_repo.write("d_bad.tf", 'resource "aws_iam_user" {\n')
    git_repo.write("e_good.tf", USER.format(name="good"))
    # terraform-example-foundation links each environment's terraform.tfvars to a shared one
    # that every user creates from an example: in the repository, the link dangles.
    (git_repo.root / "envs").mkdir()
    (git_repo.root / "envs/terraform.tfvars").symlink_to("../terraform.tfvars")
    token = "ghp_Y6tR3wQ9zX2cV5bN8mL1kJ4hG7fD0sA3pO6iU"  # a link's target is never printed as one
    (git_repo.root / "envs/prod.tfvars").symlink_to(token)
    git_repo.commit("files")
    (git_repo.root / "a_deleted.tf").unlink()
    report = pipeline.scan(git_repo.root, options=pipeline.Options(max_file_size=400))
    assert ids(report) == ["e_good.tf#aws_iam_user.good"]
    assert errors(report) == [
        ("a_deleted.tf", None, "listed by git but missing on disk"),
        ("b_binary.tf", None, "binary file (contains NUL bytes); skipped"),
        ("c_big.tf", None, "549 bytes, over the 400-byte limit; skipped"),
        ("d_bad.tf", 2, "invalid HCL: unexpected end of file"),
        (
            "envs/prod.tfvars",
            None,
            "symbolic link to a file, which is not in the checkout; nothing to read",
        ),
        (
            "envs/terraform.tfvars",
            None,
            "symbolic link to ../terraform.tfvars, which is not in the checkout; nothing to read",
        ),
    ]


def test_outside_git_walks_the_folder_and_skips_tool_caches(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra/iam.tf").write_text(USER.format(name="walked"))
    for cache in (".terraform/modules/x", "node_modules/pkg"):
        (tmp_path / cache).mkdir(parents=True)
        (tmp_path / cache / "main.tf").write_text(USER.format(name="cached"))
    report = pipeline.scan(tmp_path)
    assert ids(report) == ["infra/iam.tf#aws_iam_user.walked"]
    assert report.repository.commit is None
    assert report.repository.name == tmp_path.name


def test_explicit_paths_files_folders_missing_and_outside(git_repo, tmp_path: Path) -> None:
    git_repo.write("a/one.tf", USER.format(name="one"))
    git_repo.write("b/two.tf", USER.format(name="two"))
    git_repo.write("c/three.tf", USER.format(name="three"))
    git_repo.write("README.md", "not scanned")
    git_repo.commit("files")
    root = git_repo.root
    outside = tmp_path / "elsewhere.tf"
    outside.write_text(USER.format(name="outside"))
    paths = [root / "a/one.tf", root / "b", root / "README.md", root / "missing.tf", outside]
    report = pipeline.scan(root, paths)
    assert ids(report) == ["a/one.tf#aws_iam_user.one", "b/two.tf#aws_iam_user.two"]
    assert errors(report) == [
        (str(outside), None, "outside the repository"),
        ("missing.tf", None, "no such file"),
    ]


def test_relative_paths_are_relative_to_the_current_directory(git_repo, monkeypatch) -> None:
    git_repo.write("infra/iam.tf", USER.format(name="rel"))
    git_repo.commit("files")
    monkeypatch.chdir(git_repo.root / "infra")
    report = pipeline.scan(git_repo.root, [Path("iam.tf")])
    assert ids(report) == ["infra/iam.tf#aws_iam_user.rel"]


def test_symlink_out_of_the_repository_is_not_followed(git_repo, tmp_path: Path) -> None:
    secret = tmp_path / "secret.tf"
    secret.write_text(USER.format(name="outside"))
    os.symlink(secret, git_repo.root / "link.tf")
    os.symlink("real.tf", git_repo.root / "inside_link.tf")
    git_repo.write("real.tf", USER.format(name="real"))
    report = pipeline.scan(git_repo.root)
    assert ids(report) == ["inside_link.tf#aws_iam_user.real", "real.tf#aws_iam_user.real"]
    assert errors(report) == [
        ("link.tf", None, "symbolic link to a file outside the repository; not followed")
    ]


def test_a_folder_swapped_for_a_link_out_is_refused_on_the_next_read(git_repo, tmp_path):
    """Where a folder leads is remembered while it is the same folder (`reading.read`): a
    folder replaced by a link to outside the repository is judged again."""
    git_repo.write("infra/iam.tf", USER.format(name="inside"))
    assert read(git_repo.root, "infra/iam.tf", 10_000) == USER.format(name="inside").encode()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "iam.tf").write_text(USER.format(name="outside"))
    (git_repo.root / "infra" / "iam.tf").unlink()
    (git_repo.root / "infra").rmdir()
    os.symlink(outside, git_repo.root / "infra")
    with pytest.raises(ParseError, match="symbolic link to a file outside the repository"):
        read(git_repo.root, "infra/iam.tf", 10_000)


def test_repeated_declarations_keep_unique_ids(tmp_path: Path) -> None:
    (tmp_path / "dup.tf").write_text(USER.format(name="x") + USER.format(name="x"))
    report = pipeline.scan(tmp_path)
    assert ids(report) == ["dup.tf#aws_iam_user.x", "dup.tf#aws_iam_user.x~2"]


def test_ids_survive_lines_inserted_above(git_repo) -> None:
    git_repo.write("iam.tf", USER.format(name="ci"))
    before = pipeline.scan(git_repo.root).subjects[0].identity
    git_repo.write("iam.tf", "# a comment\n" * 20 + USER.format(name="ci"))
    after = pipeline.scan(git_repo.root).subjects[0].identity
    assert (before.id, before.line) == ("iam.tf#aws_iam_user.ci", 1)
    assert (after.id, after.line) == ("iam.tf#aws_iam_user.ci", 21)


def test_repository_facts_come_from_git_without_credentials(git_repo) -> None:
    git_repo.write("iam.tf", USER.format(name="ci"))
    sha = git_repo.commit("one")
    git_repo.git("remote", "add", "origin", "https://bot:s3cr3t-t0ken@github.com/acme/infra.git")
    report = pipeline.scan(git_repo.root)
    assert report.repository.name == "acme/infra"
    assert report.repository.commit == sha
    assert report.repository.shallow is False
    assert "s3cr3t" not in json_reporter.render(report)


def test_repository_name_option_wins_and_empty_repo_has_no_commit(git_repo) -> None:
    report = pipeline.scan(git_repo.root, options=pipeline.Options(repository_name="o/r"))
    assert (report.repository.name, report.repository.commit) == ("o/r", None)


@pytest.mark.parametrize("url", ["git@github.com:acme/infra.git", "ssh://git@host:22/acme/infra"])
def test_remote_url_forms(git_repo, url: str) -> None:
    git_repo.git("remote", "add", "origin", url)
    assert pipeline.scan(git_repo.root).repository.name == "acme/infra"


def test_report_is_valid_against_the_schema(git_repo) -> None:
    git_repo.write("iam.tf", USER.format(name="ci") + 'module "m" {\n  source = "./m"\n}\n')
    git_repo.write("bad.tf", "resource {")
    git_repo.commit("files")
    document = json_reporter.to_json(pipeline.scan(git_repo.root))
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["modules"] == [
        {"path": "iam.tf", "line": 4, "name": "m", "source": "./m", "version": None}
    ]


def test_special_files_and_symlink_loops_are_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.tf")
    os.symlink("loop_b.tf", tmp_path / "loop_a.tf")
    os.symlink("loop_a.tf", tmp_path / "loop_b.tf")
    (tmp_path / "dir").mkdir()
    report = pipeline.scan(tmp_path, [tmp_path / "pipe.tf", tmp_path / "loop_a.tf"])
    assert errors(report) == [
        ("loop_a.tf", None, "symbolic link loop; not followed"),
        ("pipe.tf", None, "not a regular file; skipped"),
    ]


def test_explicit_folder_outside_git_is_walked(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/one.tf").write_text(USER.format(name="one"))
    (tmp_path / "two.tf").write_text(USER.format(name="two"))
    assert ids(pipeline.scan(tmp_path, [tmp_path / "a"])) == ["a/one.tf#aws_iam_user.one"]


def test_git_failures_are_explained(tmp_path: Path) -> None:
    from scanner import git

    with pytest.raises(git.GitError, match=r"^git frobnicate failed: .*frobnicate"):
        git.run(tmp_path, "frobnicate")


def test_a_folder_of_a_repository_is_scanned_as_part_of_the_repository(git_repo) -> None:
    # `nhi scan --repo infra` (the Action's `path:` in a monorepo): ids, paths and owners stay
    # relative to the repository root, and only the folder's files are read (issue 20).
    git_repo.write(".github/CODEOWNERS", "/infra/ @acme/platform\n")
    git_repo.write("infra/iam.tf", USER.format(name="infra"))
    git_repo.write("apps/iam.tf", USER.format(name="apps"))
    git_repo.commit("initial")
    report = pipeline.scan(git_repo.root / "infra")
    assert [(s.identity.id, s.identity.path, s.attribution.owners) for s in report.subjects] == [
        ("infra/iam.tf#aws_iam_user.infra", "infra/iam.tf", ("@acme/platform",))
    ]
    assert report.repository.name == "repo"


def test_a_submodule_is_reported_as_not_scanned(git_repo, tmp_path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    for args in (["init", "-q", "-b", "main"], ["commit", "-q", "--allow-empty", "-m", "x"]):
        git_repo.git("-C", str(library), *args)
    (library / "iam.tf").write_text(USER.format(name="vendored"))
    git_repo.git("-C", str(library), "add", "-A")
    git_repo.git("-C", str(library), "commit", "-q", "-m", "user")
    git_repo.write("main.tf", USER.format(name="own"))
    git_repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library),
                 "modules/library")  # fmt: skip
    git_repo.commit("with a submodule")
    report = pipeline.scan(git_repo.root)
    assert ids(report) == ["main.tf#aws_iam_user.own"]
    assert errors(report) == [("modules/library", None, pipeline.SUBMODULE)]


def test_terraform_test_fixtures_are_samples_and_do_not_block(git_repo) -> None:
    # A module repository's test/fixtures declare what the module makes; none is deployed as is.
    from scanner import policy

    key = 'resource "aws_iam_access_key" "k" {\n  user = "u"\n}\n'
    git_repo.write("test/fixtures/basic/main.tf", key)
    git_repo.write("main.tf", key)
    git_repo.commit("keys")
    report = pipeline.scan(git_repo.root, options=pipeline.Options(policies=policy.builtin()))
    assert [(s.identity.id, s.identity.attributes.get("sample")) for s in report.subjects] == [
        ("main.tf#aws_iam_access_key.k", None),
        ("test/fixtures/basic/main.tf#aws_iam_access_key.k", "true"),
    ]
    assert sorted({f.identity for f in report.findings}) == ["main.tf#aws_iam_access_key.k"]


MODULE_KEY = (
    'variable "name" {\n  default = "ci"\n}\n\n'
    'resource "aws_iam_user" "this" {\n  name = var.name\n}\n\n'
    'resource "aws_iam_access_key" "this" {\n  user = aws_iam_user.this.name\n}\n'
)


def test_module_instances_that_change_nothing_are_folded_into_the_definition(git_repo) -> None:
    # #19: a call that repeats its module is provenance of the definition, not another
    # identity, and each finding fires once per declaration. A fixture's call only shows how
    # the module is called; a real call of a module kept under examples/ is a real use.
    from scanner import policy

    git_repo.write("modules/ci/main.tf", MODULE_KEY)
    git_repo.write("examples/own/main.tf", 'resource "aws_iam_access_key" "k" {\n  user = "x"\n}\n')
    git_repo.write("main.tf", 'module "ci" {\n  source = "./modules/ci"\n}\n\n'
                   'module "deploy" {\n  source = "./modules/ci"\n  name   = "deploy"\n}\n\n'
                   'module "own" {\n  source = "./examples/own"\n}\n')  # fmt: skip
    fixture = 'module "ci" {\n  source = "../../../modules/ci"\n  name   = "fixture"\n}\n'
    git_repo.write("test/fixtures/basic/main.tf", fixture)
    git_repo.commit("a module and its calls")
    report = pipeline.scan(git_repo.root, options=pipeline.Options(policies=policy.builtin()))
    assert [
        (s.identity.id, s.identity.line, *(s.identity.attributes.get(key)
                                           for key in ("sample", "instances", "changed_by")))
        for s in report.subjects
    ] == [
        ("examples/own/main.tf#aws_iam_access_key.k", 1, "true", None, None),
        ("main.tf#module.deploy.aws_iam_access_key.this", 5, None, None, ["name"]),
        ("main.tf#module.deploy.aws_iam_user.this", 5, None, None, ["name"]),
        ("main.tf#module.own.aws_iam_access_key.k", 10, None, None, None),
        ("modules/ci/main.tf#aws_iam_user.this", 5, None,
         ["main.tf:1 module.ci", "test/fixtures/basic/main.tf:1 module.ci"], None),
        ("modules/ci/main.tf#aws_iam_access_key.this", 9, None,
         ["main.tf:1 module.ci", "test/fixtures/basic/main.tf:1 module.ci"], None),
    ]  # fmt: skip
    assert sorted(f.identity for f in report.findings if f.rule == "NHI002") == [
        "main.tf#module.deploy.aws_iam_access_key.this",
        "main.tf#module.own.aws_iam_access_key.k",
        "modules/ci/main.tf#aws_iam_access_key.this",
    ]


def test_a_file_python_hcl2_rejects_keeps_its_identities_and_says_so(git_repo) -> None:
    # #19: Terraform accepts a traversal continued on a line starting with `.`; python-hcl2
    # does not. In a block the scanner reads, the other blocks are read one by one, and one
    # error says so without quoting; in a block nobody reads (#21) it is never parsed.
    broken = "\nlocals {\n  x = var.a\n    .b\n}\n"
    git_repo.write("main.tf", USER.format(name="ci") + broken + USER.format(name="deploy"))
    git_repo.write("keys.tf", USER.format(name="ci").replace("aws_iam_user", "aws_iam_access_key")
                   .replace('"ci"\n', '"ci"\n  user = aws_iam_user.ci\n    .name\n', 1)
                   + USER.format(name="ops"))  # fmt: skip
    git_repo.commit("a traversal python-hcl2 rejects")
    report = pipeline.scan(git_repo.root)
    assert [(s.identity.id, s.identity.line) for s in report.subjects] == [
        ("keys.tf#aws_iam_access_key.ci", 1),
        ("keys.tf#aws_iam_user.ops", 6),
        ("main.tf#aws_iam_user.ci", 1),
        ("main.tf#aws_iam_user.deploy", 9),
    ]
    assert errors(report) == [
        ("keys.tf", 4, "invalid HCL: unexpected token at line 4, column 5; only partly "
         "understood: its blocks were read one by one"),
    ]  # fmt: skip


class _Breaks:
    """A scanner with a bug: it reads one identity, then fails on what follows it."""

    def __init__(self, real: object) -> None:
        self.real = real

    def scan(self, path: str, text: str):  # type: ignore[no-untyped-def]
        yield from self.real.scan(path, text.split("\n\n")[0])  # type: ignore[attr-defined]
        raise KeyError(text)  # a message that quotes the input, secret and all


def test_a_scanner_bug_costs_its_file_not_the_scan(tmp_path: Path, monkeypatch) -> None:
    detect = sys.modules["scanner.pipeline.detect"]  # the module (the package exports the function)
    (tmp_path / "a.tf").write_text(USER.format(name="before") + "\n" + USER.format(name="after"))
    (tmp_path / ".env").write_text("STRIPE_SECRET_KEY=sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc\n")
    monkeypatch.setitem(detect.SCANNERS, "dotenv", _Breaks(detect.SCANNERS["dotenv"]))
    monkeypatch.setitem(detect.SCANNERS, "terraform", _Breaks(detect.SCANNERS["terraform"]))
    report = pipeline.scan(tmp_path)
    # What the scanner read before it failed is kept; the failure is the file's error entry.
    assert ids(report) == [".env#STRIPE_SECRET_KEY", "a.tf#aws_iam_user.before"]
    assert errors(report) == [
        (".env", None, "not fully scanned: internal error in the dotenv scanner (KeyError); "
         "this is a bug, please report it"),
        # As for any file a parser gave up on, a linear pass looks for secret shapes.
        (".env", 1, "stripe_secret_key-shaped value found by a linear pass (the file was not "
         "parsed)"),
        ("a.tf", None, "not fully scanned: internal error in the terraform scanner (KeyError); "
         "this is a bug, please report it"),
    ]  # fmt: skip


def test_a_lineage_bug_costs_links_and_reach_not_the_report(tmp_path: Path, monkeypatch) -> None:
    def broken(graph, links):  # type: ignore[no-untyped-def]
        raise KeyError("permissions")

    (tmp_path / "a.tf").write_text(USER.format(name="ci"))
    monkeypatch.setattr(pipeline.lineage, "reach", broken)
    report = pipeline.scan(tmp_path)
    assert ids(report) == ["a.tf#aws_iam_user.ci"]
    assert (report.links, report.reach) == ((), ())
    message = "links and reach not computed: internal error (KeyError); this is a bug, please "
    assert errors(report) == [(".", None, message + "report it")]
