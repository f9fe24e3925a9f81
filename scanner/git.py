"""The only place that runs git: every call is a subprocess with NUL-safe output.

Plain `subprocess` rather than GitPython: the hook path must start fast, and we need porcelain
details (`boundary`, NUL-separated names) that GitPython hides. Untrusted repositories may
configure git, so calls neutralise options that would run programs or read missing files.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from scanner import paths, secrets
from scanner.errors import ScannerError


class GitError(ScannerError):
    """git failed in a way we can explain (not a repository, dubious ownership, ...)."""


# A scanned repository's config (and anything it includes) is untrusted, and the user's own
# config may name programs too: no git call may start any of them (issue 16). Command-line
# config outranks every file, so fixed keys are pinned here; `--no-pager`, `--no-textconv` and
# `--no-ext-diff` do the rest where a command has them.
_INERT = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),  # no hook directory at all
    ("core.askPass", ""),
    ("core.sshCommand", ""),
    ("credential.helper", ""),  # an empty value empties the list of helpers
    ("log.showSignature", "false"),
    *((f"gpg{kind}.program", "") for kind in ("", ".openpgp", ".x509", ".ssh")),
    ("blame.ignoreRevsFile", ""),  # the ignore list is ours, read like any scanned file
)
# Filter drivers are named by the repository, so each configured name is pinned too (see
# `_inert_filters`). An empty command is no command; `required` would turn that into a failure.
_FILTER_KEYS = (("clean", ""), ("smudge", ""), ("process", ""), ("required", "false"))
# Programs the user's environment may name; a scan needs none of them. GIT_ASKPASS is emptied
# rather than removed: set, it hides core.askPass and SSH_ASKPASS, and empty it runs nothing.
_UNSET = ("GIT_EXTERNAL_DIFF", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_PROXY_COMMAND", "GIT_PAGER")


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _environment(
    pairs: Iterable[tuple[str, str]], protocols: str, extra: Mapping[str, str] | None
) -> dict[str, str]:
    """git's environment: our config appended last (so it wins), no transport but `protocols`.

    GIT_CONFIG_PARAMETERS is what `git -c` writes; appended to any the user set, the overrides
    come last, and unlike `-c` a key may hold `=` (a filter name can). GIT_ALLOW_PROTOCOL beats
    every `protocol.*.allow` key, so a repository cannot reach a remote helper such as `ext::`
    (a partial clone's lazy fetch would otherwise run one).
    """
    env = {k: v for k, v in os.environ.items() if k not in _UNSET}
    own = " ".join(f"{_quote(key)}={_quote(value)}" for key, value in pairs)
    params = " ".join(filter(None, (env.get("GIT_CONFIG_PARAMETERS", ""), own)))
    return {
        **env,
        "GIT_CONFIG_PARAMETERS": params,
        "GIT_ALLOW_PROTOCOL": protocols,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "",
        "LC_ALL": "C",
        **(extra or {}),
    }


def _inert_filters(root: Path) -> tuple[tuple[str, str], ...]:
    """Overrides for every filter driver any config in effect at `root` defines; read again
    whenever the repository's config file changes (a scan makes hundreds of git calls)."""
    config = root / ".git" / "config"
    try:
        status = config.stat()
        stamp = (status.st_mtime_ns, status.st_size, status.st_ino)
    except OSError:  # a subfolder or a linked worktree: read every time
        return _read_filters.__wrapped__(root, None)
    return _read_filters(root, stamp)


@functools.lru_cache(maxsize=64)
def _read_filters(root: Path, stamp: tuple[int, int, int] | None) -> tuple[tuple[str, str], ...]:
    result = subprocess.run(
        ["git", "--no-pager", "config", "-z", "--list"],
        cwd=root,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=_environment(_INERT, "", None),
        check=False,
    )
    if result.returncode != 0:  # fail closed: git would not read this config either
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git config failed: {reason[-1] if reason else result.returncode}")
    names: set[str] = set()
    for entry in result.stdout.decode("utf-8", "surrogateescape").split("\0"):
        key = entry.partition("\n")[0]
        section, _, rest = key.partition(".")
        name, dot, _ = rest.rpartition(".")
        if section.lower() == "filter" and dot:
            names.add(name)
    return tuple(
        (f"filter.{name}.{var}", value) for name in sorted(names) for var, value in _FILTER_KEYS
    )


def run(
    root: Path,
    *args: str,
    check: bool = True,
    fine: Sequence[int] = (0,),
    env: Mapping[str, str] | None = None,
    protocols: str = "",
    input: bytes | None = None,
    timeout: float | None = None,
) -> str:
    """Run `git args` in `root` and return stdout (text; names stay NUL-separated with -z).

    Nothing the configuration names runs, and no transport but `protocols` (colon-separated).
    Where `fine` allows more than 0 (grep's 1: no match), an `error:` on stderr still fails:
    grep exits 1 too when it cannot read a blob a partial clone lacks."""
    result = subprocess.run(
        ["git", "--no-pager", *args],
        cwd=root,
        capture_output=True,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        env=environment(root, env, protocols),
        check=False,
        timeout=timeout,
    )
    reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
    said = len(fine) > 1 and any(line.startswith(("error:", "fatal:")) for line in reason)
    if check and (result.returncode not in fine or said):
        # git's first fatal line says why (advice follows it); never repeat a token (#16)
        why = ([line for line in reason if line.startswith("fatal:")] or reason[-1:] or [""])[0]
        raise GitError(f"git {args[0]} failed: {secrets.strip_userinfo(why) or result.returncode}")
    return result.stdout.decode("utf-8", "surrogateescape")


def environment(
    root: Path, extra: Mapping[str, str] | None = None, protocols: str = ""
) -> dict[str, str]:
    """The environment every git call in `root` runs with (`run`; a streaming reader too)."""
    return _environment([*_INERT, *_inert_filters(root)], protocols, extra)


def toplevel(path: Path) -> Path | None:
    """The work tree root containing `path`, or None outside a git work tree."""
    try:
        output = run(path, "rev-parse", "--show-toplevel", check=False)
    except GitError:
        return None
    return Path(output.rstrip("\n")) if output else None


def ls_files(root: Path) -> list[str]:
    """Tracked files plus untracked files git does not ignore, relative to `root`."""
    output = run(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return sorted(set(filter(None, output.split("\0"))))


def submodules(root: Path) -> list[str]:
    """Paths of the submodules (gitlinks) the index records under `root`, relative to it."""
    output = run(root, "ls-files", "-z", "--stage")
    return sorted(
        entry.partition("\t")[2] for entry in output.split("\0") if entry.startswith("160000 ")
    )


def head(root: Path) -> str | None:
    """The HEAD commit, or None before the first commit."""
    output = run(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).strip()
    return output or None


def is_shallow(root: Path) -> bool:
    return run(root, "rev-parse", "--is-shallow-repository").strip() == "true"


_REMOTE_PATH = re.compile(r"[:/]([^/:@]+)/([^/]+?)(?:\.git)?/?$")


def remote_name(root: Path) -> str | None:
    """`owner/repo` from the `origin` remote's URL, never its credentials."""
    url = run(root, "config", "--get", "remote.origin.url", check=False).strip()
    match = _REMOTE_PATH.search(url)
    return f"{match[1]}/{match[2]}" if match else None


_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def changed_since(root: Path, ref: str) -> tuple[dict[str, list[tuple[int, int]]], set[str]]:
    """Lines changed since the merge base of `ref` and HEAD, working tree included.

    Returns the changed line ranges of each modified file (in its current numbering; a pure
    deletion marks the lines on both sides of it) and the set of new files (added, or
    untracked and not ignored). Renamed files without edits count as unchanged.
    """
    base = run(root, "merge-base", ref, "HEAD").strip()
    output = run(
        root,
        "diff",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--ignore-submodules",
        "-M",
        "--relative",
        base,
        "--",
    )
    ranges: dict[str, list[tuple[int, int]]] = {}
    new: set[str] = {
        p for p in run(root, "ls-files", "-z", "--others", "--exclude-standard").split("\0") if p
    }
    current: str | None = None
    previous_missing = False
    for line in output.splitlines():
        if line.startswith("--- "):
            previous_missing = line == "--- /dev/null"
        elif line.startswith("+++ "):
            current = None if line == "+++ /dev/null" else paths.unquote(line[4:])[2:]
            if current is not None and previous_missing:
                new.add(current)
        elif current is not None and (match := _HUNK.match(line)):
            start, count = int(match[1]), int(match[2] if match[2] is not None else 1)
            span = (start, start + count - 1) if count else (start, start + 1)
            ranges.setdefault(current, []).append(span)
    return ranges, new


def merge_attribute(root: Path, path: str) -> str:
    """The `merge` attribute git applies to `path` (`unspecified`, `union`, ...)."""
    output = run(root, "check-attr", "-z", "merge", "--", path)
    parts = output.split("\0")
    return parts[2] if len(parts) > 2 else "unspecified"


# Room for `-L` arguments in one blame call, far below any system's limit on a command line
# (Linux: 2 MiB for arguments and environment together). 100,000 keys in one `.env` once made
# a single call fail with "Argument list too long" (issue 16).
MAX_RANGE_BYTES = 64 * 1024


def blame(
    root: Path,
    path: str,
    ranges: Sequence[tuple[int, int]],
    *,
    ignore_revs: Iterable[str] = (),
    whitespace: bool = False,
    moves: bool = True,
    rev: str | None = None,
) -> str:
    """`git blame --porcelain` of the working-tree file for all `ranges`, as few calls as fit.

    Whitespace-only changes are skipped (-w) unless `whitespace`; lines moved within the file
    are followed (-M), and so are whole-file renames (always, in git). `ignore_revs` are full
    commit ids (absent ones are skipped, as git does for an ignore file). Porcelain repeats
    each line's content after a tab: it is cut here, so the code (and any secret written in
    it) never reaches memory, the blame cache or the disk.
    """
    # --no-textconv: blame runs a repository's textconv filter by default (found by a test).
    # -C20: lines moved from another file changed in the same commit (a refactor that splits
    # main.tf, a move into a module folder, a rename under 50% similarity) keep their author;
    # 20 alphanumerics so a small resource block qualifies (issue 20). Copies into untouched
    # files (-C -C) are new declarations and stay with whoever copied them.
    args = ["blame", "--porcelain", "--no-textconv", "-M"] + (["-C20"] if moves else [])
    args += [] if whitespace else ["-w"]
    revs = "".join(f"{sha}\n" for sha in sorted(set(ignore_revs)))
    outputs: list[str] = []
    with tempfile.TemporaryDirectory(prefix="nhi-blame-") as folder:
        if revs:  # a file, not --ignore-rev: that one dies on a commit this clone lacks
            listing = Path(folder) / "ignore-revs"
            listing.write_text(revs)
            args += ["--ignore-revs-file", str(listing)]
        for batch in _batches(ranges):
            porcelain = run(root, *args, *batch, *([rev] if rev else []), "--", path)
            outputs.append("\n".join("\t" if line.startswith("\t") else line
                                      for line in porcelain.split("\n")))  # fmt: skip
    return "\n".join(outputs)


def _batches(ranges: Sequence[tuple[int, int]]) -> Iterator[list[str]]:
    """`-L` arguments for the merged `ranges`, cut into calls of at most MAX_RANGE_BYTES."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    batch: list[str] = []
    size = 0
    for start, end in merged:
        option = f"{start},{end}"
        if batch and size + len(option) + 4 > MAX_RANGE_BYTES:
            yield batch
            batch, size = [], 0
        batch += ["-L", option]
        size += len(option) + 4
    yield batch


FULL_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def commit_ids(root: Path, names: Sequence[str]) -> list[str | None]:
    """The full id of the one commit each abbreviated id names; None for none or several."""
    if not names:
        return []
    # Only ever hex from our caller: cat-file would also evaluate `:/regex` and the like.
    listing = "".join(f"{name}^{{commit}}\n" for name in names).encode()
    output = run(root, "cat-file", "--batch-check=%(objectname)", input=listing)
    return [line if FULL_ID.fullmatch(line) else None for line in output.splitlines()]


def shallow_commits(root: Path) -> frozenset[str]:
    """The boundary commits of a shallow clone (empty for a full clone)."""
    location = Path(run(root, "rev-parse", "--git-path", "shallow").strip())
    shallow = location if location.is_absolute() else root / location
    try:
        return frozenset(shallow.read_text().split())
    except FileNotFoundError:
        return frozenset()


def identity(root: Path) -> tuple[str, str]:
    """The configured author (name, email) that a commit made now would carry."""
    # useConfigOnly: an identity git would guess (root@host.domain) is no identity (issue 20).
    ident = run(root, "-c", "user.useConfigOnly=true", "var", "GIT_AUTHOR_IDENT", check=False)
    ident = ident.strip()
    match = re.match(r"^(.*) <([^>]*)> \d+ [+-]\d{4}$", ident)
    return (match[1], match[2].lower()) if match else ("", "")


def commit_messages(root: Path, shas: Iterable[str]) -> dict[str, str]:
    """Full messages of the given commits, in one call."""
    return {sha: message for sha, (_, message) in commit_details(root, shas).items()}


def commit_details(root: Path, shas: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Committer time (epoch seconds) and full message of the given commits, in one call."""
    wanted = sorted(set(shas))
    if not wanted:
        return {}
    # check=False: a commit missing from this clone has no message to give, which is no error.
    output = run(
        root,
        "log",
        "--no-walk=unsorted",
        "--ignore-missing",
        "--format=%H%x00%ct%x00%B%x1e",
        *wanted,
        "--",
        check=False,
    )
    details: dict[str, tuple[int, str]] = {}
    for record in output.split("\x1e"):
        sha, _, rest = record.strip("\n").partition("\0")
        time, _, body = rest.partition("\0")
        if sha:
            details[sha] = (int(time) if time.isdigit() else 0, body)
    return details


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    """Whether commit `older` is an ancestor of `newer` (their merge base is `older`)."""
    return run(root, "merge-base", older, newer, check=False).strip() == older


def show(root: Path, rev: str, path: str) -> str | None:
    """The file `path` as it was in `rev`, or None when it did not exist there."""
    result = run(root, "show", "--no-textconv", f"{rev}:{path}", check=False)
    return result or None
