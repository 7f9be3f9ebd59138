"""What `newsmon import`'s worker processes do with a file: read, extract, score and fingerprint it.

Reading and extracting a document takes milliseconds of CPU (trafilatura or the plain-text
cleaner, the date and language detectors), scoring it against the topic profiles a few more, its
dedup fingerprint about one. Only deciding and writing needs the store, and only one process can
write to it at a time: done there, this work would add to every document's turn in that one line.
So an import of several files prepares them in worker processes (``newsmon.workers``) while the
importing process decides and writes the ones prepared before; the results are the same, in the
same order, as preparing them in line.

Everything here is module level and takes picklable arguments: workers import it by name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from newsmon.config import DedupSettings
from newsmon.dedup import Fingerprint, fingerprint_text
from newsmon.errors import InputError
from newsmon.extract import Article, RawDocument, extract_article, warm_up_documents
from newsmon.importer import Unreadable, read_document
from newsmon.topics import TopicScore, loaded_topics, score_topics


@dataclass(frozen=True)
class ImportWork:
    """What preparing a file needs to know: the import's settings."""

    max_bytes: int
    source: str
    tz: ZoneInfo
    min_words: int
    topics_file: Path | None
    dedup: DedupSettings


@dataclass(frozen=True)
class PreparedFile:
    """A file made ready for the store. ``reason``: it could not be read (nothing else is set).
    ``article`` None: it was read but holds no article; the store's path extracts it again
    (after its URL check) and records why."""

    document: RawDocument | None = None
    note: str | None = None  # about its encoding
    reason: str | None = None
    article: Article | None = None
    topic_scores: tuple[TopicScore, ...] | None = None
    fingerprint: Fingerprint | None = None


def prepare_file(item: Path | Unreadable, work: ImportWork) -> PreparedFile:
    """Read, extract, score and fingerprint one file (as the store's path would, in line)."""
    if isinstance(item, Unreadable):
        return PreparedFile(reason=item.reason)
    try:
        document, note = read_document(item, work.max_bytes, work.source)
    except InputError as exc:
        return PreparedFile(reason=str(exc))
    return prepare_document(document, note, work)


def prepare_document(document: RawDocument, note: str | None, work: ImportWork) -> PreparedFile:
    """Extract, score and fingerprint a document that was read."""
    try:
        article = extract_article(document, work.tz, work.min_words)
    except InputError:
        return PreparedFile(document, note)
    topics = loaded_topics(work.topics_file)
    scores = None
    if topics:  # analysing the text costs milliseconds: not for no profile at all
        scores = tuple(score_topics(topics, article.title, article.text, article.language).values())
    fingerprint = fingerprint_text(article.text, article.language, work.dedup)
    return PreparedFile(document, note, None, article, scores, fingerprint)


def warm_up(work: ImportWork) -> None:
    """Prepare small built-in documents, so that the libraries, the language model, the topic
    profiles and the lemmatiser are loaded before the workers are forked from this process (a
    broken topics file fails here, with its one-line error, before anything is read)."""
    loaded_topics(work.topics_file)
    short_enough = replace(work, min_words=1)  # the samples are short, and must go all the way
    for document in warm_up_documents(work.source):
        prepare_document(document, None, short_enough)
