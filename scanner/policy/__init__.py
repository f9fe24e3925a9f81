"""Policies as data: load YAML rules, evaluate them against attributed identities."""

from scanner.policy.engine import evaluate
from scanner.policy.loader import builtin, combine, load_paths, parse
from scanner.policy.predicates import PREDICATES, Context, Directory, needs_exports

__all__ = [
    "PREDICATES",
    "Context",
    "Directory",
    "builtin",
    "combine",
    "evaluate",
    "load_paths",
    "needs_exports",
    "parse",
]
