"""The package's shape, checked: no import cycle (TYPE_CHECKING and function-level imports
included), no module over 400 lines, and a CLI that is only wiring (issue 17)."""

from __future__ import annotations

import ast
from pathlib import Path

import scanner

PACKAGE = Path(scanner.__file__).parent
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every scanner module `name` imports, wherever the import statement stands."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                       for alias in node.names]  # fmt: skip
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


def _cycle() -> list[str] | None:
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_no_import_cycle() -> None:
    assert _cycle() is None, " -> ".join(_cycle() or [])


def test_no_module_over_400_lines() -> None:
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}  # fmt: skip
    assert long == {}


def test_the_cli_holds_no_business_logic() -> None:
    cli = {
        name: path for name, path in MODULES.items() if name.split(".")[:2] == ["scanner", "cli"]
    }
    assert len(cli) > 1, "the CLI is a package, one module per command group"
    for name, path in cli.items():
        tree = ast.parse(path.read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.Import) for alias in node.names}  # fmt: skip
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}  # fmt: skip
        assert imported.isdisjoint({"sqlite3", "subprocess", "requests"}), name


def test_a_warm_scan_imports_no_parser(tmp_path) -> None:
    """The floor of a warm scan is Python plus imports (#21): python-hcl2 and lark are loaded
    only when a Terraform file has to be parsed, never when every file comes from the cache."""
    import subprocess
    import sys

    (tmp_path / "repo").mkdir()
    (tmp_path / "repo/iam.tf").write_text('resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n')
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from scanner import pipeline\n"
        f"options = pipeline.Options(cache_dir=Path({str(tmp_path / 'cache')!r}))\n"
        f"report = pipeline.scan(Path({str(tmp_path / 'repo')!r}), options=options)\n"
        "print(len(report.subjects), 'lark' in sys.modules)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]  # fmt: skip
    assert runs == ["1 True\n", "1 False\n"]  # cold parses; warm reads the cache only
