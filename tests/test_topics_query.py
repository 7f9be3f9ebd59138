"""The topic query language: what matches, and errors that name the position."""

from __future__ import annotations

import pytest

from newsmon.topics import QueryError, parse_query
from newsmon.topics.analysis import analyse

TEXT = analyse(
    "USA verschärfen Exportkontrollen für KI-Chips",
    "Das Handelsministerium in Washington stoppt Nvidias H20-Chips für China. "
    "Auch Hochleistungsprozessoren dürfen nicht mehr in die Volksrepublik. Der Film läuft weiter.",
    "de",
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Exportkontrolle", True),  # lemma
        ("exportkontrollen", True),  # surface, any case
        ("Prozessor", True),  # head of a German compound
        ("Chip* AND China", True),
        ("Chip* China", True),  # side by side is AND
        ("Chip* AND Japan", False),
        ("Japan OR Volksrepublik", True),
        ('"KI Chips"', True),  # the hyphen splits the compound into a phrase
        ('"Chips KI"', False),
        ("KI-Chip", True),
        ("Nvidia", True),  # genitive "Nvidias"
        ("Nvidia NEAR/2 H20", True),
        ("Exportkontrolle NEAR/2 China", False),
        ("Exportkontrolle NEAR/20 China", True),
        ("(Film OR Serie) NEAR/3 China", False),
        ("NOT Japan", True),
        ("China NOT Film", False),
        ("China AND NOT (Japan OR Korea)", True),
        ("Japan OR China AND Film", True),  # AND binds tighter than OR
        ("(Japan OR China) AND Korea", False),
        ("KI or Japan", False),  # lower case "or" is a word, and the text has no "or"
    ],
)
def test_query_semantics(query: str, expected: bool) -> None:
    assert parse_query(query).matches(TEXT) is expected


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("", "empty query", 1),
        ("   ", "empty query", 1),
        ("(China OR USA", "'(' is never closed", 1),
        ("China OR USA)", "unexpected ')'", 13),
        ("China AND", "found the end of the query", 10),
        ("China OR OR USA", "found 'OR'", 10),
        ('China AND "KI Chips', "unterminated quote", 11),
        ("KI NEAR China", "NEAR needs a distance", 4),
        ("KI NEAR/0 China", "NEAR needs a distance", 4),
        ("(KI AND Chip) NEAR/3 China", "NEAR joins words, phrases", 15),
        ("China AND Ch*", "needs 3 letters or digits", 11),
        ("China AND K*I", "may only end a word", 11),
        ('China ""', "empty phrase", 7),
        ("China AND +++", "no letters or digits", 11),
    ],
)
def test_malformed_queries_name_the_position(query: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.position == position
    assert message in str(caught.value)
    assert str(caught.value).endswith(f"at position {position}")


def test_query_source_is_kept_compact() -> None:
    assert parse_query("  China\n  AND  KI ").source == "China AND KI"
