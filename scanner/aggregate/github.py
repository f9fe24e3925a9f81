"""The organisation on GitHub, through PyGithub: its repositories, each one's latest report
artifact, its teams' members, and (with `--clone-missing`) a scan of repositories without one.

PyGithub has no artifact download: the API answers 302 to a short-lived storage URL on a host
PyGithub refuses to follow, so `download` asks with `requests` without following redirects and
fetches the Location without our Authorization header (conventions, section 7). Archives are
extracted zip-slip-safely, JSON reports only. One failing repository is listed with its error
and the rest go on. Rate limits: when few requests are left, we wait for the reset.
"""

from __future__ import annotations

import concurrent.futures
import json
import shutil
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

import requests
from github import Auth, Github, GithubException
from github.Repository import Repository as GithubRepository

from scanner import remote
from scanner.aggregate.options import GitHubOptions
from scanner.errors import ConfigError, ReportError, RosterError, ScannerError
from scanner.roster import Roster

MAX_ARCHIVE_BYTES = 256 * 1024 * 1024  # a report archive larger than this is refused
MAX_ARCHIVE_MEMBERS = 1000  # a report artifact holds a few files; a zip of 30,000 is refused
RATE_RESERVE = 50  # requests kept in hand; below this we wait for the reset
# progress(repository, done, total): one call per repository handled, for the CLI's counter.
Progress = Callable[[str, int, int], None]
_FAILURES = (GithubException, requests.RequestException, zipfile.BadZipFile, OSError, ScannerError)


@dataclass(frozen=True, slots=True, kw_only=True)
class Repo:
    full_name: str
    clone_url: str
    archived: bool
    fork: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Collected:
    reports: tuple[Path, ...]
    missing: tuple[Repo, ...]  # no report artifact: clone and scan them with --clone-missing
    failures: tuple[tuple[str, str], ...]  # (repository, reason)


def connect(token: str | None, base_url: str = "https://api.github.com") -> Github:
    """The production client: PyGithub's own retry and pacing for secondary rate limits."""
    return Github(auth=Auth.Token(token) if token else None, base_url=base_url, per_page=100)


class Organisation:
    """One GitHub organisation. `sleep` and `clock` are injectable for the rate-limit test."""

    def __init__(
        self,
        client: Github,
        org: str,
        token: str | None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        timeout: float = 60.0,
    ) -> None:
        self.client, self.org, self.token = client, org, token
        self.sleep, self.clock, self.timeout = sleep, clock, timeout
        self._repos: dict[str, GithubRepository] = {}

    def repositories(self, *, archived: bool = False, forks: bool = False) -> list[Repo]:
        """The organisation's repositories, sorted; archived ones and forks only if asked."""
        try:
            listed = list(self.client.get_organization(self.org).get_repos(type="all"))
        except GithubException as error:
            raise ConfigError(
                f"cannot list the repositories of {self.org}: {_reason(error)}"
            ) from None
        found = []
        for repo in listed:
            if (repo.archived and not archived) or (repo.fork and not forks):
                continue
            self._repos[repo.full_name] = repo
            found.append(
                Repo(
                    full_name=repo.full_name,
                    clone_url=repo.clone_url,
                    archived=repo.archived,
                    fork=repo.fork,
                )
            )
        return sorted(found, key=lambda r: r.full_name.lower())

    def collect(
        self,
        repos: Sequence[Repo],
        artifact: str,
        dest: Path,
        progress: Progress | None = None,
    ) -> Collected:
        """Each repository's latest unexpired artifact named `artifact`, extracted under dest."""
        reports: list[Path] = []
        missing: list[Repo] = []
        failures: list[tuple[str, str]] = []
        for done, repo in enumerate(repos, start=1):
            self.respect_rate_limit()
            try:
                found = self._latest(repo, artifact, dest / _folder(repo.full_name))
            except _FAILURES as error:
                failures.append((repo.full_name, _reason(error)))
                continue
            finally:
                if progress is not None:
                    progress(repo.full_name, done, len(repos))
            if found:
                reports.extend(found)
            else:
                missing.append(repo)
        return Collected(reports=tuple(reports), missing=tuple(missing), failures=tuple(failures))

    def _latest(self, repo: Repo, artifact: str, dest: Path) -> list[Path]:
        handle = self._repos.get(repo.full_name) or self.client.get_repo(repo.full_name)
        for candidate in handle.get_artifacts(name=artifact):  # newest first
            if not candidate.expired:
                return self.download(candidate.archive_download_url, dest)
        return []

    def download(self, url: str, dest: Path) -> list[Path]:
        """Download an artifact archive and extract its JSON files into `dest`."""
        headers = {"Accept": "application/vnd.github+json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        answer = requests.get(
            url, headers=headers, allow_redirects=False, timeout=self.timeout, stream=True
        )
        if answer.is_redirect:
            location = answer.headers["Location"]
            answer.close()
            # The storage URL carries its own signature; our token must not travel there.
            answer = requests.get(
                location, allow_redirects=False, timeout=self.timeout, stream=True
            )
        with answer:
            answer.raise_for_status()
            with tempfile.TemporaryFile() as archive:
                size = 0
                for chunk in answer.iter_content(chunk_size=1 << 16):
                    size += len(chunk)
                    if size > MAX_ARCHIVE_BYTES:
                        raise ReportError(f"artifact larger than {MAX_ARCHIVE_BYTES} bytes")
                    archive.write(chunk)
                archive.seek(0)
                return extract_reports(archive, dest)

    def team_members(self, teams: Iterable[str]) -> TeamLookup:
        """`@org/team` -> member logins, for the teams of this organisation. A team GitHub
        says does not exist is listed as missing (the output says so); any other failure (no
        Members permission, an API error) stops the run: guessing 'unknown team' would make
        every identity that team owns an orphan (#23)."""
        members: dict[str, list[str]] = {}
        missing: list[str] = []
        organisation = self.client.get_organization(self.org)
        for team in sorted(set(teams)):
            org, _, slug = team.lstrip("@").partition("/")
            if org.lower() != self.org.lower() or not slug:
                continue
            self.respect_rate_limit()
            try:
                found = organisation.get_team_by_slug(slug).get_members()
                members[team] = sorted(member.login for member in found)
            except GithubException as error:
                if error.status == 404:
                    missing.append(team)
                    continue
                raise RosterError(_team_failure(team, _reason(error))) from None
            except requests.RequestException as error:
                raise RosterError(_team_failure(team, type(error).__name__)) from None
        return TeamLookup(members, tuple(missing))

    def respect_rate_limit(self) -> None:
        """Wait for the reset when fewer than RATE_RESERVE core requests are left."""
        remaining, _limit = self.client.rate_limiting
        if remaining >= RATE_RESERVE:
            return
        wait = self.client.rate_limiting_resettime - self.clock() + 1
        if wait > 0:
            self.sleep(wait)

    def repository(self, full_name: str) -> GithubRepository:
        return self._repos.get(full_name) or self.client.get_repo(full_name)


def extract_reports(archive: IO[bytes] | Path, dest: Path) -> list[Path]:
    """The JSON files of a zip archive, extracted under dest; a member that would land outside
    it (absolute, `..`, a drive, a symlink) rejects the whole archive."""
    shutil.rmtree(dest, ignore_errors=True)  # last run's files must not pass for this run's
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    written: list[Path] = []
    with zipfile.ZipFile(archive) as bundle:
        members = bundle.infolist()
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise ReportError(
                f"the artifact holds {len(members)} files, more than {MAX_ARCHIVE_MEMBERS}"
            )
        for info in members:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if (
                name.is_absolute()
                or ".." in name.parts
                or ":" in info.filename
                or stat.S_ISLNK(info.external_attr >> 16)
            ):
                raise ReportError(f"unsafe path in the artifact: {info.filename!r}")
            if not (root / name).resolve().is_relative_to(root):
                raise ReportError(f"unsafe path in the artifact: {info.filename!r}")
        if sum(info.file_size for info in members) > MAX_ARCHIVE_BYTES:
            raise ReportError("artifact expands past the size limit")
        for info in members:
            if info.is_dir() or not info.filename.endswith(".json"):
                continue
            target = root / PurePosixPath(info.filename.replace("\\", "/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(bundle.read(info))
            written.append(target)
    return sorted(written)


def clone_and_scan(
    repos: Sequence[Repo],
    workdir: Path,
    token: str | None,
    jobs: int,
    scan: Callable[[Path, str], str],
    progress: Progress | None = None,
) -> Collected:
    """Clone each repository and write `scan(root, full_name)` (a JSON report) beside it,
    at most `jobs` at a time; a repository that fails is listed and the rest go on."""

    def one(repo: Repo) -> Path:
        folder = workdir / _folder(repo.full_name)
        shutil.rmtree(folder, ignore_errors=True)  # a reused --reports-dir: start afresh
        folder.mkdir(parents=True, exist_ok=True)
        remote.clone(repo.clone_url, folder / "src", token)
        report = folder / "report.json"
        report.write_text(scan(folder / "src", repo.full_name), encoding="utf-8")
        return report

    reports: list[Path] = []
    failures: list[tuple[str, str]] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(one, repo): repo for repo in repos}
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            repo = futures[future]
            try:
                reports.append(future.result())
            except _FAILURES as error:
                failures.append((repo.full_name, _reason(error)))
            if progress is not None:
                progress(repo.full_name, done, len(repos))
    return Collected(reports=tuple(sorted(reports)), missing=(), failures=tuple(sorted(failures)))


def shards(repos: Sequence[Repo], count: int) -> list[list[str]]:
    """Split repositories into `count` shards of nearly equal size (round robin, stable)."""
    if count < 1:
        raise ConfigError("--shards must be at least 1")
    return [[r.full_name for r in repos[i::count]] for i in range(count) if repos[i::count]]


def _folder(full_name: str) -> str:
    return full_name.replace("/", "__")


def _reason(error: BaseException) -> str:
    if isinstance(error, GithubException):
        message = error.data.get("message") if isinstance(error.data, dict) else None
        return f"GitHub answered {error.status}" + (f": {message}" if message else "")
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"download failed: HTTP {error.response.status_code}"
    return str(error) or type(error).__name__


def from_github(options: GitHubOptions, folder: Path,
                progress: Progress | None = None) -> Collected:  # fmt: skip
    """Collect this shard's reports into `folder`: artifacts first, then clones if asked."""
    org = organisation(options)
    repos = org.repositories(archived=options.archived, forks=options.forks)
    if options.shard is not None:
        groups = shards(repos, options.shards)
        chosen = set(groups[options.shard]) if options.shard < len(groups) else set()
        repos = [r for r in repos if r.full_name in chosen]
    collected = org.collect(repos, options.artifact, folder / "artifacts", progress)
    if not (options.clone_missing and collected.missing):
        return collected
    scanned = clone_and_scan(collected.missing, folder / "clones", options.token,
                                        options.jobs, _scan, progress)  # fmt: skip
    return Collected(reports=collected.reports + scanned.reports, missing=(),
                                failures=collected.failures + scanned.failures)  # fmt: skip


def organisation(options: GitHubOptions) -> Organisation:
    return Organisation(connect(options.token, options.base_url), options.org, options.token)


def logins(roster: Roster) -> Callable[[str], list[str]]:
    """email -> the person's GitHub logins, for @mentions."""

    def find(email: str) -> list[str]:
        person = roster.person(email)
        return sorted(person.logins) if person else []

    return find


def matrix(options: GitHubOptions) -> dict[str, list[dict[str, int]]]:
    """A GitHub Actions job matrix: one entry per non-empty shard."""
    org = organisation(options)
    repos = org.repositories(archived=options.archived, forks=options.forks)
    groups = shards(repos, options.shards)
    return {"include": [{"shard": index, "repositories": len(names)}
                        for index, names in enumerate(groups)]}  # fmt: skip


def _scan(root: Path, name: str) -> str:
    from scanner import pipeline, policy
    from scanner.reporters.json import render

    options = pipeline.Options(policies=policy.builtin(), repository_name=name)
    return render(pipeline.scan(root, options=options))


def teams_from_github(options: GitHubOptions, files: Iterable[Path],
                      known: Iterable[str] = ()) -> TeamLookup:  # fmt: skip
    """Members of every `@org/team` the reports name as an owner (a quick first pass over the
    files: a report that does not read is left for the real pass to reject); the teams in
    `known` (described in --teams) are not asked for."""
    wanted: set[str] = set()
    for file in files:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
            for item in document["identities"]:
                wanted.update(o for o in (*item["owners"], *item["declared_owners"])
                              if isinstance(o, str) and o.startswith("@") and "/" in o)  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError):
            continue
    skip = {team.lower() for team in known}
    return organisation(options).team_members(t for t in wanted if t.lower() not in skip)


@dataclass(frozen=True)
class TeamLookup:
    members: dict[str, list[str]]
    missing: tuple[str, ...] = ()  # teams GitHub says do not exist (deleted, renamed, secret)

    def notes(self) -> tuple[str, ...]:
        return tuple(
            f"GitHub has no team {team} that this token can see (deleted, renamed, or secret): "
            "the identities it owns have no known owner; describe it (or its successor) in --teams"
            for team in self.missing
        )


def _team_failure(team: str, reason: str) -> str:
    return (
        f"cannot read the members of {team} ({reason}); the token needs the organisation's "
        "Members read permission, or describe the team in --teams. Stopped: guessing would make "
        "every identity the team owns an orphan"
    )
