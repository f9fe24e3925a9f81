"""Policy files: YAML in, validated against `schema.json`, out as `Policy` values.

`parse` is pure (text -> Policy) and the tests target it; `load` and `builtin` are the thin
I/O wrappers. Every error names the file, the JSON path of the bad entry and the reason.
"""

from __future__ import annotations

import functools
import json
import re
import string
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

if TYPE_CHECKING:
    import jsonschema
    import jsonschema_rs

from scanner.errors import PolicyError
from scanner.model import JSON, Condition, Policy, Scope, Severity

# The only names a message template may use; see engine.message().
PLACEHOLDERS = frozenset(
    {"id", "rule", "kind", "category", "name", "path", "line", "owners", "declared_owners",
     "provisioner"}
)  # fmt: skip
_FILE_NAME = re.compile(r"^(NHI[0-9]{3})-[a-z0-9-]+\.ya?ml$")


# libyaml's loader when PyYAML has it (the wheels do): the built-in policies load on every run.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def schema() -> dict[str, Any]:
    text = Path(__file__).with_name("schema.json").read_text("utf-8")
    return cast(dict[str, Any], json.loads(text))


@functools.cache
def _fast_validator() -> jsonschema_rs.Draft202012Validator:
    """jsonschema-rs answers 'valid?' (no import of jsonschema on every run); jsonschema words
    the problem of an invalid policy."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(schema(), validate_formats=True)


def _fast_valid(document: object) -> bool:
    """jsonschema-rs's answer; a document it cannot take in (a YAML key that is not a string,
    an integer past 64 bits) goes to jsonschema, which words the problem."""
    try:
        return bool(_fast_validator().is_valid(document))
    except (ValueError, TypeError, OverflowError):
        return False


def _best_problem(document: object) -> jsonschema.ValidationError | None:
    import jsonschema
    from jsonschema.exceptions import best_match

    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    problem: jsonschema.ValidationError | None = best_match(validator.iter_errors(document))
    return problem


def parse(text: str, source: str, *, trusted: bool = False) -> Policy:
    """Build a Policy from one file's text; raise PolicyError naming `source` on any problem.

    `trusted` (the built-in policies, validated by the test suite) skips the schema check."""
    document = parse_document(text, source, trusted=trusted)
    _check_message(document["message"], source)
    match = _FILE_NAME.match(Path(source).name)
    if match and match[1] != document["id"]:
        raise PolicyError(f"{source}: /id: {document['id']} does not match the file name")
    applies = document.get("applies_to", {})
    return Policy(
        id=document["id"],
        title=document["title"],
        severity=Severity[document["severity"].upper()],
        scope=Scope(document["scope"]),
        kinds=frozenset(applies.get("kinds", ())),
        categories=frozenset(applies.get("categories", ())),
        when=tuple(condition(entry) for entry in document["when"]),
        message=document["message"],
        description=document["description"].strip(),
        owasp=document.get("owasp"),
        notice=bool(document.get("notice", False)),
        max_days=int(document.get("max_days", 365)),
        source=source,
    )


def parse_document(text: str, source: str, *, trusted: bool = False) -> dict[str, Any]:
    """The validated YAML document (examples included, for the tests that run them)."""
    try:
        document = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        try:  # PyYAML's own loader places the problem where people look for it
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise PolicyError(f"{source}: not valid YAML{where}") from None
        except RecursionError:  # PyYAML composes recursively (#12)
            raise PolicyError(f"{source}: not valid YAML (nested too deeply)") from None
    except RecursionError:
        raise PolicyError(f"{source}: not valid YAML (nested too deeply)") from None
    if trusted:
        return cast(dict[str, Any], document)
    valid = _fast_valid(document) and _patterns_compile(document)
    problem = None if valid else _best_problem(document)
    if problem is not None:
        path = "/" + "/".join(str(part) for part in problem.absolute_path)
        raise PolicyError(f"{source}: {path}: {_reason(problem)}")
    return cast(dict[str, Any], document)


def _patterns_compile(node: object) -> bool:
    """Whether every `attribute_matches` pattern is a Python regex. jsonschema-rs checks the
    `regex` format with ECMA-262 rules, which accept some patterns Python's `re` refuses."""
    if isinstance(node, list):
        return all(_patterns_compile(item) for item in node)
    if not isinstance(node, dict):
        return True
    matches = node.get("attribute_matches")
    if isinstance(matches, dict) and isinstance(matches.get("pattern"), str):
        try:
            re.compile(matches["pattern"])
        except re.error:
            return False
    return all(_patterns_compile(value) for value in node.values())


def _reason(problem: jsonschema.ValidationError) -> str:
    """jsonschema's message, shortened where it would dump a whole sub-document."""
    if problem.validator == "additionalProperties":
        return problem.message.replace("Additional properties are not allowed", "unknown key")
    if problem.validator in ("oneOf", "anyOf", "not"):
        return f"does not match the {problem.validator} alternatives"
    message = problem.message
    return message if len(message) <= 200 else message[:197] + "..."


def _check_message(message: str, source: str) -> None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}
    except ValueError as error:
        raise PolicyError(f"{source}: /message: {error}") from None
    unknown = sorted(fields - PLACEHOLDERS)
    if unknown:
        allowed = ", ".join(sorted(PLACEHOLDERS))
        raise PolicyError(
            f"{source}: /message: unknown placeholder {{{unknown[0]}}}; allowed: {allowed}"
        )


def condition(entry: Mapping[str, Any]) -> Condition:
    """One validated `when` entry (a single-key mapping) as a Condition tree."""
    ((name, args),) = entry.items()
    if name in ("all", "any"):
        return Condition(predicate=name, children=tuple(condition(c) for c in args))
    if name == "not":
        return Condition(predicate=name, children=(condition(args),))
    return Condition(predicate=name, args=cast(dict[str, JSON], args))


def load(path: Path, *, trusted: bool = False) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(f"{path}: cannot be read: {error}") from None
    return parse(text, str(path), trusted=trusted)


def load_paths(paths: Iterable[Path], *, trusted: bool = False) -> tuple[Policy, ...]:
    """Policies from files and folders (every *.yaml / *.yml in a folder, sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return tuple(load(file, trusted=trusted) for file in files)


def builtin_folder() -> Path:
    """Where the built-in policies are: inside the wheel, or the checkout's `policies/`."""
    packaged = Path(__file__).parents[1] / "policies"
    return packaged if packaged.is_dir() else Path(__file__).parents[2] / "policies"


@functools.cache
def builtin() -> tuple[Policy, ...]:
    return load_paths([builtin_folder()], trusted=True)


def combine(base: Iterable[Policy], custom: Iterable[Policy]) -> tuple[Policy, ...]:
    """Custom policies add to the built-in ones, or replace one with the same id."""
    by_id = {policy.id: policy for policy in base}
    by_id.update({policy.id: policy for policy in custom})
    return tuple(sorted(by_id.values(), key=lambda policy: policy.id))


__all__ = ["PLACEHOLDERS", "builtin", "combine", "condition", "load", "load_paths", "parse"]
