"""Shared fixtures: real SQLite and PostgreSQL stores, the seed texts, a CLI runner.

PostgreSQL tests run against the server on 127.0.0.1:5432, database ``test``, each test run in a
schema of its own (``newsmon_<pid>``, reached through ``search_path``), so test runs side by side
do not reset each other's tables. Outside CI a missing server skips them with a visible reason;
under CI=true it fails them, because CI must prove both databases.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Select, create_engine, text

from newsmon.cli import main
from newsmon.config import Config, load_config
from newsmon.store.db import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
POSTGRES_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POSTGRES_SCHEMA = f"newsmon_{os.getpid()}"
POSTGRES_URL = f"{POSTGRES_SERVER_URL}?options=-csearch_path%3D{POSTGRES_SCHEMA}"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means the service is missing
        return (
            f"PostgreSQL at {POSTGRES_URL} unavailable: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
        )
    return None


def _recreate_schema(create: bool = True) -> None:
    engine = create_engine(POSTGRES_SERVER_URL)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {POSTGRES_SCHEMA} CASCADE"))
        if create:
            connection.execute(text(f"CREATE SCHEMA {POSTGRES_SCHEMA}"))
    engine.dispose()


@pytest.fixture(scope="session")
def _postgres_schema_cleanup() -> Iterator[None]:
    yield
    if _postgres_problem() is None:
        _recreate_schema(create=False)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.fail(f"the seed texts are expected in {SEEDS} (../shared/seeds beside the checkout)")
    return SEEDS


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, _postgres_schema_cleanup: None) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'newsmon.db'}"
    problem = _postgres_problem()
    if problem:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    _recreate_schema()
    return POSTGRES_URL


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment for CLI runs: the store under test, a private home, no config file."""
    return {"NEWSMON_DATABASE_URL": db_url, "NEWSMON_HOME": str(tmp_path / "var"), "NEWSMON_CONFIG": ""}


@pytest.fixture
def config(env: dict[str, str]) -> Config:
    return load_config(None, env=env).config


@pytest.fixture
def store(config: Config) -> Iterator[Store]:
    opened = open_store(config.store_url)
    yield opened
    opened.close()


class Cli:
    """Runs `newsmon` in-process with a given environment, as a user would."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, expect: int | None = 0) -> Result:
        result = CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=True)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        if expect is not None:
            assert result.exit_code == expect, (result.exit_code, result.output)
        return result


@pytest.fixture
def cli(env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.chdir(tmp_path)  # no stray ./newsmon.toml, relative paths land in the test dir
    return Cli(env)


def query_plan(store: Store, query: Select[Any]) -> str:
    """The database's plan for ``query`` as text (PostgreSQL's EXPLAIN, SQLite's EXPLAIN QUERY
    PLAN), for tests that an index is used."""
    sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN " if store.dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    with store.engine.connect() as connection:
        return "\n".join(str(row[-1]) for row in connection.exec_driver_sql(explain + sql))

