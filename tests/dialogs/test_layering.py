"""dialogs/ imports no transport, web or database library: one flow serves every channel."""

from __future__ import annotations

import ast
from pathlib import Path

import dialogs

FORBIDDEN = {"aiogram", "aiohttp", "fastapi", "starlette", "sqlalchemy", "httpx", "db", "bot"}


def test_dialogs_imports_nothing_from_outer_layers() -> None:
    offenders = []
    for path in Path(dialogs.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert not offenders
