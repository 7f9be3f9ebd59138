"""`newsmon digest`, `digest list`, `digest show` as a user runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli
from tests.test_digest_data import (
    TOPIC,
    Planted,
    week_fixture,  # noqa: F401  (the week fixture)
)
from tests.test_digest_mail import (
    PASSWORD,
    SUBJECT,
    USER,
    SmtpServer,
    free_port,
    plain_server_fixture,  # noqa: F401  (the plain_server fixture)
)

WEEK_ARGS = ("digest", "--topic", TOPIC, "--week", "2026-W03")


def smtp_env(cli: Cli, port: int, **extra: str) -> None:
    cli.env = {
        **cli.env,
        "NEWSMON_SMTP__HOST": "127.0.0.1",
        "NEWSMON_SMTP__PORT": str(port),
        "NEWSMON_SMTP__SECURITY": "none",
        "NEWSMON_SMTP__SENDER": "newsmon@example.org",
        "NEWSMON_SMTP__TIMEOUT": "5",
        **extra,
    }


def test_digest_writes_files_and_archives_them(cli: Cli, week: dict[str, Planted], tmp_path: Path) -> None:
    out = tmp_path / "out"
    output = cli(*WEEK_ARGS, "--out", str(out)).output
    html = out / f"{TOPIC}-2026-W03.html"
    assert output == f"{SUBJECT}\n  {html}  (archived #1)\n"
    assert (
        (out / f"{TOPIC}-2026-W03.txt")
        .read_text(encoding="utf-8")
        .startswith("newsmon · Kalenderwoche 3/2026")
    )
    assert (out / f"{TOPIC}-2026-W03.png").read_bytes().startswith(b"\x89PNG")
    assert f'src="{TOPIC}-2026-W03.png"' in html.read_text(encoding="utf-8")

    (listed,) = json.loads(cli("digest", "list", "--json").output)
    assert {
        k: listed[k] for k in ("id", "topic", "iso_week", "subject", "language", "stories", "articles")
    } == {
        "id": 1,
        "topic": TOPIC,
        "iso_week": "2026-W03",
        "subject": SUBJECT,
        "language": "de",
        "stories": 5,
        "articles": 7,
    }
    assert listed["deliveries"] == []
    shown = cli("digest", "show", "1").output
    assert shown.startswith(f"#1 {TOPIC} 2026-W03: {SUBJECT}\n\nnewsmon · Kalenderwoche 3/2026\n")
    detail = json.loads(cli("digest", "show", "1", "--json").output)
    assert detail["meta"]["stories"] == 5
    assert "<table" in detail["html"]
    assert "2026-W03" in cli("digest", "list").output


def test_default_output_folder_and_english(cli: Cli, week: dict[str, Planted], tmp_path: Path) -> None:
    output = cli(*WEEK_ARGS, "--lang", "en").output
    assert output.startswith("newsmon: KI-Wettlauf USA–China — week 3/2026, 5 stories\n")
    assert (tmp_path / "var" / "digests" / f"{TOPIC}-2026-W03.html").is_file()


def test_send_mails_each_recipient_once(cli: Cli, week: dict[str, Planted], plain_server: SmtpServer) -> None:
    smtp_env(cli, plain_server.port)
    first = cli(*WEEK_ARGS, "--send", "--to", "anna@example.org", "--to", "ben@example.org").output
    lines = first.splitlines()
    assert lines[0].startswith(f"sent     {TOPIC} 2026-W03 → anna@example.org  <")
    assert lines[1].startswith(f"sent     {TOPIC} 2026-W03 → ben@example.org  <")
    assert len(plain_server.received) == 2

    again = cli(*WEEK_ARGS, "--send", "--to", "anna@example.org").output
    assert again.startswith(f"already  {TOPIC} 2026-W03 → anna@example.org  (sent ")
    assert len(plain_server.received) == 2
    # the digest is frozen now: a new render request shows the archived one
    assert "mailed before: unchanged" in cli(*WEEK_ARGS).output
    (listed,) = json.loads(cli("digest", "list", "--json").output)
    assert [(d["recipient"], d["status"], d["attempts"]) for d in listed["deliveries"]] == [
        ("anna@example.org", "sent", 1),
        ("ben@example.org", "sent", 1),
    ]


def test_a_wrong_password_is_one_line_and_stays_pending(cli: Cli, week: dict[str, Planted]) -> None:
    server = SmtpServer(free_port(), auth=True, auth_require_tls=False)
    server.start()
    try:
        smtp_env(cli, server.port, NEWSMON_SMTP__USERNAME=USER, NEWSMON_SMTP__PASSWORD="wrong-one")
        result = cli(*WEEK_ARGS, "--send", "--to", "anna@example.org", expect=1)
        smtp_env(cli, server.port, NEWSMON_SMTP__USERNAME=USER, NEWSMON_SMTP__PASSWORD=PASSWORD)
        fixed = cli(*WEEK_ARGS, "--send", "--to", "anna@example.org").output
    finally:
        server.stop()
    error = (
        f"SMTP login as 'digest' at 127.0.0.1:{server.port} refused (535 5.7.8 Authentication credentials "
        "invalid): check smtp.username and NEWSMON_SMTP__PASSWORD"
    )
    assert result.output.splitlines()[-1] == f"Error: {error}"
    assert "wrong-one" not in result.output
    assert "Traceback" not in result.output
    assert fixed.startswith(f"sent     {TOPIC} 2026-W03 → anna@example.org")
    assert len(server.received) == 1


def test_pending_state_is_listed(cli: Cli, week: dict[str, Planted]) -> None:
    smtp_env(cli, free_port())  # nothing listens there
    result = cli(*WEEK_ARGS, "--send", "--to", "anna@example.org", expect=1)
    assert "not reachable" in result.output.splitlines()[-1]
    (listed,) = json.loads(cli("digest", "list", "--json").output)
    (delivery,) = listed["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
    assert delivery["next_attempt_at"] is not None
    assert "pending  anna@example.org  next attempt" in cli("digest", "show", "1").output


def test_clear_errors(cli: Cli, week: dict[str, Planted]) -> None:
    assert cli(*WEEK_ARGS, "--send", expect=1).output == (
        f"Error: topic {TOPIC}: no recipients (set recipients in the topic profile or use --to)\n"
    )
    assert cli("digest", "--week", "2026-3", expect=1).output == (
        "Error: week '2026-3': expected YYYY-Www, e.g. 2026-W03\n"
    )
    assert (
        cli("digest", "show", "99", expect=1).output
        == "Error: no digest with id 99 (see newsmon digest list)\n"
    )
