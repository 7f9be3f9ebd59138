"""Lazily loaded config and store for CLI commands, plus the output helpers they share."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any

from rich.console import Console
from rich.table import Table

from newsmon.config import Config, LoadedConfig, load_config
from newsmon.store.db import Store, open_store


class AppContext:
    """What a command needs, created on first use so `--help` and `config` stay instant."""

    def __init__(self, config_path: str | None) -> None:
        self._config_path = config_path

    @cached_property
    def loaded(self) -> LoadedConfig:
        loaded = load_config(self._config_path)
        logging.getLogger().setLevel(loaded.config.log_level)
        return loaded

    @property
    def config(self) -> Config:
        return self.loaded.config

    @cached_property
    def store(self) -> Store:
        """The store, migrated to the newest schema (migrations run on every start)."""
        return open_store(self.config.store_url)

    def close(self) -> None:
        """Release database connections if a command opened the store."""
        if "store" in self.__dict__:
            self.store.close()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> None:
    table = Table(*columns, title=title, show_lines=False, expand=False)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    Console(soft_wrap=False).print(table)
