"""What the crawl's worker processes do with a fetched page: extract, score and fingerprint it.

Each step is CPU work of milliseconds a page (lxml, trafilatura, htmldate, the language model;
the topic profiles' lemmatiser; shingles and MinHash). In the crawl process they would hold up the
downloads in flight and compete with the store thread for the one interpreter lock, so they run
here, beside it. Scoring here also means a page is scored once: the topic gate decides on these
scores and the store keeps the same ones with the article. Only pages some topic wants (or all,
without profiles) are fingerprinted: the topic gate drops the others before the store.

Everything here is module level and takes picklable arguments: workers import it by name. The
topic profiles are read once per process (they cannot be pickled, and are the same all crawl).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from newsmon.config import DedupSettings
from newsmon.dedup import Fingerprint, fingerprint_text
from newsmon.errors import InputError
from newsmon.extract import Article, RawDocument, extract_article, warm_up_documents
from newsmon.topics import TopicScore, loaded_topics, score_topics

ANY_LENGTH = 1  # the size gate comes after the paywall gate (crawler.pipelines.size)

@dataclass(frozen=True)
class AnalysedPage:
    """A page's clean article, its score for every topic profile (empty without profiles) and
    its dedup fingerprint."""

    article: Article
    topic_scores: dict[str, TopicScore]
    fingerprint: Fingerprint | None  # None: off-topic, not worth fingerprinting


def analyse_page(
    document: RawDocument, tz: ZoneInfo, topics_file: Path | None, dedup: DedupSettings
) -> AnalysedPage:
    """Extract ``document``, score and fingerprint it; InputError when it holds no article."""
    article = extract_article(document, tz, ANY_LENGTH)
    topics = loaded_topics(topics_file)
    scores = score_topics(topics, article.title, article.text, article.language) if topics else {}
    if topics and not any(score.relevant for score in scores.values()):
        return AnalysedPage(article, scores, None)
    return AnalysedPage(article, scores, fingerprint_text(article.text, article.language, dedup))


def warm_up(topics_file: Path | None, dedup: DedupSettings) -> None:
    """Analyse small built-in documents, so that a fresh worker loads its libraries, language
    model, topic profiles and lemmatiser while the crawl starts up, not while its first pages wait."""
    for document in warm_up_documents("warm-up"):
        try:
            analyse_page(document, ZoneInfo("UTC"), topics_file, dedup)
        except InputError:
            pass  # the libraries are loaded either way
