"""GitHub's live machine credentials, saved as the REST API returns them: repository,
environment and organisation Actions secrets (names and dates, never values), deploy keys,
fine-grained personal access tokens granted to the organisation, and GitHub App installations.

One JSON file holds each endpoint's response verbatim under the key that names it (the layout
`nhi aggregate --github-org --observed-github FILE` writes, and the README's `gh api` script):

    {"nhi_github_export": 1, "organization": "acme", "exported_at": "2026-12-01T06:00:00Z",
     "organization_secrets": <GET /orgs/{org}/actions/secrets>,
     "organization_secret_repositories": {"NAME": <GET .../secrets/{name}/repositories>},
     "personal_access_tokens": <GET /orgs/{org}/personal-access-tokens>,
     "installations": <GET /orgs/{org}/installations>,
     "repositories": {"acme/app": {"secrets": <GET /repos/{owner}/{repo}/actions/secrets>,
                                   "environments": {"prod": <GET .../environments/prod/secrets>},
                                   "keys": <GET /repos/{owner}/{repo}/keys>}}}

Shapes as documented in https://docs.github.com/en/rest/actions/secrets,
https://docs.github.com/en/rest/deploy-keys/deploy-keys,
https://docs.github.com/en/rest/orgs/personal-access-tokens and
https://docs.github.com/en/rest/orgs/orgs#list-app-installations-for-an-organization.
A repository listed here is one whose secrets the export covers, even when it has none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner.errors import ObservedError
from scanner.observed.model import Observed, day, load_json, records, text

MARKER = '"nhi_github_export"'


def detect(content: str) -> bool:
    return content.lstrip()[:1] == "{" and MARKER in content[:4096]


def parse(path: str, content: str) -> tuple[Observed, ...]:
    document = load_json(content, path)
    if not isinstance(document, dict) or document.get("nhi_github_export") != 1:
        raise ObservedError(f"{path}: expected 'nhi_github_export': 1")
    org = document.get("organization")
    if not isinstance(org, str) or not org.strip():
        raise ObservedError(f"{path}: 'organization' is missing or not text")
    common: dict[str, Any] = {"provider": "github", "source": path,
              "exported": day(document.get("exported_at"), f"{path}: exported_at")}  # fmt: skip
    return (*_organisation(path, org, document, common),
            *_repositories(path, document.get("repositories", {}), common))  # fmt: skip


def _organisation(path: str, org: str, document: dict[str, Any],
                  common: dict[str, Any]) -> Iterator[Observed]:  # fmt: skip
    selected = document.get("organization_secret_repositories", {})
    if not isinstance(selected, dict):
        raise ObservedError(f"{path}: 'organization_secret_repositories' is not an object")
    if "organization_secrets" in document:  # listed: a reference none satisfies can be told
        where = f"{path}: organization_secrets"
        yield Observed(kind="github_repository", scope=f"org:{org}", name=f"org:{org}",
                       key=f"org:{org}", **common)  # fmt: skip
        for secret in records(document["organization_secrets"], where, "secrets", "secrets"):
            name = text(secret, "name", where)
            visibility = str(secret.get("visibility", "all"))
            names = ""
            if visibility == "selected":
                listed = selected.get(name, {"repositories": []})
                names = " ".join(sorted(text(r, "full_name", f"{where}: {name}") for r in
                                        records(listed, f"{where}: {name}", "repositories",
                                                "repositories")))  # fmt: skip
            yield Observed(kind="github_secret", scope=f"org:{org}", name=name,
                           key=f"org:{org}/{name}", **_dates(secret, where),
                           details=(("visibility", visibility), ("repositories", names)),
                           **common)  # fmt: skip
    if "personal_access_tokens" in document:
        where = f"{path}: personal_access_tokens"
        for token in records(document["personal_access_tokens"], where, "tokens"):
            yield _token(token, org, where, common)
    if "installations" in document:
        where = f"{path}: installations"
        for app in records(document["installations"], where, "installations", "installations"):
            slug = text(app, "app_slug", where)
            permissions = app.get("permissions")
            permissions = permissions if isinstance(permissions, dict) else {}
            yield Observed(
                kind="github_app_installation", scope=f"org:{org}", name=slug,
                key=f"installation/{app.get('id', slug)}", live=not app.get("suspended_at"),
                created=day(app.get("created_at"), f"{where}: {slug}: created_at"),
                details=(("permissions", " ".join(f"{k}:{v}" for k, v in
                                                  sorted(permissions.items()))),
                         ("repository_selection", str(app.get("repository_selection", "")))),
                **common,
            )  # fmt: skip


def _token(token: dict[str, Any], org: str, where: str, common: dict[str, Any]) -> Observed:
    """A fine-grained PAT granted to the organisation: its owner is who answers for it."""
    owner = token.get("owner")
    login = owner.get("login") if isinstance(owner, dict) else None
    name = token.get("token_name") or f"token {token.get('token_id', token.get('id', '?'))}"
    where = f"{where}: {name}"
    return Observed(
        kind="github_pat", scope=f"org:{org}", name=str(name),
        key=f"pat/{token.get('token_id', token.get('id', name))}",
        live=not token.get("token_expired", False),
        created=day(token.get("access_granted_at"), f"{where}: access_granted_at"),
        last_used=day(token.get("token_last_used_at"), f"{where}: token_last_used_at"),
        tracks_use=True,
        expires=day(token.get("token_expires_at"), f"{where}: token_expires_at"),
        owner=f"@{login}" if isinstance(login, str) and login else None,
        details=(("repository_selection", str(token.get("repository_selection", ""))),),
        **common,
    )  # fmt: skip


def _dates(item: dict[str, Any], where: str) -> dict[str, Any]:
    created = day(item.get("created_at"), f"{where}: created_at")
    return {
        "created": created,
        "rotated": day(item.get("updated_at"), f"{where}: updated_at") or created,
    }


def _repositories(path: str, repositories: Any, common: dict[str, Any]) -> Iterator[Observed]:
    if not isinstance(repositories, dict):
        raise ObservedError(f"{path}: 'repositories' is not an object of OWNER/NAME keys")
    for full, saved in sorted(repositories.items()):
        where = f"{path}: repositories: {full}"
        if "/" not in full or not isinstance(saved, dict):
            raise ObservedError(f"{where}: expected OWNER/NAME and an object")
        yield Observed(kind="github_repository", scope=full, name=full, key=full, **common)
        for secret in records(saved.get("secrets", {"secrets": []}), where, "secrets",
                              "secrets"):  # fmt: skip
            name = text(secret, "name", where)
            yield Observed(kind="github_secret", scope=full, name=name, key=f"{full}/{name}",
                           **_dates(secret, f"{where}: {name}"), **common)  # fmt: skip
        environments = saved.get("environments", {})
        if not isinstance(environments, dict):
            raise ObservedError(f"{where}: 'environments' is not an object")
        for environment, listed in sorted(environments.items()):
            for secret in records(listed, f"{where}: {environment}", "secrets", "secrets"):
                name = text(secret, "name", f"{where}: {environment}")
                scope = f"{full}:env:{environment}"
                yield Observed(kind="github_secret", scope=scope, name=name,
                               key=f"{scope}/{name}", **_dates(secret, f"{where}: {name}"),
                               **common)  # fmt: skip
        for key in records(saved.get("keys", []), where, "deploy keys"):
            yield _deploy_key(key, full, f"{where}: keys", common)


def _deploy_key(key: dict[str, Any], full: str, where: str, common: dict[str, Any]) -> Observed:
    """A deploy key: its title, read/write, who added it and when it was last used (the public
    key itself is not kept)."""
    title = text(key, "title", where)
    added = key.get("added_by")
    return Observed(
        kind="github_deploy_key", scope=full, name=title, key=f"{full}/key/{key.get('id', title)}",
        created=day(key.get("created_at"), f"{where}: {title}: created_at"),
        last_used=day(key.get("last_used"), f"{where}: {title}: last_used"), tracks_use=True,
        creator=f"@{added}" if isinstance(added, str) and added else None,
        details=(("read_only", str(key.get("read_only", True)).lower()),), **common,
    )  # fmt: skip
