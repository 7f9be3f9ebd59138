"""`newsmon demo`: the README's first command, run as a user would, twice, on a fresh home.

The command runs in a child process under the crawl tests' loopback-only socket guard
(``python -m tests.crawl_helpers``), with nothing but a fresh ``NEWSMON_HOME``: no config file,
no database URL, no allowed hosts. What it stores is checked against the fixture site's manifest.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from newsmon.cli.demo import demo_targets
from newsmon.demosite import FixtureSite, ManifestEntry

ROOT = Path(__file__).resolve().parents[1]
BOUND = 60.0  # seconds a demo may take at most
OUTLETS = 3  # ports the demo site takes


def free_first_port(count: int) -> int:
    """A port that is free now, with the ``count - 1`` after it free too."""
    for _ in range(20):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        try:
            for port in range(first, first + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise AssertionError("no free range of ports on 127.0.0.1")


def run_demo(home: Path, port: int, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
    """`newsmon demo` in a child process under the loopback-only guard, with ``home`` as its folder."""
    env = {"NEWSMON_HOME": str(home / "var"), "NEWSMON_CONFIG": "", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "tests.crawl_helpers", "demo", "--port", str(port), *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=BOUND,
        check=False,
    )
    assert result.returncode == expect, result.stderr
    return result


def advertised() -> list[ManifestEntry]:
    """The manifest entries listed in a document the demo crawls (its own site's ports differ)."""
    with FixtureSite.start() as site:
        documents = {url for urls in site.sitemaps.values() for url in urls}
        documents |= {target.url for target in demo_targets(site)}
        return [entry for entry in site.manifest if documents.intersection(entry.listed_in)]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def port() -> int:
    return free_first_port(OUTLETS)


@pytest.fixture(scope="module")
def first(home: Path, port: int) -> dict:
    return json.loads(run_demo(home, port, "--json").stdout)


def stored_articles(home: Path) -> int:
    engine = create_engine(f"sqlite:///{home / 'var' / 'newsmon.db'}")
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM articles")).scalar_one()
    finally:
        engine.dispose()


def test_demo_stores_the_manifests_articles_in_the_default_store(home: Path, first: dict) -> None:
    entries = advertised()
    expected = Counter(entry.duplicate_of and "duplicate" or entry.expected for entry in entries)
    summary = first["summary"]
    assert expected["stored"] > 0
    assert summary["stored"] == expected["stored"]
    assert stored_articles(home) == expected["stored"]
    assert len(first["articles"]) == expected["stored"]
    assert summary["duplicates"] == expected["duplicate"]
    assert summary["off_topic"] == expected["off_topic"]
    assert summary["discovered"] == len(entries)
    # the demo resolves no names: the made-up intranet host fails as 'dns' rather than 'ssrf'
    failed = Counter(summary["failed"])
    assert failed["ssrf"] + failed.pop("dns", 0) == expected["ssrf"]
    assert "connection" not in failed  # the socket guard refused nothing


def test_second_demo_finds_nothing_new(home: Path, port: int, first: dict) -> None:
    output = run_demo(home, port).stdout
    assert "Nothing new found" in output
    assert stored_articles(home) == first["summary"]["stored"]
    again = json.loads(run_demo(home, port, "--json").stdout)
    assert again["articles"] == []
    assert again["summary"]["stored"] == again["summary"]["duplicates"] == 0


def test_demo_says_which_ports_are_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_demo(tmp_path, port, expect=1)
    assert f"cannot serve the demo site on ports {port}-{port + OUTLETS - 1}" in result.stderr
    assert "--port" in result.stderr


def test_demo_sources_carry_their_outlet_names(home: Path, first: dict) -> None:
    """All demo outlets share 127.0.0.1: the digest tells them apart by these names."""
    engine = create_engine(f"sqlite:///{home / 'var' / 'newsmon.db'}")
    try:
        with engine.connect() as connection:
            outlets = set(
                connection.execute(
                    text("SELECT DISTINCT s.outlet FROM articles a JOIN sources s ON s.id = a.source_id")
                ).scalars()
            )
    finally:
        engine.dispose()
    assert outlets == {"Tagesblick", "Technikwelt"}
