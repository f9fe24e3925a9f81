"""When the one pass over history (`batch`) runs instead of a git blame per file (#21): once
the first file's git blame has shown what blame costs in this repository, and only when
blaming every other file would cost more than reading the history once."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Mapping

from scanner import git, gitlog
from scanner.attribution import batch, onepass
from scanner.attribution.moves import blamed_with_moves
from scanner.attribution.repo import Options, Repo


def asked(
    repo: Repo,
    spans: Mapping[str, list[tuple[int, int]]],
    options: Options,
    cached: frozenset[str],
) -> dict[str, batch.Asked]:
    """The files one pass over history is to blame (#21): those the cache cannot answer (not
    `cached`), where the repository allows it (whole history: a shallow boundary is git blame's
    to mark; the work tree at its top), and only when there are several."""
    if not repo.in_git or repo.shallow or repo.head is None or not repo.at_top:
        return {}
    if options.deadline is not None and time.monotonic() > options.deadline:
        return {}
    missing = {path: batch.Asked(wanted, blamed_with_moves(path)) for path, wanted in spans.items()
               if path in repo.blobs  # clean: a changed file's lines are git blame's to name
               and path not in cached}  # fmt: skip
    return missing if len(missing) > 1 else {}


# What one pass costs per commit of history, measured on this project's benchmark trees (0.1-0.22
# ms: the `git log -p` and reading it): the pass starts only when git blame looks dearer (#21).
PASS_SECONDS_PER_COMMIT = 0.00025
# The first file is blamed alone; the others share the cores (and memory bandwidth) with each
# other and the scan: on 2 cores, 134 blames of a 20,000-commit history with a commit-graph
# took 1.5x the first one's time each, per core (#21: the pass, wrongly declined, cost 27%).
BLAME_PARALLEL_EFFICIENCY = 0.65


class OnePass:
    """The one pass, started once the first file's git blame has shown what blame costs here,
    and only when blaming every file would cost more than reading the history once. git blame
    goes on beside it on one worker at a time until it has read history: the files it leaves
    to git blame (a real history leaves some) are then partly blamed already when it ends, and
    those it answers wait for it. Any failure leaves every file to git blame, as before."""

    def __init__(
        self, repo: Repo, asked: Mapping[str, batch.Asked], deadline: float | None
    ) -> None:
        self.repo, self.asked, self.deadline = repo, asked, deadline
        self.answers: dict[str, batch.Answer] = {}
        self.done = not asked
        self.started = False
        self.busy = False  # a worker is running git blame while the pass runs
        self.read = False  # the pass has read history: a git blame started now ends after it
        self.blamed: list[float] = []  # seconds each of those blames took
        self.turns = threading.Condition()

    def run(self) -> None:
        try:
            found = batch.answers(self.repo.root, self.asked, self.repo.blobs, self.worth,
                                  self._renames, self._read)  # fmt: skip
            self.answers = found[0]
        except git.GitError:
            pass
        finally:
            with self.turns:
                self.done = True
                self.turns.notify_all()

    def _read(self) -> None:
        with self.turns:
            self.read = True

    def _renames(self) -> dict[str, dict[str, str]] | None:
        """Renames first (a tenth of a pass): the pass then reads every file's older names at
        once, instead of a second pass for the renamed files."""
        with contextlib.suppress(git.GitError):  # the pass asks again if it needs them
            return onepass.exact_renames(gitlog.renames(self.repo.root))
        return None

    def wait(self, path: str) -> tuple[batch.Answer | None, bool]:
        """The pass's answer for `path` once it is known, or the turn to blame it now (True:
        `release` when done)."""
        if path not in self.asked:
            return None, False
        with self.turns:
            # Once the pass has read history, what is left of it is shorter than a git blame:
            # a blame started then only delays the files waiting for it (0.45 s at 20,000
            # commits), and each file it leaves is blamed then, on every worker at once.
            while not self.done and (self.busy or self.read):
                left = None if self.deadline is None else self.deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None, False  # too late: the file is reported as not blamed
                self.turns.wait(left)
            if self.done:
                return self.answers.get(path), False
            self.busy = True
            return None, True

    def release(self, seconds: float) -> None:
        with self.turns:
            self.busy = False
            self.blamed.append(seconds)
            if not self.started:
                self.started = True
                if self.worth(len(self.asked) - 1, self._cost()):
                    threading.Thread(target=self.run, daemon=True).start()
                else:
                    self.done = True  # git blame for every file, as fast here
            self.turns.notify_all()

    def _cost(self) -> float:
        """What one pass over this history is likely to cost, in seconds."""
        try:
            commits = int(git.run(self.repo.root, "rev-list", "--count", "HEAD").strip() or 0)
        except (git.GitError, ValueError):
            return float("inf")
        return commits * PASS_SECONDS_PER_COMMIT

    def worth(self, files: int, seconds: float) -> bool:
        """Whether `files` more are dearer to git blame (at the pace blame has gone, over the
        cores) than `seconds`: what a pass over history is likely to cost."""
        import statistics  # and decimal, fractions: only when a pass is weighed (#21)

        with self.turns:
            pace = statistics.median(self.blamed) if self.blamed else None
        cores = (os.cpu_count() or 1) * BLAME_PARALLEL_EFFICIENCY
        return pace is None or files * pace / cores > seconds
