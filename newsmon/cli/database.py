"""`newsmon db upgrade|reindex` and `newsmon stats`."""

from __future__ import annotations

import click

from newsmon.cli.context import AppContext, print_json, print_table
from newsmon.reindex import reindex_fingerprints
from newsmon.store import db
from newsmon.store.queries import stats


@click.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@click.pass_obj
def upgrade_command(app: AppContext) -> None:
    """Bring the schema to the newest revision (every command also does this on start).

    Example:

        NEWSMON_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test newsmon db upgrade
    """
    engine = db.create_store_engine(app.config.store_url)
    try:
        before, after = db.upgrade(engine)
    finally:
        engine.dispose()
    url = engine.url.render_as_string(hide_password=True)
    click.echo(f"{url}: schema at {after}" + ("" if before == after else f" (was {before or 'empty'})"))


@db_group.command("reindex")
@click.pass_obj
def reindex_command(app: AppContext) -> None:
    """Recompute every article's near-duplicate and story keys under the current [dedup] settings.

    Run it after changing shingle_words, num_perm or bands: keys computed with other settings
    never match, so copies of older articles would go unnoticed.

    Example:

        NEWSMON_DEDUP__NUM_PERM=90 NEWSMON_DEDUP__BANDS=30 newsmon db reindex
    """
    with app.store.engine.begin() as connection:
        count = reindex_fingerprints(connection, app.config.dedup)
    click.echo(f"reindexed {count} articles")


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as a JSON object.")
@click.pass_obj
def stats_command(app: AppContext, as_json: bool) -> None:
    """Counts of articles, stories, URLs, duplicates per layer and fetch outcomes."""
    with app.store.session() as session:
        counts = stats(session)
    if as_json:
        print_json(counts)
        return
    rows = [(key, value) for key, value in counts.items() if not isinstance(value, dict)]
    rows += [(f"duplicates ({layer})", n) for layer, n in counts["duplicates_by_layer"].items()]
    rows += [(f"fetch log: {outcome}", n) for outcome, n in counts["fetch_outcomes"].items()]
    print_table(("what", "count"), rows)


COMMANDS = [db_group, stats_command]
