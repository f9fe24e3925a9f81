"""The environment an identity belongs to, from evidence, with where it came from.

In order of trust: an `env`/`environment`/`stage` tag or label on the resource; an AWS account
id or GCP project id that a policy or role names, mapped by the `--environments FILE` the
organisation keeps; the module instance that declares it (`module.prod_db`); its own name
(`settlement_lambda_prod`); its folders (`envs/production/iam.tf`); the repository's name
(`acme/payments-staging`). Names count only as whole words (`dev`, never `devops`). Pure: the
mapping file is read by `load`, the CLI's edge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from scanner.errors import ConfigError
from scanner.model import Identity, Reach

# Words people write for an environment -> the name the inventory stores.
WORDS: dict[str, str] = {
    "prod": "production", "production": "production", "prd": "production", "live": "production",
    "staging": "staging", "stage": "staging", "stg": "staging", "preprod": "staging",
    "dev": "development", "development": "development",
    "qa": "qa", "uat": "uat", "sandbox": "sandbox", "sbx": "sandbox",
}  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")
_ACCOUNT = re.compile(r"arn:aws[\w-]*:[\w-]*:[\w-]*:(\d{12}):")
_PROJECT = re.compile(r"projects/([a-z][a-z0-9-]{4,28}[a-z0-9])")


def canonical(name: str) -> str:
    """`prod` -> `production`; a name that is no known word stays as written, lower-cased."""
    key = name.strip().lower()
    return WORDS.get(key, key)


def environment(identity: Identity, reach: Reach | None, repository: str,
                mapping: Mapping[str, str]) -> tuple[str, str] | None:  # fmt: skip
    """(environment, evidence) for one identity, or None when nothing says."""
    tag = identity.attributes.get("environment")
    if isinstance(tag, str) and tag.strip():
        return canonical(tag), f"tag environment={tag}"
    for kind, found in _ids(reach):
        if found in mapping:
            return canonical(mapping[found]), f"{kind} {found} (--environments)"
    for module in re.findall(r"module\.([\w-]+)", identity.pointer):
        if (word := _word(module)) is not None:
            return word, f"module {module}"
    if (word := _word(identity.name)) is not None:
        return word, f"name {identity.name}"
    for folder in identity.path.split("/")[:-1]:
        if (word := _word(folder)) is not None:
            return word, f"folder {folder}"
    if repository in mapping:
        return canonical(mapping[repository]), f"repository {repository} (--environments)"
    if (word := _word(repository.rpartition("/")[2])) is not None:
        return word, f"repository {repository}"
    return None


def _word(name: str) -> str | None:
    return next((WORDS[w] for w in _WORD.findall(name.lower()) if w in WORDS), None)


def _ids(reach: Reach | None) -> Sequence[tuple[str, str]]:
    """Account and project ids the identity's policies and roles name, in order."""
    if reach is None:
        return ()
    texts = (*reach.resources, *reach.managed)
    found = [("account", m) for t in texts for m in _ACCOUNT.findall(t)]
    found += [("project", m) for t in texts for m in _PROJECT.findall(t)]
    return list(dict.fromkeys(found))


def parse(text: str, source: str) -> dict[str, str]:
    """An environments file: a YAML (or JSON) mapping of account id, project id or repository
    to an environment name (`"123456789012": production`)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not YAML ({error.__class__.__name__})") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):  # an unquoted account id is a YAML number, and may lose its leading zero
        raise ConfigError(f"{source}: expected a mapping of quoted account or project ids "
                          "(or repository names) to environment names")  # fmt: skip
    return dict(data)


def load(path: Path) -> dict[str, str]:
    try:
        return parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read ({error.__class__.__name__})") from None
