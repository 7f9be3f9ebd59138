"""The topic gate: pages relevant to no monitored topic are dropped as ``off_topic``.

Relevance is the topic profiles' (``newsmon.topics``): the scores the extract pipeline computed
beside the extraction are the ones the store keeps with each article and the digest selects by,
so what the crawler lets through is what the digest can use. The reason names the best topic's
score and threshold, so the fetch log says how close it was. Without topic profiles every page
passes.
"""

from __future__ import annotations

from typing import Any

from crawler.items import FetchedPage
from crawler.reasons import Reject


class TopicGate:
    """Drops extracted pages that no topic profile finds relevant (reason ``off_topic``)."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchedPage) and item.topic_scores:
            scores = item.topic_scores.values()
            if not any(score.relevant for score in scores):
                best = max(scores, key=lambda score: score.score)
                raise Reject("off_topic", f"{best.topic}: {best.score:.2f} < {best.threshold:.2f}")
        return item
