"""Topics: which articles matter, how much, and why.

The API the crawler's gate, the digest and the CLI call:

- ``load_topics(path=None)`` reads seeds/topics.toml (or another file) into frozen ``TopicProfile``
  records (``loaded_topics``: once per process); ``find_topic(profiles, name)`` picks one;
- ``score_article(profile, title, text, language)`` returns a ``TopicScore`` (score in [0, 1],
  ``relevant``, and an explanation whose contributions add up to the score);
  ``score_topics(profiles, …)`` analyses the text once for several topics, and ``scores_record``
  turns scores into what ``Article.topic_scores`` stores;
- ``search_queries(profile, language)`` gives the query strings for the search spider;
- ``learn_topic`` and ``render_draft`` draft a profile from example documents;
- ``evaluate``, ``load_labelled_set``, ``mark_article`` and ``feedback_examples`` measure it.
"""

from newsmon.topics.draft import render_draft
from newsmon.topics.errors import PatternError, QueryError, TopicError
from newsmon.topics.evaluate import Counts, Evaluation, LabelledText, evaluate, load_labelled_set
from newsmon.topics.feedback import feedback_examples, mark_article
from newsmon.topics.learn import LearnDocument, LearnedTopic, learn_topic
from newsmon.topics.profile import (
    Entity,
    TopicProfile,
    find_topic,
    load_topics,
    loaded_topics,
    shipped_topics_file,
)
from newsmon.topics.query import Query, parse_query
from newsmon.topics.scoring import Contribution, TopicScore, score_article, score_topics, scores_record
from newsmon.topics.search import search_queries

__all__ = [
    "Contribution",
    "Counts",
    "Entity",
    "Evaluation",
    "LabelledText",
    "LearnDocument",
    "LearnedTopic",
    "PatternError",
    "Query",
    "QueryError",
    "TopicError",
    "TopicProfile",
    "TopicScore",
    "evaluate",
    "feedback_examples",
    "find_topic",
    "learn_topic",
    "load_labelled_set",
    "load_topics",
    "loaded_topics",
    "mark_article",
    "parse_query",
    "render_draft",
    "score_article",
    "score_topics",
    "scores_record",
    "search_queries",
    "shipped_topics_file",
]
