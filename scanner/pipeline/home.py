"""User-level agent configs (issue 18): the files each MCP client keeps in a person's home
folder. A folder outside git that looks like a home folder is never walked (it can hold
millions of files): only these exact paths, and a few small folders of them, are looked at,
and the report says what was left out.

The paths come from each client's documentation (reference/catalog.md, MCP client config
files); the README lists them. Paths outside the home folder (`/etc/codex/config.toml`,
managed `managed-mcp.json`) are not read: give them as PATHS, or collect them into a bundle.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from scanner.model import ScanError

_MAC = "Library/Application Support"
_WINDOWS = "AppData/Roaming"
_CODE_USER = tuple(f"{base}/Code/User" for base in (".config", _MAC, _WINDOWS))

USER_CONFIGS: tuple[str, ...] = (
    ".claude.json",  # Claude Code: user and per-project (`projects.<path>`) servers
    *(f"{base}/Claude/claude_desktop_config.json" for base in (_MAC, _WINDOWS, ".config")),
    ".cursor/mcp.json",
    *(f"{user}/{name}" for user in _CODE_USER for name in ("mcp.json", "settings.json")),
    *(f"{user}/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"
      for user in _CODE_USER),
    *(f"{user}/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json"
      for user in _CODE_USER),
    ".copilot/mcp-config.json",
    ".codeium/windsurf/mcp_config.json",
    ".gemini/settings.json",
    ".gemini/antigravity/mcp_config.json",
    ".gemini/config/mcp_config.json",
    ".codex/config.toml",
    ".config/opencode/opencode.json",
    ".config/opencode/opencode.jsonc",
    ".continue/config.yaml",
    ".config/zed/settings.json",
    ".kiro/settings/mcp.json",
    ".aws/amazonq/mcp.json",
    ".aws/amazonq/default.json",
    ".junie/mcp/mcp.json",
    ".config/goose/config.yaml",
    f"{_WINDOWS}/Block/goose/config/config.yaml",
    ".config/mcphub/servers.json",
    ".vibe/config.toml",
)  # fmt: skip

# Folders whose every file is a config (one server or agent per file): listed, not walked.
USER_FOLDERS = (".continue/mcpServers", ".aws/amazonq/cli-agents")
MAX_FOLDER_FILES = 200  # files taken from each of those folders, at most

# What only a home folder holds at its top: a shell's files, a platform's settings folders.
_MARKERS = (".bashrc", ".zshrc", ".profile", ".bash_profile", ".bash_history", ".zsh_history",
            ".ssh", ".claude.json", _MAC, _WINDOWS)  # fmt: skip


def looks_like_home(root: Path) -> bool:
    """Whether a folder outside git is someone's home folder (or a copy of one)."""
    return any(os.path.lexists(root / marker) for marker in _MARKERS)


def user_configs(root: Path) -> tuple[list[str], ScanError]:
    """The user-level configs present under `root`, and the report's note on what was not
    walked (every other entry of the folder)."""
    found = [path for path in USER_CONFIGS if _is_file(root / path)]
    for folder in USER_FOLDERS:
        found.extend(_listed(root, folder))
    try:
        top = len(os.listdir(root))
    except OSError:
        top = 0
    note = ScanError(path=".", line=None, message=(
        f"a home folder: only its user-level agent configs were read ({len(found)} found at "
        f"the {len(USER_CONFIGS)} known paths and in {', '.join(USER_FOLDERS)}); nothing else "
        f"was walked ({top} entries at its top level): scan each project with "
        "nhi scan --repo PATH"))  # fmt: skip
    return found, note


def _is_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _listed(root: Path, folder: str) -> Iterator[str]:
    """The first files of one folder, by name (never a link, never below it)."""
    try:
        with os.scandir(root / folder) as entries:
            names = sorted(e.name for e in entries if e.is_file(follow_symlinks=False))
    except OSError:
        return
    yield from (f"{folder}/{name}" for name in names[:MAX_FOLDER_FILES])
