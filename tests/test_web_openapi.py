"""The JSON API against its own OpenAPI document, on a real server on 127.0.0.1.

The document must be a valid OpenAPI 3.1 document; then Schemathesis generates requests for
every documented operation (valid and invalid parameters) and checks each answer against what
the document promises: documented status codes and content types, bodies that match their
schema, never a server error. A few examples per operation keep the run short.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.specs.openapi.definitions import OPENAPI_31

from newsmon.config import Config
from newsmon.store.db import Store
from newsmon.web import create_app
from tests.test_web import (
    corpus_fixture,  # noqa: F401  (the corpus fixture)
    filled_fixture,  # noqa: F401  (the filled fixture)
    live_server,
)

EXAMPLES = 15  # per operation and mode (valid, invalid parameters)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: the API's shapes do not depend on the database (tests/test_web.py runs both)."""
    return f"sqlite:///{tmp_path / 'var' / 'newsmon.db'}"


@pytest.fixture
def server(filled: None, config: Config, store: Store) -> Iterator[str]:
    with live_server(create_app(config)) as url:
        yield url


@pytest.fixture
def api_schema(server: str) -> Any:
    return schemathesis.openapi.from_url(f"{server}/openapi.json")


def test_openapi_document_is_valid_and_complete(server: str) -> None:
    document = requests.get(f"{server}/openapi.json", timeout=30).json()
    jsonschema_rs.validator_for(OPENAPI_31).validate(document)
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/stories",
        "/api/stories/{story_id}",
        "/api/sources",
        "/api/digests",
        "/api/topics",
    }  # the pages, actions and export are not part of the API
    for path, operations in document["paths"].items():
        for operation in operations.values():
            ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
            assert ok, path  # every answer is described, none is "any JSON"
    article = document["components"]["schemas"]["ArticleDetail"]
    assert {"text", "topic_scores", "aliases", "duplicates", "story_articles", "read", "marks"} <= set(
        article["properties"]
    )


def test_every_operation_answers_as_documented(server: str) -> None:
    # positive_data_acceptance is left out: a search query can match its schema (any string) and
    # still have no words to search for; that answer is the documented 400, checked like the rest.
    # Schemathesis's pytest plugin does not run under pytest 9 (it sets a private attribute of
    # the test item), so each operation's strategy is run through Hypothesis here.
    api = schemathesis.openapi.from_url(f"{server}/openapi.json")
    session = requests.Session()
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == 7
    for operation in operations:
        modes = [GenerationMode.POSITIVE]
        if any(True for _ in operation.iter_parameters()):  # without parameters nothing can be invalid
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @given(case=operation.as_strategy(mode))
            @settings(
                max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
            )
            def answers_as_documented(case: Any) -> None:
                case.call_and_validate(session=session, excluded_checks=[positive_data_acceptance])

            answers_as_documented()
