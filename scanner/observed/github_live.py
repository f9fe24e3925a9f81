"""The GitHub export, live (`nhi aggregate --github-org ORG --observe-github`): the only module
that asks GitHub for what `--observed` reads. Through PyGithub it lists the organisation's
Actions secrets (and which repositories a `selected` one is shared with), the fine-grained
tokens granted to it, its App installations, and per repository its secrets, environment
secrets and deploy keys; it writes them in the layout `github_export` reads, so a saved run
can be read again offline.

Names and dates only: GitHub never returns a secret's value, and a deploy key's public key is
left out. Pagination is PyGithub's (Link headers); a repository GitHub refuses (no admin
rights, an error) is listed with its reason and left out of the export, so no drift is read
from it. Rate limits: the aggregator's `Organisation.respect_rate_limit` waits for the reset.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from github import Github, GithubException
from github.GithubObject import NonCompletableGithubObject
from github.PaginatedList import PaginatedList

from scanner.aggregate.github import Organisation, _reason

_FAILURES = (GithubException, requests.RequestException)


class _Raw(NonCompletableGithubObject):
    """An item of an endpoint PyGithub has no class for, kept as GitHub sent it."""

    def _initAttributes(self) -> None:  # PyGithub calls its hooks by these names
        pass

    def _useAttributes(self, attributes: dict[str, Any]) -> None:
        pass


def _when(value: datetime.datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _secret(secret: Any) -> dict[str, Any]:
    return {"name": secret.name, "created_at": _when(secret.created_at),
            "updated_at": _when(secret.updated_at)}  # fmt: skip


def collect(client: Github, org: str, *, sleep: Callable[[float], None] = time.sleep,
            clock: Callable[[], float] = time.time,
            archived: bool = False) -> tuple[dict[str, Any], list[tuple[str, str]]]:  # fmt: skip
    """The export document and what could not be read, as (what, reason)."""
    pacer = Organisation(client, org, None, sleep=sleep, clock=clock)
    organisation = client.get_organization(org)
    stamp = datetime.datetime.fromtimestamp(clock(), datetime.UTC).isoformat()
    document: dict[str, Any] = {"nhi_github_export": 1, "organization": org,
                                "exported_at": stamp.replace("+00:00", "Z")}  # fmt: skip
    failures: list[tuple[str, str]] = []
    try:
        secrets = list(organisation.get_secrets())
        document["organization_secrets"] = {"total_count": len(secrets), "secrets": [
            {**_secret(s), "visibility": s.visibility} for s in secrets]}  # fmt: skip
        document["organization_secret_repositories"] = {
            s.name: {"repositories": [{"full_name": r.full_name}
                                      for r in s.selected_repositories]}
            for s in secrets if s.visibility == "selected"
        }  # fmt: skip
    except _FAILURES as error:
        failures.append((f"{org}: organisation secrets", _reason(error)))
    try:
        listed = PaginatedList(_Raw, client.requester, f"/orgs/{org}/personal-access-tokens",
                               {"per_page": 100})  # fmt: skip
        document["personal_access_tokens"] = [token.raw_data for token in listed]
    except _FAILURES as error:
        failures.append((f"{org}: fine-grained personal access tokens", _reason(error)))
    try:
        document["installations"] = {"installations": [
            {"id": i.id, "app_id": i.app_id, "app_slug": i.app_slug,
             "target_type": i.target_type, "permissions": i.permissions,
             "repository_selection": i.repository_selection,
             "created_at": _when(i.created_at), "suspended_at": _when(i.suspended_at)}
            for i in organisation.get_installations()]}  # fmt: skip
    except _FAILURES as error:
        failures.append((f"{org}: app installations", _reason(error)))
    document["repositories"] = {}
    for repo in organisation.get_repos(type="all"):
        if repo.archived and not archived:
            continue
        pacer.respect_rate_limit()
        try:
            document["repositories"][repo.full_name] = _repository(repo)
        except _FAILURES as error:
            failures.append((f"{repo.full_name}: secrets and deploy keys", _reason(error)))
    return document, failures


def _repository(repo: Any) -> dict[str, Any]:
    secrets = [_secret(s) for s in repo.get_secrets()]
    environments = {
        environment.name: {"secrets": [_secret(s) for s in environment.get_secrets()]}
        for environment in repo.get_environments()
    }
    keys = [{"id": k.id, "title": k.title, "read_only": k.read_only, "verified": k.verified,
             "created_at": _when(k.created_at), "last_used": _when(k.last_used),
             "added_by": k.added_by} for k in repo.get_keys()]  # fmt: skip
    return {"secrets": {"total_count": len(secrets), "secrets": secrets},
            "environments": environments, "keys": keys}  # fmt: skip


def save(client: Github, org: str, path: Path, **pacing: Any) -> list[tuple[str, str]]:
    """Collect and write the export to `path`; what could not be read."""
    document, failures = collect(client, org, **pacing)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return failures
