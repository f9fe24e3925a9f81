"""The two git calls that reach another machine: clone a repository (the aggregator) and fetch
more of a shallow checkout's history (the Action). Both go through `git.run`, the one
subprocess edge, and name the transports they may use."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

from scanner.git import GitError, run


def deepen(root: Path, commits: int, seconds: float) -> str | None:
    """Fetch `commits` more of a shallow clone's history from `origin` within `seconds`; None
    when it worked, else why not (one line, git's last words). git drops the shallow mark itself
    when the history runs out."""
    try:
        run(root, "fetch", "--quiet", "--no-tags", f"--deepen={commits}", "origin",
            protocols="https:http:ssh:file", timeout=seconds)  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"it took longer than {seconds:g} s"
    except GitError as error:
        return str(error)
    return None


def clone(url: str, dest: Path, token: str | None = None) -> None:
    """Clone `url` (full history: attribution needs it) into `dest`.

    The token goes in as an HTTP header through git's environment-only configuration
    (GIT_CONFIG_COUNT), so it is neither in the command line nor in the clone's config.
    """
    env: dict[str, str] = {}
    if token:
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraHeader",
               "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}"}  # fmt: skip
    # GitHub's clone URLs are https (a local path in tests): never ssh, git:// or `ext::`.
    run(dest.parent, "clone", "-q", "--no-tags", "--", url, str(dest), env=env,
        protocols="https:file")  # fmt: skip
