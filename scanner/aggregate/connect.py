"""The GitHub edge, loaded on demand: PyGithub and requests come with the `org` extra only,
so the pull-request scan and the hook never install or import them."""

from __future__ import annotations

from types import ModuleType

from scanner.errors import ConfigError


def client() -> ModuleType:
    """The GitHub edge (PyGithub), installed with the `org` extra only."""
    try:
        from scanner.aggregate import github
    except ImportError as error:
        raise ConfigError(
            f"--github-org needs the org extra ({error.name} is not installed): "
            "pip install 'nhi-scanner[org]'"
        ) from None
    return github
