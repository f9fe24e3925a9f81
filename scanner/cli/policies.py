"""`nhi policies list|show|validate` (wiring only)."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.cli.common import EXIT_INPUT, EXIT_OK, POLICIES_OPTION, VERBOSE_OPTION, echo
from scanner.errors import ConfigError, PolicyError


@click.group()
def policies() -> None:
    """List, show and validate policies."""


@policies.command("list")
@POLICIES_OPTION
@VERBOSE_OPTION
def list_policies(policy_paths: tuple[Path, ...]) -> int:
    """List the built-in policies (and any added with --policies)."""
    from scanner import policy

    for item in policy.combine(policy.builtin(), policy.load_paths(policy_paths)):
        echo(f"{item.id}  {item.severity.label:<8}  {item.scope:<4}  {item.title}")
    return EXIT_OK


@policies.command("show")
@click.argument("policy_id")
@VERBOSE_OPTION
def show_policy(policy_id: str) -> int:
    """Show one policy: what it checks, why, and how to fix a finding."""
    from scanner import policy

    found = {item.id: item for item in policy.builtin()}.get(policy_id.upper())
    if found is None:
        raise ConfigError(f"no policy {policy_id}; `nhi policies list` shows them")
    echo(
        f"{found.id}: {found.title}\nseverity: {found.severity.label}, scope: "
        f"{found.scope}, OWASP: {found.owasp or '-'}\n\n{found.description}"
    )
    return EXIT_OK


@policies.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@VERBOSE_OPTION
def validate_policies(paths: tuple[Path, ...]) -> int:
    """Check policy files; print each problem and exit 3 if there is one."""
    from scanner import policy

    problems = 0
    for path in paths:
        try:
            names = [item.id for item in policy.load_paths([path])]
            echo(f"{path}: ok ({', '.join(names) or 'no policies'})")
        except PolicyError as error:
            echo(f"nhi: error: {error}", err=True)
            problems += 1
    return EXIT_INPUT if problems else EXIT_OK
