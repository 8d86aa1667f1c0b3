"""The domain stays pure: no web, database or terminal code, no environment variables."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "heroicrun"
DOMAIN = ["track.py", "geodesy.py", "summary.py", "reading", "measuring"]
FORBIDDEN = {"typer", "rich", "click", "fastapi", "starlette", "sqlalchemy", "alembic", "jinja2"}


def domain_modules() -> list[Path]:
    found: list[Path] = []
    for entry in DOMAIN:
        path = PACKAGE / entry
        found.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return found


def test_domain_imports_no_adapter_library() -> None:
    offenders = []
    for module in domain_modules():
        tree = ast.parse(module.read_text(), filename=str(module))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{module.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
            if names and any(n in ("heroicrun.cli", "heroicrun.terminal") for n in names):
                offenders.append(f"{module.name}: imports an adapter")
    assert offenders == []


def test_domain_reads_no_environment() -> None:
    for module in domain_modules():
        text = module.read_text()
        assert "os.environ" not in text and "getenv" not in text, module


def test_every_package_ships_in_the_wheel() -> None:
    # pyproject lists packages by hand (the catalog is mapped from missions/), so a new
    # subpackage must be added there or an installed heroicrun will not find it.
    listed = set(
        tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"][
            "packages"
        ]
    )
    on_disk = {
        ".".join(init.parent.relative_to(PACKAGE.parent).parts)
        for init in PACKAGE.rglob("__init__.py")
    }
    assert on_disk <= listed, on_disk - listed
