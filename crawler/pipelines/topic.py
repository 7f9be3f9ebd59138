"""The topic gate: pages relevant to no monitored topic are dropped as ``off_topic``.

Relevance is the topic profiles' (``newsmon.topics``): the same scores the store keeps with each
article and the digest selects by, so what the crawler lets through is what the digest can use.
The reason names the best topic's score and threshold, so the fetch log says how close it was.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.items import FetchedPage
from crawler.reasons import Reject
from crawler.settings import CONFIG, RUN
from newsmon.topics import TopicProfile, load_topics, score_topics


class TopicGate:
    """Drops extracted pages that no topic profile finds relevant (reason ``off_topic``)."""

    def __init__(self, topics: tuple[TopicProfile, ...]) -> None:
        self.topics = topics

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TopicGate:
        run = crawler.settings.get(RUN)
        topics = run.topics if run is not None and run.topics is not None else None
        return cls(topics if topics is not None else load_topics(crawler.settings[CONFIG].topics_file))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedPage) and item.article is not None and self.topics:
            article = item.article
            scores = score_topics(self.topics, article.title, article.text, article.language)
            if not any(score.relevant for score in scores.values()):
                best = max(scores.values(), key=lambda score: score.score)
                raise Reject("off_topic", f"{best.topic}: {best.score:.2f} < {best.threshold:.2f}")
        return item
