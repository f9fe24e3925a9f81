"""The scan cache: hits skip parsing, changes and upgrades miss, corruption is a miss."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scanner import gitindex, pipeline
from scanner.pipeline import cache
from scanner.scanners import terraform

USER = 'resource "aws_iam_user" "{name}" {{\n  name = "{name}"\n}}\n'


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The paths the Terraform scanner was actually asked to parse."""
    calls: list[str] = []
    real = terraform.scan

    def counting(path: str, text: str):
        calls.append(path)
        return real(path, text)

    monkeypatch.setattr(terraform, "scan", counting)
    return calls


def run(root: Path, folder: Path, jobs: int = 1):
    options = pipeline.Options(cache_dir=folder, jobs=jobs)
    return pipeline.scan(root, options=options)


def ids(report) -> list[tuple[str, int]]:
    return [(s.identity.id, s.identity.line) for s in report.subjects]


def test_unchanged_files_are_not_parsed_again(git_repo, tmp_path, parsed) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.write(
        "b.tf", "# nhi:ignore[NHI001] owner=@x expires=2030-01-01\n" + USER.format(name="b")
    )
    git_repo.write("bad.tf", 'resource "aws_iam_user" {\n')
    git_repo.commit("files")
    git_repo.write("untracked.tf", USER.format(name="u"))
    first = run(git_repo.root, tmp_path / "cache")
    assert sorted(parsed) == ["a.tf", "b.tf", "bad.tf", "untracked.tf"]
    parsed.clear()
    second = run(git_repo.root, tmp_path / "cache")
    assert parsed == []
    assert ids(second) == ids(first)
    assert second.errors == first.errors
    assert [
        w.identity
        for w in pipeline.detect(
            git_repo.root,
            [pipeline.Candidate(path="b.tf", scanner="terraform")],
            10**6,
            cache.Cache(tmp_path / "cache"),
        ).waivers
    ] == ["b.tf#aws_iam_user.b"]


def test_a_changed_blob_is_scanned_again(git_repo, tmp_path, parsed) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.write("b.tf", USER.format(name="b"))
    git_repo.commit("files")
    run(git_repo.root, tmp_path / "cache")
    parsed.clear()
    git_repo.write("a.tf", "# moved down\n" + USER.format(name="a"))  # unstaged change
    report = run(git_repo.root, tmp_path / "cache")
    assert parsed == ["a.tf"]
    assert ids(report) == [("a.tf#aws_iam_user.a", 2), ("b.tf#aws_iam_user.b", 1)]


def test_a_tool_upgrade_invalidates_everything(git_repo, tmp_path, parsed, monkeypatch) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.commit("files")
    run(git_repo.root, tmp_path / "cache")
    parsed.clear()
    monkeypatch.setattr(cache, "__version__", "999.0.0")
    cache.salt.cache_clear()
    try:
        run(git_repo.root, tmp_path / "cache")
    finally:
        cache.salt.cache_clear()
    assert parsed == ["a.tf"]


def test_a_corrupt_entry_is_ignored_and_rebuilt(git_repo, tmp_path, parsed) -> None:
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.commit("files")
    expected = ids(run(git_repo.root, tmp_path / "cache"))
    database = sqlite3.connect(tmp_path / "cache" / cache.FILE_NAME)
    with database:
        database.execute('UPDATE facts SET value = \'{"facts": [{"type": 1}]\'')
    database.close()
    parsed.clear()
    assert ids(run(git_repo.root, tmp_path / "cache")) == expected
    assert parsed == ["a.tf"]
    parsed.clear()
    assert ids(run(git_repo.root, tmp_path / "cache")) == expected
    assert parsed == []


def test_an_unusable_cache_folder_is_a_miss_not_an_error(tmp_path) -> None:
    (tmp_path / "a.tf").write_text(USER.format(name="a"))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    report = run(tmp_path, blocker / "cache")
    assert ids(report) == [("a.tf#aws_iam_user.a", 1)]


def test_parallel_parsing_gives_the_same_report(tmp_path) -> None:
    for index in range(pipeline.PARALLEL_FROM + 2):
        (tmp_path / f"f{index:03d}.tf").write_text(USER.format(name=f"u{index}"))
    (tmp_path / "bad.tf").write_text('resource "aws_iam_user" {\n')
    serial = pipeline.scan(tmp_path, options=pipeline.Options(jobs=1))
    parallel = pipeline.scan(tmp_path, options=pipeline.Options(jobs=2))
    assert ids(parallel) == ids(serial)
    assert parallel.errors == serial.errors
    assert len(serial.subjects) == pipeline.PARALLEL_FROM + 2


def blames(monkeypatch) -> list[tuple[str, tuple[str, ...]]]:
    """Each file blamed, by git blame or by the one-pass walk (#21), with the revisions
    ignored: the work a cache hit saves."""
    from scanner import git
    from scanner.attribution import batch

    calls: list[tuple[str, tuple[str, ...]]] = []
    real_blame, real_answers = git.blame, batch.answers

    def blame(root, path, *args, **kwargs):
        calls.append((path, tuple(sorted(kwargs.get("ignore_revs") or ()))))
        return real_blame(root, path, *args, **kwargs)

    def answers(root, asked, *rest):
        found, refused = real_answers(root, asked, *rest)
        calls.extend((path, ()) for path in sorted(found))
        return found, refused

    monkeypatch.setattr(git, "blame", blame)
    monkeypatch.setattr(batch, "answers", answers)
    return calls


def test_blame_results_are_cached_per_file_history(git_repo, tmp_path, monkeypatch) -> None:
    calls = blames(monkeypatch)
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.write("b.tf", USER.format(name="b"))
    git_repo.commit("files")
    folder = tmp_path / "cache"
    first = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder, jobs=1))
    assert sorted({path for path, _ in calls}) == ["a.tf", "b.tf"]
    calls.clear()
    second = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder, jobs=1))
    assert calls == []
    assert [s.attribution for s in second.subjects] == [s.attribution for s in first.subjects]
    git_repo.write("a.tf", USER.format(name="a") + "# edited\n")  # a changed file misses
    pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder, jobs=1))
    assert [path for path, _ in calls] == ["a.tf"]
    calls.clear()
    git_repo.commit("edit", author="Bob Builder <bob@example.com>")  # the commit touched a.tf
    mixed = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder, jobs=1))
    assert [path for path, _ in calls] == ["a.tf"]
    # a.tf's identities on the git workers, b.tf's serially from the cache: the same answers,
    # in the same order, as a cold scan's
    cold = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=tmp_path / "cold"))
    assert [(s.identity.id, s.attribution) for s in mixed.subjects] == [
        (s.identity.id, s.attribution) for s in cold.subjects]  # fmt: skip
    calls.clear()
    # A new HEAD that touches neither file (CI's merge commit of an unrelated change): nothing
    # is blamed again, and the answers are the same as a cold scan's (#21, #22).
    git_repo.write("README.md", "docs\n")
    git_repo.commit("docs", author="Carol Coder <carol@example.com>")
    warm = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder, jobs=1))
    assert calls == []
    cold = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=tmp_path / "new"))
    assert [s.attribution for s in warm.subjects] == [s.attribution for s in cold.subjects]
    calls.clear()
    # History rewritten (HEAD no longer descends from the cached one): everything again.
    git_repo.git("reset", "-q", "--hard", "HEAD~2")
    git_repo.write("a.tf", USER.format(name="a") + "# other\n")
    git_repo.commit("another edit", author="Carol Coder <carol@example.com>")
    pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder, jobs=1))
    assert sorted({path for path, _ in calls}) == ["a.tf", "b.tf"]


def test_the_blame_past_bot_commits_is_cached_too(git_repo, tmp_path, monkeypatch) -> None:
    calls = blames(monkeypatch)
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.commit("add a")
    git_repo.write("a.tf", USER.format(name="a").replace("{", "{ # reformatted", 1))
    git_repo.commit("chore: reformat", author="renovate[bot] <bot@renovateapp.com>")
    bot = git_repo.git("rev-parse", "HEAD").strip()
    folder = tmp_path / "cache"
    first = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder, jobs=1))
    assert calls == [("a.tf", ()), ("a.tf", (bot,))]  # blamed, then blamed past the bot
    assert first.subjects[0].attribution.provisioner.email == "alice@example.com"
    calls.clear()
    second = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder, jobs=1))
    assert calls == []
    assert second.subjects[0].attribution == first.subjects[0].attribution


def test_blame_cache_is_safe_across_the_attribution_threads(git_repo, tmp_path) -> None:
    for index in range(40):
        git_repo.write(f"f{index:02d}.tf", USER.format(name=f"u{index}"))
    git_repo.commit("many files")
    folder = tmp_path / "cache"
    cold = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder, jobs=1))
    warm = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder, jobs=1))
    assert [s.attribution for s in warm.subjects] == [s.attribution for s in cold.subjects]
    assert {s.attribution.provisioner.email for s in cold.subjects} == {"alice@example.com"}


def test_a_shallow_clone_of_the_same_head_does_not_reuse_full_history(git_repo, tmp_path) -> None:
    import subprocess

    from tests.conftest import GIT_ENV

    git_repo.write("iam.tf", USER.format(name="a"))
    git_repo.commit("key", author="Alice Example <alice@example.com>")
    git_repo.write("README.md", "later\n")
    git_repo.commit("docs", author="Bob Builder <bob@example.com>")
    folder = tmp_path / "cache"
    full = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder))
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{git_repo.root}", str(clone)],
        check=True,
        env={**GIT_ENV, "PATH": "/usr/bin:/bin"},
    )
    shallow = pipeline.scan(clone, options=pipeline.Options(cache_dir=folder))
    assert full.subjects[0].attribution.provisioner.confidence == "high"
    assert shallow.subjects[0].attribution.provisioner.confidence == "unknown"


def test_an_old_cache_file_that_held_blamed_content_is_deleted(tmp_path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "scan-cache.sqlite").write_bytes(b"old blame with TOKEN=ghp_...")
    (folder / "scan-cache.sqlite-wal").write_bytes(b"")
    cache.Cache(folder).close()
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        cache.FILE_NAME
    ]


def test_a_file_changed_in_a_subfolder_scan_is_parsed_again(git_repo, tmp_path) -> None:
    """`--repo` may be a folder inside the repository: git status names paths from the top."""
    git_repo.write("infra/iam.tf", USER.format(name="a"))
    git_repo.write("infra/keep.tf", USER.format(name="keep"))
    git_repo.commit("files")
    folder = tmp_path / "cache"
    options = pipeline.Options(cache_dir=folder, jobs=1, attribution=False)
    first = pipeline.scan(git_repo.root / "infra", options=options)
    assert [s.identity.name for s in first.subjects] == ["a", "keep"]
    git_repo.write("infra/iam.tf", USER.format(name="b"))  # not committed, not staged
    second = pipeline.scan(git_repo.root / "infra", options=options)
    assert [s.identity.name for s in second.subjects] == ["b", "keep"]
    index = git_repo.root / ".git/index"
    before = index.stat().st_mtime_ns
    pipeline.scan(git_repo.root / "infra", options=options)
    assert index.stat().st_mtime_ns == before  # a scan never writes to the repository


def test_the_salt_covers_every_module_of_the_package_wherever_it_moves(
    tmp_path, monkeypatch
) -> None:
    package = tmp_path / "scanner"
    (package / "scanners" / "terraform").mkdir(parents=True)
    (package / "pipeline").mkdir()
    (package / "pipeline" / "cache.py").write_text("")
    monkeypatch.setattr(cache, "__file__", str(package / "pipeline" / "cache.py"))

    def salt() -> str:
        cache.salt.cache_clear()
        try:
            return cache.salt()
        finally:
            cache.salt.cache_clear()

    empty = salt()
    (package / "scanners" / "terraform" / "blocks.py").write_text("A = 1\n")
    nested = salt()
    (package / "scanners" / "terraform" / "blocks.py").rename(package / "blocks.py")
    moved = salt()
    (package / "blocks.py").write_text("A = 2\n")
    assert len({empty, nested, moved, salt()}) == 4


def test_old_entries_are_pruned_once_a_day_and_an_old_file_gains_dates(tmp_path) -> None:
    """CI keeps the cache folder between runs: entries not written for 30 days go (#22)."""
    import sqlite3

    from scanner.pipeline import cache as caching

    folder = tmp_path / "cache"
    folder.mkdir()
    with sqlite3.connect(folder / caching.FILE_NAME) as old:  # a file of 0.1.0: no dates
        old.execute("CREATE TABLE blame (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        old.execute("INSERT INTO blame VALUES ('blame:old', 'porcelain')")
    old.close()
    first = caching.Cache(folder)
    assert first.get_text("blame:old") is None  # undated: pruned at once
    first.put_text("blame:new", "fresh")
    first.close()
    with sqlite3.connect(folder / caching.FILE_NAME) as db:
        db.execute("INSERT INTO blame VALUES ('blame:stale', 'x', ?)",
                   (caching._today() - caching.MAX_AGE_DAYS - 1,))  # fmt: skip
        db.execute("UPDATE meta SET value = value - 1 WHERE name = 'pruned'")  # yesterday
    db.close()
    second = caching.Cache(folder)
    assert (second.get_text("blame:new"), second.get_text("blame:stale")) == ("fresh", None)
    second.close()


def test_preloaded_texts_are_answered_from_memory_and_kept_up_to_date(tmp_path) -> None:
    """A warm scan reads every file's blame in one query (#21): preloaded keys, stored or not,
    are answered without asking SQLite again, and what is written meanwhile is what is read."""
    import sqlite3

    from scanner.pipeline import cache as caching

    folder = tmp_path / "cache"
    earlier = caching.Cache(folder)
    earlier.put_texts({"blame:a": "A", "blame:b": "B"})
    earlier.close()
    store = caching.Cache(folder)
    assert store.preload(["blame:a", "blame:b", "blame:none"]) == {"blame:a", "blame:b"}
    with sqlite3.connect(folder / caching.FILE_NAME) as other:  # another process, meanwhile
        other.execute("DELETE FROM blame")
        other.execute("INSERT INTO blame VALUES ('blame:none', 'late', 0)")
        other.execute("INSERT INTO blame VALUES ('blame:c', 'C', 0)")
    other.close()
    assert store.get_texts(["blame:a", "blame:b", "blame:none", "blame:c"]) == {
        "blame:a": "A", "blame:b": "B", "blame:c": "C"}  # fmt: skip
    store.put_text("blame:a", "A2")
    store.put_text("blame:none", "N")
    assert (store.get_text("blame:a"), store.get_text("blame:none")) == ("A2", "N")
    store.close()
    assert caching.Cache(folder).get_texts(["blame:a", "blame:b", "blame:none"]) == {
        "blame:a": "A2", "blame:none": "N"}  # fmt: skip


SERVERS = [  # the credential, then the server that receives it
    ("agents/servers.json#mcpServers/db/env/PG_PASSWORD", 1),
    ("agents/servers.json#mcpServers/db", 1),
]
MCP = '{"mcpServers": {"db": {"command": "pg-mcp", "env": {"PG_PASSWORD": "${PG_PASSWORD}"}}}}\n'


def test_content_sniffing_is_remembered_by_blob_and_a_changed_file_is_sniffed_afresh(
    git_repo, tmp_path
) -> None:
    """A JSON file recognised (or not) by content is not opened again while its blob is the
    same (#21); a local edit has no clean blob, so it is judged on what it says now."""
    git_repo.write("agents/servers.json", MCP)
    git_repo.write("web/package.json", '{"name": "web", "private": true}\n')
    git_repo.commit("two json files")
    folder = tmp_path / "cache"
    assert ids(run(git_repo.root, folder)) == SERVERS
    store = cache.Cache(folder)
    try:
        blobs = gitindex.clean_blobs(git_repo.root)
        verdicts = cache.Sniffs(store, blobs).recall(["agents/servers.json", "web/package.json"])
    finally:
        store.close()
    assert verdicts == {"agents/servers.json": True, "web/package.json": False}
    git_repo.write("web/package.json", MCP)  # not committed: sniffed again, and found
    assert ids(run(git_repo.root, folder)) == [
        *SERVERS,
        ("web/package.json#mcpServers/db/env/PG_PASSWORD", 1),
        ("web/package.json#mcpServers/db", 1),
    ]


def test_texts_put_are_read_back_at_once_and_written_together(tmp_path, monkeypatch) -> None:
    """A cold scan puts a text per blamed file and per traced move (#21): they are written
    WRITE_EVERY at a time and the rest at close, and read back before they are written."""
    import sqlite3

    from scanner.pipeline import cache as caching

    monkeypatch.setattr(caching, "WRITE_EVERY", 3)
    folder = tmp_path / "cache"

    def written() -> list[str]:
        with sqlite3.connect(folder / caching.FILE_NAME) as other:
            keys = [row[0] for row in other.execute("SELECT key FROM blame ORDER BY key")]
        other.close()
        return keys

    store = caching.Cache(folder)
    store.put_text("t:0", "")  # an empty text is a text: read back before it is written
    assert (written(), store.get_texts(["t:0"])) == ([], {"t:0": ""})
    store.close()
    assert written() == ["t:0"]
    store = caching.Cache(folder)
    store.put_text("t:1", "one")
    store.put_texts({"t:2": "two"})
    assert (written(), store.get_texts(["t:1", "t:2", "t:3"])) == (
        ["t:0"], {"t:1": "one", "t:2": "two"})  # fmt: skip
    store.put_text("t:3", "three")  # the third: all three written in one transaction
    assert written() == ["t:0", "t:1", "t:2", "t:3"]
    store.put_text("t:4", "four")
    assert written() == ["t:0", "t:1", "t:2", "t:3"]
    store.close()
    assert written() == ["t:0", "t:1", "t:2", "t:3", "t:4"]
    assert caching.Cache(folder).get_text("t:4") == "four"


def test_identities_keep_their_order_when_some_blames_come_from_the_cache(
    git_repo, tmp_path
) -> None:
    """After a commit that touched b.tf only, b.tf's identity is attributed on the git workers
    and a.tf's serially from the cache (#21): the report lists them as a cold scan does."""
    git_repo.write("a.tf", USER.format(name="a"))
    git_repo.write("b.tf", USER.format(name="b"))
    git_repo.commit("files", author="Alice Example <alice@example.com>")
    folder = tmp_path / "cache"
    pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder))
    git_repo.write("b.tf", USER.format(name="b") + USER.format(name="c"))
    git_repo.commit("c", author="Bob Builder <bob@example.com>")
    mixed = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=folder))
    cold = pipeline.scan(git_repo.root, options=pipeline.Options(cache_dir=tmp_path / "cold"))
    found = [(s.identity.id, s.attribution.provisioner.email) for s in mixed.subjects
             if s.attribution.provisioner is not None]  # fmt: skip
    assert found == [("a.tf#aws_iam_user.a", "alice@example.com"),
                     ("b.tf#aws_iam_user.b", "alice@example.com"),
                     ("b.tf#aws_iam_user.c", "bob@example.com")]  # fmt: skip
    assert [s.attribution for s in mixed.subjects] == [s.attribution for s in cold.subjects]
