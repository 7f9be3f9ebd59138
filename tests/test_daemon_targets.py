"""What the daemon's crawl jobs ask for: the same targets `newsmon crawl` builds, from the
configured sources and topic profiles (not the shipped ones)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from newsmon.config import Config
from newsmon.sources import load_sources
from newsmon.store.db import Store
from scheduler.child import ChildLimits, ChildRunner
from scheduler.jobs import JobContext, _targets
from scheduler.lock import utcnow
from scheduler.settings import ScheduleSettings

SHIPPED_TOPICS = Path(__file__).resolve().parents[1] / "seeds" / "topics.toml"
TEMPLATE = "https://suche.newsmon.test/rss?q={query}"


def test_search_jobs_ask_the_configured_topic_profiles_queries(
    store: Store, config: Config, tmp_path: Path
) -> None:
    topics = SHIPPED_TOPICS.read_text(encoding="utf-8")
    german_queries = next(line for line in topics.splitlines() if line.startswith("de = ["))
    topics_file = tmp_path / "topics.toml"
    own_queries = 'de = ["Eigene Anfrage", "Zweite Anfrage"]'
    topics_file.write_text(topics.replace(german_queries, own_queries), "utf-8")
    sources_file = tmp_path / "sources.toml"
    sources_file.write_text(
        f'[[source]]\nname = "suche"\noutlet = "Suche"\nkind = "search"\nurl_template = "{TEMPLATE}"\n'
        '\n[[source]]\nname = "feed"\noutlet = "Beispiel"\nkind = "feed"\n'
        'url = "https://beispiel.newsmon.test/rss.xml"\n'
        f'\n[[source]]\nname = "recherche"\noutlet = "Recherche"\nkind = "search"\nlanguage = "fr"\n'
        f'url_template = "{TEMPLATE}"\n',
        "utf-8",
    )
    assert [spec.name for spec in load_sources(sources_file)] == ["suche", "feed", "recherche"]
    configured = config.model_copy(update={"topics_file": topics_file, "sources_file": sources_file})
    schedule = ScheduleSettings()
    context = JobContext(configured, store, schedule, ChildRunner(ChildLimits(60, 1024, 5), "text", None))

    search, unasked = _targets(context, "search", utcnow())
    assert unasked == ["recherche"]  # the profiles ask nothing in French: reported, not crawled
    assert [(t["name"], t["kind"], t["url"]) for t in search] == [
        ("suche", "search", TEMPLATE.replace("{query}", quote(query, safe="")))
        for query in ("Eigene Anfrage", "Zweite Anfrage")
    ]
    feeds, unasked = _targets(context, "feed", utcnow())
    assert unasked == []
    assert [(t["name"], t["url"]) for t in feeds] == [("feed", "https://beispiel.newsmon.test/rss.xml")]
