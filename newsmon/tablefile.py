"""Data files made of ``[[table]]`` entries (the shipped sources and topics): read, validate, name problems.

Both lists follow one rule: every problem of a file (unknown top-level keys, an entry that does not
validate, a name used twice) is reported at once, one line each, naming the file and the entry,
in the caller's error class, so a person can fix the file in one go.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar


class _Named(Protocol):
    @property
    def name(self) -> str: ...


Entry = TypeVar("Entry", bound=_Named)


def read_toml(path: Path, what: str, error: type[Exception]) -> dict[str, Any]:
    """The parsed file, or ``error`` saying why the ``what`` file (e.g. "topics") cannot be read."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise error(f"{what} file {path} does not exist") from None
    except OSError as exc:
        raise error(f"{what} file {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} file {path} is not valid TOML: {exc}") from None


def load_table_list(
    path: Path,
    table: str,
    what: str,
    parse: Callable[[Any, str, int], Entry],
    error: type[Exception],
) -> tuple[Entry, ...]:
    """Every ``[[table]]`` entry of ``path`` parsed by ``parse(entry, where, number)``.

    ``parse`` raises ``error`` naming the entry's problems; they are collected with the file's own.
    """
    data = read_toml(path, what, error)
    problems = [f"{path}: unknown key {key} ({what} are [[{table}]] tables)" for key in data if key != table]
    entries = data.get(table)
    if not isinstance(entries, list) or not entries:
        raise error("\n".join([*problems, f"{path}: no [[{table}]] tables"]))
    parsed: list[Entry] = []
    for number, entry in enumerate(entries, 1):
        try:
            parsed.append(parse(entry, str(path), number))
        except error as exc:
            problems.append(str(exc))
    seen: set[str] = set()
    for item in parsed:
        if item.name in seen:
            problems.append(f"{path}: {table} {item.name!r}: name is used by another {table}")
        seen.add(item.name)
    if problems:
        raise error("\n".join(problems))
    return tuple(parsed)
