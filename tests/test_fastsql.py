"""Hot-path statements store and find exactly what SQLAlchemy Core would, on both databases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select

from newsmon.store.db import Store
from newsmon.store.fastsql import FastStatement, InListStatement
from newsmon.store.models import Source, Story

_STORY_COLUMNS = ["title", "first_published", "last_published", "article_count", "created_at"]
_INSERT = FastStatement(insert(Story).returning(Story.id), _STORY_COLUMNS)
_TITLES = InListStatement(
    "ids", lambda ids: select(Story.title).where(Story.id.in_(ids)).order_by(Story.id).limit(2)
)


def test_values_round_trip_like_core(store: Store) -> None:
    moment = datetime(2026, 1, 16, 15, 7, 0, 250)
    with store.engine.begin() as connection:
        fast_id = _INSERT.scalar(
            connection,
            {
                "title": "„KI“ <b>",
                "first_published": moment,
                "last_published": None,
                "article_count": 3,
                "created_at": moment,
            },
        )
        core_id = connection.execute(
            insert(Story).returning(Story.id),
            {"title": "core", "first_published": moment, "article_count": 1, "created_at": moment},
        ).scalar_one()
        # what Core reads back (with its result processing) is what the fast path wrote
        fast, core = connection.execute(
            select(Story.first_published, Story.created_at)
            .where(Story.id.in_([fast_id, core_id]))
            .order_by(Story.id)
        ).all()
        assert fast == core == (moment, moment)
        # a Core filter on the datetime finds the fast row: the stored text form is the same
        found = connection.scalars(select(Story.id).where(Story.first_published == moment)).all()
        assert sorted(found) == sorted([fast_id, core_id])


def test_in_lists_of_any_length_and_bound_limits(store: Store) -> None:
    with store.engine.begin() as connection:
        ids = [
            _INSERT.scalar(
                connection,
                {
                    "title": f"t{index}",
                    "first_published": None,
                    "last_published": None,
                    "article_count": 1,
                    "created_at": datetime(2026, 1, 1),
                },
            )
            for index in range(4)
        ]
        assert _TITLES.all(connection, {"ids": []}) == []
        assert _TITLES.all(connection, {"ids": ids[3:]}) == [("t3",)]
        assert _TITLES.all(connection, {"ids": ids}) == [("t0",), ("t1",)]  # LIMIT 2 from the statement


def test_executemany_and_boolean_columns(store: Store) -> None:
    by_name = FastStatement(select(Source.kind).where(Source.name == bindparam("name")))
    rows = [
        {"name": f"quelle-{index}", "kind": "feed", "enabled": True, "created_at": datetime(2026, 1, 1)}
        for index in range(3)
    ]
    with store.engine.begin() as connection:
        FastStatement(insert(Source), ["name", "kind", "enabled", "created_at"]).executemany(connection, rows)
        FastStatement(insert(Source), ["name", "kind", "enabled", "created_at"]).executemany(connection, [])
        assert by_name.scalar(connection, {"name": "quelle-2"}) == "feed"
        assert by_name.scalar(connection, {"name": "fehlt"}) is None
        enabled = connection.scalars(select(Source.enabled).where(Source.name.like("quelle-%"))).all()
    assert enabled == [True, True, True]
