"""The domain stays pure: no web, database or terminal code, no environment variables."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "heroicrun"
DOMAIN = ["track.py", "geodesy.py", "summary.py", "activity.py", "reading", "measuring"]
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


def imports_of(module: Path) -> list[str]:
    """Every module a file imports, absolute, as written."""
    found: list[str] = []
    for node in ast.walk(ast.parse(module.read_text(), filename=str(module))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def test_missions_are_domain_too() -> None:
    for module in sorted((PACKAGE / "missions").rglob("*.py")):
        bad = [name for name in imports_of(module) if name.split(".")[0] in FORBIDDEN]
        assert bad == [], module


def test_play_knows_no_web_or_terminal() -> None:
    adapters = {"fastapi", "starlette", "typer", "rich", "click", "jinja2", "uvicorn"}
    for module in sorted((PACKAGE / "play").rglob("*.py")):
        names = imports_of(module)
        bad = [n for n in names if n.split(".")[0] in adapters]
        bad += [n for n in names if n.startswith(("heroicrun.server", "heroicrun.cli"))]
        assert bad == [], module


API_MODULES = ("runs", "accounts", "missions", "health", "run_models")


def test_pages_call_play_and_render_and_nothing_else() -> None:
    # A page reaches storage only through heroicrun.play, and shares the server's toolkit
    # (deps, csrf, params, receiving), never the JSON API's route modules.
    api = tuple(f"heroicrun.server.{name}" for name in API_MODULES)
    for module in sorted((PACKAGE / "server" / "pages").rglob("*.py")):
        names = imports_of(module)
        assert [n for n in names if n.split(".")[0] == "sqlalchemy"] == [], module
        assert [n for n in names if n == "heroicrun.db.engine" or n.startswith(api)] == [], module
        text = module.read_text()
        assert ".state.writers" not in text and ".state.readers" not in text, module


def test_routes_authenticate_through_a_dependency() -> None:
    # One way to know who is asking: CurrentRunner (API), PageRunner or MaybeRunner (pages).
    for module in sorted((PACKAGE / "server").rglob("*.py")):
        text = module.read_text()
        assert "if runner is None:\n        return pages.to_sign_in" not in text, module
        assert "live_token(" not in text or module.name == "deps.py", module


def test_create_app_returns_the_fastapi_app_itself() -> None:
    from fastapi import FastAPI

    from heroicrun.server import create_app
    from heroicrun.settings import Settings

    app = create_app(Settings(database_url="sqlite://"))
    assert type(app) is FastAPI
    assert app.state.settings.database_url == "sqlite://"
