"""The review UI (`newsmon serve`): server-rendered pages and a JSON API over the store."""

from newsmon.web.app import create_app

__all__ = ["create_app"]
