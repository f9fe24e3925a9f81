"""No golden file holds a planted secret value, nor any 8-character piece of one."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
PLANTED = [
    "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",  # mcp
    "sk-proj-Zq9XwV8uT7sR6qP5oN4mL3kJ2iH1gF0e",  # mcp, amazonq bearer header
    "Zx8Q4kLp9vN2mR7tY1wB5cHd",  # high-entropy literals (mcp flag, header, url)
    "xoxb-9283746501-QpWmZrTxYvUs",  # mcp docker -e
    "Pa55word-for-demo",  # mcp dsn
    "AKIAIOSFODNN7EXAMPLE",  # workflows env
    "ghp_R7tK2mQ9vX4bN8cL1wZ6hJ3pF5sD0gY2aE7q",  # workflows with, terraform malformed
    "hunter2-for-tests",  # workflows services env
]


def pieces(value: str) -> set[str]:
    return {value[i : i + 8] for i in range(len(value) - 7)}


def test_goldens_hold_no_planted_value() -> None:
    goldens = {p: p.read_text() for p in HERE.rglob("*.expected.json")}
    leaks = sorted(
        (str(path.relative_to(HERE)), piece)
        for path, text in goldens.items()
        for value in PLANTED
        for piece in pieces(value)
        if piece in text
    )
    assert leaks == []


def test_the_planted_values_are_really_in_the_cases() -> None:
    cases = "".join(
        p.read_text(errors="replace")
        for p in HERE.rglob("*")
        if p.is_file() and not p.name.endswith((".expected.json", ".py"))
    )
    assert [value for value in PLANTED if value not in cases] == []
