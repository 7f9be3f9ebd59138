"""`newsmon config`: every setting, its environment variable, default and current value."""

from __future__ import annotations

import click

from newsmon.cli.context import AppContext, print_json, print_table
from newsmon.config import describe_settings


def _current(config: object, key: str) -> object:
    value = config
    for part in key.split("."):
        value = getattr(value, "import_" if part == "import" else part)
    return "(set)" if part == "password" and value else value


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@click.pass_obj
def config_command(app: AppContext, as_json: bool) -> None:
    """Show every setting with its environment variable, default, current value and meaning."""
    loaded = app.loaded
    rows = [
        {
            "key": key,
            "env": env,
            "default": default,
            "value": _current(loaded.config, key),
            "description": text,
        }
        for key, env, default, text in describe_settings()
    ]
    if as_json:
        print_json({"file": str(loaded.file) if loaded.file else None, "settings": rows})
        return
    click.echo(f"config file: {loaded.file or '(none: defaults and environment)'}")
    print_table(
        ("key", "environment", "value", "description"),
        [(r["key"], r["env"], r["value"], r["description"]) for r in rows],
    )


COMMANDS = [config_command]
