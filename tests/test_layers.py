"""The apps' layers hold: no import hidden inside a function to reach another app, no giant file.

import-linter (``make lint``) checks the direction of every import; this checks the habits STYLE.md
asks for besides — a cross-app import sits at the top of its module, where the reader sees it, and
a module of product code is split before it passes 500 lines.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = (
    "gymnasium_portal",
    "staff",
    "compliance",
    "invitations",
    "chats",
    "messenger",
    "orders",
    "roster",
    "board",
)


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


def _function_imports(tree: ast.AST):
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                for name in _imported(node):
                    yield node.lineno, name


MODULES = list(_modules())
MAX_LINES = 500


@pytest.mark.parametrize(
    "app, path", MODULES, ids=[str(path.relative_to(ROOT)) for _app, path in MODULES]
)
def test_no_function_imports_another_app(app, path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    crossing = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for line, name in _function_imports(tree)
        if name.split(".")[0] in APPS and name.split(".")[0] != app
    ]
    assert crossing == []


def test_no_module_of_product_code_passes_500_lines():
    longer = {
        str(path.relative_to(ROOT)): lines
        for _app, path in MODULES
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert longer == {}
