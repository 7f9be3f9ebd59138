"""A keyword gate for the monitored topic, until topic profiles replace it.

The topic lives here for now, in one place: the KI race between the USA and China (models,
chips, export controls). Terms come in three kinds:

- ``DECISIVE_TERMS`` name things that exist only in this story (DeepSeek, H20, Exportkontrollen):
  one is enough;
- ``TOPIC_TERMS`` belong to it but also to other news (Nvidia makes gaming cards, Huawei phones);
- ``CONTEXT_TERMS`` are general AI vocabulary, used just as much by articles about AI in a
  hospital or the EU AI Act.

A page is on-topic when its title and text contain a decisive term, or a topic term and at least
``MIN_TERMS`` distinct terms in all (distinct, because a lead repeats the first paragraph).

A trailing ``*`` matches any ending (``Chip*``: Chips, Chipfabrik) and ``*`` inside a term any
word ending; terms in capitals and digits only (KI, H20) match case-sensitively and as whole
words, so "KI" is not found in "Kiosk" and "H20" not in "H200"; other terms ignore case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from crawler.items import FetchedPage
from crawler.reasons import Reject

DECISIVE_TERMS = (
    "DeepSeek",
    "Qwen",
    "Kimi",
    "Stargate",
    "H20",
    "H200",
    "Ascend",
    "SMIC",
    "Exportkontroll*",
    "Exportregel*",
)
TOPIC_TERMS = (
    "Nvidia",
    "OpenAI",
    "Blackwell",
    "Huawei",
    "TSMC",
    "Chip*",
    "Halbleiter*",
    "Ausfuhr*",
)
CONTEXT_TERMS = ("KI", "künstliche* Intelligenz", "Sprachmodell*", "Rechenzentr*")
MIN_TERMS = 2


def term_pattern(term: str) -> re.Pattern[str]:
    """The regular expression for one term (see the module docstring for the syntax)."""
    body = re.escape(term.rstrip("*")).replace(r"\ ", r"\s+").replace(r"\*", r"\w*")
    ending = r"\w*" if term.endswith("*") else r"\b"
    flags = 0 if re.fullmatch(r"[A-Z0-9]+", term) else re.IGNORECASE
    return re.compile(r"\b" + body + ending, flags)


class TopicMatcher:
    """Decides whether a text is on-topic from the distinct terms it contains."""

    def __init__(
        self,
        decisive: Iterable[str] = DECISIVE_TERMS,
        topic: Iterable[str] = TOPIC_TERMS,
        context: Iterable[str] = CONTEXT_TERMS,
    ) -> None:
        self.kinds = {
            kind: {term: term_pattern(term) for term in terms}
            for kind, terms in (("decisive", decisive), ("topic", topic), ("context", context))
        }

    def found(self, text: str) -> dict[str, list[str]]:
        """The terms of each kind that occur in ``text``."""
        return {
            kind: [term for term, pattern in patterns.items() if pattern.search(text)]
            for kind, patterns in self.kinds.items()
        }

    def on_topic(self, text: str) -> bool:
        found = self.found(text)
        if found["decisive"]:
            return True
        return bool(found["topic"]) and len(found["topic"]) + len(found["context"]) >= MIN_TERMS


class TopicGate:
    """Drops extracted pages that are off-topic (reason ``off_topic``)."""

    def __init__(self, matcher: TopicMatcher | None = None) -> None:
        self.matcher = matcher or TopicMatcher()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedPage) and item.article is not None:
            text = f"{item.article.title}\n{item.article.text}"
            if not self.matcher.on_topic(text):
                terms = [term for found in self.matcher.found(text).values() for term in found]
                raise Reject("off_topic", f"terms found: {', '.join(terms) or 'none'}")
        return item
