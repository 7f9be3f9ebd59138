"""`newsmon digest [list|show]`: render, mail and look up the weekly digests (see reports/)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from newsmon.cli.context import AppContext, print_json, print_table
from newsmon.cli.topics import topics_option
from newsmon.topics import TopicProfile, find_topic, load_topics
from reports import (
    DeliveryOutcome,
    IsoWeek,
    deliver_due,
    digest_detail,
    digest_settings,
    export_files,
    list_digests,
    queue,
    render_week,
)
from reports.archive import delivery_states
from reports.errors import DigestError
from reports.smtp import SmtpTransport


def _profiles(topics_file: Path | None, topic: str | None) -> list[TopicProfile]:
    profiles = load_topics(topics_file)
    return [find_topic(profiles, topic)] if topic else list(profiles)


def _outcome_line(outcome: DeliveryOutcome) -> str:
    where = f"{outcome.topic} {outcome.iso_week} → {outcome.recipient}"
    if outcome.status == "sent":
        return f"sent     {where}  {outcome.message_id}"
    if outcome.status == "busy":
        return f"busy     {where}  (another run is sending it)"
    return f"{outcome.status:<8} {where}  {outcome.error}"


@click.group("digest", invoke_without_command=True)
@click.option("--topic", help="Only this topic (default: every topic).")
@click.option("--week", help="ISO week, e.g. 2026-W03 (default: the last complete week).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write HTML, text and chart here (default without --send: <home>/digests).",
)
@click.option("--send", is_flag=True, help="Mail the digest to the topic's recipients (each exactly once).")
@click.option("--to", "to", multiple=True, help="Mail to this address instead of the topic's recipients.")
@click.option("--lang", type=click.Choice(["de", "en"]), help="Language (default: digest.language).")
@topics_option
@click.pass_context
def digest(
    ctx: click.Context,
    topic: str | None,
    week: str | None,
    out: Path | None,
    send: bool,
    to: tuple[str, ...],
    lang: str | None,
    topics_file: Path | None,
) -> None:
    """Render the weekly digest of each topic; write it to files, or mail it with --send.

    Every rendering is archived (`newsmon digest list`). Once mailed, a digest is frozen: later
    runs reuse it, and each (topic, week, recipient) is mailed exactly once; a delivery that
    failed is retried by the next --send (or by the daemon after its back-off).

    Example:

        newsmon digest --topic ki-wettlauf-usa-china --week 2026-W03 --send --to me@example.org
    """
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    config = app.config
    now = datetime.now(UTC)
    settings = digest_settings(config)
    chosen_week = IsoWeek.parse(week) if week else IsoWeek.last_complete(now, config.tz)
    queued: list[int] = []
    for profile in _profiles(topics_file, topic):
        archived, reused = render_week(app.store, config, settings, profile, chosen_week, now, lang)
        note = (
            f"  (archived #{archived.id}, mailed before: unchanged)"
            if reused
            else f"  (archived #{archived.id})"
        )
        if out is not None or not send:
            path = export_files(archived, out or config.home / "digests")
            click.echo(f"{archived.subject}\n  {path}{note}")
        if send:
            recipients = to or profile.recipients
            if not recipients:
                raise DigestError(
                    f"topic {profile.name}: no recipients (set recipients in the topic profile or use --to)"
                )
            ids = queue(app.store, config, settings, archived, recipients)
            if not ids:
                click.echo(
                    f"{profile.name} {chosen_week}: no stories, nothing mailed (digest.empty_week = skip)"
                )
            queued.extend(ids)
    if send and queued:
        _deliver(app, queued, now)


def _deliver(app: AppContext, delivery_ids: list[int], now: datetime) -> None:
    config = app.config
    outcomes = deliver_due(
        app.store,
        config.smtp,
        SmtpTransport(config.smtp),
        now,
        list_id_template=digest_settings(config).list_id,
        force=True,
        delivery_ids=delivery_ids,
    )
    for outcome in outcomes:
        click.echo(_outcome_line(outcome))
    attempted = {(outcome.topic, outcome.iso_week, outcome.recipient) for outcome in outcomes}
    with app.store.session() as session:
        states = delivery_states(session, delivery_ids, config.tz)
    for state in states:
        if (state["topic"], state["iso_week"], state["recipient"]) not in attempted:
            when = f"sent {state['sent_at']}" if state["status"] == "sent" else state["status"]
            click.echo(f"already  {state['topic']} {state['iso_week']} → {state['recipient']}  ({when})")
    errors = [outcome.error for outcome in outcomes if outcome.error]
    if errors:
        raise DigestError(errors[0])


@digest.command("list")
@click.option("--topic", help="Only this topic.")
@click.option(
    "--json", "as_json", is_flag=True, help="JSON array of digests with their deliveries (see README)."
)
@click.pass_obj
def list_command(app: AppContext, topic: str | None, as_json: bool) -> None:
    """Archived digests, newest week first, with their delivery state.

    Example:

        newsmon digest list --json
    """
    with app.store.session() as session:
        rows = list_digests(session, app.config.tz, topic)
    if as_json:
        print_json(rows)
        return
    print_table(
        ("id", "week", "topic", "stories", "lang", "sent", "pending", "failed"),
        [
            (
                row["id"],
                row["iso_week"],
                row["topic"],
                row["stories"],
                row["language"],
                *(
                    sum(d["status"] in statuses for d in row["deliveries"])
                    for statuses in (("sent",), ("pending", "sending"), ("failed",))
                ),
            )
            for row in rows
        ],
    )


@digest.command("show")
@click.argument("digest_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="JSON object with text, HTML, metadata and deliveries.")
@click.pass_obj
def show_command(app: AppContext, digest_id: int, as_json: bool) -> None:
    """One archived digest: its plain-text part and where it was mailed (--json: everything).

    Example:

        newsmon digest show 3
    """
    with app.store.session() as session:
        detail = digest_detail(session, digest_id, app.config.tz)
    if detail is None:
        raise DigestError(f"no digest with id {digest_id} (see newsmon digest list)")
    if as_json:
        print_json(detail)
        return
    click.echo(f"#{detail['id']} {detail['topic']} {detail['iso_week']}: {detail['subject']}")
    for delivery in detail["deliveries"]:
        when = delivery["sent_at"] or f"next attempt {delivery['next_attempt_at'] or 'now'}"
        error = (
            f"  {delivery['last_error']}" if delivery["last_error"] and delivery["status"] != "sent" else ""
        )
        click.echo(f"  {delivery['status']:<8} {delivery['recipient']}  {when}{error}")
    click.echo("")
    click.echo(detail["text"], nl=False)


COMMANDS = [digest]
