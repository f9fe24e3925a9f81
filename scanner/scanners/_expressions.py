"""GitHub Actions `${{ }}` expressions: where they are in a value, which tokens reference the
`secrets` context, and a pattern to find a reference again in the raw text (for its line)."""

from __future__ import annotations

import re

from scanner.scanners._json import Span

# One token of an expression: a reference to the secrets context, or a string literal to skip
# (`contains(labels, 'secrets')` names no secret). `steps.secrets.outputs.x` and `inputs.secrets`
# are other contexts' properties, hence the look-behind. Context names are case-insensitive.
TOKEN = re.compile(
    r"""(?P<context>(?<![\w.-])(?i:secrets))\s*(?:
        \.\s*(?P<dot>[A-Za-z_][A-Za-z0-9_-]*)
      | \[\s*(?P<q>['"])(?P<key>.{0,256}?)(?P=q)\s*\]
      | \[\s*(?P<dynamic>[^\]'"\s][^\]]*?)\s*\]
      | (?P<all>(?![\w-]))
    )
    | '(?:[^']|'')*' | "[^"]*"
    """,
    re.VERBOSE,
)


def expressions(value: str) -> list[str]:
    """The bodies of `${{ ... }}` in a string. Found with str.find, not a lazy regex, which
    rescans to the end from every `${{` when no `}}` follows (quadratic)."""
    found: list[str] = []
    start = value.find("${{")
    while start >= 0:
        end = value.find("}}", start + 3)
        if end < 0:
            break
        found.append(value[start + 3 : end])
        start = value.find("${{", end + 2)
    return found


def needle(reference: str, *, all_secrets: bool) -> re.Pattern[str]:
    """A pattern for one reference as written, whole (`secrets.FOO` is not in `secrets.FOO_BAR`)."""
    body = r"\s*".join(re.escape(part) for part in reference.split())
    end = r"(?![\w-]|\s*[.\[])" if all_secrets else r"(?![\w-])"
    return re.compile(r"(?<![\w.-])" + body + end)


def locate(lines: list[str], span: Span, needle: re.Pattern[str], bare: bool) -> int:
    """The exact line of a reference: searched in the raw text within the value's span.

    A line where the reference follows `${{` wins over one where it is plain script text
    (`# needs secrets.X`), which GitHub does not evaluate; multi-line expressions fall back.
    """
    numbers = range(span.line, span.end_line + 1)
    for number in numbers:
        line = lines[number - 1]
        found = needle.search(line)
        if found and (bare or "${{" in line[: found.start()]):
            return number
    return next((n for n in numbers if needle.search(lines[n - 1])), span.line)
