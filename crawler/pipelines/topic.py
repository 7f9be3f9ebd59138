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


def term_literal(term: str) -> str:
    """The case-folded text every match of ``term`` contains: its start up to a wildcard or space.

    Searching every term's pattern in every page took half a millisecond of the reactor thread;
    a substring test of the case-folded text rules most terms out first, a third of that
    (case-folding both sides keeps it a necessary condition for case-sensitive terms too).
    """
    return re.split(r"[*\s]", term, maxsplit=1)[0].casefold()


class TopicMatcher:
    """Decides whether a text is on-topic from the distinct terms it contains."""

    def __init__(
        self,
        decisive: Iterable[str] = DECISIVE_TERMS,
        topic: Iterable[str] = TOPIC_TERMS,
        context: Iterable[str] = CONTEXT_TERMS,
    ) -> None:
        self.kinds = {
            kind: {term: (term_literal(term), term_pattern(term)) for term in terms}
            for kind, terms in (("decisive", decisive), ("topic", topic), ("context", context))
        }

    def found(self, text: str) -> dict[str, list[str]]:
        """The terms of each kind that occur in ``text``."""
        folded = text.casefold()
        return {
            kind: [
                term
                for term, (literal, pattern) in patterns.items()
                if literal in folded and pattern.search(text)
            ]
            for kind, patterns in self.kinds.items()
        }

    @staticmethod
    def decide(found: dict[str, list[str]]) -> bool:
        """Whether the terms ``found`` in a text make it on-topic."""
        if found["decisive"]:
            return True
        return bool(found["topic"]) and len(found["topic"]) + len(found["context"]) >= MIN_TERMS

    def on_topic(self, text: str) -> bool:
        return self.decide(self.found(text))


class TopicGate:
    """Drops extracted pages that are off-topic (reason ``off_topic``)."""

    def __init__(self, matcher: TopicMatcher | None = None) -> None:
        self.matcher = matcher or TopicMatcher()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedPage) and item.article is not None:
            found = self.matcher.found(f"{item.article.title}\n{item.article.text}")
            if not self.matcher.decide(found):
                terms = [term for kind in found.values() for term in kind]
                raise Reject("off_topic", f"terms found: {', '.join(terms) or 'none'}")
        return item
