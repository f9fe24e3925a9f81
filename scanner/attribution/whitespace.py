"""What `nhi explain` shows beyond the report: a whitespace-only commit on an identity's line
that attribution did not count (blame without -w sees it, blame -w does not)."""

from __future__ import annotations

from pathlib import Path

from scanner import git
from scanner.attribution import blame
from scanner.model import Attributed


def notes(root: Path, subject: Attributed) -> list[str]:
    """Name a whitespace-only commit on the identity's anchor line: blame without -w sees it,
    blame -w (what attribution counts) does not."""
    provisioner = subject.attribution.provisioner
    if provisioner is None:
        return []
    path, line, commit = subject.identity.path, subject.identity.anchor_line, provisioner.commit
    if commit == blame.UNCOMMITTED or git.toplevel(root) is None:
        return []
    try:
        counted = blame.parse(git.blame(root, path, [(line, line)])).get(line)
        raw = blame.parse(git.blame(root, path, [(line, line)], whitespace=True)).get(line)
    except git.GitError:
        return []
    if raw is None or counted is None or raw.commit.sha == counted.commit.sha:
        return []
    return [
        f"not counted: whitespace-only change in {raw.commit.sha[:7]} by {raw.commit.email} "
        f"on {raw.commit.date[:10]} ({raw.commit.summary})"
    ]
