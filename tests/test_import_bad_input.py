"""Bad input to `newsmon import`: a one-line reason each, non-zero exit, no traceback, no partial rows."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from newsmon.cli import main
from newsmon.cli.imports import WORKERS_FROM_FILES
from newsmon.store.db import Store
from newsmon.store.models import Article, ArticleUrl, FetchLog, LshBand, Story
from tests.conftest import Cli

GERMAN = (
    "Die Exportkontrollen für Halbleiter treffen chinesische Hersteller von KI-Chips hart. "
    "Nach Angaben aus Peking wollen die Unternehmen nun verstärkt auf eigene Entwicklungen setzen, "
    "während amerikanische Konzerne über Lizenzen für ältere Modelle verhandeln. Für Nvidia ist "
    "das Geschäft in China damit schwieriger geworden, heißt es in Branchenkreisen übereinstimmend. "
)


def run_import(cli: Cli, *paths: Path, expect: int = 1) -> list[dict]:
    result = cli("import", "--json", *map(str, paths), expect=expect)
    assert "Traceback" not in result.output
    return [json.loads(line) for line in result.output.splitlines()]


def counts(store: Store) -> dict[str, int]:
    with store.session() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Article, ArticleUrl, LshBand, Story)
        }


def assert_nothing_stored(store: Store) -> None:
    assert counts(store) == {"articles": 0, "article_urls": 0, "lsh_bands": 0, "stories": 0}


def rejected_reasons(store: Store) -> list[str]:
    with store.session() as session:
        return list(
            session.scalars(
                select(FetchLog.reason).where(FetchLog.outcome == "rejected").order_by(FetchLog.id)
            )
        )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t\n ", "empty file"),
        ("binary.txt", bytes(range(256)) * 64, "binary content"),
        ("tiny.txt", "Nur ein Satz über Chips.".encode(), "too short"),
        ("junk.txt", "Teilen:\nKommentare (0)\nYükleniyor...\n👍\n".encode(), "no text left"),
        ("broken.txt.gz", b"\x1f\x8b\x08\x00garbage", "broken gzip"),
    ],
)
def test_single_bad_file(
    cli: Cli, store: Store, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    (result,) = run_import(cli, path)
    assert result["status"] == "rejected"
    assert reason in result["reason"]
    assert "\n" not in result["reason"]
    assert_nothing_stored(store)
    assert len(rejected_reasons(store)) == 1


def test_missing_path(cli: Cli, store: Store, tmp_path: Path) -> None:
    (result,) = run_import(cli, tmp_path / "does-not-exist.txt")
    assert result == {
        "path": str(tmp_path / "does-not-exist.txt"),
        "status": "rejected",
        "article_id": None,
        "duplicate_of": None,
        "layer": None,
        "similarity": None,
        "reason": "no such file or directory",
        "story_id": None,
    }
    assert_nothing_stored(store)


def test_huge_file_is_rejected_unread(cli: Cli, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        chunk = GERMAN.encode() * 1000
        while handle.tell() < 50_000_000:
            handle.write(chunk)
    (result,) = run_import(cli, path)
    assert result["status"] == "rejected"
    assert result["reason"].startswith("file too large: 50.")
    assert_nothing_stored(store)


def test_gzip_bomb_stops_at_the_limit(cli: Cli, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    with gzip.open(path, "wb") as handle:
        for _ in range(200):
            handle.write(b"A" * 1_000_000)
    assert path.stat().st_size < 1_000_000
    (result,) = run_import(cli, path)
    assert "decompressed content larger than the limit" in result["reason"]
    assert_nothing_stored(store)


def test_cp1252_text_is_decoded_not_lost(cli: Cli, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(("Exportkontrollen treffen Chinas KI-Branche\n\n" + GERMAN * 2).encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    (result,) = run_import(cli, path, expect=0)
    assert result["status"] == "stored"
    assert result["reason"] == "not UTF-8: decoded as Windows-1252"
    detail = json.loads(cli("articles", "show", str(result["article_id"]), "--json").output)
    assert "für Halbleiter" in detail["text"]
    assert "heißt" in detail["text"]


def test_mixed_batch_stores_the_good_and_reports_the_bad(
    cli: Cli, store: Store, tmp_path: Path, seeds_dir: Path
) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    shutil.copy(seeds_dir / "004_a971a271933f7a49.txt", tmp_path / "good.txt")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF-1.4")
    results = run_import(cli, tmp_path, expect=1)
    assert [(Path(r["path"]).name, r["status"]) for r in results] == [
        ("empty.txt", "rejected"),
        ("good.txt", "stored"),
    ]
    assert counts(store)["articles"] == 1


def test_unsupported_file_named_explicitly(cli: Cli, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    (result,) = run_import(cli, path)
    assert result["reason"].startswith("unsupported file type")


def test_human_output_is_one_line_per_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    result = cli("import", str(tmp_path / "empty.txt"), str(tmp_path / "missing.txt"), expect=1)
    assert result.output.splitlines() == [
        f"{tmp_path / 'empty.txt'}: rejected (empty file)",
        f"{tmp_path / 'missing.txt'}: rejected (no such file or directory)",
    ]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to drop privileges")
def test_unreadable_directory(env: dict[str, str], db_url: str, seeds_dir: Path) -> None:
    """Root reads every directory, so the import runs in a child that dropped to an unprivileged user."""
    work = Path(tempfile.mkdtemp(prefix="newsmon-perm-", dir="/tmp"))
    try:
        work.chmod(0o777)
        locked = work / "locked"
        locked.mkdir()
        shutil.copy(seeds_dir / "004_a971a271933f7a49.txt", locked / "inside.txt")
        locked.chmod(0o000)
        child_env = dict(env)
        if db_url.startswith("sqlite"):
            child_env["NEWSMON_DATABASE_URL"] = f"sqlite:///{work / 'newsmon.db'}"
        # warm every import the command needs while we can still read the interpreter's files
        CliRunner().invoke(
            main,
            ["import", "--json", str(work / "missing.txt")],
            env={**child_env, "NEWSMON_DATABASE_URL": f"sqlite:///{work / 'warm.db'}"},
        )
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            os.close(read_end)
            code = 99
            try:
                if os.geteuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                result = CliRunner().invoke(main, ["import", "--json", str(locked)], env=child_env)
                os.write(write_end, json.dumps({"exit": result.exit_code, "output": result.output}).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, payload
        report = json.loads(payload)
        assert report["exit"] == 1, report
        assert "Traceback" not in report["output"], report
        (line,) = [json.loads(text) for text in report["output"].splitlines()]
        assert line["status"] == "rejected"
        assert line["reason"] == "cannot read directory: permission denied"
    finally:
        (work / "locked").chmod(0o700)
        shutil.rmtree(work)


def test_many_files_prepared_in_workers_end_as_one_by_one(
    cli: Cli, seeds_dir: Path, tmp_path: Path
) -> None:
    """An import of many files prepares them in worker processes; every decision, reason and
    stored article is the same as when each file is imported alone, in line."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))
    for seed in seeds:
        shutil.copy(seed, folder / seed.name)
    third = (folder / seeds[3].name).read_text(encoding="utf-8")
    (folder / "x-003-copy.txt").write_text(third.replace("\n\n", "\n \n"), encoding="utf-8")
    second = (folder / seeds[2].name).read_text(encoding="utf-8")
    (folder / "x-002-truncated.txt").write_text(second[: int(len(second) * 0.8)], encoding="utf-8")
    (folder / "x-empty.txt").write_text("", encoding="utf-8")
    (folder / "x-binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "x-cp1252.txt").write_bytes((GERMAN * 6).encode("cp1252"))
    (folder / "x-short.txt").write_text("Zu kurz.", encoding="utf-8")
    files = sorted(folder.iterdir())
    assert len(files) >= WORKERS_FROM_FILES
    together = run_import(cli, folder)
    together_articles = json.loads(cli("articles", "list", "--json").output)

    alone_env = {**cli.env, "NEWSMON_HOME": str(tmp_path / "alone")}
    alone_env.pop("NEWSMON_DATABASE_URL", None)
    alone_cli = Cli(alone_env)
    alone = [line for file in files for line in run_import(alone_cli, file, expect=None)]
    alone_articles = json.loads(alone_cli("articles", "list", "--json").output)

    def decisions(lines: list[dict]) -> list[tuple]:
        return [(Path(line["path"]).name, line["status"], line["layer"], line["reason"]) for line in lines]

    assert decisions(together) == decisions(alone)
    assert [line["status"] for line in together].count("stored") == 6  # five seeds and the cp1252 text
    assert {line["status"] for line in together} == {"stored", "duplicate", "rejected"}

    def content(articles: list[dict]) -> list[tuple]:
        return [(a["title"], a["published_at"], a["language"]) for a in articles]

    assert sorted(content(together_articles)) == sorted(content(alone_articles))
