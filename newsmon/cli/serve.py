"""`newsmon serve`: the review UI and its JSON API over the configured store."""

from __future__ import annotations

import click

from newsmon.cli.context import AppContext
from newsmon.web.security import is_loopback

MIN_TOKEN_LENGTH = 16


def check_exposure(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a token (anyone on the network could read and mark)."""
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise click.ClickException(
            f"serve.token is shorter than {MIN_TOKEN_LENGTH} characters; use a long random one "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(24))')"
        )
    if not is_loopback(host) and token is None:
        raise click.ClickException(
            f"refusing to listen on {host} without an access token: set NEWSMON_SERVE__TOKEN "
            "or keep the default --host 127.0.0.1"
        )


@click.command("serve")
@click.option("--host", help="Address to listen on (default: serve.host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: serve.port, 8040).")
@click.pass_obj
def serve_command(app: AppContext, host: str | None, port: int | None) -> None:
    """Serve the review UI: search, read, star and judge articles; JSON API under /api.

    Listens on 127.0.0.1 unless told otherwise; any other address needs serve.token, which the
    browser then asks for as the password (any user name).

    Example:

        newsmon serve --port 8040
    """
    import uvicorn

    from newsmon.web import create_app

    settings = app.config.serve
    host = host or settings.host
    port = port or settings.port
    check_exposure(host, settings.token.get_secret_value() if settings.token else None)
    web = create_app(app.config, host=host)
    click.echo(f"newsmon review UI on http://{host if ':' not in host else f'[{host}]'}:{port}/", err=True)
    uvicorn.run(web, host=host, port=port, log_level=app.config.log_level.lower(), server_header=False)


COMMANDS = [serve_command]
