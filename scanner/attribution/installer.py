"""The installer of an agent's credentials (issue 18): an MCP credential is handed to a server,
and whoever added that server entry installed the agent that uses it. Pure: attributed
subjects in, the same subjects out with `installed_by` set on each MCP credential. Outside git
the folder's owner (`--owner`, for user-level configs) stands in for every provisioner."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from scanner.model import Attributed, Confidence, Identity, Provisioner

NO_HISTORY = (
    "unknown: the folder is not a git repository, so no commit says who wrote it; give "
    "--owner EMAIL when the folder is one person's (a home folder, an MDM-collected bundle)"
)


def folder_owner(owner: str | None) -> Provisioner:
    """Outside git: the folder's owner named by --owner (medium: nobody's commit says so), or
    an unknown provisioner that says why."""
    if owner is None:
        return Provisioner(name="", email="", commit="", date="", uncommitted=False,
                           confidence=Confidence.UNKNOWN, evidence=(NO_HISTORY,))  # fmt: skip
    return Provisioner(
        name="", email=owner, commit="", date="", uncommitted=False,
        confidence=Confidence.MEDIUM,
        evidence=(f"the folder's owner, as given by --owner {owner}: the folder is not a git "
                  "repository, so no commit says who wrote it",),
    )  # fmt: skip


def credit(subjects: Sequence[Attributed]) -> tuple[Attributed, ...]:
    """Each MCP credential with the provisioner of the server entry it sits in."""
    servers = [s for s in subjects if s.identity.kind == "mcp_server"]
    if not servers:
        return tuple(subjects)
    return tuple(
        _with_installer(subject, _installer(subject.identity, servers))
        if subject.identity.kind == "mcp_credential"
        else subject
        for subject in subjects
    )


def _with_installer(subject: Attributed, installer: Provisioner | None) -> Attributed:
    if installer is None:
        return subject
    attribution = dataclasses.replace(subject.attribution, installed_by=installer)
    return dataclasses.replace(subject, attribution=attribution)


def _installer(credential: Identity, servers: Sequence[Attributed]) -> Provisioner | None:
    """The server entry that holds the credential (its pointer is the credential's prefix);
    else, for a credential declared beside the servers (a VS Code input, a Gemini extension
    setting), the server of the same file that the credential names as its first user."""
    same_file = [s for s in servers if s.identity.path == credential.path]
    holders = [s for s in same_file if credential.pointer.startswith(s.identity.pointer + "/")]
    holder = max(holders, key=lambda s: len(s.identity.pointer), default=None)
    if holder is None:
        named = credential.attributes.get("server")
        holder = next((s for s in same_file if s.identity.name == named), None)
    return None if holder is None else holder.attribution.provisioner
