"""Benchmark of the deduplication + store path (``Ingestor.ingest``).

A store is bulk-filled with N synthetic German-like articles (real fingerprints, rows written
straight into the tables the Ingestor writes), then a stream of further articles (default 10k)
goes through the real path ``Ingestor.ingest(RawDocument, article=CleanArticle)``. Among the
stream are planted near duplicates (~1k) and exact duplicates (~500) of stored articles, each
with the id of its original, so recall and false merges can be counted.

Side by side in the same run, interleaved block by block because the machine is noisy:

- ``fingerprint``: a bare loop over ``fingerprint_text`` on the same articles (no database);
- ``store≈0``: the real path on a fresh store holding only the originals of the planted copies;
- ``store N``: the real path on the filled store.

Run from the checkout::

    .venv/bin/python bench/dedup.py                       # quick: --sizes 20000, SQLite
    .venv/bin/python bench/dedup.py --sizes 100000 1000000
    .venv/bin/python bench/dedup.py --sizes 20000 --postgres
    .venv/bin/python bench/dedup.py --sizes 20000 --profile 2000

Filled SQLite stores are cached in ``bench/out/cache`` (keyed by size, fill lengths, generator
version, schema revision, dedup settings and a probe of the fingerprints the core computes) and
copied before each run; ``--refill`` rebuilds them. See ``bench/README.md``. Results:
a table on stdout and ``bench/out/dedup-<size>-<dialect>.json``. Nothing here opens a network
connection except to the PostgreSQL server on 127.0.0.1 (only with ``--postgres``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import math
import multiprocessing
import os
import platform
import pstats
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# the checkout: bench/.. when run from it, else the working directory
ROOT = next(
    (p for p in (Path(__file__).resolve().parents[1], Path.cwd()) if (p / "newsmon" / "ingest.py").is_file()),
    Path.cwd(),
)
if str(ROOT) not in sys.path:  # run as `python bench/dedup.py` from anywhere
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from newsmon.config import Config, DedupSettings, load_config  # noqa: E402
from newsmon.dates import FoundDate  # noqa: E402
from newsmon.dedup import fingerprint_text  # noqa: E402
from newsmon.extract import Article as CleanArticle  # noqa: E402
from newsmon.extract import RawDocument, extract_article  # noqa: E402
from newsmon.fingerprints import signature_bytes  # noqa: E402
from newsmon.ingest import Ingestor, IngestResult  # noqa: E402
from newsmon.store.db import Store, head_revision, open_store  # noqa: E402
from newsmon.store.models import Article, ArticleUrl, FetchLog, LshBand, Source, Story, StoryTerm  # noqa: E402
from newsmon.stories import index_terms, story_term_rows  # noqa: E402
from newsmon.urls import canonical_url  # noqa: E402
from newsmon.workers import WorkerPool  # noqa: E402

OUT = ROOT / "bench" / "out"  # gitignored; --out overrides
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_DATABASES = ("newsmon_bench", "newsmon_bench_0")

#: Bump when the generated text changes: cached stores are keyed by it.
GENERATOR_VERSION = 1
SEED = 20_261_123
TZ = ZoneInfo("Europe/Berlin")
DATE_START = datetime(2024, 1, 1, tzinfo=UTC)
DATE_SPAN_MINUTES = 730 * 24 * 60  # two years
FILL_WORDS = (150, 300)
STREAM_WORDS = (150, 600)
FILL_SOURCE = "bench-fill"
STREAM_SOURCE = "bench"
# The stream's own articles are numbered far above any fill index, so they never coincide.
STREAM_BASE = 1_000_000_000
FINGERPRINTS_AHEAD = 32  # with --fingerprint-workers: fingerprints made ahead of the store


# =============================================================================================
# Text generator: German-like articles, deterministic per (seed, index)
# =============================================================================================

# Frequent German function words, roughly by frequency (Zipf-sampled by this order).
FUNCTION_WORDS = """
der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an
werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war
haben nur oder aber vor zur bis mehr durch man sein wurde sei hatte kann gegen vom können schon
wenn habe seine ihre dann unter wir soll ich eines es jahr zwei jahren diese dieser wieder keine
seiner worden will zwischen immer was sagte gibt alle diesem seit muss doch jetzt ihr seinen
ihrer ihren ihrem weil sollen dabei damit beim bereits da denn allem also sondern diesen wo sehr
ganz etwa nun wurden waren sowie selbst ob heute hier gut müssen nichts viele weiter ohne etwas
uns andere anderen kein keinen unsere unserer während dort neue neuen ersten erste beiden drei
hatten habe könnte sollte würde wäre wären hätte hätten mich mir dich dir euch ihm ihn ihnen
jede jeder jedes jedoch zudem außerdem trotz wegen laut rund knapp fast kaum eben eher
bisher zunächst später inzwischen derzeit zuletzt bald gleich schließlich allerdings offenbar
deshalb daher darum trotzdem dennoch sogar bislang zugleich ebenfalls nämlich freilich weder
noch sowohl entweder je desto sobald solange obwohl falls damit indem nachdem bevor seitdem
""".split()

# Syllables for pseudo-words: names, places and compounds that no dictionary knows.
ONSETS = (
    "b br d dr f fl fr g gl gr h k kl kr l m n p pf pl r s sch schl schm schn schr schw sp st str t tr w z zw"
).split() + [""]
NUCLEI = "a e i o u ä ö ü ei au eu ie a e i o e".split()
CODAS = [""] * 4 + "n r l s t ch ck ng nd nk rt st tz m ld ff ss rn lt".split()
NAME_ENDINGS = [""] * 6 + "er mann burg berg dorf feld hausen ing ert ner hof stein bach wald ow itz".split()
COMPOUND_ENDINGS = "ung heit keit schaft werk plan gesetz amt verband politik markt netz".split()
FIRST_NAMES = """Anna Lena Maria Julia Sarah Laura Katrin Sabine Petra Claudia Eva Miriam Nina Jana Lea
Thomas Michael Andreas Stefan Peter Markus Jan Tobias Felix Jonas Lukas David Martin Frank Uwe Jörg
Karin Ulrike Birgit Heike Anke Silke Ralf Dirk Sven Holger Timo Nils Paul Emil Clara Greta Ida""".split()
OUTLETS = """Tagesblatt Rundschau Kurier Anzeiger Morgenpost Zeitung Nachrichten Allgemeine Echo Bote
Presse Post Stimme Journal Volksblatt Landeszeitung Abendblatt Wochenspiegel""".split()

CONTENT_VOCABULARY = 50_000  # real German words (wordfreq), sampled by their real frequency
PSEUDO_VOCABULARY = 100_000
TOPICS = 300
TOPIC_WORDS = 40
TOPIC_NAMES = 300

# Share of tokens by kind: function word, content word, topic word, name, rare pseudo-word, number.
TOKEN_KINDS = ("function", "content", "topic", "name", "pseudo", "number")
TOKEN_SHARES = (0.44, 0.41, 0.06, 0.05, 0.01, 0.03)


def _zipf_cumulative(count: int, exponent: float = 1.0, offset: float = 2.7) -> list[float]:
    total = 0.0
    cumulative = []
    for rank in range(count):
        total += 1.0 / (rank + offset) ** exponent
        cumulative.append(total)
    return cumulative


def _accumulate(weights: Iterable[float]) -> list[float]:
    total = 0.0
    cumulative = []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def _pseudo_word(rng: random.Random, endings: Sequence[str]) -> str:
    syllables = rng.choice((2, 2, 2, 3, 3, 4))
    word = "".join(rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS) for _ in range(syllables))
    return (word + rng.choice(endings)).capitalize()


@dataclass(frozen=True)
class Vocabulary:
    function_words: list[str]
    function_cumulative: list[float]
    content_words: list[str]  # display form: some capitalised as nouns
    content_cumulative: list[float]
    pseudo_words: list[str]
    topic_words: list[list[str]]
    topic_names: list[list[str]]
    topic_cumulative: list[float]
    name_cumulative: list[float]


@cache
def vocabulary() -> Vocabulary:
    """Built once per process (about a second); deterministic for a given wordfreq version."""
    from wordfreq import get_frequency_dict, top_n_list

    rng = random.Random(SEED)
    function_set = set(FUNCTION_WORDS)
    frequencies = get_frequency_dict("de", wordlist="best")
    content: list[str] = []
    for word in top_n_list("de", 120_000):
        if word.isalpha() and len(word) >= 3 and word not in function_set:
            content.append(word)
            if len(content) == CONTENT_VOCABULARY:
                break
    # German capitalises nouns; which words count as nouns is a fixed property of the word
    display = [w.capitalize() if zlib.crc32(w.encode()) % 10 < 4 else w for w in content]
    pseudo: set[str] = set()
    while len(pseudo) < PSEUDO_VOCABULARY:
        endings = NAME_ENDINGS if rng.random() < 0.7 else COMPOUND_ENDINGS
        word = _pseudo_word(rng, endings)
        if word.lower() not in frequencies and len(word) >= 5:
            pseudo.add(word)
    pseudo_words = sorted(pseudo)
    rng.shuffle(pseudo_words)
    mid = display[1000:30_000]
    return Vocabulary(
        function_words=FUNCTION_WORDS,
        function_cumulative=_zipf_cumulative(len(FUNCTION_WORDS), 1.0, 1.5),
        content_words=display,
        content_cumulative=_accumulate(frequencies.get(w, 1e-9) for w in content),
        pseudo_words=pseudo_words,
        topic_words=[rng.sample(mid, TOPIC_WORDS) for _ in range(TOPICS)],
        topic_names=[rng.sample(pseudo_words, TOPIC_NAMES) for _ in range(TOPICS)],
        topic_cumulative=_zipf_cumulative(TOPICS, 0.8, 5),
        name_cumulative=_zipf_cumulative(TOPIC_NAMES, 1.1, 1.0),
    )


@dataclass(frozen=True)
class GeneratedArticle:
    index: int
    url: str
    title: str
    paragraphs: list[str]
    published: datetime  # aware, Europe/Berlin, minute precision
    authors: list[str]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _number(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5:
        return str(rng.randint(2, 99))
    if roll < 0.75:
        return f"{rng.randint(1, 99)},{rng.randint(1, 9)}"
    if roll < 0.9:
        return f"{rng.randint(1, 9)}.{rng.randint(0, 999):03d}"
    return str(rng.randint(100, 999))


class _Tokens:
    """Draws the tokens of one article in bulk (one ``choices`` call per kind)."""

    def __init__(self, rng: random.Random, vocab: Vocabulary, count: int) -> None:
        topic = rng.choices(range(TOPICS), cum_weights=vocab.topic_cumulative)[0]
        names = rng.choices(vocab.topic_names[topic], cum_weights=vocab.name_cumulative, k=rng.randint(3, 7))
        kinds = rng.choices(range(len(TOKEN_KINDS)), weights=TOKEN_SHARES, k=count)
        counts = Counter(kinds)
        self.kinds = kinds
        self.names = names
        self.topic = topic
        self.pools: list[Iterator[str]] = [
            iter(rng.choices(vocab.function_words, cum_weights=vocab.function_cumulative, k=counts[0])),
            iter(rng.choices(vocab.content_words, cum_weights=vocab.content_cumulative, k=counts[1])),
            iter(rng.choices(vocab.topic_words[topic], k=counts[2])),
            iter(rng.choices(names, k=counts[3])),
            iter(rng.choices(vocab.pseudo_words, k=counts[4])),
            iter([_number(rng) for _ in range(counts[5])]),
        ]

    def __iter__(self) -> Iterator[str]:
        for kind in self.kinds:
            yield next(self.pools[kind])


def _sentences(rng: random.Random, tokens: list[str]) -> list[str]:
    """Cut a token list into sentences of 8-25 words with capitals, commas, quotes and dashes."""
    sentences = []
    position = 0
    while position < len(tokens):
        length = rng.randint(8, 25)
        if len(tokens) - position - length < 8:
            length = len(tokens) - position
        words = tokens[position : position + length]
        position += length
        out = []
        quote_at = rng.randrange(len(words)) if rng.random() < 0.12 else -1
        quote_len = rng.randint(2, 6)
        for i, word in enumerate(words):
            if i == quote_at:
                word = "\u201e" + word
            if i == min(quote_at + quote_len, len(words) - 1) and quote_at >= 0:
                word += "\u201c"
            if 0 < i < len(words) - 2:
                roll = rng.random()
                if roll < 0.06:
                    word += ","
                elif roll < 0.075:
                    word += " \u2013"
            out.append(word)
        out[0] = out[0][:1].upper() + out[0][1:]
        end = rng.random()
        out[-1] += "." if end < 0.9 else ("?" if end < 0.96 else "!")
        sentences.append(" ".join(out))
    return sentences


def _paragraphs(rng: random.Random, sentences: list[str]) -> list[str]:
    paragraphs = []
    position = 0
    while position < len(sentences):
        count = rng.randint(2, 5)
        paragraphs.append(" ".join(sentences[position : position + count]))
        position += count
    return paragraphs


def _title(rng: random.Random, tokens: _Tokens, vocab: Vocabulary) -> str:
    words = rng.choices(vocab.content_words[:8000], k=rng.randint(3, 7))
    words.insert(rng.randrange(len(words) + 1), tokens.names[0])
    words.insert(rng.randrange(len(words) + 1), rng.choice(vocab.topic_words[tokens.topic]))
    if rng.random() < 0.4:
        words.insert(1, rng.choice(vocab.function_words[:30]))
    title = " ".join(words)
    return (
        title[:1].upper()
        + title[1:]
        + (":" + " " + rng.choice(vocab.content_words[:3000]) if rng.random() < 0.2 else "")
    )


def generate_article(index: int, words: tuple[int, int]) -> GeneratedArticle:
    """Article number ``index`` (same index, same article, in every process and run)."""
    vocab = vocabulary()
    rng = random.Random(SEED * 7_919 + index)
    count = rng.randint(*words)
    tokens = _Tokens(rng, vocab, count)
    sentences = _sentences(rng, list(tokens))
    minutes = rng.randrange(DATE_SPAN_MINUTES)
    published = (DATE_START + timedelta(minutes=minutes)).astimezone(TZ)
    authors = [
        f"{rng.choice(FIRST_NAMES)} {rng.choice(vocab.pseudo_words)}" for _ in range(rng.choice((1, 1, 1, 2)))
    ]
    slug = "-".join(w.lower() for w in rng.choices(vocab.content_words[:5000], k=4))
    return GeneratedArticle(
        index=index,
        url=f"https://bench{index}.example/{rng.choice(('politik', 'wirtschaft', 'kultur', 'region', 'wissen'))}/{slug}-{index}.html",
        title=_title(rng, tokens, vocab),
        paragraphs=_paragraphs(rng, sentences),
        published=published,
        authors=authors,
    )


def random_text(rng: random.Random, count: int) -> list[str]:
    """Sentences of fresh text (the header and footer of wrapped copies)."""
    return _sentences(rng, list(_Tokens(rng, vocabulary(), count)))


def plain_text_form(title: str, published: datetime, authors: list[str], paragraphs: Sequence[str]) -> str:
    """How the article would look pasted as plain text: title, date line, author line, body."""
    byline = "Von " + " und ".join(authors)
    return "\n\n".join([title, f"{published:%d.%m.%Y %H:%M}", byline, *paragraphs]) + "\n"


def clean_article(
    generated: GeneratedArticle, paragraphs: Sequence[str] | None = None, url: str | None = None
) -> CleanArticle:
    paragraphs = generated.paragraphs if paragraphs is None else paragraphs
    return CleanArticle(
        url=url or generated.url,
        title=generated.title,
        text="\n\n".join(paragraphs),
        language="de",
        published=FoundDate(generated.published, "minute", "text-header"),
        authors=list(generated.authors),
        title_origin="first-line",
    )


# =============================================================================================
# Planted duplicates
# =============================================================================================

# ten variants: each transform alone and every pair of two
NEAR_KINDS = (
    ("truncate",),
    ("wrap",),
    ("typography",),
    ("replace",),
    ("truncate", "wrap"),
    ("truncate", "replace"),
    ("truncate", "typography"),
    ("wrap", "replace"),
    ("wrap", "typography"),
    ("replace", "typography"),
)


def _truncate(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """Keep the first 80-95 % of the words; the cut ends in an ellipsis."""
    total = sum(len(p.split()) for p in paragraphs)
    keep = round(total * rng.uniform(0.80, 0.95))
    out = []
    for paragraph in paragraphs:
        words = paragraph.split()
        if keep <= 0:
            break
        if len(words) > keep:
            out.append(" ".join(words[:keep]).rstrip(",\u2013 ") + " \u2026")
        else:
            out.append(paragraph)
        keep -= len(words)
    return out


def _wrap(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """A different header and footer paragraph (as a syndicating site adds them)."""
    outlet = f"{rng.choice(OUTLETS)} {rng.choice(vocabulary().pseudo_words)}"
    header = f"Dieser Beitrag erschien zuerst bei {outlet}. " + " ".join(
        random_text(rng, rng.randint(12, 30))
    )
    footer = " ".join(random_text(rng, rng.randint(12, 30))) + f" Quelle: {outlet}."
    return [header, *paragraphs, footer]


def _typography(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """Quotes, dashes, spaces, soft hyphens and line breaks as another CMS would print them."""
    swap = {"\u201e": '"', "\u201c": '"', "\u2013": "-", "\u2026": "..."}
    out = []
    for paragraph in paragraphs:
        paragraph = "".join(swap.get(ch, ch) for ch in paragraph)
        paragraph = paragraph.replace(". ", ".  ") if rng.random() < 0.5 else paragraph
        words = paragraph.split(" ")
        for i, word in enumerate(words):
            if len(word) > 9 and rng.random() < 0.1:
                words[i] = word[:4] + "\u00ad" + word[4:]  # soft hyphen
            elif word[:1].isdigit() and rng.random() < 0.5 and i > 0:
                words[i - 1] += "\u00a0"  # no-break space before a number
        paragraph = " ".join(words).replace("\u00a0 ", "\u00a0")
        if rng.random() < 0.5:  # hard-wrapped at ~72 columns
            lines, line = [], ""
            for word in paragraph.split(" "):
                if line and len(line) + len(word) > 72:
                    lines.append(line)
                    line = word
                else:
                    line = f"{line} {word}" if line else word
            paragraph = "\n".join([*lines, line])
        out.append(paragraph)
    joiner = rng.choice(("\n\n", "\n", "\r\n\r\n", "\n \n"))
    return [joiner.join(out)]


def _replace(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """Replace 0.5-2 % of the words (at least one) by other words, keeping punctuation."""
    vocab = vocabulary()
    split = [p.split(" ") for p in paragraphs]
    positions = [(i, j) for i, words in enumerate(split) for j in range(len(words))]
    count = max(1, round(len(positions) * rng.uniform(0.005, 0.02)))
    for i, j in rng.sample(positions, count):
        word = split[i][j]
        core = word.rstrip(".,?!:\u201c\u2026")
        split[i][j] = rng.choice(vocab.content_words) + word[len(core) :]
    return [" ".join(words) for words in split]


_TRANSFORMS = {"truncate": _truncate, "wrap": _wrap, "typography": _typography, "replace": _replace}


def near_copy(rng: random.Random, paragraphs: list[str], kind: Sequence[str]) -> list[str]:
    # typography last: it joins the paragraphs into one block
    for name in sorted(kind, key=lambda t: t == "typography"):
        paragraphs = _TRANSFORMS[name](rng, paragraphs)
    return paragraphs


@dataclass(frozen=True)
class StreamItem:
    document: RawDocument
    article: CleanArticle
    kind: str  # unique | exact | near
    variant: str | None  # the near transform(s), e.g. "truncate+wrap"
    original: int | None  # fill index of the original (its id is index + 1 in store N)


def build_stream(
    size: int, count: int, near: int, exact: int, seed: int
) -> tuple[list[StreamItem], list[int]]:
    """The articles that go through the real path, and the fill indices of the planted originals."""
    rng = random.Random(seed)
    originals = rng.sample(range(size), near + exact)
    items: list[StreamItem] = []
    for slot, index in enumerate(originals):
        original = generate_article(index, FILL_WORDS)
        copy_rng = random.Random(seed * 31 + slot)
        url = f"https://bench{STREAM_BASE + count + slot}.example/kopie/{index}-{slot}.html"
        published = original.published + timedelta(minutes=copy_rng.randrange(0, 36 * 60))
        if slot < near:
            kind = NEAR_KINDS[slot % len(NEAR_KINDS)]
            paragraphs = near_copy(copy_rng, list(original.paragraphs), kind)
            variant = "+".join(kind)
            title = (
                original.title
                if copy_rng.random() < 0.5
                else f"{original.title} | {copy_rng.choice(OUTLETS)}"
            )
        else:
            paragraphs, variant, title = list(original.paragraphs), None, original.title
        article = CleanArticle(
            url=url,
            title=title,
            text="\n\n".join(paragraphs),
            language="de",
            published=FoundDate(published, "minute", "text-header"),
            authors=list(original.authors),
            title_origin="first-line",
        )
        content = plain_text_form(title, published, original.authors, paragraphs)
        items.append(
            StreamItem(
                RawDocument(url, content, "text", STREAM_SOURCE),
                article,
                "near" if slot < near else "exact",
                variant,
                index,
            )
        )
    for i in range(count - near - exact):
        generated = generate_article(STREAM_BASE + i, STREAM_WORDS)
        content = plain_text_form(
            generated.title, generated.published, generated.authors, generated.paragraphs
        )
        items.append(
            StreamItem(
                RawDocument(generated.url, content, "text", STREAM_SOURCE),
                clean_article(generated),
                "unique",
                None,
                None,
            )
        )
    rng.shuffle(items)
    return items, originals


# =============================================================================================
# Bulk fill
# =============================================================================================


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


_worker_settings: DedupSettings | None = None


def _init_worker(settings: DedupSettings) -> None:
    global _worker_settings
    _worker_settings = settings
    vocabulary()


def _fingerprinted(indices: Sequence[int]) -> list[tuple[Any, ...]]:
    """Generate and fingerprint fill articles (runs in the worker processes)."""
    settings = _worker_settings
    assert settings is not None
    out = []
    for index in indices:
        generated = generate_article(index, FILL_WORDS)
        body = generated.text
        fp = fingerprint_text(body, "de", settings)
        published = _naive_utc(generated.published)
        out.append(
            (
                index,
                generated.url,
                canonical_url(generated.url),
                generated.title,
                body,
                published,
                generated.authors,
                fp.content_hash,
                fp.word_count,
                fp.shingles.size,
                signature_bytes(fp.signature),
                fp.terms,
                sorted(set(fp.band_keys)),
            )
        )
    return out


def _rows(
    batch: list[tuple[Any, ...]], ids: dict[int, int], source_id: int
) -> dict[str, list[dict[str, Any]]]:
    """The rows the Ingestor would have written for these articles (each its own story)."""
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("stories", "articles", "urls", "bands", "terms", "log")
    }
    for (
        index,
        url,
        canonical,
        title,
        body,
        published,
        authors,
        digest,
        words,
        shingles,
        minhash,
        terms,
        bands,
    ) in batch:
        article_id = ids[index]
        fetched = published + timedelta(minutes=5 + index % 115)
        rows["stories"].append(
            {
                "id": article_id,
                "title": title,
                "first_published": published,
                "last_published": published,
                "article_count": 1,
                "created_at": fetched,
            }
        )
        rows["articles"].append(
            {
                "id": article_id,
                "canonical_url": canonical,
                "url": url,
                "source_id": source_id,
                "title": title,
                "title_origin": "first-line",
                "text": body,
                "language": "de",
                "published_at": published,
                "date_precision": "minute",
                "date_origin": "text-header",
                "authors": authors,
                "fetched_at": fetched,
                "content_hash": digest,
                "word_count": words,
                "shingle_count": shingles,
                "minhash": minhash,
                "story_terms": terms,
                "story_id": article_id,
                "story_similarity": None,
                "topic_scores": None,
            }
        )
        rows["urls"].append(
            {
                "article_id": article_id,
                "url": url,
                "canonical_url": canonical,
                "source_id": source_id,
                "layer": None,
                "similarity": None,
                "title": title,
                "seen_at": fetched,
            }
        )
        rows["bands"] += [{"band_key": key, "article_id": article_id} for key in bands]
        rows["terms"] += story_term_rows(article_id, index_terms(terms), published)
        rows["log"].append(
            {
                "url": url,
                "canonical_url": canonical,
                "source_id": source_id,
                "outcome": "stored",
                "reason": None,
                "status_code": None,
                "article_id": article_id,
                "at": fetched,
            }
        )
    return rows


_TABLES: tuple[tuple[str, type[Any]], ...] = (
    ("stories", Story),
    ("articles", Article),
    ("urls", ArticleUrl),
    ("bands", LshBand),
    ("terms", StoryTerm),
    ("log", FetchLog),
)


def _fill_engine(url: str) -> Engine:
    """An engine for bulk writing: on SQLite no journal, no fsync, a large cache, no FK checks."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        def pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            for pragma in (
                "journal_mode=OFF",
                "synchronous=OFF",
                "foreign_keys=OFF",
                "cache_size=-2000000",
                "temp_store=MEMORY",
                "locking_mode=EXCLUSIVE",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        event.listen(engine, "connect", pragmas)
    return engine


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk_fill(
    url: str, indices: Sequence[int], settings: DedupSettings, workers: int, progress: bool
) -> dict[str, Any]:
    """Write fill articles ``indices`` (ids 1..len in order) with real fingerprints into a migrated store."""
    started = time.perf_counter()
    store = open_store(url)
    store.close()
    engine = _fill_engine(url)
    ids = {index: position + 1 for position, index in enumerate(indices)}
    with engine.begin() as connection:
        source_id = connection.execute(
            insert(Source)
            .values(name=FILL_SOURCE, kind="feed", enabled=True, created_at=datetime(2024, 1, 1))
            .returning(Source.id)
        ).scalar_one()
    chunk = 500
    per_transaction = 50_000
    done = 0
    last_report = time.perf_counter()
    insert_seconds = 0.0
    vocabulary()  # before forking, so the workers inherit it
    context = multiprocessing.get_context("fork")
    pool = context.Pool(workers, initializer=_init_worker, initargs=(settings,)) if workers > 1 else None
    try:
        results = (
            pool.imap(_fingerprinted, _chunks(indices, chunk))
            if pool
            else map(_fingerprinted, _chunks(indices, chunk))
        )
        if pool is None:
            _init_worker(settings)
        connection = engine.connect()
        transaction = connection.begin()
        in_transaction = 0
        for batch in results:
            t0 = time.perf_counter()
            rows = _rows(batch, ids, source_id)
            for key, table in _TABLES:
                connection.execute(insert(table), rows[key])
            in_transaction += len(batch)
            done += len(batch)
            if in_transaction >= per_transaction:
                transaction.commit()
                transaction = connection.begin()
                in_transaction = 0
            insert_seconds += time.perf_counter() - t0
            if progress and time.perf_counter() - last_report > 30:
                last_report = time.perf_counter()
                elapsed = last_report - started
                print(
                    f"  fill {done:,}/{len(indices):,} articles, {elapsed:.0f} s "
                    f"({done / elapsed:.0f}/s, inserting {insert_seconds:.0f} s)",
                    flush=True,
                )
        transaction.commit()
        if engine.dialect.name == "postgresql":
            for name in ("stories", "articles", "article_urls", "fetch_log", "sources"):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
                    )
                )
            connection.commit()
            # a store grown by ingest gets analysed by autovacuum; do it now rather than mid-run
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        connection.close()
    finally:
        if pool:
            pool.close()
            pool.join()
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    engine.dispose()
    return {
        "articles": len(indices),
        "seconds": round(time.perf_counter() - started, 1),
        "insert_seconds": round(insert_seconds, 1),
        "words": list(FILL_WORDS),
    }


def _fill_in_subprocess(
    url: str, indices: Sequence[int], settings: DedupSettings, workers: int
) -> dict[str, Any]:
    """Run the fill in a child process so its memory does not count in the measured process."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        result = bulk_fill(url, indices, settings, workers, progress=True)
        # peak RSS of the fill process and its workers
        result["peak_rss_mib"] = round(
            max(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            )
            / 1024,
            1,
        )
        sender.send(result)

    process = context.Process(target=child)
    process.start()
    sender.close()  # only the child writes; a child that dies then ends recv() with EOFError
    try:
        result = receiver.recv()
    except EOFError:
        result = None
    process.join()
    if process.exitcode or result is None:
        raise SystemExit(f"fill failed (exit code {process.exitcode})")
    return result


# =============================================================================================
# Stores under test
# =============================================================================================


def _fingerprint_probe(settings: DedupSettings) -> str:
    """Digest of the fingerprints of a few texts: a cached store is only valid while the core
    computes the same hashes, signatures, band keys and story terms (code changes need no migration)."""
    digest = zlib.crc32(b"")
    samples = [generate_article(index, FILL_WORDS).text for index in range(3)]
    samples.append(
        "\u201eZitat\u201c \u2013 Stra\u00dfe, 12,5 % \u00adweich\u200bgezeichnet; KI-Modelle\u2026 N\u00e4he"
    )
    for sample in samples:
        fp = fingerprint_text(sample, "de", settings)
        blob = "|".join(
            [
                fp.content_hash,
                signature_bytes(fp.signature).hex(),
                repr(fp.band_keys),
                json.dumps(fp.terms),
                str(fp.word_count),
            ]
        )
        digest = zlib.crc32(blob.encode(), digest)
    return f"{digest:08x}"


def _settings_key(settings: DedupSettings) -> str:
    raw = json.dumps(
        {
            "probe": _fingerprint_probe(settings),
            "generator": GENERATOR_VERSION,
            "revision": head_revision(),
            "dedup": settings.model_dump(),
            "words": list(FILL_WORDS),
            "wordfreq": _package_version("wordfreq"),
        },
        sort_keys=True,
    )
    return f"{zlib.crc32(raw.encode()):08x}"


def _package_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def sqlite_files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def remove_sqlite(path: Path) -> None:
    for p in sqlite_files(path):
        p.unlink()


def prepare_sqlite_store(
    size: int, settings: DedupSettings, workers: int, refill: bool
) -> tuple[Path, dict[str, Any]]:
    """A working copy of the cached filled store (filling the cache first when needed)."""
    cache_dir = OUT / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = _settings_key(settings)
    cached = cache_dir / f"fill-{size}-w{FILL_WORDS[0]}-{FILL_WORDS[1]}-g{GENERATOR_VERSION}-{key}.db"
    meta_path = cached.with_suffix(".json")
    if refill or not meta_path.exists() or not cached.exists():
        remove_sqlite(cached)
        meta_path.unlink(missing_ok=True)
        print(f"filling {cached.name} with {size:,} articles ({workers} workers) …", flush=True)
        meta = _fill_in_subprocess(f"sqlite:///{cached}", range(size), settings, workers)
        meta["bytes"] = sum(p.stat().st_size for p in sqlite_files(cached))
        meta_path.write_text(json.dumps(meta, indent=2))
        meta["cached"] = False
    else:
        meta = json.loads(meta_path.read_text())
        meta["cached"] = True
        print(f"reusing {cached.name} (filled in {meta['seconds']:.0f} s)", flush=True)
    work = OUT / "work" / f"store-{size}.db"
    work.parent.mkdir(parents=True, exist_ok=True)
    remove_sqlite(work)
    t0 = time.perf_counter()
    shutil.copyfile(cached, work)
    meta["copy_seconds"] = round(time.perf_counter() - t0, 1)
    return work, meta


def postgres_url(database: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def recreate_postgres_database(name: str, drop_only: bool = False) -> None:
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()


def database_bytes(store: Store, path: Path | None) -> int:
    if path is not None:
        return sum(p.stat().st_size for p in sqlite_files(path) if not p.name.endswith("-shm"))
    with store.engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def count_articles(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(Article)) or 0)


# =============================================================================================
# Measurement
# =============================================================================================


def _status_mib() -> dict[str, float]:
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values


def rss_mib() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MiB."""
    values = _status_mib()
    return values.get("VmRSS", 0.0), values.get(
        "VmHWM", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )


def rss_split_mib() -> tuple[float, float]:
    """(anonymous, file-backed) resident MiB: SQLite's memory map counts as file-backed pages,
    which are the OS page cache, not memory the process owns."""
    values = _status_mib()
    return values.get("RssAnon", 0.0), values.get("RssFile", 0.0)


@dataclass
class Lane:
    """One of the side-by-side measurements."""

    name: str
    ingestor: Ingestor | None = None
    ids: dict[int, int] = field(default_factory=dict)  # fill index -> article id in this store
    times: list[float] = field(default_factory=list)
    results: list[IngestResult] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per step of the real path
    commits: list[float] = field(default_factory=list)
    # fingerprints made by worker processes beside the store, as crawls and large imports make them
    workers: WorkerPool | None = None


# --- where the time goes: thin timers around the steps of the real path ----------------------
# The steps are looked up at call time, so replacing module and class attributes reaches them
# without touching the core's files. Timers are exclusive: a step called inside another (story
# clustering inside the insert) is not counted twice. Each costs about a microsecond per call.
# Steps the core does not have (it is being refactored) are skipped and show as 0.
STAGES = ("url", "fingerprint", "exact", "near", "story", "insert", "alias", "log", "commit")
_STEP_TARGETS = (
    ("newsmon.ingest", "find_by_url", "url"),
    ("newsmon.ingest", "fingerprint_text", "fingerprint"),
    ("newsmon.dedup", "_find_exact", "exact"),
    ("newsmon.dedup", "_find_near", "near"),
    ("newsmon.ingest", "assign_story", "story"),
    ("newsmon.ingest", "choose_story", "story"),
    ("newsmon.ingest", "index_story_terms", "story"),
    ("newsmon.ingest:Ingestor", "_insert", "insert"),
    ("newsmon.ingest:Ingestor", "_add_alias", "alias"),
    ("newsmon.ingest:Ingestor", "_log", "log"),
)
_active: Lane | None = None
_stack: list[list[float]] = []  # per open step: [time spent in nested steps]


def _timed(stage: str, function: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _active is None:
            return function(*args, **kwargs)
        _stack.append([0.0])
        t0 = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - t0
            nested = _stack.pop()[0]
            if _stack:
                _stack[-1][0] += elapsed
            _active.stages[stage] = _active.stages.get(stage, 0.0) + elapsed - nested
            if stage == "commit":
                _active.commits.append(elapsed)

    wrapper.__wrapped__ = function  # type: ignore[attr-defined]
    return wrapper


def instrument(stores: Iterable[Store]) -> list[str]:
    """Install the step timers; returns the steps found in the core."""
    import importlib
    import inspect

    found = []
    for target, name, stage in _STEP_TARGETS:
        module_name, _, class_name = target.partition(":")
        owner: Any = importlib.import_module(module_name)
        if class_name:
            owner = getattr(owner, class_name)
        try:
            static = inspect.getattr_static(owner, name)
        except AttributeError:
            continue
        found.append(f"{target}.{name}")
        if hasattr(getattr(owner, name), "__wrapped__"):
            continue
        if isinstance(static, staticmethod):
            setattr(owner, name, staticmethod(_timed(stage, static.__func__)))
        else:
            setattr(owner, name, _timed(stage, static))
    for store in stores:
        dialect = store.engine.dialect
        dialect.do_commit = _timed("commit", dialect.do_commit)  # type: ignore[method-assign]
    return found


def run_lanes(lanes: list[Lane], stream: list[StreamItem], settings: DedupSettings, block: int) -> None:
    """Every block of the stream goes through every lane; the lane order rotates per block."""
    global _active
    for number, start in enumerate(range(0, len(stream), block)):
        items = stream[start : start + block]
        order = lanes[number % len(lanes) :] + lanes[: number % len(lanes)]
        for lane in order:
            _active = lane if lane.ingestor is not None else None
            if lane.ingestor is None:
                for item in items:
                    t0 = time.perf_counter()
                    fingerprint_text(item.article.text, item.article.language, settings)
                    lane.times.append(time.perf_counter() - t0)
            else:
                # as imports and crawls do: shared transactions, committed every BATCH_SIZE
                # documents; a commit counts in the time of the document that triggers it
                with lane.ingestor.batch() as batch:
                    fingerprints = _fingerprints(lane.workers, items, settings)
                    for item in items:
                        # with workers: from waiting for the article's fingerprint to its decision
                        t0 = time.perf_counter()
                        fingerprint = next(fingerprints).result() if lane.workers else None
                        batch.ingest(item.document, article=item.article, fingerprint=fingerprint)
                        lane.times.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    batch.commit()
                    lane.times[-1] += time.perf_counter() - t0
                lane.results += batch.results
    _active = None


def _fingerprints(
    workers: WorkerPool | None, items: Sequence[StreamItem], settings: DedupSettings
) -> Iterator[Future[Any]]:
    """The items' fingerprints, made by ``workers`` ahead of the store (nothing without them)."""
    if workers is None:
        return iter(())
    calls = [(item.article.text, item.article.language, settings) for item in items]
    return workers.ordered(fingerprint_text, calls, FINGERPRINTS_AHEAD)


def breakdown(lane: Lane) -> dict[str, float]:
    """Mean ms per article of each step; ``other`` is the rest (session, ORM, source lookup)."""
    count = len(lane.times)
    out = {stage: round(1000 * lane.stages.get(stage, 0.0) / count, 3) for stage in STAGES}
    out["other"] = round(1000 * sum(lane.times) / count - sum(out.values()), 3)
    return out


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def timing_summary(times: Sequence[float]) -> dict[str, float]:
    ms = [t * 1000 for t in times]
    return {
        "mean_ms": round(statistics.fmean(ms), 3),
        "p50_ms": round(_percentile(ms, 0.5), 3),
        "p95_ms": round(_percentile(ms, 0.95), 3),
        "p99_ms": round(_percentile(ms, 0.99), 3),
        "max_ms": round(max(ms), 3),
        "total_s": round(sum(times), 2),
    }


def quality(lane: Lane, stream: list[StreamItem]) -> dict[str, Any]:
    """Recall on planted copies and false merges, judged against the recorded originals."""
    near_total = exact_total = near_found = exact_found = 0
    false_unique = wrong_original = 0
    by_variant: dict[str, list[int]] = {}
    layers: Counter[str] = Counter()
    misses: list[dict[str, Any]] = []
    stored = story_joins = missed_in_story = 0
    newest_story = 0
    for result in lane.results:
        # story ids grow: an id above every one seen so far is a new story, anything else a join
        if result.status == "stored" and result.story_id is not None:
            if result.story_id > newest_story:
                newest_story = result.story_id
            else:
                story_joins += 1
    for item, result in zip(stream, lane.results, strict=True):
        if item.kind == "unique":
            if result.status != "stored":
                false_unique += 1
                misses.append({"kind": "false merge", "url": item.document.url, "result": result.as_dict()})
            else:
                stored += 1
            continue
        expected = lane.ids[item.original]  # type: ignore[index]
        right = result.status == "duplicate" and result.duplicate_of == expected
        if result.status == "duplicate" and result.duplicate_of != expected:
            wrong_original += 1
            misses.append(
                {
                    "kind": "wrong original",
                    "url": item.document.url,
                    "expected": expected,
                    "result": result.as_dict(),
                }
            )
        elif not right:
            # the fill gives every article a story with the article's own id
            missed_in_story += result.story_id == expected
            misses.append(
                {
                    "kind": f"missed {item.kind}",
                    "variant": item.variant,
                    "url": item.document.url,
                    "expected": expected,
                    "result": result.as_dict(),
                }
            )
        if right:
            layers[f"{item.kind}→{result.layer}"] += 1
        if item.kind == "near":
            near_total += 1
            near_found += right
            counts = by_variant.setdefault(item.variant or "", [0, 0])
            counts[0] += right
            counts[1] += 1
        else:
            exact_total += 1
            exact_found += right
    return {
        "near_recall": near_found / near_total if near_total else None,
        "near_found": near_found,
        "near_total": near_total,
        "exact_recall": exact_found / exact_total if exact_total else None,
        "exact_found": exact_found,
        "exact_total": exact_total,
        "false_merges": false_unique + wrong_original,
        "false_merges_unique_as_duplicate": false_unique,
        "false_merges_wrong_original": wrong_original,
        "near_recall_by_variant": {k: f"{v[0]}/{v[1]}" for k, v in sorted(by_variant.items())},
        "decided_by_layer": dict(sorted(layers.items())),
        "stored": stored,
        "stored_joining_a_story": story_joins,
        "missed_copies_in_original_story": missed_in_story,
        "misses": misses[:50],
    }


def extraction_sample(stream: list[StreamItem], config: Config, count: int) -> dict[str, Any]:
    """For information: what extraction would add per article, and whether it gives back our text."""
    sample = [item for item in stream if item.kind == "unique"][:count]
    extract_article(sample[-1].document, config.tz, config.import_.min_words)  # loads the language model
    times = []
    same_text = same_title = same_date = 0
    for item in sample:
        t0 = time.perf_counter()
        extracted = extract_article(item.document, config.tz, config.import_.min_words)
        times.append(time.perf_counter() - t0)
        same_text += extracted.text == item.article.text
        same_title += extracted.title == item.article.title
        same_date += (
            extracted.published is not None
            and item.article.published is not None
            and extracted.published.value == item.article.published.value
        )
    summary = timing_summary(times)
    return {
        "articles": len(sample),
        **summary,
        "same_text": same_text,
        "same_title": same_title,
        "same_date": same_date,
    }


def profile_store(lane: Lane, config: Config, count: int, seed: int, size: int) -> str:
    """cProfile of the real path on store N with fresh articles (after the measured run)."""
    rng = random.Random(seed + 99)
    items = []
    for i in range(count):
        generated = generate_article(STREAM_BASE + 500_000_000 + i, STREAM_WORDS)
        items.append((RawDocument(generated.url, "", "text", STREAM_SOURCE), clean_article(generated)))
    for slot in range(count // 10):
        original = generate_article(rng.randrange(size), FILL_WORDS)
        paragraphs = near_copy(rng, list(original.paragraphs), NEAR_KINDS[slot % len(NEAR_KINDS)])
        url = f"https://bench-profile{slot}.example/kopie.html"
        items.append((RawDocument(url, "", "text", STREAM_SOURCE), clean_article(original, paragraphs, url)))
    rng.shuffle(items)
    assert lane.ingestor is not None
    profiler = cProfile.Profile()
    profiler.enable()
    for document, article in items:
        lane.ingestor.ingest(document, article=article)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    return out.getvalue()


def sqlite_query_plans(store: Store) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of the lookups on the hot path (no ANALYZE, as in production)."""
    queries = {
        "url": "SELECT article_id FROM article_urls WHERE canonical_url = 'x'",
        "exact": "SELECT id FROM articles WHERE content_hash = 'x'",
        "near": "SELECT id, minhash, shingle_count FROM articles WHERE id IN "
        "(SELECT DISTINCT article_id FROM lsh_bands WHERE band_key IN (1, 2, 3) LIMIT 100)",
        "story": "SELECT term_key, article_id, weight FROM story_terms WHERE term_key IN (1, 2, 3) "
        "AND minute BETWEEN 1 AND 8640 LIMIT 5000",
    }
    plans = {}
    with store.engine.connect() as connection:
        for name, query in queries.items():
            plans[name] = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}")]
    return plans


# =============================================================================================
# One benchmark run
# =============================================================================================


CORE: dict[str, Any] = {}


def core_version() -> dict[str, Any]:
    """Which core was measured: the commit, and the files changed on top of it (if any)."""
    import subprocess

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
            ).stdout.strip()
        except OSError:
            return ""

    changed = git("diff", "--name-only", "HEAD", "--", "newsmon").splitlines()
    changed += git("ls-files", "--others", "--exclude-standard", "--", "newsmon").splitlines()
    diff = git("diff", "HEAD", "--", "newsmon")
    return {
        "commit": git("rev-parse", "HEAD"),
        "changed_files": changed,
        "diff_crc32": f"{zlib.crc32(diff.encode()):08x}" if diff else None,
    }


def bench_config(url: str) -> Config:
    """Defaults plus the URL; an empty file is passed so no ./newsmon.toml is read by accident."""
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as empty:
        path = empty.name
    try:
        return load_config(path, env={"NEWSMON_DATABASE_URL": url}).config
    finally:
        os.unlink(path)


def run_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    dialect = "postgresql" if args.postgres else "sqlite"
    settings = bench_config("sqlite://").dedup
    print(f"\n=== {dialect}: store of {size:,} articles, stream of {args.stream:,} ===", flush=True)
    t0 = time.perf_counter()
    stream, originals = build_stream(size, args.stream, args.near, args.exact, args.seed)
    stream_seconds = time.perf_counter() - t0
    print(f"generated the stream in {stream_seconds:.1f} s", flush=True)

    work_path: Path | None
    small_path: Path | None
    if dialect == "sqlite":
        work_path, fill_meta = prepare_sqlite_store(size, settings, args.workers, args.refill)
        url = f"sqlite:///{work_path}"
        small_path = OUT / "work" / "store-0.db"
        remove_sqlite(small_path)
        small_url = f"sqlite:///{small_path}"
    else:
        work_path = small_path = None
        for name in POSTGRES_DATABASES:
            recreate_postgres_database(name)
        url, small_url = (postgres_url(name) for name in POSTGRES_DATABASES)
        print(f"filling PostgreSQL database {POSTGRES_DATABASES[0]} with {size:,} articles …", flush=True)
        fill_meta = _fill_in_subprocess(url, range(size), settings, args.workers)
        fill_meta["cached"] = False
    small_meta = bulk_fill(small_url, originals, settings, workers=1, progress=False)

    config = bench_config(url)
    big = open_store(url)
    small = open_store(small_url)
    filled_bytes = database_bytes(big, work_path)
    small_filled_bytes = database_bytes(small, small_path)
    lanes = [
        Lane("fingerprint"),
        Lane(
            "store0",
            Ingestor(small, bench_config(small_url)),
            {index: i + 1 for i, index in enumerate(originals)},
        ),
        Lane("storeN", Ingestor(big, config), {index: index + 1 for index in originals}),
    ]
    plans = sqlite_query_plans(big) if dialect == "sqlite" else {}
    instrumented = instrument([big, small])
    if args.fingerprint_workers:
        # forked now, while the process has no other thread; shared by both store lanes
        workers = WorkerPool(args.fingerprint_workers)
        workers.start(int)
        lanes[1].workers = lanes[2].workers = workers

    gc.collect()
    load_before = os.getloadavg()
    rss_before, _ = rss_mib()
    print(f"running {len(stream):,} articles through 3 lanes in blocks of {args.block} …", flush=True)
    t0 = time.perf_counter()
    run_lanes(lanes, stream, settings, args.block)
    run_seconds = time.perf_counter() - t0
    rss_after, rss_peak = rss_mib()
    rss_anon, rss_file = rss_split_mib()

    big_bytes = database_bytes(big, work_path)
    small_bytes = database_bytes(small, small_path)
    big_articles = count_articles(big)
    extraction = extraction_sample(stream, config, args.extract_sample)

    profile = None
    if args.profile:
        print(f"profiling {args.profile:,} more articles on store N …", flush=True)
        profile = profile_store(lanes[2], config, args.profile, args.seed, size)
        (OUT / f"profile-{size}-{dialect}.txt").write_text(profile)

    if lanes[2].workers is not None:
        lanes[2].workers.shutdown()
    big.close()
    small.close()
    if dialect == "postgresql":
        for name in POSTGRES_DATABASES:
            recreate_postgres_database(name, drop_only=True)
    elif not args.keep:
        assert work_path is not None
        assert small_path is not None
        remove_sqlite(work_path)
        remove_sqlite(small_path)

    result = {
        "size": size,
        "dialect": dialect,
        "stream": {
            "articles": len(stream),
            "unique": sum(item.kind == "unique" for item in stream),
            "near": args.near,
            "exact": args.exact,
            "words": list(STREAM_WORDS),
            "seed": args.seed,
        },
        "fill": fill_meta,
        "store0_fill": small_meta,
        "fingerprint_workers": args.fingerprint_workers,
        "timing": {lane.name: timing_summary(lane.times) for lane in lanes},
        "breakdown_ms": {lane.name: breakdown(lane) for lane in lanes[1:]},
        "commit_ms": {
            lane.name: {
                **timing_summary(lane.commits),
                "share_of_commit_time_in_commits_over_5ms": round(
                    sum(t for t in lane.commits if t > 0.005) / sum(lane.commits), 3
                ),
            }
            for lane in lanes[1:]
            if lane.commits
        },
        "timing_by_outcome": {
            lane.name: {
                status: timing_summary(
                    [t for t, r in zip(lane.times, lane.results, strict=True) if r.status == status]
                )
                for status in ("stored", "duplicate")
                if any(r.status == status for r in lane.results)
            }
            for lane in lanes[1:]
        },
        "quality": {lane.name: quality(lane, stream) for lane in lanes[1:]},
        "database": {
            "filled_bytes": filled_bytes,
            "bytes_after": big_bytes,
            "articles_after": big_articles,
            "bytes_per_article": round(big_bytes / big_articles),
            "store0_filled_bytes": small_filled_bytes,
            "store0_bytes_after": small_bytes,
        },
        "rss_mib": {
            "before_stream": round(rss_before, 1),
            "after_stream": round(rss_after, 1),
            "peak_measuring_process": round(rss_peak, 1),
            "peak_fill_process": fill_meta.get("peak_rss_mib"),
            "after_stream_anon": round(rss_anon, 1),
            "after_stream_file": round(rss_file, 1),
        },
        "extraction_info": extraction,
        "query_plans": plans,
        "instrumented_steps": instrumented,
        "core": CORE,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "run_seconds": round(run_seconds, 1),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "sqlite": __import__("sqlite3").sqlite_version,
            "platform": platform.platform(),
        },
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if profile:
        result["profile_file"] = str(OUT / f"profile-{size}-{dialect}.txt")
    OUT.mkdir(parents=True, exist_ok=True)
    variant = f"-fpw{args.fingerprint_workers}" if args.fingerprint_workers else ""
    path = OUT / f"dedup-{size}-{dialect}{variant}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    print_report(result)
    print(f"results: {path}")
    if profile:
        print(f"profile: {result['profile_file']}")
    return result


# =============================================================================================
# Report
# =============================================================================================


def _pct(found: int, total: int) -> str:
    return f"{100 * found / total:.2f} % ({found}/{total})" if total else "–"


def print_report(r: dict[str, Any]) -> None:
    t, q, db, rss, fill = r["timing"], r["quality"], r["database"], r["rss_mib"], r["fill"]
    size = r["size"]
    n_label = f"store N={size:,}"
    zero_label = f"store≈0 ({r['store0_fill']['articles']:,})"
    print()
    print(
        f"dedup + store, {r['dialect']}: {r['stream']['articles']:,} articles through Ingestor.ingest "
        f"({r['stream']['unique']:,} unique, {r['stream']['near']:,} near, {r['stream']['exact']:,} exact copies; "
        f"{r['stream']['words'][0]}–{r['stream']['words'][1]} words)"
    )
    print(
        f"fill: {fill['articles']:,} articles of {fill['words'][0]}–{fill['words'][1]} words in {fill['seconds']:.0f} s"
        f"{' (cached)' if fill.get('cached') else ''}; lanes interleaved in blocks, order rotating"
    )
    fingerprint_workers = r.get("fingerprint_workers", 0)
    print(
        f"store lanes: fingerprints made by {fingerprint_workers} worker process(es) beside the store"
        " (as crawls and imports of many files make them); an article's time runs from waiting for"
        " its fingerprint to its decision"
        if fingerprint_workers
        else "store lanes: fingerprints made in line, in the storing process"
    )
    core = r["core"]
    dirty = (
        f" + uncommitted changes in {', '.join(core['changed_files'])}" if core.get("changed_files") else ""
    )
    load = r["load_average"]
    print(
        f"core: {core.get('commit', '')[:10]}{dirty}; load average {load['before'][0]:.2f} before, "
        f"{load['after'][0]:.2f} after the stream ({r['machine']['cpus']} CPUs)"
    )
    print()
    header = f"{'':24}{'fingerprint only':>18}{zero_label:>20}{n_label:>22}{'N / ≈0':>9}{'N / fp':>9}"
    print(header)
    print("-" * len(header))
    for key, label in (
        ("mean_ms", "ms/article mean"),
        ("p50_ms", "ms/article p50"),
        ("p95_ms", "ms/article p95"),
        ("p99_ms", "ms/article p99"),
    ):
        fp, zero, big = t["fingerprint"][key], t["store0"][key], t["storeN"][key]
        print(f"{label:24}{fp:>18.3f}{zero:>20.3f}{big:>22.3f}{big / zero:>8.2f}x{big / fp:>8.2f}x")
    for status in ("stored", "duplicate"):
        zero = r["timing_by_outcome"]["store0"].get(status, {}).get("mean_ms")
        big = r["timing_by_outcome"]["storeN"].get(status, {}).get("mean_ms")
        if zero and big:
            print(f"{'  mean, ' + status:24}{'':>18}{zero:>20.3f}{big:>22.3f}{big / zero:>8.2f}x")
    b0, bn = r["breakdown_ms"]["store0"], r["breakdown_ms"]["storeN"]
    print(
        "  where it goes (mean ms): " + ", ".join(f"{k} {b0[k]:.2f}→{bn[k]:.2f}" for k in (*STAGES, "other"))
    )
    for name, label in (("store0", "≈0"), ("storeN", "N")):
        c = r["commit_ms"].get(name)
        if c:
            print(
                f"  commit at {label}: p50 {c['p50_ms']:.2f} ms, p99 {c['p99_ms']:.2f} ms, max {c['max_ms']:.0f} ms; "
                f"{100 * c['share_of_commit_time_in_commits_over_5ms']:.0f} % of commit time in commits > 5 ms"
                + (" (WAL checkpoints)" if r["dialect"] == "sqlite" else "")
            )
    print()
    for name, label in (("store0", zero_label), ("storeN", n_label)):
        qq = q[name]
        print(
            f"{label:24} near recall {_pct(qq['near_found'], qq['near_total'])}, "
            f"exact recall {_pct(qq['exact_found'], qq['exact_total'])}, "
            f"false merges {qq['false_merges']} ({qq['false_merges_unique_as_duplicate']} unique as duplicate, "
            f"{qq['false_merges_wrong_original']} wrong original)"
        )
    print(
        f"{'near recall by variant':24} "
        + ", ".join(f"{k} {v}" for k, v in q["storeN"]["near_recall_by_variant"].items())
    )
    print(
        f"{'decided by layer':24} "
        + ", ".join(f"{k} {v}" for k, v in q["storeN"]["decided_by_layer"].items())
    )
    qn = q["storeN"]
    missed = qn["near_total"] - qn["near_found"] + qn["exact_total"] - qn["exact_found"]
    print(
        f"{'stories (info)':24} {qn['stored_joining_a_story']:,} of {qn['stored'] + missed:,} stored articles joined an existing story; "
        f"{qn['missed_copies_in_original_story']} of {missed} missed copies joined their original's story"
    )
    print()
    print(
        f"{'database':24} filled {db['filled_bytes'] / 2**20:,.1f} MiB, after stream {db['bytes_after'] / 2**20:,.1f} MiB "
        f"({'file + WAL' if r['dialect'] == 'sqlite' else 'pg_database_size'}), "
        f"{db['bytes_per_article']:,} bytes/article ({db['articles_after']:,} articles)"
    )
    print(
        f"{'RSS':24} measuring process {rss['before_stream']:.0f} → {rss['after_stream']:.0f} MiB "
        f"(peak {rss['peak_measuring_process']:.0f} MiB, both stores + stream in memory; after: "
        f"{rss['after_stream_anon']:.0f} anonymous + {rss['after_stream_file']:.0f} file-backed/mapped); "
        f"fill process peak {rss['peak_fill_process'] or '–'} MiB"
    )
    ex = r["extraction_info"]
    print(
        f"{'extract_article (info)':24} {ex['mean_ms']:.3f} ms mean, {ex['p95_ms']:.3f} ms p95 on {ex['articles']} plain-text "
        f"documents (not in the timings above); gives back text {ex['same_text']}/{ex['articles']}, "
        f"title {ex['same_title']}, date {ex['same_date']}"
    )
    target_ms = t["storeN"]["mean_ms"]
    near = q["storeN"]["near_recall"] or 0.0
    print()
    speed = (
        f"{'met' if target_ms < 2 else 'NOT met'} here ({target_ms:.2f} ms at {size:,})"
        if r["dialect"] == "sqlite"
        else f"not measured here ({target_ms:.2f} ms on PostgreSQL at {size:,})"
    )
    print(
        f"targets: < 2 ms/article at 1M on SQLite: {speed}; "
        f"near recall ≥ 99.5 %: {'met' if near >= 0.995 else 'NOT met'} ({100 * near:.2f} %); "
        f"0 false merges: {'met' if q['storeN']['false_merges'] == 0 else 'NOT met'}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    global OUT, FILL_WORDS, CORE
    CORE = core_version()  # now: the modules are imported already, later edits do not count
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[20_000], help="store sizes to fill (default 20000)"
    )
    parser.add_argument(
        "--stream", type=int, default=10_000, help="articles through the real path (default 10000)"
    )
    parser.add_argument(
        "--near", type=int, default=1_000, help="planted near copies among them (default 1000)"
    )
    parser.add_argument(
        "--exact", type=int, default=500, help="planted exact copies among them (default 500)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the stream and the choice of originals")
    parser.add_argument("--block", type=int, default=250, help="articles per lane before switching lanes")
    parser.add_argument(
        "--workers", type=int, default=2, help="processes fingerprinting the fill (default 2)"
    )
    parser.add_argument(
        "--fingerprint-workers",
        type=int,
        default=0,
        metavar="N",
        help="fingerprint the stream in N worker processes beside the store, as crawls and imports of"
        " many files do (default 0: in line, in the storing process)",
    )
    parser.add_argument("--refill", action="store_true", help="rebuild cached filled stores")
    parser.add_argument("--keep", action="store_true", help="keep the working copies in bench/out/work")
    parser.add_argument(
        "--postgres", action="store_true", help="run on PostgreSQL at 127.0.0.1 instead of SQLite"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile N extra articles on store N"
    )
    parser.add_argument("--extract-sample", type=int, default=500, help="documents for the extraction timing")
    parser.add_argument(
        "--fill-words",
        type=int,
        nargs=2,
        default=list(FILL_WORDS),
        metavar=("MIN", "MAX"),
        help=f"length of fill articles (default {FILL_WORDS[0]} {FILL_WORDS[1]}: shorter than the stream's, for speed)",
    )
    parser.add_argument("--out", type=Path, default=None, help="output directory (default bench/out)")
    args = parser.parse_args(argv)
    if args.out:
        OUT = args.out.resolve()
    FILL_WORDS = (args.fill_words[0], args.fill_words[1])
    if args.near + args.exact >= args.stream:
        parser.error("--near + --exact must be smaller than --stream")
    for size in args.sizes:
        if size < args.near + args.exact:
            parser.error(
                f"size {size} is smaller than the number of originals needed ({args.near + args.exact})"
            )
    for size in args.sizes:
        run_size(size, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
