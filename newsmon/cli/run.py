"""`newsmon run` (the daemon) and `newsmon status` (what it did and will do).

Thin calls into ``scheduler``; the daemon runs in the foreground, as containers and service
managers expect, and logs to stderr.
"""

from __future__ import annotations

import logging
import sys

import click

from newsmon.cli.context import AppContext, print_json, print_table


@click.command("run")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one JSON object per line, for log collectors.",
)
@click.option("--health-port", type=int, help="Serve /healthz on 127.0.0.1:PORT (else daemon.health_port).")
@click.option("--standby", is_flag=True, help="When another daemon runs on the database, wait to take over.")
@click.pass_obj
def run(app: AppContext, log_format: str, health_port: int | None, standby: bool) -> None:
    """Run the scheduler in the foreground: crawls, the weekly digest, housekeeping.

    One daemon per database: a second one exits with status 1 (or waits with --standby).
    SIGTERM or Ctrl-C lets the running crawl finish within schedule.grace_seconds.

    Example:

        NEWSMON_SCHEDULE__FEEDS=10m newsmon run --log-format json --health-port 8181
    """
    from scheduler.daemon import Daemon
    from scheduler.logs import setup_logging

    setup_logging(log_format, app.config.log_level)
    # what each run did is the daemon's output: shown unless the config asks for DEBUG
    logging.getLogger("scheduler").setLevel(min(logging.INFO, logging.getLevelName(app.config.log_level)))
    daemon = Daemon(
        app.config,
        config_path=app.loaded.file and str(app.loaded.file),
        log_format=log_format,
        health_port=health_port,
    )
    sys.exit(daemon.run(standby=standby))


def _when(value: object) -> str:
    return "" if value is None else str(value)[:19]


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def status(app: AppContext, as_json: bool) -> None:
    """Show the daemon's jobs (last run, outcome, next run), counts and sources needing attention.

    Times are UTC.

    Example:

        newsmon status --json
    """
    from scheduler.status import daemon_status

    data = daemon_status(app.store, app.config)
    if as_json:
        print_json(data)
        return
    daemon = data["daemon"]
    click.echo(
        "daemon: not running"
        if daemon is None
        else f"daemon: {daemon['holder']} ({'alive' if daemon['alive'] else 'lease expired'}, heartbeat {_when(daemon['heartbeat_at'])})"
    )
    print_table(
        ("job", "last run", "outcome", "next run"),
        [(j["job"], _when(j["last_started"]), j["last_outcome"], _when(j["next_run"])) for j in data["jobs"]],
        title="jobs (UTC)",
    )
    counts = data["counts"]
    click.echo(
        f"articles: {counts['articles']} ({counts['articles_last_day']} in the last day); "
        f"runs in the last day: {counts['runs_last_day']}"
    )
    if data["sources"]:
        print_table(
            ("source", "failures", "unhealthy", "silent", "next attempt", "last outcome"),
            [
                (
                    s["name"],
                    s["failures"],
                    "yes" if s["unhealthy"] else "",
                    "yes" if s["silent"] else "",
                    _when(s["next_attempt_at"]),
                    s["last_outcome"],
                )
                for s in data["sources"]
            ],
            title="sources needing attention",
        )


COMMANDS = [run, status]
