"""What an aggregator run is asked to do: built once by the CLI, read by `aggregate.run`."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class GitHubOptions:
    """What `--github-org` and its companions ask for."""

    org: str
    token: str | None
    base_url: str
    artifact: str
    archived: bool
    forks: bool
    clone_missing: bool
    jobs: int
    shard: int | None
    shards: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """One `nhi aggregate` run."""

    reports: tuple[Path, ...]  # report files, or folders of them
    rosters: tuple[Path, ...]
    as_of: datetime.date
    roster_format: str = "auto"
    roster_columns: Mapping[str, str] = field(default_factory=dict)
    teams: Path | None = None
    people_map: Path | None = None
    default_owner: str | None = None
    warn_days: int = 30
    db: Path | None = None  # the inventory this run is recorded in; None: --no-db
    github: GitHubOptions | None = None
    reports_dir: Path | None = None  # where collected reports are kept (else a temporary one)
    no_collect: bool = False  # with github: aggregate only `reports` (collected by shards)
    open_issues: bool = False
    dry_run: bool = False
    keep_reports: bool = False  # the HTML map needs the reports themselves
    decisions: tuple[Path, ...] = ()  # --decisions files: keep, reassign, revoke (#24)
    attest_days: int = 90  # how long a keep holds
    reviewers: tuple[str, ...] = ()  # people or teams who may decide on any identity
    environments: Path | None = None  # account/project id or repository -> environment (#25)
    observed: tuple[Path, ...] = ()  # cloud and GitHub exports joined with the reports (#26)
    observe_github: bool = False  # with github: collect the organisation's GitHub export too
